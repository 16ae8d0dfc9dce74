//! The problem: every shift in UTC, and for every (shift, member) pair the points,
//! hours by class and whether the member may take it.
//!
//! Built once from a [`Config`]; the solver, verifier and writers only read it.

mod build;
pub mod summary;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::config::{ClassWeights, Config};

pub use build::{BuildError, build};

/// One shift of one layer. With `per_shift > 1` it needs that many people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// Index into `Config::layers`.
    pub layer: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start as local wall-clock time in the layer's zone.
    pub local_start: NaiveDateTime,
    pub per_shift: u32,
    /// Position of this shift within its layer (0, 1, 2, ...), for consecutiveness.
    pub seq_in_layer: usize,
}

impl Shift {
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }

    pub fn overlaps(&self, other: &Shift) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Hours of a shift by class, for one member.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassHours {
    pub business: f64,
    pub after_hours: f64,
    pub weekend: f64,
    pub holiday: f64,
}

impl ClassHours {
    pub fn total(&self) -> f64 {
        self.business + self.after_hours + self.weekend + self.holiday
    }

    pub fn points(&self, w: &ClassWeights) -> f64 {
        self.business * w.business
            + self.after_hours * w.after_hours
            + self.weekend * w.weekend
            + self.holiday * w.holiday
    }

    pub fn add(&mut self, other: &ClassHours) {
        self.business += other.business;
        self.after_hours += other.after_hours;
        self.weekend += other.weekend;
        self.holiday += other.holiday;
    }
}

/// Why a member cannot take a shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// The layer's `eligible` filter does not admit them.
    NotEligible,
    /// Before `joins` or from `leaves` on.
    NotEmployed,
    /// An `unavailable` entry covers this local date.
    Unavailable {
        date: chrono::NaiveDate,
        reason: Option<String>,
    },
    /// One of their holidays, with `holidays_unavailable = true`.
    Holiday { date: chrono::NaiveDate },
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::NotEligible => write!(f, "not eligible for this layer"),
            Exclusion::NotEmployed => write!(f, "not on the team then (joins/leaves)"),
            Exclusion::Unavailable { date, reason } => match reason {
                Some(r) => write!(f, "unavailable on {date} ({r})"),
                None => write!(f, "unavailable on {date}"),
            },
            Exclusion::Holiday { date } => write!(f, "holiday on {date}"),
        }
    }
}

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
