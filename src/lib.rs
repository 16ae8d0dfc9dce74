//! rota: fair, rested on-call rotations, correct in every time zone.
//!
//! Stages: [`config`] (TOML → validated `Config`) → [`problem`] (shifts in UTC with
//! per-member points and availability) → [`solver`] (good_lp + HiGHS) → [`schedule`]
//! → [`output`] writers. [`cli`] only dispatches.

pub mod assignment;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diff;
pub mod error;
pub mod evaluate;
pub mod instance;
pub mod output;
pub mod previous;
pub mod problem;
pub mod rules;
pub mod schedule;
pub mod solver;
pub mod swap;
pub mod time;
pub mod verify;

#[cfg(test)]
mod testkit;

pub use cli::{Cli, Env, run};
pub use error::Error;
