//! Valid inequalities that the LP relaxation cannot see: loads move in steps (each
//! member's points share a common divisor), so perfect balance is usually impossible.
//!
//! The relaxation splits shifts fractionally and balances perfectly, which makes the
//! plain model's bound useless (SOLVER-NOTES). These bounds restore what integrality
//! implies: the most loaded member carries at least the smallest load level that lets
//! everyone else fit below it, and a member's |load − fair share| is at least the chord
//! of that function over the achievable load levels.

use super::index::Index;
use crate::problem::Problem;

/// Bounds on the fairness terms, derived from the load grids.
#[derive(Debug, Clone)]
pub(crate) struct FairnessBounds {
    /// Per member: the step of achievable loads, when their points have one.
    pub grid: Vec<Option<f64>>,
    /// `zmax ≥ this` (max normalized load).
    pub zmax_lb: f64,
    /// `zmin ≤ this` (min normalized load).
    pub zmin_ub: f64,
    /// Σ load of the members in fairness when it is the same for every assignment.
    pub constant_total: Option<f64>,
}

/// Points are hours × class weights: a scale of 1000 makes realistic ones integral.
const SCALE: f64 = 1000.0;

pub(crate) fn fairness_bounds(
    problem: &Problem,
    index: &Index,
    fair: &[usize],
    fix: Option<&[Option<bool>]>,
) -> FairnessBounds {
    let members = index.members;
    let forced = |s: usize, m: usize| fix.and_then(|f| f[s * members + m]);
    let is_fixed =
        |s: usize, m: usize| index.fixed[s].binary_search(&m).is_ok() || forced(s, m) == Some(true);
    // Pairs that may still change: unblocked, not fixed, not excluded.
    let is_free =
        |s: usize, m: usize| !index.frozen[s] && !is_fixed(s, m) && forced(s, m).is_none();

    let grid: Vec<Option<f64>> = (0..members)
        .map(|m| {
            let points = (0..index.shifts)
                .filter(|&s| index.is_candidate(s, m) && (is_fixed(s, m) || is_free(s, m)))
                .map(|s| problem.cells[s][m].points);
            step(points)
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
        grid,
        zmax_lb: f64::NEG_INFINITY,
        zmin_ub: f64::INFINITY,
        constant_total: constant.then_some(low),
    };
    if !all_fair || fair.is_empty() {
        return bounds;
    }

    // zmax = Z means every member's load fits under Z × capacity − history, on their
    // grid; the members together must still carry at least `low`.
    let fits_under = |z: f64| -> f64 {
        fair.iter()
            .map(|&m| {
                let cap = problem.capacity[m];
                let room = z * cap - problem.history[m];
                snap_down(room, bounds.grid[m]).max(0.0)
            })
            .sum()
    };
    // zmin = Z means every member carries at least Z × capacity − history (on their
    // grid); together they carry at most `high`.
    let at_least = |z: f64| -> f64 {
        fair.iter()
            .map(|&m| {
                let cap = problem.capacity[m];
                let need = z * cap - problem.history[m];
                snap_up(need, bounds.grid[m]).max(0.0)
            })
            .sum()
    };
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

    // Smallest Z with fits_under(Z) ≥ low: keep `bad` infeasible, return it (a bound).
    let (mut bad, mut good) = (lowest, spread);
    if fits_under(good) >= low - 1e-9 {
        for _ in 0..100 {
            let mid = 0.5 * (bad + good);
            if fits_under(mid) >= low - 1e-9 {
                good = mid;
            } else {
                bad = mid;
            }
        }
        bounds.zmax_lb = bad;
    }
    // Largest Z with at_least(Z) ≤ high.
    let (mut ok, mut over) = (lowest, spread);
    if at_least(ok) <= high + 1e-9 {
        for _ in 0..100 {
            let mid = 0.5 * (ok + over);
            if at_least(mid) <= high + 1e-9 {
                ok = mid;
            } else {
                over = mid;
            }
        }
        bounds.zmin_ub = over;
    }
    bounds
}

/// A lower bound on the whole objective without any LP: total load at least the
/// cheapest candidates, imbalance at least what the load grids force, other terms ≥ 0.
/// `-inf` when a negative weight makes the simple argument invalid.
pub(crate) fn objective_floor(problem: &Problem, index: &Index) -> f64 {
    let w = problem.config.objective;
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
    let mut floor = 0.0;
    for s in 0..index.shifts {
        let cheapest = index.cand[s]
            .iter()
            .map(|&m| problem.cells[s][m].points)
            .fold(f64::INFINITY, f64::min);
        if cheapest.is_finite() {
            floor += w.total_load * f64::from(problem.shifts[s].per_shift) * cheapest;
        }
    }
    let fair: Vec<usize> = (0..index.members)
        .filter(|&m| index.in_fairness[m])
        .collect();
    let b = fairness_bounds(problem, index, &fair, None);
    if b.zmax_lb.is_finite() && b.zmin_ub.is_finite() {
        floor += w.imbalance * (b.zmax_lb - b.zmin_ub).max(0.0);
    }
    floor
}

/// The largest common step of `values` (each a multiple of it), if they have one at
/// 1/1000 resolution.
fn step(values: impl Iterator<Item = f64>) -> Option<f64> {
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

/// The largest grid value ≤ x (x itself without a grid), with a little slack for floats.
pub(crate) fn snap_down(x: f64, grid: Option<f64>) -> f64 {
    match grid {
        Some(g) => ((x / g) + 1e-9).floor() * g,
        None => x,
    }
}

/// The smallest grid value ≥ x.
pub(crate) fn snap_up(x: f64, grid: Option<f64>) -> f64 {
    match grid {
        Some(g) => ((x / g) - 1e-9).ceil() * g,
        None => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_is_the_common_divisor() {
        assert_eq!(step([296.0, 592.0, 888.0].into_iter()), Some(296.0));
        assert_eq!(step([40.0, 41.0, 48.0].into_iter()), Some(1.0));
        assert_eq!(step([1.5, 2.25].into_iter()), Some(0.75));
        assert_eq!(step([1.0 / 3.0].into_iter()), None);
    }

    #[test]
    fn snapping_stays_on_the_grid() {
        assert_eq!(snap_down(641.3, Some(296.0)), 592.0);
        assert_eq!(snap_up(641.3, Some(296.0)), 888.0);
        assert_eq!(snap_down(592.0, Some(296.0)), 592.0);
        assert_eq!(snap_up(592.0, Some(296.0)), 592.0);
        assert_eq!(snap_up(2.5, None), 2.5);
    }
}
