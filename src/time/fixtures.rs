//! Small builders of config values for unit tests (the TOML loader is tested on its own).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::config::{
    CalendarSettings, Config, Eligibility, Fairness, Layer, Member, ObjectiveWeights, Period,
    Rotation, Rules, Team, TimeWindow, WeekdaySet,
};

pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

pub(crate) fn time(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("test time")
}

/// An RFC 3339 instant.
pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

pub(crate) fn window(s: &str) -> TimeWindow {
    let (a, b) = s.split_once('-').expect("test window");
    TimeWindow {
        start: time(a),
        end: time(b),
    }
}

pub(crate) fn weekdays() -> WeekdaySet {
    WeekdaySet::from_days([
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ])
}

/// A full-time member working 09:00-17:00 Monday to Friday, with nothing else set.
pub(crate) fn member(id: &str, tz: Tz) -> Member {
    Member {
        id: id.to_owned(),
        name: id.to_owned(),
        email: None,
        timezone: tz,
        working_hours: window("09:00-17:00"),
        working_days: weekdays(),
        holidays: BTreeSet::new(),
        holiday_sets: Vec::new(),
        tags: BTreeSet::new(),
        fte: 1.0,
        joins: None,
        leaves: None,
        max_shifts: None,
        unavailable: Vec::new(),
        prefer_off: Vec::new(),
    }
}

pub(crate) fn layer(name: &str, rotation: Rotation, tz: Tz) -> Layer {
    Layer {
        name: name.to_owned(),
        rotation,
        timezone: tz,
        days: None,
        eligible: Eligibility::default(),
        per_shift: 1,
    }
}

pub(crate) fn period(start: &str, end: &str) -> Period {
    Period {
        start: date(start),
        end: date(end),
    }
}

pub(crate) fn config(period: Period, layers: Vec<Layer>, members: Vec<Member>) -> Config {
    Config {
        path: PathBuf::from("rota.toml"),
        sha256: String::new(),
        team: Team {
            name: "Test".to_owned(),
            timezone: Tz::America__New_York,
            uid_domain: "test.rota".to_owned(),
        },
        period,
        layers,
        members,
        rules: Rules::default(),
        fairness: Fairness {
            history_points: BTreeMap::new(),
            ..Fairness::default()
        },
        objective: ObjectiveWeights::default(),
        calendar: CalendarSettings::default(),
        pins: Vec::new(),
    }
}
