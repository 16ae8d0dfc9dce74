//! The two fairness terms — max − min of normalized loads, and Σ |load − fair share| —
//! kept up to date in O(log n) per question instead of a pass over the whole team.
//!
//! Every local-search step asks for the objective after changing one or two loads; with
//! 150 people a full pass per question was most of the search's time.
//!
//! Fair shares move with the pool, but `|load − share| = capacity × |normalized − μ|`
//! with `μ = pool / Σ capacity`: the deviation is a capacity-weighted distance of the
//! normalized loads from one point. A sorted snapshot of them with prefix sums answers it
//! for any μ by binary search; the few members changed since ("dirty") are corrected one
//! by one, and the snapshot is rebuilt once too many have changed.

/// Dirty members before the snapshot is rebuilt.
const MAX_DIRTY: usize = 16;

#[derive(Debug, Clone)]
pub(crate) struct Spread {
    /// Per member; 0 outside fairness.
    capacity: Vec<f64>,
    history: Vec<f64>,
    fair: Vec<bool>,
    total_capacity: f64,
    history_sum: f64,
    load: Vec<f64>,
    /// Σ load over members in fairness.
    load_sum: f64,
    normalized: Vec<f64>,
    /// The snapshot: normalized per member, and (normalized, member) ascending.
    base: Vec<f64>,
    sorted: Vec<(f64, usize)>,
    /// Prefix sums over `sorted` of capacity and capacity × normalized.
    cum_cap: Vec<f64>,
    cum_capn: Vec<f64>,
    dirty: Vec<usize>,
    is_dirty: Vec<bool>,
}

impl Spread {
    /// All loads 0.
    pub fn new(capacity: &[f64], history: &[f64], fair: &[bool]) -> Spread {
        let members = capacity.len();
        let capacity: Vec<f64> = (0..members)
            .map(|m| if fair[m] { capacity[m] } else { 0.0 })
            .collect();
        let mut spread = Spread {
            total_capacity: capacity.iter().sum(),
            history_sum: (0..members).filter(|&m| fair[m]).map(|m| history[m]).sum(),
            capacity,
            history: history.to_vec(),
            fair: fair.to_vec(),
            load: vec![0.0; members],
            load_sum: 0.0,
            normalized: vec![0.0; members],
            base: Vec::new(),
            sorted: Vec::new(),
            cum_cap: Vec::new(),
            cum_capn: Vec::new(),
            dirty: Vec::new(),
            is_dirty: vec![false; members],
        };
        for m in 0..members {
            spread.normalized[m] = spread.normalized_of(m, 0.0);
        }
        spread.rebuild();
        spread
    }

    fn normalized_of(&self, m: usize, load: f64) -> f64 {
        if self.fair[m] {
            (load + self.history[m]) / self.capacity[m]
        } else {
            0.0
        }
    }

    /// Member `m` now carries `load`.
    pub fn set(&mut self, m: usize, load: f64) {
        if !self.fair[m] {
            return;
        }
        self.load_sum += load - self.load[m];
        self.load[m] = load;
        let n = self.normalized_of(m, load);
        self.normalized[m] = n;
        let clean = (n - self.base[m]).abs() <= 1e-12 * n.abs().max(1.0);
        if clean && self.is_dirty[m] {
            self.is_dirty[m] = false;
            self.dirty.retain(|&d| d != m);
        } else if !clean && !self.is_dirty[m] {
            self.is_dirty[m] = true;
            self.dirty.push(m);
            if self.dirty.len() > MAX_DIRTY {
                self.rebuild();
            }
        }
    }

    fn rebuild(&mut self) {
        for &d in &self.dirty {
            self.is_dirty[d] = false;
        }
        self.dirty.clear();
        // Sums from scratch, so rounding from many small updates does not pile up.
        self.load_sum = (0..self.load.len())
            .filter(|&m| self.fair[m])
            .map(|m| self.load[m])
            .sum();
        self.base.clone_from(&self.normalized);
        self.sorted = (0..self.load.len())
            .filter(|&m| self.fair[m])
            .map(|m| (self.normalized[m], m))
            .collect();
        self.sorted
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.cum_cap = Vec::with_capacity(self.sorted.len() + 1);
        self.cum_capn = Vec::with_capacity(self.sorted.len() + 1);
        let (mut c, mut cn) = (0.0, 0.0);
        self.cum_cap.push(c);
        self.cum_capn.push(cn);
        for &(n, m) in &self.sorted {
            c += self.capacity[m];
            cn += self.capacity[m] * n;
            self.cum_cap.push(c);
            self.cum_capn.push(cn);
        }
    }

    /// Normalized load of a member at exactly their fair share: pool / Σ capacity.
    fn mu(&self) -> f64 {
        (self.load_sum + self.history_sum) / self.total_capacity
    }

    /// Σ capacity × (normalized − μ)²: how unevenly loads spread, counting everyone.
    /// Max − min and Σ |load − share| are flat where several members share an extreme or
    /// all sit on one side of their shares; this is not, so searches use it to break ties.
    ///
    /// A pass over everyone (O(n)), asked only when a trade ties on the objective. Kept
    /// as running sums it drifted: rounding from thousands of tried and rolled-back
    /// trades (≈ 10⁻⁸ per kept one on a 3-person month) made a trade and its reverse
    /// both look more even, and the search traded for ever.
    pub fn evenness(&self) -> f64 {
        let mu = self.mu();
        (0..self.load.len())
            .filter(|&m| self.fair[m])
            .map(|m| self.capacity[m] * (self.normalized[m] - mu).powi(2))
            .sum()
    }

    /// `m`'s load + history minus their fair share of the pool (0 outside fairness).
    pub fn excess(&self, m: usize) -> f64 {
        if self.fair[m] {
            self.capacity[m] * (self.normalized[m] - self.mu())
        } else {
            0.0
        }
    }

    /// (imbalance, deviation) of the current loads, as evaluate.rs defines them.
    pub fn terms(&self) -> (f64, f64) {
        self.terms_with(&[])
    }

    /// [`Spread::terms`] as if each `(member, load)` of `changes` (a few) carried that
    /// load, without changing anything: a search can rule a trade out by its loads
    /// before trying it.
    pub fn terms_with(&self, changes: &[(usize, f64)]) -> (f64, f64) {
        if self.sorted.is_empty() {
            return (0.0, 0.0);
        }
        let changed = |m: usize| changes.iter().find(|c| c.0 == m).map(|c| c.1);
        let mut load_sum = self.load_sum;
        for &(m, load) in changes {
            if self.fair[m] {
                load_sum += load - self.load[m];
            }
        }
        let mu = (load_sum + self.history_sum) / self.total_capacity;
        let k = self.sorted.partition_point(|&(n, _)| n <= mu);
        let last = self.sorted.len();
        let mut deviation = mu * self.cum_cap[k] - self.cum_capn[k]
            + (self.cum_capn[last] - self.cum_capn[k])
            - mu * (self.cum_cap[last] - self.cum_cap[k]);
        let (mut max_n, mut min_n) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut correct = |m: usize, n: f64| {
            deviation += self.capacity[m] * ((n - mu).abs() - (self.base[m] - mu).abs());
            max_n = max_n.max(n);
            min_n = min_n.min(n);
        };
        for &d in &self.dirty {
            correct(
                d,
                changed(d).map_or(self.normalized[d], |l| self.normalized_of(d, l)),
            );
        }
        for &(m, load) in changes {
            if self.fair[m] && !self.is_dirty[m] {
                correct(m, self.normalized_of(m, load));
            }
        }
        let untouched = |m: usize| !self.is_dirty[m] && changed(m).is_none();
        if let Some(&(n, _)) = self.sorted.iter().rev().find(|(_, m)| untouched(*m)) {
            max_n = max_n.max(n);
        }
        if let Some(&(n, _)) = self.sorted.iter().find(|(_, m)| untouched(*m)) {
            min_n = min_n.min(n);
        }
        (max_n - min_n, deviation.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definitions of evaluate.rs, by a pass over everyone.
    fn direct(cap: &[f64], hist: &[f64], fair: &[bool], load: &[f64]) -> (f64, f64) {
        let ms: Vec<usize> = (0..cap.len()).filter(|&m| fair[m]).collect();
        if ms.is_empty() {
            return (0.0, 0.0);
        }
        let total_cap: f64 = ms.iter().map(|&m| cap[m]).sum();
        let pool: f64 = ms.iter().map(|&m| load[m] + hist[m]).sum();
        let norm = |m: usize| (load[m] + hist[m]) / cap[m];
        let max = ms
            .iter()
            .map(|&m| norm(m))
            .fold(f64::NEG_INFINITY, f64::max);
        let min = ms.iter().map(|&m| norm(m)).fold(f64::INFINITY, f64::min);
        let dev = ms
            .iter()
            .map(|&m| (load[m] - (cap[m] / total_cap * pool - hist[m])).abs())
            .sum();
        (max - min, dev)
    }

    #[test]
    fn evenness_does_not_drift_when_loads_go_back_and_forth() {
        // Trades tried and rolled back, over and over, on a 3-person month of the tiny
        // bench series: loads wander through other values and come back, and the
        // evenness must come back too, or the tie-break sees "more even" every time and
        // trades for ever.
        let cap = [30.0 / 31.0, 22.0 / 31.0, 0.5];
        let start_loads = [593.0, 436.0, 307.0];
        let mut spread = Spread::new(&cap, &[0.0; 3], &[true; 3]);
        for (m, &load) in start_loads.iter().enumerate() {
            spread.set(m, load);
        }
        let start = spread.evenness();
        let mut rng = crate::solver::search::Rng::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..10_000 {
            for _ in 0..4 {
                let x = rng.next();
                let m = (x % 3) as usize;
                spread.set(m, start_loads[m] + ((x >> 8) % 83) as f64 - 41.0);
            }
            for (m, &load) in start_loads.iter().enumerate() {
                spread.set(m, load);
            }
        }
        let drift = (spread.evenness() - start).abs();
        assert!(
            drift < 1e-9 * start.max(1.0),
            "drifted by {drift} from {start}"
        );
    }

    proptest! {
        #[test]
        fn matches_a_full_pass_after_any_updates(
            members in prop::collection::vec((0.1f64..1.0, 0.0f64..50.0, any::<bool>()), 1..12),
            updates in prop::collection::vec((0usize..12, 0u32..200), 0..80),
        ) {
            let cap: Vec<f64> = members.iter().map(|m| m.0).collect();
            let hist: Vec<f64> = members.iter().map(|m| m.1).collect();
            let fair: Vec<bool> = members.iter().map(|m| m.2).collect();
            let mut spread = Spread::new(&cap, &hist, &fair);
            let mut load = vec![0.0; cap.len()];
            for (m, points) in updates {
                let m = m % cap.len();
                load[m] = f64::from(points) * 0.5;
                spread.set(m, load[m]);
                let (imb, dev) = spread.terms();
                let (want_imb, want_dev) = direct(&cap, &hist, &fair, &load);
                prop_assert!((imb - want_imb).abs() < 1e-7, "imbalance {imb} vs {want_imb}");
                prop_assert!((dev - want_dev).abs() < 1e-7, "deviation {dev} vs {want_dev}");
                // Asked ahead for two other loads, without setting them.
                let (a, b) = (m, (m + 1) % cap.len());
                let mut ahead = vec![(a, load[a] + 7.5), (b, (load[b] - 3.0).max(0.0))];
                ahead.truncate(if a == b { 1 } else { 2 });
                let mut then = load.clone();
                for &(x, l) in &ahead {
                    then[x] = l;
                }
                let (imb_ahead, dev_ahead) = spread.terms_with(&ahead);
                let (want_imb, want_dev_ahead) = direct(&cap, &hist, &fair, &then);
                prop_assert!((imb_ahead - want_imb).abs() < 1e-7, "ahead {imb_ahead} vs {want_imb}");
                prop_assert!((dev_ahead - want_dev_ahead).abs() < 1e-7, "ahead {dev_ahead} vs {want_dev_ahead}");
                let signed: f64 = (0..cap.len()).map(|m| spread.excess(m).abs()).sum();
                let even: f64 = (0..cap.len())
                    .filter(|&m| fair[m])
                    .map(|m| cap[m] * (spread.excess(m) / cap[m]).powi(2))
                    .sum();
                prop_assert!((spread.evenness() - even).abs() < 1e-6 * even.max(1.0));
                prop_assert!((signed - want_dev).abs() < 1e-7, "Σ |excess| {signed} vs {want_dev}");
            }
        }
    }
}
