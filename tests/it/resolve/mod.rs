//! Re-solving from a previous schedule: end to end with the real binary, the fairness
//! ledger across quarters, and the solver's own guarantees.

mod cli;
mod ledger;
mod same_command;
mod solver;
