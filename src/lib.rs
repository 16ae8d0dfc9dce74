//! rota: fair, rested on-call rotations, correct in every time zone.
//!
//! The pipeline, each stage depending only on the ones before it (a test in
//! `tests/it/architecture.rs` holds it to that):
//!
//! ```text
//! config   TOML → validated Config (zones resolved, dates checked, references resolved)
//!   ↓
//! time     local wall-clock time → UTC shifts, hours by class, availability
//!   ↓
//! problem  every shift and (shift, member) cell; the hard rules and the objective
//!   ↓
//! solver   the fairest schedule the rules allow, with a proven bound (good_lp + HiGHS)
//!   ↓
//! schedule schedule.json: the file format, and a previous schedule matched to a problem
//!   ↓
//! output   writers: schedule.json, iCalendar feeds, HTML report, terminal tables
//! ```
//!
//! `commands` holds each command's own logic (check, solve, next, verify, report, diff,
//! swap, init, serve, now, export, completions and man); `cli` parses the arguments and
//! dispatches; `error` maps failures to exit codes. `testkit` (tests, and the `bench`
//! feature) builds values of every stage.

mod cli;
mod commands;
pub mod config;
pub mod error;
pub mod output;
pub mod problem;
pub mod schedule;
pub mod solver;
pub mod time;

#[cfg(any(test, feature = "bench"))]
pub mod testkit;

pub use cli::{Cli, run, stderr_color};
pub use commands::Env;
pub use error::Error;
