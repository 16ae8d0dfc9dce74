//! `rota check` on the shipped configs: exit 0 and the summary a person relies on.

use std::path::{Path, PathBuf};

use crate::support::{arg, root, rota, stderr, stdout, toml_files};

fn config(name: &str) -> PathBuf {
    root().join("configs").join(name)
}

fn check(path: &Path) -> (i32, String, String) {
    let out = rota(&["check", arg(path)]);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn check_example_lists_team_members_layers_and_staffing() {
    let (code, stdout, stderr) = check(&config("example.toml"));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    for says in [
        "team    Payments SRE (America/New_York)",
        "period  2027-01-04 to 2027-04-05 (end exclusive, 91 days)",
        "members (10)",
        "layers (2)",
    ] {
        assert!(stdout.contains(says), "{stdout}");
    }
    for id in [
        "alice", "bob", "carol", "dan", "erik", "frieda", "greta", "hana", "ivan", "jun",
    ] {
        assert!(
            stdout.contains(&format!("│ {id} ")),
            "{id} missing:\n{stdout}"
        );
    }
    // Capacity by hand: the period is 91 days less the spring-forward hour, 2183 h.
    // dan joins on Feb 1st (28 days = 672 h earlier): 1511 / 2183 = 0.692.
    // frieda leaves on Mar 15th in Berlin = Mar 14th 19:00 EDT: 1674 / 2183 = 0.767.
    // A member's or a layer's row of its table.
    let row = |id: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("│ {id} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("dan").contains("0.692"), "{}", row("dan"));
    assert!(row("frieda").contains("0.767"), "{}", row("frieda"));
    assert!(row("greta").contains("0.500"), "{}", row("greta"));
    // 13 weekly and 91 daily shifts over the quarter, at the same local handoff on both
    // sides of the March DST change.
    for (name, says) in [
        ("primary", "┆     13 ┆"),
        ("primary", "weekly, mon 10:00"),
        ("primary", "2027-01-04 → 2027-03-29"),
        ("secondary", "┆     91 ┆"),
        ("secondary", "2027-01-04 → 2027-04-04"),
    ] {
        assert!(row(name).contains(says), "{}", row(name));
    }
    assert!(
        stdout.ends_with("every shift has enough people who can take it\n"),
        "{stdout}"
    );
}

#[test]
fn check_succeeds_on_every_shipped_config() {
    let paths = toml_files(&config(""));
    assert!(!paths.is_empty());
    for path in paths {
        let (code, stdout, stderr) = check(&path);
        assert_eq!(code, 0, "{}: {stderr}", path.display());
        assert!(stdout.contains("layers ("), "{}: {stdout}", path.display());
    }
}

#[test]
fn check_output_is_deterministic() {
    let (_, first, _) = check(&config("example.toml"));
    let (_, second, _) = check(&config("example.toml"));
    assert_eq!(first, second);
}

#[test]
fn a_pin_on_no_shift_exits_2_naming_its_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = std::fs::read_to_string(config("example.toml")).expect("example");
    // Move the example's pin to a Tuesday: weekly shifts start on Mondays.
    let broken = source.replacen("start = 2027-02-01", "start = 2027-02-02", 1);
    assert_ne!(broken, source, "the example pins 2027-02-01");
    // The error points at the pin's `start` value, by line and column.
    let line = broken
        .lines()
        .position(|l| l.starts_with("start = 2027-02-02"))
        .map(|i| i + 1)
        .expect("a pin");
    let path = dir.path().join("rota.toml");
    std::fs::write(&path, broken).expect("write");
    // The files the example refers to (holiday calendars, history), next to it.
    for entry in std::fs::read_dir(config("")).expect("configs/").flatten() {
        let from = entry.path();
        if from.is_file() && from.extension().is_none_or(|x| x != "toml") {
            std::fs::copy(&from, dir.path().join(entry.file_name())).expect("copy");
        }
    }
    let (code, stdout, stderr) = check(&path);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("no shift starting on 2027-02-02"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("rota.toml:{line}:9\n")),
        "line {line}: {stderr}"
    );
    assert!(stderr.contains("2027-02-01 (Mon 10:00 EST)"), "{stderr}");
}
