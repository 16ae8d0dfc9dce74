//! `rota report SCHEDULE [--html FILE] [--json]` on the real binary.
//!
//! tests/fixtures/report/schedule.json is written by hand: ana (capacity 1) carries 296
//! points, ben (capacity 0.5, 10 points of history) 312, cy has no capacity. Pool 618 over
//! capacity 1.5 gives fair shares 412 and 206 − 10 = 196, normalized loads 296 and
//! 322 / 0.5 = 644, imbalance 348, deviation 116 + 116 = 232; the solver stopped at its
//! time limit with bound 370000 for objective 371858, a gap of 0.4997 %.

use std::path::Path;
use std::process::Output;

use crate::support::{
    arg, assert_contains, cmd, dir_entries, expect_code, root, rota, stderr, stdout, strings_of,
};

const FIXTURE: &str = "tests/fixtures/report/schedule.json";

fn fixture() -> String {
    root().join(FIXTURE).to_string_lossy().into_owned()
}

/// The row of one member in the table, its cells split on whitespace.
fn row(text: &str, id: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|cells| cells.first().is_some_and(|c| c == id))
        .unwrap_or_else(|| panic!("no row for {id} in\n{text}"))
}

#[test]
fn report_prints_table_status_and_metrics() {
    let out = rota(&["report", &fixture()]);
    expect_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "Report Team — 2027-03-01 until 2027-03-15 — 2 shifts, 3 members \
             (generated 2027-02-20T08:00:00Z)\n"
        ),
        "{text}"
    );
    // member shifts business after weekend holiday points history fair difference
    assert_eq!(
        row(&text, "ana"),
        [
            "ana", "1", "40.0", "88.0", "40.0", "0.0", "296.0", "0.0", "412.0", "-116.0"
        ]
    );
    assert_eq!(
        row(&text, "ben"),
        [
            "ben", "1", "32.0", "88.0", "40.0", "8.0", "312.0", "10.0", "196.0", "+116.0"
        ]
    );
    // No capacity: outside fairness, nothing to compare.
    assert_eq!(
        row(&text, "cy"),
        [
            "cy", "0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "—", "—"
        ]
    );
    assert!(text.contains(
        "\nfair within 0.5 % of the fairest possible — stopped at the time limit, 10.0 s · \
         imbalance 348 points/FTE, 1 back-to-back pair · \
         objective 371858, bound 370000, gap 0.5 %\n"
    ));
    assert!(text.ends_with(
        "\nimbalance                 348 points/FTE\n\
         deviation                 232 points\n\
         back-to-back after-hours  1 pair\n\
         total load                608 points\n\
         prefer-off violations     0\n\
         churn                     0 shifts changed hands\n"
    ));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn report_json_has_members_metrics_and_solver() {
    let out = rota(&["report", &fixture(), "--json"]);
    expect_code(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(v["team"], "Report Team");
    assert_eq!(v["period"]["end"], "2027-03-15");
    assert_eq!(v["solver"]["status"], "feasible");
    assert_eq!(v["solver"]["bound"], 370000.0);
    assert_eq!(v["metrics"]["imbalance"], 348.0);
    assert_eq!(v["metrics"]["deviation"], 232.0);
    assert_eq!(strings_of(&v["members"], "id"), ["ana", "ben", "cy"]);
    assert_eq!(v["members"][1]["fair_share"], 196.0);
    assert_eq!(v["members"][1]["hours"]["holiday"], 8.0);
    assert!(
        v.get("shifts").is_none(),
        "the report leaves the shifts out"
    );
}

/// `rota report FIXTURE --html FILE`, which must exit with `code`.
fn report_html(file: &Path, code: i32) -> Output {
    let out = rota(&["report", &fixture(), "--html", arg(file)]);
    expect_code(&out, code);
    out
}

#[test]
fn report_html_writes_the_schedule_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fair.html");
    let out = report_html(&file, 0);
    assert!(stdout(&out).ends_with(&format!("wrote {}\n", file.display())));
    let written = std::fs::read_to_string(&file).expect("report written");
    let schedule = rota::schedule::Schedule::read(Path::new(&fixture())).expect("fixture reads");
    assert_eq!(written, rota::output::html::render(&schedule));
    assert!(written.contains("Report Team"));
    // Written by rename: no temp file is left beside it.
    assert_eq!(dir_entries(dir.path()), ["fair.html"]);

    // With --json, stdout stays one JSON document.
    let out = rota(&["report", &fixture(), "--json", "--html", arg(&file)]);
    expect_code(&out, 0);
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("only JSON on stdout");
}

#[test]
fn report_html_to_a_bare_file_name_lands_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    cmd()
        .args(["report", &fixture(), "--html", "report.html"])
        .current_dir(dir.path())
        .assert()
        .success();
    let written = std::fs::read_to_string(dir.path().join("report.html")).expect("written");
    assert!(written.starts_with("<!DOCTYPE html>"), "{}", &written[..80]);
}

#[test]
fn a_missing_or_malformed_schedule_is_invalid_input() {
    let broken = root().join("tests/fixtures/broken/not-a-schedule.json");
    for path in [
        broken.to_string_lossy().into_owned(),
        "no-such-schedule.json".to_string(),
    ] {
        let out = rota(&["report", &path]);
        expect_code(&out, 2);
        assert!(stdout(&out).is_empty());
        let err = stderr(&out);
        assert!(err.starts_with("error: ") && err.contains(&path), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_unwritable_html_path_fails_without_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    // An output path that cannot be written is the user's to fix: exit 2, like `solve -o`.
    let out = report_html(&dir.path().join("no-such-dir/report.html"), 2);
    assert_contains(&stderr(&out), "cannot write");
    assert!(stdout(&out).is_empty());
}

/// The report of a schedule that `rota solve` wrote shows the table and status line solve
/// printed (every member of the fixture is inside fairness).
#[test]
fn report_of_a_solved_schedule_matches_the_solve_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let solved = crate::support::solve(&crate::support::fixture("small.toml"), dir.path(), &[]);
    let summary = stdout(&solved);
    let table_and_status: String = summary
        .lines()
        .take_while(|l| !l.starts_with("wrote "))
        .map(|l| format!("{l}\n"))
        .collect();
    let schedule = dir.path().join("schedule.json");
    let out = rota(&["report", arg(&schedule)]);
    expect_code(&out, 0);
    let report = stdout(&out);
    assert!(
        report.contains(&table_and_status),
        "solve printed:\n{table_and_status}\nreport printed:\n{report}"
    );
}
