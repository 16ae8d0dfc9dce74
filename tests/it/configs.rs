//! Every config in `configs/` loads, and the example has what the README promises.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, Weekday};
use rota::config::{self, CapacityMode, PinStart, Rotation, WeekdaySet, WeeklyTime};

use crate::support::{expect_code, root, rota, toml_files};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn load(name: &str) -> config::Config {
    let path = root().join("configs").join(name);
    match config::load(&path) {
        Ok(c) => c,
        Err(e) => panic!("{name} does not load:\n{e}"),
    }
}

#[test]
fn every_config_in_configs_loads() {
    let names = toml_files(&root().join("configs"));
    assert!(names.len() >= 6, "{names:?}");
    for path in names {
        if let Err(e) = config::load(&path) {
            panic!("{} does not load:\n{e}", path.display());
        }
    }
}

#[test]
fn example_is_a_realistic_team() {
    let c = load("example.toml");
    assert_eq!(c.period.start, d(2027, 1, 4));
    assert_eq!(c.period.end, d(2027, 4, 5));
    assert!(c.members.len() >= 8);
    let zones: BTreeSet<_> = c.members.iter().map(|m| m.timezone.name()).collect();
    assert_eq!(
        zones,
        ["America/New_York", "Asia/Singapore", "Europe/Berlin"].into()
    );
    assert_eq!(c.layers.len(), 2);
    assert_eq!(
        c.layers[0].rotation,
        Rotation::Weekly {
            handoff: WeeklyTime {
                weekday: Weekday::Mon,
                time: t(10, 0)
            }
        }
    );
    assert_eq!(c.layers[1].eligible.any_tags, vec!["senior".to_string()]);
    let seniors = c
        .members
        .iter()
        .filter(|m| c.layers[1].eligible.admits(m))
        .count();
    assert_eq!(seniors, 6);
    assert!(c.members.iter().any(|m| m.fte == 0.5));
    assert!(c.members.iter().any(|m| m.joins.is_some()));
    assert!(c.members.iter().any(|m| m.leaves.is_some()));
    assert!(c.members.iter().any(|m| !m.unavailable.is_empty()));
    assert_eq!(c.pins.len(), 1);
    assert_eq!(c.pins[0].start, PinStart::LocalDate(d(2027, 2, 1)));
    assert_eq!(c.members[c.pins[0].member].id, "bob");
    assert_eq!(c.fairness.capacity, CapacityMode::Availability);
    assert_eq!(c.fairness.history_points.get("bob"), Some(&-40.0));
    assert_eq!(c.calendar.alarm_minutes, 15);
    assert_eq!(c.sha256.len(), 64);

    // Holidays: a list for the US, the .ics for Berlin (Easter is one 4-day event).
    let alice = &c.members[0];
    assert_eq!(alice.holidays, [d(2027, 1, 18), d(2027, 2, 15)].into());
    let erik = c.members.iter().find(|m| m.id == "erik").unwrap();
    for day in [
        d(2027, 1, 1),
        d(2027, 3, 26),
        d(2027, 3, 27),
        d(2027, 3, 28),
        d(2027, 3, 29),
    ] {
        assert!(erik.holidays.contains(&day), "{day}");
    }
    assert!(!erik.holidays.contains(&d(2027, 3, 30)));
    assert!(erik.holidays.contains(&d(2027, 12, 26)) && !erik.holidays.contains(&d(2027, 12, 27)));
    assert_eq!(erik.holiday_sets, vec!["de".to_string()]);

    // Defaults and per-member overrides.
    let greta = c.members.iter().find(|m| m.id == "greta").unwrap();
    assert_eq!(
        greta.working_days,
        WeekdaySet::from_days([Weekday::Mon, Weekday::Tue, Weekday::Wed])
    );
    assert_eq!(greta.working_hours.start, t(9, 0));
    let carol = c.members.iter().find(|m| m.id == "carol").unwrap();
    assert_eq!(carol.working_hours.start, t(8, 0));
    assert_eq!(carol.name, "Carol Díaz");
    assert_eq!(carol.timezone, chrono_tz::America::New_York);
}

#[test]
fn one_example_per_rotation_kind() {
    assert!(matches!(
        load("weekly.toml").layers[0].rotation,
        Rotation::Weekly { .. }
    ));
    assert!(matches!(
        load("daily.toml").layers[0].rotation,
        Rotation::Daily { .. }
    ));
    assert_eq!(
        load("hours.toml").layers[0].rotation,
        Rotation::Hours {
            hours: 12,
            handoff: t(8, 0)
        }
    );
    let Rotation::Handoffs { points } = &load("handoffs.toml").layers[0].rotation else {
        panic!("handoffs.toml is not a split week");
    };
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].weekday, Weekday::Thu);
    let window = load("window.toml");
    let Rotation::Window { window: w } = window.layers[0].rotation else {
        panic!("window.toml has no window");
    };
    assert_eq!((w.start, w.end), (t(9, 0), t(17, 0)));
    assert_eq!(window.layers[0].days.map(|d| d.iter().count()), Some(5));
    // Team name slug is the default uid_domain.
    assert_eq!(window.team.uid_domain, "customer-support-engineering.rota");
    assert!(window.members[0].holidays.contains(&d(2027, 1, 1)));
}

#[test]
fn rota_check_accepts_every_config() {
    for name in ["example", "weekly", "daily", "hours", "handoffs", "window"] {
        let rel = format!("configs/{name}.toml");
        expect_code(&rota(&["check", &rel]), 0);
    }
}
