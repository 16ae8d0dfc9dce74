//! The fairness floor (`fair_floor`) found by search instead of by HiGHS. In its
//! relaxation only how many shifts of each kind a member takes matters — a kind being
//! the shifts with the same candidates and the same points for each — so the floor is
//! a question about a handful of counts per member. HiGHS's LP balances any split, so
//! it proves such a floor slowly or not at all (a five-person 12-hour month: a thousand
//! times slower than this search).
//!
//! Every schedule's normalized loads lie in a window `[lo, hi]` around their mean `μ`,
//! so the least fairness is the least, over windows, of `imbalance × (hi − lo)` plus
//! the least deviation of any split with every member in the window. With the pool's
//! total fixed, that deviation is a sum over members, found member by member with the
//! counts still to give out as the memo key. Where points differ between members (one
//! zone's evenings are another's days) the total is not fixed; each possible total is
//! then searched on its own.

use std::cell::Cell;
use std::time::Instant;

use rustc_hash::{FxHashMap, FxHashSet};

use super::exact::{SCALE, scaled};
use crate::problem::Problem;
use crate::solver::index::Index;
use crate::solver::plan;

/// How much better than the best so far a split must be to count (relative).
const SLACK: f64 = 1e-7;
/// Most members (one bit each in a candidate mask). The plan asks for floors of at most
/// `plan::SMALL_TEAM` people.
const MAX_MEMBERS: usize = 16;
/// Steps of an enumeration between two readings of the clock.
const CLOCK_TICKS: u32 = 4096;

/// The counts still to give out, each class in its own bits.
type Packed = u128;
/// A window's ends: the least and the most normalized load (scaled).
type Ends = (f64, f64);

/// Shifts alike for the relaxation: the same candidates, the same points for each.
#[derive(Debug, Clone)]
struct Class {
    /// Candidates for its free seats (bit per member in fairness).
    mask: u32,
    /// Points of one seat per member (scaled; 0 for non-candidates).
    points: Vec<i64>,
    /// Shifts of the class: nobody takes more than one seat of a shift.
    shifts: u32,
    /// Free seats in all.
    seats: u32,
    /// Where its count sits in a [`Packed`], and in how many bits.
    offset: u32,
    width: u32,
}

impl Class {
    fn admits(&self, p: usize) -> bool {
        self.mask >> p & 1 == 1
    }

    fn count(&self, packed: Packed) -> u32 {
        (packed >> self.offset & ((1 << self.width) - 1)) as u32
    }

    /// The most seats member `p` can take of the `left` still free.
    fn most(&self, p: usize, left: u32) -> u32 {
        if self.admits(p) {
            left.min(self.shifts)
        } else {
            0
        }
    }
}

/// Places every class's count in a [`Packed`], in as many bits as its seats need;
/// false when they do not fit.
fn pack(classes: &mut [Class]) -> bool {
    let mut offset = 0;
    for class in classes {
        class.offset = offset;
        class.width = u32::BITS - class.seats.leading_zeros();
        offset += class.width;
    }
    offset <= Packed::BITS
}

/// Every load (scaled) member `p` can take from free seats of `classes`, ascending.
fn reachable(classes: &[Class], p: usize) -> Vec<i64> {
    let mut sums = vec![0i64];
    for class in classes.iter().filter(|c| c.admits(p)) {
        let mut next = Vec::with_capacity(sums.len() * (class.shifts as usize + 1));
        for &s in &sums {
            for n in 0..=i64::from(class.shifts) {
                next.push(s + n * class.points[p]);
            }
        }
        next.sort_unstable();
        next.dedup();
        sums = next;
    }
    sums
}

fn full(classes: &[Class]) -> Packed {
    classes
        .iter()
        .fold(0, |acc, c| acc | Packed::from(c.seats) << c.offset)
}

/// The team as the search sees it: the members in fairness, in index order.
struct Split {
    classes: Vec<Class>,
    /// Per member: load from fixed seats plus history (scaled), and capacity.
    base: Vec<i64>,
    capacity: Vec<f64>,
    /// The pool's possible totals of free seats (scaled).
    totals: Vec<i64>,
    /// Per member: every load they can take (`reachable`).
    loads: Vec<Vec<i64>>,
    imbalance: f64,
    deviation: f64,
}

/// The least imbalance and deviation terms of any split of the free seats with only
/// candidacy (`fair_floor`'s relaxation, overlaps aside as well), or `None` when the
/// team does not suit the search or it gives up (`plan::SPLIT_STATES`, `until`).
/// `incumbent` is the fairness terms of any schedule, or infinity.
pub(crate) fn split_floor(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    until: Instant,
) -> Option<f64> {
    Split::new(problem, index)?.least(incumbent, until, plan::SPLIT_WINDOWS)
}

/// Per pool total the split can have (the load of every member in fairness from free
/// and fixed seats, scaled), the least fairness terms of any split with it, or `budget`
/// where none has less. `None` when the search declines or gives up.
pub(crate) fn by_total(
    problem: &Problem,
    index: &Index,
    budget: f64,
    until: Instant,
) -> Option<Vec<(i64, f64)>> {
    by_total_within(problem, index, budget, until, plan::SPLIT_WINDOWS)
}

/// [`by_total`] searching at most `max_windows` windows over all totals.
fn by_total_within(
    problem: &Problem,
    index: &Index,
    budget: f64,
    until: Instant,
    max_windows: usize,
) -> Option<Vec<(i64, f64)>> {
    let split = Split::new(problem, index)?;
    let merged = split.merged();
    let fixed: i64 = (0..index.shifts)
        .flat_map(|s| index.fixed[s].iter().map(move |&m| (s, m)))
        .filter(|&(_, m)| index.in_fairness[m])
        .map(|(s, m)| scaled(problem.cells[s][m].points))
        .sum();
    // Declined at once where the windows of all totals are too many, not after
    // searching some of them.
    let total_capacity: f64 = split.capacity.iter().sum();
    let base_sum: i64 = split.base.iter().sum();
    let windows: usize = split
        .totals
        .iter()
        .map(|&t| {
            split
                .windows((base_sum + t) as f64 / total_capacity, budget)
                .len()
        })
        .sum();
    if windows > max_windows {
        return None;
    }
    let mut states = 0;
    let mut out = Vec::with_capacity(split.totals.len());
    for &total in &split.totals {
        let least = split.least_of(&merged, &[total], budget, until, usize::MAX, &mut states)?;
        out.push((total + fixed, least));
    }
    Some(out)
}

impl Split {
    fn new(problem: &Problem, index: &Index) -> Option<Split> {
        let w = problem.objective;
        let fair: Vec<usize> = (0..index.members)
            .filter(|&m| index.in_fairness[m])
            .collect();
        if fair.is_empty() || fair.len() > MAX_MEMBERS {
            return None;
        }
        let mut position = vec![None; index.members];
        for (p, &m) in fair.iter().enumerate() {
            position[m] = Some(p);
        }
        let mut base: Vec<i64> = fair.iter().map(|&m| scaled(problem.history[m])).collect();
        let mut classes: Vec<Class> = Vec::new();
        for s in 0..index.shifts {
            let fixed = &index.fixed[s];
            for &m in fixed {
                if let Some(p) = position[m] {
                    base[p] += scaled(problem.cells[s][m].points);
                }
            }
            let seats = problem.shifts[s]
                .per_shift
                .saturating_sub(fixed.len() as u32);
            if seats == 0 || index.frozen[s] {
                continue;
            }
            let mut mask = 0u32;
            let mut points = vec![0i64; fair.len()];
            for &m in &index.cand[s] {
                if fixed.binary_search(&m).is_ok() {
                    continue;
                }
                // Someone outside fairness would make the pool's total a choice.
                let p = position[m]?;
                mask |= 1 << p;
                points[p] = scaled(problem.cells[s][m].points);
            }
            if mask.count_ones() < seats {
                return None;
            }
            // Shifts of more seats join only classes of the same seat count.
            match classes
                .iter_mut()
                .find(|c| c.mask == mask && c.points == points && c.seats == c.shifts * seats)
            {
                Some(class) => {
                    class.shifts += 1;
                    class.seats += seats;
                }
                None => classes.push(Class {
                    mask,
                    points,
                    shifts: 1,
                    seats,
                    offset: 0,
                    width: 0,
                }),
            }
        }
        // Large points first: a member's window then bounds the counts early.
        classes.sort_by_key(|c| (std::cmp::Reverse(c.points.iter().max().copied()), c.mask));
        if !pack(&mut classes) {
            return None;
        }
        let totals = totals(&classes)?;
        Some(Split {
            loads: (0..fair.len()).map(|p| reachable(&classes, p)).collect(),
            classes,
            base,
            capacity: fair.iter().map(|&m| problem.capacity[m]).collect(),
            totals,
            imbalance: w.imbalance,
            deviation: w.deviation,
        })
    }

    fn members(&self) -> usize {
        self.capacity.len()
    }

    /// The relaxation with classes merged wherever their candidates' points agree
    /// (anyone who may take one may take any of them): fewer, shorter counts, so
    /// refuting a window there is cheap.
    fn merged(&self) -> Split {
        let mut classes: Vec<Class> = Vec::new();
        for c in &self.classes {
            let agrees = |m: &Class| {
                (0..self.members())
                    .all(|p| !(m.admits(p) && c.admits(p)) || m.points[p] == c.points[p])
            };
            match classes.iter_mut().find(|m| agrees(m)) {
                Some(m) => {
                    for p in (0..self.members()).filter(|&p| c.admits(p)) {
                        m.points[p] = c.points[p];
                    }
                    m.mask |= c.mask;
                    m.shifts += c.shifts;
                    m.seats += c.seats;
                }
                None => classes.push(c.clone()),
            }
        }
        // No wider in all than the classes they merge, so they fit.
        pack(&mut classes);
        Split {
            loads: (0..self.members())
                .map(|p| reachable(&classes, p))
                .collect(),
            classes,
            base: self.base.clone(),
            capacity: self.capacity.clone(),
            totals: self.totals.clone(),
            ..*self
        }
    }

    /// The floor, searching at most `max_windows` windows.
    fn least(&self, incumbent: f64, until: Instant, max_windows: usize) -> Option<f64> {
        let merged = self.merged();
        let mut states = 0;
        self.least_of(
            &merged,
            &self.totals,
            incumbent,
            until,
            max_windows,
            &mut states,
        )
    }

    /// The floor over the splits whose pool totals one of `totals`, searching at most
    /// `max_windows` windows; the memo entries go into `states`.
    fn least_of(
        &self,
        merged: &Split,
        totals: &[i64],
        incumbent: f64,
        until: Instant,
        max_windows: usize,
        states: &mut usize,
    ) -> Option<f64> {
        // Without a schedule to beat every window is open: HiGHS's floor then.
        if !incumbent.is_finite() {
            return None;
        }
        let total_capacity: f64 = self.capacity.iter().sum();
        let base_sum: i64 = self.base.iter().sum();
        let mut best = incumbent;
        // Per total: its mean and the windows whose spread could beat the incumbent.
        let plans: Vec<(i64, f64, Vec<Ends>)> = totals
            .iter()
            .map(|&total| {
                let mu = (base_sum + total) as f64 / total_capacity;
                (total, mu, self.windows(mu, best))
            })
            .collect();
        if plans.iter().map(|(_, _, w)| w.len()).sum::<usize>() > max_windows {
            return None;
        }
        for (total, mu, windows) in plans {
            let empty = self.empty_windows(merged, mu, total, &windows, until, states);
            if *states > plan::SPLIT_STATES {
                return None;
            }
            for (lo, hi) in windows {
                if empty.iter().any(|&(l, h)| l <= lo && hi <= h) {
                    continue;
                }
                let spread = if self.imbalance > 0.0 {
                    self.imbalance * (hi - lo) / SCALE
                } else {
                    0.0
                };
                if spread >= best {
                    break;
                }
                if Instant::now() >= until {
                    return None;
                }
                // Only splits better by more than float noise (the floor's row gives way
                // by 1e-6 of it, ten times this slack).
                let slack = SLACK * best.abs().max(1.0);
                let limit = if self.deviation > 0.0 {
                    (best - spread - slack) * SCALE / self.deviation
                } else {
                    f64::INFINITY
                };
                // The merged relaxation first: most windows are refuted there.
                let mut relaxed = Window::new(merged, mu, (lo, hi), until);
                if relaxed.out_of_time() {
                    return None;
                }
                if relaxed.whole(total) >= limit {
                    continue;
                }
                let at_least = relaxed.least(0, full(&merged.classes), total, limit, states);
                if relaxed.out_of_time() {
                    return None;
                }
                if at_least >= limit {
                    continue;
                }
                let mut search = Window::new(self, mu, (lo, hi), until);
                let dev = search.least(0, full(&self.classes), total, limit, states);
                if *states > plan::SPLIT_STATES || search.out_of_time() {
                    return None;
                }
                if dev < limit {
                    best = best.min(spread + self.deviation * dev / SCALE);
                }
            }
            if *states > plan::SPLIT_STATES {
                return None;
            }
        }
        best.is_finite().then_some(best)
    }

    /// Of the widest window from each low end, those in which not even the merged
    /// relaxation fits (so nothing fits in any window inside them either), as far as a
    /// short look at each tells.
    fn empty_windows(
        &self,
        merged: &Split,
        mu: f64,
        total: i64,
        windows: &[Ends],
        until: Instant,
        states: &mut usize,
    ) -> Vec<Ends> {
        let mut widest: Vec<Ends> = Vec::new();
        if self.imbalance <= 0.0 {
            return widest;
        }
        for &(lo, hi) in windows {
            match widest.iter_mut().find(|w| w.0 == lo) {
                Some(w) => w.1 = w.1.max(hi),
                None => widest.push((lo, hi)),
            }
        }
        widest.retain(|&(lo, hi)| {
            let mut relaxed = Window::new(merged, mu, (lo, hi), until);
            let mut look = plan::SPLIT_FITS_STATES;
            let fits = relaxed.fits(0, full(&merged.classes), total, &mut look);
            *states += plan::SPLIT_FITS_STATES - look;
            if relaxed.out_of_time() {
                // A look cut short by the clock says nothing, and the search ends.
                *states = plan::SPLIT_STATES + 1;
                return false;
            }
            !fits && look > 0
        });
        widest
    }

    /// The windows whose spread could beat `best`, narrowest first: from a normalized
    /// load someone can end with at or below `mu` to one at or above it.
    fn windows(&self, mu: f64, best: f64) -> Vec<Ends> {
        if self.imbalance <= 0.0 {
            return vec![(f64::NEG_INFINITY, f64::INFINITY)];
        }
        let reach = best / self.imbalance * SCALE;
        let tolerance = 1e-9 * mu.abs().max(1.0);
        let mut values: Vec<f64> = self
            .loads
            .iter()
            .enumerate()
            .flat_map(|(p, l)| {
                l.iter()
                    .map(move |&l| (self.base[p] + l) as f64 / self.capacity[p])
            })
            .filter(|v| (v - mu).abs() <= reach)
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let lows = values.iter().filter(|&&v| v <= mu + tolerance);
        let highs: Vec<f64> = values
            .iter()
            .copied()
            .filter(|&v| v >= mu - tolerance)
            .collect();
        let mut windows: Vec<Ends> = lows
            .flat_map(|&lo| {
                highs
                    .iter()
                    .filter(move |&&hi| hi >= lo)
                    .map(move |&hi| (lo, hi))
            })
            .filter(|&(lo, hi)| self.imbalance * (hi - lo) / SCALE < best)
            .collect();
        windows.sort_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)));
        windows
    }
}

/// The pool's possible totals, or `None` when there are too many to search one by one.
fn totals(classes: &[Class]) -> Option<Vec<i64>> {
    let mut totals: FxHashSet<i64> = FxHashSet::default();
    totals.insert(0);
    for class in classes {
        // What the class's seats can add: `taken` seats so far among its candidates.
        let mut sums: FxHashSet<(u32, i64)> = FxHashSet::default();
        sums.insert((0, 0));
        for p in (0..class.points.len()).filter(|&p| class.admits(p)) {
            let mut next = FxHashSet::default();
            for &(taken, sum) in &sums {
                for n in 0..=class.most(p, class.seats - taken) {
                    next.insert((taken + n, sum + i64::from(n) * class.points[p]));
                }
            }
            if next.len() > plan::SPLIT_SUMS {
                return None;
            }
            sums = next;
        }
        let adds: Vec<i64> = sums
            .into_iter()
            .filter(|&(taken, _)| taken == class.seats)
            .map(|(_, sum)| sum)
            .collect();
        let next: FxHashSet<i64> = totals
            .iter()
            .flat_map(|&t| adds.iter().map(move |&a| t + a))
            .collect();
        if next.len() > plan::SPLIT_SUMS {
            return None;
        }
        totals = next;
    }
    let mut totals: Vec<i64> = totals.into_iter().collect();
    totals.sort_unstable();
    (totals.len() <= plan::SPLIT_TOTALS).then_some(totals)
}

/// The least deviation with every member's normalized load in one window.
struct Window<'a> {
    split: &'a Split,
    /// Per member: its fair share at this total (scaled).
    share: Vec<f64>,
    /// Per member: the least and most load (scaled) from free seats in the window.
    low: Vec<i64>,
    high: Vec<i64>,
    /// Per member `p`, over the members after `p`: Σ (base − share), and the sums of
    /// their windows' bounds.
    later_offset: Vec<f64>,
    later_low: Vec<i64>,
    later_high: Vec<i64>,
    /// Per member `p`: for each total the members from `p + 1` on could take (each a
    /// load they can reach in their window, classes' counts aside), their least
    /// deviation; the last entry is for the whole team.
    later_least: Vec<FxHashMap<i64, f64>>,
    /// (member, counts left, load left) → the least deviation of the members from
    /// there on, exact, or (false) only known to be at least this.
    memo: FxHashMap<(u8, Packed, i64), (f64, bool)>,
    until: Instant,
    /// Steps of the enumerations since the clock was last read, and whether it said the
    /// time is up: then every answer of this window is void and the search gives up.
    ticks: Cell<u32>,
    late: Cell<bool>,
}

impl<'a> Window<'a> {
    fn new(split: &'a Split, mu: f64, (lo, hi): Ends, until: Instant) -> Window<'a> {
        let tolerance = 1e-9 * mu.abs().max(1.0);
        let k = split.members();
        let share: Vec<f64> = split.capacity.iter().map(|c| mu * c).collect();
        let loads = &split.loads;
        // Clamped to what the member can carry at all (a window may be unbounded).
        let low: Vec<i64> = (0..k)
            .map(|p| {
                let at = ((lo - tolerance) * split.capacity[p]).ceil().max(-1e15) as i64;
                (at - split.base[p]).max(0)
            })
            .collect();
        let high: Vec<i64> = (0..k)
            .map(|p| {
                let at = ((hi + tolerance) * split.capacity[p]).floor().min(1e15) as i64;
                (at - split.base[p]).min(loads[p].last().copied().unwrap_or(0))
            })
            .collect();
        let later_offset = (0..k)
            .map(|p| (p + 1..k).map(|i| split.base[i] as f64 - share[i]).sum())
            .collect();
        let later_low = (0..k).map(|p| low[p + 1..].iter().sum()).collect();
        let later_high = (0..k).map(|p| high[p + 1..].iter().sum()).collect();
        let mut later_least = vec![FxHashMap::default(); k + 1];
        let mut table: FxHashMap<i64, f64> = FxHashMap::default();
        table.insert(0, 0.0);
        let late = Cell::new(false);
        let mut steps = 0usize;
        'members: for p in (0..k).rev() {
            later_least[p] = table.clone();
            let own: Vec<(i64, f64)> = loads[p]
                .iter()
                .filter(|&&l| l >= low[p] && l <= high[p])
                .map(|&l| (l, ((split.base[p] + l) as f64 - share[p]).abs()))
                .collect();
            let mut next: FxHashMap<i64, f64> = FxHashMap::default();
            for (&rest, &dev) in &table {
                steps += own.len();
                if steps >= CLOCK_TICKS as usize {
                    steps = 0;
                    if Instant::now() >= until {
                        late.set(true);
                        break 'members;
                    }
                }
                for &(l, d) in &own {
                    let e = next.entry(rest + l).or_insert(f64::INFINITY);
                    *e = e.min(dev + d);
                }
            }
            table = next;
        }
        later_least[k] = table;
        Window {
            split,
            share,
            low,
            high,
            later_offset,
            later_low,
            later_high,
            later_least,
            memo: FxHashMap::default(),
            until,
            ticks: Cell::new(0),
            late,
        }
    }

    /// Counts one step of an enumeration; whether the time is up (read every
    /// [`CLOCK_TICKS`] steps). A year of shifts in many classes makes millions of count
    /// vectors per member, so the enumerations read the clock too, not only `spend`.
    fn tick(&self) -> bool {
        if !self.late.get() {
            let ticks = self.ticks.get() + 1;
            self.ticks.set(ticks % CLOCK_TICKS);
            if ticks >= CLOCK_TICKS && Instant::now() >= self.until {
                self.late.set(true);
            }
        }
        self.late.get()
    }

    /// Whether the clock stopped this window: its answers are void.
    fn out_of_time(&self) -> bool {
        self.late.get()
    }

    /// A bound on [`Window::least`] for the whole team taking `total`: infinite when
    /// no loads they can reach in the window sum to it.
    fn whole(&self, total: i64) -> f64 {
        let k = self.split.members();
        self.later_least[k]
            .get(&total)
            .copied()
            .unwrap_or(f64::INFINITY)
    }

    /// Σ |load − share| (scaled) over members `p..`, least over their splits of
    /// `remaining` seats per class that take `need` points together, when below
    /// `limit`; otherwise some value at least `limit` (infinite when no split fits).
    fn least(
        &mut self,
        p: usize,
        remaining: Packed,
        need: i64,
        limit: f64,
        states: &mut usize,
    ) -> f64 {
        let k = self.split.members();
        if p + 1 == k {
            return self.last(p, remaining, need);
        }
        let key = (p as u8, remaining, need);
        if let Some(&(value, exact)) = self.memo.get(&key)
            && (exact || value >= limit)
        {
            return value;
        }
        if !self.spend(states) || self.out_of_time() {
            return f64::INFINITY;
        }
        // This member's deviation and the later ones' least (that of their total) are
        // |x + a| + |b − x| = max(|2x + a − b|, |a + b|) for a load x, with
        // a = base − share and b = offset + need: below the limit on an interval.
        let a = self.split.base[p] as f64 - self.share[p];
        let b = self.later_offset[p] + need as f64;
        if (a + b).abs() >= limit {
            self.memo.insert(key, (limit, false));
            return limit;
        }
        let mut low = self.low[p].max(need - self.later_high[p]);
        let mut high = self.high[p].min(need - self.later_low[p]);
        if limit.is_finite() {
            low = low.max(((b - a - limit) / 2.0).floor() as i64);
            high = high.min(((b - a + limit) / 2.0).ceil() as i64);
        }
        let mut choices = Vec::new();
        self.counts(p, 0, 0, remaining, 0, (low, high), &mut choices);
        let mut best = f64::INFINITY;
        let mut cut_short = false;
        for (load, take) in choices {
            let rest = need - load;
            let own = ((self.split.base[p] + load) as f64 - self.share[p]).abs();
            let Some(&reach) = self.later_least[p].get(&rest) else {
                continue;
            };
            let later = (self.later_offset[p] + rest as f64).abs().max(reach);
            if own + later >= best {
                continue;
            }
            let cap = best.min(limit);
            if own + later >= cap {
                cut_short = true;
                continue;
            }
            let after = self.least(p + 1, remaining - take, rest, cap - own, states);
            if own + after < cap {
                best = own + after;
            } else if after.is_finite() && cap < best {
                // Cut by the limit, not by a better split found here.
                cut_short = true;
            }
        }
        let entry = if best < limit || !cut_short {
            (best, true)
        } else {
            (limit, false)
        };
        self.memo.insert(key, entry);
        entry.0
    }

    /// Counts one more state; false once the budget or the time is spent (and from then
    /// on: the count stays above the budget).
    fn spend(&self, states: &mut usize) -> bool {
        *states += 1;
        if states.is_multiple_of(1024) && Instant::now() >= self.until {
            *states = plan::SPLIT_STATES + 1;
        }
        *states <= plan::SPLIT_STATES
    }

    /// Whether any split of `remaining` among members `p..` that takes `need` points
    /// fits the window, looking at no more than `budget` states (false, with the budget
    /// spent, when it ran out).
    fn fits(&mut self, p: usize, remaining: Packed, need: i64, budget: &mut usize) -> bool {
        if p + 1 == self.split.members() {
            return self.last(p, remaining, need).is_finite();
        }
        let key = (p as u8, remaining, need);
        if self.memo.contains_key(&key) {
            return false;
        }
        if *budget == 0 || self.out_of_time() {
            return false;
        }
        *budget -= 1;
        let low = self.low[p].max(need - self.later_high[p]);
        let high = self.high[p].min(need - self.later_low[p]);
        let mut choices = Vec::new();
        self.counts(p, 0, 0, remaining, 0, (low, high), &mut choices);
        for (load, take) in choices {
            let rest = need - load;
            if self.later_least[p].contains_key(&rest)
                && self.fits(p + 1, remaining - take, rest, budget)
            {
                return true;
            }
        }
        // Only failures are remembered (as no split at all), and only complete ones.
        if *budget > 0 {
            self.memo.insert(key, (f64::INFINITY, true));
        }
        false
    }

    /// The last member takes everything left, if they may, it is `need` points and it
    /// fits their window.
    fn last(&self, p: usize, remaining: Packed, need: i64) -> f64 {
        let mut load = 0;
        for class in &self.split.classes {
            let r = class.count(remaining);
            if r > class.most(p, r) {
                return f64::INFINITY;
            }
            load += class.points[p] * i64::from(r);
        }
        if load != need || load < self.low[p] || load > self.high[p] {
            return f64::INFINITY;
        }
        ((self.split.base[p] + load) as f64 - self.share[p]).abs()
    }

    /// Every count vector member `p` may take from `remaining` (classes `i..` still to
    /// choose, `load` so far) with a load in `[low, high]`, leaving the later members
    /// no more of a class than they can take.
    #[allow(clippy::too_many_arguments)]
    fn counts(
        &self,
        p: usize,
        i: usize,
        load: i64,
        remaining: Packed,
        take: Packed,
        (low, high): (i64, i64),
        out: &mut Vec<(i64, Packed)>,
    ) {
        let classes = &self.split.classes;
        if load > high || self.tick() {
            return;
        }
        let Some(class) = classes.get(i) else {
            if load >= low {
                out.push((load, take));
            }
            return;
        };
        // The most the classes after `i` can still add.
        let more: i64 = classes[i + 1..]
            .iter()
            .map(|c| c.points[p] * i64::from(c.most(p, c.count(remaining))))
            .sum();
        let left = class.count(remaining);
        let most = class.most(p, left);
        let later = class.mask.checked_shr(p as u32 + 1).unwrap_or(0);
        let room = class.shifts * later.count_ones();
        for n in left.saturating_sub(room)..=most {
            let l = load + class.points[p] * i64::from(n);
            if l > high {
                break;
            }
            if l + class.points[p] * i64::from(most - n) + more < low {
                continue;
            }
            let take = take | Packed::from(n) << class.offset;
            self.counts(p, i + 1, l, remaining, take, (low, high), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::problem::assignment::Assignment;
    use crate::problem::evaluate::{self, evaluate};
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    fn fairness(problem: &Problem, a: &Assignment) -> f64 {
        evaluate::fairness(&problem.objective, &evaluate(problem, a, None).metrics)
    }

    /// Every way to fill every shift's seats from its candidates, pins kept (the
    /// relaxation's schedules, by brute force).
    fn each_split(problem: &Problem, index: &Index, visit: &mut dyn FnMut(&Assignment)) {
        fn fill(
            problem: &Problem,
            index: &Index,
            s: usize,
            a: &mut Assignment,
            visit: &mut dyn FnMut(&Assignment),
        ) {
            if s == index.shifts {
                return visit(a);
            }
            let seats = problem.shifts[s].per_shift as usize;
            let cand = &index.cand[s];
            for set in 0u32..1 << cand.len() {
                let pinned = (0..cand.len())
                    .all(|i| set >> i & 1 == 1 || index.fixed[s].binary_search(&cand[i]).is_err());
                if set.count_ones() as usize != seats || !pinned {
                    continue;
                }
                a.members[s] = (0..cand.len())
                    .filter(|&i| set >> i & 1 == 1)
                    .map(|i| cand[i])
                    .collect();
                fill(problem, index, s + 1, a, visit);
            }
        }
        fill(
            problem,
            index,
            0,
            &mut Assignment::empty(index.shifts),
            visit,
        );
    }

    /// The least fairness terms of any split.
    fn least_by_brute_force(problem: &Problem, index: &Index) -> f64 {
        let mut best = f64::INFINITY;
        each_split(problem, index, &mut |a| {
            best = best.min(fairness(problem, a))
        });
        best
    }

    /// Some schedule of the relaxation: the first candidates of every shift.
    fn any_split(problem: &Problem, index: &Index) -> Assignment {
        let mut a = Assignment::empty(index.shifts);
        for s in 0..index.shifts {
            a.members[s] = index.cand[s][..problem.shifts[s].per_shift as usize].to_vec();
        }
        a
    }

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    /// Days of `hours`, each member's points raised by `per_member` and some pairs
    /// `blocked` (member 0 stays free, so every shift keeps a candidate).
    fn days(members: usize, hours: &[i64], per_member: &[i64], blocked: &[bool]) -> Problem {
        let mut problem =
            testkit::problem(members, &testkit::days(hours, None), ConfigRules::default());
        testkit::vary(&mut problem, None, Some(per_member), blocked);
        problem
    }

    proptest::proptest! {
        /// The search's floor is the least fairness of any split: uneven points, points
        /// that differ between members, part-timers with history, blocked pairs and
        /// two-seat shifts.
        #[test]
        fn proptest_the_floor_is_the_least_fairness_of_any_split(
            members in 2usize..4,
            hours in proptest::collection::vec(1i64..20, 3..8),
            per_member in proptest::collection::vec(0i64..3, 24),
            blocked in proptest::collection::vec(proptest::bool::weighted(0.25), 24),
            two_seats in proptest::option::of(0usize..8),
            capacity in proptest::sample::select(vec![1.0, 0.5, 0.75]),
            history in proptest::sample::select(vec![0.0, 3.0, 11.0]),
            above in proptest::sample::select(vec![0.0, 0.5, 2.0]),
        ) {
            let mut problem = days(members, &hours, &per_member, &blocked);
            problem.capacity[0] = capacity;
            problem.history[members - 1] = history;
            if let Some(s) = two_seats.filter(|&s| s < hours.len()) {
                for m in 0..members {
                    problem.cells[s][m].blocked = None;
                }
                problem.shifts[s].per_shift = 2;
            }
            let index = Index::new(&problem, None, Rules::of(&problem));
            let brute = least_by_brute_force(&problem, &index);
            // Any value at or above the least stands for the heuristics' schedule (a
            // far worse one opens more windows than the search takes on).
            let incumbent = brute + above * problem.objective.imbalance;
            // However many windows: the limit is about time, not about the answer.
            let split = Split::new(&problem, &index);
            proptest::prop_assert!(split.is_some(), "small teams suit the search");
            let floor = split.unwrap().least(incumbent, far(), usize::MAX);
            proptest::prop_assert!(floor.is_some(), "no budget ran out");
            let floor = floor.unwrap();
            proptest::prop_assert!(
                (floor - brute).abs() <= 1e-6 * brute.max(1.0),
                "floor {} against {}", floor, brute
            );
        }

        /// Per pool total, the least fairness of the splits with that total, or the
        /// budget where none is below it; every total a split has is listed. Points
        /// that differ between members (so the totals differ), blocked pairs, a pin.
        #[test]
        fn proptest_the_floor_per_total_is_the_least_fairness_of_its_splits(
            members in 2usize..4,
            hours in proptest::collection::vec(1i64..12, 3..7),
            per_member in proptest::collection::vec(0i64..4, 24),
            blocked in proptest::collection::vec(proptest::bool::weighted(0.25), 24),
            pin in proptest::option::of((0usize..7, 0usize..3)),
            capacity in proptest::sample::select(vec![1.0, 0.5]),
            above in proptest::sample::select(vec![0.0, 1.0, 3.0]),
        ) {
            let mut problem = days(members, &hours, &per_member, &blocked);
            problem.capacity[0] = capacity;
            if let Some((s, m)) = pin.filter(|&(s, m)| s < hours.len() && m < members) {
                problem.cells[s][m].blocked = None;
                problem.pins = vec![(s, m)];
            }
            let index = Index::new(&problem, None, Rules::of(&problem));
            let mut brute: FxHashMap<i64, f64> = FxHashMap::default();
            each_split(&problem, &index, &mut |a| {
                let total: i64 = (0..index.shifts)
                    .flat_map(|s| a.members[s].iter().map(move |&m| (s, m)))
                    .map(|(s, m)| scaled(problem.cells[s][m].points))
                    .sum();
                let f = fairness(&problem, a);
                let least = brute.entry(total).or_insert(f64::INFINITY);
                *least = least.min(f);
            });
            let least = brute.values().copied().fold(f64::INFINITY, f64::min);
            let budget = least + above * problem.objective.imbalance;
            // However many windows, as above.
            let found = by_total_within(&problem, &index, budget, far(), usize::MAX);
            proptest::prop_assert!(found.is_some(), "small teams suit the search");
            let found = found.unwrap();
            for (total, f) in &brute {
                let listed = found.iter().find(|(t, _)| t == total);
                proptest::prop_assert!(listed.is_some(), "total {} not listed", total);
                let (_, value) = *listed.unwrap();
                let expected = f.min(budget);
                proptest::prop_assert!(
                    (value - expected).abs() <= 1e-6 * expected.max(1.0),
                    "total {}: {} against {}", total, value, expected
                );
            }
        }
    }

    #[test]
    fn someone_outside_fairness_or_no_schedule_leaves_it_to_highs() {
        let shifts: Vec<(usize, i64, i64)> = (0..5).map(|i| (0, i * 24, 8 + i)).collect();
        let mut problem = testkit::problem(3, &shifts, ConfigRules::default());
        let index = Index::new(&problem, None, Rules::of(&problem));
        let incumbent = fairness(&problem, &any_split(&problem, &index));
        assert!(split_floor(&problem, &index, incumbent, far()).is_some());
        // Without a schedule to beat, every window would be open.
        assert!(split_floor(&problem, &index, f64::INFINITY, far()).is_none());
        // A candidate with no capacity takes load outside the pool.
        problem.capacity[2] = 0.0;
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert!(split_floor(&problem, &index, incumbent, far()).is_none());
    }

    #[test]
    fn pinned_seats_count_as_load() {
        // Two equal members and days of 10 and 6 points: without the pin the best
        // split is 16 : 16; with member 0 pinned to both 10s it is 20 : 12.
        let hours = [10, 10, 6, 6, 6, 6];
        let shifts = testkit::days(&hours, None);
        let mut problem = testkit::problem(2, &shifts, ConfigRules::default());
        let index = Index::new(&problem, None, Rules::of(&problem));
        let incumbent = fairness(&problem, &any_split(&problem, &index));
        assert_eq!(split_floor(&problem, &index, incumbent, far()), Some(0.0));
        problem.pins = vec![(0, 0), (1, 0)];
        let index = Index::new(&problem, None, Rules::of(&problem));
        let brute = least_by_brute_force(&problem, &index);
        let floor = split_floor(&problem, &index, incumbent, far()).expect("found");
        assert!(floor > 1.0, "{floor}");
        assert!((floor - brute).abs() <= 1e-6 * brute, "{floor} vs {brute}");
    }
}
