//! `rota verify` on schedules that `rota solve` wrote, as written and tampered with.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

fn verify(config: &Path, schedule: &Path) -> std::process::Output {
    rota(&["verify", arg(config), arg(schedule)])
}

/// `rota verify` passes on every schedule `rota solve` writes.
#[test]
fn verify_passes_on_every_solved_fixture() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let configs = feasible_fixtures();
    assert!(configs.len() >= 3);
    for (i, config) in configs.iter().enumerate() {
        let out = tmp.path().join(i.to_string());
        solve(config, &out, &["--quiet"]);
        let run = verify(config, &out.join("schedule.json"));
        expect_code(&run, 0);
        let text = stdout(&run);
        assert!(
            text.starts_with("ok: ") && text.contains("all rules hold, metrics match"),
            "{}: {text}",
            config.display()
        );
    }
}

/// The same for every config shipped in configs/, with a short time limit: a schedule
/// cut off by the time limit must verify as well as an optimal one.
#[test]
fn verify_passes_on_every_shipped_config() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let configs = toml_files(&root().join("configs"));
    assert!(!configs.is_empty());
    for (i, config) in configs.iter().enumerate() {
        let out = tmp.path().join(i.to_string());
        let run = rota(&[
            "solve",
            arg(config),
            "-o",
            arg(&out),
            "--time-limit",
            "1",
            "--quiet",
        ]);
        expect_code(&run, 0);
        let run = verify(config, &out.join("schedule.json"));
        expect_code(&run, 0);
    }
}

/// Solves forced.toml (ana Mon+Wed, ben Tue+Thu) and returns the schedule's path.
fn forced(tmp: &Path) -> std::path::PathBuf {
    solve(&fixture("forced.toml"), tmp, &["--quiet"]);
    tmp.join("schedule.json")
}

/// Solves forced.toml, edits its schedule.json, verifies it and expects exit 1: what
/// `rota verify` printed on stdout and stderr.
fn verify_edited(edit: impl FnOnce(&mut Value)) -> (String, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = forced(tmp.path());
    let mut s = read_json(&path);
    edit(&mut s);
    write_json(&path, &s);
    let run = verify(&fixture("forced.toml"), &path);
    expect_code(&run, 1);
    (stdout(&run), stderr(&run))
}

#[test]
fn a_member_moved_onto_an_unavailable_day_fails() {
    let (text, errors) = verify_edited(|s| {
        // Monday is ana's (ben is unavailable on 2027-01-04): hand it to ben.
        assert_eq!(s["shifts"][0]["member"], "ana");
        s["shifts"][0]["member"] = Value::from("ben");
    });
    assert_contains(&text, "ben cannot take it (unavailable on 2027-01-04)");
    assert_contains(&errors, "verify failed");
}

#[test]
fn an_edited_metric_fails() {
    let (text, _) = verify_edited(|s| {
        let load = s["members"][0]["load"].as_f64().expect("load");
        s["members"][0]["load"] = Value::from(load - 1.0);
    });
    assert!(text.contains("metric: ana: load is"), "{text}");
}

#[test]
fn an_edited_objective_fails() {
    let (text, _) = verify_edited(|s| {
        let objective = s["solver"]["objective"].as_f64().expect("objective");
        s["solver"]["objective"] = Value::from(objective * 0.9);
    });
    assert!(text.contains("solver.objective"), "{text}");
}

#[test]
fn a_schedule_of_another_config_version_fails() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = forced(tmp.path());
    let config = tmp.path().join("forced.toml");
    let mut text = std::fs::read_to_string(fixture("forced.toml")).expect("readable");
    text.push_str("# edited after solving\n");
    std::fs::write(&config, text).expect("writable");
    let run = verify(&config, &path);
    expect_code(&run, 1);
    assert!(stdout(&run).contains("config_sha256"), "{}", stdout(&run));
}

#[test]
fn an_unreadable_or_malformed_schedule_is_invalid_input() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = fixture("forced.toml");
    let run = verify(&config, &tmp.path().join("missing.json"));
    expect_code(&run, 2);
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{ \"version\": 1 }").expect("writable");
    let run = verify(&config, &bad);
    expect_code(&run, 2);
    assert!(stderr(&run).contains("bad.json"), "{}", stderr(&run));
}

/// Solves pair.toml into `DIR/first`, then — aki no longer able to work on 2027-01-05
/// (Tokyo) — solves the edited config (`DIR/pair.toml`) again into `DIR/second` from the
/// first schedule, keeping shifts before `freeze_until`: the edited config and the
/// second solve's summary.
fn resolve_with_aki_away(dir: &Path, freeze_until: &str) -> (std::path::PathBuf, String) {
    let first = dir.join("first");
    solve(&fixture("pair.toml"), &first, &["--quiet"]);
    let config = dir.join("pair.toml");
    let text = std::fs::read_to_string(fixture("pair.toml")).expect("readable");
    let edited = text.replace(
        "id = \"aki\"\n",
        "id = \"aki\"\nunavailable = [{ date = 2027-01-05 }]\n",
    );
    assert_ne!(text, edited);
    std::fs::write(&config, edited).expect("writable");
    let previous = first.join("schedule.json");
    let extra = ["--previous", arg(&previous), "--freeze-until", freeze_until];
    let run = solve(&config, &dir.join("second"), &extra);
    (config, stdout(&run))
}

/// The shifts of schedule.json that `member` holds.
fn shifts_of<'a>(schedule: &'a Value, member: &'a str) -> impl Iterator<Item = &'a Value> {
    schedule["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .filter(move |e| e["member"] == member)
}

/// A re-solve after an edit moves shifts (churn > 0, SEQUENCE bumped on the moved
/// events, UIDs kept) and still verifies: churn is taken from the file and priced in.
#[test]
fn a_resolved_schedule_with_churn_verifies() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (config, summary) = resolve_with_aki_away(tmp.path(), "2027-01-01T00:00:00Z");
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    let old = read_json(&first.join("schedule.json"));
    assert!(shifts_of(&old, "aki").count() > 0);
    assert!(summary.contains("compared with"), "{summary}");
    assert!(summary.contains("aki:\n  loses"), "{summary}");
    let new = read_json(&second.join("schedule.json"));
    assert!(new["metrics"]["churn"].as_u64().expect("churn") > 0);
    let old_events = old["shifts"].as_array().expect("shifts");
    let new_events = new["shifts"].as_array().expect("shifts");
    assert_eq!(old_events.len(), new_events.len());
    let mut bumped = 0;
    for (a, b) in old_events.iter().zip(new_events) {
        assert_eq!(a["uid"], b["uid"]);
        let want = if a["member"] == b["member"] { 0 } else { 1 };
        assert_eq!(b["sequence"], want, "{a} -> {b}");
        bumped += want;
    }
    assert!(bumped > 0);

    let run = verify(&config, &second.join("schedule.json"));
    expect_code(&run, 0);
}

/// Past (frozen) shifts that the edited config no longer allows are solved again, the
/// summary says which and why, and the result verifies.
#[test]
fn frozen_shifts_the_config_no_longer_allows_are_noted_and_verify() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (config, summary) = resolve_with_aki_away(tmp.path(), "2027-02-01T00:00:00Z");
    let second = tmp.path().join("second");
    assert!(
        summary.contains("not kept — aki cannot take it now (unavailable on 2027-01-05)"),
        "{summary}"
    );
    assert!(
        summary.contains("shifts starting before 2027-02-01T00:00:00Z as they were"),
        "{summary}"
    );
    let new = read_json(&second.join("schedule.json"));
    let aki_on_jan5 = shifts_of(&new, "aki")
        .filter(|e| {
            // Shifts touching 2027-01-05 in Tokyo (UTC+9): from 01-04T15:00Z to 01-05T15:00Z.
            let (start, end) = (
                e["start"].as_str().expect("start"),
                e["end"].as_str().expect("end"),
            );
            start < "2027-01-05T15:00:00Z" && end > "2027-01-04T15:00:00Z"
        })
        .count();
    assert_eq!(aki_on_jan5, 0);
    expect_code(&verify(&config, &second.join("schedule.json")), 0);
}
