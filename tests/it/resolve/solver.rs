//! Re-solves with a previous schedule: they start from it, so what the new inputs did not
//! touch stays put and a re-solve is never worse than keeping the previous schedule.

use std::time::Duration;

use proptest::prelude::*;
use rota::problem::assignment::{Assignment, Previous};
use rota::problem::evaluate::evaluate;
use rota::problem::rules::check;
use rota::solver::{SolveOptions, SolveStatus, solve};

use crate::support::problems::Spec;

fn options(millis: u64) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_millis(millis),
        gap: 1e-4,
        ..SolveOptions::default()
    }
}

fn previous_of(assignment: &Assignment) -> Previous {
    Previous {
        members: assignment.members.iter().cloned().map(Some).collect(),
        frozen: vec![false; assignment.members.len()],
    }
}

/// Two layers of daily shifts with uneven points, so many schedules tie on fairness.
fn uneven(members: usize, days: usize, seed: usize) -> Spec {
    let mut spec = Spec::tiling(members, 2, days, 24);
    for s in 0..spec.shifts.len() {
        for m in 0..members {
            spec.points[s][m] = 24.0 + ((s * 7 + m * 3 + seed) % 5) as f64 * 6.0;
            spec.after_hours[s][m] = (s + m + seed).is_multiple_of(3);
        }
    }
    spec.rules.min_rest_hours = 12.0;
    spec
}

#[test]
fn re_solving_an_optimal_schedule_changes_nothing() {
    let problem = uneven(4, 5, 0).problem();
    let first = solve(&problem, None, &options(2000)).expect("feasible");
    assert_eq!(first.status, SolveStatus::Optimal);
    let prev = previous_of(&first.assignment);
    let again = solve(&problem, Some(&prev), &options(2000)).expect("feasible");
    let eval = evaluate(&problem, &again.assignment, Some(&prev));
    assert_eq!(eval.metrics.churn, 0);
    assert!((again.objective - first.objective).abs() <= 1e-6 * first.objective.abs());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn a_re_solve_is_never_worse_than_keeping_the_previous_schedule(
        members in 4usize..7,
        days in 3usize..8,
        seed in 0usize..5,
        millis in prop::sample::select(vec![50u64, 300]),
    ) {
        let problem = uneven(members, days, seed).problem();
        // A short first solve leaves room to improve; the re-solve must weigh that
        // against churn with the exact objective, never lose the previous schedule.
        let first = solve(&problem, None, &options(millis)).expect("feasible");
        let prev = previous_of(&first.assignment);
        let keep = evaluate(&problem, &first.assignment, Some(&prev)).objective;
        let again = solve(&problem, Some(&prev), &options(millis)).expect("feasible");
        prop_assert!(check(&problem, &again.assignment, Some(&prev)).is_empty());
        prop_assert!(again.objective <= keep + 1e-6 * keep.abs().max(1.0));
    }
}
