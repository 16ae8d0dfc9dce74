//! `fairness.history`: points that earlier schedules (schedule.json) gave each member,
//! and their seats, which the rules reach across the period's start from.
//!
//! Reads only what history needs of a schedule.json — its version, its period and each
//! shift's layer, times, member and points — through a view of its own: the file format
//! belongs to a later stage (`schedule`), which the config, the first stage, does not
//! depend on.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::EarlierSeat;

/// The version of schedule.json this reader understands (the `schedule` stage writes it,
/// and a test there checks that the two agree).
pub(crate) const SCHEDULE_VERSION: u32 = 1;

/// The parts of a schedule.json that history reads; other fields are not looked at.
#[derive(Deserialize)]
struct ScheduleView {
    version: u32,
    period: PeriodView,
    shifts: Vec<SeatView>,
}

#[derive(Deserialize)]
struct PeriodView {
    end: NaiveDate,
}

#[derive(Deserialize)]
struct SeatView {
    layer: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    member: String,
    points: f64,
}

/// What one history file holds for fairness and the rules.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HistoryFile {
    /// The first day after its period: whether it is still within `history_months`.
    pub(crate) period_end: NaiveDate,
    /// Σ `shifts[].points` per member id.
    pub(crate) points: BTreeMap<String, f64>,
    /// Every seat, with `source` as given.
    pub(crate) seats: Vec<EarlierSeat>,
}

/// Why a history file cannot be used, and where in it (byte range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryError {
    pub(crate) message: String,
    pub(crate) span: Range<usize>,
}

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// What is wrong with a JSON file, without quoting it: serde's messages quote the
/// values they did not expect, and a config may point at any readable file. Only the
/// names of missing fields (rota's own) are kept.
pub(crate) fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let message = e.to_string();
    match e.classify() {
        Category::Data if message.starts_with("missing field") => message
            .split(" at line ")
            .next()
            .unwrap_or("a field is missing")
            .to_string(),
        Category::Data => "a value has the wrong type or is out of range".into(),
        Category::Eof => "it ends too early".into(),
        Category::Syntax => "it is not valid JSON".into(),
        Category::Io => "it cannot be read".into(),
    }
}

/// The period, points per member and seats of one schedule.json text; `source` names the
/// file in the seats (as the config names it).
pub(crate) fn read(text: &str, source: &str) -> Result<HistoryFile, HistoryError> {
    let schedule: ScheduleView = serde_json::from_str(text).map_err(|e| {
        let at = offset_of(text, e.line(), e.column());
        HistoryError {
            message: format!("not a rota schedule.json: {}", json_problem(&e)),
            span: at..at,
        }
    })?;
    if schedule.version != SCHEDULE_VERSION {
        let at = text.find("\"version\"").unwrap_or(0);
        return Err(HistoryError {
            message: format!(
                "schedule version {} is not supported (expected {SCHEDULE_VERSION})",
                schedule.version
            ),
            span: at..at + "\"version\"".len().min(text.len() - at),
        });
    }
    let mut points = BTreeMap::new();
    let mut seats = Vec::with_capacity(schedule.shifts.len());
    for shift in schedule.shifts {
        if !shift.points.is_finite() {
            return Err(HistoryError {
                message: format!("a shift at {} has no finite points", shift.start),
                span: 0..0,
            });
        }
        *points.entry(shift.member.clone()).or_insert(0.0) += shift.points;
        seats.push(EarlierSeat {
            layer: shift.layer,
            start: shift.start,
            end: shift.end,
            member: shift.member,
            source: source.to_owned(),
        });
    }
    Ok(HistoryFile {
        period_end: schedule.period.end,
        points,
        seats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_problems_never_quote_the_file() {
        for (text, expected) in [
            ("{\"version\": \"SECRET\"}", "wrong type"),
            ("SECRET=1", "not valid JSON"),
            ("{\"version\": 1", "ends too early"),
            ("{\"version\": 1}", "missing field `"),
        ] {
            let err = read(text, "h.json").expect_err(text);
            assert!(err.message.contains(expected), "{text}: {err:?}");
            assert!(!err.message.contains("SECRET"), "{text}: {err:?}");
        }
    }

    pub(crate) const HISTORY: &str = r#"{
  "version": 1,
  "team": "t",
  "period": { "start": "2026-10-05", "end": "2027-01-04" },
  "generated_at": "2026-10-01T00:00:00Z",
  "config_sha256": "00",
  "solver": { "status": "optimal", "objective": 1.0, "bound": 1.0, "gap": 0.0, "seconds": 0.1 },
  "shifts": [
    { "layer": "primary", "start": "2026-10-05T14:00:00Z", "end": "2026-10-12T14:00:00Z", "member": "alice", "points": 200.5, "uid": "a", "sequence": 0 },
    { "layer": "primary", "start": "2026-10-12T14:00:00Z", "end": "2026-10-19T14:00:00Z", "member": "bob", "points": 180.0, "uid": "b", "sequence": 0 },
    { "layer": "primary", "start": "2026-10-19T14:00:00Z", "end": "2026-10-26T14:00:00Z", "member": "alice", "points": 10.0, "uid": "c", "sequence": 0 }
  ],
  "members": [],
  "metrics": { "imbalance": 0.0, "deviation": 0.0, "back_to_back_after_hours": 0, "total_load": 0.0, "prefer_off_violations": 0, "churn": 0 }
}"#;

    #[test]
    fn sums_points_per_member_and_keeps_every_seat() {
        let file = read(HISTORY, "q4.json").unwrap();
        assert_eq!(file.points.len(), 2);
        assert_eq!(file.points["alice"], 210.5);
        assert_eq!(file.points["bob"], 180.0);
        assert_eq!(
            file.period_end,
            NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
        );
        assert_eq!(file.seats.len(), 3);
        let last = &file.seats[2];
        assert_eq!(
            (last.layer.as_str(), last.member.as_str()),
            ("primary", "alice")
        );
        assert_eq!(last.end.to_rfc3339(), "2026-10-26T14:00:00+00:00");
        assert_eq!(last.source, "q4.json");
    }

    #[test]
    fn malformed_files_point_at_the_problem() {
        let text = "{\n  \"version\": 1,\n  \"shifts\": 5\n}";
        let err = read(text, "h.json").unwrap_err();
        assert!(err.message.starts_with("not a rota schedule.json"));
        assert_eq!(
            crate::config::diagnostic::line_col(text, err.span.start).0,
            3
        );
        let v2 = HISTORY.replace("\"version\": 1", "\"version\": 2");
        assert!(
            read(&v2, "h.json")
                .unwrap_err()
                .message
                .contains("version 2")
        );
        assert!(read("", "h.json").is_err());
    }
}
