//! The only module that talks to good_lp/HiGHS: turns a [`Problem`] into an
//! [`Assignment`] as fair as the rules allow, with an honest bound and gap.

use std::time::Duration;

use crate::assignment::{Assignment, Previous};
use crate::problem::Problem;

#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub time_limit: Duration,
    /// Relative MIP gap at which the solve stops as optimal.
    pub gap: f64,
    pub threads: u32,
    /// Show progress on stderr (only when it is a terminal and the solve runs > 1 s).
    pub progress: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(10),
            gap: 1e-4,
            threads: 1,
            progress: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// Proven optimal within the requested gap.
    Optimal,
    /// The time limit was reached; the best schedule found is returned.
    Feasible,
}

impl SolveStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::Feasible => "feasible",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Solution {
    pub assignment: Assignment,
    pub status: SolveStatus,
    /// The exact objective of `assignment` (as `evaluate` computes it).
    pub objective: f64,
    /// A proven lower bound on the exact objective.
    pub bound: f64,
    /// (objective − bound) / max(|objective|, tiny); 0 when optimal.
    pub gap: f64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// With a human-readable diagnosis.
    #[error("{0}")]
    Infeasible(String),
    #[error("{0}")]
    NoSolution(String),
    #[error("{0}")]
    Internal(String),
}

/// Solves the problem; with `previous`, frozen shifts are fixed and changes cost churn.
pub fn solve(
    problem: &Problem,
    previous: Option<&Previous>,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let _ = (problem, previous, options);
    Err(SolveError::Internal("solver not built yet".into()))
}
