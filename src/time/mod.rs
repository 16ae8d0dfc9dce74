//! Local wall-clock time → UTC with an explicit DST policy, shift generation and
//! per-member classification of every minute (docs/objective.md, "Time semantics").

pub mod availability;
pub mod calendar;
pub mod classify;
pub mod local;
pub mod shifts;
