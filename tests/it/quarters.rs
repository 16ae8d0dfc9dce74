//! One quarter after another: `rota next` writes the next config, and the rules and
//! back-to-back pairs hold across the period's start, whether the earlier shifts come
//! from `fairness.history` or from `--previous` (docs/objective.md, "Across the period's
//! start").

use std::path::{Path, PathBuf};

use rota::problem::assignment::Assignment;
use rota::problem::evaluate::evaluate;
use rota::problem::rules::check;
use serde_json::Value;

use crate::support::*;

/// `tests/fixtures/quarters/NAME`.
fn quarter_fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/quarters").join(name)
}

/// A fresh folder holding `q1.toml`: the fixture `name`, with `edit` applied.
fn first_quarter(test: &str, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let dir = work_dir("quarters", test);
    let text = std::fs::read_to_string(quarter_fixture(name)).expect("fixture");
    std::fs::write(dir.join("q1.toml"), edit(text)).expect("write q1.toml");
    dir
}

/// `rota next DIR/q1.toml --schedule DIR/q1/schedule.json -o DIR/q2.toml`, which must
/// succeed; returns the new config's path.
fn next(dir: &Path) -> PathBuf {
    let q2 = dir.join("q2.toml");
    let out = rota(&[
        "next",
        arg(&dir.join("q1.toml")),
        "--schedule",
        arg(&dir.join("q1/schedule.json")),
        "-o",
        arg(&q2),
    ]);
    expect_code(&out, 0);
    q2
}

/// Solves `q1.toml` into `q1/` and writes `q2.toml` after it: the schedule of Q1.
fn first_then_next(dir: &Path) -> (Value, PathBuf) {
    let q1 = solve_quick(&dir.join("q1.toml"), &dir.join("q1"), &[]);
    (q1, next(dir))
}

/// (start, member) of the first or last seat of `layer` in a schedule.json.
fn seat(schedule: &Value, layer: &str, last: bool) -> (String, String) {
    let seats = schedule["shifts"].as_array().expect("shifts");
    let mut of_layer = seats.iter().filter(|s| s["layer"] == layer);
    let s = if last {
        of_layer.next_back()
    } else {
        of_layer.next()
    }
    .expect("a seat of the layer");
    (
        s["start"].as_str().expect("start").to_owned(),
        s["member"].as_str().expect("member").to_owned(),
    )
}

fn holder(schedule: &Value, layer: &str, last: bool) -> String {
    seat(schedule, layer, last).1
}

/// `config` with a `[[pin]]` of `layer` on `date` to `member`, written beside it.
fn pinned(config: &Path, layer: &str, date: &str, member: &str) -> PathBuf {
    let text = std::fs::read_to_string(config).expect("config");
    let path = config.with_file_name("pinned.toml");
    std::fs::write(
        &path,
        format!("{text}\n[[pin]]\nlayer = \"{layer}\"\nstart = {date}\nmember = \"{member}\"\n"),
    )
    .expect("write");
    path
}

/// `config` with its `fairness.history` emptied, written beside it: the earlier shifts
/// then come from `--previous` alone.
fn without_history(config: &Path) -> PathBuf {
    let text = std::fs::read_to_string(config).expect("config");
    let line = "history = [\"q1/schedule.json\"]";
    assert!(text.contains(line), "{text}");
    let path = config.with_file_name("no-history.toml");
    std::fs::write(&path, text.replace(line, "history = []")).expect("write");
    path
}

/// The two ways Q1 can come before Q2: `q2.toml` with Q1 in its history, and the same
/// without it but Q1 given with `--previous`. Per way: the config, how messages name Q1's
/// file, and the extra arguments of `rota solve`.
fn both_ways(with_history: &Path) -> [(PathBuf, String, Vec<String>); 2] {
    let previous = with_history.with_file_name("q1/schedule.json");
    let shown = previous.display().to_string();
    [
        (
            with_history.to_path_buf(),
            "q1/schedule.json".to_owned(),
            vec![],
        ),
        (
            without_history(with_history),
            shown.clone(),
            vec!["--previous".to_owned(), shown],
        ),
    ]
}

fn verify_ok(config: &Path, schedule: &Path) {
    let out = rota(&["verify", arg(config), arg(schedule)]);
    expect_code(&out, 0);
}

#[test]
fn max_consecutive_holds_across_the_start_of_a_quarter() {
    let dir = first_quarter("consecutive", "ten.toml", |t| t);
    let (q1, q2) = first_then_next(&dir);
    let last = holder(&q1, "primary", true);

    // Nothing stops the solver from giving Q1's last week to the same person again but
    // the rule across the start: it never does.
    let solved = solve_quick(&q2, &dir.join("q2"), &[]);
    for layer in ["primary", "secondary"] {
        assert_ne!(
            holder(&solved, layer, false),
            holder(&q1, layer, true),
            "{layer}"
        );
    }
    verify_ok(&q2, &dir.join("q2/schedule.json"));

    // Pinned there, no schedule exists, and the diagnosis names the earlier week.
    let config = pinned(&q2, "primary", "2027-04-05", &last);
    let out = rota(&["solve", arg(&config), "-o", arg(&dir.join("pinned"))]);
    expect_code(&out, 3);
    let text = stderr(&out);
    assert!(
        text.contains(&format!(
            "primary 2027-04-05 09:00: pinned to {last}, who held the primary shift right \
             before the period (primary 2027-03-29 09:00 in q1/schedule.json): 2 in a row, \
             more than max_consecutive = 1"
        )),
        "{text}"
    );
    assert!(!dir.join("pinned").exists());
}

/// Five weeks of nights with 12 hours of rest after each: Q1's last night and Q2's first
/// one, back to back, cannot go to one person, whether Q1 is in the history or given
/// with `--previous`; pinned there, the diagnosis names the earlier night and its file.
#[test]
fn min_rest_holds_across_the_start_from_history_and_from_previous() {
    let dir = first_quarter("rest", "nights.toml", |t| {
        t.replace("min_rest_hours = 0", "min_rest_hours = 12")
    });
    let (q1, with_history) = first_then_next(&dir);
    let last = holder(&q1, "nights", true);
    for (config, source, extra) in both_ways(&with_history) {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = dir.join(format!("{}-out", source.len()));
        let solved = solve_quick(&config, &out, &extra);
        assert_ne!(holder(&solved, "nights", false), last, "{source}");
        verify_ok(&config, &out.join("schedule.json"));

        let pinned = pinned(&config, "nights", "2027-04-05", &last);
        let mut args = vec!["solve", arg(&pinned), "-o", arg(&out)];
        args.extend(&extra);
        let run = rota(&args);
        expect_code(&run, 3);
        let text = stderr(&run);
        assert!(
            text.contains(&format!(
                "nights 2027-04-05 09:00: pinned to {last}, who cannot take it (only 0.0 h of \
                 rest after nights 2027-04-04 09:00, which they held before the period \
                 ({source}; min_rest_hours = 12))"
            )),
            "{text}"
        );
    }
}

/// Without rest between nights, Q1's last night and Q2's first held by one person are
/// a back-to-back pair: counted in the objective and in schedule.json (the member's
/// `back_to_back_earlier`, the earlier shift under `earlier` with the shift it pairs
/// with), printed by the report, and verified — from the history and from `--previous`.
#[test]
fn back_to_back_pairs_across_the_start_are_counted_and_shown() {
    let dir = first_quarter("pairs", "nights.toml", |t| t);
    let (q1, with_history) = first_then_next(&dir);
    let (last_start, last) = seat(&q1, "nights", true);
    for (config, source, extra) in both_ways(&with_history) {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let pinned = pinned(&config, "nights", "2027-04-05", &last);
        let out = dir.join(format!("{}-out", source.len()));
        let solved = solve_quick(&pinned, &out, &extra);
        let member = solved["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["id"] == last.as_str())
            .expect("the pinned member");
        assert_eq!(member["back_to_back_earlier"], 1, "{member}");
        assert!(member["back_to_back_after_hours"].as_u64() >= Some(1));
        let earlier = solved["earlier"].as_array().expect("earlier shifts");
        let night = earlier
            .iter()
            .find(|e| e["start"] == last_start.as_str())
            .expect("Q1's last night");
        assert_eq!(night["member"], last.as_str());
        assert_eq!(night["source"], source.as_str());
        assert_eq!(
            night["back_to_back_with"],
            serde_json::json!([{ "layer": "nights", "start": "2027-04-05T13:00:00Z" }])
        );
        verify_ok(&pinned, &out.join("schedule.json"));

        // In the team's zone, as solve and the report page show them.
        let report = rota(&["report", arg(&out.join("schedule.json"))]);
        expect_code(&report, 0);
        let text = stdout(&report);
        assert!(
            text.contains("across the period's start (America/New_York)"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "{last}: nights 2027-04-04 09:00 ({source}), then nights 2027-04-05 09:00"
            )),
            "{text}"
        );
        assert!(text.contains("with a shift before the period"), "{text}");
    }
}

/// A schedule.json edited by hand to break a rule across the start fails `verify`,
/// which reads the earlier shifts from the config's history.
#[test]
fn verify_flags_a_hand_edit_that_breaks_a_rule_across_the_start() {
    let cases = [
        ("edit-rest", "nights.toml", "nights", "min_rest_hours = 12"),
        ("edit-run", "ten.toml", "primary", "max_consecutive = 1"),
    ];
    for (test, fixture, layer, rule) in cases {
        let dir = first_quarter(test, fixture, |t| {
            t.replace("min_rest_hours = 0", "min_rest_hours = 12")
        });
        let (q1, q2) = first_then_next(&dir);
        let (start, last) = seat(&q1, layer, true);
        let out = dir.join("q2");
        let mut schedule = solve_quick(&q2, &out, &[]);
        let first = schedule["shifts"]
            .as_array_mut()
            .expect("shifts")
            .iter_mut()
            .find(|s| s["layer"] == layer)
            .expect("a first shift");
        first["member"] = Value::from(last.as_str());
        let edited = dir.join("edited.json");
        write_json(&edited, &schedule);

        let run = rota(&["verify", arg(&q2), arg(&edited)]);
        expect_code(&run, 1);
        let text = stdout(&run);
        let local = if layer == "nights" {
            "2027-04-04 09:00"
        } else {
            "2027-03-29 09:00"
        };
        assert!(
            text.lines().any(|l| l.starts_with("rule: ")
                && l.contains(&last)
                && l.contains(&format!("{layer} {local}"))
                && l.contains("q1/schedule.json")
                && l.contains(rule.split(' ').next().unwrap_or(rule))),
            "{start}: {text}"
        );
    }
}

/// Two quarters solved in a row hold every rule over their union, as one period would,
/// and the union has exactly the back-to-back pairs the two schedules count. The nights'
/// Q2 starts with Q1's last holder (pinned): one pair spans the two.
#[test]
fn two_quarters_in_a_row_verify_as_one_period() {
    for (test, fixture, layer) in [
        ("union-ten", "ten.toml", None),
        ("union-nights", "nights.toml", Some("nights")),
    ] {
        let dir = first_quarter(test, fixture, |t| t);
        let (q1, q2) = first_then_next(&dir);
        let q2 = match layer {
            Some(layer) => pinned(&q2, layer, "2027-04-05", &holder(&q1, layer, true)),
            None => q2,
        };
        let q2_schedule = solve_quick(&q2, &dir.join("q2"), &[]);

        // Q1's config over both periods, without history: one long period.
        let text = std::fs::read_to_string(dir.join("q1.toml")).expect("q1.toml");
        let end = q2_schedule["period"]["end"].as_str().expect("end");
        let union = dir.join("union.toml");
        std::fs::write(
            &union,
            text.replace("end = 2027-04-05", &format!("end = {end}")),
        )
        .expect("write");
        let config = rota::config::load(&union).expect("the union loads");
        let problem = rota::problem::build(&config).expect("builds");
        let mut assignment = Assignment::empty(problem.shifts.len());
        for schedule in [&q1, &q2_schedule] {
            for s in schedule["shifts"].as_array().expect("shifts") {
                let start: chrono::DateTime<chrono::Utc> = s["start"]
                    .as_str()
                    .expect("start")
                    .parse()
                    .expect("instant");
                let layer = problem
                    .layer_index(s["layer"].as_str().expect("layer"))
                    .expect("layer");
                let shift = problem
                    .shifts
                    .iter()
                    .position(|x| x.layer == layer && x.start == start)
                    .expect("the union has the shift");
                let member = problem
                    .member_index(s["member"].as_str().expect("member"))
                    .expect("member");
                assignment.members[shift].push(member);
            }
        }
        for held in &mut assignment.members {
            held.sort_unstable();
        }
        let broken: Vec<String> = check(&problem, &assignment, None)
            .iter()
            .map(|v| v.describe(&problem))
            .collect();
        assert!(broken.is_empty(), "{test}: {broken:?}");
        let pairs = |s: &Value| {
            s["metrics"]["back_to_back_after_hours"]
                .as_u64()
                .expect("pairs")
        };
        assert_eq!(
            u64::from(
                evaluate(&problem, &assignment, None)
                    .metrics
                    .back_to_back_after_hours
            ),
            pairs(&q1) + pairs(&q2_schedule),
            "{test}"
        );
    }
}

/// `rota next` on every config in configs/: the next period's config checks, solves and
/// verifies, starts where the period ended and lasts as long, and is never written over
/// a file.
#[test]
fn next_writes_a_config_that_checks_and_solves_for_every_shipped_config() {
    let configs = toml_files(&root().join("configs"));
    assert!(configs.len() >= 6);
    for config in &configs {
        let name = config.file_stem().and_then(|s| s.to_str()).expect("name");
        let dir = work_dir("quarters-next", name);
        let quick = |config: &Path, out: &Path| {
            let run = rota(&[
                "solve",
                arg(config),
                "-o",
                arg(out),
                "--time-limit",
                "1",
                "--quiet",
            ]);
            expect_code(&run, 0);
            read_json(&out.join("schedule.json"))
        };
        let before = quick(config, &dir.join("out"));
        let next = dir.join("next.toml");
        let schedule = dir.join("out/schedule.json");
        let args = [
            "next",
            arg(config),
            "--schedule",
            arg(&schedule),
            "-o",
            arg(&next),
        ];
        expect_code(&rota(&args), 0);
        expect_code(&rota(&["check", arg(&next)]), 0);
        let after = quick(&next, &dir.join("next-out"));
        verify_ok(&next, &dir.join("next-out/schedule.json"));

        let day = |s: &Value, k: &str| {
            chrono::NaiveDate::parse_from_str(s["period"][k].as_str().expect("date"), "%Y-%m-%d")
                .expect("a date")
        };
        assert_eq!(day(&after, "start"), day(&before, "end"), "{name}");
        assert_eq!(
            day(&after, "end") - day(&after, "start"),
            day(&before, "end") - day(&before, "start"),
            "{name}"
        );

        let written = std::fs::read_to_string(&next).expect("next.toml");
        let again = rota(&args);
        expect_refusal(&again, 2, "already exists");
        assert_eq!(std::fs::read_to_string(&next).expect("next.toml"), written);
    }
}

/// The example's next quarter: its comments and `[calendar]` stay, Q1's pin and days
/// off go (and are listed), the schedule joins the history, and the holiday sets with no
/// date in the new quarter are named.
#[test]
fn next_keeps_the_config_as_written_but_what_is_over() {
    let dir = work_dir("quarters", "example-next");
    let example = root().join("configs/example.toml");
    solve_quick(&example, &dir.join("q1"), &[]);
    let next = dir.join("q2.toml");
    let run = rota(&[
        "next",
        arg(&example),
        "--schedule",
        arg(&dir.join("q1/schedule.json")),
        "-o",
        arg(&next),
    ]);
    expect_code(&run, 0);
    let out = stdout(&run);
    assert!(out.contains("2027-04-05 to 2027-07-05 (91 days)"), "{out}");
    assert!(
        out.contains("fairness.history gains q1/schedule.json"),
        "{out}"
    );
    assert!(out.contains("pin: primary 2027-02-01 to bob"), "{out}");
    assert!(
        out.contains(
            "alice: unavailable { from = 2027-02-08, to = 2027-02-12, reason = \"ski trip\" }"
        ),
        "{out}"
    );
    let warnings = stderr(&run);
    assert!(
        warnings.contains("warning: holiday set \"us\" has no date from 2027-04-05 to 2027-07-05"),
        "{warnings}"
    );

    let old = std::fs::read_to_string(&example).expect("example");
    let new = std::fs::read_to_string(&next).expect("q2.toml");
    let calendar =
        &old[old.find("[calendar]").expect("calendar")..old.find("\n\n# Bob").expect("pin")];
    assert!(new.contains(calendar), "{new}");
    assert!(
        !new.contains("[[pin]]") && !new.contains("ski trip"),
        "{new}"
    );
    assert!(
        new.contains("start = 2027-04-05   # inclusive\nend = 2027-07-05     # exclusive"),
        "{new}"
    );
    assert!(new.contains("history = [\"q1/schedule.json\"]"), "{new}");
    // Every comment but the dropped pin's, in order.
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let kept: Vec<String> = comments(&old)
        .into_iter()
        .filter(|c| !c.starts_with("# Bob takes"))
        .collect();
    assert_eq!(comments(&new), kept);
}
