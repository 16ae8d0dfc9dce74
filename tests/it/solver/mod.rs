//! The solver on hand-built problems: against brute force on tiny teams, and its
//! invariants on random ones.

mod brute_force;
mod props;
