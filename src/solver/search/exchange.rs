//! Pair exchanges: two members trade up to two shifts each way (a move, a swap, two for
//! one, two for two), whenever that lowers the exact objective and keeps every rule.
//!
//! Loads come in whole shifts, so the single moves and swaps of the local search stall
//! where a member needs, say, one 24-point shift instead of two 16-point ones; trading
//! two for one between a pair reaches those loads without a worse step in between.

use std::time::Instant;

use super::Rng;
use crate::solver::deadline::Deadline;
use crate::solver::plan;
use crate::solver::state::{State, trade_moves};

/// Smallest relative decrease that counts as an improvement (guards against float noise
/// loops).
const EPS: f64 = 1e-9;

/// Improves `state` by pair trades until a whole round over all pairs finds none or
/// `deadline` passes. Returns whether anything changed.
pub(crate) fn exchange(state: &mut State, deadline: Instant) -> bool {
    let mut held = held_lists(state);
    descend(state, &mut held, None, &mut Deadline::new(deadline))
}

/// Iterated local search: pair trades to a local optimum, then over and over a small
/// random kick (two forced trades) followed by trades around the members it touched,
/// keeping the result when it is no worse than the best so far. Ends at the best. The
/// kicks are random from `seed`.
pub(crate) fn iterated(state: &mut State, seed: u64, deadline: Instant) {
    let mut held = held_lists(state);
    let mut clock = Deadline::new(deadline);
    descend(state, &mut held, None, &mut clock);
    let mut best = state.objective();
    let mut best_members = state.members_of.clone();
    let mut rng = Rng::seeded(0x853c_49e6_748f_ea9b, seed);
    while !clock.passed_now() {
        let mut touched = Vec::new();
        for _ in 0..2 {
            touched.extend(kick(state, &mut held, &mut rng));
        }
        if touched.is_empty() {
            continue;
        }
        touched.sort_unstable();
        touched.dedup();
        descend(state, &mut held, Some(&touched), &mut clock);
        let value = state.objective();
        if value < best - EPS * best.abs().max(1.0) {
            best = value;
            best_members.clone_from(&state.members_of);
        } else if value > best + EPS * best.abs().max(1.0) {
            state.reset_to(&best_members);
            held = held_lists(state);
        }
    }
    state.reset_to(&best_members);
}

/// Per member, the shifts they hold that may move.
fn held_lists(state: &State) -> Vec<Vec<usize>> {
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); state.load.len()];
    for (s, seats) in state.members_of.iter().enumerate() {
        for &m in seats {
            if !state.is_fixed(s, m) {
                held[m].push(s);
            }
        }
    }
    held
}

/// Trades to a local optimum: between every pair, or with `focus` only pairs with one
/// of those members. Pairs are tried most promising first: members furthest above their
/// fair share against those furthest below.
fn descend(
    state: &mut State,
    held: &mut [Vec<usize>],
    focus: Option<&[usize]>,
    clock: &mut Deadline,
) -> bool {
    let mut current = (state.objective(), state.evenness());
    let mut changed = false;
    loop {
        let order = state.by_excess();
        let mut improved = false;
        for (i, &a) in order.iter().enumerate() {
            if clock.passed_now() {
                return changed;
            }
            let partners: Vec<usize> = match focus {
                None => order[i + 1..].iter().rev().copied().collect(),
                Some(f) if f.contains(&a) => {
                    order.iter().rev().copied().filter(|&b| b != a).collect()
                }
                Some(f) => order[i + 1..]
                    .iter()
                    .rev()
                    .copied()
                    .filter(|b| f.contains(b))
                    .collect(),
            };
            for b in partners {
                // Several trades per pair: the first is rarely the best.
                while let Some(value) = first_trade(state, held, (a, b), current, clock) {
                    current = value;
                    improved = true;
                    changed = true;
                }
                if clock.passed_now() {
                    return changed;
                }
            }
        }
        if !improved && focus.is_none() {
            // Stuck for small trades: two members swap everything within a window.
            if let Some(value) = first_window_swap(state, held, current, clock) {
                current = value;
                changed = true;
                continue;
            }
            // Stuck for pairs: a three-way cycle around the ends of max − min.
            if let Some(value) = first_cycle(state, held, current, clock) {
                current = value;
                improved = true;
                changed = true;
            }
        }
        if !improved {
            return changed;
        }
    }
}

/// The first improving window swap, applied: members `a` and `b` exchange every movable
/// shift either holds within the span of some shift one of them holds. A long shift
/// (a week) against the short ones the other holds in that week balances what trades
/// of at most two shifts each way cannot.
fn first_window_swap(
    state: &mut State,
    held: &mut [Vec<usize>],
    now: (f64, f64),
    clock: &mut Deadline,
) -> Option<(f64, f64)> {
    let shifts = &state.problem().shifts;
    // Only a shift that spans several others makes a window that trades of at most two
    // each way do not already cover.
    let length = |s: usize| shifts[s].end - shifts[s].start;
    let shortest = (0..shifts.len()).map(length).min()?;
    let spans = |s: &usize| length(*s) >= shortest * 2;
    if !(0..shifts.len()).any(|s| spans(&s)) {
        return None;
    }
    let order = state.by_excess();
    for (i, &a) in order.iter().enumerate() {
        for &b in order[i + 1..].iter().rev() {
            if clock.passed() {
                return None;
            }
            let windows: Vec<usize> = held[a]
                .iter()
                .chain(&held[b])
                .copied()
                .filter(spans)
                .collect();
            for w in windows {
                if clock.passed() {
                    return None;
                }
                let within = |list: &[usize]| -> Vec<usize> {
                    list.iter()
                        .copied()
                        .filter(|&s| shifts[s].overlaps(&shifts[w]))
                        .collect()
                };
                let (ga, gb) = (within(&held[a]), within(&held[b]));
                // Trades of at most two each way were tried already.
                if ga.len() <= 2 && gb.len() <= 2 {
                    continue;
                }
                if let Some(taken) = take_trade(state, held, (a, &ga), (b, &gb), now) {
                    return Some(taken);
                }
            }
        }
    }
    None
}

/// The first improving three-way cycle through a member at an end of the normalized
/// range, applied: `e` hands a shift to `x`, `x` one to `y`, `y` one to `e`. Where the
/// lowest member could only gain by a trade that sinks its partner below it, a third
/// member can make up the partner's loss; pairs never see that.
fn first_cycle(
    state: &mut State,
    held: &mut [Vec<usize>],
    (current, even): (f64, f64),
    clock: &mut Deadline,
) -> Option<(f64, f64)> {
    for e in state.ends(plan::CYCLE_ENDS) {
        for i in 0..held[e].len() {
            let s = held[e][i];
            for &x in state.candidates(s) {
                if x == e {
                    continue;
                }
                for j in 0..held[x].len() {
                    let t = held[x][j];
                    for &y in state.candidates(t) {
                        if y == e || y == x {
                            continue;
                        }
                        if clock.passed() {
                            return None;
                        }
                        for k in 0..held[y].len() {
                            let u = held[y][k];
                            // Candidates are in member order.
                            if state.candidates(u).binary_search(&e).is_err() {
                                continue;
                            }
                            let moves = [(s, e, x), (t, x, y), (u, y, e)];
                            if cannot_beat(state, &moves, current) {
                                continue;
                            }
                            let mut evenness = even;
                            let accept = |value, even_now: &dyn Fn() -> f64| {
                                better(value, even_now, (current, even), &mut evenness)
                            };
                            if let Some(value) = state.try_moves(&moves, accept) {
                                for (shift, from, to) in moves {
                                    held[from].retain(|&h| h != shift);
                                    held[to].push(shift);
                                }
                                return Some((value, evenness));
                            }
                        }
                    }
                }
            }
        }
    }
    None
}

/// One random trade applied whatever it does to the objective: a random movable shift
/// of a random member goes to another candidate, who gives back one of theirs when they
/// hold any. Returns the two members, or nothing when the trade breaks a rule.
fn kick(state: &mut State, held: &mut [Vec<usize>], rng: &mut Rng) -> Vec<usize> {
    let owners: Vec<usize> = (0..held.len()).filter(|&m| !held[m].is_empty()).collect();
    if owners.is_empty() {
        return Vec::new();
    }
    let a = owners[rng.below(owners.len())];
    let s = held[a][rng.below(held[a].len())];
    let cands = state.candidates(s);
    let b = cands[rng.below(cands.len())];
    if b == a {
        return Vec::new();
    }
    let give_back: Vec<usize> = if held[b].is_empty() || rng.next().is_multiple_of(2) {
        Vec::new()
    } else {
        vec![held[b][rng.below(held[b].len())]]
    };
    if state
        .try_trade((a, &[s]), (b, &give_back), |_, _| true)
        .is_some()
    {
        retrade(held, (a, &[s]), (b, &give_back));
        vec![a, b]
    } else {
        Vec::new()
    }
}

/// The first improving trade between `a` and `b`, applied; its objective and evenness.
/// A trade that leaves the objective as it is but spreads loads more evenly also counts:
/// on a plateau (several members at the minimum, say) that is the way off it. Members
/// holding a year of daily shifts have millions of trades between them, so the deadline
/// is read as they are tried.
fn first_trade(
    state: &mut State,
    held: &mut [Vec<usize>],
    (a, b): (usize, usize),
    now: (f64, f64),
    clock: &mut Deadline,
) -> Option<(f64, f64)> {
    let (held_a, held_b) = (held[a].clone(), held[b].clone());
    for ga in Gives::of(&held_a) {
        for gb in Gives::of(&held_b) {
            if ga.is_empty() && gb.is_empty() {
                continue;
            }
            if clock.passed() {
                return None;
            }
            if let Some(taken) = take_trade(state, held, (a, &ga), (b, &gb), now) {
                return Some(taken);
            }
        }
    }
    None
}

/// `a` gives `ga` to `b` and `b` gives `gb` to `a` when that beats `now` (see
/// [`better`]); the new objective and evenness.
fn take_trade(
    state: &mut State,
    held: &mut [Vec<usize>],
    (a, ga): (usize, &[usize]),
    (b, gb): (usize, &[usize]),
    (current, even): (f64, f64),
) -> Option<(f64, f64)> {
    let moves = trade_moves((a, ga), (b, gb));
    if cannot_beat(state, &moves, current) {
        return None;
    }
    let mut evenness = even;
    let accept =
        |value, even_now: &dyn Fn() -> f64| better(value, even_now, (current, even), &mut evenness);
    let value = state.try_moves(&moves, accept)?;
    retrade(held, (a, ga), (b, gb));
    Some((value, evenness))
}

/// Whether `moves` score above what [`better`] takes even by their floor (with room for
/// the float noise between the floor and a real try), so they need no try.
fn cannot_beat(state: &State, moves: &[(usize, usize, usize)], current: f64) -> bool {
    state.floor_after(moves) > current + 2.0 * EPS * current.abs().max(1.0)
}

/// Whether a trade to objective `value` beats `(current, even)`: a lower objective, or
/// the same one with loads spread more evenly (the evenness is computed only then, or
/// for the trade taken, into `taken`).
fn better(
    value: f64,
    evenness: &dyn Fn() -> f64,
    (current, even): (f64, f64),
    taken: &mut f64,
) -> bool {
    let tol = EPS * current.abs().max(1.0);
    if value > current + tol {
        return false;
    }
    let e = evenness();
    *taken = e;
    value < current - tol || e < even - EPS * even.max(1.0)
}

/// What one member may give in a trade: every subset of `shifts` with at most two
/// elements, the empty one first, then each shift followed by it paired with each later
/// one. Made one at a time: a member holding hundreds of shifts has tens of thousands.
struct Gives<'a> {
    shifts: &'a [usize],
    /// The next to give: `None` the empty one, `(i, None)` shift `i` alone, `(i, Some(j))`
    /// shifts `i` and `j`.
    next: Option<(usize, Option<usize>)>,
    started: bool,
}

/// At most two shifts, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Give {
    shifts: [usize; 2],
    len: usize,
}

impl std::ops::Deref for Give {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        &self.shifts[..self.len]
    }
}

impl<'a> Gives<'a> {
    fn of(shifts: &'a [usize]) -> Gives<'a> {
        Gives {
            shifts,
            next: None,
            started: false,
        }
    }
}

impl Iterator for Gives<'_> {
    type Item = Give;

    fn next(&mut self) -> Option<Give> {
        let n = self.shifts.len();
        if !self.started {
            self.started = true;
            self.next = (n > 0).then_some((0, None));
            return Some(Give {
                shifts: [0; 2],
                len: 0,
            });
        }
        let (i, j) = self.next?;
        let after = |k: usize| (k + 1 < n).then_some(k + 1);
        let (give, next) = match j {
            None => (
                Give {
                    shifts: [self.shifts[i], 0],
                    len: 1,
                },
                after(i).map(|k| (i, Some(k))),
            ),
            Some(j) => (
                Give {
                    shifts: [self.shifts[i], self.shifts[j]],
                    len: 2,
                },
                match after(j) {
                    Some(k) => Some((i, Some(k))),
                    None => after(i).map(|k| (k, None)),
                },
            ),
        };
        self.next = next;
        Some(give)
    }
}

/// The held lists after `a` gave `ga` to `b` and `b` gave `gb` to `a`.
fn retrade(held: &mut [Vec<usize>], (a, ga): (usize, &[usize]), (b, gb): (usize, &[usize])) {
    held[a].retain(|s| !ga.contains(s));
    held[b].retain(|s| !gb.contains(s));
    held[a].extend_from_slice(gb);
    held[b].extend_from_slice(ga);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::problem::evaluate::evaluate;
    use crate::solver::index::{Index, Rules};
    use crate::solver::search::local;
    use crate::testkit::hours as testkit;

    #[test]
    fn subsets_are_all_small_ones_once() {
        let all: Vec<Vec<usize>> = Gives::of(&[4, 7, 9]).map(|g| g.to_vec()).collect();
        assert_eq!(
            all,
            vec![
                vec![],
                vec![4],
                vec![4, 7],
                vec![4, 9],
                vec![7],
                vec![7, 9],
                vec![9]
            ]
        );
    }

    #[test]
    fn iterated_trades_end_at_their_best_and_keep_the_rules() {
        // Eight members of unequal capacity over a month of shifts of 4 to 20 hours: loads
        // come in coarse steps, so a descent alone stops short.
        let shifts: Vec<(usize, i64, i64)> = (0..30)
            .map(|i| (0, i * 24, [4, 12, 20, 8, 16][i as usize % 5]))
            .collect();
        let mut problem = testkit::problem(8, &shifts, ConfigRules::default());
        problem.capacity = vec![1.0, 0.5, 1.0, 0.8, 1.0, 0.6, 1.0, 0.9];
        let index = Index::new(&problem, None, Rules::of(&problem));
        let start = crate::solver::start::greedy(&problem, &index).expect("feasible");
        let mut descended = start.clone();
        exchange(
            &mut descended,
            Instant::now() + std::time::Duration::from_secs(5),
        );
        let mut state = start;
        iterated(
            &mut state,
            5,
            Instant::now() + std::time::Duration::from_millis(300),
        );
        let exact = evaluate(&problem, &state.assignment(), None).objective;
        assert!((state.objective() - exact).abs() < 1e-9);
        assert!(
            exact <= descended.objective() + 1e-9,
            "{exact} vs {}",
            descended.objective()
        );
        assert!(crate::problem::rules::check(&problem, &state.assignment(), None).is_empty());
        assert!(!exchange(
            &mut state,
            Instant::now() + std::time::Duration::from_secs(5)
        ));
    }

    #[test]
    fn on_a_flat_objective_trades_still_even_loads_out() {
        // Every weight 0: no trade changes the objective, so only the evenness tie-break
        // can move anything. Starting with every shift on member 0, it spreads them.
        let mut problem = testkit::evenly(3, 6, 48, 8);
        problem.objective = testkit::only_total_load(0.0);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        for s in 0..6 {
            state.add(s, 0);
        }
        assert!(exchange(
            &mut state,
            Instant::now() + std::time::Duration::from_secs(5)
        ));
        assert_eq!(state.count, vec![2, 2, 2]);
        assert_eq!(state.objective(), 0.0);
    }

    #[test]
    fn a_three_way_cycle_reaches_what_pairs_cannot() {
        // One shift each (max_shifts 1), only the total load counts: member m scores its
        // own shift 5, the previous member's 1 and the next one's 10. Every swap costs
        // more than the 15 held now; rotating all three costs 3.
        let mut problem = testkit::evenly(3, 3, 48, 8);
        problem.objective = testkit::only_total_load(1.0);
        for member in &mut problem.members {
            member.max_shifts = Some(1);
        }
        for (s, cells) in problem.cells.iter_mut().enumerate() {
            for (m, cell) in cells.iter_mut().enumerate() {
                cell.points = match (m + 3 - s) % 3 {
                    0 => 5.0,
                    1 => 1.0,
                    _ => 10.0,
                };
            }
        }
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        for m in 0..3 {
            state.add(m, m);
        }
        let mut held = held_lists(&state);
        let now = (state.objective(), state.evenness());
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let mut clock = Deadline::new(Instant::now() + std::time::Duration::from_secs(5));
            assert!(first_trade(&mut state, &mut held, (a, b), now, &mut clock).is_none());
        }

        let far = Instant::now() + std::time::Duration::from_secs(5);
        assert!(exchange(&mut state, far));
        assert_eq!(state.objective(), 3.0);
        assert_eq!(state.members_of, vec![vec![1], vec![2], vec![0]]);
        assert!(crate::problem::rules::check(&problem, &state.assignment(), None).is_empty());
    }

    #[test]
    fn a_window_swap_trades_a_week_for_the_days_under_it() {
        // Two members, two weekly shifts (168 points) over two weeks of daily ones (12
        // points): whoever holds a week cannot hold its days. Member 0 holds both weeks
        // (336), member 1 every day (168). Evening out means handing over a week for the
        // seven days under it, which no trade of at most two shifts each way does.
        let mut shifts = Vec::new();
        for week in 0..2 {
            shifts.push((0, week * 168, 168));
            shifts.extend((0..7).map(|d| (1, week * 168 + d * 24, 24)));
        }
        let mut problem = testkit::problem(2, &shifts, ConfigRules::default());
        for (cells, &(layer, _, _)) in problem.cells.iter_mut().zip(&shifts) {
            for cell in cells.iter_mut().filter(|_| layer == 1) {
                cell.points = 12.0;
            }
        }
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        for (s, &(layer, _, _)) in shifts.iter().enumerate() {
            state.add(s, layer ^ 1);
        }
        let mut held = held_lists(&state);
        let now = (state.objective(), state.evenness());
        let mut clock = Deadline::new(Instant::now() + std::time::Duration::from_secs(5));
        assert!(first_trade(&mut state, &mut held, (0, 1), now, &mut clock).is_none());

        let far = Instant::now() + std::time::Duration::from_secs(5);
        assert!(exchange(&mut state, far));
        assert_eq!((state.load[0], state.load[1]), (252.0, 252.0));
        let exact = evaluate(&problem, &state.assignment(), None).objective;
        assert!((state.objective() - exact).abs() < 1e-9);
        assert!(crate::problem::rules::check(&problem, &state.assignment(), None).is_empty());
    }

    #[test]
    fn trades_reach_a_balance_that_moves_and_swaps_cannot() {
        // Two members, points = hours. Holding 12 + 12 + 20 against 4 + 20 + 12, no single
        // move or swap evens 44 : 36 out, but 12 + 12 for 4 + 20 does (40 : 40).
        let shifts: Vec<(usize, i64, i64)> = [12, 4, 20, 12, 20, 12]
            .iter()
            .enumerate()
            .map(|(i, &h)| (0, i as i64 * 48, h))
            .collect();
        let problem = testkit::problem(2, &shifts, ConfigRules::default());
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        for (s, m) in [(0, 0), (1, 1), (2, 1), (3, 0), (4, 0), (5, 1)] {
            state.add(s, m);
        }
        let far = Instant::now() + std::time::Duration::from_secs(5);
        let before = state.objective();
        local::polish(&mut state, far);
        assert_eq!(
            state.objective(),
            before,
            "moves and swaps alone are stuck here"
        );

        assert!(exchange(&mut state, far));
        let loads = (state.load[0], state.load[1]);
        assert_eq!(loads, (40.0, 40.0));
        let exact = evaluate(&problem, &state.assignment(), None).objective;
        assert!((state.objective() - exact).abs() < 1e-9);
        assert!(crate::problem::rules::check(&problem, &state.assignment(), None).is_empty());
        assert!(!exchange(&mut state, far), "nothing left to trade");
    }
}
