//! Calendar feeds read back by the `icalendar` crate's parser and compared with the
//! schedule they were rendered from.
//!
//! Set `ROTA_FEEDS_OUT=DIR` to also write the feeds of these tests under DIR, for
//! `python3 tests/ical_check.py DIR` (a second, independent parser).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};

use rota::config::Config;
use rota::output::calendar::render_all;
use rota::schedule::{Schedule, ShiftOut};

use crate::support::assert_contains;
use crate::support::team::{config, schedule, utc};

// ---------------------------------------------------------------- helpers

fn now() -> DateTime<Utc> {
    utc("2026-12-01T08:00:00Z")
}

fn feeds(config: &Config, schedule: &Schedule, previous: Option<&Schedule>) -> Feeds {
    let files = render_all(config, schedule, previous, now());
    if let Ok(dir) = std::env::var("ROTA_FEEDS_OUT") {
        // Each test writes into its own subdirectory so parallel tests do not collide.
        let name = std::thread::current()
            .name()
            .unwrap_or("feeds")
            .replace("::", "-");
        rota::output::atomic::write_all(&Path::new(&dir).join(name), &files)
            .expect("write feeds for the Python checker");
    }
    Feeds(
        files
            .into_iter()
            .map(|(path, text)| (path.to_string_lossy().into_owned(), text))
            .collect(),
    )
}

struct Feeds(BTreeMap<String, String>);

impl Feeds {
    fn text(&self, name: &str) -> &str {
        self.0
            .get(&format!("calendars/{name}.ics"))
            .unwrap_or_else(|| panic!("no feed {name}; have {:?}", self.0.keys()))
    }

    fn parsed(&self, name: &str) -> Parsed {
        parse(self.text(name))
    }
}

/// An event as the parser read it back.
#[derive(Debug, Clone, PartialEq)]
struct Ev {
    uid: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    summary: String,
    description: String,
    sequence: u32,
    status: String,
    stamp: DateTime<Utc>,
    transp: String,
    alarms: usize,
}

struct Parsed {
    properties: BTreeMap<String, String>,
    events: Vec<Ev>,
}

fn as_utc(value: Option<DatePerhapsTime>, what: &str) -> DateTime<Utc> {
    match value {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(at))) => at,
        other => panic!("{what} is not a UTC date-time: {other:?}"),
    }
}

fn parse(text: &str) -> Parsed {
    let calendar = icalendar::Calendar::from_str(text).expect("the crate's parser reads it");
    let properties = calendar
        .properties
        .iter()
        .map(|p| (p.key().to_owned(), p.value().to_owned()))
        .collect();
    let events = calendar
        .components
        .iter()
        .map(|c| match c {
            CalendarComponent::Event(e) => Ev {
                uid: e.get_uid().expect("UID").to_owned(),
                start: as_utc(e.get_start(), "DTSTART"),
                end: as_utc(e.get_end(), "DTEND"),
                summary: e.get_summary().expect("SUMMARY").to_owned(),
                description: e.get_description().expect("DESCRIPTION").to_owned(),
                sequence: e.get_sequence().expect("SEQUENCE"),
                status: e.property_value("STATUS").expect("STATUS").to_owned(),
                stamp: e.get_timestamp().expect("DTSTAMP"),
                transp: e.property_value("TRANSP").expect("TRANSP").to_owned(),
                alarms: e.components().len(),
            },
            other => panic!("unexpected component {other:?}"),
        })
        .collect();
    Parsed { properties, events }
}

fn uids(events: &[Ev]) -> Vec<&str> {
    events.iter().map(|e| e.uid.as_str()).collect()
}

fn assert_unique_uids(events: &[Ev]) {
    let set: BTreeSet<&str> = uids(events).into_iter().collect();
    assert_eq!(
        set.len(),
        events.len(),
        "duplicate UIDs: {:?}",
        uids(events)
    );
}

fn display_name<'a>(config: &'a Config, id: &str) -> &'a str {
    config
        .members
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.name.as_str())
        .expect("known member")
}

/// The parsed events must be exactly `expected` shifts: same UID, instants, SEQUENCE,
/// and a SUMMARY naming layer and member.
fn assert_events_are(config: &Config, events: &[Ev], expected: &[&ShiftOut]) {
    assert_unique_uids(events);
    let by_uid: BTreeMap<&str, &Ev> = events.iter().map(|e| (e.uid.as_str(), e)).collect();
    assert_eq!(events.len(), expected.len(), "event count");
    for shift in expected {
        let ev = by_uid
            .get(shift.uid.as_str())
            .unwrap_or_else(|| panic!("shift {} missing", shift.uid));
        assert_eq!(
            (ev.start, ev.end),
            (shift.start, shift.end),
            "{}",
            shift.uid
        );
        assert_eq!(ev.sequence, shift.sequence);
        assert_eq!(
            ev.summary,
            format!(
                "On call: {} — {}",
                shift.layer,
                display_name(config, &shift.member)
            )
        );
        assert_eq!(ev.status, "CONFIRMED");
        assert_eq!(ev.transp, "TRANSPARENT");
        assert_eq!(ev.stamp, now());
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn team_feed_holds_every_shift_exactly_once() {
    let (config, schedule) = (config(), schedule());
    let feeds = feeds(&config, &schedule, None);
    let team = feeds.parsed("team");
    let all: Vec<&ShiftOut> = schedule.shifts.iter().collect();
    assert_events_are(&config, &team.events, &all);
}

#[test]
fn there_is_one_feed_per_layer_and_per_member_and_the_team() {
    let feeds = feeds(&config(), &schedule(), None);
    let names: Vec<&str> = feeds.0.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "calendars/alice.ics",
            "calendars/bjorn.ics",
            "calendars/chen.ics",
            "calendars/dana.ics",
            "calendars/primary.ics",
            "calendars/secondary.ics",
            "calendars/team.ics",
        ]
    );
}

#[test]
fn layer_and_member_feeds_hold_exactly_their_shifts() {
    let (config, schedule) = (config(), schedule());
    let feeds = feeds(&config, &schedule, None);
    let shifts_where = |keep: &dyn Fn(&ShiftOut) -> bool| -> Vec<&ShiftOut> {
        schedule.shifts.iter().filter(|s| keep(s)).collect()
    };
    for layer in &config.layers {
        let expected = shifts_where(&|s| s.layer == layer.name);
        assert_eq!(expected.len(), 6);
        assert_events_are(&config, &feeds.parsed(&layer.name).events, &expected);
    }
    for member in &config.members {
        let expected = shifts_where(&|s| s.member == member.id);
        assert_events_are(&config, &feeds.parsed(&member.id).events, &expected);
    }
}

#[test]
fn a_member_without_shifts_gets_an_empty_but_complete_calendar() {
    let feeds = feeds(&config(), &schedule(), None);
    let dana = feeds.parsed("dana");
    assert!(dana.events.is_empty());
    assert_eq!(
        dana.properties.get("VERSION").map(String::as_str),
        Some("2.0")
    );
    assert!(feeds.text("dana").ends_with("END:VCALENDAR\r\n"));
}

#[test]
fn calendars_carry_every_required_property() {
    let config = config();
    let feeds = feeds(&config, &schedule(), None);
    for (name, title) in [
        ("team", "Zürich Ops, Inc.; Night\\Day desk — on call"),
        ("primary", "Zürich Ops, Inc.; Night\\Day desk — primary"),
        (
            "bjorn",
            "Zürich Ops, Inc.; Night\\Day desk — Bjørn Ødegård, Jr.; on-call",
        ),
    ] {
        let parsed = feeds.parsed(name);
        let p = |k: &str| parsed.properties.get(k).map(String::as_str);
        assert_eq!(p("VERSION"), Some("2.0"));
        assert!(p("PRODID").is_some_and(|v| !v.is_empty()));
        assert_eq!(p("CALSCALE"), Some("GREGORIAN"));
        assert_eq!(p("METHOD"), Some("PUBLISH"));
        assert_eq!(p("X-WR-TIMEZONE"), Some("America/New_York"));
        assert_eq!(p("REFRESH-INTERVAL"), Some("PT1H"));
        assert_eq!(p("X-PUBLISHED-TTL"), Some("PT1H"));
        assert_eq!(p("X-WR-CALNAME"), Some(title));
        assert!(
            feeds
                .text(name)
                .contains("\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n")
        );
    }
}

#[test]
fn special_characters_are_escaped_on_the_wire_and_read_back_intact() {
    let config = config();
    let feeds = feeds(&config, &schedule(), None);
    let text = feeds.text("bjorn");
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:On call: primary — Bjørn Ødegård\\, Jr.\\; on-call\r\n"),
        "{unfolded}"
    );
    assert!(unfolded.contains("Night\\\\Day desk"));
    let events = feeds.parsed("bjorn").events;
    let ev = events
        .iter()
        .find(|e| e.summary.contains("primary"))
        .expect("bjorn has a primary week");
    assert_eq!(ev.summary, "On call: primary — Bjørn Ødegård, Jr.; on-call");
    // Newlines in DESCRIPTION travel as \n and come back as line breaks.
    assert!(ev.description.lines().count() >= 4, "{}", ev.description);
}

#[test]
fn lines_end_in_crlf_and_fold_within_75_octets_without_splitting_characters() {
    let feeds = feeds(&config(), &schedule(), None);
    let mut folded = 0;
    for (name, text) in &feeds.0 {
        assert!(text.ends_with("\r\n"), "{name}");
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "bare LF in {name}"
        );
        assert!(
            !text.replace("\r\n", "").contains('\r'),
            "bare CR in {name}"
        );
        for line in text.split_terminator("\r\n") {
            // `line` is a &str, so no character was split: each line is valid UTF-8.
            assert!(line.len() <= 75, "{name}: {} octets: {line}", line.len());
            folded += usize::from(line.starts_with(' '));
        }
    }
    assert!(folded > 0, "long descriptions must have been folded");
}

#[test]
fn description_gives_handoffs_in_the_member_and_team_zones_and_the_neighbours() {
    let config = config();
    let feeds = feeds(&config, &schedule(), None);
    // Week 2 of primary is bjorn's: 2027-01-11 15:00Z → 2027-01-18 15:00Z.
    // Oslo is UTC+1 in January (CET), New York UTC−5 (EST); by hand:
    // 15:00Z = 16:00 CET = 10:00 EST.
    let ev = feeds
        .parsed("bjorn")
        .events
        .into_iter()
        .find(|e| e.start == utc("2027-01-11T15:00:00Z"))
        .expect("bjorn's primary week");
    let d = &ev.description;
    assert!(d.contains("Mon 2027-01-11 16:00 CET (Europe/Oslo)"), "{d}");
    assert!(
        d.contains("Mon 2027-01-11 10:00 EST (America/New_York)"),
        "{d}"
    );
    assert!(d.contains("Mon 2027-01-18 16:00 CET (Europe/Oslo)"), "{d}");
    assert!(d.contains("Takes over from: Alice Liddell"), "{d}");
    assert!(d.contains("Hands over to: 陈伟 (Chén Wěi)"), "{d}");
}

#[test]
fn first_and_last_shift_say_there_is_no_neighbour() {
    let feeds = feeds(&config(), &schedule(), None);
    let primary = feeds.parsed("primary").events;
    let first = &primary[0].description;
    let last = &primary[primary.len() - 1].description;
    assert!(first.contains("Takes over from: nobody"), "{first}");
    assert!(last.contains("Hands over to: nobody"), "{last}");
}

#[test]
fn events_are_sorted_by_start_then_layer_order() {
    let mut config = config();
    // Config order, not name order: "secondary" first.
    config.layers.reverse();
    let team = feeds(&config, &schedule(), None).parsed("team");
    let keys: Vec<(DateTime<Utc>, bool)> = team
        .events
        .iter()
        .map(|e| (e.start, e.summary.contains("primary")))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(!keys[0].1, "secondary comes first at the same start");
}

#[test]
fn rendering_is_deterministic_and_uses_the_given_now() {
    let (config, schedule) = (config(), schedule());
    let a = render_all(&config, &schedule, None, now());
    let b = render_all(&config, &schedule, None, now());
    assert_eq!(a, b);
    for (_, text) in &a {
        for line in text.lines().filter(|l| l.starts_with("DTSTAMP")) {
            assert_eq!(line, "DTSTAMP:20261201T080000Z");
        }
    }
    assert!(a[0].1.contains("LAST-MODIFIED:20261201T080000Z\r\n"));
}

/// `schedule` with one member's assignments given to someone else, SEQUENCE bumped on the
/// changed shifts as the schedule builder does.
fn reassigned(from: &str, to: &str) -> Schedule {
    let mut next = schedule();
    for s in &mut next.shifts {
        if s.member == from && s.layer == "primary" {
            s.member = to.into();
            s.sequence += 1;
        }
    }
    next
}

#[test]
fn uids_do_not_depend_on_the_assignee() {
    let config = config();
    let before = feeds(&config, &schedule(), None).parsed("team").events;
    let after = feeds(&config, &reassigned("bjorn", "dana"), None)
        .parsed("team")
        .events;
    assert_eq!(uids(&before), uids(&after));
    let changed: Vec<(&Ev, &Ev)> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.summary != a.summary)
        .collect();
    assert_eq!(changed.len(), 2, "bjorn held two primary weeks");
    for (b, a) in changed {
        assert!(a.summary.ends_with("Dana"));
        assert_eq!(a.sequence, b.sequence + 1);
    }
}

#[test]
fn a_shift_moved_away_stays_cancelled_in_the_former_holders_feed() {
    let config = config();
    let previous = schedule();
    let next = reassigned("bjorn", "dana");
    let feeds = feeds(&config, &next, Some(&previous));

    let bjorn = feeds.parsed("bjorn").events;
    assert_unique_uids(&bjorn);
    let cancelled: Vec<&Ev> = bjorn.iter().filter(|e| e.status == "CANCELLED").collect();
    let moved: Vec<&ShiftOut> = previous
        .shifts
        .iter()
        .filter(|s| s.member == "bjorn" && s.layer == "primary")
        .collect();
    assert_eq!(cancelled.len(), moved.len());
    for (ev, old) in cancelled.iter().zip(&moved) {
        assert_eq!(ev.uid, old.uid);
        assert_eq!((ev.start, ev.end), (old.start, old.end));
        assert!(ev.sequence > old.sequence);
        assert_eq!(ev.alarms, 0);
        assert!(ev.description.contains("now Dana's"), "{}", ev.description);
        assert_eq!(
            ev.summary,
            "Cancelled: On call: primary — Bjørn Ødegård, Jr.; on-call (now Dana)"
        );
    }
    // bjorn's secondary weeks are untouched and confirmed.
    let kept: Vec<&ShiftOut> = next.shifts.iter().filter(|s| s.member == "bjorn").collect();
    let confirmed: Vec<Ev> = bjorn
        .iter()
        .filter(|e| e.status == "CONFIRMED")
        .cloned()
        .collect();
    assert_events_are(&config, &confirmed, &kept);

    // dana's feed has the same UIDs, confirmed, at the same SEQUENCE as the cancellation.
    let dana = feeds.parsed("dana").events;
    assert_eq!(dana.len(), moved.len());
    for (ev, c) in dana.iter().zip(&cancelled) {
        assert_eq!(
            (ev.uid.as_str(), ev.status.as_str()),
            (c.uid.as_str(), "CONFIRMED")
        );
        assert_eq!(ev.sequence, c.sequence);
    }
    // The team feed has no cancellations: the event just changed hands.
    let team = feeds.parsed("team").events;
    assert!(team.iter().all(|e| e.status == "CONFIRMED"));
    assert_eq!(team.len(), next.shifts.len());
}

#[test]
fn a_member_who_left_keeps_a_feed_of_cancellations() {
    let mut config = config();
    let previous = schedule();
    // bjorn leaves the team; all his weeks go to dana.
    config.members.retain(|m| m.id != "bjorn");
    let mut next = reassigned("bjorn", "dana");
    for s in &mut next.shifts {
        if s.member == "bjorn" {
            s.member = "dana".into();
            s.sequence += 1;
        }
    }
    let feeds = feeds(&config, &next, Some(&previous));
    let bjorn = feeds.parsed("bjorn").events;
    let held: Vec<&ShiftOut> = previous
        .shifts
        .iter()
        .filter(|s| s.member == "bjorn")
        .collect();
    assert_eq!(
        uids(&bjorn),
        held.iter().map(|s| s.uid.as_str()).collect::<Vec<_>>()
    );
    assert!(bjorn.iter().all(|e| e.status == "CANCELLED"));
    assert!(
        feeds
            .text("bjorn")
            .contains("X-WR-CALNAME:Zürich Ops\\, Inc.\\; Night\\\\Day desk — bjorn\r\n")
    );
}

#[test]
fn an_unchanged_previous_adds_nothing() {
    let (config, schedule) = (config(), schedule());
    assert_eq!(
        render_all(&config, &schedule, Some(&schedule), now()),
        render_all(&config, &schedule, None, now())
    );
}

#[test]
fn alarms_appear_only_when_configured() {
    let mut config = config();
    let none = feeds(&config, &schedule(), None).parsed("team").events;
    assert!(none.iter().all(|e| e.alarms == 0));
    config.calendar.alarm_minutes = 15;
    let feeds = feeds(&config, &schedule(), None);
    assert!(feeds.parsed("team").events.iter().all(|e| e.alarms == 1));
    let text = feeds.text("alice");
    assert_contains(text, "BEGIN:VALARM\r\nACTION:DISPLAY\r\n");
    assert_contains(text, "TRIGGER:-PT15M\r\nEND:VALARM\r\n");
}

#[test]
fn small_member_feed_snapshot() {
    let mut config = config();
    config.calendar.alarm_minutes = 10;
    let mut schedule = schedule();
    schedule.shifts.truncate(2);
    let feeds = feeds(&config, &schedule, None);
    // Shown with visible line ends so CRLF and folding are part of the snapshot.
    insta::assert_snapshot!(feeds.text("alice").replace("\r\n", "⏎\n"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever a member is called (any printable text, any length; runs of spaces, the
    /// escaped characters, multi-byte letters and newlines where folds fall), the escaped
    /// and folded feed parses back to exactly that name, and no line exceeds 75 octets.
    #[test]
    fn proptest_any_member_name_round_trips(
        name in proptest::prop_oneof!["[^\\p{Cc}]{0,120}", "[ a,;:\\\\é😀\n]{0,150}"]
    ) {
        let mut config = config();
        config.members[0].name = name.clone();
        let files = render_all(&config, &schedule(), None, now());
        let (_, text) = files
            .iter()
            .find(|(path, _)| path.ends_with("alice.ics"))
            .expect("alice's feed");
        proptest::prop_assert!(text.split_terminator("\r\n").all(|l| l.len() <= 75));
        let events = parse(text).events;
        proptest::prop_assert_eq!(events.len(), 4);
        for ev in events {
            let layer = if ev.uid.starts_with("primary") { "primary" } else { "secondary" };
            proptest::prop_assert_eq!(ev.summary, format!("On call: {layer} — {name}"));
        }
    }
}

#[test]
fn a_previous_schedule_with_extreme_instants_renders_without_panicking() {
    // --previous is a file from the user: its shifts may hold any instant chrono accepts.
    let config = config();
    let next = schedule();
    let mut previous = schedule();
    previous.shifts[0].start = DateTime::<Utc>::MIN_UTC;
    previous.shifts[0].end = DateTime::<Utc>::MAX_UTC;
    previous.shifts[0].member = "dana".into();
    let files = render_all(&config, &next, Some(&previous), now());
    let dana = files
        .iter()
        .find(|(path, _)| path.ends_with("dana.ics"))
        .map(|(_, text)| text)
        .expect("dana's feed");
    assert!(dana.contains("STATUS:CANCELLED"));
}

#[test]
fn feeds_written_to_disk_read_back_as_rendered() {
    let (config, schedule) = (config(), schedule());
    let files = render_all(&config, &schedule, None, now());
    let tmp = tempfile::tempdir().expect("tempdir");
    rota::output::atomic::write_all(tmp.path(), &files).expect("write");
    let mut on_disk: Vec<String> = std::fs::read_dir(tmp.path().join("calendars"))
        .expect("calendars dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk.len(), files.len());
    for (path, text) in &files {
        let bytes = std::fs::read(tmp.path().join(path)).expect("read back");
        assert_eq!(bytes, text.as_bytes(), "{}", path.display());
        let read = String::from_utf8(bytes).expect("UTF-8");
        assert_unique_uids(&parse(&read).events);
    }
    let team = std::fs::read_to_string(tmp.path().join("calendars/team.ics")).expect("team");
    let all: Vec<&ShiftOut> = schedule.shifts.iter().collect();
    assert_events_are(&config, &parse(&team).events, &all);
}
