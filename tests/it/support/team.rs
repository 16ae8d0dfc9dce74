//! The config builder of the integration tests, and the small team the calendar and
//! report tests share: names that need escaping and multi-byte UTF-8 (commas, semicolons,
//! a backslash, Norwegian and Chinese letters), three zones, two weekly layers over six
//! weeks, and one member without shifts.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use rota::config::{Config, Layer, Member, Period, Rotation, WeeklyTime};
use rota::problem::ClassHours;
use rota::problem::evaluate::Metrics;
use rota::schedule::{MemberOut, PeriodOut, Schedule, ShiftOut, SolverInfo};

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .expect("valid RFC 3339 in test")
}

pub fn tz(name: &str) -> Tz {
    Tz::from_str(name).expect("valid zone in test")
}

pub fn member(id: &str, name: &str, zone: &str) -> Member {
    Member {
        name: name.into(),
        ..Member::new(id, tz(zone))
    }
}

/// Handing off every Monday at 10:00 in New York.
pub fn layer(name: &str) -> Layer {
    let handoff = WeeklyTime {
        weekday: Weekday::Mon,
        time: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
    };
    Layer::new(name, Rotation::Weekly { handoff }, tz("America/New_York"))
}

/// A team whose names need escaping and multi-byte UTF-8: commas, semicolons, a
/// backslash, Norwegian and Chinese letters. `dana` never gets a shift.
pub fn config() -> Config {
    let period = Period {
        start: NaiveDate::from_ymd_opt(2027, 1, 4).expect("date"),
        end: NaiveDate::from_ymd_opt(2027, 2, 15).expect("date"),
    };
    let name = "Zürich Ops, Inc.; Night\\Day desk";
    let mut config = Config::new(name, tz("America/New_York"), period);
    config.path = PathBuf::from("team.toml");
    config.sha256 = "0".repeat(64);
    config.team.uid_domain = "ops.example.com".into();
    config.layers = vec![layer("primary"), layer("secondary")];
    config.members = vec![
        member("alice", "Alice Liddell", "America/New_York"),
        member("bjorn", "Bjørn Ødegård, Jr.; on-call", "Europe/Oslo"),
        member("chen", "陈伟 (Chén Wěi)", "Asia/Shanghai"),
        member("dana", "Dana", "America/New_York"),
    ];
    config
}

/// Six weekly shifts per layer from Mon 2027-01-04 10:00 New York (15:00 UTC),
/// primary rotating alice → bjorn → chen, secondary one step behind.
pub fn schedule() -> Schedule {
    let who = ["alice", "bjorn", "chen"];
    let first = utc("2027-01-04T15:00:00Z");
    let mut shifts = Vec::new();
    for week in 0..6usize {
        let start = first + Duration::weeks(week as i64);
        for (offset, layer) in ["primary", "secondary"].iter().enumerate() {
            shifts.push(ShiftOut {
                layer: (*layer).into(),
                start,
                end: start + Duration::weeks(1),
                member: who[(week + offset) % 3].into(),
                points: WEEK_POINTS,
                uid: format!(
                    "{layer}-{}.zurich-ops@ops.example.com",
                    start.format("%Y%m%dT%H%M%SZ")
                ),
                sequence: 0,
                modified: None,
            });
        }
    }
    let members = member_rows(&shifts);
    Schedule {
        version: 1,
        team: config().team.name,
        timezone: None,
        period: PeriodOut {
            start: config().period.start,
            end: config().period.end,
        },
        generated_at: utc("2026-12-01T08:00:00Z"),
        config_sha256: "0".repeat(64),
        solver: SolverInfo {
            status: "optimal".into(),
            objective: 0.0,
            bound: 0.0,
            gap: 0.0,
            seconds: 0.1,
        },
        shifts,
        earlier: Vec::new(),
        members,
        metrics: Metrics::default(),
        directory: Default::default(),
        resolve: None,
    }
}

/// Member rows consistent with the shifts: every week is 40 h business, 80 h after-hours
/// and 48 h weekend for whoever holds it (296 points at the default weights), everyone
/// has full capacity, so the fair share is a quarter of the total.
pub fn member_rows(shifts: &[ShiftOut]) -> Vec<MemberOut> {
    let total: f64 = shifts.iter().map(|s| s.points).sum();
    config()
        .members
        .iter()
        .map(|m| {
            let held = shifts.iter().filter(|s| s.member == m.id).count() as u32;
            let load: f64 = f64::from(held) * WEEK_POINTS;
            MemberOut {
                id: m.id.clone(),
                capacity: 1.0,
                load,
                history: 0.0,
                normalized: load,
                fair_share: total / 4.0,
                shifts: held,
                hours: ClassHours {
                    business: 40.0 * f64::from(held),
                    after_hours: 80.0 * f64::from(held),
                    weekend: 48.0 * f64::from(held),
                    holiday: 0.0,
                },
                back_to_back_after_hours: 0,
                back_to_back_earlier: 0,
            }
        })
        .collect()
}

pub const WEEK_POINTS: f64 = 296.0;
