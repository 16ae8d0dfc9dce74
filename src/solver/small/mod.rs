//! Exact methods for the smallest teams: at most `plan::SMALLEST_BINARIES` (shift,
//! member) pairs and `plan::SMALL_TEAM` people — a month of three to eight.
//!
//! Why these teams: their proofs are where HiGHS struggles. Balancing a handful of
//! people's loads is a partition question — can four people split a month's days to
//! within a point? — whose LP relaxation balances perfectly, so HiGHS's bound sits far
//! below the optimum and its tree must enumerate. Few members make exact enumeration
//! possible instead: states grow as the loads of every member together, which is
//! affordable for eight people and not for twelve.
//!
//! - [`fair_floor`] (with [`split_floor`], its search over shift counts): the least
//!   fairness terms any schedule has, handed to the MILP as a row, to the Lagrangian
//!   bound and to the exact program.
//! - [`lagrange`]: coverage priced instead of required, one exact program per member;
//!   proves many months outright, settles pairs for the MILP, and guides the exact
//!   program.
//! - [`pairs`]: two members at a time redistribute their shifts exactly.
//! - [`exact`]: a dynamic program over time that proves the incumbent optimal or finds
//!   the optimum, within a count of states.

pub(super) mod exact;
pub(super) mod fair_floor;
pub(super) mod lagrange;
pub(super) mod pairs;
mod split_floor;
