//! The solver against an oracle: on tiny instances, every valid assignment is enumerated
//! and the solver's proven optimum must equal the best `evaluate` objective among them.

use std::ops::RangeInclusive;
use std::time::Duration;

use rota::problem::Problem;
use rota::problem::assignment::{Assignment, Previous};
use rota::problem::evaluate::evaluate;
use rota::problem::rules::check;
use rota::solver::{Diagnosis, Solution, SolveError, SolveOptions, SolveStatus, solve};

use crate::support::problems::{Lcg, Spec};

fn options() -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(2),
        gap: 0.0,
        ..SolveOptions::default()
    }
}

/// Solves and brute-forces `problem`: both infeasible gives `None`; otherwise the
/// solver's schedule must keep the rules, score what `evaluate` says, and reach the
/// brute-force minimum, and it is returned for further checks.
fn against_brute_force(
    problem: &Problem,
    previous: Option<&Previous>,
    seed: u64,
) -> Option<Solution> {
    match (
        solve(problem, previous, &options()),
        brute_force(problem, previous),
    ) {
        (Ok(solution), Some(best)) => {
            assert!(
                check(problem, &solution.assignment, previous).is_empty(),
                "seed {seed}"
            );
            let exact = evaluate(problem, &solution.assignment, previous).objective;
            assert!((solution.objective - exact).abs() < 1e-9, "seed {seed}");
            assert!(
                (solution.objective - best).abs() <= 1e-6 * best.abs().max(1.0),
                "seed {seed}: solver {} vs brute force {best}",
                solution.objective
            );
            assert!(solution.bound <= solution.objective + 1e-9, "seed {seed}");
            Some(solution)
        }
        (Err(SolveError::Infeasible(_)), None) => None,
        (got, best) => panic!("seed {seed}: solver {got:?} but brute force {best:?}"),
    }
}

/// Solves the problem `spec_of(seed)` describes for each seed against the brute force:
/// each feasible one must also be proven optimal, and at least `least` must be feasible
/// for the comparison to mean much.
fn proven_optimal_on(seeds: RangeInclusive<u64>, least: usize, spec_of: impl Fn(u64) -> Spec) {
    let mut compared = 0;
    for seed in seeds {
        let problem = spec_of(seed).problem();
        if let Some(solution) = against_brute_force(&problem, None, seed) {
            assert_eq!(solution.status, SolveStatus::Optimal, "seed {seed}");
            compared += 1;
        }
    }
    assert!(compared >= least, "only {compared} feasible instances");
}

/// Why `spec` cannot be solved, as the solver diagnoses it; any other outcome
/// fails the test.
fn infeasible_because(spec: Spec) -> Diagnosis {
    match solve(&spec.problem(), None, &options()) {
        Err(SolveError::Infeasible(text)) => text,
        other => panic!("expected infeasible, got {other:?}"),
    }
}

/// The minimum objective over all valid assignments, or `None` if there is none.
fn brute_force(problem: &Problem, previous: Option<&Previous>) -> Option<f64> {
    let shifts = problem.shifts.len();
    // Per shift: every set of `per_shift` unblocked members.
    let choices: Vec<Vec<Vec<usize>>> = (0..shifts)
        .map(|s| {
            subsets(
                &problem.candidates(s).collect::<Vec<_>>(),
                problem.shifts[s].per_shift as usize,
            )
        })
        .collect();
    if choices.iter().any(|c| c.is_empty()) {
        return None;
    }
    let mut pick = vec![0usize; shifts];
    let mut best: Option<f64> = None;
    loop {
        let assignment = Assignment {
            members: (0..shifts).map(|s| choices[s][pick[s]].clone()).collect(),
        };
        if check(problem, &assignment, previous).is_empty() {
            let value = evaluate(problem, &assignment, previous).objective;
            best = Some(best.map_or(value, |b: f64| b.min(value)));
        }
        // Next combination (odometer).
        let mut i = 0;
        loop {
            if i == shifts {
                return best;
            }
            pick[i] += 1;
            if pick[i] < choices[i].len() {
                break;
            }
            pick[i] = 0;
            i += 1;
        }
    }
}

fn subsets(items: &[usize], k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, &first) in items.iter().enumerate() {
        for mut rest in subsets(&items[i + 1..], k - 1) {
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

/// A random tiny instance: 3–4 members, 6–8 shifts over 1–2 layers, varied points,
/// after-hours, blocks, capacity, history and rules.
fn random_spec(seed: u64) -> Spec {
    let mut rng = Lcg(seed);
    let members = 3 + rng.below(2) as usize;
    let layers = 1 + rng.below(2) as usize;
    let per_layer = if layers == 1 {
        6 + rng.below(3) as usize
    } else {
        3 + rng.below(2) as usize
    };
    let hours = [12, 24][rng.below(2) as usize];
    let mut spec = Spec::tiling(members, layers, per_layer, hours);
    for s in 0..spec.shifts.len() {
        for m in 0..members {
            spec.points[s][m] = (hours as f64) * [1.0, 1.25, 1.5, 2.0][rng.below(4) as usize];
            spec.after_hours[s][m] = rng.chance(40);
            spec.prefer_off[s][m] = rng.chance(10);
            spec.blocked[s][m] = rng.chance(15);
        }
    }
    for m in 0..members {
        spec.capacity[m] = [1.0, 1.0, 0.5, 0.8][rng.below(4) as usize];
        spec.history[m] = [0.0, 0.0, 12.0, -6.0][rng.below(4) as usize];
        if rng.chance(25) {
            spec.max_shifts[m] = Some(1 + (spec.shifts.len() / members) as u32);
        }
    }
    if rng.chance(50) {
        spec.rules.min_rest_hours = [6.0, 12.0, 24.0][rng.below(3) as usize];
    }
    if rng.chance(50) {
        spec.rules.max_consecutive = 1 + rng.below(2) as u32;
    }
    if rng.chance(30) {
        let s = rng.below(spec.shifts.len() as u64) as usize;
        let m = rng.below(members as u64) as usize;
        spec.blocked[s][m] = false;
        spec.pins.push((s, m));
    }
    spec
}

#[test]
fn proven_optimum_equals_brute_force_minimum() {
    proven_optimal_on(1..=24, 12, random_spec);
}

#[test]
fn interchangeable_members_keep_the_brute_force_optimum() {
    // The whole model orders interchangeable members by shift count; that must cut
    // copies of the same schedule only, never the optimum. All but one member are
    // made copies of member 0.
    proven_optimal_on(60..=71, 6, |seed| {
        let mut spec = random_spec(seed);
        spec.pins.clear();
        for m in 1..spec.members - 1 {
            for s in 0..spec.shifts.len() {
                spec.points[s][m] = spec.points[s][0];
                spec.after_hours[s][m] = spec.after_hours[s][0];
                spec.prefer_off[s][m] = spec.prefer_off[s][0];
                spec.blocked[s][m] = spec.blocked[s][0];
            }
            spec.capacity[m] = spec.capacity[0];
            spec.history[m] = spec.history[0];
            spec.max_shifts[m] = spec.max_shifts[0];
        }
        spec
    });
}

#[test]
fn churn_and_frozen_shifts_match_brute_force() {
    let mut compared = 0;
    for seed in 40..48u64 {
        let mut spec = random_spec(seed);
        spec.pins.clear();
        let problem = spec.problem();
        let Ok(first) = solve(&problem, None, &options()) else {
            continue;
        };
        // Previous: the first two shifts frozen as first solved, the rest rotated by one
        // member so that keeping them costs fairness and changing them costs churn.
        let members = problem.members();
        let previous = Previous {
            members: first
                .assignment
                .members
                .iter()
                .enumerate()
                .map(|(s, ms)| {
                    Some(if s < 2 {
                        ms.clone()
                    } else {
                        ms.iter().map(|m| (m + 1) % members).collect()
                    })
                })
                .collect(),
            frozen: (0..problem.shifts.len()).map(|s| s < 2).collect(),
        };
        if against_brute_force(&problem, Some(&previous), seed).is_some() {
            compared += 1;
        }
    }
    assert!(compared >= 3, "only {compared} feasible instances");
}

#[test]
fn shifts_before_the_period_match_brute_force() {
    // Runs held up to the period and pairs with after-hours shifts before it: the
    // solver may neither break them nor avoid more than they demand.
    proven_optimal_on(80..=95, 8, |seed| {
        let mut spec = random_spec(seed);
        let mut rng = Lcg(seed * 7919);
        spec.rules.max_consecutive = 1 + rng.below(2) as u32;
        for run in spec.earlier_run.iter_mut().flatten() {
            *run = if rng.chance(40) {
                1 + rng.below(2) as u32
            } else {
                0
            };
        }
        for s in 0..spec.shifts.len() {
            for m in 0..spec.members {
                if spec.after_hours[s][m] && spec.shifts[s].start_h < 24 && rng.chance(50) {
                    spec.earlier_pairs[s][m] = 1;
                }
            }
        }
        spec
    });
}

#[test]
fn repeated_solves_give_identical_assignments() {
    for seed in [3u64, 7, 11] {
        let problem = random_spec(seed).problem();
        let a = solve(&problem, None, &options());
        let b = solve(&problem, None, &options());
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.assignment, b.assignment, "seed {seed}");
                assert_eq!(a.objective, b.objective);
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
        }
    }
}

#[test]
fn a_shift_nobody_can_take_is_named_with_reasons() {
    let mut spec = Spec::tiling(3, 1, 6, 24);
    for m in 0..3 {
        spec.blocked[2][m] = true;
    }
    let text = infeasible_because(spec);
    assert!(text.contains("layer0 2027-01-06 00:00"), "{text}");
    assert!(
        text.contains("m0: unavailable on 2027-01-06 (test)"),
        "{text}"
    );
}

#[test]
fn clashing_pins_are_named() {
    let mut spec = Spec::tiling(3, 2, 3, 24);
    // Shifts 0 and 1 run at the same time in two layers.
    spec.pins = vec![(0, 1), (1, 1)];
    let text = infeasible_because(spec);
    assert!(text.contains("m1 is pinned to both"), "{text}");
    assert!(text.contains("overlap"), "{text}");
}

#[test]
fn rest_rule_that_cannot_hold_is_blamed_with_the_hours_that_would_work() {
    // Two people, daily shifts: with 36 h rest nobody may take two shifts within a day
    // and a half, which two people cannot cover; 24 h rest lets them alternate.
    let mut spec = Spec::tiling(2, 1, 6, 24);
    spec.rules.min_rest_hours = 36.0;
    let text = infeasible_because(spec);
    assert!(
        text.contains("min_rest_hours = 36 would have to drop to 24"),
        "{text}"
    );
}

#[test]
fn no_shifts_is_trivially_optimal() {
    let problem = Spec::tiling(3, 1, 0, 24).problem();
    let solution = solve(&problem, None, &options()).expect("nothing to assign");
    assert_eq!(solution.status, SolveStatus::Optimal);
    assert!(solution.assignment.members.is_empty());
    assert_eq!(solution.objective, 0.0);
}
