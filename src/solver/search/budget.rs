//! Improvement under a move budget: from a repair of the previous schedule, the single
//! moves and swaps that lower the objective most, one at a time, while the moved seats
//! stay within the budget.
//!
//! Why best-first and not the first improvement `local` takes: the budget is a handful
//! of moves, so each should be the one that pays most; and each is priced by the
//! state's own objective (its churn weight), so a move is made only when it lowers the
//! rest of the objective by more than the price of the seats it moves.

use std::time::Instant;

use crate::solver::deadline::Deadline;
use crate::solver::state::{State, trade_moves};

/// Seats handed over together: `(shift, from, to)` each.
type Moves = Vec<(usize, usize, usize)>;

/// Smallest decrease that counts as an improvement (guards against float noise loops).
const EPS: f64 = 1e-9;

/// Improves `state` in place by the best move or swap at a time while one lowers the
/// objective and keeps the moved seats (`State::churn`) at most `max_churn`, until
/// `deadline` (a scan cut short by it still makes the best move it saw).
pub(crate) fn improve_within(state: &mut State, max_churn: i64, deadline: Instant) {
    let mut clock = Deadline::new(deadline);
    let mut current = state.objective();
    while !clock.passed_now() {
        let Some((value, moves)) = best_action(state, current, max_churn, &mut clock) else {
            return;
        };
        if state.try_moves(&moves, |v, _| v < current - EPS).is_none() {
            return;
        }
        current = value;
    }
}

/// The single move or swap with the lowest objective below `current` within the budget,
/// among those tried before `clock` passes.
fn best_action(
    state: &mut State,
    current: f64,
    max_churn: i64,
    clock: &mut Deadline,
) -> Option<(f64, Moves)> {
    let shifts = state.members_of.len();
    let mut best: Option<(f64, Moves)> = None;
    let mut consider = |state: &mut State, moves: Moves| {
        let bar = best.as_ref().map_or(current - EPS, |(v, _)| *v - EPS);
        if state.churn() + state.churn_delta(&moves) > max_churn || state.floor_after(&moves) >= bar
        {
            return;
        }
        let mut seen = None;
        state.try_moves(&moves, |v, _| {
            seen = Some(v);
            false
        });
        if let Some(value) = seen.filter(|&v| v < bar) {
            best = Some((value, moves));
        }
    };
    let movable = |state: &State, s: usize| -> Vec<usize> {
        state.members_of[s]
            .iter()
            .copied()
            .filter(|&m| !state.is_fixed(s, m))
            .collect()
    };
    for s in 0..shifts {
        for from in movable(state, s) {
            for &to in state.candidates(s) {
                if clock.passed() {
                    return best;
                }
                if to != from && !state.holds(s, to) {
                    consider(state, vec![(s, from, to)]);
                }
            }
        }
    }
    for s in 0..shifts {
        let seats_s = movable(state, s);
        for t in s + 1..shifts {
            let seats_t = movable(state, t);
            for &a in &seats_s {
                for &b in &seats_t {
                    if clock.passed() {
                        return best;
                    }
                    if a != b {
                        consider(state, trade_moves((a, &[s]), (b, &[t])));
                    }
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;
    use crate::problem::assignment::{Assignment, Previous};
    use crate::problem::evaluate::evaluate;
    use crate::solver::index::{Index, Rules as IndexRules};
    use crate::testkit::hours as testkit;
    use std::time::Duration;

    /// Daily shifts for three members, every one of them held by member 0 before: the
    /// fairest schedule moves most of them, the budget allows only a few.
    fn lopsided(days: i64, churn: f64) -> (crate::problem::Problem, Previous) {
        let shifts: Vec<(usize, i64, i64)> = (0..days).map(|d| (0, d * 24, 24)).collect();
        let mut problem = testkit::problem(3, &shifts, Rules::default());
        problem.objective.churn = churn;
        let previous = Previous {
            members: vec![Some(vec![0]); days as usize],
            frozen: vec![false; days as usize],
        };
        (problem, previous)
    }

    fn improved(problem: &crate::problem::Problem, previous: &Previous, max: i64) -> Assignment {
        let index = Index::new(problem, Some(previous), IndexRules::of(problem));
        let mut state = State::new(problem, &index);
        for s in 0..problem.shifts.len() {
            state.add(s, 0);
        }
        improve_within(&mut state, max, Instant::now() + Duration::from_secs(5));
        state.assignment()
    }

    #[test]
    fn moves_stay_within_the_budget_and_each_larger_budget_gains() {
        let (problem, previous) = lopsided(9, 1.0);
        let kept = Assignment {
            members: vec![vec![0]; 9],
        };
        let before = evaluate(&problem, &kept, Some(&previous));
        let mut last = before.objective;
        for max in 1..=6 {
            let after = evaluate(
                &problem,
                &improved(&problem, &previous, max),
                Some(&previous),
            );
            assert!(
                i64::from(after.metrics.churn) <= max,
                "{max}: {:?}",
                after.metrics
            );
            assert!(after.objective < last - EPS, "budget {max} gained nothing");
            last = after.objective;
        }
    }

    #[test]
    fn a_move_dearer_than_what_it_gains_is_not_made() {
        // One shift's points move the imbalance by far less than this price.
        let (problem, previous) = lopsided(9, 1e12);
        let after = improved(&problem, &previous, 6);
        assert!(after.members.iter().all(|m| m == &vec![0]), "{after:?}");
    }
}
