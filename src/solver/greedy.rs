//! The fair greedy: fixed seats first, then every shift in time order to the available
//! candidate who would be least loaded per unit of capacity after taking it.
//!
//! It is the floor every solve must match (SPEC §4) and the MILP's warm start.

use super::index::Index;
use super::state::State;
use crate::problem::Problem;

/// A complete assignment by every hard rule, or `None` when the greedy runs into a shift
/// it cannot fill (the MILP may still find one).
pub(crate) fn greedy<'a>(problem: &'a Problem, index: &'a Index) -> Option<State<'a>> {
    let mut state = State::new(problem, index);
    for s in 0..index.shifts {
        for &m in &index.fixed[s] {
            if !state.can_add(s, m) {
                return None;
            }
            state.add(s, m);
        }
    }
    // `problem.shifts` is sorted by start, so index order is time order.
    for s in 0..index.shifts {
        let need = problem.shifts[s].per_shift as usize;
        while state.members_of[s].len() < need {
            let best = index.cand[s]
                .iter()
                .copied()
                .filter(|&m| state.can_add(s, m))
                .min_by(|&a, &b| {
                    key(problem, &state, s, a)
                        .total_cmp(&key(problem, &state, s, b))
                        .then(
                            problem.cells[s][a]
                                .points
                                .total_cmp(&problem.cells[s][b].points),
                        )
                        .then(a.cmp(&b))
                })?;
            state.add(s, best);
        }
    }
    Some(state)
}

/// (load + history + points) / capacity after taking `s`; members outside fairness come
/// last, since their load does not count toward anyone's share.
fn key(problem: &Problem, state: &State, s: usize, m: usize) -> f64 {
    let cap = problem.capacity[m];
    if cap <= 0.0 {
        return f64::INFINITY;
    }
    (state.load[m] + problem.history[m] + problem.cells[s][m].points) / cap
}
