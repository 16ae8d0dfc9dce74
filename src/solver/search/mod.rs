//! The heuristic searches on complete schedules, after the greedy starts: they find
//! schedules, they prove nothing.
//!
//! [`portfolio`] runs one search per core — annealing ([`anneal`]), pair trades and
//! three-way cycles ([`exchange`]), single moves and swaps ([`local`]) — and LNS
//! ([`lns`]) hands neighbourhoods of large teams to HiGHS; a re-solve improves its repair
//! under a move budget ([`budget`]). Every random choice comes from [`Rng`], so a run
//! that finishes its iterations is reproducible.

pub(super) mod anneal;
pub(super) mod budget;
pub(super) mod exchange;
pub(super) mod lns;
pub(super) mod local;
pub(super) mod portfolio;
mod rng;

pub(crate) use rng::Rng;
