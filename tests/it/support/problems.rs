//! Builds `Problem` values directly (no config file, no time zones) for the solver's
//! tests.

use chrono::{DateTime, TimeZone, Utc};
use rota::config::{ObjectiveWeights, Rules};
use rota::problem::{Cell, ClassHours, Exclusion, LayerFacts, MemberFacts, Problem, Shift};

/// One shift of a hand-made instance: start and length in hours from 2027-01-04 00:00 UTC.
#[derive(Debug, Clone)]
pub struct ShiftSpec {
    pub layer: usize,
    pub start_h: i64,
    pub hours: i64,
    pub per_shift: u32,
}

/// A whole instance; `points[s][m]` etc. are per (shift, member).
#[derive(Debug, Clone)]
pub struct Spec {
    pub members: usize,
    pub layers: usize,
    pub shifts: Vec<ShiftSpec>,
    pub points: Vec<Vec<f64>>,
    pub after_hours: Vec<Vec<bool>>,
    pub prefer_off: Vec<Vec<bool>>,
    pub blocked: Vec<Vec<bool>>,
    /// Back-to-back pairs with shifts before the period, per (shift, member).
    pub earlier_pairs: Vec<Vec<u32>>,
    /// Runs held up to the period, per (member, layer).
    pub earlier_run: Vec<Vec<u32>>,
    pub capacity: Vec<f64>,
    pub history: Vec<f64>,
    pub max_shifts: Vec<Option<u32>>,
    pub pins: Vec<(usize, usize)>,
    pub rules: Rules,
    pub objective: ObjectiveWeights,
}

impl Spec {
    /// `layers` layers of back-to-back shifts of `hours` each, `count` per layer, with
    /// points equal to hours, nothing blocked, full capacity and no history.
    pub fn tiling(members: usize, layers: usize, count: usize, hours: i64) -> Spec {
        let mut shifts = Vec::new();
        for i in 0..count {
            for l in 0..layers {
                shifts.push(ShiftSpec {
                    layer: l,
                    start_h: i as i64 * hours,
                    hours,
                    per_shift: 1,
                });
            }
        }
        let n = shifts.len();
        Spec {
            members,
            layers,
            points: shifts
                .iter()
                .map(|s| vec![s.hours as f64; members])
                .collect(),
            after_hours: vec![vec![false; members]; n],
            prefer_off: vec![vec![false; members]; n],
            blocked: vec![vec![false; members]; n],
            earlier_pairs: vec![vec![0; members]; n],
            earlier_run: vec![vec![0; layers]; members],
            capacity: vec![1.0; members],
            history: vec![0.0; members],
            max_shifts: vec![None; members],
            pins: Vec::new(),
            rules: Rules::default(),
            objective: ObjectiveWeights::default(),
            shifts,
        }
    }

    pub fn problem(&self) -> Problem {
        let base = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
        let mut order: Vec<usize> = (0..self.shifts.len()).collect();
        order.sort_by_key(|&i| (self.shifts[i].start_h, self.shifts[i].layer, i));
        let mut seq = vec![0usize; self.layers];
        let mut shifts = Vec::new();
        let mut cells = Vec::new();
        let mut pins = Vec::new();
        for (new, &i) in order.iter().enumerate() {
            let sp = &self.shifts[i];
            let start: DateTime<Utc> = base + chrono::Duration::hours(sp.start_h);
            let end = start + chrono::Duration::hours(sp.hours);
            shifts.push(Shift {
                layer: sp.layer,
                start,
                end,
                local_start: start.naive_utc(),
                per_shift: sp.per_shift,
                seq_in_layer: seq[sp.layer],
            });
            seq[sp.layer] += 1;
            let row: Vec<Cell> = (0..self.members)
                .map(|m| Cell {
                    hours: ClassHours {
                        business: sp.hours as f64,
                        ..ClassHours::default()
                    },
                    points: self.points[i][m],
                    after_hours: self.after_hours[i][m],
                    prefer_off: self.prefer_off[i][m],
                    earlier_pairs: self.earlier_pairs[i][m],
                    blocked: self.blocked[i][m].then(|| Exclusion::Unavailable {
                        date: start.date_naive(),
                        reason: Some("test".into()),
                    }),
                })
                .collect();
            cells.push(row);
            for &(ps, pm) in &self.pins {
                if ps == i {
                    pins.push((new, pm));
                }
            }
        }
        Problem {
            shifts,
            cells,
            members: (0..self.members)
                .map(|m| MemberFacts {
                    id: format!("m{m}"),
                    max_shifts: self.max_shifts[m],
                    eligible: vec![true; self.layers],
                    earlier_run: self.earlier_run[m].clone(),
                })
                .collect(),
            layers: (0..self.layers)
                .map(|l| LayerFacts {
                    name: format!("layer{l}"),
                })
                .collect(),
            capacity: self.capacity.clone(),
            history: self.history.clone(),
            pins,
            earlier: Vec::new(),
            rules: self.rules,
            objective: self.objective,
        }
    }
}

/// A tiny deterministic pseudo-random generator (tests must not depend on a crate's
/// stream).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
