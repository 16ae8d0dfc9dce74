//! An exact dynamic program over time for the smallest teams, where the MILP's bound is
//! the problem: whether a perfectly (or nearly) balanced schedule exists is a partition
//! question, and HiGHS proves "no" slowly (on a 3-person 12-hour month, some twenty
//! times slower than this program).
//!
//! Shifts are taken in start order. A state is what the rest of the schedule can still
//! see: the holders of the earlier shifts that some later shift conflicts with, follows
//! back to back or continues a run of (the frontier), the shift counts of members with
//! `max_shifts`, and the exact load of every member in fairness. Equal states keep the
//! cheaper past (the additive terms: total load, back-to-back pairs, prefer-off, churn);
//! the fairness terms are a function of the final loads. States whose cost so far plus
//! a bound on the rest cannot beat the incumbent are dropped, so the program either
//! finishes — the best leaf, or the incumbent, is optimal — or gives up at its budget.
//! Run under rising caps from a lower bound (`rising`), it also finds an optimum far
//! below the incumbent without enumerating everything in between.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rustc_hash::FxHasher;

use super::lagrange::{Guide, Target};
use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::solver::index::Index;
use crate::solver::plan;
use crate::solver::spread::Spread;

/// What the program found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Nothing scores below the incumbent: it is optimal.
    IncumbentOptimal,
    /// This schedule is optimal and scores below the incumbent.
    Better(Assignment),
    /// Budget or deadline reached, or the team is too large for the state encoding.
    GaveUp,
}

/// Loads are kept in millionths of a point, exact for every sum of quantized points.
pub(super) const SCALE: f64 = 1e6;
/// Members the state encoding holds: a relabelling packs each member into 3 bits
/// (`IDENTITY`). The plan runs the program for at most `plan::SMALL_TEAM` people: larger
/// teams' loads alone outgrow the budget within the first steps.
const MAX_MEMBERS: usize = 8;
const _: () = assert!(plan::SMALL_TEAM <= MAX_MEMBERS);

/// One way to fill a shift's seats, with everything that does not depend on the state.
#[derive(Debug, Clone)]
struct Choice {
    mask: u16,
    /// Total load, prefer-off and churn, weighted.
    cost: f64,
    /// Per member in fairness: added load (scaled).
    load: Vec<i64>,
}

/// The shift at one step and how it sees the frontier.
#[derive(Debug, Clone)]
struct Step {
    shift: usize,
    choices: Vec<Choice>,
    /// Frontier slots holding shifts this one conflicts with.
    conflict_slots: Vec<usize>,
    /// Frontier slots of back-to-back partners, with the members for whom that partner
    /// is after-hours.
    b2b_slots: Vec<(usize, u16)>,
    /// Members for whom this shift is after-hours.
    after_hours: u16,
    /// Frontier slots of the `max_consecutive` previous shifts of the layer when they
    /// are consecutive with this one, or of all its previous shifts when a run from
    /// before the period can reach the limit here.
    run_slots: Vec<usize>,
    /// Members who may not hold this shift on top of every shift in `run_slots` (0: no
    /// run can exceed the limit here).
    run_mask: u16,
    /// Slots of the frontier before this step.
    width: usize,
    /// For each slot of the next frontier: the slot in this one, or `None` for this
    /// step's own shift.
    next_from: Vec<Option<usize>>,
    /// The shifts of the next frontier's slots.
    next_shifts: Vec<usize>,
    /// Per slot of the next frontier that only runs look back at (no later shift
    /// conflicts with its shift or follows it back to back): the slot of the layer's
    /// next shift, once that is placed. A run through this slot can go on only with
    /// that shift's holders, so the others' bits are forgotten (`forget_ended_runs`).
    run_next: Vec<Option<usize>>,
}

impl Step {
    /// Clears, in the next frontier's masks, the holders of shifts kept only for runs
    /// whose run has ended: states that differ only there have the same future and
    /// become one (a daily layer with `max_consecutive = 3` otherwise keeps who held
    /// each of the last three days: several times the states).
    fn forget_ended_runs(&self, frontier: &mut [i64]) {
        // The next shift of a layer is later, so its slot is later and already done.
        for slot in (0..frontier.len()).rev() {
            if let Some(next) = self.run_next[slot] {
                frontier[slot] &= frontier[next];
            }
        }
    }
}

/// Static facts for the bound on what is still to come.
struct Rest {
    /// Per step: the least additive cost of all shifts from this step on.
    additive: Vec<f64>,
    /// Per step and member in fairness: the most load (scaled) still obtainable.
    reach: Vec<Vec<i64>>,
    /// Per step: the least and the most load (scaled) that members in fairness receive
    /// together from this step on.
    pool: Vec<(i64, i64)>,
}

struct Fairness {
    capacity: Vec<f64>,
    total_capacity: f64,
    /// For the terms of final loads.
    spread: Spread,
    /// History (scaled).
    history: Vec<i64>,
    imbalance: f64,
    deviation: f64,
}

impl Fairness {
    /// Over the members in fairness, in that order; `history` in points.
    fn new(capacity: Vec<f64>, history: &[f64], imbalance: f64, deviation: f64) -> Fairness {
        Fairness {
            total_capacity: capacity.iter().sum(),
            spread: Spread::new(&capacity, history, &vec![true; capacity.len()]),
            history: history.iter().map(|&h| scaled(h)).collect(),
            capacity,
            imbalance,
            deviation,
        }
    }

    /// Weighted imbalance and deviation of final loads (scaled), as the rest of the
    /// solver computes them.
    fn terms(&mut self, load: &[i64]) -> f64 {
        for (p, &l) in load.iter().enumerate() {
            self.spread.set(p, l as f64 / SCALE);
        }
        let (imbalance, deviation) = self.spread.terms();
        self.imbalance * imbalance + self.deviation * deviation
    }

    /// Normalized load (points per capacity) of member `p` carrying `load` (scaled).
    fn normalized(&self, p: usize, load: i64) -> f64 {
        (load + self.history[p]) as f64 / SCALE / self.capacity[p]
    }

    /// A lower bound on [`Fairness::terms`] when each member's final load lies between
    /// `load` and `load + reach` and the members in fairness still receive between
    /// `pool.0` and `pool.1` points together (all scaled); infinite when no such loads
    /// exist.
    ///
    /// Imbalance: the intervals' gap (max lo − min hi); the catch-up (lifting everyone
    /// to within z of the leader must fit in the pool); the absorption (what must still
    /// come must fit below min hi + z). Deviation: the least capacity-weighted distance
    /// of the intervals from the mean, which the pool pins to a range.
    fn bound(&self, load: &[i64], reach: &[i64], pool: (i64, i64)) -> f64 {
        if self.capacity.is_empty() {
            return 0.0;
        }
        let k = load.len();
        let c = &self.capacity[..k];
        let mut lo = [0.0; MAX_MEMBERS];
        let mut hi = [0.0; MAX_MEMBERS];
        let (mut max_lo, mut min_hi) = (f64::NEG_INFINITY, f64::INFINITY);
        let (mut now, mut top) = (0.0, 0.0);
        for p in 0..k {
            lo[p] = self.normalized(p, load[p]);
            hi[p] = self.normalized(p, load[p] + reach[p]);
            max_lo = max_lo.max(lo[p]);
            min_hi = min_hi.min(hi[p]);
            now += c[p] * lo[p];
            top += c[p] * hi[p];
        }
        let (lo, hi) = (&lo[..k], &hi[..k]);
        // Σ c·n of the final loads (points plus history).
        let least = now + pool.0 as f64 / SCALE;
        if least > top + 1e-9 * top.abs().max(1.0) {
            return f64::INFINITY;
        }
        let most = (now + pool.1 as f64 / SCALE).min(top);
        let least = least.min(most);

        let mut order = [0usize; MAX_MEMBERS];
        let order = &mut order[..k];
        for (i, o) in order.iter_mut().enumerate() {
            *o = i;
        }
        // The highest level v with Σ c·max(lo, v) ≤ most.
        order.sort_unstable_by(|&a, &b| lo[a].total_cmp(&lo[b]));
        let mut level = max_lo;
        if max_lo * self.total_capacity > most {
            let mut below = 0.0;
            let mut above: f64 = order.iter().map(|&p| c[p] * lo[p]).sum();
            for (j, &p) in order.iter().enumerate() {
                below += c[p];
                above -= c[p] * lo[p];
                let v = (most - above) / below;
                let next = order.get(j + 1).map_or(f64::INFINITY, |&q| lo[q]);
                if v <= next {
                    level = v.max(lo[p]);
                    break;
                }
            }
        }
        // The lowest ceiling w with Σ c·min(hi, w) ≥ least.
        order.sort_unstable_by(|&a, &b| hi[a].total_cmp(&hi[b]));
        let mut ceiling = min_hi;
        if min_hi * self.total_capacity < least {
            let mut under = 0.0;
            let mut over = self.total_capacity;
            for (j, &p) in order.iter().enumerate() {
                under += c[p] * hi[p];
                over -= c[p];
                let next = order.get(j + 1).map_or(f64::INFINITY, |&q| hi[q]);
                let w = if over > 0.0 {
                    (least - under) / over
                } else {
                    hi[p]
                };
                if w <= next {
                    ceiling = w.max(hi[p]);
                    break;
                }
            }
        }
        let imbalance = (max_lo - min_hi)
            .max(max_lo - level)
            .max(ceiling - min_hi)
            .max(0.0);

        // Σ c·dist(μ, [lo, hi]) is convex and piecewise linear in μ: its least value over
        // the mean's range is at an end of that range or at an interval end inside it.
        let distance = |mu: f64| -> f64 {
            (0..k)
                .map(|p| c[p] * (lo[p] - mu).max(mu - hi[p]).max(0.0))
                .sum()
        };
        let (mu_lo, mu_hi) = (least / self.total_capacity, most / self.total_capacity);
        let deviation = lo
            .iter()
            .chain(hi)
            .copied()
            .filter(|&mu| mu > mu_lo && mu < mu_hi)
            .chain([mu_lo, mu_hi])
            .map(distance)
            .fold(f64::INFINITY, f64::min);
        self.imbalance * imbalance + self.deviation * deviation
    }
}

/// When the program gives up: after `budget` states in all (a count, not a time, so the
/// verdict does not depend on the machine), at `until`, or once `cancel` is set.
pub(crate) struct Limits<'a> {
    pub until: Instant,
    pub budget: usize,
    pub cancel: &'a AtomicBool,
}

/// Proves the incumbent (objective `incumbent`) optimal or finds the optimum, within
/// `limits`. `fair_floor` (fairness terms every schedule has at least) and `guide` (the
/// Lagrangian bound's cost to go) only prune.
pub(crate) fn solve(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    limits: Limits,
    fair_floor: Option<f64>,
    guide: Option<&Guide>,
) -> Verdict {
    let mut left = limits.budget;
    below(
        problem, index, incumbent, &limits, &mut left, fair_floor, guide,
    )
}

/// Shares of the distance from the lower bound to the incumbent at which the program
/// looks for a schedule before it looks below the incumbent itself (`rising`).
const RISING: [f64; 6] = [1.0 / 64.0, 1.0 / 32.0, 1.0 / 16.0, 1.0 / 8.0, 0.25, 0.5];

/// [`solve`] under rising caps: first for a schedule scoring below `lower` (a proven
/// bound) plus a share of the way to the incumbent, then a larger share, and so on
/// while that stays cheap; then below the incumbent. Where the heuristics' incumbent is
/// far above the optimum, the states below a cap can grow steeply with it, and a cap
/// just above the optimum finds and proves it at a fraction of the states (a few
/// percent above: a small share of the budget, against more than the whole budget
/// below the incumbent). Each cap may spend `plan::RISING_BUDGET_DIVISOR`th of the
/// budget at most. A schedule found under any cap is the optimum:
/// the program drops only states that cannot end below the cap. Returns the verdict
/// and the highest cap under which nothing exists, a bound on every schedule (`lower`
/// if none).
pub(crate) fn rising(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    lower: f64,
    limits: Limits,
    fair_floor: Option<f64>,
    guide: Option<&Guide>,
) -> (Verdict, f64) {
    let mut left = limits.budget;
    let mut bound = lower;
    if lower.is_finite() && incumbent.is_finite() {
        let caps = RISING
            .iter()
            .map(|share| lower + share * (incumbent - lower))
            .filter(|&cap| cap > lower && cap < incumbent);
        for cap in caps {
            let given = left.min(limits.budget / plan::RISING_BUDGET_DIVISOR);
            let mut run = given;
            let verdict = below(problem, index, cap, &limits, &mut run, fair_floor, guide);
            left -= given - run;
            match verdict {
                // Nothing scores below the cap (up to its tolerance).
                Verdict::IncumbentOptimal => bound = bound.max(cap - tolerance(cap)),
                // No longer cheap: straight to the incumbent.
                Verdict::GaveUp => break,
                better => return (better, bound),
            }
        }
    }
    let verdict = below(
        problem, index, incumbent, &limits, &mut left, fair_floor, guide,
    );
    (verdict, bound)
}

/// Float noise of an objective; an infinite incumbent (none) prunes nothing.
fn tolerance(incumbent: f64) -> f64 {
    if incumbent.is_finite() {
        1e-6 * incumbent.abs().max(1.0)
    } else {
        0.0
    }
}

/// The program for schedules scoring below `incumbent`, spending `left` states.
fn below(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    limits: &Limits,
    left: &mut usize,
    fair_floor: Option<f64>,
    guide: Option<&Guide>,
) -> Verdict {
    let &Limits { until, cancel, .. } = limits;
    let floor = fair_floor.map_or(f64::NEG_INFINITY, |f| f - 1e-6 * f.abs().max(1.0));
    let members = index.members;
    if members > MAX_MEMBERS || index.shifts == 0 {
        return Verdict::GaveUp;
    }
    let w = problem.objective;
    let fair: Vec<usize> = (0..members).filter(|&m| index.in_fairness[m]).collect();
    let mut fair_pos = vec![None; members];
    for (i, &m) in fair.iter().enumerate() {
        fair_pos[m] = Some(i);
    }
    let capped: Vec<(usize, i64)> = (0..members)
        .filter_map(|m| index.max_shifts[m].map(|max| (m, i64::from(max))))
        .collect();
    let mut fairness = Fairness::new(
        fair.iter().map(|&m| problem.capacity[m]).collect(),
        &fair.iter().map(|&m| problem.history[m]).collect::<Vec<_>>(),
        w.imbalance,
        w.deviation,
    );
    let Some((steps, rest)) = steps(problem, index, &fair_pos) else {
        return Verdict::GaveUp;
    };
    let tolerance = tolerance(incumbent);
    let guide = guide.and_then(|g| Guided::new(g, &steps, incumbent, tolerance));

    let relabel = Relabel {
        groups: crate::solver::symmetry::interchangeable(problem, index),
        fair_pos: fair_pos.clone(),
        cap_pos: (0..members)
            .map(|m| capped.iter().position(|&(c, _)| c == m))
            .collect(),
        capped: capped.len(),
    };

    // The states of one step: keys (frontier masks, capped counts, fair loads) and
    // costs so far; per step, every state's parent and choice.
    let key_len = |frontier: usize| frontier + capped.len() + fair.len();
    let mut layer = Layer::new(key_len(0));
    layer.push(&vec![0; key_len(0)], 0.0, (0, 0, IDENTITY));
    let mut trail: Vec<Vec<(u32, u16, u32)>> = Vec::with_capacity(steps.len());

    for (t, step) in steps.iter().enumerate() {
        if Instant::now() >= until || cancel.load(Ordering::Relaxed) {
            return Verdict::GaveUp;
        }
        let width = step.width;
        let next_width = step.next_from.len();
        let mut next = Layer::new(key_len(next_width));
        let mut key = vec![0i64; key_len(next_width)];
        let mut loads = vec![0i64; fair.len()];

        for i in 0..layer.costs.len() {
            if i % 4096 == 4095 && (cancel.load(Ordering::Relaxed) || Instant::now() >= until) {
                return Verdict::GaveUp;
            }
            let state = layer.key(i);
            let cost = layer.costs[i];
            let mask_of = |slot: usize| state[slot] as u16;
            let blocked = step
                .conflict_slots
                .iter()
                .fold(0u16, |acc, &slot| acc | mask_of(slot));
            // Members of `run_mask` holding each of the shifts of `run_slots`.
            let over_run = step
                .run_slots
                .iter()
                .fold(step.run_mask, |acc, &slot| acc & mask_of(slot));
            let counts = &state[width..width + capped.len()];
            let held = &state[width + capped.len()..];
            for choice in &step.choices {
                if choice.mask & (blocked | over_run) != 0 {
                    continue;
                }
                let full = capped
                    .iter()
                    .zip(counts)
                    .any(|(&(m, max), &count)| choice.mask >> m & 1 == 1 && count >= max);
                if full {
                    continue;
                }
                let pairs: u32 = step
                    .b2b_slots
                    .iter()
                    .map(|&(slot, ah)| {
                        (mask_of(slot) & ah & choice.mask & step.after_hours).count_ones()
                    })
                    .sum();
                let value = cost + choice.cost + w.back_to_back_after_hours * f64::from(pairs);
                for (p, l) in loads.iter_mut().enumerate() {
                    *l = held[p] + choice.load[p];
                }
                if value + rest.additive[t + 1] + floor >= incumbent - tolerance {
                    continue;
                }
                if let Some(guided) = &guide {
                    let holders = |slot: usize| match step.next_from[slot] {
                        Some(old) => mask_of(old),
                        None => choice.mask,
                    };
                    let load = |m: usize| fair_pos[m].map_or(0, |p| loads[p]);
                    if !guided.open(t, holders, load, value) {
                        continue;
                    }
                }
                // Without the guide, the loads' own bound (the guide's targets are
                // the loads that can still win, with their fairness terms exact).
                if guide.is_none()
                    && value
                        + rest.additive[t + 1]
                        + fairness
                            .bound(&loads, &rest.reach[t + 1], rest.pool[t + 1])
                            .max(floor)
                        >= incumbent - tolerance
                {
                    continue;
                }
                for (slot, from) in step.next_from.iter().enumerate() {
                    key[slot] = match from {
                        Some(old) => state[*old],
                        None => i64::from(choice.mask),
                    };
                }
                step.forget_ended_runs(&mut key[..next_width]);
                for (c, &(m, _)) in capped.iter().enumerate() {
                    key[next_width + c] = counts[c] + i64::from(choice.mask >> m & 1);
                }
                key[next_width + capped.len()..].copy_from_slice(&loads);
                let perm = relabel.apply(&mut key, next_width);
                if next.merge(&key, value, (i as u32, choice.mask, perm)) {
                    if *left == 0 || next.costs.len() > plan::EXACT_LAYER_STATES {
                        return Verdict::GaveUp;
                    }
                    *left -= 1;
                }
            }
        }
        trail.push(std::mem::take(&mut next.links));
        layer = next;
    }

    // Leaves: the frontier is empty; add the fairness terms.
    let mut best: Option<(f64, usize)> = None;
    for i in 0..layer.costs.len() {
        let value = layer.costs[i] + fairness.terms(&layer.key(i)[capped.len()..]);
        if value < incumbent - tolerance && best.is_none_or(|(b, _)| value < b) {
            best = Some((value, i));
        }
    }
    let Some((_, mut at)) = best else {
        return Verdict::IncumbentOptimal;
    };
    // Each state's labels are its parent's relabelled; the last state's are taken for
    // the real ones, and each earlier state's follow from its child's.
    let mut real: Vec<usize> = (0..members).collect();
    let mut members_of = vec![Vec::new(); index.shifts];
    for (step, links) in steps.iter().zip(&trail).rev() {
        let (parent, mask, perm) = links[at];
        real = (0..members).map(|m| real[unpack(perm, m)]).collect();
        let mut held: Vec<usize> = (0..members)
            .filter(|&m| mask >> m & 1 == 1)
            .map(|m| real[m])
            .collect();
        held.sort_unstable();
        members_of[step.shift] = held;
        at = parent as usize;
    }
    Verdict::Better(Assignment {
        members: members_of,
    })
}

/// The Lagrangian guide as the program reads it. Its tables are per member; members
/// relabelled within a group (`Relabel`) have the same table, and the targets, every
/// load vector that can still win, are closed under exchanging them.
struct Guided<'a> {
    guide: &'a Guide,
    /// Per step, for each live bit of the guide's masks after it, the frontier slot
    /// holding that shift.
    slots: Vec<Vec<usize>>,
    /// The targets a schedule below the incumbent can still end at, each with the most
    /// such a schedule may cost besides its fairness terms: on the objective's lattice,
    /// its highest value below the incumbent.
    targets: Vec<(&'a Target, f64)>,
}

impl<'a> Guided<'a> {
    /// `None` unless the steps are the guide's (shift order) and every live shift is on
    /// the frontier.
    fn new(guide: &'a Guide, steps: &[Step], incumbent: f64, tolerance: f64) -> Option<Guided<'a>> {
        let slots = steps
            .iter()
            .enumerate()
            .map(|(t, step)| {
                if step.shift != t {
                    return None;
                }
                guide.live[t + 1]
                    .iter()
                    .map(|&a| step.next_shifts.iter().position(|&u| u == a))
                    .collect()
            })
            .collect::<Option<Vec<Vec<usize>>>>()?;
        let below = incumbent - tolerance;
        let noise = 1e-7 * incumbent.abs().max(1.0);
        let targets = guide
            .targets
            .iter()
            .map(|target| {
                let cap = match guide.step {
                    Some(Some(step)) => {
                        let k = ((below - target.level) / step).ceil() - 1.0;
                        if k < 0.0 {
                            f64::NEG_INFINITY
                        } else {
                            target.level + k * step + noise
                        }
                    }
                    Some(None) if target.level < below => target.level + noise,
                    Some(None) => f64::NEG_INFINITY,
                    None => below,
                };
                (target, cap - target.fairness)
            })
            // Under a cap well below the best known (`rising`) most targets are out of
            // reach; checking them made a state cost more than twice as much.
            .filter(|&(_, cap)| cap > f64::NEG_INFINITY)
            .collect();
        Some(Guided {
            guide,
            slots,
            targets,
        })
    }

    /// Whether a state after step `t` (the members holding each next frontier slot,
    /// each member's load, `value` so far) can still end at some target under its cap.
    fn open(
        &self,
        t: usize,
        holders: impl Fn(usize) -> u16,
        load: impl Fn(usize) -> i64,
        value: f64,
    ) -> bool {
        let g = self.guide;
        let mut masks = [0u32; MAX_MEMBERS];
        for (bit, &slot) in self.slots[t].iter().enumerate() {
            let mut h = holders(slot);
            while h != 0 {
                masks[h.trailing_zeros() as usize] |= 1 << bit;
                h &= h - 1;
            }
        }
        let mut costs: [&[f64]; MAX_MEMBERS] = [&[]; MAX_MEMBERS];
        for (m, table) in g.tables.iter().enumerate() {
            match table.get(t + 1, load(m), masks[m]) {
                Some(c) => costs[m] = c,
                None => return false,
            }
        }
        let spent = value + g.prices[t + 1];
        self.targets.iter().any(|&(target, cap)| {
            // (Priced costs may be negative: no early exit.)
            let rest: f64 = target
                .at
                .iter()
                .enumerate()
                .map(|(m, &k)| costs[m][k as usize])
                .sum();
            spent + rest <= cap
        })
    }
}

/// No relabelling: each member keeps its label.
const IDENTITY: u32 = 0o76543210;

/// The label member `m` takes under the packed relabelling `perm` (3 bits a member).
fn unpack(perm: u32, m: usize) -> usize {
    (perm >> (3 * m) & 7) as usize
}

/// Interchangeable members (`symmetry`) relabelled within their groups so that states
/// equal up to exchanging their whole pasts are one: the futures of the two are the
/// same up to the exchange, at the same cost.
struct Relabel {
    groups: Vec<Vec<usize>>,
    fair_pos: Vec<Option<usize>>,
    cap_pos: Vec<Option<usize>>,
    capped: usize,
}

impl Relabel {
    /// Puts `key` (frontier of `width` slots, capped counts, fair loads) in canonical
    /// form: within each group, members by descending (load, count, frontier slots
    /// held). Returns the relabelling, packed.
    fn apply(&self, key: &mut [i64], width: usize) -> u32 {
        if self.groups.is_empty() || width > 64 {
            return IDENTITY;
        }
        let (frontier, rest) = key.split_at_mut(width);
        let (counts, loads) = rest.split_at_mut(self.capped);
        let held = |m: usize| {
            frontier
                .iter()
                .enumerate()
                .filter(|&(_, &mask)| mask >> m & 1 == 1)
                .fold(0u64, |acc, (slot, _)| acc | 1 << slot)
        };
        let sign = |m: usize| {
            (
                self.fair_pos[m].map_or(0, |p| loads[p]),
                self.cap_pos[m].map_or(0, |c| counts[c]),
                held(m),
            )
        };
        let mut perm = IDENTITY;
        let mut moved = false;
        for group in &self.groups {
            let mut by = [0usize; MAX_MEMBERS];
            let by = &mut by[..group.len()];
            by.copy_from_slice(group);
            by.sort_by(|&a, &b| sign(b).cmp(&sign(a)).then(a.cmp(&b)));
            for (&label, &m) in group.iter().zip(by.iter()) {
                if label != m {
                    moved = true;
                    perm = (perm & !(7 << (3 * m))) | (label as u32) << (3 * m);
                }
            }
        }
        if !moved {
            return IDENTITY;
        }
        for mask in frontier.iter_mut() {
            let old = *mask as u16;
            let mut new = 0u16;
            let mut bits = old;
            while bits != 0 {
                new |= 1 << unpack(perm, bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
            *mask = i64::from(new);
        }
        let mut old_counts = [0i64; MAX_MEMBERS];
        let mut old_loads = [0i64; MAX_MEMBERS];
        old_counts[..counts.len()].copy_from_slice(counts);
        old_loads[..loads.len()].copy_from_slice(loads);
        for group in &self.groups {
            for &m in group {
                let to = unpack(perm, m);
                if let (Some(a), Some(b)) = (self.fair_pos[m], self.fair_pos[to]) {
                    loads[b] = old_loads[a];
                }
                if let (Some(a), Some(b)) = (self.cap_pos[m], self.cap_pos[to]) {
                    counts[b] = old_counts[a];
                }
            }
        }
        perm
    }
}

/// The states after one step, deduplicated by key in an open-addressing table over one
/// flat key array (against a `HashMap` of boxed keys, and with a second merge key
/// dropped at the same time, the program ran about 3× faster).
struct Layer {
    key_len: usize,
    keys: Vec<i64>,
    costs: Vec<f64>,
    /// Per state: the parent's index in the previous layer and the choice taken.
    links: Vec<(u32, u16, u32)>,
    /// State index + 1, or 0 for empty; a power of two long.
    table: Vec<u32>,
}

impl Layer {
    fn new(key_len: usize) -> Layer {
        Layer {
            key_len,
            keys: Vec::new(),
            costs: Vec::new(),
            links: Vec::new(),
            table: vec![0; 1024],
        }
    }

    fn key(&self, i: usize) -> &[i64] {
        &self.keys[i * self.key_len..(i + 1) * self.key_len]
    }

    fn push(&mut self, key: &[i64], cost: f64, link: (u32, u16, u32)) {
        self.keys.extend_from_slice(key);
        self.costs.push(cost);
        self.links.push(link);
    }

    fn slot(&self, key: &[i64]) -> usize {
        let mut hasher = FxHasher::default();
        key.hash(&mut hasher);
        hasher.finish() as usize & (self.table.len() - 1)
    }

    /// Keeps the cheaper of `key`'s state and this one; true when the key is new.
    fn merge(&mut self, key: &[i64], cost: f64, link: (u32, u16, u32)) -> bool {
        let mask = self.table.len() - 1;
        let mut at = self.slot(key);
        loop {
            match self.table[at] {
                0 => break,
                j => {
                    let j = j as usize - 1;
                    if self.key(j) == key {
                        // Ties keep the first: the verdict does not depend on hashing.
                        if cost < self.costs[j] {
                            self.costs[j] = cost;
                            self.links[j] = link;
                        }
                        return false;
                    }
                    at = (at + 1) & mask;
                }
            }
        }
        self.push(key, cost, link);
        self.table[at] = self.costs.len() as u32;
        if self.costs.len() * 2 > self.table.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        self.table = vec![0; self.table.len() * 2];
        let mask = self.table.len() - 1;
        for i in 0..self.costs.len() {
            let mut at = self.slot(self.key(i));
            while self.table[at] != 0 {
                at = (at + 1) & mask;
            }
            self.table[at] = i as u32 + 1;
        }
    }
}

pub(super) fn scaled(points: f64) -> i64 {
    (points * SCALE).round() as i64
}

/// The steps in start order, or `None` when a shift has too many ways to fill its
/// seats for this program.
fn steps(
    problem: &Problem,
    index: &Index,
    fair_pos: &[Option<usize>],
) -> Option<(Vec<Step>, Rest)> {
    let n = index.shifts;
    let fairs = fair_pos.iter().flatten().count();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&s| (problem.shifts[s].start, s));
    let mut step_of = vec![0; n];
    for (t, &s) in order.iter().enumerate() {
        step_of[s] = t;
    }
    let k = index.max_consecutive as usize;
    // Earlier shifts of the same layer whose holders a run through `s` depends on, and
    // the members whose run is too long if they hold all of them and `s`: everyone, for
    // the K shifts before `s`; for one of the layer's first K shifts, those who held
    // enough of the layer's shifts right before the period.
    let run_before = |s: usize| -> (Vec<usize>, u16) {
        if k == 0 {
            return (Vec::new(), 0);
        }
        let layer = problem.shifts[s].layer;
        let list = &index.layer_shifts[layer];
        let pos = index.pos_in_layer[s];
        let (from, mask) = if pos >= k {
            (pos - k, u16::MAX)
        } else {
            let carried = (0..index.members)
                .filter(|&m| problem.members[m].earlier_run[layer] as usize + pos >= k)
                .fold(0u16, |acc, m| acc | 1 << m);
            (0, carried)
        };
        let seq = |i: usize| problem.shifts[list[i]].seq_in_layer;
        if mask != 0 && (from..pos).all(|i| seq(i) + 1 == seq(i + 1)) {
            (list[from..pos].to_vec(), mask)
        } else {
            (Vec::new(), 0)
        }
    };
    // The last step that looks back at each step: for a conflict or a back-to-back
    // pair (`last_paired`), and for those or a run (`last_use`).
    let mut last_paired: Vec<usize> = (0..n).collect();
    let mut last_use: Vec<usize> = (0..n).collect();
    for s in 0..n {
        let t = step_of[s];
        let paired = index.conflicts[s]
            .iter()
            .chain(&index.b2b_prev[s])
            .chain(&index.b2b_next[s]);
        for &o in paired {
            let u = step_of[o];
            if u < t {
                last_paired[u] = last_paired[u].max(t);
            }
        }
        for o in run_before(s).0 {
            let u = step_of[o];
            if u < t {
                last_use[u] = last_use[u].max(t);
            }
        }
    }
    for (used, &paired) in last_use.iter_mut().zip(&last_paired) {
        *used = (*used).max(paired);
    }

    let after_hours = |s: usize| -> u16 {
        (0..index.members)
            .filter(|&m| problem.cells[s][m].after_hours)
            .fold(0, |acc, m| acc | 1 << m)
    };
    let mut steps = Vec::with_capacity(n);
    let mut frontier: Vec<usize> = Vec::new();
    let mut additive = vec![0.0; n + 1];
    let mut pool = vec![(0i64, 0i64); n + 1];
    for (t, &s) in order.iter().enumerate() {
        let slot = |o: usize| frontier.iter().position(|&u| u == step_of[o]);
        let earlier = |o: &&usize| step_of[**o] < t;
        let conflict_slots = index.conflicts[s]
            .iter()
            .filter(earlier)
            .filter_map(|&o| slot(o))
            .collect();
        let b2b_slots = index.b2b_prev[s]
            .iter()
            .chain(&index.b2b_next[s])
            .filter(earlier)
            .filter_map(|&o| slot(o).map(|sl| (sl, after_hours(o))))
            .collect();
        let (before, run_mask) = run_before(s);
        let run_slots: Vec<usize> = before.iter().filter_map(|&o| slot(o)).collect();
        let (run_slots, run_mask) = if run_slots.len() == before.len() {
            (run_slots, run_mask)
        } else {
            (Vec::new(), 0)
        };
        let choices = choices(problem, index, s, fair_pos, fairs)?;
        additive[t] = choices.iter().map(|c| c.cost).fold(f64::INFINITY, f64::min);
        let fair_load = |c: &Choice| c.load.iter().sum::<i64>();
        pool[t] = (
            choices.iter().map(fair_load).min().unwrap_or(0),
            choices.iter().map(fair_load).max().unwrap_or(0),
        );
        let mut next: Vec<usize> = frontier.iter().copied().chain([t]).collect();
        next.retain(|&u| last_use[u] > t);
        let next_from = next
            .iter()
            .map(|&u| frontier.iter().position(|&v| v == u))
            .collect();
        let next_shifts = next.iter().map(|&u| order[u]).collect();
        let run_next = next
            .iter()
            .map(|&u| {
                if last_paired[u] > t {
                    return None;
                }
                let a = order[u];
                let layer = &index.layer_shifts[problem.shifts[a].layer];
                let b = *layer.get(index.pos_in_layer[a] + 1)?;
                next.iter().position(|&v| v == step_of[b])
            })
            .collect();
        steps.push(Step {
            shift: s,
            next_shifts,
            run_next,
            choices,
            conflict_slots,
            b2b_slots,
            after_hours: after_hours(s),
            run_slots,
            run_mask,
            width: std::mem::replace(&mut frontier, next).len(),
            next_from,
        });
    }
    for t in (0..n).rev() {
        additive[t] += additive[t + 1];
        pool[t] = (pool[t].0 + pool[t + 1].0, pool[t].1 + pool[t + 1].1);
    }
    let mut reach = vec![vec![0i64; fairs]; n + 1];
    for (m, p) in fair_pos.iter().enumerate() {
        if let Some(p) = *p {
            for (t, most) in most_load(problem, index, &order, &step_of, m)
                .into_iter()
                .enumerate()
            {
                reach[t][p] = most;
            }
        }
    }
    Some((
        steps,
        Rest {
            additive,
            reach,
            pool,
        },
    ))
}

/// Per step: the most load (scaled) member `m` can take from that step on, by the
/// rules that limit one person alone — no two conflicting shifts (a weighted interval
/// schedule, exact), and no run longer than `max_consecutive` in any layer — taking the
/// smaller of the two.
fn most_load(
    problem: &Problem,
    index: &Index,
    order: &[usize],
    step_of: &[usize],
    m: usize,
) -> Vec<i64> {
    let n = order.len();
    let points = |s: usize| {
        if index.is_candidate(s, m) {
            scaled(problem.cells[s][m].points)
        } else {
            0
        }
    };
    // Later shifts conflicting with one are the next ones in start order.
    let mut apart = vec![0; n];
    for (t, &s) in order.iter().enumerate() {
        apart[t] = index.conflicts[s]
            .iter()
            .map(|&o| step_of[o] + 1)
            .filter(|&u| u > t)
            .max()
            .unwrap_or(t + 1);
    }
    let mut alone = vec![0i64; n + 1];
    for t in (0..n).rev() {
        let take = points(order[t]) + alone[apart[t]];
        alone[t] = alone[t + 1].max(if points(order[t]) > 0 { take } else { 0 });
    }
    let k = index.max_consecutive as usize;
    if k == 0 {
        return alone;
    }
    // Per layer, from each position on, with no run entering it.
    let mut runs = vec![0i64; n + 1];
    for list in &index.layer_shifts {
        let len = list.len();
        // best[i][r]: from position i on, with a run of r held just before it.
        let mut best = vec![vec![0i64; k + 1]; len + 1];
        for i in (0..len).rev() {
            let joined = i + 1 < len
                && problem.shifts[list[i]].seq_in_layer + 1
                    == problem.shifts[list[i + 1]].seq_in_layer;
            for r in 0..=k {
                let skip = best[i + 1][0];
                let w = points(list[i]);
                let take = if w > 0 && r < k {
                    w + best[i + 1][if joined { r + 1 } else { 0 }]
                } else {
                    0
                };
                best[i][r] = skip.max(take);
            }
        }
        // Position of the first shift of the layer at or after each step.
        let mut i = len;
        for t in (0..n).rev() {
            while i > 0 && step_of[list[i - 1]] >= t {
                i -= 1;
            }
            runs[t] += best[i][0];
        }
    }
    alone.iter().zip(&runs).map(|(a, r)| *a.min(r)).collect()
}

/// Every set of `per_shift` candidates that includes the fixed seats.
fn choices(
    problem: &Problem,
    index: &Index,
    s: usize,
    fair_pos: &[Option<usize>],
    fairs: usize,
) -> Option<Vec<Choice>> {
    let seats = problem.shifts[s].per_shift as usize;
    let fixed = &index.fixed[s];
    let free: Vec<usize> = index.cand[s]
        .iter()
        .copied()
        .filter(|m| !fixed.contains(m))
        .collect();
    let need = seats.checked_sub(fixed.len())?;
    // As in the MILP, a fixed seat needs an available member.
    if need > free.len() || fixed.iter().any(|&m| !index.is_candidate(s, m)) {
        return Some(Vec::new());
    }
    let mut sets: Vec<Vec<usize>> = Vec::new();
    combinations(&free, need, &mut Vec::new(), &mut sets);
    if sets.len() > plan::EXACT_SEAT_CHOICES {
        return None;
    }
    let cost_of = |m: usize| index.seat_cost(problem, s, m);
    Some(
        sets.into_iter()
            .map(|mut set| {
                set.extend_from_slice(fixed);
                let mut load = vec![0i64; fairs];
                for &m in &set {
                    if let Some(p) = fair_pos[m] {
                        load[p] += scaled(problem.cells[s][m].points);
                    }
                }
                Choice {
                    mask: set.iter().fold(0, |acc, &m| acc | 1 << m),
                    cost: set.iter().map(|&m| cost_of(m)).sum(),
                    load,
                }
            })
            .collect(),
    )
}

fn combinations(from: &[usize], k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    if current.len() == k {
        out.push(current.clone());
        return;
    }
    for (i, &m) in from.iter().enumerate() {
        current.push(m);
        combinations(&from[i + 1..], k, current, out);
        current.pop();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::problem::Exclusion;
    use crate::problem::evaluate::evaluate;
    use crate::problem::rules::check;
    use crate::solver::index::Rules;
    use crate::solver::milp::model::{self, Outcome, Params};
    use crate::testkit::hours as testkit;
    use crate::testkit::instance::XorShift;

    /// 3–4 members over 9 daily shifts and a second layer of two overlapping 36-hour
    /// shifts, with everything the program tracks: uneven points, after-hours and
    /// prefer-off cells, blocked cells, capacity, history, `max_shifts`, a pin, rest or
    /// runs, two seats on one shift.
    fn varied(seed: u64) -> Problem {
        let mut rng = XorShift::new(seed);
        let members = 3 + rng.below(2) as usize;
        let mut shifts = one_every(9, 24, 24);
        shifts.insert(3, (1, 60, 36));
        shifts.insert(7, (1, 132, 36));
        let rules = ConfigRules {
            min_rest_hours: [0.0, 12.0][rng.below(2) as usize],
            max_consecutive: [0, 2, 3][rng.below(3) as usize],
            ..ConfigRules::default()
        };
        let mut problem = testkit::problem(members, &shifts, rules);
        for (row, &(_, _, hours)) in problem.cells.iter_mut().zip(&shifts) {
            for cell in row.iter_mut() {
                cell.points = hours as f64 * [1.0, 1.25, 1.5, 2.0][rng.below(4) as usize];
                cell.after_hours = rng.chance(0.5);
                cell.prefer_off = rng.chance(0.1);
                if rng.chance(0.12) {
                    cell.blocked = Some(Exclusion::NotEligible);
                }
            }
        }
        problem.shifts[rng.below(9) as usize].per_shift = 2;
        for m in 0..members {
            problem.capacity[m] = [1.0, 1.0, 0.5, 0.8][rng.below(4) as usize];
            problem.history[m] = [0.0, 0.0, 12.0, -6.0][rng.below(4) as usize];
        }
        if rng.chance(0.5) {
            problem.members[rng.below(members as u64) as usize].max_shifts = Some(3);
        }
        let s = rng.below(shifts.len() as u64) as usize;
        let m = rng.below(members as u64) as usize;
        problem.cells[s][m].blocked = None;
        problem.pins.push((s, m));
        problem
    }

    fn later(seconds: u64) -> Instant {
        Instant::now() + Duration::from_secs(seconds)
    }

    /// Never cancelled.
    static GO_ON: AtomicBool = AtomicBool::new(false);

    /// At most `budget` steps, with a deadline a minute away and no cancellation.
    fn within(budget: usize) -> Limits<'static> {
        Limits {
            until: later(60),
            budget,
            cancel: &GO_ON,
        }
    }

    /// Without budget, deadline or cancellation.
    fn run(problem: &Problem, index: &Index, incumbent: f64) -> Verdict {
        solve(problem, index, incumbent, within(usize::MAX), None, None)
    }

    /// HiGHS's proven optimum (no gap), or `None` when there is no schedule.
    fn milp_optimum(problem: &Problem, index: &Index) -> Option<f64> {
        let params = Params::new(60.0, 0.0);
        match model::solve(problem, index, &params) {
            Outcome::Solved {
                assignment,
                optimal: true,
                ..
            } => Some(evaluate(problem, &assignment, None).objective),
            Outcome::Infeasible => None,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn from_no_incumbent_it_finds_the_milp_optimum() {
        let mut compared = 0;
        for seed in 0..16 {
            let (problem, index) = indexed(varied(seed));
            let verdict = run(&problem, &index, f64::INFINITY);
            match (verdict, milp_optimum(&problem, &index)) {
                (Verdict::Better(assignment), Some(best)) => {
                    assert!(check(&problem, &assignment, None).is_empty(), "seed {seed}");
                    let value = evaluate(&problem, &assignment, None).objective;
                    assert!(
                        (value - best).abs() <= 1e-6 * best.abs(),
                        "seed {seed}: {value} vs {best}"
                    );
                    compared += 1;
                }
                // No schedule at all: nothing scores below infinity.
                (Verdict::IncumbentOptimal, None) => {}
                (verdict, best) => panic!("seed {seed}: {verdict:?} vs {best:?}"),
            }
        }
        assert!(compared >= 10, "only {compared} feasible instances");
    }

    #[test]
    fn an_optimal_incumbent_is_confirmed_and_a_worse_one_beaten() {
        let (problem, index) = indexed(varied(3));
        let best = milp_optimum(&problem, &index).expect("feasible");
        assert_eq!(run(&problem, &index, best), Verdict::IncumbentOptimal);
        let Verdict::Better(assignment) = run(&problem, &index, best + 1.0) else {
            panic!("a schedule 1 below the incumbent exists");
        };
        let value = evaluate(&problem, &assignment, None).objective;
        assert!(
            (value - best).abs() <= 1e-6 * best.abs(),
            "{value} vs {best}"
        );
    }

    /// Under rising caps from a bound below the optimum, the program returns the
    /// optimum (or confirms an optimal incumbent) and proves caps only below it.
    #[test]
    fn rising_caps_find_the_optimum_and_bound_every_schedule() {
        let mut raised = 0;
        for seed in 0..12 {
            let (problem, index) = indexed(varied(seed));
            let Some(best) = milp_optimum(&problem, &index) else {
                continue;
            };
            for (lower, above) in [(best - 400.0, 300.0), (best - 30.0, 900.0), (0.0, 0.0)] {
                let (verdict, bound) = rising(
                    &problem,
                    &index,
                    best + above,
                    lower,
                    within(usize::MAX),
                    None,
                    None,
                );
                assert!(
                    bound >= lower && bound <= best,
                    "seed {seed}: {bound} vs {best}"
                );
                raised += usize::from(bound > lower);
                match verdict {
                    Verdict::Better(a) => {
                        assert!(above > 0.0, "seed {seed}: better than the optimum");
                        assert!(check(&problem, &a, None).is_empty(), "seed {seed}");
                        let value = evaluate(&problem, &a, None).objective;
                        assert!((value - best).abs() <= 1e-6 * best, "seed {seed}: {value}");
                    }
                    Verdict::IncumbentOptimal => assert_eq!(above, 0.0, "seed {seed}"),
                    Verdict::GaveUp => panic!("seed {seed}: gave up"),
                }
            }
        }
        assert!(raised >= 10, "the caps proved a bound only {raised} times");

        // Out of budget under the caps, it goes on to the incumbent and gives up there,
        // claiming no bound above the optimum.
        let (problem, index) = indexed(varied(3));
        let best = milp_optimum(&problem, &index).expect("feasible");
        let limits = within(64 * 3);
        let lower = best - 10.0;
        let (verdict, bound) = rising(&problem, &index, best + 900.0, lower, limits, None, None);
        assert_eq!(verdict, Verdict::GaveUp);
        assert!(bound >= lower && bound <= best, "{bound} vs {best}");
    }

    #[test]
    fn gives_up_at_its_budget_deadline_or_cancellation() {
        let (problem, index) = indexed(varied(3));
        assert_ne!(run(&problem, &index, f64::INFINITY), Verdict::GaveUp);
        let (go_on, stop) = (AtomicBool::new(false), AtomicBool::new(true));
        let limits = [
            (later(60), 5, &go_on),
            (Instant::now(), usize::MAX, &go_on),
            (later(60), usize::MAX, &stop),
        ];
        for (until, budget, cancel) in limits {
            let verdict = solve(
                &problem,
                &index,
                f64::INFINITY,
                Limits {
                    until,
                    budget,
                    cancel,
                },
                None,
                None,
            );
            assert_eq!(verdict, Verdict::GaveUp, "{budget} {cancel:?}");
        }
    }

    /// Five identical members over ten days of uneven points, rest between days: the
    /// schedule rebuilt through the relabellings keeps the rules and scores the optimum.
    #[test]
    fn interchangeable_members_are_one_state_and_the_schedule_is_rebuilt() {
        let shifts: Vec<(usize, i64, i64)> = (0..10).map(|d| (0, d * 24, 10 + d % 3)).collect();
        let rested = ConfigRules::rest_of(24.0);
        let (problem, index) = team(5, &shifts, rested);
        let groups = crate::solver::symmetry::interchangeable(&problem, &index);
        assert_eq!(groups, vec![vec![0, 1, 2, 3, 4]]);
        let Verdict::Better(assignment) = run(&problem, &index, f64::INFINITY) else {
            panic!("a schedule exists");
        };
        assert!(check(&problem, &assignment, None).is_empty());
        let value = evaluate(&problem, &assignment, None).objective;
        let best = milp_optimum(&problem, &index).expect("feasible");
        assert!((value - best).abs() <= 1e-6 * best, "{value} vs {best}");
    }

    #[test]
    fn states_equal_up_to_exchanging_members_have_one_key() {
        // Members 0–2 interchangeable, 3 not and capped; a frontier of two slots.
        let relabel = Relabel {
            groups: vec![vec![0, 1, 2]],
            fair_pos: vec![Some(0), Some(1), Some(2), Some(3)],
            cap_pos: vec![None, None, None, Some(0)],
            capped: 1,
        };
        // (frontier masks, count of member 3, loads of 0..4)
        let a = [0b0001, 0b1010, 2, 30, 10, 20, 5];
        // Member 0's and 2's pasts exchanged.
        let b = [0b0100, 0b1010, 2, 20, 10, 30, 5];
        let (mut ka, mut kb) = (a, b);
        let pa = relabel.apply(&mut ka, 2);
        let pb = relabel.apply(&mut kb, 2);
        assert_eq!(ka, kb);
        // Member 3 stays where it is; the relabelling maps each old label to its new one.
        for (key, perm, from) in [(ka, pa, a), (kb, pb, b)] {
            assert_eq!(unpack(perm, 3), 3);
            for m in 0..4 {
                let to = unpack(perm, m);
                assert_eq!(key[3 + to], from[3 + m], "load of {m}");
                for slot in 0..2 {
                    assert_eq!(key[slot] >> to & 1, from[slot] >> m & 1, "slot {slot}");
                }
            }
        }
        // Canonical: loads descending within the group.
        assert!(ka[3] >= ka[4] && ka[4] >= ka[5]);
        // Differing in what the future sees (member 3's load), the keys differ.
        let mut c = [0b0001, 0b1010, 2, 30, 10, 20, 6];
        relabel.apply(&mut c, 2);
        assert_ne!(c, ka);
    }

    /// `n` shifts of `hours` in layer 0, one starting every `every` hours.
    fn one_every(n: i64, every: i64, hours: i64) -> Vec<(usize, i64, i64)> {
        (0..n).map(|i| (0, i * every, hours)).collect()
    }

    /// `problem` and its index under its own rules, with no previous schedule.
    fn indexed(problem: Problem) -> (Problem, Index) {
        let index = Index::new(&problem, None, Rules::of(&problem));
        (problem, index)
    }

    /// A team of `members` over `shifts` (layer, start hour, hours) under `rules`.
    fn team(members: usize, shifts: &[(usize, i64, i64)], rules: ConfigRules) -> (Problem, Index) {
        indexed(testkit::problem(members, shifts, rules))
    }

    #[test]
    fn holders_of_ended_runs_are_forgotten() {
        // Daily 24-hour shifts, back to back, runs of at most three: after day 3 the
        // frontier holds days 1–3, days 1 and 2 only for runs.
        let shifts = one_every(6, 24, 24);
        let runs = ConfigRules::runs_of(3);
        let (problem, index) = team(3, &shifts, runs);
        let (daily, _) = steps(&problem, &index, &[Some(0), Some(1), Some(2)]).expect("steps");
        let step = &daily[3];
        assert_eq!(step.next_shifts, [1, 2, 3]);
        assert_eq!(step.run_next, [Some(1), Some(2), None]);
        let forget = |mut frontier: [i64; 3]| {
            step.forget_ended_runs(&mut frontier);
            frontier
        };
        // Member 1 holds days 2 and 3; who held day 1 no longer matters.
        let a = forget([0b001, 0b010, 0b010]);
        assert_eq!(a, [0, 0b010, 0b010]);
        assert_eq!(forget([0b100, 0b010, 0b010]), a);
        // Member 1 on a run of three may not take day 4: that stays.
        assert_eq!(forget([0b010, 0b010, 0b010]), [0b010, 0b010, 0b010]);
        // Member 2 took over on day 3: both earlier holders are forgotten.
        assert_eq!(forget([0b001, 0b001, 0b100]), [0, 0, 0b100]);

        // 12-hour shifts with 18 hours of rest: shift 2's holder may not take shift 4,
        // so shift 2 stays whole; shift 1 is kept for runs only.
        let shifts = one_every(6, 12, 12);
        let rules = ConfigRules {
            min_rest_hours: 18.0,
            ..ConfigRules::runs_of(3)
        };
        let (problem, index) = team(3, &shifts, rules);
        let (rested, _) = steps(&problem, &index, &[Some(0), Some(1), Some(2)]).expect("steps");
        assert_eq!(rested[3].next_shifts, [1, 2, 3]);
        assert_eq!(rested[3].run_next, [Some(1), None, None]);
    }

    #[test]
    fn most_load_counts_runs_and_rest() {
        // Five daily shifts of 10 points, runs of at most two: 1 1 0 1 1 from the first, 1 1 0
        // from the third.
        let shifts = one_every(5, 24, 10);
        let runs = ConfigRules::runs_of(2);
        let (problem, index) = team(2, &shifts, runs);
        let order: Vec<usize> = (0..5).collect();
        let most = most_load(&problem, &index, &order, &order, 0);
        assert_eq!(most, [40, 30, 20, 20, 10, 0].map(|p| p * SCALE as i64));

        // 24 hours of rest after 10-hour shifts a day apart: every other one.
        let rested = ConfigRules::rest_of(24.0);
        let (problem, index) = team(2, &shifts, rested);
        let most = most_load(&problem, &index, &order, &order, 1);
        assert_eq!(most, [30, 20, 20, 10, 10, 0].map(|p| p * SCALE as i64));
    }

    #[test]
    fn the_fairness_bound_never_exceeds_the_terms_it_bounds() {
        let mut fairness = Fairness::new(
            vec![1.0, 0.5, 0.8, 1.0],
            &[0.0, 12.0, 0.0, -6.0],
            1000.0,
            100.0,
        );
        let mut rng = XorShift::new(7);
        let mut tight = 0;
        for _ in 0..5000 {
            let load: Vec<i64> = (0..4).map(|_| scaled(rng.below(100) as f64)).collect();
            let reach: Vec<i64> = (0..4).map(|_| scaled(rng.below(60) as f64)).collect();
            let end: Vec<i64> = (0..4)
                .map(|p| load[p] + (reach[p] as f64 * rng.unit()) as i64)
                .collect();
            let given: i64 = (0..4).map(|p| end[p] - load[p]).sum();
            let pool = (
                given - scaled(rng.below(30) as f64),
                given + scaled(rng.below(30) as f64),
            );
            let bound = fairness.bound(&load, &reach, pool);
            let terms = fairness.terms(&end);
            assert!(
                bound <= terms + 1e-6,
                "{load:?} {reach:?} {pool:?} {end:?}: {bound} > {terms}"
            );
            tight += usize::from(bound > 0.9 * terms);
        }
        assert!(tight > 100, "the bound is rarely close: {tight}");
        // Loads that cannot take what must still come.
        let none = vec![0; 4];
        let load = vec![scaled(40.0); 4];
        assert_eq!(fairness.bound(&load, &none, (1, 1)), f64::INFINITY);
        // Nothing can move: the bound is the terms themselves.
        let load = vec![scaled(40.0), scaled(10.0), scaled(30.0), scaled(20.0)];
        let terms = fairness.terms(&load);
        assert!((fairness.bound(&load, &none, (0, 0)) - terms).abs() < 1e-6 * terms);
    }
}
