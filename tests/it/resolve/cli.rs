//! Re-solving end to end with the real binary: the same config again changes nothing; a
//! week of PTO changes a handful of shifts and never a frozen one; the result verifies;
//! calendars keep their UIDs and bump SEQUENCE only where something changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::support::seats::{Seat, events, seats};
use crate::support::{arg, diff, expect_code, insert_after, rota, solve_quick as solve};

use crate::support::RESOLVE_TEAM as CONFIG;
/// Mid-period: six weeks of the quarter have started.
const FREEZE: &str = "2027-02-15T00:00:00Z";

fn work_dir(name: &str) -> PathBuf {
    crate::support::work_dir("resolve", name)
}

/// The first solve of the fixture, shared by every test of this file and the swap tests.
fn base() -> &'static (PathBuf, Value) {
    crate::support::resolve_team()
}

fn freeze() -> DateTime<Utc> {
    FREEZE.parse().expect("FREEZE is RFC 3339")
}

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The zone of each member of the fixture.
fn zone(member: &str) -> Tz {
    match member {
        "ana" | "bob" | "cy" | "dee" => chrono_tz::America::New_York,
        "eli" | "fay" | "gus" => chrono_tz::Europe::Berlin,
        _ => chrono_tz::Asia::Singapore,
    }
}

/// `[from 00:00, to + 1 day 00:00)` in the member's zone, in UTC.
fn local_days(member: &str, from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let z = zone(member);
    let midnight = |d: NaiveDate| {
        z.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .expect("midnight exists in these zones")
            .with_timezone(&Utc)
    };
    (midnight(from), midnight(to + chrono::Duration::days(1)))
}

fn by_shift(seats: &[Seat]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for s in seats {
        out.entry((s.layer.clone(), s.start.clone()))
            .or_default()
            .insert(s.member.clone());
    }
    out
}

/// Solves `config_text` (written to `<work dir>/rota.toml`) again from the shared first
/// solve, keeping the shifts that started before [`FREEZE`]: the config's path, the
/// output directory and its schedule.json.
fn resolve_edited(name: &str, config_text: &str) -> (PathBuf, PathBuf, Value) {
    let dir = work_dir(name);
    let config = dir.join("rota.toml");
    std::fs::write(&config, config_text).expect("write the edited config");
    let out = dir.join("out");
    let previous = base().0.join("schedule.json");
    let extra = ["--previous", arg(&previous), "--freeze-until", FREEZE];
    let schedule = solve(&config, &out, &extra);
    (config, out, schedule)
}

/// `rota verify CONFIG OUT/schedule.json` passes.
fn assert_verifies(config: &Path, out: &Path) {
    let schedule = out.join("schedule.json");
    expect_code(&rota(&["verify", arg(config), arg(&schedule)]), 0);
}

#[test]
fn resolving_the_same_config_changes_nothing() {
    let (base_out, base_schedule) = base();
    let previous = base_out.join("schedule.json");
    for (name, extra) in [
        // Default freeze instant: "now", before the period — every shift is free to move.
        ("same-now", vec![]),
        ("same-frozen", vec!["--freeze-until", FREEZE]),
    ] {
        let out = work_dir(name);
        let mut args = vec!["--previous", arg(&previous)];
        args.extend(extra);
        let again = solve(Path::new(CONFIG), &out, &args);

        let d = diff(&previous, &out.join("schedule.json"));
        assert_eq!(d["changed"], 0, "{name}: {d:#}");
        // Same members, UIDs and sequence numbers, seat for seat.
        assert_eq!(seats(&again), seats(base_schedule), "{name}");
        assert_eq!(again["metrics"]["churn"], 0, "{name}");
        let team = |dir: &Path| events(&dir.join("calendars").join("team.ics"));
        let (before, after) = (team(base_out), team(&out));
        assert_eq!(before.len(), seats(base_schedule).len());
        assert_eq!(after, before, "{name}: UIDs and SEQUENCE of team.ics");
    }
}

#[test]
fn a_week_of_pto_moves_a_handful_of_shifts_and_no_frozen_one() {
    let (base_out, base_schedule) = base();
    let old = seats(base_schedule);
    // Whoever holds primary on 2027-03-01 takes that week off (their local dates).
    let away = old
        .iter()
        .find(|s| s.layer == "primary" && s.start == "2027-03-01T15:00:00Z")
        .map(|s| s.member.clone())
        .expect("a primary shift starts 2027-03-01 10:00 New York time");
    let (pto_from, pto_to) = (
        NaiveDate::from_ymd_opt(2027, 3, 1).expect("date"),
        NaiveDate::from_ymd_opt(2027, 3, 7).expect("date"),
    );
    let (off_start, off_end) = local_days(&away, pto_from, pto_to);
    let overlaps_pto = |s: &Seat| instant(&s.start) < off_end && off_start < instant(&s.end);
    // Seats that must change: theirs during the PTO (a weekly shift touching the days).
    let forced = old
        .iter()
        .filter(|s| s.member == away && overlaps_pto(s))
        .count();
    assert!(forced >= 1);

    let text = std::fs::read_to_string(CONFIG).expect("read the fixture");
    let edited = insert_after(
        &text,
        &format!("id = \"{away}\""),
        &format!("unavailable = [{{ from = {pto_from}, to = {pto_to}, reason = \"PTO\" }}]"),
    );
    let (config, out, new_schedule) = resolve_edited("pto", &edited);
    let previous = base_out.join("schedule.json");
    let new = seats(&new_schedule);

    // The PTO is honoured.
    assert!(
        !new.iter().any(|s| s.member == away && overlaps_pto(s)),
        "{away} is still on call during the PTO"
    );
    // Every frozen shift is exactly as it was.
    let (old_by, new_by) = (by_shift(&old), by_shift(&new));
    assert_eq!(
        old_by.keys().collect::<Vec<_>>(),
        new_by.keys().collect::<Vec<_>>()
    );
    for (key, members) in &old_by {
        if instant(&key.1) < freeze() {
            assert_eq!(&new_by[key], members, "frozen shift {key:?} changed");
        }
    }
    // Only a handful of others move.
    let d = diff(&previous, &out.join("schedule.json"));
    let changed = d["changed"].as_u64().expect("changed is a number") as usize;
    assert!(
        changed >= forced && changed <= forced + 4,
        "{changed} shifts changed for {forced} forced by {away}'s PTO:\n{d:#}"
    );
    assert_eq!(
        new_schedule["metrics"]["churn"].as_u64(),
        Some(changed as u64)
    );

    // The re-solved schedule passes every check against the edited config.
    assert_verifies(&config, &out);

    // Same UIDs; SEQUENCE bumped exactly where the holder changed.
    let old_uid: BTreeMap<&str, &Seat> = old.iter().map(|s| (s.uid.as_str(), s)).collect();
    assert_eq!(
        old_uid.keys().copied().collect::<BTreeSet<_>>(),
        new.iter().map(|s| s.uid.as_str()).collect::<BTreeSet<_>>()
    );
    let mut bumped = 0;
    for s in &new {
        let before = old_uid[s.uid.as_str()];
        if before.member == s.member {
            assert_eq!(s.sequence, before.sequence, "{s:?} did not change");
        } else {
            assert_eq!(s.sequence, before.sequence + 1, "{s:?} changed");
            bumped += 1;
        }
    }
    assert_eq!(bumped, changed);
    let feed = |dir: &Path, name: &str| events(&dir.join("calendars").join(format!("{name}.ics")));
    let team: BTreeMap<String, u64> = feed(&out, "team")
        .into_iter()
        .map(|e| (e.uid, e.sequence))
        .collect();
    for s in &new {
        assert_eq!(
            team.get(&s.uid),
            Some(&s.sequence),
            "team.ics event {}",
            s.uid
        );
    }
    // The shift that moved away from them stays in their feed, cancelled.
    let theirs = feed(&out, &away);
    for lost in old.iter().filter(|s| s.member == away && overlaps_pto(s)) {
        let event = theirs
            .iter()
            .find(|e| e.uid == lost.uid)
            .unwrap_or_else(|| panic!("{away}.ics lost event {}", lost.uid));
        assert_eq!(event.status, "CANCELLED");
        assert_eq!(event.sequence, lost.sequence + 1);
    }
}

#[test]
fn pto_added_for_a_week_that_already_started_is_honoured() {
    // Someone was off sick in a frozen week: the config is the newer truth, so that shift
    // is solved again while every other frozen shift stays.
    let old = seats(&base().1);
    let sick = old
        .iter()
        .find(|s| s.layer == "primary" && s.start == "2027-02-01T15:00:00Z")
        .expect("a primary shift starts 2027-02-01 10:00 New York time")
        .clone();
    let day = NaiveDate::from_ymd_opt(2027, 2, 3).expect("date");
    let text = std::fs::read_to_string(CONFIG).expect("read the fixture");
    let edited = insert_after(
        &text,
        &format!("id = \"{}\"", sick.member),
        &format!("unavailable = [{{ date = {day}, reason = \"sick\" }}]"),
    );
    let (config, out, new_schedule) = resolve_edited("sick", &edited);
    let new = seats(&new_schedule);
    let (day_start, day_end) = local_days(&sick.member, day, day);
    let (old_by, new_by) = (by_shift(&old), by_shift(&new));
    for (key, members) in &old_by {
        let seat = old
            .iter()
            .find(|s| (&s.layer, &s.start) == (&key.0, &key.1));
        let touches_day =
            seat.is_some_and(|s| instant(&s.start) < day_end && day_start < instant(&s.end));
        if touches_day && members.contains(&sick.member) {
            assert!(
                !new_by[key].contains(&sick.member),
                "{key:?} still held by the sick member"
            );
        } else if instant(&key.1) < freeze() {
            assert_eq!(&new_by[key], members, "frozen shift {key:?} changed");
        }
    }
    assert_verifies(&config, &out);
}

#[test]
fn someone_leaving_keeps_their_past_and_hands_over_their_future() {
    let old = seats(&base().1);
    let leaver = "bob";
    let text = std::fs::read_to_string(CONFIG).expect("read the fixture");

    // With `leaves`, the shifts they held before the freeze stay theirs.
    let edited = insert_after(&text, "id = \"bob\"", "leaves = 2027-02-15");
    let (config, out, new_schedule) = resolve_edited("leaves", &edited);
    let new = seats(&new_schedule);
    let left = instant("2027-02-15T05:00:00Z"); // 2027-02-15 00:00 in New York
    for s in old.iter().filter(|s| s.member == leaver) {
        let kept = new.iter().any(|n| n.uid == s.uid && n.member == leaver);
        // A shift that started before the freeze and ended before they left is history.
        assert_eq!(kept, instant(&s.end) <= left, "{s:?}");
    }
    assert!(
        new.iter()
            .all(|n| n.member != leaver || instant(&n.end) <= left)
    );
    assert_verifies(&config, &out);

    // Deleted from the config instead, they are unknown: their shifts, past ones too, go
    // to others — and the re-solve still succeeds.
    let without = text.replace(
        "[[member]]\nid = \"bob\"\ntimezone = \"America/New_York\"\nholidays = [\"us\"]\n",
        "",
    );
    assert!(!without.contains("\"bob\""));
    let new = seats(&resolve_edited("deleted", &without).2);
    assert!(new.iter().all(|n| n.member != leaver));
    for s in old
        .iter()
        .filter(|s| s.member != leaver && instant(&s.start) < freeze())
    {
        assert!(
            new.iter().any(|n| n.uid == s.uid && n.member == s.member),
            "frozen {s:?} changed"
        );
    }
}
