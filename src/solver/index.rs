//! Precomputed structure of a problem that every solver path shares: candidates,
//! conflicting shift pairs, back-to-back pairs, layer order, and fixed seats.

use crate::problem::assignment::Previous;
use crate::problem::{Exclusion, Problem};

/// The hard rules as enforced; the infeasibility diagnosis relaxes them one by one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rules {
    pub min_rest_hours: f64,
    /// 0 = no limit.
    pub max_consecutive: u32,
    pub max_shifts: bool,
    pub pins: bool,
    pub frozen: bool,
}

impl Rules {
    /// Every rule as the config states it.
    pub fn of(problem: &Problem) -> Rules {
        Rules {
            min_rest_hours: problem.rules.min_rest_hours,
            max_consecutive: problem.rules.max_consecutive,
            max_shifts: true,
            pins: true,
            frozen: true,
        }
    }
}

/// Read-only facts derived once from a [`Problem`] (and the previous schedule).
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub shifts: usize,
    pub members: usize,
    /// Per shift: members who may take it, ascending.
    pub cand: Vec<Vec<usize>>,
    /// Per shift: other shifts one person cannot also hold (overlap or too little rest).
    pub conflicts: Vec<Vec<usize>>,
    /// Maximal sets of pairwise conflicting shifts (size ≥ 2), in time order.
    pub cliques: Vec<Vec<usize>>,
    /// Per shift `a`: shifts `b` starting within `back_to_back_gap_hours` after `a` ends.
    pub b2b_next: Vec<Vec<usize>>,
    /// The reverse of `b2b_next`.
    pub b2b_prev: Vec<Vec<usize>>,
    /// Per layer: its shifts in `seq_in_layer` order.
    pub layer_shifts: Vec<Vec<usize>>,
    /// Per shift: its position in `layer_shifts[layer]`.
    pub pos_in_layer: Vec<usize>,
    /// `max_consecutive` when enforced, else 0.
    pub max_consecutive: u32,
    /// Per member: `max_shifts` when enforced.
    pub max_shifts: Vec<Option<u32>>,
    /// Per shift: members that must hold it (pins, frozen), ascending.
    pub fixed: Vec<Vec<usize>>,
    /// Per shift: true when every seat is fixed (frozen).
    pub frozen: Vec<bool>,
    /// Per shift: previous holders whose seats cost churn when changed (unfrozen only).
    pub churn_prev: Vec<Option<Vec<usize>>>,
    pub in_fairness: Vec<bool>,
}

impl Index {
    pub fn new(problem: &Problem, previous: Option<&Previous>, rules: Rules) -> Index {
        let shifts = problem.shifts.len();
        let members = problem.members();
        let rest_secs = (rules.min_rest_hours.max(0.0) * 3600.0).round() as i64;
        let cand: Vec<Vec<usize>> = (0..shifts)
            .map(|s| {
                (0..members)
                    .filter(|&m| match &problem.cells[s][m].blocked {
                        None => true,
                        // Rest after a shift before the period, under the rules in force.
                        Some(Exclusion::Earlier { gap: Some(gap), .. }) => *gap >= rest_secs,
                        Some(_) => false,
                    })
                    .collect()
            })
            .collect();

        let (conflicts, cliques) = conflicts(problem, rest_secs);
        let (b2b_next, b2b_prev) = back_to_back(problem);

        let mut layer_shifts = vec![Vec::new(); problem.layers.len()];
        for (s, shift) in problem.shifts.iter().enumerate() {
            if let Some(l) = layer_shifts.get_mut(shift.layer) {
                l.push(s);
            }
        }
        let mut pos_in_layer = vec![0; shifts];
        for list in &mut layer_shifts {
            list.sort_by_key(|&s| (problem.shifts[s].seq_in_layer, s));
            for (i, &s) in list.iter().enumerate() {
                pos_in_layer[s] = i;
            }
        }

        let mut fixed = vec![Vec::new(); shifts];
        let mut frozen = vec![false; shifts];
        let mut churn_prev = vec![None; shifts];
        if let Some(prev) = previous {
            for s in 0..shifts {
                let before = prev.members.get(s).and_then(|m| m.as_ref());
                let is_frozen = prev.frozen.get(s).copied().unwrap_or(false);
                match before {
                    Some(before) if is_frozen && rules.frozen => {
                        fixed[s] = before.clone();
                        frozen[s] = true;
                    }
                    Some(before) if !is_frozen => churn_prev[s] = Some(before.clone()),
                    _ => {}
                }
            }
        }
        if rules.pins {
            for &(s, m) in &problem.pins {
                if s < shifts && !frozen[s] {
                    fixed[s].push(m);
                }
            }
        }
        for f in &mut fixed {
            f.sort_unstable();
            f.dedup();
        }

        Index {
            shifts,
            members,
            cand,
            conflicts,
            cliques,
            b2b_next,
            b2b_prev,
            layer_shifts,
            pos_in_layer,
            max_consecutive: rules.max_consecutive,
            max_shifts: problem
                .members
                .iter()
                .map(|m| if rules.max_shifts { m.max_shifts } else { None })
                .collect(),
            fixed,
            frozen,
            churn_prev,
            in_fairness: (0..members).map(|m| problem.in_fairness(m)).collect(),
        }
    }

    pub fn is_candidate(&self, s: usize, m: usize) -> bool {
        self.cand[s].binary_search(&m).is_ok()
    }

    /// The objective's terms that one seat adds on its own, weighted: its points as
    /// total load, a prefer-off day, a churned seat, the back-to-back pairs it makes with
    /// shifts before the period (fixed, so they are the seat's alone).
    pub fn seat_cost(&self, problem: &Problem, s: usize, m: usize) -> f64 {
        let w = &problem.objective;
        let cell = &problem.cells[s][m];
        let churn = self.churn_prev[s]
            .as_ref()
            .is_some_and(|before| !before.contains(&m));
        w.total_load * cell.points
            + if cell.prefer_off { w.prefer_off } else { 0.0 }
            + if churn { w.churn } else { 0.0 }
            + w.back_to_back_after_hours * f64::from(cell.earlier_pairs)
    }

    /// Per shift, the seats it needs and the least [`seat_cost`](Self::seat_cost) of its
    /// candidates: what coverage alone costs, the start of every relaxation that prices
    /// it. `None` where some shift has no seat of finite cost, so nothing can be bounded.
    pub(crate) fn cheapest_seats(&self, problem: &Problem) -> Option<(Vec<f64>, Vec<f64>)> {
        let seats = problem
            .shifts
            .iter()
            .map(|s| f64::from(s.per_shift))
            .collect();
        let cheapest: Vec<f64> = (0..self.shifts)
            .map(|s| {
                self.cand[s]
                    .iter()
                    .map(|&m| self.seat_cost(problem, s, m))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        cheapest
            .iter()
            .all(|c| c.is_finite())
            .then_some((seats, cheapest))
    }
}

/// Two shifts conflict when one person may not hold both: they overlap, or one starts
/// less than `rest` after the other ends. That is an overlap of the shifts extended by
/// `rest` at their end, so the conflict graph is an interval graph and its maximal
/// cliques are found by one sweep.
fn conflicts(problem: &Problem, rest: i64) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let n = problem.shifts.len();
    let start = |s: usize| problem.shifts[s].start.timestamp();
    let end = |s: usize| problem.shifts[s].end.timestamp() + rest;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&s| (start(s), s));

    let mut conflicts = vec![Vec::new(); n];
    let mut cliques: Vec<Vec<usize>> = Vec::new();
    // Extended spans containing the current start time: a clique.
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < n {
        let t = start(order[i]);
        // The clique at the previous start time is maximal exactly when one of its spans
        // ends before this start (otherwise it is contained in the next clique).
        if open.iter().any(|&o| end(o) <= t) {
            cliques.push(sorted(&open));
            open.retain(|&o| end(o) > t);
        }
        while i < n && start(order[i]) == t {
            let s = order[i];
            for &o in &open {
                conflicts[o].push(s);
                conflicts[s].push(o);
            }
            open.push(s);
            i += 1;
        }
    }
    cliques.push(sorted(&open));
    for c in &mut conflicts {
        c.sort_unstable();
    }
    cliques.retain(|c| c.len() >= 2);
    (conflicts, cliques)
}

fn sorted(v: &[usize]) -> Vec<usize> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

/// Ordered pairs (a, b) with `a.end ≤ b.start ≤ a.end + back_to_back_gap_hours`, the
/// timing part of evaluate's back-to-back rule (after-hours is per member).
fn back_to_back(problem: &Problem) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let n = problem.shifts.len();
    let gap = (problem.rules.back_to_back_gap_hours * 3600.0).round() as i64;
    let mut next = vec![Vec::new(); n];
    let mut prev = vec![Vec::new(); n];
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&s| (problem.shifts[s].start, s));
    let starts: Vec<i64> = order
        .iter()
        .map(|&s| problem.shifts[s].start.timestamp())
        .collect();
    for (a, shift) in problem.shifts.iter().enumerate() {
        let end = shift.end.timestamp();
        let from = starts.partition_point(|&t| t < end);
        for (k, &t) in starts.iter().enumerate().skip(from) {
            if t > end + gap {
                break;
            }
            let b = order[k];
            if b != a {
                next[a].push(b);
                prev[b].push(a);
            }
        }
    }
    for v in next.iter_mut().chain(prev.iter_mut()) {
        v.sort_unstable();
    }
    (next, prev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::testkit::hours as testkit;

    fn index(shifts: &[(usize, i64, i64)], rest: f64, gap: f64) -> Index {
        let rules = ConfigRules {
            min_rest_hours: rest,
            back_to_back_gap_hours: gap,
            ..ConfigRules::default()
        };
        let problem = testkit::problem(3, shifts, rules);
        Index::new(&problem, None, Rules::of(&problem))
    }

    #[test]
    fn back_to_back_shifts_conflict_only_through_rest() {
        let daily = [(0, 0, 24), (0, 24, 24), (0, 48, 24)];
        let free = index(&daily, 0.0, 12.0);
        assert!(free.conflicts.iter().all(Vec::is_empty));
        assert!(free.cliques.is_empty());

        let rested = index(&daily, 12.0, 12.0);
        assert_eq!(rested.conflicts, vec![vec![1], vec![0, 2], vec![1]]);
        assert_eq!(rested.cliques, vec![vec![0, 1], vec![1, 2]]);

        // 24 h of rest: shift 0 ends at 24, shift 2 starts at 48 — exactly enough.
        let long = index(&daily, 24.0, 12.0);
        assert_eq!(long.cliques, vec![vec![0, 1], vec![1, 2]]);
        let longer = index(&daily, 25.0, 12.0);
        assert_eq!(longer.cliques, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn parallel_layers_form_cliques_of_overlapping_shifts() {
        // Two layers of 12 h shifts, the second offset by 6 h.
        let shifts = [(0, 0, 12), (1, 6, 12), (0, 12, 12), (1, 18, 12)];
        let ix = index(&shifts, 0.0, 12.0);
        assert_eq!(ix.conflicts, vec![vec![1], vec![0, 2], vec![1, 3], vec![2]]);
        assert_eq!(ix.cliques, vec![vec![0, 1], vec![1, 2], vec![2, 3]]);
        assert_eq!(ix.layer_shifts, vec![vec![0, 2], vec![1, 3]]);
        assert_eq!(ix.pos_in_layer, vec![0, 0, 1, 1]);
    }

    #[test]
    fn rest_after_a_shift_before_the_period_relaxes_with_the_rule() {
        let rules = ConfigRules::rest_of(12.0);
        let mut problem = testkit::problem(2, &[(0, 0, 24), (0, 24, 24)], rules);
        let earlier = |gap| Exclusion::Earlier {
            shift: "layer0 2026-12-31 00:00".into(),
            source: "q.json".into(),
            gap,
            after: true,
            rest: 12 * 3600,
        };
        problem.cells[0][0].blocked = Some(earlier(Some(3 * 3600)));
        problem.cells[0][1].blocked = Some(earlier(None));
        let base = Index::new(&problem, None, Rules::of(&problem));
        assert!(base.cand[0].is_empty());
        // The diagnosis's probe with 3 hours of rest frees the seat 3 hours after; an
        // overlap stays.
        let relaxed = Rules {
            min_rest_hours: 3.0,
            ..Rules::of(&problem)
        };
        assert_eq!(Index::new(&problem, None, relaxed).cand[0], [0]);
    }

    #[test]
    fn back_to_back_pairs_follow_the_gap() {
        // Ends at 12; next starts at 12 (pair), 30 (18 h later: pair only with gap ≥ 18).
        let shifts = [(0, 0, 12), (0, 12, 6), (1, 30, 6)];
        let ix = index(&shifts, 0.0, 12.0);
        assert_eq!(ix.b2b_next, vec![vec![1], vec![2], vec![]]);
        assert_eq!(ix.b2b_prev, vec![vec![], vec![0], vec![1]]);
        let wide = index(&shifts, 0.0, 18.0);
        assert_eq!(wide.b2b_next, vec![vec![1, 2], vec![2], vec![]]);
    }
}
