//! `schedule.json`: the solved rotation as written to disk and read back by
//! `verify`, `report`, `diff`, `swap`, `--previous` and `fairness.history`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::problem::ClassHours;

pub const SCHEDULE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub version: u32,
    pub team: String,
    pub period: PeriodOut,
    pub generated_at: DateTime<Utc>,
    pub config_sha256: String,
    pub solver: SolverInfo,
    /// Sorted by (start, layer order in the config, slot).
    pub shifts: Vec<ShiftOut>,
    /// In config order.
    pub members: Vec<MemberOut>,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOut {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverInfo {
    /// `optimal` (proven within the requested gap) or `feasible` (time limit reached).
    pub status: String,
    pub objective: f64,
    /// Best proven lower bound on the objective.
    pub bound: f64,
    /// (objective − bound) / |objective|, 0 when optimal.
    pub gap: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftOut {
    pub layer: String,
    /// RFC 3339 UTC.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub member: String,
    pub points: f64,
    pub uid: String,
    pub sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberOut {
    pub id: String,
    pub capacity: f64,
    pub load: f64,
    pub history: f64,
    pub normalized: f64,
    pub fair_share: f64,
    pub shifts: u32,
    pub hours: ClassHours,
    pub back_to_back_after_hours: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub imbalance: f64,
    pub deviation: f64,
    pub back_to_back_after_hours: u32,
    pub total_load: f64,
    pub prefer_off_violations: u32,
    pub churn: u32,
}

impl Schedule {
    /// Reads a schedule.json; a missing or malformed file is invalid input (exit 2).
    pub fn read(path: &std::path::Path) -> Result<Schedule, crate::Error> {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let schedule: Schedule =
            serde_json::from_str(&text).map_err(|e| crate::Error::Schedule {
                path: path.to_path_buf(),
                message: format!("not a rota schedule.json: {e}"),
            })?;
        if schedule.version != SCHEDULE_VERSION {
            return Err(crate::Error::Schedule {
                path: path.to_path_buf(),
                message: format!(
                    "schedule version {} is not supported (expected {SCHEDULE_VERSION})",
                    schedule.version
                ),
            });
        }
        Ok(schedule)
    }
}
