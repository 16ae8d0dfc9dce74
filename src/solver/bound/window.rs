//! The fairness terms paid on final loads, chosen together: given each member's least
//! priced cost for every load they can end with, the least of imbalance plus deviation
//! plus those costs over one load per member.
//!
//! Exactly this is a partition question over every member at once. What makes it
//! separable is a relaxation that keeps both terms' integrality: the deviation is
//! measured from the best centre `μ` instead of the mean (a capacity-weighted median
//! is never farther from the loads than the mean, and lies between the least and the
//! most normalized load), and the imbalance from a window `[zlo, zhi]` around `μ` that
//! every member's normalized load must lie in. With `μ` in a small interval and the
//! window fixed, each member picks their own load; the windows are swept exactly (the
//! least and the most normalized load are always some member's level), and the centre
//! by branch and bound over intervals, each bounded from below by measuring every
//! deviation from the interval's nearest end.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One load a member can end with.
#[derive(Debug, Clone, Copy)]
pub(super) struct Level {
    /// (load + history) / capacity.
    pub n: f64,
    /// Least priced cost of the member's schedules ending there.
    pub cost: f64,
}

/// A member in fairness: their levels ascending by `n`, and capacity.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub capacity: f64,
    pub levels: Vec<Level>,
}

/// The least combination found: its value (a lower bound on every combination) and
/// per member the index of their level in it.
#[derive(Debug, Clone)]
pub(super) struct Least {
    pub value: f64,
    pub choice: Vec<usize>,
}

/// Weights and search limits of [`least`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Terms {
    pub imbalance: f64,
    pub deviation: f64,
    /// Centre intervals narrower than this are not split further.
    pub resolution: f64,
    /// Intervals evaluated at most.
    pub evaluations: usize,
}

/// The least fairness plus members' costs over one level per member, with the centre
/// anywhere in `centre`; `None` when some member has no level (no combination).
pub(super) fn least(members: &[Member], terms: Terms, centre: (f64, f64)) -> Option<Least> {
    if members.iter().any(|m| m.levels.is_empty()) {
        return None;
    }
    if members.is_empty() {
        return Some(Least {
            value: 0.0,
            choice: Vec::new(),
        });
    }
    let mut work = Work::default();
    let mut queue: BinaryHeap<Node> = BinaryHeap::new();
    let pieces = 8;
    let width = (centre.1 - centre.0).max(0.0);
    for i in 0..pieces {
        let a = centre.0 + width * i as f64 / pieces as f64;
        let b = if i + 1 == pieces {
            centre.1
        } else {
            centre.0 + width * (i + 1) as f64 / pieces as f64
        };
        if let Some(found) = work.evaluate(members, terms, (a, b)) {
            queue.push(Node { found, a, b });
        }
    }
    let mut evaluations = pieces;
    while let Some(node) = queue.pop() {
        if node.b - node.a <= terms.resolution || evaluations >= terms.evaluations {
            return Some(node.found);
        }
        let mid = 0.5 * (node.a + node.b);
        for (a, b) in [(node.a, mid), (mid, node.b)] {
            evaluations += 1;
            if let Some(mut found) = work.evaluate(members, terms, (a, b)) {
                // A narrower interval bounds no lower than the wider one did.
                found.value = found.value.max(node.found.value);
                queue.push(Node { found, a, b });
            }
        }
    }
    None
}

/// A centre interval and what it bounds; the heap pops the least first.
struct Node {
    found: Least,
    a: f64,
    b: f64,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    fn cmp(&self, other: &Self) -> Ordering {
        other.found.value.total_cmp(&self.found.value)
    }
}

/// One step of a member's staircase: a level outside the centre interval cheaper than
/// every level nearer to it.
#[derive(Debug, Clone, Copy)]
struct Stair {
    n: f64,
    cost: f64,
    member: u32,
    level: u32,
}

/// Buffers reused across evaluations.
#[derive(Default)]
struct Work {
    inside: Vec<(f64, usize)>,
    low: Vec<Stair>,
    high: Vec<Stair>,
    tree: Tree,
}

impl Work {
    /// The least value with the centre in `[a, b]`.
    fn evaluate(&mut self, members: &[Member], terms: Terms, (a, b): (f64, f64)) -> Option<Least> {
        let wd = terms.deviation;
        self.inside.clear();
        self.low.clear();
        self.high.clear();
        for (p, member) in members.iter().enumerate() {
            let cost = |l: &Level| {
                let off = if l.n < a {
                    a - l.n
                } else if l.n > b {
                    l.n - b
                } else {
                    0.0
                };
                l.cost + wd * member.capacity * off
            };
            let levels = &member.levels;
            let first = levels.partition_point(|l| l.n < a);
            let after = levels.partition_point(|l| l.n <= b);
            let mut inside = (f64::INFINITY, usize::MAX);
            for (k, l) in levels.iter().enumerate().take(after).skip(first) {
                let c = cost(l);
                if c < inside.0 {
                    inside = (c, k);
                }
            }
            self.inside.push(inside);
            let mut least = inside.0;
            for k in (0..first).rev() {
                let c = cost(&levels[k]);
                if c < least {
                    least = c;
                    self.low.push(Stair {
                        n: levels[k].n,
                        cost: c,
                        member: p as u32,
                        level: k as u32,
                    });
                }
            }
            let mut least = inside.0;
            for (k, l) in levels.iter().enumerate().skip(after) {
                let c = cost(l);
                if c < least {
                    least = c;
                    self.high.push(Stair {
                        n: l.n,
                        cost: c,
                        member: p as u32,
                        level: k as u32,
                    });
                }
            }
        }
        // Window bottoms: `b` (none below the interval) or a low stair, descending;
        // window tops: `a` or a high stair, ascending.
        self.high.sort_by(|x, y| x.n.total_cmp(&y.n));
        self.low.sort_by(|x, y| y.n.total_cmp(&x.n));
        let ups = distinct(a, self.high.iter().map(|s| s.n));
        let downs = distinct(b, self.low.iter().map(|s| s.n));
        let kk = ups.len();
        let m = members.len();
        // Per member: the least cost within each window top (B), as steps (first top,
        // cost), the inside cost first; and where A and B become finite.
        let mut high_steps: Vec<Vec<(usize, f64)>> = self
            .inside
            .iter()
            .map(|&(c, _)| {
                if c.is_finite() {
                    vec![(0, c)]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut k = 0;
        for s in &self.high {
            while ups[k] != s.n {
                k += 1;
            }
            high_steps[s.member as usize].push((k, s.cost));
        }
        let never = usize::MAX;
        let k0: Vec<usize> = high_steps
            .iter()
            .map(|h| h.first().map_or(never, |s| s.0))
            .collect();
        let mut j0: Vec<usize> = self
            .inside
            .iter()
            .map(|&(c, _)| if c.is_finite() { 0 } else { never })
            .collect();
        let mut j = 0;
        for s in &self.low {
            while downs[j] != s.n {
                j += 1;
            }
            let p = s.member as usize;
            j0[p] = j0[p].min(j);
        }
        if (0..m).any(|p| k0[p] == never && j0[p] == never) {
            return None;
        }
        // Members whose bottom is not reached yet need a top of at least their k0:
        // sorted by j0 descending, with the running most k0.
        let mut waiting: Vec<usize> = (0..m).collect();
        waiting.sort_by_key(|&p| std::cmp::Reverse(j0[p]));
        let mut most_k0 = vec![0usize; m + 1];
        for (i, &p) in waiting.iter().enumerate() {
            most_k0[i + 1] = most_k0[i].max(k0[p]);
        }
        // T[k] = w_I top_k + Σ_m min(A_m, B_m[k]); with every A_m still the inside cost
        // (or unreached, counted 0), min(A_m, B_m[k]) = B_m[k] where finite.
        let mut diff = vec![0.0; kk + 1];
        for steps in &high_steps {
            for (i, &(from, c)) in steps.iter().enumerate() {
                let to = steps.get(i + 1).map_or(kk, |s| s.0);
                diff[from] += c;
                diff[to] -= c;
            }
        }
        let mut initial = vec![0.0; kk];
        let mut sum = 0.0;
        for k in 0..kk {
            sum += diff[k];
            initial[k] = terms.imbalance * ups[k] + sum;
        }
        self.tree.build(&initial);
        let mut a_now: Vec<f64> = self.inside.iter().map(|&(c, _)| c).collect();
        let mut best = (f64::INFINITY, 0usize, 0usize);
        let mut cursor = 0;
        for (j, &bottom) in downs.iter().enumerate() {
            if j > 0 {
                while cursor < self.low.len() && self.low[cursor].n == bottom {
                    let s = self.low[cursor];
                    cursor += 1;
                    let p = s.member as usize;
                    let old = a_now[p];
                    a_now[p] = s.cost;
                    self.update(&high_steps[p], k0[p], old, s.cost, kk);
                }
            }
            let unreached = waiting.partition_point(|&p| j0[p] > j);
            let kmin = most_k0[unreached];
            if kmin >= kk {
                continue;
            }
            let (value, k) = if j == 0 {
                // The bottom is inside the interval: at most `b`, and with the top at
                // `a` the window may be empty.
                let mut least = (f64::INFINITY, 0);
                if kmin == 0 {
                    least = (self.tree.min(0, 1).0 - terms.imbalance * a, 0);
                }
                if kmin.max(1) < kk {
                    let (v, k) = self.tree.min(kmin.max(1), kk);
                    if v - terms.imbalance * b < least.0 {
                        least = (v - terms.imbalance * b, k);
                    }
                }
                least
            } else {
                let (v, k) = self.tree.min(kmin, kk);
                (v - terms.imbalance * bottom, k)
            };
            if value < best.0 {
                best = (value, j, k);
            }
        }
        if !best.0.is_finite() {
            return None;
        }
        // The choice at the best window, and its value recomputed from the levels.
        let (_, j, k) = best;
        let (bottom, top) = (if j == 0 { b } else { downs[j] }, ups[k]);
        let imbalance = match (j, k) {
            (0, 0) => 0.0,
            _ => top - bottom,
        };
        let mut chosen: Vec<(f64, usize)> = self.inside.clone();
        for s in self.low.iter().filter(|s| s.n >= bottom) {
            let p = s.member as usize;
            if s.cost < chosen[p].0 {
                chosen[p] = (s.cost, s.level as usize);
            }
        }
        for s in self.high.iter().filter(|s| s.n <= top) {
            let p = s.member as usize;
            if s.cost < chosen[p].0 {
                chosen[p] = (s.cost, s.level as usize);
            }
        }
        if chosen.iter().any(|c| !c.0.is_finite()) {
            return None;
        }
        let value = terms.imbalance * imbalance.max(0.0) + chosen.iter().map(|c| c.0).sum::<f64>();
        Some(Least {
            value,
            choice: chosen.into_iter().map(|c| c.1).collect(),
        })
    }

    /// Member's A drops from `old` to `new`: T[k] -= min(old, B[k]) − min(new, B[k]),
    /// where a member not reached before counted 0 below `k0`.
    fn update(&mut self, steps: &[(usize, f64)], k0: usize, old: f64, new: f64, kk: usize) {
        // Walk B's steps: segments [from, to) with cost c (∞ before the first).
        let mut segments: Vec<(usize, usize, f64)> = Vec::with_capacity(steps.len() + 1);
        let first = steps.first().map_or(kk, |s| s.0);
        if first > 0 {
            segments.push((0, first, f64::INFINITY));
        }
        for (i, &(from, c)) in steps.iter().enumerate() {
            let to = steps.get(i + 1).map_or(kk, |s| s.0);
            if to > from {
                segments.push((from, to, c));
            }
        }
        for (from, to, c) in segments {
            let delta = if !old.is_finite() {
                if from < k0 {
                    // Not reached before: counted 0, now `new`.
                    -new
                } else {
                    (c - new).max(0.0)
                }
            } else {
                old.min(c) - new.min(c)
            };
            if delta != 0.0 {
                self.tree.add(from, to, -delta);
            }
        }
    }
}

/// `first`, then the distinct values of `rest` (sorted), in order.
fn distinct(first: f64, rest: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut out = vec![first];
    for v in rest {
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    out
}

/// Range add, range minimum (with its index).
#[derive(Default)]
struct Tree {
    size: usize,
    min: Vec<f64>,
    at: Vec<u32>,
    lazy: Vec<f64>,
}

impl Tree {
    fn build(&mut self, values: &[f64]) {
        let mut size = 1;
        while size < values.len() {
            size *= 2;
        }
        self.size = size;
        self.min.clear();
        self.min.resize(2 * size, f64::INFINITY);
        self.at.clear();
        self.at.resize(2 * size, 0);
        self.lazy.clear();
        self.lazy.resize(2 * size, 0.0);
        for (i, &v) in values.iter().enumerate() {
            self.min[size + i] = v;
            self.at[size + i] = i as u32;
        }
        for i in (1..size).rev() {
            self.pull(i);
        }
    }

    fn pull(&mut self, i: usize) {
        let (l, r) = (2 * i, 2 * i + 1);
        let (v, a) = if self.min[l] <= self.min[r] {
            (self.min[l], self.at[l])
        } else {
            (self.min[r], self.at[r])
        };
        self.min[i] = v + self.lazy[i];
        self.at[i] = a;
    }

    fn add(&mut self, from: usize, to: usize, delta: f64) {
        self.add_in(1, 0, self.size, from, to, delta);
    }

    fn add_in(&mut self, i: usize, lo: usize, hi: usize, from: usize, to: usize, delta: f64) {
        if to <= lo || hi <= from {
            return;
        }
        if from <= lo && hi <= to {
            self.min[i] += delta;
            self.lazy[i] += delta;
            return;
        }
        let mid = (lo + hi) / 2;
        self.add_in(2 * i, lo, mid, from, to, delta);
        self.add_in(2 * i + 1, mid, hi, from, to, delta);
        self.pull(i);
    }

    /// The least value in `[from, to)` and its index.
    fn min(&self, from: usize, to: usize) -> (f64, usize) {
        let (v, a) = self.min_in(1, 0, self.size, from, to);
        (v, a as usize)
    }

    fn min_in(&self, i: usize, lo: usize, hi: usize, from: usize, to: usize) -> (f64, u32) {
        if to <= lo || hi <= from {
            return (f64::INFINITY, 0);
        }
        if from <= lo && hi <= to {
            return (self.min[i], self.at[i]);
        }
        let mid = (lo + hi) / 2;
        let l = self.min_in(2 * i, lo, mid, from, to);
        let r = self.min_in(2 * i + 1, mid, hi, from, to);
        let best = if l.0 <= r.0 { l } else { r };
        (best.0 + self.lazy[i], best.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact least over every combination of one level per member: fairness
    /// measured from the capacity-weighted mean, as the objective does.
    fn brute(members: &[Member], terms: Terms) -> f64 {
        fn go(members: &[Member], terms: Terms, chosen: &mut Vec<Level>, best: &mut f64) {
            if chosen.len() == members.len() {
                let caps: Vec<f64> = members.iter().map(|m| m.capacity).collect();
                let total: f64 = caps.iter().sum();
                let mean = chosen.iter().zip(&caps).map(|(l, c)| l.n * c).sum::<f64>() / total;
                let (lo, hi) = chosen
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), l| {
                        (a.min(l.n), b.max(l.n))
                    });
                let deviation: f64 = chosen
                    .iter()
                    .zip(&caps)
                    .map(|(l, c)| c * (l.n - mean).abs())
                    .sum();
                let cost: f64 = chosen.iter().map(|l| l.cost).sum();
                *best = best.min(terms.imbalance * (hi - lo) + terms.deviation * deviation + cost);
                return;
            }
            for &l in &members[chosen.len()].levels {
                chosen.push(l);
                go(members, terms, chosen, best);
                chosen.pop();
            }
        }
        let mut best = f64::INFINITY;
        go(members, terms, &mut Vec::new(), &mut best);
        best
    }

    proptest::proptest! {
        /// Never above the least combination, and its choice scores its value or more
        /// (the value is a relaxation of the choice's own fairness).
        #[test]
        fn proptest_the_least_is_below_every_combination(
            raw in proptest::collection::vec(
                (proptest::sample::select(vec![1.0, 0.5, 0.75, 0.2]),
                 proptest::collection::vec((0u32..12, -20i32..40), 1..5)),
                1..5,
            ),
            imbalance in proptest::sample::select(vec![0.0, 1.0, 10.0, 1000.0]),
            deviation in proptest::sample::select(vec![0.0, 1.0, 100.0]),
        ) {
            let members: Vec<Member> = raw
                .iter()
                .map(|(capacity, levels)| {
                    let mut levels: Vec<Level> = levels
                        .iter()
                        .map(|&(load, cost)| Level { n: f64::from(load) * 6.0 / capacity, cost: f64::from(cost) })
                        .collect();
                    levels.sort_by(|a, b| a.n.total_cmp(&b.n));
                    levels.dedup_by(|a, b| a.n == b.n);
                    Member { capacity: *capacity, levels }
                })
                .collect();
            let terms = Terms { imbalance, deviation, resolution: 1e-3, evaluations: 400 };
            let ends = members.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), m| {
                (a.min(m.levels[0].n), b.max(m.levels[m.levels.len() - 1].n))
            });
            let least = least(&members, terms, ends).expect("every member has a level");
            let exact = brute(&members, terms);
            proptest::prop_assert!(least.value <= exact + 1e-6 * exact.abs().max(1.0),
                "least {} above the exact {}", least.value, exact);
            proptest::prop_assert_eq!(least.choice.len(), members.len());
        }
    }
}
