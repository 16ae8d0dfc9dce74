//! The problem: every shift in UTC, and for every (shift, member) pair the points,
//! hours by class and whether the member may take it.
//!
//! Built once from a [`Config`]; the solver, verifier and writers only read it.

pub mod assignment;
mod build;
pub mod earlier;
pub mod evaluate;
pub mod rules;

use crate::config::{Config, ObjectiveWeights, Rules};

pub use crate::time::availability::Exclusion;
pub use crate::time::classify::ClassHours;
pub use crate::time::shifts::Shift;
pub use build::{BuildError, build, build_with};
pub use earlier::Earlier;

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
    /// Back-to-back pairs this seat makes with after-hours shifts the member held before
    /// the period ([`Problem::earlier`]); 0 unless `after_hours`.
    pub earlier_pairs: u32,
    /// `Some` when the member cannot take this shift.
    pub blocked: Option<Exclusion>,
}

/// What the problem keeps of a member besides their cells.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberFacts {
    pub id: String,
    /// At most this many shifts in the period.
    pub max_shifts: Option<u32>,
    /// Per layer: whether the layer's `eligible` admits them.
    pub eligible: Vec<bool>,
    /// Per layer: how many of its shifts right before the period they held in a row (a
    /// run the layer's first shifts continue, see [`Problem::earlier`]).
    pub earlier_run: Vec<u32>,
}

/// What the problem keeps of a layer besides its shifts.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerFacts {
    pub name: String,
}

/// Everything the solver, the rules and the evaluation need, and nothing of the config
/// they do not: the commands that also need the config (writers, `verify`, `swap`) take
/// it beside the problem.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Sorted by (start, layer).
    pub shifts: Vec<Shift>,
    /// `cells[shift][member]`.
    pub cells: Vec<Vec<Cell>>,
    /// In config order.
    pub members: Vec<MemberFacts>,
    /// In config order: [`Shift::layer`] indexes it.
    pub layers: Vec<LayerFacts>,
    /// Per member: fte × share of the period they can carry (docs/objective.md,
    /// "Fairness and capacity").
    pub capacity: Vec<f64>,
    /// Per member: points from history files and adjustments.
    pub history: Vec<f64>,
    /// (shift, member) pairs fixed by `[[pin]]`.
    pub pins: Vec<(usize, usize)>,
    /// Seats held before the period that its rules reach, fixed: already in the cells
    /// (blocked seats, `earlier_pairs`) and members (`earlier_run`); kept to name them.
    pub earlier: Vec<Earlier>,
    pub rules: Rules,
    pub objective: ObjectiveWeights,
}

impl Problem {
    /// The same problem scored with other weights.
    pub(crate) fn reweighted(&self, objective: ObjectiveWeights) -> Problem {
        Problem {
            objective,
            ..self.clone()
        }
    }

    /// `config`'s members, layers, rules and weights, with no shifts yet, full capacity,
    /// no history and no pins: [`build`] fills in the rest, tests set what they need.
    pub(crate) fn empty(config: &Config) -> Problem {
        let members = config
            .members
            .iter()
            .map(|m| MemberFacts {
                id: m.id.clone(),
                max_shifts: m.max_shifts,
                eligible: config.layers.iter().map(|l| l.eligible.admits(m)).collect(),
                earlier_run: vec![0; config.layers.len()],
            })
            .collect();
        let layers = config
            .layers
            .iter()
            .map(|l| LayerFacts {
                name: l.name.clone(),
            })
            .collect();
        Problem {
            shifts: Vec::new(),
            cells: Vec::new(),
            members,
            layers,
            capacity: vec![1.0; config.members.len()],
            history: vec![0.0; config.members.len()],
            pins: Vec::new(),
            earlier: Vec::new(),
            rules: config.rules,
            objective: config.objective,
        }
    }

    pub fn members(&self) -> usize {
        self.members.len()
    }

    /// The index of the member with this id.
    pub fn member_index(&self, id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.id == id)
    }

    /// The index of the layer with this name.
    pub fn layer_index(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.name == name)
    }

    /// Members who may take this shift.
    pub fn candidates(&self, shift: usize) -> impl Iterator<Item = usize> + '_ {
        self.cells[shift]
            .iter()
            .enumerate()
            .filter(|(_, c)| c.blocked.is_none())
            .map(|(m, _)| m)
    }

    /// The seats before the period that `member`'s run into `layer`'s first shift is
    /// made of ([`MemberFacts::earlier_run`]), earliest first.
    pub(crate) fn earlier_run(
        &self,
        member: usize,
        layer: usize,
    ) -> impl Iterator<Item = &Earlier> {
        let name = &self.layers[layer].name;
        let of_layer: Vec<&Earlier> = self
            .earlier
            .iter()
            .filter(|e| e.member == member && &e.seat.layer == name)
            .collect();
        let run = self.members[member].earlier_run[layer] as usize;
        let skip = of_layer.len().saturating_sub(run);
        of_layer.into_iter().skip(skip)
    }

    /// Members counted by fairness: eligible for some layer and with capacity > 0.
    pub(crate) fn in_fairness(&self, member: usize) -> bool {
        self.capacity[member] > 0.0 && self.members[member].eligible.iter().any(|&e| e)
    }
}
