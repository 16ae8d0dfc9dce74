//! The least fairness terms any schedule can have, from a relaxation HiGHS settles in a
//! fraction of a second: only who may take which shift — no rest, runs or caps — and
//! no other term. Whether four people can split a month's days to within a point is a
//! partition question: the whole MILP's LP bound balances perfectly, so its proof waits
//! on exactly this answer. Stated as a row of the whole model (`Params::fair_floor`),
//! HiGHS starts from it: months it could not prove at all are proven in seconds.
//!
//! The search over shift counts (`split_floor`) answers first where it can, in
//! milliseconds; HiGHS solves the relaxation where it declines or gives up.

use std::time::{Duration, Instant};

use super::split_floor;
use crate::config::ObjectiveWeights;
use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::{self, evaluate};
use crate::solver::index::{Index, Rules};
use crate::solver::milp::model::{self, Outcome, Params};
use crate::solver::progress::Progress;

/// The floor, when the search over counts or HiGHS proves the relaxation's optimum
/// within `time_limit` seconds (for the teams `Plan::fair_floor` names; only a proven
/// value: a bound cut short by the clock would make the whole model, and so a proven
/// schedule, depend on the machine's pace). `warm` is any valid schedule;
/// `watch` stops the solve when interrupted; `highs_log` shows HiGHS's own log.
pub(crate) fn fair_floor(
    problem: &Problem,
    previous: Option<&Previous>,
    warm: Option<&Assignment>,
    time_limit: f64,
    watch: &Progress,
    highs_log: bool,
) -> Option<f64> {
    let w = problem.objective;
    let mut relaxed = problem.reweighted(ObjectiveWeights {
        imbalance: w.imbalance,
        deviation: w.deviation,
        back_to_back_after_hours: 0.0,
        total_load: 0.0,
        prefer_off: 0.0,
        churn: 0.0,
    });
    // Marks that no longer cost anything must not tell members apart either: the model
    // orders interchangeable members (`symmetry`), and more of them are here.
    for cell in relaxed.cells.iter_mut().flatten() {
        cell.after_hours = false;
        cell.prefer_off = false;
    }
    // Overlapping shifts still conflict (rest 0): no schedule has one person on both.
    let rules = Rules {
        min_rest_hours: 0.0,
        max_consecutive: 0,
        max_shifts: false,
        pins: true,
        frozen: true,
    };
    let index = Index::new(&relaxed, previous, rules);
    // The search over counts first, bounded by the heuristics' schedule.
    let started = Instant::now();
    let incumbent = warm.map_or(f64::INFINITY, |a| {
        evaluate::fairness(&w, &evaluate(problem, a, previous).metrics)
    });
    let until = started + Duration::from_secs_f64(time_limit.max(0.0));
    if let Some(floor) = split_floor::split_floor(&relaxed, &index, incumbent, until) {
        return Some(floor);
    }
    let time_limit = time_limit - started.elapsed().as_secs_f64();
    let outcome = model::solve(
        &relaxed,
        &index,
        &Params {
            warm,
            progress: Some(watch),
            highs_log,
            ..Params::new(time_limit, 1e-6)
        },
    );
    match outcome {
        Outcome::Solved {
            optimal: true,
            bound,
            ..
        } if bound.is_finite() => Some(bound.max(0.0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::solver::plan::{self, Plan};
    use crate::testkit::hours as testkit;

    /// Whether a solve looks for a floor for this team.
    fn applies(problem: &Problem, index: &Index) -> bool {
        Plan::of_problem(problem, index).fair_floor
    }

    /// Every way to give each of `shifts` one-seat shifts to one of `members`.
    fn every_assignment(shifts: usize, members: usize) -> impl Iterator<Item = Assignment> {
        (0..members.pow(shifts as u32)).map(move |mut code| {
            let mut assignment = Assignment::empty(shifts);
            for held in &mut assignment.members {
                held.push(code % members);
                code /= members;
            }
            assignment
        })
    }

    #[test]
    fn the_floor_is_the_least_fairness_of_any_split_with_the_rules_aside() {
        // Uneven shifts, a part-timer with history, and a rest rule that keeps anyone
        // off two days in a row: the two must alternate, which the split need not.
        let hours = [5, 13, 7, 11, 3, 17, 9, 2];
        let shifts = testkit::days(&hours, None);
        let rules = ConfigRules::rest_of(30.0);
        let mut problem = testkit::problem(2, &shifts, rules);
        problem.capacity = vec![1.0, 0.5];
        problem.history = vec![0.0, 6.0];
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert!(applies(&problem, &index));

        let fairness = |a: &Assignment| {
            evaluate::fairness(&problem.objective, &evaluate(&problem, a, None).metrics)
        };
        let (mut any, mut valid) = (f64::INFINITY, f64::INFINITY);
        for a in every_assignment(hours.len(), 2) {
            let f = fairness(&a);
            any = any.min(f);
            if crate::problem::rules::check(&problem, &a, None).is_empty() {
                valid = valid.min(f);
            }
        }
        let watch = Progress::quiet(Instant::now());
        let floor = fair_floor(&problem, None, None, 20.0, &watch, false).expect("proven");
        assert!(
            (floor - any).abs() <= 1e-6 * any.max(1.0),
            "{floor} vs {any}"
        );
        // The rules do cost fairness here, which the floor leaves out: a bound, not the
        // optimum.
        assert!(floor < valid - 1.0, "{floor} vs {valid}");
    }

    #[test]
    fn no_floor_for_large_teams_or_negative_weights() {
        let shifts: Vec<(usize, i64, i64)> = (0..6).map(|i| (0, i * 24, 8)).collect();
        let large = testkit::problem(plan::SMALL_TEAM + 1, &shifts, ConfigRules::default());
        let index = Index::new(&large, None, Rules::of(&large));
        assert!(!applies(&large, &index));
        let mut odd = testkit::problem(3, &shifts, ConfigRules::default());
        odd.objective.deviation = -1.0;
        let index = Index::new(&odd, None, Rules::of(&odd));
        assert!(!applies(&odd, &index));
        odd.objective.deviation = 1.0;
        assert!(applies(&odd, &index));
    }
}
