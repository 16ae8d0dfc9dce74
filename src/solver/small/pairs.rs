//! Pairs of members redistributing the shifts they hold, exactly: everyone else's seats
//! pinned, the two free on the shifts either holds, and the exact dynamic program
//! (`exact`) finds the best split between them — every rule and term kept, with the
//! others' loads fixed, so only the pair's two loads and recent shifts are its state.
//!
//! For the smallest teams after the Lagrangian bound, where the local searches stop a
//! back-to-back pair short of the optimum: their pair trades move two shifts each way
//! at most. A pass over the few pairs of a small team takes milliseconds (HiGHS takes
//! several times as long for one pair).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::exact::{self, Verdict};
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::evaluate;
use crate::problem::{Exclusion, Problem};
use crate::solver::index::{Index, Rules};
use crate::solver::plan;
use crate::solver::progress::Progress;

/// Improves `start` pair by pair, in passes until one improves nothing or `deadline`.
pub(crate) fn pairs(
    problem: &Problem,
    previous: Option<&Previous>,
    start: Assignment,
    deadline: Instant,
    progress: &Progress,
) -> Assignment {
    let members = problem.members();
    let mut current = start;
    let mut value = evaluate(problem, &current, previous).objective;
    let never = AtomicBool::new(false);
    loop {
        let mut improved = false;
        for a in 0..members {
            for b in a + 1..members {
                if Instant::now() >= deadline {
                    return current;
                }
                let sub = neighbourhood(problem, &current, &[a, b]);
                let index = Index::new(&sub, previous, Rules::of(&sub));
                let verdict = exact::solve(
                    &sub,
                    &index,
                    value,
                    exact::Limits {
                        until: deadline,
                        budget: plan::PAIR_STATES,
                        cancel: &never,
                    },
                    None,
                    None,
                );
                let Verdict::Better(better) = verdict else {
                    continue;
                };
                let v = evaluate(problem, &better, previous).objective;
                if v < value - 1e-9 * value.abs().max(1.0)
                    && crate::problem::rules::check(problem, &better, previous).is_empty()
                {
                    value = v;
                    current = better;
                    improved = true;
                    progress.reached("pair re-optimised", v, || current.clone());
                }
            }
        }
        if !improved {
            return current;
        }
    }
}

/// The problem with every seat outside `pair` pinned to its holder, and the pair free
/// on the shifts either of them holds (pins stay pins) and on no other. (Three members
/// found optima pairs missed, but a pass over the triples took some thirty times as
/// long, and HiGHS's proof still took a second after.)
fn neighbourhood(problem: &Problem, current: &Assignment, pair: &[usize]) -> Problem {
    let mut sub = problem.clone();
    let mut pins = Vec::new();
    for (s, row) in sub.cells.iter_mut().enumerate() {
        let open = current.members[s].iter().any(|m| pair.contains(m));
        for (m, cell) in row.iter_mut().enumerate() {
            let pinned = problem.pins.contains(&(s, m));
            if current.holds(s, m) && (pinned || !(open && pair.contains(&m))) {
                pins.push((s, m));
            } else if !(open && pair.contains(&m)) {
                cell.blocked = Some(Exclusion::NotEmployed);
            }
        }
    }
    sub.pins = pins;
    sub
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::testkit::hours as testkit;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    /// Every schedule that differs from `a` only in who of the pair holds the shifts
    /// either holds, by brute force.
    fn pair_schedules(problem: &Problem, a: &Assignment, pair: [usize; 2]) -> Vec<Assignment> {
        let open: Vec<(usize, usize)> = a
            .members
            .iter()
            .enumerate()
            .flat_map(|(s, held)| {
                held.iter()
                    .enumerate()
                    .filter(|(_, m)| pair.contains(m))
                    .map(move |(seat, _)| (s, seat))
            })
            .filter(|&(s, seat)| !problem.pins.contains(&(s, a.members[s][seat])))
            .collect();
        (0u32..1 << open.len())
            .map(|code| {
                let mut b = a.clone();
                for (i, &(s, seat)) in open.iter().enumerate() {
                    b.members[s][seat] = pair[(code >> i & 1) as usize];
                }
                b
            })
            .filter(|b| {
                b.members.iter().enumerate().all(|(s, held)| {
                    let mut sorted = held.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    sorted.len() == held.len()
                        && held.iter().all(|&m| problem.cells[s][m].blocked.is_none())
                })
            })
            .collect()
    }

    proptest::proptest! {
        /// After the passes no pair can redistribute its shifts for less (checked over
        /// every split by brute force), the schedule keeps the rules and scores no
        /// worse than the start: uneven days, rest, back-to-back days, prefer-off days,
        /// blocked pairs, a pin.
        #[test]
        fn proptest_no_pair_split_beats_the_result(
            members in 2usize..5,
            hours in proptest::collection::vec(6i64..30, 4..9),
            prefer_off in proptest::collection::vec(proptest::bool::weighted(0.2), 24),
            blocked in proptest::collection::vec(proptest::bool::weighted(0.2), 24),
            rest in proptest::sample::select(vec![0.0, 30.0]),
            pin in proptest::option::of(0usize..9),
            seed in 0u64..1000,
        ) {
            let shifts = testkit::days(&hours, None);
            let rules = ConfigRules { min_rest_hours: rest, ..ConfigRules::default() };
            let mut problem = testkit::problem(members, &shifts, rules);
            testkit::vary(&mut problem, Some(&prefer_off), None, &blocked);
            // A start that keeps the rules: members in turn, skipping the blocked.
            let mut start = Assignment::empty(shifts.len());
            for s in 0..shifts.len() {
                let cand: Vec<usize> = problem.candidates(s).collect();
                start.members[s] = vec![cand[(s + seed as usize) % cand.len()]];
            }
            if let Some(s) = pin.filter(|&s| s < shifts.len()) {
                problem.pins = vec![(s, start.members[s][0])];
            }
            proptest::prop_assume!(crate::problem::rules::check(&problem, &start, None).is_empty());
            let before = evaluate(&problem, &start, None).objective;
            let watch = Progress::quiet(Instant::now());
            let after = pairs(&problem, None, start, far(), &watch);
            proptest::prop_assert!(crate::problem::rules::check(&problem, &after, None).is_empty());
            let value = evaluate(&problem, &after, None).objective;
            proptest::prop_assert!(value <= before + 1e-9 * before.abs());
            for &(s, m) in &problem.pins {
                proptest::prop_assert!(after.holds(s, m), "pin ({}, {}) moved", s, m);
            }
            let tolerance = 1e-6 * value.abs().max(1.0);
            for a in 0..members {
                for b in a + 1..members {
                    for other in pair_schedules(&problem, &after, [a, b]) {
                        if !crate::problem::rules::check(&problem, &other, None).is_empty() {
                            continue;
                        }
                        let v = evaluate(&problem, &other, None).objective;
                        proptest::prop_assert!(
                            v >= value - tolerance,
                            "pair ({}, {}) splits for {} < {}", a, b, v, value
                        );
                    }
                }
            }
        }
    }
}
