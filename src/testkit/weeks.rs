//! A team in UTC with weekly layers, its problem and schedules built by hand, for the unit
//! tests of re-solving, diffing and swapping: independent of the TOML loader and the time
//! model.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::{date, weekly};
use crate::config::{Config, Layer, Member, Period};
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::Metrics;
use crate::problem::{Cell, ClassHours, Problem, Shift};
use crate::schedule::{PeriodOut, Schedule, ShiftOut, SolverInfo};

/// Monday 2027-01-04 10:00 UTC: the first handoff of every test layer.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap()
}

/// A team in UTC with weekly layers handing off on Mondays at 10:00, for `weeks` weeks.
pub(crate) fn config(members: &[&str], layers: &[&str], weeks: u32) -> Config {
    let start = date("2027-01-04");
    let period = Period {
        start,
        end: start + Duration::weeks(i64::from(weeks)),
    };
    Config {
        layers: layers
            .iter()
            .map(|name| Layer::new(name, weekly("10:00"), chrono_tz::UTC))
            .collect(),
        members: members
            .iter()
            .map(|id| Member::new(id, chrono_tz::UTC))
            .collect(),
        ..Config::new("Test", chrono_tz::UTC, period)
    }
}

/// The problem of [`config`]: one shift per layer per week, every cell worth 10 points
/// (10 business hours), nobody blocked, full capacity, no history.
pub(crate) fn problem(members: &[&str], layers: &[&str], weeks: u32) -> Problem {
    let config = config(members, layers, weeks);
    let mut shifts = Vec::new();
    for w in 0..weeks as usize {
        for l in 0..layers.len() {
            let start = t0() + Duration::weeks(w as i64);
            shifts.push(Shift {
                layer: l,
                start,
                end: start + Duration::weeks(1),
                local_start: start.naive_utc(),
                per_shift: 1,
                seq_in_layer: w,
            });
        }
    }
    let cell = Cell {
        hours: ClassHours {
            business: 10.0,
            ..ClassHours::default()
        },
        points: 10.0,
        after_hours: false,
        prefer_off: false,
        earlier_pairs: 0,
        blocked: None,
    };
    Problem {
        cells: vec![vec![cell; members.len()]; shifts.len()],
        shifts,
        ..Problem::empty(&config)
    }
}

/// Round robin over the members, shift by shift.
pub(crate) fn round_robin(problem: &Problem) -> Assignment {
    let n = problem.members();
    Assignment {
        members: (0..problem.shifts.len()).map(|s| vec![s % n]).collect(),
    }
}

/// A schedule.json holding `assignment`, with just enough filled in for diff and
/// previous (metrics and member summaries are not computed).
pub(crate) fn schedule(problem: &Problem, assignment: &Assignment) -> Schedule {
    let mut shifts = Vec::new();
    for (s, held) in assignment.members.iter().enumerate() {
        let shift = &problem.shifts[s];
        for &m in held {
            shifts.push(seat(
                &problem.layers[shift.layer].name,
                shift.start,
                shift.end,
                &problem.members[m].id,
            ));
        }
    }
    schedule_of(shifts)
}

pub(crate) fn seat(
    layer: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    member: &str,
) -> ShiftOut {
    ShiftOut {
        layer: layer.to_string(),
        start,
        end,
        member: member.to_string(),
        points: 10.0,
        uid: format!("{layer}-{}@test.rota", start.format("%Y%m%dT%H%M%SZ")),
        sequence: 0,
        modified: None,
    }
}

pub(crate) fn schedule_of(shifts: Vec<ShiftOut>) -> Schedule {
    Schedule {
        version: crate::schedule::SCHEDULE_VERSION,
        team: "Test".into(),
        timezone: None,
        period: PeriodOut {
            start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
            end: NaiveDate::from_ymd_opt(2027, 4, 5).unwrap(),
        },
        generated_at: t0(),
        config_sha256: "0".repeat(64),
        solver: SolverInfo {
            status: "optimal".into(),
            objective: 0.0,
            bound: 0.0,
            gap: 0.0,
            seconds: 0.0,
        },
        shifts,
        earlier: Vec::new(),
        members: Vec::new(),
        metrics: Metrics::default(),
        directory: Default::default(),
        resolve: None,
    }
}
