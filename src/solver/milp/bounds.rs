//! Valid inequalities that the LP relaxation cannot see: loads move in steps (each
//! member's points share a common divisor), so perfect balance is usually impossible.
//!
//! The relaxation splits shifts fractionally and balances perfectly, which makes the
//! plain model's bound useless (SOLVER-NOTES). These bounds restore what integrality
//! implies: the most loaded member carries at least the smallest load level that lets
//! everyone else fit below it, and a member's |load − fair share| is at least the chord
//! of that function over the achievable load levels.

use std::time::Instant;

use crate::problem::Problem;
use crate::solver::index::Index;
use crate::solver::plan;

/// Bounds on the fairness terms, derived from the reachable load levels.
#[derive(Debug, Clone)]
pub(crate) struct FairnessBounds {
    /// Per member: the loads they can reach at all.
    pub levels: Vec<Levels>,
    /// `zmax ≥ this` (max normalized load).
    pub zmax_lb: f64,
    /// `zmin ≤ this` (min normalized load).
    pub zmin_ub: f64,
    /// `zmax − zmin ≥ this`.
    pub imbalance_lb: f64,
    /// Σ load of the members in fairness when it is the same for every assignment.
    pub constant_total: Option<f64>,
    /// Range of Σ load of the members in fairness (when every candidate is in fairness).
    pub total_range: Option<(f64, f64)>,
}

/// The loads one member can reach: fixed seats plus any subset of their free pairs'
/// points (a superset of what the rules allow, so bounds from it are valid).
#[derive(Debug, Clone)]
pub(crate) enum Levels {
    /// Points without a common step: any load ≥ `base`.
    Continuous { base: f64 },
    /// Every `base + k × unit`, k ≥ 0 (too many points for a subset-sum table).
    Grid { base: f64, unit: f64 },
    /// `base + k × unit` for the `k` set in `bits` (subset sums).
    Sums {
        base: f64,
        unit: f64,
        bits: Vec<u64>,
    },
}

impl Levels {
    fn build(fixed: &[f64], free: &[f64]) -> Levels {
        let base: f64 = fixed.iter().sum();
        if free.is_empty() {
            return Levels::Sums {
                base,
                unit: 1.0,
                bits: vec![1],
            };
        }
        let Some(unit) = step(free.iter().copied()) else {
            return Levels::Continuous { base };
        };
        let units: Vec<usize> = free.iter().map(|p| (p / unit).round() as usize).collect();
        let total: usize = units.iter().sum();
        if total > plan::LEVEL_UNITS || (total / 64 + 1) * units.len() > plan::LEVEL_WORK {
            return Levels::Grid { base, unit };
        }
        let words = total / 64 + 1;
        let mut bits = vec![0u64; words];
        bits[0] = 1;
        for &k in &units {
            if k == 0 {
                continue;
            }
            // bits |= bits << k, from the top so each item is used once.
            let (shift_words, shift_bits) = (k / 64, k % 64);
            for w in (0..words).rev() {
                let mut v = 0u64;
                if w >= shift_words {
                    v |= bits[w - shift_words] << shift_bits;
                    if shift_bits > 0 && w > shift_words {
                        v |= bits[w - shift_words - 1] >> (64 - shift_bits);
                    }
                }
                bits[w] |= v;
            }
        }
        Levels::Sums { base, unit, bits }
    }

    /// Without the subset sums (past a deadline): every subset sum is on the grid of
    /// their common step, so bounds from it stay valid, if weaker.
    fn grid(fixed: &[f64], free: &[f64]) -> Levels {
        let base: f64 = fixed.iter().sum();
        match step(free.iter().copied()) {
            _ if free.is_empty() => Levels::build(fixed, free),
            Some(unit) => Levels::Grid { base, unit },
            None => Levels::Continuous { base },
        }
    }

    fn has(bits: &[u64], k: usize) -> bool {
        bits.get(k / 64).is_some_and(|w| w >> (k % 64) & 1 == 1)
    }

    /// The largest reachable load ≤ x.
    pub fn below(&self, x: f64) -> Option<f64> {
        match self {
            Levels::Continuous { base } => (x >= *base - 1e-9).then_some(x),
            Levels::Grid { base, unit } => {
                let k = ((x - base) / unit + 1e-9).floor();
                (k >= 0.0).then(|| base + k * unit)
            }
            Levels::Sums { base, unit, bits } => {
                let k = ((x - base) / unit + 1e-9).floor();
                if k < 0.0 {
                    return None;
                }
                let top = (bits.len() * 64 - 1) as f64;
                let mut k = k.min(top) as usize;
                loop {
                    if Self::has(bits, k) {
                        return Some(base + k as f64 * unit);
                    }
                    if k == 0 {
                        return None;
                    }
                    k -= 1;
                }
            }
        }
    }

    /// The smallest reachable load ≥ x.
    pub fn above(&self, x: f64) -> Option<f64> {
        match self {
            Levels::Continuous { base } => Some(x.max(*base)),
            Levels::Grid { base, unit } => {
                let k = ((x - base) / unit - 1e-9).ceil().max(0.0);
                Some(base + k * unit)
            }
            Levels::Sums { base, unit, bits } => {
                let k = ((x - base) / unit - 1e-9).ceil().max(0.0) as usize;
                (k..bits.len() * 64)
                    .find(|&k| Self::has(bits, k))
                    .map(|k| base + k as f64 * unit)
            }
        }
    }
}

/// Points are hours × class weights: a scale of 1000 makes realistic ones integral.
const SCALE: f64 = 1000.0;

/// Searches for the bounds until `until` at most; one cut short is weaker, never wrong.
pub(crate) fn fairness_bounds(
    problem: &Problem,
    index: &Index,
    fair: &[usize],
    fix: Option<&[Option<bool>]>,
    until: Instant,
) -> FairnessBounds {
    let members = index.members;
    let forced = |s: usize, m: usize| fix.and_then(|f| f[s * members + m]);
    let is_fixed =
        |s: usize, m: usize| index.fixed[s].binary_search(&m).is_ok() || forced(s, m) == Some(true);
    // Pairs that may still change: unblocked, not fixed, not excluded.
    let is_free =
        |s: usize, m: usize| !index.frozen[s] && !is_fixed(s, m) && forced(s, m).is_none();

    let levels: Vec<Levels> = (0..members)
        .map(|m| {
            let mut fixed = Vec::new();
            let mut free = Vec::new();
            for s in 0..index.shifts {
                if !index.is_candidate(s, m) {
                    continue;
                }
                let p = problem.cells[s][m].points;
                if is_fixed(s, m) {
                    fixed.push(p);
                } else if is_free(s, m) {
                    free.push(p);
                }
            }
            if Instant::now() >= until {
                Levels::grid(&fixed, &free)
            } else {
                Levels::build(&fixed, &free)
            }
        })
        .collect();

    // Range of Σ load over the members in fairness: fixed seats as they are, free seats
    // with the least and most points any free candidate brings. Only meaningful when
    // every candidate is in fairness.
    let all_fair = (0..index.shifts).all(|s| index.cand[s].iter().all(|&m| index.in_fairness[m]));
    let mut low = 0.0;
    let mut high = 0.0;
    let mut constant = all_fair;
    for s in 0..index.shifts {
        let mut seats = f64::from(problem.shifts[s].per_shift);
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &m in &index.cand[s] {
            let p = problem.cells[s][m].points;
            if is_fixed(s, m) {
                low += p;
                high += p;
                seats -= 1.0;
            } else if is_free(s, m) {
                min = min.min(p);
                max = max.max(p);
            }
        }
        if seats <= 0.0 || !min.is_finite() {
            continue;
        }
        low += seats * min;
        high += seats * max;
        if (max - min).abs() > 1e-9 * max.abs().max(1.0) {
            constant = false;
        }
    }

    let mut bounds = FairnessBounds {
        levels,
        zmax_lb: f64::NEG_INFINITY,
        zmin_ub: f64::INFINITY,
        imbalance_lb: 0.0,
        constant_total: constant.then_some(low),
        total_range: all_fair.then_some((low, high)),
    };
    if !all_fair || fair.is_empty() {
        return bounds;
    }

    // The fair members' loads at the levels nearest Z × capacity − history on the side
    // `nearest` looks, summed; `unreachable` where some member has no level there.
    let levels_at = |z: f64, nearest: fn(&Levels, f64) -> Option<f64>, unreachable: f64| {
        let mut sum = 0.0;
        for &m in fair {
            match nearest(
                &bounds.levels[m],
                z * problem.capacity[m] - problem.history[m],
            ) {
                Some(level) => sum += level,
                None => return unreachable,
            }
        }
        sum
    };
    // zmax = Z means every member's load fits under Z × capacity − history at a level
    // they can reach; together they must still carry at least `low`.
    let fits_under = |z: f64| levels_at(z, Levels::below, f64::NEG_INFINITY);
    // zmin = Z means every member carries at least Z × capacity − history (at a level
    // they can reach); together they carry at most `high`.
    let at_least = |z: f64| levels_at(z, Levels::above, f64::INFINITY);
    let spread = fair
        .iter()
        .map(|&m| (high + problem.history[m].abs()) / problem.capacity[m])
        .fold(0.0, f64::max)
        + 1.0;
    let lowest = fair
        .iter()
        .map(|&m| -problem.history[m].abs() / problem.capacity[m])
        .fold(0.0, f64::min)
        - 1.0;

    // Smallest Z with fits_under(Z) ≥ low.
    let carries_low = |z: f64| fits_under(z) >= low - 1e-9;
    if carries_low(spread) {
        bounds.zmax_lb = bisect(spread, lowest, until, carries_low);
    }
    // Largest Z with at_least(Z) ≤ high.
    let within_high = |z: f64| at_least(z) <= high + 1e-9;
    if within_high(lowest) {
        bounds.zmin_ub = bisect(lowest, spread, until, within_high);
    }
    if bounds.zmax_lb.is_finite() && bounds.zmin_ub.is_finite() {
        bounds.imbalance_lb = (bounds.zmax_lb - bounds.zmin_ub).max(0.0);
        // Only for the whole model: LNS builds many restricted ones and needs them fast.
        if fix.is_none()
            && let Some(joint) = joint_imbalance(problem, fair, &bounds, (low, high), spread, until)
        {
            bounds.imbalance_lb = bounds.imbalance_lb.max(joint);
        }
    }
    bounds
}

/// max − min ≥ min over Z' of (Z(Z') − Z'), where Z(Z') is the least max normalized load
/// when every member is at least at Z': each member needs a reachable level between
/// Z' × capacity − history and Z × capacity − history, and the levels must be able to
/// sum into the total's range. Z' only matters where it equals some member's level.
/// `None` when past `until` before every breakpoint was looked at.
fn joint_imbalance(
    problem: &Problem,
    fair: &[usize],
    bounds: &FairnessBounds,
    (low, high): (f64, f64),
    spread: f64,
    until: Instant,
) -> Option<f64> {
    let normalized = |m: usize, level: f64| (level + problem.history[m]) / problem.capacity[m];
    let mut breakpoints: Vec<f64> = Vec::new();
    for &m in fair {
        let top = bounds.zmin_ub * problem.capacity[m] - problem.history[m];
        let mut level = bounds.levels[m].above(f64::MIN)?;
        while level <= top + 1e-9 {
            breakpoints.push(normalized(m, level));
            if breakpoints.len() * fair.len() > plan::JOINT_BREAKPOINTS {
                return None;
            }
            level = bounds.levels[m].above(level + 1e-6)?;
        }
    }
    breakpoints.sort_by(f64::total_cmp);
    breakpoints.dedup_by(|a, b| (*a - *b).abs() < 1e-12);

    let feasible = |zmin: f64, zmax: f64| -> bool {
        let (mut sum_lo, mut sum_hi) = (0.0, 0.0);
        for &m in fair {
            let cap = problem.capacity[m];
            let hist = problem.history[m];
            let Some(lo) = bounds.levels[m].above(zmin * cap - hist) else {
                return false;
            };
            match bounds.levels[m].below(zmax * cap - hist) {
                Some(hi) if hi >= lo - 1e-9 => {
                    sum_lo += lo;
                    sum_hi += hi;
                }
                _ => return false,
            }
        }
        sum_lo <= high + 1e-9 && sum_hi >= low - 1e-9
    };
    let mut best = f64::INFINITY;
    for &zmin in &breakpoints {
        // The bound is the least over every breakpoint: one cut short proves nothing.
        if Instant::now() >= until {
            return None;
        }
        // A zmin whose least zmax is above zmin + best cannot lower the bound: one
        // check instead of a bisection, for most breakpoints.
        let top = if best.is_finite() {
            (zmin + best).min(spread)
        } else {
            spread
        };
        if !feasible(zmin, top) {
            continue;
        }
        // Least zmax for this zmin; `bad` stays infeasible, so it is a valid bound.
        let (mut bad, mut good) = (zmin - 1e-9, top);
        if feasible(zmin, bad) {
            return Some(0.0);
        }
        for _ in 0..60 {
            let mid = 0.5 * (bad + good);
            if feasible(zmin, mid) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        best = best.min(bad - zmin);
    }
    best.is_finite().then_some(best.max(0.0))
}

/// A lower bound on the whole objective without any LP: total load at least the
/// cheapest candidates (with the deviation its levels force, see [`load_floor`]),
/// imbalance at least what the load levels force, other terms ≥ 0.
/// `-inf` when a negative weight makes the simple argument invalid. Past `until` the
/// searches stop where they are, with a weaker bound.
pub(crate) fn objective_floor(problem: &Problem, index: &Index, until: Instant) -> f64 {
    let w = problem.objective;
    let weights = [
        w.imbalance,
        w.deviation,
        w.back_to_back_after_hours,
        w.total_load,
        w.prefer_off,
        w.churn,
    ];
    if weights.iter().any(|&x| x < 0.0) {
        return f64::NEG_INFINITY;
    }
    let mut cheapest_total = 0.0;
    for s in 0..index.shifts {
        let cheapest = index.cand[s]
            .iter()
            .map(|&m| problem.cells[s][m].points)
            .fold(f64::INFINITY, f64::min);
        if cheapest.is_finite() {
            cheapest_total += f64::from(problem.shifts[s].per_shift) * cheapest;
        }
    }
    let fair: Vec<usize> = (0..index.members)
        .filter(|&m| index.in_fairness[m])
        .collect();
    let b = fairness_bounds(problem, index, &fair, None, until);
    let loads = match b.total_range {
        Some(range) if !fair.is_empty() => load_floor(problem, &fair, &b.levels, range, until),
        _ => w.total_load * cheapest_total,
    };
    loads + w.imbalance * b.imbalance_lb
}

/// The least total load plus deviation any schedule can have. Fair shares move with the
/// total, and loads come in levels: with a total in some interval, each member is at
/// least as far from their share as the share's range there is from the nearest level
/// they can reach. The totals a schedule can have, `[low, high]`, are split into
/// intervals, each bounded from below at its least total; the floor is the least of
/// them. Past `until`, the intervals not looked at count their least total alone.
fn load_floor(
    problem: &Problem,
    fair: &[usize],
    levels: &[Levels],
    (low, high): (f64, f64),
    until: Instant,
) -> f64 {
    let w = problem.objective;
    let capacity: f64 = fair.iter().map(|&m| problem.capacity[m]).sum();
    let history: f64 = fair.iter().map(|&m| problem.history[m]).sum();
    let share = |m: usize, total: f64| {
        problem.capacity[m] / capacity * (total + history) - problem.history[m]
    };
    let steps = if high - low > 1e-9 {
        plan::LOAD_FLOOR_STEPS
    } else {
        1
    };
    let mut floor = f64::INFINITY;
    for k in 0..steps {
        let from = low + (high - low) * k as f64 / steps as f64;
        let to = low + (high - low) * (k + 1) as f64 / steps as f64;
        if Instant::now() >= until {
            // Every later interval's total is at least `from`.
            return floor.min(w.total_load * from);
        }
        let mut deviation = 0.0;
        if w.deviation > 0.0 {
            for &m in fair {
                deviation += distance(&levels[m], share(m, from), share(m, to));
            }
        }
        floor = floor.min(w.total_load * from + w.deviation * deviation);
    }
    floor
}

/// Narrows the interval between `holds` (where `test` holds) and `fails` (where it does
/// not, on either side) by halving, 100 times or until `until`, and returns the end
/// where it fails: cut short, that end is still on the safe side of the answer.
fn bisect(mut holds: f64, mut fails: f64, until: Instant, test: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..100 {
        if Instant::now() >= until {
            break;
        }
        let mid = 0.5 * (holds + fails);
        if test(mid) {
            holds = mid;
        } else {
            fails = mid;
        }
    }
    fails
}

/// How far `[lo, hi]` is from the nearest reachable level (0 when one is inside).
fn distance(levels: &Levels, lo: f64, hi: f64) -> f64 {
    if levels.below(hi).is_some_and(|l| l >= lo - 1e-9) {
        return 0.0;
    }
    let under = levels.below(lo).map_or(f64::INFINITY, |l| lo - l);
    let over = levels.above(hi).map_or(f64::INFINITY, |l| l - hi);
    let nearest = under.min(over);
    if nearest.is_finite() { nearest } else { 0.0 }
}

/// The largest common step of `values` (each a multiple of it), if they have one at
/// 1/1000 resolution.
pub(crate) fn step(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut g: u64 = 0;
    for v in values {
        let scaled = (v * SCALE).round();
        if scaled < 0.0 || (scaled - v * SCALE).abs() > 1e-6 * SCALE.max(v.abs()) {
            return None;
        }
        g = gcd(g, scaled as u64);
    }
    (g > 0).then(|| g as f64 / SCALE)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    fn far() -> Instant {
        Instant::now() + std::time::Duration::from_secs(60)
    }

    #[test]
    fn a_floor_past_its_deadline_is_weaker_and_still_below_the_optimum() {
        // As below: the optimum is 11 030, the full floor a hair under it. With no time
        // at all, the levels' searches stop at once: what is left is the cheapest load.
        let problem = testkit::evenly(2, 3, 48, 10);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let hurried = objective_floor(&problem, &index, Instant::now());
        let full = objective_floor(&problem, &index, far());
        assert!(
            hurried < full - 1.0 && hurried >= 30.0 - 1e-9,
            "{hurried} vs {full}"
        );
    }

    #[test]
    fn the_floor_counts_the_deviation_that_whole_shifts_force() {
        // Two full-timers, three 10-point shifts two days apart: shares are 15 each, loads
        // come in tens, so each member is 5 off (deviation 10) and one is 10 above the
        // other. The floor is the optimum: 30 + 100 × 10 + 1000 × 10.
        let problem = testkit::evenly(2, 3, 48, 10);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let floor = objective_floor(&problem, &index, far());
        // The imbalance bound is bisected, so it is a hair below 10.
        assert!((floor - 11_030.0).abs() < 1e-3, "{floor}");
    }

    #[test]
    fn distance_to_the_nearest_level() {
        let levels = Levels::build(&[], &[10.0, 10.0, 10.0]);
        assert_eq!(distance(&levels, 14.0, 16.0), 4.0);
        assert_eq!(distance(&levels, 9.0, 11.0), 0.0);
        assert_eq!(distance(&levels, 31.0, 33.0), 1.0);
        assert_eq!(distance(&Levels::Continuous { base: 0.0 }, 14.0, 16.0), 0.0);
    }

    #[test]
    fn step_is_the_common_divisor() {
        assert_eq!(step([296.0, 592.0, 888.0].into_iter()), Some(296.0));
        assert_eq!(step([40.0, 41.0, 48.0].into_iter()), Some(1.0));
        assert_eq!(step([1.5, 2.25].into_iter()), Some(0.75));
        assert_eq!(step([1.0 / 3.0].into_iter()), None);
    }

    #[test]
    fn the_grid_holds_every_subset_sum() {
        let free = [296.0, 296.0, 304.0];
        let (sums, grid) = (Levels::build(&[10.0], &free), Levels::grid(&[10.0], &free));
        for x in [5.0, 306.0, 320.0, 650.0, 907.0] {
            assert!(
                grid.below(x).unwrap_or(f64::NEG_INFINITY)
                    >= sums.below(x).unwrap_or(f64::NEG_INFINITY)
            );
            assert!(
                grid.above(x).unwrap_or(f64::INFINITY) <= sums.above(x).unwrap_or(f64::INFINITY)
            );
        }
    }

    #[test]
    fn levels_are_the_subset_sums() {
        // Fixed 10, free 296, 296, 304: reachable 10 + {0, 296, 304, 592, 600, 896}.
        let levels = Levels::build(&[10.0], &[296.0, 296.0, 304.0]);
        assert_eq!(levels.below(650.0), Some(610.0));
        assert_eq!(levels.above(320.0), Some(602.0));
        assert_eq!(levels.above(306.0), Some(306.0));
        assert_eq!(levels.below(5.0), None);
        assert_eq!(levels.above(907.0), None);
        assert_eq!(levels.below(5000.0), Some(906.0));
        let free = Levels::build(&[], &[1.0 / 3.0]);
        assert_eq!(free.below(0.5), Some(0.5));
    }
}
