//! A lower bound from HiGHS on the schedule counted by kind of shift.
//!
//! Shifts of one layer that are worth the same to everyone (the same points and the same
//! seat cost for every member) are one *kind*: a team's quarter has a few dozen kinds
//! (a weekday, a Friday, a weekend day, a holiday in one country, …) for hundreds of
//! shifts. The model only asks how many shifts of each kind every member holds: at most
//! the number of that kind they may take, every seat of the kind covered, no more shifts
//! in all than their rules and availability let one person hold. Loads, and so the
//! fairness terms, are exactly those of any schedule with those counts, and the fairness
//! rows are the whole model's (`milp::model::fairness`).
//!
//! Every schedule has such counts, so the least objective over counts (back-to-back
//! pairs left out, at most what they cost) bounds every schedule, and so does HiGHS's
//! bound on it at any moment. What this sees that the Lagrangian relaxation of coverage
//! cannot: loads are whole numbers of shifts of kinds that are scarce together — a zone
//! with more people than daytime shifts must take nights or carry less, and nobody can
//! be balanced by averaging an everyone-light choice with an everyone-heavy one.

use std::collections::HashMap;
use std::time::Instant;

use good_lp::{Constraint, Expression, ProblemVariables, Variable, constraint, variable};
use highs::HighsModelStatus;

use crate::problem::Problem;
use crate::solver::index::Index;
use crate::solver::milp::{model, watch};
use crate::solver::plan;

/// Shifts that are worth the same to everyone, counted together.
struct Kind {
    /// Seats of the kind's shifts no pin or frozen holder takes.
    seats: f64,
    /// Per member: the kind's shifts they may take (free seats only).
    open: Vec<u32>,
    /// Per member: one seat's points and weighted seat cost.
    points: Vec<f64>,
    cost: Vec<f64>,
}

/// The schedule's counts as a model: what every member holds of each kind.
struct Counts {
    kinds: Vec<Kind>,
    /// Per member: the points and seat costs of seats pinned or frozen on them.
    fixed_load: Vec<f64>,
    fixed_cost: f64,
    /// Per member: the most free shifts they can hold.
    most: Vec<u32>,
}

impl Counts {
    fn new(problem: &Problem, index: &Index) -> Counts {
        let members = index.members;
        let mut fixed_load = vec![0.0; members];
        let mut fixed_held = vec![0u32; members];
        let mut fixed_cost = 0.0;
        let mut by_key: HashMap<(usize, Vec<u64>), usize> = HashMap::new();
        let mut kinds: Vec<Kind> = Vec::new();
        for s in 0..index.shifts {
            for &m in &index.fixed[s] {
                fixed_load[m] += problem.cells[s][m].points;
                fixed_cost += index.seat_cost(problem, s, m);
                fixed_held[m] += 1;
            }
            let seats = problem.shifts[s].per_shift as usize;
            if index.frozen[s] || index.fixed[s].len() >= seats {
                continue;
            }
            let key: Vec<u64> = (0..members)
                .flat_map(|m| {
                    [
                        problem.cells[s][m].points.to_bits(),
                        index.seat_cost(problem, s, m).to_bits(),
                    ]
                })
                .collect();
            let next = kinds.len();
            let k = *by_key.entry((problem.shifts[s].layer, key)).or_insert(next);
            if k == next {
                kinds.push(Kind {
                    seats: 0.0,
                    open: vec![0; members],
                    points: (0..members).map(|m| problem.cells[s][m].points).collect(),
                    cost: (0..members)
                        .map(|m| index.seat_cost(problem, s, m))
                        .collect(),
                });
            }
            let kind = &mut kinds[k];
            kind.seats += (seats - index.fixed[s].len()) as f64;
            for &m in &index.cand[s] {
                if index.fixed[s].binary_search(&m).is_err() {
                    kind.open[m] += 1;
                }
            }
        }
        let most = (0..members)
            .map(|m| {
                let held = most_held(problem, index, m);
                let capped = index.max_shifts[m].map_or(held, |max| held.min(max));
                capped.saturating_sub(fixed_held[m])
            })
            .collect();
        Counts {
            kinds,
            fixed_load,
            fixed_cost,
            most,
        }
    }
}

/// The most shifts member `m` can hold with no two in conflict (overlap, or too little
/// rest): conflicts are overlaps of shifts extended by the rest at their end, so taking
/// the shift that ends first, again and again, holds the most (interval scheduling).
fn most_held(problem: &Problem, index: &Index, m: usize) -> u32 {
    let rest = (problem.rules.min_rest_hours.max(0.0) * 3600.0).round() as i64;
    let mut open: Vec<(i64, i64)> = (0..index.shifts)
        .filter(|&s| index.is_candidate(s, m))
        .map(|s| {
            let shift = &problem.shifts[s];
            (shift.end.timestamp() + rest, shift.start.timestamp())
        })
        .collect();
    open.sort_unstable();
    let mut held = 0;
    let mut free_from = i64::MIN;
    for (end, start) in open {
        if start >= free_from {
            held += 1;
            free_from = end;
        }
    }
    held
}

/// The counted model as good_lp holds it, before HiGHS gets it.
struct Model {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
}

impl Counts {
    /// The counts' columns with at least one shift open (the nonzeros they bring are
    /// at least twice as many: coverage and load).
    fn columns(&self) -> usize {
        self.kinds
            .iter()
            .map(|kind| {
                (0..kind.open.len())
                    .filter(|&m| self.most[m].min(kind.open[m]) > 0)
                    .count()
            })
            .sum()
    }

    /// y[k][m], how many of kind k member m holds, with its coverage and per-member rows,
    /// and the fairness terms on the loads they make (the whole MILP's rows, their
    /// searches over load levels until `bounds_until`). The fixed seats' cost is not in
    /// its objective: good_lp passes no constant on.
    fn model(&self, problem: &Problem, index: &Index, bounds_until: Instant) -> Model {
        let members = index.members;
        let mut vars = ProblemVariables::new();
        let mut warm: Vec<f64> = Vec::new();
        let mut constraints: Vec<Constraint> = Vec::new();
        let mut objective = Expression::with_capacity(self.kinds.len() * members);
        let mut y: Vec<Vec<Option<Variable>>> = Vec::with_capacity(self.kinds.len());
        for kind in &self.kinds {
            let mut row = Vec::with_capacity(members);
            let mut covered = Expression::with_capacity(members);
            for m in 0..members {
                let most = self.most[m].min(kind.open[m]);
                if most == 0 {
                    row.push(None);
                    continue;
                }
                let v = vars.add(variable().integer().min(0.0).max(f64::from(most)));
                warm.push(0.0);
                covered.add_mul(1.0, v);
                objective.add_mul(kind.cost[m], v);
                row.push(Some(v));
            }
            constraints.push(constraint!(covered == kind.seats));
            y.push(row);
        }
        for (m, &most) in self.most.iter().enumerate() {
            let open: u32 = self.kinds.iter().map(|k| k.open[m]).sum();
            if most >= open {
                continue;
            }
            let mut held = Expression::with_capacity(self.kinds.len());
            for v in y.iter().filter_map(|row| row[m]) {
                held.add_mul(1.0, v);
            }
            constraints.push(constraint!(held <= f64::from(most)));
        }
        let load_of = |m: usize| {
            let mut load = Expression::from(self.fixed_load[m]);
            for (kind, row) in self.kinds.iter().zip(&y) {
                if let Some(v) = row[m] {
                    load.add_mul(kind.points[m], v);
                }
            }
            load
        };
        model::fairness(
            problem,
            index,
            model::Loads {
                of: &load_of,
                warm: &|_| 0.0,
            },
            None,
            (None, None),
            bounds_until,
            &mut vars,
            &mut warm,
            &mut constraints,
            &mut objective,
        );
        Model {
            vars,
            objective,
            constraints,
        }
    }
}

/// HiGHS's bound on the counted model, until `until` or until `stop` says so. `None`
/// where it does not apply (a negative weight other than the fairness terms', neither
/// fairness term weighted), where HiGHS cannot finish its root in the time (see
/// `plan`), or where it failed.
///
/// With time for two roots, the imbalance is bounded apart from the other terms and the
/// two bounds are added: every schedule scores at least the least imbalance any counts
/// have plus the least of the rest. Together, HiGHS's LP spreads every load evenly and
/// leaves the imbalance to its tree, which closes on it slowly; apart, the rest is
/// mostly proven at its root, and the imbalance alone is a question of which loads fit
/// in a window, which its tree settles far sooner (with a cutoff: only counts whose
/// imbalance could still beat the incumbent, given the rest's bound).
pub(crate) fn counted(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    until: Instant,
    stop: &watch::Stop<'_>,
) -> Option<f64> {
    let w = problem.objective;
    if !w.others_nonnegative() || w.imbalance < 0.0 || w.deviation < 0.0 {
        return None;
    }
    let began = Instant::now();
    let left = until.checked_duration_since(began)?;
    // Too large a model is seen before it is built (the fairness rows' searches take
    // time too).
    if 2.0 * Counts::new(problem, index).columns() as f64 > plan::COUNTED_MAX_NONZEROS {
        return None;
    }
    if w.imbalance == 0.0 || left.as_secs_f64() < plan::COUNTED_SPLIT_SECONDS {
        return part(problem, index, None, false, until, stop).map(|b| b.min(incumbent));
    }
    let (spread, rest) = w.imbalance_apart();
    let (spread, rest) = (problem.reweighted(spread), problem.reweighted(rest));
    let unreviewed = watch::Stop {
        flag: stop.flag,
        review_at: until,
        keep_above: f64::NEG_INFINITY,
    };
    let rest_until = began + left.mul_f64(plan::COUNTED_REST_SHARE);
    // Its root proves most of it; the imbalance's tree gains more from the time after.
    let rest = part(&rest, index, None, true, rest_until, &unreviewed)?;
    let review = watch::Stop {
        flag: stop.flag,
        review_at: stop.review_at,
        keep_above: stop.keep_above - rest,
    };
    let cutoff = incumbent - rest;
    // Without the imbalance's bound the rest's stands alone (the imbalance is ≥ 0).
    let spread = part(&spread, index, Some(cutoff), false, until, &review).unwrap_or(0.0);
    Some((rest + spread).min(incumbent))
}

/// HiGHS's bound on the counted model of `problem`'s objective, fixed seats included,
/// not capped. With a `cutoff`, HiGHS leaves out counts scoring above it: the bound
/// then holds for every schedule scoring below it. With `root_only`, HiGHS stops after
/// its root node.
fn part(
    problem: &Problem,
    index: &Index,
    cutoff: Option<f64>,
    root_only: bool,
    until: Instant,
    stop: &watch::Stop<'_>,
) -> Option<f64> {
    let began = Instant::now();
    let left = until.checked_duration_since(began)?;
    let counts = Counts::new(problem, index);
    let Model {
        vars,
        objective,
        constraints,
    } = counts.model(problem, index, began + left.mul_f64(plan::BOUNDS_SHARE));
    let mut highs = model::highs_model(vars, objective, constraints).ok()?;
    highs.make_quiet();
    let left = until.checked_duration_since(Instant::now())?;
    let nonzeros = model::nonzeros(&mut highs);
    // HiGHS reads its clock seldom at the root of a large model: with less time than
    // the root takes, or on a model larger than its root can finish in the time, the
    // bound would hold the answer past the deadline.
    if nonzeros > plan::COUNTED_MAX_NONZEROS
        || left.as_secs_f64() < plan::COUNTED_SECONDS_PER_NONZERO * nonzeros
    {
        return None;
    }
    model::limit(&mut highs, left.as_secs_f64(), 0.0);
    if let Some(cutoff) = cutoff.filter(|c| c.is_finite()) {
        // good_lp passes no constant on: the fixed seats' cost is not in HiGHS's
        // objective. A hair above, so counts scoring the cutoff itself stay in.
        let above = cutoff - counts.fixed_cost + 1e-6 * cutoff.abs().max(1.0);
        let _ = highs.try_set_option("objective_bound", above);
    }
    if root_only {
        let _ = highs.try_set_option("mip_max_nodes", 1);
    }
    // Only its bound is used: no time for the searches that find its schedules.
    let _ = highs.try_set_option("mip_heuristic_effort", 0.0);
    for heuristic in [
        "mip_heuristic_run_feasibility_jump",
        "mip_heuristic_run_rins",
        "mip_heuristic_run_rens",
        "mip_heuristic_run_root_reduced_cost",
        "mip_heuristic_run_zi_round",
        "mip_heuristic_run_shifting",
    ] {
        let _ = highs.try_set_option(heuristic, false);
    }
    // SAFETY: `stop` outlives the solve below.
    unsafe { watch::stop_when(&mut highs, stop) };
    let solved = highs.try_solve().ok()?;
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY);
    // An infeasible answer (every count pruned by the cutoff, or none at all) is not
    // taken as a proof: numerical trouble would turn it into a false one.
    match solved.status() {
        HighsModelStatus::Optimal
        | HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedMemoryLimit => {
            bound.is_finite().then_some(bound + counts.fixed_cost)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::solver::index::Rules;
    use crate::testkit::brute;
    use crate::testkit::hours as testkit;

    use std::sync::atomic::AtomicBool;

    /// Stopped by nothing but its limit.
    fn never(flag: &AtomicBool) -> watch::Stop<'_> {
        watch::Stop {
            flag,
            review_at: Instant::now() + Duration::from_secs(3600),
            keep_above: f64::NEG_INFINITY,
        }
    }

    fn bound_of(problem: &Problem, incumbent: f64) -> Option<f64> {
        let index = Index::new(problem, None, Rules::of(problem));
        let until = Instant::now() + Duration::from_secs(20);
        let flag = AtomicBool::new(false);
        counted(problem, &index, incumbent, until, &never(&flag))
    }

    /// The imbalance apart (`counted` with time for both roots), or the whole objective
    /// at once.
    fn bound_by(is_apart: bool, problem: &Problem, incumbent: f64) -> Option<f64> {
        if is_apart {
            return bound_of(problem, incumbent);
        }
        let index = Index::new(problem, None, Rules::of(problem));
        let until = Instant::now() + Duration::from_secs(20);
        let flag = AtomicBool::new(false);
        part(problem, &index, None, false, until, &never(&flag)).map(|b| b.min(incumbent))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Never above the optimum, the whole objective at once or the imbalance apart,
        /// with an incumbent far above the optimum or close to it (the imbalance's
        /// cutoff): member-dependent points (zones), a second layer overlapping two
        /// days, prefer-off days, blocked pairs, part-timers, history, a pin, a rest
        /// rule, a shift cap, a member outside fairness.
        #[test]
        fn proptest_the_counted_bound_is_below_the_optimum(
            mut problem in testkit::varied_for_bounds(),
            cap in proptest::option::of(1u32..4),
            is_apart in proptest::bool::ANY,
            close in proptest::bool::ANY,
        ) {
            problem.members[0].max_shifts = cap;
            let best = brute::optimum(&problem);
            proptest::prop_assume!(best.is_finite());
            let incumbent = if close { 1.25 * best + 1.0 } else { best + 1e5 };
            let found = bound_by(is_apart, &problem, incumbent);
            proptest::prop_assert!(found.is_some(), "no bound where one applies");
            let found = found.unwrap_or(f64::NEG_INFINITY);
            let tolerance = 1e-6 * best.abs().max(1.0);
            proptest::prop_assert!(found <= best + tolerance, "bound {found} above the optimum {best}");
        }
    }

    /// Apart, the bound is the least imbalance plus the least of the rest, each over
    /// every schedule, which is below the optimum here: three people (one half-time),
    /// four equal days, two of them cheaper for someone, the total load weighted high,
    /// a pin. Everyone may take every day and no rule orders them, so every count is a
    /// schedule and each part's least is what brute force finds.
    #[test]
    fn apart_adds_the_least_imbalance_to_the_least_of_the_rest() {
        let mut problem = testkit::evenly(3, 4, 24, 24);
        problem.objective.back_to_back_after_hours = 0.0;
        problem.objective.total_load = 100.0;
        problem.cells[3][2].points *= 0.5;
        problem.cells[2][0].points *= 0.5;
        problem.capacity[1] = 0.5;
        problem.pins.push((0, 2));
        let (spread, rest) = problem.objective.imbalance_apart();
        let rest = brute::optimum(&problem.reweighted(rest));
        let spread = brute::optimum(&problem.reweighted(spread));
        let expected = rest + spread;
        let best = brute::optimum(&problem);
        assert!(
            expected < best - 1.0,
            "{expected}: the parts meet at the optimum {best}"
        );
        let found = bound_by(true, &problem, f64::INFINITY).expect("applies");
        assert!(
            (found - expected).abs() <= 1e-6 * expected,
            "{found}, not the parts' {rest} + {spread}"
        );
    }

    /// Three people, seven equal days: someone holds three. The relaxation of coverage
    /// proves nothing above the cheapest seats here (see `the_bound_sees_fairness_that_
    /// availability_forces`); counting sees the imbalance a whole day makes.
    #[test]
    fn counting_sees_that_days_do_not_split() {
        let problem = testkit::evenly(3, 7, 24, 24);
        let best = brute::optimum(&problem);
        let found = bound_of(&problem, best).expect("applies");
        assert!(found <= best + 1e-6 * best, "{found} above {best}");
        let w = problem.objective;
        let cheapest = 7.0 * problem.cells[0][0].points * w.total_load;
        // 3, 2, 2 days: the imbalance is one day's points.
        let one_day = problem.cells[0][0].points;
        assert!(
            found >= cheapest + w.imbalance * one_day - 1e-6 * best,
            "{found}: not above the cheapest seats {cheapest} by a day's imbalance"
        );
    }

    /// Kinds are counted per member: a shift only one person may take stays theirs.
    #[test]
    fn kinds_keep_who_may_take_them() {
        // Two people, four days; the second may take only the first: the first carries
        // three days at least. Without back-to-back pairs (the counts leave them out)
        // the bound is the optimum.
        let mut problem = testkit::evenly(2, 4, 24, 24);
        problem.objective.back_to_back_after_hours = 0.0;
        for s in 1..4 {
            problem.cells[s][1].blocked = Some(crate::problem::Exclusion::NotEmployed);
        }
        let best = brute::optimum(&problem);
        let found = bound_of(&problem, best).expect("applies");
        assert!(found <= best + 1e-6 * best, "{found} above {best}");
        assert!(
            found >= best - 1e-6 * best,
            "{found} below the optimum {best}: the kinds lost who may take them"
        );
    }

    /// The bench's 40-person quarter: HiGHS's tree on its counts does not close in
    /// minutes.
    fn open_ended() -> (Problem, Index) {
        let spec = crate::testkit::instance::Spec::named("team40").expect("named");
        let problem =
            crate::problem::build(&crate::testkit::instance::generate(&spec)).expect("builds");
        let index = Index::new(&problem, None, Rules::of(&problem));
        (problem, index)
    }

    /// Once its proof has ended the bound stops at HiGHS's first check instead of
    /// holding the answer to its limit.
    #[test]
    fn a_stopped_bound_returns_at_once() {
        let (problem, index) = open_ended();
        let began = Instant::now();
        let until = began + Duration::from_secs(120);
        let flag = AtomicBool::new(true);
        let _ = counted(&problem, &index, f64::INFINITY, until, &never(&flag));
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "ran {:?}",
            began.elapsed()
        );
    }

    /// A bound still below what it must beat when its review comes gives its time up;
    /// one above it goes on to its limit.
    #[test]
    fn a_bound_behind_at_its_review_gives_its_time_up() {
        let (problem, index) = open_ended();
        let flag = AtomicBool::new(false);
        let run = |keep_above: f64| {
            let began = Instant::now();
            let stop = watch::Stop {
                flag: &flag,
                review_at: began + Duration::from_secs(2),
                keep_above,
            };
            let _ = counted(
                &problem,
                &index,
                f64::INFINITY,
                began + Duration::from_secs(6),
                &stop,
            );
            began.elapsed()
        };
        assert!(run(f64::INFINITY) < Duration::from_secs(5), "not given up");
        assert!(run(f64::NEG_INFINITY) >= Duration::from_secs(5), "given up");
    }
}
