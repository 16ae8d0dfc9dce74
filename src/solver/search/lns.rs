//! Large-neighbourhood search: keep most of the schedule fixed and let HiGHS re-optimise
//! a part of it exactly, over and over, keeping every improvement.
//!
//! For teams too large for the whole MILP to make progress in the time limit. Two kinds
//! of neighbourhood alternate: a few members (the most and least loaded plus others)
//! redistributing the shifts they hold among themselves, and a window of consecutive
//! shifts open to every candidate.

use std::time::Instant;

use super::Rng;
use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::evaluate;
use crate::solver::index::Index;
use crate::solver::milp::model::{self, Outcome, Params};
use crate::solver::plan;
use crate::solver::progress::Progress;

/// Neighbourhood kinds in turn: 0 window, 1 mixed members, 2 members of one class, 3
/// members of two classes (one over, one under their shares), 4 an extreme's plateau.
/// On the largest teams mixed members found most improvements, windows almost none,
/// one-class ones a few (fast, proven).
const PATTERN: [usize; 5] = [1, 3, 2, 3, 4];

pub(crate) fn lns(
    problem: &Problem,
    index: &Index,
    previous: Option<&Previous>,
    start: Assignment,
    deadline: Instant,
    progress: &Progress,
    highs_log: bool,
) -> Assignment {
    let members = index.members;
    let mut current = start;
    let mut value = evaluate(problem, &current, previous).objective;
    // Neighbourhood size per kind (see PATTERN).
    let mut sizes = [plan::LNS_START_SIZE; PATTERN.len()];
    let (least, most) = plan::LNS_SIZES;
    // Plateau neighbourhoods alternate between the low and the high end.
    let mut low_end = false;
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let mut window_at = 0usize;
    let mut round = 0u64;
    let total_free: usize = index.cand.iter().map(Vec::len).sum();
    let class = point_classes(problem, index);
    // The most a neighbourhood has run past its limit so far: HiGHS reads its clock only
    // now and then, so the next one is asked to stop that much earlier.
    let mut late = 0.0_f64;

    loop {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            - late;
        if left < 0.05 {
            break;
        }
        round += 1;
        let mut fix: Vec<Option<bool>> = vec![None; index.shifts * members];
        for s in 0..index.shifts {
            for m in 0..members {
                fix[s * members + m] = Some(current.holds(s, m));
            }
        }
        let mut free = 0usize;
        let kind = PATTERN[round as usize % PATTERN.len()];
        let size = sizes[kind];
        if kind == 0 {
            // A window of consecutive shifts, every candidate free.
            let per_shift = (total_free as f64 / index.shifts.max(1) as f64).max(1.0);
            let width = ((size / per_shift).ceil() as usize).clamp(2, index.shifts);
            window_at = (window_at + width / 2 + rng.below(width)) % index.shifts.max(1);
            for s in window_at..(window_at + width).min(index.shifts) {
                for &m in &index.cand[s] {
                    fix[s * members + m] = None;
                    free += 1;
                }
            }
        } else {
            // Every other member neighbourhood stays within one class of members who
            // score every shift alike: the total load is then fixed and the fair shares
            // are constants, which gives HiGHS the tight deviation cuts.
            let within = match kind {
                2 => Some((class.as_slice(), false)),
                3 => Some((class.as_slice(), true)),
                _ => None,
            };
            let chosen = if kind == 4 {
                low_end = !low_end;
                plateau(problem, index, &current, size, low_end)
            } else {
                pick_members(problem, index, &current, size, within, &mut rng)
            };
            for s in 0..index.shifts {
                if !current.members[s].iter().any(|m| chosen.contains(m)) {
                    continue;
                }
                for &m in &chosen {
                    if index.is_candidate(s, m) {
                        fix[s * members + m] = None;
                        free += 1;
                    }
                }
            }
        }
        if free == 0 {
            continue;
        }
        let limit = left.min(plan::LNS_NEIGHBOURHOOD_SECONDS);
        let began = Instant::now();
        let outcome = model::solve(
            problem,
            index,
            &Params {
                warm: Some(&current),
                fix: Some(&fix),
                highs_log,
                ..Params::new(limit, 1e-6)
            },
        );
        let took = began.elapsed().as_secs_f64();
        late = late.max(took - limit);
        match outcome {
            Outcome::Solved {
                assignment,
                optimal,
                ..
            } => {
                let v = evaluate(problem, &assignment, previous).objective;
                if v < value - 1e-9 * value.abs().max(1.0) {
                    value = v;
                    current = assignment;
                    progress.reached(&format!("LNS kind {kind}, {free} free"), v, || {
                        current.clone()
                    });
                }
                // Grow while neighbourhoods solve quickly, shrink when they time out.
                if optimal && took < 0.25 * limit {
                    sizes[kind] = (size * 1.25).min(most);
                } else if !optimal {
                    sizes[kind] = (size * 0.7).max(least);
                }
            }
            _ => sizes[kind] = (size * 0.7).max(least),
        }
    }
    current
}

/// The most and least loaded members in fairness, then others at random, until about
/// `size` binaries would be free.
fn pick_members(
    problem: &Problem,
    index: &Index,
    current: &Assignment,
    size: f64,
    class: Option<(&[usize], bool)>,
    rng: &mut Rng,
) -> Vec<usize> {
    let members = index.members;
    let load = loads(problem, current, members);
    let mut fair: Vec<usize> = (0..members).filter(|&m| index.in_fairness[m]).collect();
    let normalized =
        |m: usize| (load[m] + problem.history[m]) / problem.capacity[m].max(f64::MIN_POSITIVE);
    let mut chosen: Vec<usize> = Vec::new();
    if !fair.is_empty() {
        // The extremes of imbalance ...
        fair.sort_by(|&a, &b| normalized(b).total_cmp(&normalized(a)).then(a.cmp(&b)));
        chosen.push(fair[0]);
        chosen.push(fair[fair.len() - 1]);
        // ... and some of the members furthest above and below their fair share.
        let capacity: f64 = fair.iter().map(|&m| problem.capacity[m]).sum();
        let pool: f64 = fair.iter().map(|&m| load[m] + problem.history[m]).sum();
        let excess =
            |m: usize| load[m] + problem.history[m] - problem.capacity[m] / capacity * pool;
        fair.sort_by(|&a, &b| excess(b).total_cmp(&excess(a)).then(a.cmp(&b)));
        if let Some((class, two)) = class {
            // One of the most loaded members and the members of their class (with `two`,
            // also the class of one of the least loaded).
            let reach = 8.min(fair.len());
            let over = fair[rng.below(reach)];
            let under = fair[fair.len() - 1 - rng.below(reach)];
            let keep = |m: usize| class[m] == class[over] || (two && class[m] == class[under]);
            fair.retain(|&m| keep(m));
            chosen.clear();
        }
        let reach = 8.min(fair.len());
        for _ in 0..2 {
            chosen.push(fair[rng.below(reach)]);
            chosen.push(fair[fair.len() - 1 - rng.below(reach)]);
        }
        chosen.sort_unstable();
        chosen.dedup();
    }
    let avg_held = average_held(current, members);
    let target = ((size / avg_held).sqrt().ceil() as usize).clamp(3, members);
    let pool: Vec<usize> = match class {
        Some(_) => fair.clone(),
        None => (0..members).collect(),
    };
    let mut guard = 0;
    while chosen.len() < target && guard < 10 * members && !pool.is_empty() {
        guard += 1;
        let m = pool[rng.below(pool.len())];
        if !chosen.contains(&m) {
            chosen.push(m);
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// Max − min is flat where several members share the extreme: moving one of them
/// changes nothing, so single moves and pair trades stall there. This takes the members
/// at the low end (or the high end) together with those best placed to even them out:
/// the most loaded members holding shifts the low ones could take (or the least loaded
/// ones who could take the high ones' shifts).
fn plateau(
    problem: &Problem,
    index: &Index,
    current: &Assignment,
    size: f64,
    low: bool,
) -> Vec<usize> {
    let members = index.members;
    let load = loads(problem, current, members);
    let normalized = |m: usize| (load[m] + problem.history[m]) / problem.capacity[m];
    let mut fair: Vec<usize> = (0..members).filter(|&m| index.in_fairness[m]).collect();
    // Lowest first when evening out the low end, highest first otherwise.
    fair.sort_by(|&a, &b| {
        let order = normalized(a).total_cmp(&normalized(b)).then(a.cmp(&b));
        if low { order } else { order.reverse() }
    });
    let avg_held = average_held(current, members);
    let half = ((size / avg_held).sqrt().ceil() as usize / 2).clamp(2, members);
    let extreme: Vec<usize> = fair.iter().copied().take(half).collect();
    // Low end: a partner holds a shift an extreme member could take; high end: a partner
    // could take a shift an extreme member holds.
    let partners_to = |p: usize| {
        current.members.iter().enumerate().any(|(s, holders)| {
            if low {
                holders.contains(&p) && extreme.iter().any(|&e| index.is_candidate(s, e))
            } else {
                index.is_candidate(s, p) && holders.iter().any(|h| extreme.contains(h))
            }
        })
    };
    let mut chosen = extreme.clone();
    chosen.extend(
        fair.iter()
            .rev()
            .copied()
            .filter(|p| !extreme.contains(p))
            .filter(|&p| partners_to(p))
            .take(half),
    );
    chosen.sort_unstable();
    chosen
}

/// Per member: the points they hold in `current`.
fn loads(problem: &Problem, current: &Assignment, members: usize) -> Vec<f64> {
    let mut load = vec![0.0; members];
    for (s, ms) in current.members.iter().enumerate() {
        for &m in ms {
            load[m] += problem.cells[s][m].points;
        }
    }
    load
}

/// Seats a member holds on average in `current` (at least 1).
fn average_held(current: &Assignment, members: usize) -> f64 {
    (current.members.iter().map(Vec::len).sum::<usize>() as f64 / members.max(1) as f64).max(1.0)
}

/// Per member: the first member whose points are the same on every shift.
fn point_classes(problem: &Problem, index: &Index) -> Vec<usize> {
    let same = |a: usize, b: usize| {
        (0..index.shifts).all(|s| problem.cells[s][a].points == problem.cells[s][b].points)
    };
    let mut class: Vec<usize> = (0..index.members).collect();
    for m in 0..index.members {
        if let Some(first) = (0..m).find(|&o| class[o] == o && same(o, m)) {
            class[m] = first;
        }
    }
    class
}
