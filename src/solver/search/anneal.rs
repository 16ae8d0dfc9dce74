//! Simulated annealing over the same moves as the local search (replace one holder,
//! swap two holders), evaluated exactly and incrementally.
//!
//! Max − min is flat almost everywhere: a descent stops as soon as the extremes cannot
//! move alone. Accepting some worsening moves lets the middle of the team shift first.

use std::time::Instant;

use super::Rng;
use crate::solver::plan;
use crate::solver::state::State;

/// Anneals `state` (random streams from `seed`) for `plan::ANNEAL_ROUNDS` rounds, each
/// from the best assignment so far with its own random stream, of `iterations` steps (fewer when they would not fit before `deadline`) and leaves it at the best
/// assignment seen.
pub(crate) fn anneal(state: &mut State, iterations: u64, seed: u64, deadline: Instant) {
    let shifts: Vec<usize> = (0..state.members_of.len())
        .filter(|&s| state.members_of[s].iter().any(|&m| !state.is_fixed(s, m)))
        .collect();
    if shifts.len() < 2 || iterations == 0 {
        return;
    }
    let base = 0x9e37_79b9_7f4a_7c15_u64 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d);
    let mut best = state.objective();
    let mut best_assignment = state.members_of.clone();
    let total = affordable(
        state,
        &shifts,
        iterations.saturating_mul(plan::ANNEAL_ROUNDS),
        deadline,
    );
    let rounds = (total / iterations).clamp(1, plan::ANNEAL_ROUNDS);
    let per_round = total / rounds;
    'rounds: for round in 0..rounds {
        let mut rng = Rng::new(base ^ round.wrapping_mul(0xd1b5_4a32_d192_ed03));
        state.reset_to(&best_assignment);
        let mut current = best;
        let t0 = temperature(state, &shifts, &mut rng, current);
        let t_end = t0 * 1e-4;
        let mut t = t0;
        for it in 0..per_round {
            if it % 512 == 0 {
                if Instant::now() >= deadline {
                    break 'rounds;
                }
                t = t0 * (t_end / t0).powf(it as f64 / per_round as f64);
            }
            let swap = rng.below(2) != 0;
            let delta = step(state, &shifts, &mut rng, current, t, swap);
            if let Some(value) = delta {
                current = value;
                if current < best - 1e-9 * best.abs().max(1.0) {
                    best = current;
                    best_assignment.clone_from(&state.members_of);
                }
            }
        }
    }
    state.reset_to(&best_assignment);
}

/// `iterations`, or fewer when a timed trial says they would not finish by `deadline`:
/// a schedule cut off while still hot would end where it started. Runs that fit keep the
/// fixed count, so they stay reproducible.
fn affordable(state: &mut State, shifts: &[usize], iterations: u64, deadline: Instant) -> u64 {
    const TRIAL: u64 = 4096;
    let began = Instant::now();
    let budget = deadline.saturating_duration_since(began).as_secs_f64();
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    // Measured against an objective of −∞, no step is ever taken: the state is unchanged.
    for _ in 0..TRIAL / 2 {
        for swap in [false, true] {
            let _ = step(state, shifts, &mut rng, f64::NEG_INFINITY, 1.0, swap);
        }
    }
    let per_step = began.elapsed().as_secs_f64() / TRIAL as f64;
    // Projected to fit (the loop still stops at the deadline): keep the count.
    if per_step * iterations as f64 <= budget {
        iterations
    } else {
        ((budget / per_step.max(1e-12)) as u64).clamp(1, iterations)
    }
}

/// A starting temperature of the order of a typical worsening move.
fn temperature(state: &mut State, shifts: &[usize], rng: &mut Rng, current: f64) -> f64 {
    let mut sum = 0.0;
    let mut n = 0;
    for _ in 0..200 {
        let Some((s, m, other)) = random_move(state, shifts, rng) else {
            continue;
        };
        state.try_moves(&[(s, m, other)], |value, _| {
            let d = value - current;
            if d > 0.0 {
                sum += d;
                n += 1;
            }
            false
        });
    }
    // A few percent of the mean worsening: enough to cross plateaus, measured better
    // than hotter starts that walk far from the polished greedy.
    if n == 0 { 1.0 } else { 0.03 * sum / n as f64 }
}

/// Metropolis. Changes within float noise count as none, so the random stream (and the
/// run) does not depend on the order in which sums were taken.
fn accept(delta: f64, t: f64, rng: &mut Rng) -> bool {
    delta <= 1e-7 || rng.unit() < (-delta / t).exp()
}

/// One random replacement, or with `swap` one random swap; returns the new objective
/// when taken.
fn step(
    state: &mut State,
    shifts: &[usize],
    rng: &mut Rng,
    current: f64,
    t: f64,
    swap: bool,
) -> Option<f64> {
    if swap {
        let (one, other) = random_swap(state, shifts, rng)?;
        state.try_swap(one, other, |value| accept(value - current, t, rng))
    } else {
        let seat = random_move(state, shifts, rng)?;
        state.try_moves(&[seat], |value, _| accept(value - current, t, rng))
    }
}

/// A random seat `(s, m)` of a random shift and a random other candidate for it, or
/// `None` (the draws made all the same) when the seat is fixed or the candidate is `m`.
fn random_move(state: &State, shifts: &[usize], rng: &mut Rng) -> Option<(usize, usize, usize)> {
    let s = shifts[rng.below(shifts.len())];
    let seats = &state.members_of[s];
    let m = seats[rng.below(seats.len())];
    let cands = state.candidates(s);
    let other = cands[rng.below(cands.len())];
    (other != m && !state.is_fixed(s, m)).then_some((s, m, other))
}

/// The holders `(s, a)` and `(u, b)` of two random shifts, or `None` (after the draws
/// made so far) when the shifts or the holders are the same or either seat is fixed.
fn random_swap(
    state: &State,
    shifts: &[usize],
    rng: &mut Rng,
) -> Option<((usize, usize), (usize, usize))> {
    let s = shifts[rng.below(shifts.len())];
    let u = shifts[rng.below(shifts.len())];
    if s == u {
        return None;
    }
    let a = state.members_of[s][rng.below(state.members_of[s].len())];
    let b = state.members_of[u][rng.below(state.members_of[u].len())];
    if a == b || state.is_fixed(s, a) || state.is_fixed(u, b) {
        return None;
    }
    Some(((s, a), (u, b)))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::solver::index::{Index, Rules};
    use crate::solver::start::greedy;
    use crate::testkit::hours as testkit;

    #[test]
    fn the_timed_trial_keeps_the_count_that_fits_and_cuts_one_that_cannot() {
        let problem = testkit::evenly(4, 20, 24, 24);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = greedy(&problem, &index).expect("feasible");
        let before = state.members_of.clone();
        let movable: Vec<usize> = (0..20).collect();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(affordable(&mut state, &movable, 10_000, far), 10_000);
        let now = Instant::now();
        assert!(affordable(&mut state, &movable, u64::MAX / 2, now) < u64::MAX / 2);
        assert_eq!(state.members_of, before, "the trial takes no step");
    }
}
