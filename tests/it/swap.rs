//! `rota swap` with the real binary: ranked options for one shift, config lines that
//! really make the swap happen when applied and solved again, and exit 2 on bad input.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::seats::seats;
use crate::support::{RESOLVE_TEAM as CONFIG, arg, cmd, resolve_team, solve_quick as solve};

fn work_dir(name: &str) -> PathBuf {
    crate::support::work_dir("swap", name)
}

/// The shared first solve of the re-solve team: its schedule.json's path, and the file.
fn base() -> (PathBuf, &'static Value) {
    let (dir, schedule) = resolve_team();
    (dir.join("schedule.json"), schedule)
}

/// Who holds primary at 2027-03-01 10:00 New York time.
fn holder(schedule: &Value) -> String {
    seats(schedule)
        .into_iter()
        .find(|s| s.layer == "primary" && s.start == "2027-03-01T15:00:00Z")
        .map(|s| s.member)
        .expect("a primary shift starts 2027-03-01")
}

/// The TOML block after "To apply option 1": what a person pastes into the config.
fn config_block(stdout: &str) -> String {
    stdout
        .split_once("solve again with --previous:\n\n")
        .and_then(|(_, rest)| rest.split_once("To let the solver choose"))
        .map(|(block, _)| block.to_string())
        .unwrap_or_else(|| panic!("no config block in:\n{stdout}"))
}

fn swap(schedule: &Path, args: &[&str]) -> std::process::Output {
    cmd()
        .arg("swap")
        .arg(CONFIG)
        .arg(schedule)
        .args(args)
        .output()
        .expect("rota runs")
}

#[test]
fn applying_the_first_option_moves_the_shift_to_its_taker() {
    let (path, schedule) = base();
    let member = holder(schedule);
    let out = swap(
        &path,
        &[
            "--member",
            &member,
            "--shift",
            "primary@2027-03-01",
            "--top",
            "3",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!(
            "{member} holds primary 2027-03-01 10:00 until 2027-03-08 10:00 (America/New_York)"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("Best 3 of "), "{stdout}");

    let pins = config_block(&stdout);
    assert!(
        pins.starts_with("[[pin]]\nlayer = \"primary\"\nstart = 2027-03-01\nmember = \""),
        "{pins}"
    );
    let taker = pins
        .lines()
        .find_map(|l| l.strip_prefix("member = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the first pin names the taker")
        .to_string();
    assert_ne!(taker, member);

    let dir = work_dir("applied");
    let config = dir.join("rota.toml");
    let text = std::fs::read_to_string(CONFIG).expect("read the fixture");
    std::fs::write(&config, format!("{text}\n{pins}")).expect("write the edited config");
    let resolved = seats(&solve(
        &config,
        &dir.join("out"),
        &["--previous", arg(&path)],
    ));
    let now: Vec<&str> = resolved
        .iter()
        .filter(|s| s.layer == "primary" && s.start == "2027-03-01T15:00:00Z")
        .map(|s| s.member.as_str())
        .collect();
    assert_eq!(now, [taker.as_str()]);
}

#[test]
fn swap_rejects_what_it_cannot_find_with_exit_2() {
    let (path, schedule) = base();
    let member = holder(schedule);
    let other = seats(schedule)
        .into_iter()
        .find(|s| s.layer == "primary" && s.member != member && s.start == "2027-03-08T15:00:00Z")
        .map(|s| s.member)
        .expect("someone else holds the next week");
    let cases: [(Vec<&str>, String); 5] = [
        (vec!["--member", "zed", "--shift", "primary@2027-03-01"], "unknown member \"zed\"".into()),
        (vec!["--member", &member, "--shift", "primray@2027-03-01"], "did you mean \"primary\"".into()),
        (vec!["--member", &member, "--shift", "primary@2027-03-02"], "no primary shift starts at 2027-03-02; nearest shifts: primary@2027-03-01, primary@2027-03-08".into()),
        (vec!["--member", &member, "--shift", "primary@2027-03-08"], format!("{member} does not hold the primary shift at 2027-03-08 (primary 2027-03-08 10:00 is held by {other})")),
        (vec!["--member", &member, "--shift", "primary-2027-03-01"], "is not LAYER@START".into()),
    ];
    for (args, message) in cases {
        let out = swap(&path, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn swap_on_a_schedule_of_another_config_is_invalid_input() {
    let out = swap(
        Path::new("tests/fixtures/diff-old.json"),
        &["--member", "ana", "--shift", "primary@2027-02-01"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("diff-old.json"), "{stderr}");
    assert!(stderr.contains("another config"), "{stderr}");
}

#[test]
fn on_a_layer_with_several_shifts_a_day_pins_name_the_instant() {
    // 12-hour follow-the-sun: a local date names two shifts; the member's is meant, and
    // the pins it prints must load and match exactly the shifts they name.
    let dir = work_dir("hours");
    let schedule = solve(Path::new("configs/hours.toml"), &dir.join("out"), &[]);
    let seat = seats(&schedule)
        .into_iter()
        .find(|s| s.start.starts_with("2027-01-20T"))
        .expect("a shift starts on 2027-01-20");
    let date_spec = format!("{}@2027-01-20", seat.layer);
    let out = cmd()
        .arg("swap")
        .arg("configs/hours.toml")
        .arg(dir.join("out").join("schedule.json"))
        .args(["--member", &seat.member, "--shift", &date_spec])
        .output()
        .expect("rota runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pins = config_block(&stdout);
    assert!(
        pins.contains(&format!("start = \"{}\"", seat.start)),
        "{pins}"
    );
    let config = dir.join("hours.toml");
    let text = std::fs::read_to_string("configs/hours.toml").expect("read hours.toml");
    std::fs::write(&config, format!("{text}\n{pins}")).expect("write");
    cmd().arg("check").arg(&config).assert().success();
}

#[test]
fn now_is_the_objective_solve_recorded_churn_included() {
    let (_, schedule) = base();
    let member = holder(schedule);
    // As a re-solve that moved two shifts records it.
    let mut resolved = schedule.clone();
    let churn_weight = 10000.0; // the fixture's `[objective] churn`
    resolved["metrics"]["churn"] = 2.into();
    let objective =
        schedule["solver"]["objective"].as_f64().expect("objective") + 2.0 * churn_weight;
    resolved["solver"]["objective"] = objective.into();
    let file = work_dir("now-churn").join("schedule.json");
    crate::support::write_json(&file, &resolved);
    let out = swap(
        &file,
        &["--member", &member, "--shift", "primary@2027-03-01"],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("Now: objective {objective:.1},")),
        "{stdout}"
    );
}
