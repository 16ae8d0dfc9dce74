//! Properties of every solve: the schedule keeps every hard rule and the reported
//! objective is the exact one.

use std::time::Duration;

use proptest::prelude::*;
use rota::problem::evaluate::evaluate;
use rota::problem::rules::check;
use rota::solver::{SolveError, SolveOptions, solve};

use crate::support::problems::Spec;

/// Varies points, after-hours, prefer-off and blocks over the cells from two short
/// generated sequences.
fn decorate(spec: &mut Spec, points: &[u8], blocked: &[bool]) {
    let hours = spec.shifts[0].hours as f64;
    let mut k = 0;
    for s in 0..spec.shifts.len() {
        for m in 0..spec.members {
            let p = points[k % points.len()];
            spec.points[s][m] = hours * (1.0 + f64::from(p % 4) * 0.25);
            spec.after_hours[s][m] = p.is_multiple_of(3);
            spec.prefer_off[s][m] = p.is_multiple_of(7);
            spec.blocked[s][m] = blocked[k % blocked.len()];
            k += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_solve_keeps_the_rules_and_reports_the_exact_objective(
        members in 2usize..6,
        layers in 1usize..3,
        per_layer in 2usize..8,
        hours in prop::sample::select(vec![8i64, 12, 24, 168]),
        points in prop::collection::vec(any::<u8>(), 1..32),
        blocked in prop::collection::vec(prop::bool::weighted(0.2), 1..32),
        rest in prop::sample::select(vec![0u8, 8, 12, 24]),
        consecutive in 0u8..3,
    ) {
        let mut spec = Spec::tiling(members, layers, per_layer, hours);
        decorate(&mut spec, &points, &blocked);
        spec.rules.min_rest_hours = f64::from(rest);
        spec.rules.max_consecutive = u32::from(consecutive);
        let problem = spec.problem();
        let options = SolveOptions {
            time_limit: Duration::from_millis(500),
            gap: 1e-4,
            ..SolveOptions::default()
        };
        match solve(&problem, None, &options) {
            Ok(solution) => {
                let violations = check(&problem, &solution.assignment, None);
                prop_assert!(violations.is_empty(), "{:?}", violations);
                let exact = evaluate(&problem, &solution.assignment, None).objective;
                prop_assert!((solution.objective - exact).abs() <= 1e-9 * exact.abs().max(1.0));
                prop_assert!(solution.bound <= solution.objective + 1e-6);
                prop_assert!(solution.gap >= 0.0);
            }
            Err(SolveError::Infeasible(text)) => prop_assert!(!text.is_empty()),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }
}
