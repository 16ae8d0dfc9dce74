//! Invalid configs run through the real binary as data: every file in
//! `tests/fixtures/broken/` has one defect, marked `# <- defect` on its line; `rota check`
//! must exit 2, name that line, and print a message that is snapshotted (one snapshot per
//! file).

use std::path::PathBuf;

use crate::support::{root, rota, toml_files};

const MARK: &str = "# <- defect";

/// The broken configs, relative to the crate root.
fn broken_files() -> Vec<PathBuf> {
    toml_files(&root().join("tests/fixtures/broken"))
        .into_iter()
        .map(|p| p.strip_prefix(root()).expect("under root").to_path_buf())
        .collect()
}

fn assert_no_panic(stderr: &str) {
    for needle in ["panicked", "RUST_BACKTRACE", "stack backtrace", "unwrap()"] {
        assert!(!stderr.contains(needle), "panic text in:\n{stderr}");
    }
}

#[test]
fn every_broken_config_is_rejected_at_its_line() {
    let files = broken_files();
    assert!(files.len() >= 18, "only {} broken configs", files.len());
    for file in files {
        let rel = file.to_str().expect("UTF-8 path");
        let text = std::fs::read_to_string(root().join(&file)).expect("readable");
        let marked: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(MARK))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(marked.len(), 1, "{rel} must mark exactly one defect line");
        let line = marked[0];

        let out = rota(&["check", rel]);
        let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
        assert_eq!(out.status.code(), Some(2), "{rel}:\n{stderr}");
        assert!(out.stdout.is_empty(), "{rel} printed to stdout");
        assert_no_panic(&stderr);
        assert!(
            stderr.contains(&format!("{rel}:{line}:")),
            "{rel}: expected the defect at line {line}:\n{stderr}"
        );
        assert!(stderr.contains("help: "), "{rel} gives no fix:\n{stderr}");
        assert!(
            stderr.ends_with("is not a valid rota config (1 problem)\n"),
            "{rel} should have exactly one problem:\n{stderr}"
        );
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        insta::assert_snapshot!(name, stderr);
    }
}

#[test]
fn three_defects_are_all_reported_in_one_run() {
    let rel = "tests/fixtures/config/three_defects.toml";
    let out = rota(&["check", rel]);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_no_panic(&stderr);
    // The zone (line 4), the weekday (line 17) and the pin's member (line 25).
    for (line, what) in [
        (4, "unknown time zone \"America/New_Yrok\""),
        (17, "\"frei\" is not a weekday"),
        (25, "unknown member \"zed\""),
    ] {
        assert!(
            stderr.contains(&format!("{rel}:{line}:")),
            "line {line}:\n{stderr}"
        );
        assert!(stderr.contains(what), "{what}:\n{stderr}");
    }
    assert!(stderr.ends_with("(3 problems)\n"), "{stderr}");
    // In file order.
    let zone = stderr.find("America/New_Yrok").unwrap_or(usize::MAX);
    let day = stderr.find("\"frei\"").unwrap_or(0);
    assert!(zone < day, "{stderr}");
}

#[test]
fn unreadable_configs_are_invalid_input() {
    let out = rota(&["check", "tests/fixtures/config/does-not-exist.toml"]);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("cannot read config tests/fixtures/config/does-not-exist.toml"));

    let dir = tempfile::tempdir().expect("temp dir");
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"[team]\nname = \"\xff\xfe\"\n").expect("write");
    let out = rota(&["check", binary.to_str().expect("UTF-8 path")]);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("binary.toml:2:9: not UTF-8 text"),
        "{stderr}"
    );
    assert_no_panic(&stderr);
}
