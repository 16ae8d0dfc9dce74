//! The problem: every shift in UTC, and for every (shift, member) pair the points,
//! hours by class and whether the member may take it.
//!
//! Built once from a [`Config`]; the solver, verifier and writers only read it.

mod build;
pub mod summary;

use crate::config::Config;

pub use crate::time::availability::Exclusion;
pub use crate::time::classify::ClassHours;
pub use crate::time::shifts::Shift;
pub use build::{BuildError, build};

/// One (shift, member) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub hours: ClassHours,
    /// Σ hours × weight, by the member's local time.
    pub points: f64,
    /// Any minute is not `business` for this member.
    pub after_hours: bool,
    /// Overlaps one of the member's `prefer_off` entries.
    pub prefer_off: bool,
    /// `Some` when the member cannot take this shift.
    pub blocked: Option<Exclusion>,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub config: Config,
    /// Sorted by (start, layer).
    pub shifts: Vec<Shift>,
    /// `cells[shift][member]`.
    pub cells: Vec<Vec<Cell>>,
    /// Per member: fte × share of the period they can carry (SPEC §4).
    pub capacity: Vec<f64>,
    /// Per member: points from history files and adjustments.
    pub history: Vec<f64>,
    /// (shift, member) pairs fixed by `[[pin]]`.
    pub pins: Vec<(usize, usize)>,
}

impl Problem {
    pub fn members(&self) -> usize {
        self.config.members.len()
    }

    /// Members who may take this shift.
    pub fn candidates(&self, shift: usize) -> impl Iterator<Item = usize> + '_ {
        self.cells[shift]
            .iter()
            .enumerate()
            .filter(|(_, c)| c.blocked.is_none())
            .map(|(m, _)| m)
    }

    /// Members counted by fairness: eligible for some layer and with capacity > 0.
    pub fn in_fairness(&self, member: usize) -> bool {
        self.capacity[member] > 0.0
            && self
                .config
                .layers
                .iter()
                .any(|l| l.eligible.admits(&self.config.members[member]))
    }
}
