//! Driving the paging tools with the real binary: layer feeds Grafana OnCall maps to the
//! person on call, PagerDuty and Opsgenie override exports checked against the request
//! schemas of their APIs (tests/fixtures/paging/) and against the schedule they come
//! from, the CSV export read back, shell completions, man pages and the license.
//!
//! Set `ROTA_FEEDS_OUT=DIR` to also write the feeds with templates and attendees under
//! DIR, for `python3 tests/ical_check.py DIR` (a second, independent parser).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use clap::CommandFactory;
use icalendar::{CalendarComponent, Component};
use serde_json::Value;

use rota::config::Config;
use rota::schedule::{Schedule, ShiftOut};

use crate::support::team::utc;
use crate::support::{
    arg, assert_includes, expect_code, files_under, fixture, read_json, root, rota, stderr, stdout,
};

/// A fresh directory for one test (or one shared solve).
fn work_dir(name: &str) -> PathBuf {
    crate::support::work_dir("paging", name)
}

/// configs/example.toml (with the files it refers to) in `dir`, with `extra` as the
/// first lines of its `[calendar]` table.
fn example_in(dir: &Path, extra: &str) -> PathBuf {
    let source = std::fs::read_to_string(root().join("configs/example.toml")).expect("the example");
    let edited = source.replacen("[calendar]\n", &format!("[calendar]\n{extra}"), 1);
    assert!(
        extra.is_empty() || edited != source,
        "the example has a [calendar] table"
    );
    let path = dir.join("example.toml");
    std::fs::write(&path, edited).expect("write the config");
    std::fs::copy(
        root().join("configs/holidays-de.ics"),
        dir.join("holidays-de.ics"),
    )
    .expect("copy the holiday calendar");
    path
}

/// `rota solve CONFIG -o DIR/out`, expected to succeed; the out directory.
fn solve(config: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("out");
    crate::support::solve(config, &out, &["--threads", "1", "--quiet"]);
    out
}

/// The example solved once with `summary = "{email}"`: (config, out directory).
fn example_solved() -> &'static (PathBuf, PathBuf) {
    static SOLVED: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    SOLVED.get_or_init(|| {
        let dir = work_dir("example");
        let config = example_in(&dir, "summary = \"{email}\"\n");
        let out = solve(&config, &dir);
        (config, out)
    })
}

/// tests/fixtures/solve/small.toml solved once: two layers, four people, one week.
fn small_solved() -> &'static PathBuf {
    static SOLVED: OnceLock<PathBuf> = OnceLock::new();
    SOLVED.get_or_init(|| {
        let dir = work_dir("small");
        solve(&fixture("small.toml"), &dir)
    })
}

fn schedule(out: &Path) -> Schedule {
    Schedule::read(&out.join("schedule.json")).expect("schedule.json reads back")
}

// ---------------------------------------------------------------------------------------
// Grafana OnCall

/// One VEVENT as a paging tool reads it: the texts it matches people by.
#[derive(Debug)]
struct Event {
    uid: String,
    status: String,
    summary: String,
    description: String,
    /// Every ATTENDEE value (`mailto:…`).
    attendees: Vec<String>,
    /// The CN of each ATTENDEE.
    names: Vec<Option<String>>,
}

fn events(text: &str) -> Vec<Event> {
    let calendar = icalendar::Calendar::from_str(text).expect("the crate's parser reads it");
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let attendees = e
                .multi_properties()
                .get("ATTENDEE")
                .map(Vec::as_slice)
                .unwrap_or_default();
            Event {
                uid: e.get_uid().expect("UID").to_owned(),
                status: e.property_value("STATUS").unwrap_or("CONFIRMED").to_owned(),
                summary: e.get_summary().unwrap_or_default().to_owned(),
                description: e.get_description().unwrap_or_default().to_owned(),
                attendees: attendees.iter().map(|p| p.value().to_owned()).collect(),
                names: attendees
                    .iter()
                    .map(|p| p.params().get("CN").map(|cn| cn.value().to_owned()))
                    .collect(),
            }
        })
        .collect()
}

/// A Grafana OnCall user: matched by username or (case-insensitively) by email.
struct GrafanaUser<'a> {
    username: &'a str,
    email: Option<&'a str>,
}

/// Grafana OnCall's `get_usernames_from_ical_event` and `users_in_ical`: the strings an
/// event offers are its SUMMARY and its DESCRIPTION, each after one leading `[Ln]`
/// priority prefix and surrounding blanks are stripped, and its ATTENDEE when there is
/// exactly one; a user matches when one of them is their username, or, lower-cased, their
/// lower-cased email. Returns the usernames matched and the priority (`[L1]` → 1).
fn grafana_oncall_users<'u>(
    event: &Event,
    users: &'u [GrafanaUser<'u>],
) -> (BTreeSet<&'u str>, u32) {
    fn strip_priority(text: &str) -> (&str, u32) {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("[L")
            && let Some((digits, after)) = rest.split_once(']')
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            return (after.trim(), digits.parse().unwrap_or(0));
        }
        (text, 0)
    }
    let (summary, priority) = strip_priority(&event.summary);
    let mut offered = vec![summary, strip_priority(&event.description).0];
    if let [one] = event.attendees.as_slice() {
        offered.push(strip_priority(one).0);
    }
    let lowered: Vec<String> = offered.iter().map(|o| o.to_lowercase()).collect();
    let matched = users
        .iter()
        .filter(|u| {
            offered.contains(&u.username)
                || u.email.is_some_and(|e| lowered.contains(&e.to_lowercase()))
        })
        .map(|u| u.username)
        .collect();
    (matched, priority)
}

/// The team as Grafana OnCall users: usernames are the member ids, emails the config's.
fn grafana_users(config: &Config) -> Vec<GrafanaUser<'_>> {
    config
        .members
        .iter()
        .map(|m| GrafanaUser {
            username: &m.id,
            email: m.email.as_deref(),
        })
        .collect()
}

/// Every event of every layer feed maps to exactly its holder (and nobody else), at
/// `priority`; returns how many events were checked.
fn assert_layer_feeds_map_to_holders(
    config: &Config,
    schedule: &Schedule,
    feed: impl Fn(&str) -> String,
    priority: u32,
) -> usize {
    let users = grafana_users(config);
    let holder: BTreeMap<&str, &str> = schedule
        .shifts
        .iter()
        .map(|s| (s.uid.as_str(), s.member.as_str()))
        .collect();
    let mut checked = 0;
    for layer in &config.layers {
        let events = events(&feed(&layer.name));
        let shifts = schedule.shifts.iter().filter(|s| s.layer == layer.name);
        assert_eq!(
            events.len(),
            shifts.count(),
            "{}: one event per shift",
            layer.name
        );
        for event in &events {
            assert_eq!(event.status, "CONFIRMED");
            let expected = holder[event.uid.as_str()];
            let (matched, got_priority) = grafana_oncall_users(event, &users);
            assert_eq!(
                matched,
                BTreeSet::from([expected]),
                "{}: {event:?} maps to {matched:?}",
                layer.name
            );
            assert_eq!(got_priority, priority, "{event:?}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn grafana_oncall_maps_every_event_of_the_example_layer_feeds_to_its_holder() {
    let (config_path, out) = example_solved();
    let config = rota::config::load(config_path).expect("the edited example loads");
    let schedule = schedule(out);
    let feed = |name: &str| {
        std::fs::read_to_string(out.join("calendars").join(format!("{name}.ics")))
            .expect("a layer feed")
    };
    let checked = assert_layer_feeds_map_to_holders(&config, &schedule, feed, 0);
    assert_eq!(checked, schedule.shifts.len());
    assert!(checked > 100, "{checked} events");

    // Every member of the example has an email: the holder is the one attendee too.
    for event in events(&feed("primary")) {
        let member = config
            .members
            .iter()
            .find(|m| m.email.as_deref() == Some(event.summary.as_str()))
            .expect("the SUMMARY is a member's email");
        assert_eq!(event.attendees, [format!("mailto:{}", event.summary)]);
        assert_eq!(event.names, [Some(member.name.clone())]);
    }
}

#[test]
fn a_priority_prefix_keeps_the_mapping_and_sets_the_level() {
    let (config_path, out) = example_solved();
    let text = std::fs::read_to_string(config_path).expect("config");
    let text = text.replacen("summary = \"{email}\"", "summary = \"[L1] {email}\"", 1);
    // The same team and schedule; only the feeds' template differs, so render them again.
    let edited = config_path.with_file_name("example-l1.toml");
    std::fs::write(&edited, text).expect("write the edited config");
    let config = rota::config::load(&edited).expect("valid");
    let schedule = schedule(out);
    let files = rota::output::calendar::render_all(&config, &schedule, None, schedule.generated_at);
    let feed = |name: &str| {
        let path = PathBuf::from("calendars").join(format!("{name}.ics"));
        files
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, text)| text.clone())
            .expect("a layer feed")
    };
    let checked = assert_layer_feeds_map_to_holders(&config, &schedule, feed, 1);
    assert_eq!(checked, schedule.shifts.len());
}

#[test]
fn the_default_summary_maps_to_nobody_and_attendees_follow_emails() {
    // Without a template the SUMMARY stays `On call: LAYER — NAME`: no username or email.
    let dir = work_dir("default-summary");
    let config = example_in(&dir, "");
    let out = solve(&config, &dir);
    let config = rota::config::load(&config).expect("the example loads");
    let users = grafana_users(&config);
    let text = std::fs::read_to_string(out.join("calendars/primary.ics")).expect("feed");
    for event in events(&text) {
        assert!(
            event.summary.starts_with("On call: primary — "),
            "{event:?}"
        );
        // Only the single ATTENDEE could match, and `mailto:…` is not an email as such.
        assert_eq!(grafana_oncall_users(&event, &users).0, BTreeSet::new());
        assert_eq!(event.attendees.len(), 1, "{event:?}");
    }
}

/// Feeds with templates and attendees whose names need quoting, solved into
/// `ROTA_FEEDS_OUT` when set (for tests/ical_check.py), else into a work dir.
#[test]
fn templated_feeds_with_quoted_attendee_names_parse_back() {
    let dir = work_dir("quoted");
    let config = dir.join("team.toml");
    std::fs::write(
        &config,
        "[team]\nname = \"Zürich Ops, Inc.\"\ntimezone = \"Europe/Zurich\"\n\
         [period]\nstart = 2027-01-04\nend = 2027-01-08\n\
         [[layer]]\nname = \"primary\"\nrotation = \"daily\"\nhandoff = \"09:00\"\n\
         [[member]]\nid = \"bjorn\"\nname = \"Bjørn Ødegård, Jr.; \\\"BJ\\\" on-call\"\n\
         email = \"bjorn@example.com\"\n\
         [[member]]\nid = \"chen\"\nname = \"陈伟 (Chén Wěi)\"\nemail = \"Chen.Wei@Example.com\"\n\
         [calendar]\nsummary = \"[L1] {email}\"\n\
         description = \"{name} ({id}) is on call for {layer} of {team}; {{braces}} stay.\"\n",
    )
    .expect("write the config");
    let out = match std::env::var("ROTA_FEEDS_OUT") {
        Ok(feeds) => {
            let out = Path::new(&feeds).join("paging-templated");
            let args = ["solve", arg(&config), "-o", arg(&out), "--quiet"];
            expect_code(&rota(&args), 0);
            out
        }
        Err(_) => solve(&config, &dir),
    };
    let text = std::fs::read_to_string(out.join("calendars/team.ics")).expect("team feed");
    let unfolded = text.replace("\r\n ", "");
    assert!(
        unfolded.contains(
            "ATTENDEE;CN=\"Bjørn Ødegård, Jr.; ^'BJ^' on-call\":mailto:bjorn@example.com\r\n"
        ),
        "{unfolded}"
    );
    assert!(unfolded.contains("ATTENDEE;CN=陈伟 (Chén Wěi):mailto:Chen.Wei@Example.com\r\n"));
    let events = events(&text);
    assert_eq!(events.len(), 4);
    for event in &events {
        let (name, email) = if event.summary.contains("bjorn") {
            ("Bjørn Ødegård, Jr.; \"BJ\" on-call", "bjorn@example.com")
        } else {
            ("陈伟 (Chén Wěi)", "Chen.Wei@Example.com")
        };
        assert_eq!(event.summary, format!("[L1] {email}"));
        assert!(
            event.description.starts_with(&format!("{name} (")),
            "{event:?}"
        );
        assert!(
            event
                .description
                .ends_with("of Zürich Ops, Inc.; {braces} stay.")
        );
        assert_eq!(event.attendees, [format!("mailto:{email}")]);
    }
}

#[test]
fn template_mistakes_exit_2_with_line_column_and_a_fix() {
    let dir = work_dir("template-errors");
    let config = example_in(&dir, "summary = \"[L1] {emial}\"\n");
    let out = rota(&["check", arg(&config)]);
    expect_code(&out, 2);
    let err = stderr(&out);
    let line = std::fs::read_to_string(&config)
        .expect("config")
        .lines()
        .position(|l| l.starts_with("summary = "))
        .expect("the summary line")
        + 1;
    assert!(err.contains(&format!("example.toml:{line}:17")), "{err}");
    assert!(err.contains("unknown placeholder `{emial}`"), "{err}");
    assert!(err.contains("did you mean {email}?"), "{err}");
    assert!(stdout(&out).is_empty());

    // `{email}` for a team where someone on call has none: solving writes nothing.
    let config = dir.join("no-email.toml");
    std::fs::write(
        &config,
        std::fs::read_to_string(fixture("small.toml"))
            .expect("fixture")
            .replace(
                "[[member]]\nid = \"ana\"",
                "[[member]]\nid = \"ana\"\nemail = \"ana@example.com\"",
            )
            + "\n[calendar]\ndescription = \"{email}\"\n",
    )
    .expect("write");
    let out_dir = dir.join("out");
    let out = rota(&["solve", arg(&config), "-o", arg(&out_dir)]);
    expect_code(&out, 2);
    assert!(
        stderr(&out).contains("uses {email}, but 3 members have no email"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists());
}

// ---------------------------------------------------------------------------------------
// PagerDuty and Opsgenie overrides

fn validator(schema: &str) -> jsonschema::Validator {
    let schema = read_json(&root().join("tests/fixtures/paging").join(schema));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\nin {instance:#}");
}

/// A user map for every member of small.toml: `ana = "PANA000"`, … (PagerDuty ids) or
/// `ana = "ana@example.com"` (Opsgenie usernames).
fn user_map(dir: &Path, users: &[(&str, &str)]) -> PathBuf {
    let path = dir.join("users.toml");
    let text: String = users
        .iter()
        .map(|(id, user)| format!("{id} = \"{user}\"\n"))
        .collect();
    std::fs::write(&path, format!("# member id = user\n{text}")).expect("write the user map");
    path
}

const PAGERDUTY_USERS: [(&str, &str); 4] = [
    ("ana", "PANA001"),
    ("ben", "PBEN002"),
    ("chen", "PCHE003"),
    ("dara", "PDAR004"),
];

/// What an export from `from` must say: the layer's shifts that end after it, the one
/// under way starting at `from`, in time order.
fn expected(
    schedule: &Schedule,
    layer: &str,
    from: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, String)> {
    let mut shifts: Vec<&ShiftOut> = schedule
        .shifts
        .iter()
        .filter(|s| s.layer == layer && s.end > from)
        .collect();
    shifts.sort_by_key(|s| s.start);
    shifts
        .iter()
        .map(|s| (s.start.max(from), s.end, s.member.clone()))
        .collect()
}

/// Consecutive stretches meet exactly, and together run from `from` (or the first
/// shift's start) to the layer's last end.
#[track_caller]
fn assert_tiles(
    got: &[(DateTime<Utc>, DateTime<Utc>, String)],
    schedule: &Schedule,
    layer: &str,
    from: DateTime<Utc>,
) {
    let shifts = || schedule.shifts.iter().filter(|s| s.layer == layer);
    let first = shifts()
        .map(|s| s.start)
        .min()
        .expect("the layer has shifts");
    let last = shifts().map(|s| s.end).max();
    assert_eq!(got.first().map(|g| g.0), Some(first.max(from)));
    assert_eq!(got.last().map(|g| g.1), last);
    for pair in got.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "gap or overlap between {pair:?}");
    }
    assert!(got.iter().all(|(start, end, _)| start < end));
}

/// `rota export TOOL OUT/schedule.json --user-map MAP EXTRA…`.
fn export(tool: &str, out: &Path, map: &Path, extra: &[&str]) -> Output {
    let schedule = out.join("schedule.json");
    let mut args = vec!["export", tool, arg(&schedule), "--user-map", arg(map)];
    args.extend(extra);
    rota(&args)
}

/// [`export`] of one layer from `from`, expected to succeed.
fn export_layer(
    tool: &str,
    out: &Path,
    map: &Path,
    layer: &str,
    from: DateTime<Utc>,
    extra: &[&str],
) -> Output {
    let from = from.to_rfc3339();
    let mut args = vec!["--layer", layer, "--from", &from];
    args.extend(extra);
    let run = export(tool, out, map, &args);
    expect_code(&run, 0);
    run
}

fn member_of(users: &[(&str, &str)], user: &str) -> String {
    users
        .iter()
        .find(|(_, u)| *u == user)
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("{user} is in no user map line"))
}

#[test]
fn pagerduty_overrides_follow_the_api_schema_and_cover_each_layer_exactly() {
    let out = small_solved();
    let schedule = schedule(out);
    let dir = work_dir("pagerduty");
    let map = user_map(&dir, &PAGERDUTY_USERS);
    let validator = validator("pagerduty-overrides.schema.json");
    let monday = schedule.shifts[0].start;
    // From the start; and from mid-Tuesday, inside a shift of either layer.
    for from in [monday, monday + Duration::hours(30)] {
        for layer in ["primary", "secondary"] {
            let run = export_layer("pagerduty", out, &map, layer, from, &[]);
            let body: Value = serde_json::from_str(&stdout(&run)).expect("stdout is JSON");
            assert_valid(&validator, &body);
            let got: Vec<_> = body["overrides"]
                .as_array()
                .expect("a list")
                .iter()
                .map(|o| {
                    (
                        utc(o["start"].as_str().expect("start")),
                        utc(o["end"].as_str().expect("end")),
                        member_of(&PAGERDUTY_USERS, o["user"]["id"].as_str().expect("id")),
                    )
                })
                .collect();
            assert_eq!(got, expected(&schedule, layer, from), "{layer} from {from}");
            assert_tiles(&got, &schedule, layer, from);
        }
    }
}

#[test]
fn opsgenie_overrides_follow_the_api_schema_and_cover_each_layer_exactly() {
    let out = small_solved();
    let schedule = schedule(out);
    let dir = work_dir("opsgenie");
    let users = [
        ("ana", "ana@example.com"),
        ("ben", "ben@example.com"),
        ("chen", "0d4b9a3e-3ba4-4f5c-8a43-6a7e47f6a201"),
        ("dara", "dara@example.com"),
    ];
    let map = user_map(&dir, &users);
    let validator = validator("opsgenie-override.schema.json");
    let from = schedule.shifts[0].start + Duration::hours(30);
    for layer in ["primary", "secondary"] {
        let file = dir.join(format!("{layer}.json"));
        let extra = ["--rotation", "Weekdays", "-o", arg(&file)];
        let run = export_layer("opsgenie", out, &map, layer, from, &extra);
        assert!(stdout(&run).starts_with("wrote "), "{}", stdout(&run));
        let bodies = read_json(&file);
        let bodies = bodies.as_array().expect("a list of request bodies");
        let uids: BTreeMap<&str, &ShiftOut> = schedule
            .shifts
            .iter()
            .map(|s| (s.uid.as_str(), s))
            .collect();
        let mut got = Vec::new();
        for body in bodies {
            assert_valid(&validator, body);
            assert_eq!(body["rotations"], serde_json::json!([{"name": "Weekdays"}]));
            // The alias is the shift's calendar UID.
            let shift = uids[body["alias"].as_str().expect("alias")];
            let user = &body["user"];
            let named = user["username"]
                .as_str()
                .or(user["id"].as_str())
                .expect("a user");
            let member = member_of(&users, named);
            assert_eq!(member, shift.member);
            assert_eq!(user.get("id").is_some(), member == "chen", "{user}");
            got.push((
                utc(body["startDate"].as_str().expect("startDate")),
                utc(body["endDate"].as_str().expect("endDate")),
                member,
            ));
        }
        assert_eq!(got, expected(&schedule, layer, from), "{layer}");
        assert_tiles(&got, &schedule, layer, from);
    }
}

#[test]
fn a_member_missing_from_the_user_map_exits_2_naming_them_and_writes_nothing() {
    let out = small_solved();
    let dir = work_dir("missing-user");
    // dara is misspelt and chen is missing; both hold primary shifts.
    let map = user_map(
        &dir,
        &[("ana", "PANA001"), ("ben", "PBEN002"), ("darra", "PDAR004")],
    );
    let file = dir.join("overrides.json");
    for to_file in [false, true] {
        let mut args = vec!["--layer", "primary"];
        if to_file {
            args.extend(["-o", arg(&file)]);
        }
        let run = export("pagerduty", out, &map, &args);
        expect_code(&run, 2);
        let err = stderr(&run);
        assert!(err.contains("has no PagerDuty user for"), "{err}");
        let named = err.lines().next().unwrap_or_default();
        assert!(named.contains("dara") && named.contains("chen"), "{err}");
        assert!(!named.contains("ana,") && !named.contains("ben"), "{err}");
        assert!(
            err.contains("dara: the map has \"darra\", a typo?"),
            "{err}"
        );
        assert!(stdout(&run).is_empty(), "{}", stdout(&run));
        assert!(!file.exists());
    }
}

#[test]
fn exports_refuse_ambiguous_or_unknown_input_with_exit_2() {
    let out = small_solved();
    let dir = work_dir("refusals");
    let map = user_map(&dir, &PAGERDUTY_USERS);
    let cases: [(&[&str], &str); 4] = [
        (
            &[],
            "has layers primary, secondary; a PagerDuty schedule follows one of them: choose it with --layer primary",
        ),
        (&["--layer", "primay"], "did you mean \"primary\"?"),
        (
            &["--layer", "primary", "--from", "tomorrow"],
            "--from \"tomorrow\"",
        ),
        (
            &["--layer", "primary", "--from", "2027-02-01T00:00:00+00:00"],
            "",
        ),
    ];
    for (extra, message) in cases {
        let run = export("pagerduty", out, &map, extra);
        if message.is_empty() {
            // After the period: an empty export, not an error.
            expect_code(&run, 0);
            let body: Value = serde_json::from_str(&stdout(&run)).expect("JSON");
            assert_eq!(body, serde_json::json!({"overrides": []}));
            continue;
        }
        expect_code(&run, 2);
        assert!(
            stderr(&run).contains(message),
            "{extra:?}: {}",
            stderr(&run)
        );
    }

    // Two people on every shift cannot be one paging tool's schedule.
    let pair = solve(&fixture("pair.toml"), &work_dir("pair"));
    let map = user_map(
        &dir,
        &[("aki", "P1"), ("bo", "P2"), ("cy", "P3"), ("dee", "P4")],
    );
    let run = export("opsgenie", &pair, &map, &[]);
    expect_code(&run, 2);
    assert!(
        stderr(&run).contains("layer pair has more than one person on call at once"),
        "{}",
        stderr(&run)
    );
}

// ---------------------------------------------------------------------------------------
// CSV

/// `rota export csv OUT/schedule.json --config CONFIG EXTRA…`.
fn export_csv(out: &Path, config: &Path, extra: &[&str]) -> Output {
    let schedule = out.join("schedule.json");
    let mut args = vec!["export", "csv", arg(&schedule), "--config", arg(config)];
    args.extend(extra);
    rota(&args)
}

#[test]
fn the_csv_export_round_trips_to_the_same_shifts() {
    let (config_path, out) = example_solved();
    let config = rota::config::load(config_path).expect("config");
    let schedule = schedule(out);
    let run = export_csv(out, config_path, &[]);
    expect_code(&run, 0);
    let text = stdout(&run);
    assert_eq!(
        text.lines().next(),
        Some("layer,start_utc,end_utc,start_local,end_local,timezone,member,name,email,points")
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), schedule.shifts.len());
    let zone = config.team.timezone;
    for (row, shift) in rows.iter().zip(&schedule.shifts) {
        let col = |i: usize| row.get(i).expect("ten columns");
        let back = ShiftOut {
            layer: col(0).to_owned(),
            start: utc(col(1)),
            end: utc(col(2)),
            member: col(6).to_owned(),
            points: col(9).parse().expect("points"),
            uid: shift.uid.clone(),
            sequence: shift.sequence,
            modified: shift.modified,
        };
        assert_eq!(&back, shift);
        // The local columns are the same instants, with the team zone's offset.
        assert_eq!(utc(col(3)), shift.start);
        assert_eq!(utc(col(4)), shift.end);
        let offset = shift.start.with_timezone(&zone).format("%:z").to_string();
        assert!(col(3).ends_with(&offset), "{} in {zone}", col(3));
        assert_eq!(col(5), zone.name());
        let member = config
            .members
            .iter()
            .find(|m| m.id == shift.member)
            .expect("a member");
        assert_eq!(col(7), member.name);
        assert_eq!(col(8), member.email.as_deref().unwrap_or_default());
    }

    // --from keeps whole shifts that end after it, --layer one layer.
    // Half an hour after a handoff, before the next one of either layer.
    let from = schedule.shifts[10].start + Duration::minutes(30);
    let run = export_csv(
        out,
        config_path,
        &["--layer", "primary", "--from", &from.to_rfc3339()],
    );
    expect_code(&run, 0);
    let text = stdout(&run);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let got: Vec<(String, DateTime<Utc>)> = reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            (r[0].to_owned(), utc(&r[1]))
        })
        .collect();
    let want: Vec<(String, DateTime<Utc>)> = schedule
        .shifts
        .iter()
        .filter(|s| s.layer == "primary" && s.end > from)
        .map(|s| (s.layer.clone(), s.start))
        .collect();
    assert_eq!(got, want);
    assert!(got[0].1 < from, "the shift under way is kept whole");

    // A config of another team is refused.
    let run = export_csv(out, &fixture("small.toml"), &[]);
    expect_code(&run, 2);
    assert!(
        stderr(&run).contains("is team \"Small Team\"'s"),
        "{}",
        stderr(&run)
    );
}

// ---------------------------------------------------------------------------------------
// Completions, man pages, license

/// Every subcommand name, nested ones included (`export`, `pagerduty`, …).
fn subcommands() -> Vec<String> {
    fn walk(command: &clap::Command, out: &mut Vec<String>) {
        for sub in command.get_subcommands() {
            out.push(sub.get_name().to_owned());
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&rota::Cli::command(), &mut out);
    out
}

#[test]
fn each_completion_script_mentions_every_subcommand() {
    let names = subcommands();
    assert_includes(
        &names,
        &[
            "solve",
            "export",
            "pagerduty",
            "opsgenie",
            "csv",
            "completions",
            "man",
        ],
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = rota(&["completions", shell]);
        expect_code(&run, 0);
        let script = stdout(&run);
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell}: no {name}");
        }
    }
    let run = rota(&["completions", "tcsh"]);
    expect_code(&run, 2);
}

#[test]
fn man_pages_are_roff_for_rota_and_each_subcommand() {
    let run = rota(&["man"]);
    expect_code(&run, 0);
    let page = stdout(&run);
    assert!(page.contains(".TH rota 1"), "{page}");
    for name in ["init", "solve", "export", "completions"] {
        assert!(
            page.contains(&format!("rota\\-{name}(1)")),
            "{name}: {page}"
        );
    }

    let dir = work_dir("man");
    let run = rota(&["man", "--dir", arg(&dir)]);
    expect_code(&run, 0);
    let written = files_under(&dir);
    for file in [
        "rota.1",
        "rota-solve.1",
        "rota-export.1",
        "rota-export-pagerduty.1",
        "rota-export-csv.1",
    ] {
        assert!(
            written.contains(&PathBuf::from(file)),
            "{file} in {written:?}"
        );
    }
    let pagerduty = std::fs::read_to_string(dir.join("rota-export-pagerduty.1")).expect("page");
    assert!(pagerduty.contains("user\\-map"), "{pagerduty}");
}

#[test]
fn the_license_file_is_the_one_cargo_toml_names() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.lines().any(|l| l.trim() == "license = \"MIT\""));
    let license = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file");
    assert!(license.starts_with("MIT License\n"), "{license}");
    assert!(license.contains("Permission is hereby granted, free of charge"));
}
