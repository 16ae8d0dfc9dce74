//! `rota solve` end to end: the real binary on small configs.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::*;

/// Every field of schedule.json, with the type it must have.
#[test]
fn schedule_json_has_every_field() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    solve(&fixture("small.toml"), &out, &["--quiet"]);
    let s = read_json(&out.join("schedule.json"));

    assert_eq!(s["version"], 1);
    assert_eq!(s["team"], "Small Team");
    assert_eq!(s["period"]["start"], "2027-01-04");
    assert_eq!(s["period"]["end"], "2027-01-11");
    assert_eq!(s["generated_at"], "2027-01-01T00:00:00Z");
    assert_eq!(s["config_sha256"].as_str().map(str::len), Some(64));
    let solver = &s["solver"];
    assert!(matches!(
        solver["status"].as_str(),
        Some("optimal" | "feasible")
    ));
    for key in ["objective", "bound", "gap", "seconds"] {
        assert!(solver[key].is_number(), "solver.{key}");
    }

    let shifts = s["shifts"].as_array().expect("shifts");
    // 7 daily primary shifts and 1 weekly secondary one, one person each.
    assert_eq!(shifts.len(), 8);
    for e in shifts {
        for key in ["layer", "start", "end", "member", "uid"] {
            assert!(e[key].is_string(), "shift.{key} in {e}");
        }
        assert!(e["points"].is_number() && e["sequence"] == 0, "{e}");
        assert!(e["start"].as_str().is_some_and(|t| t.ends_with('Z')), "{e}");
        assert!(
            e["uid"]
                .as_str()
                .is_some_and(|u| u.ends_with(".small-team@small.example.com")),
            "{e}"
        );
    }

    let ids: Vec<_> = s["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["ana", "ben", "chen", "dara"], "config order");
    for m in s["members"].as_array().expect("members") {
        for key in ["capacity", "load", "history", "normalized", "fair_share"] {
            assert!(m[key].is_number(), "member.{key}");
        }
        for key in ["shifts", "back_to_back_after_hours"] {
            assert!(m[key].is_u64(), "member.{key}");
        }
        for key in ["business", "after_hours", "weekend", "holiday"] {
            assert!(m["hours"][key].is_number(), "member.hours.{key}");
        }
    }
    for key in ["imbalance", "deviation", "total_load"] {
        assert!(s["metrics"][key].is_number(), "metrics.{key}");
    }
    for key in ["back_to_back_after_hours", "prefer_off_violations", "churn"] {
        assert!(s["metrics"][key].is_u64(), "metrics.{key}");
    }
}

/// The forced fixture has exactly one feasible schedule, so its bytes do not depend on
/// how the solver breaks ties. The file is snapshot as written (in its field order);
/// only the solve time, the solver's bound and the config hash are redacted. Points
/// checked by hand: ana (Berlin) works 10:00–18:00 local, 7 h business + 1 h after hours
/// = 9 points; ben (New York) 04:00–12:00, 3 h business + 5 h after hours = 13 points.
#[test]
fn forced_schedule_snapshot() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    solve(&fixture("forced.toml"), &out, &["--quiet"]);
    let text = std::fs::read_to_string(out.join("schedule.json")).expect("written");
    let redacted: Vec<String> = text
        .lines()
        .map(|line| {
            let key = line.trim_start();
            let indent = &line[..line.len() - key.len()];
            let comma = if line.ends_with(',') { "," } else { "" };
            if key.starts_with("\"seconds\":") {
                format!("{indent}\"seconds\": \"[seconds]\"{comma}")
            } else if key.starts_with("\"bound\":") {
                // The solver's proof, not the schedule: its float noise may change.
                format!("{indent}\"bound\": \"[bound]\"{comma}")
            } else if key.starts_with("\"config_sha256\":") {
                format!("{indent}\"config_sha256\": \"[sha256]\"{comma}")
            } else {
                line.to_string()
            }
        })
        .collect();
    insta::assert_snapshot!(redacted.join("\n"));
}

/// A 4-person week: within the exact dynamic program's reach. With one thread it runs
/// before HiGHS, so whether it answers depends on its state count, not on timing.
#[test]
fn the_smallest_teams_are_proven_by_the_exact_program() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = solve(&fixture("small.toml"), &out, &["--threads", "1", "-v"]);
    assert!(
        stdout(&run).contains("proven optimal in"),
        "{}",
        stdout(&run)
    );
    assert!(
        stderr(&run).contains("proven optimal by the exact dynamic program"),
        "{}",
        stderr(&run)
    );
    let s = read_json(&out.join("schedule.json"));
    assert_eq!(s["solver"]["gap"], 0.0);
}

/// `-v` logs every solver step on stderr, each with the time it was reached; without it,
/// a successful solve writes nothing there.
#[test]
fn verbose_logs_the_solver_steps_with_their_times() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let timed = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.strip_prefix('[')
                    .and_then(|rest| rest.split_once(" s] "))
                    .is_some_and(|(secs, _)| secs.trim().parse::<f64>().is_ok())
            })
            .map(str::to_string)
            .collect()
    };
    let loud = solve(
        &fixture("small.toml"),
        &tmp.path().join("v"),
        &["-v", "--quiet"],
    );
    assert!(!timed(&stderr(&loud)).is_empty(), "{}", stderr(&loud));
    let quiet = solve(&fixture("small.toml"), &tmp.path().join("q"), &["--quiet"]);
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn same_input_same_bytes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for config in feasible_fixtures() {
        let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
        for dir in [&one, &two] {
            let status = stdout(&solve(&config, dir, &["--quiet"]));
            // Only a proven optimum is reproducible: a time-limited search is not.
            assert!(
                status.contains(" — proven "),
                "{}: {status}",
                config.display()
            );
        }
        let files = files_under(&one);
        assert_eq!(files, files_under(&two), "{}", config.display());
        for file in files {
            let (a, b) = (
                std::fs::read_to_string(one.join(&file)).expect("readable"),
                std::fs::read_to_string(two.join(&file)).expect("readable"),
            );
            if file.ends_with("schedule.json") {
                let strip = |t: &str| {
                    let mut v: Value = serde_json::from_str(t).expect("json");
                    v["solver"]["seconds"] = Value::Null;
                    v
                };
                assert_eq!(strip(&a), strip(&b), "{}", config.display());
            } else if file.ends_with("report.html") {
                // The report shows how long the solve took ("in 0.41 s"); nothing else
                // may differ.
                let strip = |t: &str, dir: &Path| {
                    let s = read_json(&dir.join("schedule.json"));
                    let seconds = s["solver"]["seconds"].as_f64().expect("seconds");
                    t.replace(&format!("in {seconds:.2} s"), "in [seconds] s")
                };
                assert_eq!(strip(&a, &one), strip(&b, &two), "{}", config.display());
            } else {
                assert_eq!(a, b, "{} {}", config.display(), file.display());
            }
        }
        std::fs::remove_dir_all(&one).expect("cleanup");
        std::fs::remove_dir_all(&two).expect("cleanup");
    }
}

#[test]
fn writes_calendars_beside_the_schedule() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = solve(&fixture("small.toml"), &out, &[]);
    let files = files_under(&out);
    for file in [
        "schedule.json",
        "report.html",
        "calendars/team.ics",
        "calendars/primary.ics",
        "calendars/secondary.ics",
        "calendars/ana.ics",
        "calendars/dara.ics",
    ] {
        assert!(files.iter().any(|f| f.ends_with(file)), "{file}: {files:?}");
    }
    // Nothing else: no temp files left behind by the atomic writes.
    assert_eq!(files.len(), 2 + 2 + 1 + 4, "{files:?}");
    let text = stdout(&run);
    assert!(
        text.contains(&format!("to {}", out.display())),
        "says where files went:\n{text}"
    );
}

#[test]
fn summary_has_a_row_per_member_and_a_status_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let text = stdout(&solve(&fixture("small.toml"), &out, &[]));
    for header in ["member", "shifts", "points", "fair share", "difference"] {
        assert!(text.contains(header), "{header}:\n{text}");
    }
    for id in ["ana", "ben", "chen", "dara"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(id)),
            "{id}:\n{text}"
        );
    }
    let status = text
        .lines()
        .find(|l| l.contains("points/FTE"))
        .expect("status line");
    assert!(
        status.starts_with("fairest possible — proven optimal in ")
            || status.contains(" — stopped at the time limit, "),
        "{status}"
    );
    assert!(status.contains(" · objective "), "{status}");
}

/// The whole terminal summary of the forced fixture (one feasible schedule), with the
/// solve time and the temp directory redacted.
#[test]
fn forced_summary_snapshot() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let text = stdout(&solve(&fixture("forced.toml"), &out, &[]));
    let redacted: Vec<String> = text
        .lines()
        .map(|line| match line.split_once(" s · ") {
            Some((head, rest)) if head.starts_with("fairest possible — proven optimal in ") => {
                format!("fairest possible — proven optimal in [seconds] s · {rest}")
            }
            _ => line.replace(arg(&out), "[out]"),
        })
        .collect();
    insta::assert_snapshot!(redacted.join("\n"));
}

#[test]
fn quiet_prints_only_the_status_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let text = stdout(&solve(&fixture("forced.toml"), tmp.path(), &["--quiet"]));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("fairest possible — proven optimal in "),
        "{text}"
    );
    assert!(text.contains("imbalance"), "{text}");
}

#[test]
fn json_prints_the_written_schedule() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = solve(&fixture("small.toml"), tmp.path(), &["--json"]);
    let written = std::fs::read_to_string(tmp.path().join("schedule.json")).expect("written");
    assert_eq!(stdout(&run), written);
}

#[test]
fn infeasible_exits_3_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let run = try_solve(&fixture("infeasible.toml"), &out, &["--time-limit", "2"]);
    expect_code(&run, 3);
    // It names the layer.
    assert_contains(&stderr(&run), "day");
    assert!(!out.exists(), "no partial output");
}

#[test]
fn a_failed_solve_leaves_earlier_output_alone() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    solve(&fixture("forced.toml"), &out, &["--quiet"]);
    let before: Vec<_> = files_under(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).expect("readable")))
        .collect();
    // Another team's config into the same directory: --fresh replaces its schedule.
    let run = try_solve(&fixture("infeasible.toml"), &out, &["--fresh"]);
    expect_code(&run, 3);
    let after: Vec<_> = files_under(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).expect("readable")))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn bad_arguments_exit_2_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let config = fixture("small.toml");
    let cases: [&[&str]; 8] = [
        &["--time-limit", "0"],
        &["--threads", "0"],
        &["--time-limit=-3"],
        &["--time-limit", "inf"],
        &["--gap", "1"],
        &["--gap=-0.5"],
        &["--freeze-until", "now"],
        &["--previous", "/nonexistent/schedule.json"],
    ];
    for extra in cases {
        let run = try_solve(&config, &out, extra);
        expect_code(&run, 2);
        assert!(
            stderr(&run).contains("error"),
            "{extra:?}: {}",
            stderr(&run)
        );
        assert!(!out.exists(), "{extra:?} wrote output");
    }
    let run = try_solve(Path::new("/nonexistent/rota.toml"), &out, &[]);
    expect_code(&run, 2);
    let run = rota(&["solve", arg(&config), "--time-limit", "soon"]);
    expect_code(&run, 2);
}

/// Solves CONFIG into `DIR/first`, then again into `DIR/second` from that schedule with
/// `--freeze-until FREEZE_UNTIL` (and [`solve`]'s time limit): the second run, whatever
/// its exit code.
fn solve_again(config: &Path, dir: &Path, freeze_until: &str) -> Output {
    let first = dir.join("first");
    solve(config, &first, &["--quiet"]);
    let previous = first.join("schedule.json");
    let extra = [
        "--previous",
        arg(&previous),
        "--freeze-until",
        freeze_until,
        "--time-limit",
        "10",
    ];
    try_solve(config, &dir.join("second"), &extra)
}

#[test]
fn freeze_until_must_be_an_instant() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = solve_again(&fixture("small.toml"), tmp.path(), "next tuesday");
    expect_code(&run, 2);
    assert_contains(&stderr(&run), "RFC 3339");
    assert!(!tmp.path().join("second").exists());
}

#[test]
fn output_path_that_is_a_file_is_a_usage_error() {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(&file, "x").expect("writable");
    expect_code(&try_solve(&fixture("forced.toml"), file.path(), &[]), 2);
    assert_eq!(std::fs::read_to_string(&file).expect("readable"), "x");
}

/// Solving again from the published schedule keeps every event: same UIDs, same
/// holders, SEQUENCE unchanged, and the summary says nothing changed.
#[test]
fn resolving_from_the_previous_schedule_keeps_events() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = solve_again(&fixture("pair.toml"), tmp.path(), "2027-01-06T00:00:00Z");
    expect_code(&run, 0);
    let (previous, second) = (
        tmp.path().join("first/schedule.json"),
        tmp.path().join("second"),
    );
    let old = read_json(&previous);
    let new = read_json(&second.join("schedule.json"));
    let events = |s: &Value| -> Vec<(String, String, u64)> {
        s["shifts"]
            .as_array()
            .expect("shifts")
            .iter()
            .map(|e| {
                (
                    e["uid"].as_str().expect("uid").to_string(),
                    e["member"].as_str().expect("member").to_string(),
                    e["sequence"].as_u64().expect("sequence"),
                )
            })
            .collect()
    };
    assert_eq!(events(&old), events(&new));
    assert_eq!(new["metrics"]["churn"], 0);
    assert_contains(&stdout(&run), "no shift changed");
}

/// Seats of a two-person shift have their own UIDs, `-0` and `-1`.
#[test]
fn per_shift_seats_have_distinct_uids() {
    let tmp = tempfile::tempdir().expect("temp dir");
    solve(&fixture("pair.toml"), tmp.path(), &["--quiet"]);
    let s = read_json(&tmp.path().join("schedule.json"));
    let shifts = s["shifts"].as_array().expect("shifts");
    assert_eq!(shifts.len() % 2, 0);
    for seats in shifts.chunks(2) {
        assert_eq!(seats[0]["start"], seats[1]["start"]);
        assert_ne!(seats[0]["member"], seats[1]["member"]);
        let uid = |e: &Value| e["uid"].as_str().expect("uid").to_string();
        assert!(
            uid(&seats[0]).contains("-0.pair-team@"),
            "{}",
            uid(&seats[0])
        );
        assert!(
            uid(&seats[1]).contains("-1.pair-team@"),
            "{}",
            uid(&seats[1])
        );
    }
}
