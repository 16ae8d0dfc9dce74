//! Values for tests, built in code rather than read from TOML: the value builders below,
//! three hand-built problems (`fixture`, `weeks`, `hours`); and, also compiled with
//! the `bench` feature for `examples/bench.rs`, the benchmark's generated teams
//! ([`instance`]) and the round-robin rotation it compares with ([`baseline`]).
//!
//! Not part of the pipeline: every stage's tests may use it, and it builds values of
//! every stage.

pub mod baseline;
pub mod instance;
pub mod resolve;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
pub(crate) mod hours;
#[cfg(test)]
pub(crate) mod weeks;

#[cfg(test)]
pub(crate) use values::*;

/// Small builders of config values (the TOML loader is tested on its own).
#[cfg(test)]
mod values {
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
    use chrono_tz::Tz;

    use crate::config::{Config, Layer, Member, Period, Rotation, TimeWindow, WeeklyTime};

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

    /// Handing off every Monday at `hh:mm`.
    pub(crate) fn weekly(hh_mm: &str) -> Rotation {
        Rotation::Weekly {
            handoff: WeeklyTime {
                weekday: Weekday::Mon,
                time: time(hh_mm),
            },
        }
    }

    /// A full-time member working 09:00-17:00 Monday to Friday, with nothing else set.
    pub(crate) fn member(id: &str, tz: Tz) -> Member {
        Member::new(id, tz)
    }

    pub(crate) fn layer(name: &str, rotation: Rotation, tz: Tz) -> Layer {
        Layer::new(name, rotation, tz)
    }

    pub(crate) fn period(start: &str, end: &str) -> Period {
        Period {
            start: date(start),
            end: date(end),
        }
    }

    /// Team "Test" in New York, read from `rota.toml`, with these layers and members.
    pub(crate) fn config(period: Period, layers: Vec<Layer>, members: Vec<Member>) -> Config {
        Config {
            layers,
            members,
            ..Config::new("Test", Tz::America__New_York, period)
        }
    }
}
