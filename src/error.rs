//! The top-level error and the exit code of each kind.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::problem::BuildError;

pub mod exit_code {
    pub const SUCCESS: i32 = 0;
    /// Internal error, or `verify` found a violation.
    pub const INTERNAL: i32 = 1;
    /// Invalid config, CLI arguments, unreadable or malformed files.
    pub const INVALID_INPUT: i32 = 2;
    pub const INFEASIBLE: i32 = 3;
    /// Time limit reached with no feasible schedule.
    pub const NO_SOLUTION: i32 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Already rendered with file, line:column and a fix.
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Build(#[from] BuildError),
    #[error("error: {0}")]
    Usage(String),
    #[error("error: cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("error: cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A schedule.json that is not one.
    #[error("error: {}: {message}", path.display())]
    Schedule { path: PathBuf, message: String },
    /// With a diagnosis a person can act on.
    #[error("{0}")]
    Infeasible(String),
    #[error("{0}")]
    NoSolution(String),
    /// `verify` found violations or mismatches (already printed).
    #[error("{0}")]
    VerifyFailed(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The message for stderr: config diagnostics in colour when `color`.
    pub fn render(&self, color: bool) -> String {
        match self {
            Error::Config(e) if color => e.styled.clone(),
            other => other.to_string(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_)
            | Error::Build(_)
            | Error::Usage(_)
            | Error::Read { .. }
            | Error::Schedule { .. } => exit_code::INVALID_INPUT,
            Error::Infeasible(_) => exit_code::INFEASIBLE,
            Error::NoSolution(_) => exit_code::NO_SOLUTION,
            Error::Write { .. } | Error::VerifyFailed(_) | Error::Internal(_) => {
                exit_code::INTERNAL
            }
        }
    }
}
