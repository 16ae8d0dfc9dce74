//! Local search on a complete assignment: replace one holder of a shift, or swap the
//! holders of two shifts, whenever that lowers the exact objective and keeps every rule.

use std::time::Instant;

use crate::solver::state::State;

/// Smallest decrease that counts as an improvement (guards against float noise loops).
const EPS: f64 = 1e-9;

/// Improves `state` in place until no move or swap helps or `deadline` passes.
pub(crate) fn polish(state: &mut State, deadline: Instant) {
    let shifts = state.members_of.len();
    let mut current = state.objective();
    loop {
        let before = current;
        current = moves(state, current, deadline);
        if Instant::now() >= deadline {
            return;
        }
        current = swaps(state, current, shifts, deadline);
        if Instant::now() >= deadline || current > before - EPS {
            return;
        }
    }
}

/// Tries every other candidate for every movable seat; keeps the first improvement.
fn moves(state: &mut State, mut current: f64, deadline: Instant) -> f64 {
    let shifts = state.members_of.len();
    for s in 0..shifts {
        if s % 16 == 0 && Instant::now() >= deadline {
            break;
        }
        let seats = state.members_of[s].clone();
        for m in seats {
            if state.is_fixed(s, m) {
                continue;
            }
            for &other in state.candidates(s) {
                if other == m {
                    continue;
                }
                if let Some(value) = state.try_moves(&[(s, m, other)], |v, _| v < current - EPS) {
                    current = value;
                    break;
                }
            }
        }
    }
    current
}

/// Exchanges the holders of two shifts (`a` takes `t`'s shift and `b` takes `s`'s).
fn swaps(state: &mut State, mut current: f64, shifts: usize, deadline: Instant) -> f64 {
    for s in 0..shifts {
        if Instant::now() >= deadline {
            break;
        }
        for t in s + 1..shifts {
            let seats_s = state.members_of[s].clone();
            let seats_t = state.members_of[t].clone();
            for &a in &seats_s {
                for &b in &seats_t {
                    if a == b
                        || state.is_fixed(s, a)
                        || state.is_fixed(t, b)
                        || !state.holds(s, a)
                        || !state.holds(t, b)
                    {
                        continue;
                    }
                    if let Some(value) = state.try_swap((s, a), (t, b), |v| v < current - EPS) {
                        current = value;
                    }
                }
            }
        }
    }
    current
}
