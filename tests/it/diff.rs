//! `rota diff OLD NEW` on two hand-written schedule.json files.
//!
//! tests/fixtures/diff-old.json → diff-new.json: bob's primary week of 2027-02-08 goes to
//! cy, ana's secondary week of 2027-02-15 goes to bob; the other six shifts are the same.

use crate::support::{cmd, strings_of};

const OLD: &str = "tests/fixtures/diff-old.json";
const NEW: &str = "tests/fixtures/diff-new.json";

#[test]
fn diff_groups_changes_by_member() {
    cmd().args(["diff", OLD, NEW]).assert().success().stdout(
        "2 shifts changed for 3 members (times in UTC):\n\
         ana:\n  loses secondary 2027-02-15\n\
         bob:\n  loses primary 2027-02-08\n  gains secondary 2027-02-15\n\
         cy:\n  gains primary 2027-02-08\n",
    );
}

#[test]
fn diff_of_a_schedule_with_itself_is_empty() {
    cmd()
        .args(["diff", OLD, OLD])
        .assert()
        .success()
        .stdout("no changes\n");
}

#[test]
fn diff_json_lists_each_changed_seat() {
    let out = cmd().args(["diff", OLD, NEW, "--json"]).assert().success();
    let v: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("--json prints JSON");
    assert_eq!(v["changed"], 2);
    let changes = v["changes"].as_array().expect("changes is a list");
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["kind"], "reassigned");
    assert_eq!(changes[0]["before"]["member"], "bob");
    assert_eq!(changes[0]["after"]["member"], "cy");
    assert_eq!(changes[0]["after"]["start"], "2027-02-08T15:00:00Z");
    assert_eq!(changes[1]["before"]["layer"], "secondary");
    assert_eq!(strings_of(&v["members"], "member"), ["ana", "bob", "cy"]);
}

#[test]
fn diff_of_a_missing_or_malformed_file_is_invalid_input() {
    cmd()
        .args(["diff", OLD, "tests/fixtures/no-such-schedule.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-schedule.json"));
    cmd()
        .args(["diff", "Cargo.toml", NEW])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a rota schedule.json"));
}

#[test]
fn diff_in_a_time_zone_shows_local_dates() {
    // 2027-02-08T15:00Z is 2027-02-09 04:00 in Auckland (UTC+13 in February).
    let out = cmd()
        .args(["diff", OLD, NEW, "--timezone", "Pacific/Auckland"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with("2 shifts changed for 3 members (times in Pacific/Auckland):\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cy:\n  gains primary 2027-02-09\n"),
        "{stdout}"
    );
    cmd()
        .args(["diff", OLD, NEW, "--timezone", "Europe/Berln"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean \"Europe/Berlin\"?"));
}
