//! Local wall-clock time → UTC with an explicit DST policy, shift generation and
//! per-member classification of every minute (docs/objective.md, "Time semantics").

pub(crate) mod availability;
pub(crate) mod calendar;
pub(crate) mod classify;
pub(crate) mod local;
pub mod shifts;
