//! The starts: the fair greedy (fixed seats first, then every shift in time order to the
//! available candidate who would be least loaded per unit of capacity after taking it),
//! a best-fit greedy that also weighs what a shift costs each member, and a re-solve's
//! previous schedule kept where still valid; each polished by local search.
//!
//! The fair greedy is the floor every solve must match (see `docs/objective.md`).

use std::time::Instant;

use super::index::Index;
use super::search::local;
use super::state::State;
use crate::problem::Problem;

/// The start after local search until `until`.
pub(crate) fn polished(start: Option<State<'_>>, until: Instant) -> Option<State<'_>> {
    start.map(|mut state| {
        local::polish(&mut state, until);
        state
    })
}

/// A complete assignment by every hard rule, or `None` when the greedy runs into a shift
/// it cannot fill (the MILP may still find one).
pub(crate) fn greedy<'a>(problem: &'a Problem, index: &'a Index) -> Option<State<'a>> {
    let mut state = fixed_seats(problem, index)?;
    fill(problem, index, &mut state)?;
    Some(state)
}

/// Every open seat, in time order, to the candidate with whom the objective of the
/// schedule so far is lowest (fewer points first on a tie, then the lower index).
///
/// The fair greedy looks at loads only, so nights go to whoever is least loaded even
/// where they are daytime for someone else; the total load it leaves sets a level of
/// normalized load that members holding one or two shifts cannot reach, and no later
/// search left that basin on the largest teams.
pub(crate) fn best_fit<'a>(problem: &'a Problem, index: &'a Index) -> Option<State<'a>> {
    let mut state = fixed_seats(problem, index)?;
    for s in 0..index.shifts {
        let need = problem.shifts[s].per_shift as usize;
        while state.members_of[s].len() < need {
            let mut best: Option<(f64, f64, usize)> = None;
            for &m in &index.cand[s] {
                if !state.can_add(s, m) {
                    continue;
                }
                state.add(s, m);
                let value = state.objective();
                state.remove(s, m);
                let points = problem.cells[s][m].points;
                let better = best
                    .is_none_or(|(v, p, _)| value.total_cmp(&v).then(points.total_cmp(&p)).is_lt());
                if better {
                    best = Some((value, points, m));
                }
            }
            let (_, _, m) = best?;
            state.add(s, m);
        }
    }
    Some(state)
}

/// A start for a re-solve that changes as little as possible: every unfrozen shift keeps
/// its previous holders where the rules still allow them, given what is already placed
/// (earlier shifts first, so a conflict costs the later seat); the freed seats are filled
/// by the fair greedy. `None` without a previous schedule or when the fill dead-ends.
pub(crate) fn from_previous<'a>(problem: &'a Problem, index: &'a Index) -> Option<State<'a>> {
    if index.churn_prev.iter().all(Option::is_none) {
        return None;
    }
    from_wishes(problem, index, &previous_holders(index))
}

/// Per shift, how many of its previous seats the previous schedule cannot keep: the
/// holder is no longer allowed there (unavailable, gone, ineligible) or breaks a rule
/// given the earlier shifts kept (earlier shifts first, as `from_previous` keeps them).
/// These are the seats an edit forces to move; all zero without a previous schedule or
/// when the fixed seats contradict each other (the pre-check reports that).
pub(crate) fn lost_seats(problem: &Problem, index: &Index) -> Vec<u32> {
    let Some(mut state) = fixed_seats(problem, index) else {
        return vec![0; index.shifts];
    };
    let kept = keep(&mut state, &previous_holders(index));
    (0..index.shifts)
        .map(|s| match &index.churn_prev[s] {
            Some(_) => problem.shifts[s].per_shift.saturating_sub(kept[s]),
            None => 0,
        })
        .collect()
}

/// Each shift's previous holders (none for a shift the previous schedule did not have).
fn previous_holders(index: &Index) -> Vec<&[usize]> {
    index
        .churn_prev
        .iter()
        .map(|before| before.as_deref().unwrap_or_default())
        .collect()
}

/// Each shift's wished holders kept where the rules allow them given what is placed
/// (earlier shifts first); per shift, how many wished holders hold it now. The one
/// keeping rule of `from_wishes` and `lost_seats`, so the forced moves a re-solve reports
/// are the seats its repair refills.
fn keep(state: &mut State, wishes: &[&[usize]]) -> Vec<u32> {
    wishes
        .iter()
        .enumerate()
        .map(|(s, wished)| {
            let mut kept = 0;
            for &m in *wished {
                if !state.holds(s, m) && state.can_add(s, m) {
                    state.add(s, m);
                }
                if state.holds(s, m) {
                    kept += 1;
                }
            }
            kept
        })
        .collect()
}

/// Fixed seats, then each shift's wished holders where the rules allow them (earlier
/// shifts first), then the fair greedy for the seats left open; `None` when the fill
/// dead-ends.
pub(crate) fn from_wishes<'a>(
    problem: &'a Problem,
    index: &'a Index,
    wishes: &[&[usize]],
) -> Option<State<'a>> {
    let mut state = fixed_seats(problem, index)?;
    keep(&mut state, wishes);
    fill(problem, index, &mut state)?;
    Some(state)
}

/// Pinned and frozen seats; `None` when they break a rule among themselves.
fn fixed_seats<'a>(problem: &'a Problem, index: &'a Index) -> Option<State<'a>> {
    let mut state = State::new(problem, index);
    for s in 0..index.shifts {
        for &m in &index.fixed[s] {
            if !state.can_add(s, m) {
                return None;
            }
            state.add(s, m);
        }
    }
    Some(state)
}

/// Fills every open seat, in time order, with the least loaded available candidate.
fn fill(problem: &Problem, index: &Index, state: &mut State) -> Option<()> {
    // `problem.shifts` is sorted by start, so index order is time order.
    for s in 0..index.shifts {
        let need = problem.shifts[s].per_shift as usize;
        while state.members_of[s].len() < need {
            let best = index.cand[s]
                .iter()
                .copied()
                .filter(|&m| state.can_add(s, m))
                .min_by(|&a, &b| {
                    key(problem, state, s, a)
                        .total_cmp(&key(problem, state, s, b))
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
    Some(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::assignment::Previous;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    fn daily(days: i64) -> Problem {
        testkit::evenly(3, days, 24, 24)
    }

    fn previous(members: &[usize]) -> Previous {
        Previous {
            members: members.iter().map(|&m| Some(vec![m])).collect(),
            frozen: vec![false; members.len()],
        }
    }

    #[test]
    fn a_still_valid_previous_schedule_is_kept_as_it_is() {
        let problem = daily(6);
        // Deliberately not what the fair greedy would pick (it would rotate 0, 1, 2).
        let prev = previous(&[2, 2, 0, 1, 1, 0]);
        let index = Index::new(&problem, Some(&prev), Rules::of(&problem));
        let fair = greedy(&problem, &index).map(|s| s.assignment());
        let kept = from_previous(&problem, &index).map(|s| s.assignment());
        let expected: Vec<Vec<usize>> = vec![vec![2], vec![2], vec![0], vec![1], vec![1], vec![0]];
        assert_eq!(kept.map(|a| a.members), Some(expected.clone()));
        assert_ne!(fair.map(|a| a.members), Some(expected));
    }

    #[test]
    fn only_seats_the_rules_now_forbid_are_refilled() {
        let mut problem = daily(6);
        // Member 0 may now take one shift only: the later of its two goes to someone else.
        problem.members[0].max_shifts = Some(1);
        let prev = previous(&[0, 1, 2, 0, 1, 2]);
        let index = Index::new(&problem, Some(&prev), Rules::of(&problem));
        let kept = from_previous(&problem, &index).map(|s| s.assignment().members);
        let kept = kept.unwrap_or_default();
        assert_eq!(kept.len(), 6);
        for (s, seats) in kept.iter().enumerate() {
            if s == 3 {
                assert_ne!(seats, &vec![0]);
                assert_eq!(seats.len(), 1);
            } else {
                assert_eq!(seats, &vec![[0, 1, 2, 0, 1, 2][s]]);
            }
        }
    }

    #[test]
    fn best_fit_follows_the_objective_where_the_fair_greedy_follows_loads() {
        // Member 0 scores every shift 10 points, member 1 (for whom they are nights) 30.
        let mut problem = daily(6);
        problem.members.truncate(2);
        problem.capacity.truncate(2);
        problem.history.truncate(2);
        for cells in &mut problem.cells {
            cells.truncate(2);
            cells[0].points = 10.0;
            cells[1].points = 30.0;
        }
        // Only the total load counts: every shift is cheapest with member 0.
        problem.objective = testkit::only_total_load(1.0);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let fit = best_fit(&problem, &index).expect("feasible");
        assert!(fit.members_of.iter().all(|held| held == &vec![0]));
        assert_eq!(fit.objective(), 60.0);
        let fair = greedy(&problem, &index).expect("feasible");
        assert!(fair.objective() > fit.objective(), "{}", fair.objective());
    }

    #[test]
    fn without_a_previous_schedule_there_is_no_kept_start() {
        let problem = daily(3);
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert!(from_previous(&problem, &index).is_none());
    }
}
