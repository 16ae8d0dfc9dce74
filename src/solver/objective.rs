//! Where the objective is encoded. `crate::problem::evaluate` is its one definition (see
//! `docs/objective.md`); the solver scores schedules in several other ways, each fast
//! for its own question, and every one of them must agree with it.
//!
//! | term | search (`state`, `spread`) | one seat (`index::Index::seat_cost`) | MILP (`milp::model`) | LP-free bound (`milp::bounds`) | exact program (`small::exact`) | Lagrangian (`small::lagrange`) | fairness floor (`small::fair_floor`, `small::split_floor`) | counted bound (`bound::aggregate`) |
//! |---|---|---|---|---|---|---|---|---|
//! | imbalance: max − min normalized load | `Spread::terms` | – | `zmax − zmin` rows in `fairness` | `imbalance_lb` | `Fairness::terms`, `Fairness::bound` | `Combine::search`, `Lattice` | the relaxation's objective; windows of normalized load | the MILP's `fairness` rows on counted loads, bounded apart from the other terms (`counted`) |
//! | deviation: Σ \|load − fair share\| | `Spread::terms` | – | `d` columns in `fairness` | `load_floor` | `Fairness::terms`, `Fairness::bound` | `Combine::search`, `least_combination` | the relaxation's objective; per-window memo | the MILP's `fairness` rows on counted loads |
//! | back-to-back after-hours pairs | `State::pairs_with` | pairs with shifts before the period (`Cell::earlier_pairs`) | `y` columns in `build`, the rest via `seat_cost` | ≥ 0 | `Step::b2b_slots`, the rest via `seat_cost` | `Member::b2b`, the rest via `seat_cost` | left out (a relaxation) | left out but for pairs with shifts before the period (via `seat_cost`) |
//! | total load | `State::add` | ✓ | via `seat_cost` | `load_floor` | `Choice::cost` via `seat_cost` | `Member::cost` via `seat_cost`, `Lattice` | left out | per kind via `seat_cost` |
//! | prefer-off days | `State::add` | ✓ | via `seat_cost` | ≥ 0 | via `seat_cost` | via `seat_cost` | left out | per kind via `seat_cost` |
//! | churn | `State::churn_of` | ✓ | via `seat_cost` | ≥ 0 | via `seat_cost` | via `seat_cost` | left out | per kind via `seat_cost` |
//!
//! Shifts held before the period (docs/objective.md, "Across the period's start") reach
//! every encoding as facts of the problem: seats too close to one are blocked, pairs
//! with one are paid per seat (`Cell::earlier_pairs`, through `seat_cost` and
//! `State::pairs_with`), and a run up to the period (`MemberFacts::earlier_run`) is
//! continued by each run check: `rules::check`, `State::run_with`, the MILP's first
//! windows, the exact program's `Step::run_mask` and the pre-check of fixed seats.
//!
//! Some encodings rely on signs: the LP-free bound, the Lagrangian bound and the
//! fairness budget row of the MILP need every weight but the fairness ones at 0 or
//! above, and the plan runs them only then.
//!
//! # Adding a term
//!
//! Define it in `evaluate` (and `docs/objective.md`), then give it a column here and an
//! encoding in each place of its row: the incremental `State` (`add`, `remove`,
//! `objective`, `floor_after`), `Index::seat_cost` if it is paid per seat, the MILP's
//! objective, the exact program's step costs and the Lagrangian members' costs. A term
//! that is not paid per seat and not a function of final loads needs its own state in
//! the exact and Lagrangian programs. The bounds stay valid while the new term is at
//! least 0; where it can be negative, they must say so (see `ObjectiveWeights::
//! others_nonnegative`).
//!
//! The test below scores random schedules of random teams with random weights in every
//! encoding that can score a whole schedule and compares them with `evaluate`: a term
//! added to `evaluate` and missing elsewhere fails it.

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use crate::config::{ObjectiveWeights, Rules as ConfigRules};
    use crate::problem::assignment::{Assignment, Previous};
    use crate::problem::evaluate::evaluate;
    use crate::problem::{Exclusion, Problem};
    use crate::solver::bound::aggregate;
    use crate::solver::index::{Index, Rules};
    use crate::solver::milp::model::{self, Outcome, Params};
    use crate::solver::milp::{bounds, watch};
    use crate::solver::search::Rng;
    use crate::solver::small::{exact, lagrange};
    use crate::solver::state::State;
    use crate::testkit::hours as testkit;

    /// A team, a valid schedule of it, and the schedule a re-solve started from.
    struct Case {
        problem: Problem,
        previous: Option<Previous>,
        assignment: Assignment,
    }

    /// A random team of 2–5 people over 10 days (one or two layers, shifts of 8, 12 or
    /// 24 hours, some of two seats), with random points, after-hours and prefer-off
    /// marks, blocked cells, back-to-back pairs with shifts before the period, runs
    /// carried into it, capacities (one may be 0: outside fairness), history, rules
    /// and weights; a random valid schedule of it (`None` when the random fill dead-ends);
    /// and, half the time, a previous schedule with some shifts frozen.
    fn case(seed: u64) -> Option<Case> {
        let mut rng = Rng::new(seed);
        let members = 2 + rng.below(4);
        let layers = 1 + rng.below(2);
        let mut shifts: Vec<(usize, i64, i64)> = Vec::new();
        for layer in 0..layers {
            let hours = [8, 12, 24][rng.below(3)];
            let mut at = rng.below(6) as i64;
            while at + hours <= 240 && shifts.len() < 16 {
                shifts.push((layer, at, hours));
                at += hours + [0, 0, 4, 12][rng.below(4)];
            }
        }
        shifts.sort_by_key(|&(layer, start, _)| (start, layer));
        let rules = ConfigRules {
            min_rest_hours: [0.0, 0.0, 8.0][rng.below(3)],
            max_consecutive: [0, 0, 3][rng.below(3)],
            back_to_back_gap_hours: [0.0, 4.0, 12.0][rng.below(3)],
            ..ConfigRules::default()
        };
        let mut problem = testkit::problem(members, &shifts, rules);
        for shift in &mut problem.shifts {
            shift.per_shift = if members > 2 && rng.chance(0.2) { 2 } else { 1 };
        }
        for cells in &mut problem.cells {
            for (m, cell) in cells.iter_mut().enumerate() {
                // Quarter points: exact in every encoding's units.
                cell.points = (cell.points * (0.5 + rng.unit()) * 4.0).round() / 4.0;
                cell.after_hours = rng.chance(0.6);
                cell.prefer_off = rng.chance(0.2);
                // Pairs with after-hours shifts held before the period.
                cell.earlier_pairs = if cell.after_hours && rng.chance(0.15) {
                    1 + rng.below(2) as u32
                } else {
                    0
                };
                if m > 0 && rng.chance(0.15) {
                    cell.blocked = Some(Exclusion::NotEmployed);
                }
            }
        }
        // Runs held up to the period, continued by each layer's first shifts.
        for facts in &mut problem.members {
            for run in &mut facts.earlier_run {
                *run = if rng.chance(0.3) {
                    1 + rng.below(3) as u32
                } else {
                    0
                };
            }
        }
        problem.capacity = (0..members)
            .map(|_| [1.0, 0.5, 0.8, 1.0][rng.below(4)])
            .collect();
        if members > 2 && rng.chance(0.3) {
            problem.capacity[members - 1] = 0.0;
        }
        problem.history = (0..members)
            .map(|_| [0.0, 0.0, 6.0, -4.5][rng.below(4)])
            .collect();
        let mut weight = |zero: f64| {
            if rng.chance(zero) {
                0.0
            } else {
                [0.5, 1.0, 7.0, 50.0][rng.below(4)]
            }
        };
        problem.objective = ObjectiveWeights {
            imbalance: weight(0.1),
            deviation: weight(0.2),
            back_to_back_after_hours: weight(0.2),
            total_load: weight(0.3),
            prefer_off: weight(0.2),
            churn: weight(0.2),
        };

        let members_of = random_schedule(&problem, &mut rng)?;
        let previous = rng.chance(0.5).then(|| {
            let mut previous = Previous {
                members: Vec::new(),
                frozen: Vec::new(),
            };
            for held in &members_of {
                let frozen = rng.chance(0.2);
                let before = if frozen {
                    Some(held.clone())
                } else if rng.chance(0.8) {
                    Some(vec![rng.below(members)])
                } else {
                    None
                };
                previous.frozen.push(frozen);
                previous.members.push(before);
            }
            previous
        });
        Some(Case {
            problem,
            previous,
            assignment: Assignment {
                members: members_of,
            },
        })
    }

    /// Every seat, in time order, to a random candidate the rules allow.
    fn random_schedule(problem: &Problem, rng: &mut Rng) -> Option<Vec<Vec<usize>>> {
        let index = Index::new(problem, None, Rules::of(problem));
        let mut state = State::new(problem, &index);
        for s in 0..index.shifts {
            for _ in 0..problem.shifts[s].per_shift {
                let open: Vec<usize> = index.cand[s]
                    .iter()
                    .copied()
                    .filter(|&m| state.can_add(s, m))
                    .collect();
                if open.is_empty() {
                    return None;
                }
                state.add(s, open[rng.below(open.len())]);
            }
        }
        Some(state.members_of.clone())
    }

    /// The problem with every cell the schedule does not use blocked: its one schedule.
    fn only(problem: &Problem, assignment: &Assignment) -> Problem {
        let mut only = problem.clone();
        for (s, cells) in only.cells.iter_mut().enumerate() {
            for (m, cell) in cells.iter_mut().enumerate() {
                if !assignment.holds(s, m) {
                    cell.blocked = Some(Exclusion::NotEmployed);
                }
            }
        }
        only
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Every encoding that can score a whole schedule scores it as `evaluate` does.
        #[test]
        fn every_encoding_scores_a_schedule_as_evaluate_does(seed in any::<u64>()) {
            if let Some(case) = case(seed) {
                agree(&case)?;
            }
        }
    }

    /// The search's incremental state, the MILP with every seat fixed (solved by HiGHS),
    /// the exact program on the team whose only schedule it is, and the Lagrangian
    /// members' programs at zero prices score the case's schedule as `evaluate` does;
    /// the LP-free bound stays below.
    fn agree(case: &Case) -> Result<(), TestCaseError> {
        let Case {
            problem,
            previous,
            assignment,
        } = case;
        let previous = previous.as_ref();
        prop_assert!(crate::problem::rules::check(problem, assignment, previous).is_empty());
        let expected = evaluate(problem, assignment, previous).objective;
        let index = Index::new(problem, previous, Rules::of(problem));

        let mut state = State::new(problem, &index);
        for (s, held) in assignment.members.iter().enumerate() {
            for &m in held {
                state.add(s, m);
            }
        }
        let incremental = state.objective();
        prop_assert!(
            close(incremental, expected),
            "state {incremental} vs {expected}"
        );
        let floor = state.floor_after(&[]);
        prop_assert!(close(floor, expected), "floor_after {floor} vs {expected}");

        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let lp_free = bounds::objective_floor(problem, &index, far);
        prop_assert!(lp_free <= expected + 1e-6 * expected.abs().max(1.0));

        let members = index.members;
        let fix: Vec<Option<bool>> = (0..index.shifts * members)
            .map(|i| Some(assignment.holds(i / members, i % members)))
            .collect();
        let params = Params {
            warm: Some(assignment),
            fix: Some(&fix),
            ..Params::new(20.0, 0.0)
        };
        let outcome = model::solve(problem, &index, &params);
        let Outcome::Solved {
            assignment: solved,
            optimal: true,
            bound,
        } = outcome
        else {
            return Err(TestCaseError::fail(format!("HiGHS: {outcome:?}")));
        };
        prop_assert_eq!(&solved.members, &assignment.members);
        prop_assert!(close(bound, expected), "MILP {bound} vs {expected}");

        let single = only(problem, assignment);
        let single_index = Index::new(&single, previous, Rules::of(&single));
        let never = AtomicBool::new(false);
        let limits = || exact::Limits {
            until: Instant::now() + Duration::from_secs(20),
            budget: 1 << 20,
            cancel: &never,
        };
        let verdict =
            |incumbent| exact::solve(&single, &single_index, incumbent, limits(), None, None);
        // The program keeps what scores below the incumbent by more than 1e-6 of it.
        let slack = 1e-5 * expected.abs().max(1.0);
        prop_assert_eq!(
            verdict(expected + slack),
            exact::Verdict::Better(assignment.clone()),
            "exact program above {}",
            expected
        );
        prop_assert_eq!(
            verdict(expected - slack),
            exact::Verdict::IncumbentOptimal,
            "exact program below {}",
            expected
        );

        if let Some(priced) = lagrange::unpriced(&single, &single_index) {
            prop_assert!(close(priced, expected), "Lagrangian {priced} vs {expected}");
        }

        // Counted by kind, the one schedule left scores as it does, less its pairs
        // within the period (which the counts leave out).
        if let Some(counted) = aggregate::counted(
            &single,
            &single_index,
            f64::INFINITY,
            far,
            &watch::Stop {
                flag: &never,
                review_at: far,
                keep_above: f64::NEG_INFINITY,
            },
        ) {
            let w = problem.objective.back_to_back_after_hours;
            let pairs = f64::from(
                evaluate(problem, assignment, previous)
                    .metrics
                    .back_to_back_after_hours,
            );
            let tolerance = 1e-6 * expected.abs().max(1.0);
            prop_assert!(
                counted <= expected + tolerance,
                "counted {counted} vs {expected}"
            );
            prop_assert!(
                counted >= expected - w.max(0.0) * pairs - tolerance,
                "counted {counted} below {expected} less {pairs} pairs"
            );
            if pairs == 0.0 {
                prop_assert!(close(counted, expected), "counted {counted} vs {expected}");
            }
        }
        Ok(())
    }
}
