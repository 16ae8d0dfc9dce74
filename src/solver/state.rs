//! A mutable partial assignment with hard-rule checks and an incrementally maintained
//! objective, for the greedy and the local search.

use super::index::Index;
use super::spread::Spread;
use crate::config::ObjectiveWeights;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;

#[derive(Debug, Clone)]
pub(crate) struct State<'a> {
    problem: &'a Problem,
    index: &'a Index,
    weights: ObjectiveWeights,
    /// `hold[s * members + m]`.
    hold: Vec<bool>,
    pub members_of: Vec<Vec<usize>>,
    pub count: Vec<u32>,
    pub load: Vec<f64>,
    /// Σ load over everyone.
    total_load: f64,
    back_to_back: i64,
    prefer_off: i64,
    churn: i64,
    /// Members inside fairness, with their capacity and history.
    spread: Spread,
}

impl<'a> State<'a> {
    pub fn new(problem: &'a Problem, index: &'a Index) -> State<'a> {
        State {
            problem,
            index,
            weights: problem.objective,
            hold: vec![false; index.shifts * index.members],
            members_of: vec![Vec::new(); index.shifts],
            count: vec![0; index.members],
            load: vec![0.0; index.members],
            total_load: 0.0,
            back_to_back: 0,
            prefer_off: 0,
            churn: 0,
            spread: Spread::new(&problem.capacity, &problem.history, &index.in_fairness),
        }
    }

    /// The problem, borrowed for as long as the state's own borrow (so a caller may keep
    /// it while changing the state).
    pub fn problem(&self) -> &'a Problem {
        self.problem
    }

    /// Members who may take `s` (borrowed from the index, not from the state).
    pub fn candidates(&self, s: usize) -> &'a [usize] {
        &self.index.cand[s]
    }

    pub fn holds(&self, s: usize, m: usize) -> bool {
        self.hold[s * self.index.members + m]
    }

    pub fn is_fixed(&self, s: usize, m: usize) -> bool {
        self.index.fixed[s].binary_search(&m).is_ok()
    }

    /// Whether `m` may take `s` on top of what is held now, by every hard rule.
    pub fn can_add(&self, s: usize, m: usize) -> bool {
        let ix = self.index;
        if self.holds(s, m) || !ix.is_candidate(s, m) {
            return false;
        }
        if self.members_of[s].len() >= self.problem.shifts[s].per_shift as usize {
            return false;
        }
        if ix.max_shifts[m].is_some_and(|max| self.count[m] >= max) {
            return false;
        }
        if ix.conflicts[s].iter().any(|&o| self.holds(o, m)) {
            return false;
        }
        ix.max_consecutive == 0 || self.run_with(s, m) <= ix.max_consecutive
    }

    /// Length of `m`'s run of consecutive shifts in `s`'s layer if `m` also held `s`,
    /// counting the run it continues from before the period.
    fn run_with(&self, s: usize, m: usize) -> u32 {
        let ix = self.index;
        let layer = self.problem.shifts[s].layer;
        let list = &ix.layer_shifts[layer];
        let seq = |i: usize| self.problem.shifts[list[i]].seq_in_layer;
        let pos = ix.pos_in_layer[s];
        let mut run = 1;
        let mut i = pos;
        while i > 0 && seq(i - 1) + 1 == seq(i) && self.holds(list[i - 1], m) {
            run += 1;
            i -= 1;
        }
        if i == 0 {
            run += self.problem.members[m].earlier_run[layer];
        }
        let mut i = pos;
        while i + 1 < list.len() && seq(i) + 1 == seq(i + 1) && self.holds(list[i + 1], m) {
            run += 1;
            i += 1;
        }
        run
    }

    /// Pairs `m` would form with `s` among the shifts held now (both after-hours for `m`),
    /// and with the shifts they held before the period.
    fn pairs_with(&self, s: usize, m: usize) -> i64 {
        let cells = &self.problem.cells;
        if !cells[s][m].after_hours {
            return 0;
        }
        let ix = self.index;
        let linked = ix.b2b_next[s].iter().chain(ix.b2b_prev[s].iter());
        let held = linked
            .filter(|&&o| self.holds(o, m) && cells[o][m].after_hours)
            .count();
        (held + cells[s][m].earlier_pairs as usize) as i64
    }

    /// Seats held now by someone who did not hold them in the previous schedule.
    pub fn churn(&self) -> i64 {
        self.churn
    }

    /// How the moved seats change after the moves `(s, from, to)`, rules aside.
    pub fn churn_delta(&self, moves: &[(usize, usize, usize)]) -> i64 {
        moves
            .iter()
            .map(|&(s, from, to)| self.churn_of(s, to) - self.churn_of(s, from))
            .sum()
    }

    fn churn_of(&self, s: usize, m: usize) -> i64 {
        match &self.index.churn_prev[s] {
            Some(before) if !before.contains(&m) => 1,
            _ => 0,
        }
    }

    pub fn add(&mut self, s: usize, m: usize) {
        let cell = &self.problem.cells[s][m];
        self.back_to_back += self.pairs_with(s, m);
        self.churn += self.churn_of(s, m);
        self.prefer_off += i64::from(cell.prefer_off);
        self.load[m] += cell.points;
        self.total_load += cell.points;
        self.spread.set(m, self.load[m]);
        self.count[m] += 1;
        self.hold[s * self.index.members + m] = true;
        let seats = &mut self.members_of[s];
        let at = seats.partition_point(|&x| x < m);
        seats.insert(at, m);
    }

    pub fn remove(&mut self, s: usize, m: usize) {
        let cell = &self.problem.cells[s][m];
        self.hold[s * self.index.members + m] = false;
        self.back_to_back -= self.pairs_with(s, m);
        self.churn -= self.churn_of(s, m);
        self.prefer_off -= i64::from(cell.prefer_off);
        self.load[m] -= cell.points;
        self.total_load -= cell.points;
        self.spread.set(m, self.load[m]);
        self.count[m] -= 1;
        self.members_of[s].retain(|&x| x != m);
    }

    /// The objective of evaluate.rs for the current (complete) assignment.
    pub fn objective(&self) -> f64 {
        let w = &self.weights;
        let (imbalance, deviation) = self.spread.terms();
        w.imbalance * imbalance
            + w.deviation * deviation
            + w.total_load * self.total_load
            + w.back_to_back_after_hours * self.back_to_back as f64
            + w.prefer_off * self.prefer_off as f64
            + w.churn * self.churn as f64
    }

    /// Back to `members_of` (a copy of an earlier `self.members_of`).
    pub fn reset_to(&mut self, members_of: &[Vec<usize>]) {
        for s in 0..self.members_of.len() {
            for m in self.members_of[s].clone() {
                self.remove(s, m);
            }
        }
        for (s, ms) in members_of.iter().enumerate() {
            for &m in ms {
                self.add(s, m);
            }
        }
    }

    /// See [`Spread::evenness`].
    pub fn evenness(&self) -> f64 {
        self.spread.evenness()
    }

    /// Every member, furthest above their fair share first (outside fairness: at 0).
    pub fn by_excess(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.load.len()).collect();
        order.sort_by(|&a, &b| {
            let (ea, eb) = (self.spread.excess(a), self.spread.excess(b));
            eb.total_cmp(&ea).then(a.cmp(&b))
        });
        order
    }

    /// Gives `a`'s seat on `s` to `b` and `b`'s seat on `t` to `a`: a trade of one shift
    /// each way (see [`State::try_trade`]).
    pub fn try_swap(
        &mut self,
        (s, a): (usize, usize),
        (t, b): (usize, usize),
        accept: impl FnOnce(f64) -> bool,
    ) -> Option<f64> {
        self.try_trade((a, &[s]), (b, &[t]), |value, _| accept(value))
    }

    /// `a` hands the shifts `ga` to `b` and `b` hands `gb` to `a` (see
    /// [`State::try_moves`]).
    pub fn try_trade(
        &mut self,
        (a, ga): (usize, &[usize]),
        (b, gb): (usize, &[usize]),
        accept: impl FnOnce(f64, &dyn Fn() -> f64) -> bool,
    ) -> Option<f64> {
        self.try_moves(&trade_moves((a, ga), (b, gb)), accept)
    }

    /// A lower bound on the objective after the moves `(s, from, to)`, rules aside,
    /// without making them: the fairness terms and the total load, prefer-off and churn
    /// exactly, back-to-back pairs as if every pair through a moved seat went and none
    /// came. Most trades a search tries are worse already by the loads alone, and this
    /// answers those without the holdings, rule checks and roll-back of a real try.
    pub fn floor_after(&self, moves: &[(usize, usize, usize)]) -> f64 {
        let cells = &self.problem.cells;
        let mut touched = [(usize::MAX, 0.0); 4];
        let mut n = 0;
        let (mut total, mut prefer_off, mut churn, mut pairs) = (
            self.total_load,
            self.prefer_off,
            self.churn,
            self.back_to_back,
        );
        for &(s, from, to) in moves {
            for (m, sign) in [(from, -1.0), (to, 1.0)] {
                let points = sign * cells[s][m].points;
                total += points;
                if let Some((_, delta)) = touched[..n].iter_mut().find(|(t, _)| *t == m) {
                    *delta += points;
                } else if n < touched.len() {
                    touched[n] = (m, points);
                    n += 1;
                } else {
                    // More members than a trade or cycle touches: no floor.
                    return f64::NEG_INFINITY;
                }
            }
            prefer_off += i64::from(cells[s][to].prefer_off) - i64::from(cells[s][from].prefer_off);
            churn += self.churn_of(s, to) - self.churn_of(s, from);
            pairs -= self.pairs_with(s, from);
        }
        for (m, delta) in &mut touched[..n] {
            *delta += self.load[*m];
        }
        let (imbalance, deviation) = self.spread.terms_with(&touched[..n]);
        let w = &self.weights;
        w.imbalance * imbalance
            + w.deviation * deviation
            + w.total_load * total
            + w.back_to_back_after_hours * pairs.max(0) as f64
            + w.prefer_off * prefer_off as f64
            + w.churn * churn as f64
    }

    /// Each `(s, from, to)` hands `from`'s seat on `s` to `to`, all at once; kept when
    /// every placement keeps every rule and `accept` takes the new objective and
    /// evenness, otherwise the state is left as it was. Returns the new objective when
    /// the moves stay.
    pub fn try_moves(
        &mut self,
        moves: &[(usize, usize, usize)],
        accept: impl FnOnce(f64, &dyn Fn() -> f64) -> bool,
    ) -> Option<f64> {
        for &(s, from, _) in moves {
            self.remove(s, from);
        }
        let mut placed = 0;
        for &(s, _, to) in moves {
            if !self.can_add(s, to) {
                break;
            }
            self.add(s, to);
            placed += 1;
        }
        if placed == moves.len() {
            let value = self.objective();
            let spread = &self.spread;
            if accept(value, &|| spread.evenness()) {
                return Some(value);
            }
        }
        for &(s, _, to) in &moves[..placed] {
            self.remove(s, to);
        }
        for &(s, from, _) in moves {
            self.add(s, from);
        }
        None
    }

    /// Members in fairness with the lowest and the highest normalized load, `k` of each
    /// (fewer when the team is small): the ends of max − min.
    pub fn ends(&self, k: usize) -> Vec<usize> {
        let mut fair: Vec<usize> = (0..self.load.len())
            .filter(|&m| self.index.in_fairness[m])
            .collect();
        let normalized =
            |m: usize| (self.load[m] + self.problem.history[m]) / self.problem.capacity[m];
        fair.sort_by(|&a, &b| normalized(a).total_cmp(&normalized(b)).then(a.cmp(&b)));
        let k = k.min(fair.len() / 2);
        let mut ends: Vec<usize> = fair[..k].to_vec();
        ends.extend_from_slice(&fair[fair.len() - k..]);
        ends
    }

    pub fn assignment(&self) -> Assignment {
        Assignment {
            members: self.members_of.clone(),
        }
    }
}

/// The moves `(shift, from, to)` of a trade: `a` hands `ga` to `b`, `b` hands `gb` to `a`.
pub(crate) fn trade_moves(
    (a, ga): (usize, &[usize]),
    (b, gb): (usize, &[usize]),
) -> Vec<(usize, usize, usize)> {
    ga.iter()
        .map(|&s| (s, a, b))
        .chain(gb.iter().map(|&t| (t, b, a)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::problem::evaluate::evaluate;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    fn daily(days: i64, rules: ConfigRules) -> Problem {
        let shifts: Vec<(usize, i64, i64)> = (0..days).map(|d| (0, d * 24, 24)).collect();
        testkit::problem(3, &shifts, rules)
    }

    #[test]
    fn incremental_objective_matches_evaluate() {
        let problem = daily(6, ConfigRules::default());
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        for (s, m) in [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 0)] {
            state.add(s, m);
        }
        let exact = evaluate(&problem, &state.assignment(), None).objective;
        assert!((state.objective() - exact).abs() < 1e-9);
        state.remove(1, 0);
        state.add(1, 1);
        let exact = evaluate(&problem, &state.assignment(), None).objective;
        assert!((state.objective() - exact).abs() < 1e-9);
    }

    #[test]
    fn the_floor_of_a_trade_never_exceeds_what_the_trade_scores() {
        // Four members of unequal capacity and history over 14 days of uneven points with
        // prefer-off days and back-to-back pairs (every testkit shift is after-hours).
        let mut problem = daily(14, ConfigRules::default());
        problem.members.push(problem.members[0].clone());
        problem.members[3].id = "m3".into();
        let mut rng = crate::testkit::instance::XorShift::new(11);
        for cells in &mut problem.cells {
            let extra = cells[0].clone();
            cells.push(extra);
            for cell in cells.iter_mut() {
                cell.points = [12.0, 24.0, 30.0, 36.0][rng.below(4) as usize];
                cell.prefer_off = rng.chance(0.2);
            }
        }
        problem.capacity = vec![1.0, 0.5, 0.8, 1.0];
        problem.history = vec![0.0, 6.0, 0.0, -12.0];
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = crate::solver::start::greedy(&problem, &index).expect("feasible");
        let (mut compared, mut exact) = (0, 0);
        for _ in 0..2000 {
            let a = rng.below(4) as usize;
            let b = (a + 1 + rng.below(3) as usize) % 4;
            let mut moves = Vec::new();
            for s in 0..14 {
                let give = rng.chance(0.15);
                if give && state.holds(s, a) {
                    moves.push((s, a, b));
                } else if give && state.holds(s, b) {
                    moves.push((s, b, a));
                }
            }
            if moves.is_empty() {
                continue;
            }
            let floor = state.floor_after(&moves);
            let mut reached = None;
            state.try_moves(&moves, |value, _| {
                reached = Some(value);
                false
            });
            if let Some(value) = reached {
                assert!(floor <= value + 1e-9, "{moves:?}: floor {floor} > {value}");
                compared += 1;
                exact += usize::from((value - floor).abs() < 1e-9);
            }
        }
        assert!(compared > 200, "only {compared} trades kept the rules");
        assert!(
            exact > 50,
            "the floor is rarely the objective: {exact} of {compared}"
        );
    }

    #[test]
    fn can_add_enforces_consecutive_rest_and_max_shifts() {
        let rules = ConfigRules::runs_of(2);
        let mut problem = daily(6, rules);
        problem.members[2].max_shifts = Some(1);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let mut state = State::new(&problem, &index);
        state.add(0, 0);
        state.add(1, 0);
        assert!(!state.can_add(2, 0), "a third day in a row");
        state.add(3, 0);
        assert!(!state.can_add(2, 0), "would join two runs into four");
        assert!(state.can_add(2, 1));
        state.add(2, 2);
        assert!(!state.can_add(4, 2), "max_shifts = 1");
        assert!(!state.can_add(2, 1), "the shift is full");

        let rested = daily(4, ConfigRules::rest_of(24.0));
        let index = Index::new(&rested, None, Rules::of(&rested));
        let mut state = State::new(&rested, &index);
        state.add(0, 0);
        assert!(!state.can_add(1, 0));
        assert!(state.can_add(2, 0));
    }
}
