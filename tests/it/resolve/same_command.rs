//! The loop a team lives in: edit the config, run the same `rota solve CONFIG -o DIR`
//! again. DIR/schedule.json is the published schedule; only what the edit forces moves
//! (plus moves that clearly pay), and the frontier says what more moves would buy.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{
    arg, diff, expect_code, insert_after, read_json, root, rota, stdout, work_dir, write_json,
};

/// The first solve gets longer than the quick limit: a debug build stopping far from the
/// optimum would leave a re-solve real gains to make, which it rightly takes.
const FIRST_LIMIT: &str = "6";
/// A re-solve takes a tenth of its limit for its answer (and as much for the frontier):
/// 2 s, which a debug build under load needs to bring the kept schedule in.
const RESOLVE_LIMIT: &str = "20";

fn run_solve(config: &Path, out: &Path, limit: &str, extra: &[&str]) -> String {
    let mut args = vec!["solve", arg(config), "-o", arg(out), "--time-limit", limit];
    args.extend(extra);
    let result = rota(&args);
    expect_code(&result, 0);
    stdout(&result)
}

/// A copy of `config_text` at DIR/rota.toml, solved once into DIR/out: the config's
/// path, the output directory and a copy of the first schedule.json.
fn first_solve(name: &str, config_text: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = work_dir("resolve-same", name);
    let config = dir.join("rota.toml");
    std::fs::write(&config, config_text).expect("write the config");
    let out = dir.join("out");
    run_solve(&config, &out, FIRST_LIMIT, &[]);
    let first = dir.join("first.json");
    std::fs::copy(out.join("schedule.json"), &first).expect("keep the first schedule");
    (config, out, first)
}

/// `rota init`'s starter, solved once as [`first_solve`] does: its text, and what
/// `first_solve` returns.
fn starter_solved(name: &str) -> (String, (PathBuf, PathBuf, PathBuf)) {
    let starter = work_dir("resolve-same", &format!("{name}-init")).join("rota.toml");
    expect_code(&rota(&["init", arg(&starter)]), 0);
    let text = std::fs::read_to_string(&starter).expect("the starter");
    let solved = first_solve(name, &text);
    (text, solved)
}

/// The example with its holiday file resolved from the repository.
fn example_text() -> String {
    std::fs::read_to_string(root().join("configs/example.toml"))
        .expect("read the example")
        .replace(
            "\"holidays-de.ics\"",
            &format!("{:?}", root().join("configs/holidays-de.ics")),
        )
}

fn changed(first: &Path, out: &Path) -> u64 {
    diff(first, &out.join("schedule.json"))["changed"]
        .as_u64()
        .expect("changed is a number")
}

/// The `resolve` object: moves within every budget, objective falling as budgets grow,
/// and the schedule's own moves among its points.
fn check_resolve(schedule: &Value) -> (u64, u64) {
    let r = &schedule["resolve"];
    let forced = r["forced_moves"].as_u64().expect("forced_moves");
    let optional = r["optional_moves"].as_u64().expect("optional_moves");
    assert_eq!(
        schedule["metrics"]["churn"].as_u64(),
        Some(forced + optional)
    );
    let frontier = r["frontier"].as_array().expect("frontier");
    assert!(!frontier.is_empty(), "{r:#}");
    assert_eq!(frontier[0]["max_moves"].as_u64(), Some(forced), "{r:#}");
    assert!(frontier.last().expect("points")["max_moves"].is_null());
    let mut last = f64::INFINITY;
    for p in frontier {
        let moves = p["moves"].as_u64().expect("moves");
        if let Some(budget) = p["max_moves"].as_u64() {
            assert!(moves <= budget, "{p}");
        }
        let objective = p["objective"].as_f64().expect("objective");
        assert!(
            objective <= last + 1e-6,
            "a larger budget is never worse: {r:#}"
        );
        last = objective;
        if let Some(bound) = p["bound"].as_f64() {
            assert!(bound <= objective + 1e-6, "{p}");
        }
    }
    (forced, optional)
}

#[test]
fn carol_away_a_week_moves_her_one_shift_and_at_most_two_more() {
    let text = example_text();
    let (config, out, first) = first_solve("carol", &text);
    let edited = insert_after(
        &text,
        "email = \"carol@example.com\"",
        "unavailable = [{ from = 2027-02-15, to = 2027-02-21, reason = \"PTO\" }]",
    );
    std::fs::write(&config, edited).expect("write the edit");
    let printed = run_solve(&config, &out, RESOLVE_LIMIT, &[]);

    let again = read_json(&out.join("schedule.json"));
    let n = changed(&first, &out);
    // Carol's seats that week (New York days) all moved: in the optimal first schedule
    // that is exactly the secondary of 2027-02-17.
    let before = read_json(&first);
    // Every seat of hers that touches the week, including one begun the day before.
    let week = |s: &&Value| {
        let start = s["start"].as_str().expect("start");
        let end = s["end"].as_str().expect("end");
        s["member"] == "carol" && start < "2027-02-22T05:00" && end > "2027-02-15T05:00"
    };
    let hers: Vec<&Value> = before["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .filter(week)
        .collect();
    assert!(
        !again["shifts"]
            .as_array()
            .expect("shifts")
            .iter()
            .any(|s| week(&s)),
        "carol is still on call during her PTO:\n{printed}"
    );
    // From the optimal first schedule (a debug build under load may stop short of it,
    // and then carol may hold more that week): her seats move, at most two more. The
    // example has more than one optimum; the release build's, the one the issue names,
    // gives her exactly the secondary of 2027-02-17.
    let optimal = before["solver"]["status"] == "optimal";
    if optimal {
        assert!(n <= hers.len() as u64 + 2, "{n} shifts changed:\n{printed}");
    }
    if optimal && hers.len() == 1 {
        assert!((1..=3).contains(&n), "{n} shifts changed:\n{printed}");
        assert_eq!(hers[0]["layer"], "secondary");
        assert!(
            hers[0]["start"]
                .as_str()
                .expect("start")
                .starts_with("2027-02-17")
        );
    }
    assert!(
        printed.contains(&format!(
            "re-solving against {}",
            out.join("schedule.json").display()
        )),
        "{printed}"
    );
    assert!(printed.contains("kept "), "{printed}");
    assert!(
        printed.contains("max moves"),
        "the frontier is shown:\n{printed}"
    );
    let (forced, optional) = check_resolve(&again);
    // At least her seats (a repair may need a chain of moves to keep the rules); from
    // the optimal first schedule exactly her one seat: someone free that day takes it.
    assert!(forced as usize >= hers.len(), "{printed}");
    if optimal {
        assert_eq!(forced as usize, hers.len(), "{printed}");
    }
    assert!(optional <= 2, "{printed}");
    assert_eq!(n, forced + optional, "{printed}");
    expect_code(
        &rota(&["verify", arg(&config), arg(&out.join("schedule.json"))]),
        0,
    );
    // report.html shows the trade-off too.
    let report = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(
        report.contains("Re-solve"),
        "report.html has no re-solve section"
    );
    // A re-solve keeps moves few on purpose: the page does not ask for more time.
    assert!(
        !report.contains("longer --time-limit"),
        "report.html blames the time limit"
    );
}

#[test]
fn the_starter_with_a_new_member_and_a_pto_week_moves_the_forced_and_at_most_two_more() {
    let (text, (config, out, first)) = starter_solved("starter");
    let dir = config.parent().expect("the config's folder").to_path_buf();
    let edited = insert_after(
        &text,
        "name = \"Alice Example\"",
        "unavailable = [{ from = 2027-03-01, to = 2027-03-07, reason = \"PTO\" }]",
    ) + "\n[[member]]\nid = \"fay\"\nname = \"Fay Example\"\ntags = [\"senior\"]\n";
    std::fs::write(&config, edited).expect("write the edit");
    let printed = run_solve(&config, &out, RESOLVE_LIMIT, &[]);

    let again = read_json(&out.join("schedule.json"));
    let (forced, optional) = check_resolve(&again);
    // Her PTO forces at least her seats of that week (New York days, before DST).
    let held_in_pto = |schedule: &Value| {
        schedule["shifts"]
            .as_array()
            .expect("shifts")
            .iter()
            .filter(|s| {
                let start = s["start"].as_str().expect("start");
                let end = s["end"].as_str().expect("end");
                s["member"] == "alice" && start < "2027-03-08T05:00" && end > "2027-03-01T05:00"
            })
            .count()
    };
    let hers = held_in_pto(&read_json(&first));
    assert!(hers >= 1, "alice held nothing that week: pick another");
    assert_eq!(
        held_in_pto(&again),
        0,
        "alice is on call on PTO:\n{printed}"
    );
    assert!(forced as usize >= hers, "{printed}");
    assert!(
        optional <= 2,
        "{forced} forced, {optional} optional:\n{printed}"
    );
    assert_eq!(changed(&first, &out), forced + optional, "{printed}");
    // Each optional move pays its price: against the minimal repair (the frontier's
    // first point), the objective with churn is no higher.
    let frontier = again["resolve"]["frontier"].as_array().expect("frontier");
    let price = again["resolve"]["move_price"].as_f64().expect("move_price");
    let repair = frontier[0]["objective"].as_f64().expect("objective")
        + price * frontier[0]["moves"].as_f64().expect("moves");
    let chosen = again["solver"]["objective"].as_f64().expect("objective");
    assert!(chosen <= repair + 1e-6, "{chosen} > {repair}:\n{printed}");

    // The same command again, nothing edited: nothing moves.
    let second = dir.join("second.json");
    std::fs::copy(out.join("schedule.json"), &second).expect("keep the re-solve");
    let printed = run_solve(&config, &out, RESOLVE_LIMIT, &[]);
    assert!(printed.contains("(config unchanged)"), "{printed}");
    assert_eq!(changed(&second, &out), 0, "{printed}");
}

/// `--max-moves N` and `--rebalance` from the same published schedule, after the starter's
/// edit (a new member with no shifts, so more moves pay): each keeps to what it asked for
/// and writes a schedule that verifies.
#[test]
fn max_moves_and_rebalance_move_more_when_asked() {
    let (text, (config, _, first)) = starter_solved("starter-budgets");
    let dir = config.parent().expect("the config's folder").to_path_buf();
    let edited = text + "\n[[member]]\nid = \"fay\"\nname = \"Fay Example\"\n";
    std::fs::write(&config, edited).expect("write the edit");
    let published = ["--previous", arg(&first)];
    for (flag, extra) in [
        ("max-moves", vec!["--max-moves", "7"]),
        ("rebalance", vec!["--rebalance"]),
    ] {
        let out = dir.join(flag);
        let args: Vec<&str> = published.iter().copied().chain(extra).collect();
        let printed = run_solve(&config, &out, RESOLVE_LIMIT, &args);
        let again = read_json(&out.join("schedule.json"));
        let (forced, optional) = check_resolve(&again);
        let r = &again["resolve"];
        if flag == "max-moves" {
            assert!(forced + optional <= 7, "{printed}");
            assert_eq!(r["max_moves"], 7, "{r:#}");
            assert_eq!(r["optional_allowed"].as_u64(), Some(7 - forced), "{r:#}");
            // Within the budget the fairest wins: a move pays only the tie-breaker.
            assert_eq!(r["move_price"], 1.0, "{r:#}");
        } else {
            // A tie-breaker price and no cap: fairness decides.
            assert_eq!(r["move_price"], 1.0, "{r:#}");
            assert!(r.get("optional_allowed").is_none(), "{r:#}");
            assert!(
                optional > 2,
                "fay gets more than the default two:\n{printed}"
            );
        }
        expect_code(
            &rota(&["verify", arg(&config), arg(&out.join("schedule.json"))]),
            0,
        );
    }
}

#[test]
fn the_same_config_again_changes_nothing_and_fresh_solves_from_scratch() {
    let (config, out, first) = first_solve("same", &example_text());
    let printed = run_solve(&config, &out, RESOLVE_LIMIT, &[]);
    assert_eq!(changed(&first, &out), 0, "{printed}");
    let again = read_json(&out.join("schedule.json"));
    assert_eq!(again["metrics"]["churn"], 0);
    assert_eq!(again["resolve"]["forced_moves"], 0);
    let shifts = again["shifts"].as_array().expect("shifts").len();
    assert!(
        printed.contains(&format!("kept {shifts} of {shifts} shifts")),
        "{printed}"
    );

    // Calendars already count these events to SEQUENCE 3: a fresh solve reuses the UIDs,
    // so it must go on from there, or subscribed clients ignore its events.
    let mut published = read_json(&out.join("schedule.json"));
    for shift in published["shifts"].as_array_mut().expect("shifts") {
        shift["sequence"] = 3.into();
    }
    write_json(&out.join("schedule.json"), &published);
    let printed = run_solve(&config, &out, RESOLVE_LIMIT, &["--fresh"]);
    assert!(printed.contains("fresh solve: replacing"), "{printed}");
    let sequences = read_json(&out.join("schedule.json"))["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .map(|s| s["sequence"].as_u64().expect("sequence"))
        .collect::<Vec<_>>();
    assert!(sequences.iter().all(|&q| q >= 3), "{sequences:?}");
    assert!(!printed.contains("re-solving"), "{printed}");
    let fresh = read_json(&out.join("schedule.json"));
    assert!(
        fresh.get("resolve").is_none(),
        "a fresh solve has no re-solve"
    );
    assert_eq!(fresh["metrics"]["churn"], 0);

    // Into an empty folder there is nothing to replace (the line reads the old file
    // before the new one is written).
    let empty = out.with_file_name("fresh-into-empty");
    let printed = run_solve(&config, &empty, RESOLVE_LIMIT, &["--fresh"]);
    assert!(!printed.contains("replacing"), "{printed}");
}

#[test]
fn another_teams_or_an_unreadable_schedule_in_dir_is_an_error_and_nothing_is_written() {
    let (config, out, _) = first_solve("other-team", &example_text());
    let schedule = out.join("schedule.json");
    let renamed = example_text().replace("name = \"Payments SRE\"", "name = \"Other Team\"");
    assert_ne!(renamed, example_text(), "the example names its team");
    std::fs::write(&config, renamed).expect("write the other team");
    for (name, bytes) in [
        ("another team", std::fs::read(&schedule).expect("schedule")),
        ("not JSON", b"{ not json".to_vec()),
    ] {
        std::fs::write(&schedule, &bytes).expect("write schedule.json");
        let report_before = std::fs::read(out.join("report.html")).expect("report");
        let result = rota(&["solve", arg(&config), "-o", arg(&out)]);
        expect_code(&result, 2);
        let err = crate::support::stderr(&result);
        assert!(err.contains("--fresh"), "{name}: {err}");
        assert_eq!(std::fs::read(&schedule).expect("schedule"), bytes, "{name}");
        assert_eq!(
            std::fs::read(out.join("report.html")).expect("report"),
            report_before,
            "{name}"
        );
    }
}
