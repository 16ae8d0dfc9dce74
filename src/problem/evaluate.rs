//! Every metric and the objective of an assignment, computed exactly (docs/objective.md,
//! "Fairness and capacity" and "Objective terms").
//!
//! The one definition of "how fair": the solver reports it, `verify` recomputes it,
//! the writers print it.

use crate::problem::assignment::{Assignment, Previous};
use crate::problem::{ClassHours, Problem};

/// The terms of the objective, unweighted: what schedule.json records under `metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    pub imbalance: f64,
    pub deviation: f64,
    pub back_to_back_after_hours: u32,
    pub total_load: f64,
    pub prefer_off_violations: u32,
    pub churn: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberEval {
    pub load: f64,
    pub history: f64,
    pub capacity: f64,
    /// (load + history) / capacity; 0 outside fairness.
    pub normalized: f64,
    /// What this member would carry if the period's points (plus history) were split
    /// exactly by capacity; 0 outside fairness.
    pub fair_share: f64,
    pub shifts: u32,
    pub hours: ClassHours,
    /// Every back-to-back pair of theirs, those with earlier shifts included.
    pub back_to_back_after_hours: u32,
    /// Of those, the pairs with a shift they held before the period (docs/objective.md,
    /// "Across the period's start").
    pub back_to_back_earlier: u32,
    pub in_fairness: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub members: Vec<MemberEval>,
    pub metrics: Metrics,
    /// Σ weight × term, with the config's `[objective]` weights.
    pub objective: f64,
}

pub fn evaluate(
    problem: &Problem,
    assignment: &Assignment,
    previous: Option<&Previous>,
) -> Evaluation {
    let mut members: Vec<MemberEval> = (0..problem.members())
        .map(|m| MemberEval {
            load: 0.0,
            history: problem.history[m],
            capacity: problem.capacity[m],
            normalized: 0.0,
            fair_share: 0.0,
            shifts: 0,
            hours: ClassHours::default(),
            back_to_back_after_hours: 0,
            back_to_back_earlier: 0,
            in_fairness: problem.in_fairness(m),
        })
        .collect();

    let mut prefer_off = 0;
    // Per member: (start, end) of held shifts that are after-hours for them.
    let mut after_hours: Vec<Vec<(i64, i64)>> = vec![Vec::new(); problem.members()];
    for (s, held) in assignment.members.iter().enumerate() {
        let shift = &problem.shifts[s];
        for &m in held {
            let cell = &problem.cells[s][m];
            let e = &mut members[m];
            e.load += cell.points;
            e.shifts += 1;
            e.hours.add(&cell.hours);
            if cell.prefer_off {
                prefer_off += 1;
            }
            e.back_to_back_earlier += cell.earlier_pairs;
            if cell.after_hours {
                after_hours[m].push((shift.start.timestamp(), shift.end.timestamp()));
            }
        }
    }

    let gap_secs = (problem.rules.back_to_back_gap_hours * 3600.0).round() as i64;
    let mut back_to_back = 0;
    for (m, spans) in after_hours.iter_mut().enumerate() {
        spans.sort_unstable();
        let mut pairs = 0;
        for (i, &(_, a_end)) in spans.iter().enumerate() {
            for &(b_start, _) in &spans[i + 1..] {
                if b_start > a_end + gap_secs {
                    break;
                }
                if b_start >= a_end {
                    pairs += 1;
                }
            }
        }
        // Shifts starting before `a` ends but sorted after it cannot pair with it; shifts
        // sorted before `a` start no later than `a`, so they cannot follow it.
        let pairs = pairs + members[m].back_to_back_earlier;
        members[m].back_to_back_after_hours = pairs;
        back_to_back += pairs;
    }

    let fair: Vec<usize> = (0..members.len())
        .filter(|&m| members[m].in_fairness)
        .collect();
    let total_capacity: f64 = fair.iter().map(|&m| members[m].capacity).sum();
    let pool: f64 = fair
        .iter()
        .map(|&m| members[m].load + members[m].history)
        .sum();
    let (mut max_n, mut min_n) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut deviation = 0.0;
    for &m in &fair {
        let e = &mut members[m];
        e.normalized = (e.load + e.history) / e.capacity;
        e.fair_share = e.capacity / total_capacity * pool - e.history;
        deviation += (e.load - e.fair_share).abs();
        max_n = max_n.max(e.normalized);
        min_n = min_n.min(e.normalized);
    }
    let imbalance = if fair.is_empty() { 0.0 } else { max_n - min_n };

    let churn = previous.map_or(0, |prev| churn(assignment, prev));
    let total_load = members.iter().map(|e| e.load).sum();
    let metrics = Metrics {
        imbalance,
        deviation,
        back_to_back_after_hours: back_to_back,
        total_load,
        prefer_off_violations: prefer_off,
        churn,
    };
    let objective = objective(&problem.objective, &metrics);
    Evaluation {
        members,
        metrics,
        objective,
    }
}

/// Σ weight × term.
pub fn objective(w: &crate::config::ObjectiveWeights, m: &Metrics) -> f64 {
    fairness(w, m)
        + w.back_to_back_after_hours * f64::from(m.back_to_back_after_hours)
        + w.total_load * m.total_load
        + w.prefer_off * f64::from(m.prefer_off_violations)
        + w.churn * f64::from(m.churn)
}

/// The fairness terms of the objective: weighted imbalance and deviation.
pub fn fairness(w: &crate::config::ObjectiveWeights, m: &Metrics) -> f64 {
    w.imbalance * m.imbalance + w.deviation * m.deviation
}

/// Seats of unfrozen shifts whose holder is not one the previous schedule had there.
pub fn churn(assignment: &Assignment, previous: &Previous) -> u32 {
    let mut changed = 0;
    for (s, held) in assignment.members.iter().enumerate() {
        if previous.frozen.get(s).copied().unwrap_or(false) {
            continue;
        }
        if let Some(Some(before)) = previous.members.get(s) {
            changed += held.iter().filter(|m| !before.contains(m)).count() as u32;
        }
    }
    changed
}
