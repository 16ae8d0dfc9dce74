//! rota: fair, rested on-call rotations, correct in every time zone.
//!
//! Stages: [`config`] (TOML → validated `Config`) → [`problem`] (shifts in UTC with
//! per-member points and availability) → [`solver`] (good_lp + HiGHS) → [`schedule`]
//! → [`output`] writers. [`cli`] only dispatches.

pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod output;
pub mod problem;
pub mod schedule;
pub mod serve;
pub mod solver;
pub mod time;

#[cfg(any(test, feature = "bench"))]
pub mod testkit;

pub use cli::{Cli, run};
pub use commands::Env;
pub use error::Error;
