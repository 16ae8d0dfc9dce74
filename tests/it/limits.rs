//! Every limit of docs/config.md ("Limits") on the real binary: each hostile input of
//! issue 29 gets a clear answer and its exit code, and a failed solve leaves the output
//! directory byte for byte as it was.

use std::path::{Path, PathBuf};

use crate::support::*;

/// small.toml with `edit` applied, written as `rota.toml` in a fresh directory (kept in
/// the returned guard).
fn config_with(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let source = std::fs::read_to_string(fixture("small.toml")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rota.toml");
    std::fs::write(&path, edit(&source)).expect("write");
    (dir, path)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("readable");
            (f, bytes)
        })
        .collect()
}

/// Solves small.toml into a fresh `out`, then `config` into the same `out`: that must
/// exit `code`, say `expected` on stderr, and leave `out` exactly as it was.
fn fails_and_leaves_out_alone(config: &Path, code: i32, expected: &str) -> String {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    solve(&fixture("small.toml"), &out, &["--quiet"]);
    let before = snapshot(&out);
    let run = rota(&["solve", arg(config), "-o", arg(&out), "--time-limit", "2"]);
    expect_code(&run, code);
    let err = stderr(&run);
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    assert_eq!(snapshot(&out), before, "{}", config.display());
    err
}

/// `check` on `config`: its exit code and stderr.
fn check(config: &Path) -> (i32, String) {
    let run = rota(&["check", arg(config)]);
    (run.status.code().unwrap_or(-1), stderr(&run))
}

#[test]
fn a_long_member_id_is_refused_before_any_output() {
    let long = "a".repeat(252);
    let (_dir, config) = config_with(|s| s.replace("id = \"ben\"", &format!("id = \"{long}\"")));
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is 252 characters long"), "{err}");
    assert!(err.contains("[a-z0-9][a-z0-9._-]{0,63}"), "{err}");
    assert!(err.contains("rota.toml:31:6"), "{err}");
    fails_and_leaves_out_alone(&config, 2, "not a valid member id");
}

#[test]
fn a_long_layer_name_is_refused() {
    let long = "p".repeat(300);
    let (_dir, config) = config_with(|s| s.replace("\"primary\"", &format!("\"{long}\"")));
    fails_and_leaves_out_alone(&config, 2, "is 300 characters long");
}

#[test]
fn ids_that_cannot_be_served_are_refused() {
    for (id, why) in [
        (".", "starts with '.'"),
        ("..", "starts with '.'"),
        ("-x", "starts with '-'"),
        ("a..b", "contains \"..\""),
        ("Ann", "'A' is not allowed"),
        ("a/b", "'/' is not allowed"),
    ] {
        let (_dir, config) = config_with(|s| s.replace("id = \"ben\"", &format!("id = \"{id}\"")));
        let (code, err) = check(&config);
        assert_eq!(code, 2, "{id}: {err}");
        assert!(err.contains(why), "{id}: {err}");
        assert!(err.contains("rota.toml:31:6"), "{id}: {err}");
        fails_and_leaves_out_alone(&config, 2, why);
    }
}

#[test]
fn huge_and_tiny_numbers_are_refused_with_their_position() {
    for (line, expected) in [
        (
            "[[fairness.adjust]]\nmember = \"ana\"\npoints = 1e300\n",
            "`points` = 1e300 is too large",
        ),
        (
            "[fairness.weights]\nweekend = 1e300\n",
            "`weekend` = 1e300 is too large",
        ),
        (
            "[objective]\nimbalance = 1e7\n",
            "`imbalance` = 1e7 is too large",
        ),
        (
            "[rules]\nmin_rest_hours = nan\n",
            "`min_rest_hours` is not a usable number",
        ),
        (
            "[objective]\nchurn = inf\n",
            "`churn` is not a usable number",
        ),
    ] {
        let (_dir, config) = config_with(|s| format!("{s}\n{line}"));
        let (code, err) = check(&config);
        assert_eq!(code, 2, "{line}: {err}");
        assert!(err.contains(expected), "{line}: {err}");
        assert!(err.contains("rota.toml:"), "{line}: {err}");
        // `solve` refuses it too, before it could print "objective inf" and write it.
        fails_and_leaves_out_alone(&config, 2, expected);
    }
    let (_dir, config) = config_with(|s| s.replace("fte = 0.5", "fte = 1e-300"));
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`fte` must be at least 0.01"), "{err}");
}

#[test]
fn a_long_name_is_refused() {
    let long = "N".repeat(5000);
    let (_dir, config) =
        config_with(|s| s.replace("id = \"ana\"", &format!("id = \"ana\"\nname = \"{long}\"")));
    let (code, err) = check(&config);
    assert_eq!(code, 2);
    assert!(
        err.contains("`name` is 5000 characters long"),
        "{}",
        &err[..err.len().min(2000)]
    );
}

#[test]
fn a_referenced_file_is_never_quoted() {
    let secret = "ROTA_TEST_TOKEN=hunter2-secret\nsecond line\n";
    let (dir, config) = config_with(|s| {
        format!("{s}\n[holidays]\nz = {{ ics = \"env\" }}\n[fairness]\nhistory = [\"env\"]\n")
    });
    std::fs::write(dir.path().join("env"), secret).expect("write");
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!err.contains("second line"), "{err}");
    assert!(err.contains("env:1:1: not an iCalendar file"), "{err}");
    assert!(err.contains("not a rota schedule.json"), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_environment_is_not_printed() {
    let (_dir, config) =
        config_with(|s| format!("{s}\n[holidays]\nz = {{ ics = \"/proc/self/environ\" }}\n"));
    let run = rota_with_env(
        &["check", arg(&config)],
        &[("ROTA_SECRET_PROBE", "hunter2")],
    );
    expect_code(&run, 2);
    assert!(!stderr(&run).contains("hunter2"), "{}", stderr(&run));
}

#[cfg(unix)]
#[test]
fn endless_files_fail_fast_at_their_limit() {
    let (_dir, config) = config_with(|s| {
        format!(
            "{s}\n[holidays]\nz = {{ ics = \"/dev/zero\" }}\n[fairness]\nhistory = [\"/dev/zero\"]\n"
        )
    });
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 16 MiB"), "{err}");
    assert!(err.contains("larger than 256 MiB"), "{err}");
    let small = fixture("small.toml");
    for args in [
        vec!["check", "/dev/zero"],
        vec!["verify", arg(&small), "/dev/zero"],
        vec!["now", "/dev/zero"],
    ] {
        let run = rota(&args);
        expect_code(&run, 2);
        assert!(
            stderr(&run).contains("larger than"),
            "{args:?}: {}",
            stderr(&run)
        );
    }
}

#[test]
fn non_utf8_input_gets_a_position() {
    let (_dir, config) = config_with(|s| s.replace("Small Team", "Small \u{fffd}Team"));
    let bytes = std::fs::read(&config)
        .expect("read")
        .iter()
        .flat_map(|&b| if b == 0xef { vec![0xff] } else { vec![b] })
        .collect::<Vec<u8>>();
    std::fs::write(&config, bytes).expect("write");
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rota.toml:3:15: not UTF-8"), "{err}");

    let tmp = tempfile::tempdir().expect("temp dir");
    let schedule = tmp.path().join("schedule.json");
    std::fs::write(&schedule, b"{\n  \"version\": 1,\n  \"team\": \"\xff\"\n}").expect("write");
    let run = rota(&["verify", arg(&fixture("small.toml")), arg(&schedule)]);
    expect_code(&run, 2);
    assert!(
        stderr(&run).contains("schedule.json:3:12: not UTF-8"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_schedule_named_on_the_command_line_is_placed_not_quoted() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let schedule = tmp.path().join("schedule.json");
    std::fs::write(&schedule, "{\n  \"version\": \"hunter2-secret\"\n}").expect("write");
    let run = rota(&["verify", arg(&fixture("small.toml")), arg(&schedule)]);
    expect_code(&run, 2);
    let err = stderr(&run);
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("schedule.json:2:29: not a rota schedule.json: a value has the wrong type"),
        "{err}"
    );
}

#[test]
fn a_misspelled_tag_is_an_error_with_a_suggestion() {
    let (_dir, config) = config_with(|s| {
        s.replace("id = \"ana\"", "id = \"ana\"\ntags = [\"senior\"]")
            .replace(
                "handoff = \"09:00\"",
                "handoff = \"09:00\"\neligible = { any_tags = [\"seinor\"] }",
            )
    });
    let (code, err) = check(&config);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown tag \"seinor\""), "{err}");
    assert!(err.contains("did you mean \"senior\"?"), "{err}");
}

#[test]
fn check_exits_3_when_a_shift_cannot_be_staffed() {
    let (code, err) = check(&fixture("infeasible.toml"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot be staffed"), "{err}");
    let (code, err) = check(&fixture("small.toml"));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn every_output_path_problem_exits_2_before_solving() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").expect("write");
    for out in [file.clone(), file.join("out"), file.join("a/b")] {
        let run = rota(&["solve", arg(&fixture("small.toml")), "-o", arg(&out)]);
        expect_code(&run, 2);
        assert!(stderr(&run).contains("cannot write"), "{}", stderr(&run));
        assert!(!stderr(&run).contains("solving"), "{}", stderr(&run));
    }
    assert_eq!(std::fs::read(&file).expect("read"), b"x");
}

#[cfg(unix)]
#[test]
fn an_unwritable_output_directory_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    // Root writes anyway; the check only means something for other users.
    if tempfile::tempfile_in(&out).is_ok() {
        return;
    }
    let run = rota(&["solve", arg(&fixture("small.toml")), "-o", arg(&out)]);
    expect_code(&run, 2);
    assert!(stderr(&run).contains("cannot write"), "{}", stderr(&run));
}

#[test]
fn stale_temp_files_of_a_killed_run_are_removed_by_the_next() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    solve(&fixture("small.toml"), &out, &["--quiet"]);
    // What a run killed between writing and renaming leaves (its pid long gone).
    let stale = [
        out.join(".rota-tmp-4294967294-a1b2c3"),
        out.join("calendars/.rota-tmp-4294967294-d4e5f6"),
    ];
    let foreign = out.join(".tmp-not-ours");
    for f in stale.iter().chain([&foreign]) {
        std::fs::write(f, "half").expect("write");
    }
    solve(&fixture("small.toml"), &out, &["--quiet"]);
    assert!(stale.iter().all(|f| !f.exists()));
    assert!(foreign.exists());
}

#[test]
fn a_maxed_sequence_is_an_error_not_a_silent_saturation() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let first = tmp.path().join("first");
    solve(&fixture("small.toml"), &first, &["--quiet"]);
    let previous = first.join("schedule.json");
    let mut json = read_json(&previous);
    json["shifts"][0]["sequence"] = serde_json::json!(u32::MAX);
    write_json(&previous, &json);
    let out = tmp.path().join("second");
    let run = rota(&[
        "solve",
        arg(&fixture("small.toml")),
        "-o",
        arg(&out),
        "--previous",
        arg(&previous),
    ]);
    expect_code(&run, 2);
    assert!(stderr(&run).contains("SEQUENCE"), "{}", stderr(&run));
    assert!(!out.exists());
}
