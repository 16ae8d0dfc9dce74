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
    /// large or not UTF-8. A message that starts with `LINE:COLUMN: ` is placed in the
    /// file as `path:LINE:COLUMN: …`, the form editors and terminals jump to.
    #[error("error: {}{}", path.display(), after_path(message))]
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

/// `message` as it follows a file's path: joined by `:` when it starts with a position.
fn after_path(message: &str) -> String {
    let mut parts = message.splitn(3, ':');
    let is_number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if is_number(parts.next()) && is_number(parts.next()) && parts.next().is_some() {
        format!(":{message}")
    } else {
        format!(": {message}")
    }
}

impl Error {
    /// The message for stderr: config diagnostics in colour when `color`.
    pub fn render(&self, color: bool) -> String {
        match self {
            Error::Config(e) if color => e.styled.clone(),
            other => other.to_string(),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_joins_the_path_like_a_compiler_error() {
        let placed = Error::Schedule {
            path: PathBuf::from("out/schedule.json"),
            message: "3:12: not UTF-8 text".into(),
        };
        assert_eq!(
            placed.to_string(),
            "error: out/schedule.json:3:12: not UTF-8 text"
        );
        let unplaced = Error::Schedule {
            path: PathBuf::from("out/schedule.json"),
            message: "schedule version 9 is not supported".into(),
        };
        assert_eq!(
            unplaced.to_string(),
            "error: out/schedule.json: schedule version 9 is not supported"
        );
    }
}
