//! Small builders of config values for unit tests (the TOML loader is tested on its own).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::config::{
    CalendarSettings, Config, Eligibility, Fairness, Layer, Member, ObjectiveWeights, Period,
    Rotation, Rules, Team, TimeWindow,
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

/// A full-time member working 09:00-17:00 Monday to Friday, with nothing else set.
pub(crate) fn member(id: &str, tz: Tz) -> Member {
    Member::new(id, tz)
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
