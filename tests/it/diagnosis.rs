//! Infeasibility explained to the member and the week: each `infeasible-*.toml` fixture
//! has one cause, and `rota solve` (exit 3) names its rule, its member and its week, in
//! words on stderr and as fields with `--json`.

use serde_json::Value;

use crate::support::*;

/// Solves `name` with `--json`: exit 3, the diagnosis text and its relaxations.
fn diagnose(name: &str) -> (String, Vec<Value>) {
    diagnose_with(&fixture(name), &[])
}

/// [`diagnose`] for any config, with `extra` arguments to `rota solve`.
fn diagnose_with(config: &std::path::Path, extra: &[&str]) -> (String, Vec<Value>) {
    let name = config.display();
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let mut args = vec![
        "solve",
        arg(config),
        "-o",
        arg(&out),
        "--time-limit",
        "2",
        "--json",
    ];
    args.extend(extra);
    let run = rota(&args);
    expect_code(&run, 3);
    assert!(!out.exists(), "{name}: wrote output");
    let json: Value = serde_json::from_str(&stdout(&run)).expect("JSON on stdout");
    assert_eq!(json["status"], "infeasible");
    let text = json["diagnosis"].as_str().expect("diagnosis").to_string();
    assert!(
        stderr(&run).contains(&text),
        "{name}: stderr has the same text"
    );
    let relaxations = json["relaxations"].as_array().expect("relaxations").clone();
    (text, relaxations)
}

/// The one relaxation of `rule`, checked against `member`, `week` and its Monday.
fn only(relaxations: &[Value], rule: &str, member: Option<&str>, week: Option<u64>) -> Value {
    let of_rule: Vec<&Value> = relaxations.iter().filter(|r| r["rule"] == rule).collect();
    assert_eq!(of_rule.len(), 1, "{rule}: {relaxations:#?}");
    let r = of_rule[0].clone();
    assert_eq!(r["member"].as_str(), member, "{r:#}");
    assert_eq!(r["week"].as_u64(), week, "{r:#}");
    r
}

/// `name`'s one relaxation of `rule` (checked as `only` does), once the diagnosis's words
/// are seen to say `says`.
fn diagnosed(name: &str, rule: &str, member: Option<&str>, week: Option<u64>, says: &str) -> Value {
    let (text, found) = diagnose(name);
    assert!(text.contains(says), "{text}");
    only(&found, rule, member, week)
}

#[test]
fn too_little_rest_is_bobs_in_week_3() {
    let r = diagnosed(
        "infeasible-rest.toml",
        "min_rest_hours",
        Some("bob"),
        Some(3),
        "min_rest_hours 24 would have to drop to 16 for bob in week 3 (2027-01-18)",
    );
    assert_eq!(
        (r["now"].as_f64(), r["needed"].as_f64()),
        (Some(24.0), Some(16.0))
    );
}

#[test]
fn a_week_of_rest_is_bobs_in_week_4() {
    diagnosed(
        "infeasible-rest-weekly.toml",
        "min_rest_hours",
        Some("bob"),
        Some(4),
        "min_rest_hours 168 would have to drop to 0 for bob in week 4 (2027-01-25)",
    );
}

#[test]
fn three_days_in_a_row_are_bobs_in_week_2() {
    let r = diagnosed(
        "infeasible-consecutive.toml",
        "max_consecutive",
        Some("bob"),
        Some(2),
        "max_consecutive 2 would have to rise to 3 for bob in week 2 (2027-01-11)",
    );
    assert_eq!(r["needed"].as_f64(), Some(3.0));
}

#[test]
fn too_many_shifts_are_bobs() {
    let r = diagnosed(
        "infeasible-max-shifts.toml",
        "max_shifts",
        Some("bob"),
        None,
        "max_shifts 5 of bob would have to rise to 7",
    );
    assert_eq!(r["needed"].as_f64(), Some(7.0));
}

#[test]
fn one_of_anas_pins_in_week_3_has_to_go() {
    let r = diagnosed(
        "infeasible-pins.toml",
        "pin",
        Some("ana"),
        Some(3),
        "the pin of ana on the day shift starting 2027-01-",
    );
    assert_eq!(r["week_of"], "2027-01-18");
}

#[test]
fn a_seat_nobody_else_can_take_stays_empty_in_week_3() {
    let r = diagnosed(
        "infeasible-overlap.toml",
        "coverage",
        None,
        Some(3),
        "shift starting 2027-01-20 09:00 would have 1 seat left empty",
    );
    assert_eq!(r["week_of"], "2027-01-18");
}

/// A re-solve whose frozen seats already break a rule the edit made stricter: the
/// pre-check names the member, both shifts and the rule, and says what to change.
#[test]
fn frozen_seats_that_break_a_stricter_rule_are_named_with_a_fix() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let first = tmp.path().join("first");
    solve(&fixture("frozen-before.toml"), &first, &["--quiet"]);
    let (text, relaxations) = diagnose_with(
        &fixture("frozen-after.toml"),
        &[
            "--previous",
            arg(&first.join("schedule.json")),
            "--freeze-until",
            "2027-01-07T00:00:00Z",
        ],
    );
    // Bob held every day of the first week; the two pairs frozen on 4–6 January break
    // the rest, the seat of 7 January (not frozen) does not count.
    for pair in [
        "bob is frozen to both day 2027-01-04 09:00 and day 2027-01-05 09:00",
        "bob is frozen to both day 2027-01-05 09:00 and day 2027-01-06 09:00",
    ] {
        assert!(text.contains(pair), "{text}");
    }
    assert!(!text.contains("2027-01-07"), "{text}");
    assert!(text.contains("less than min_rest_hours = 24"), "{text}");
    assert!(text.contains("an earlier --freeze-until"), "{text}");
    // As fields: the later frozen seat of each pair, bob's, in week 1.
    assert_eq!(relaxations.len(), 2, "{relaxations:#?}");
    for (r, day) in relaxations.iter().zip(["2027-01-05", "2027-01-06"]) {
        assert_eq!(r["rule"], "frozen", "{r:#}");
        assert_eq!(r["member"], "bob", "{r:#}");
        assert_eq!(r["week"], 1, "{r:#}");
        assert!(r["text"].as_str().expect("text").contains(day), "{r:#}");
    }
}
