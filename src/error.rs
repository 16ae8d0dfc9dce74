//! The top-level error and the exit code of each kind.

use std::path::{Path, PathBuf};

use crate::config::ConfigError;
use crate::config::limits::ReadError;
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
    /// An output path that cannot be written: a file where a directory belongs, no
    /// permission, a full disk. The user's to fix, like any other input.
    #[error("error: cannot write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("error: cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file that is not what it should be: a schedule.json that is not one, a file too
    /// large or not UTF-8.
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
    /// A file read through [`crate::config::limits`] that could not be: unreadable is
    /// [`Error::Read`]; too large, or not UTF-8 (with the line and column of the first bad
    /// byte), is [`Error::Schedule`]-shaped. All are invalid input.
    pub fn reading(path: &Path, e: ReadError) -> Error {
        match e {
            ReadError::Io(source) => Error::Read {
                path: path.to_path_buf(),
                source,
            },
            other => Error::Schedule {
                path: path.to_path_buf(),
                message: other.to_string(),
            },
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_)
            | Error::Build(_)
            | Error::Usage(_)
            | Error::Read { .. }
            | Error::Output { .. }
            | Error::Schedule { .. } => exit_code::INVALID_INPUT,
            Error::Infeasible(_) => exit_code::INFEASIBLE,
            Error::NoSolution(_) => exit_code::NO_SOLUTION,
            Error::Write { .. } | Error::VerifyFailed(_) | Error::Internal(_) => {
                exit_code::INTERNAL
            }
        }
    }
}
