//! Re-solving from a published schedule: match its shifts to the new problem's and
//! decide which are frozen.

use chrono::{DateTime, Utc};

use crate::assignment::Previous;
use crate::error::Error;
use crate::problem::Problem;
use crate::schedule::Schedule;

/// Shifts of `old` starting before `freeze_until` are frozen; the rest cost churn when
/// their assignee changes. Shifts are matched by layer name and start instant.
pub fn from_schedule(
    problem: &Problem,
    old: &Schedule,
    freeze_until: DateTime<Utc>,
) -> Result<Previous, Error> {
    let _ = (problem, old, freeze_until);
    Err(Error::Internal("previous not built yet".into()))
}
