//! Running the real `rota` binary on the fixtures in `tests/fixtures/solve/`.

#![allow(dead_code)] // Each test binary uses a different part of this.

use std::path::{Path, PathBuf};
use std::process::Output;

/// A fixed "now" so every run writes the same bytes (SPEC §4: same input, same output).
pub const EPOCH: &str = "1798761600"; // 2027-01-01T00:00:00Z

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/solve")
        .join(name)
}

/// The feasible fixtures: every one of them must solve and verify.
pub fn feasible_fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/solve");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("infeasible"))
        })
        .collect();
    out.sort();
    out
}

pub fn rota(args: &[&str]) -> Output {
    rota_with_env(args, &[])
}

/// `rota ARGS…` with these environment variables set as well.
pub fn rota_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("rota");
    cmd.args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().copied());
    cmd.output().expect("rota runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn expect_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// `rota solve CONFIG -o DIR --time-limit 10 EXTRA…`, expected to succeed. The fixtures
/// are proven optimal in well under a second; the generous limit keeps them optimal (and
/// so deterministic) on a loaded machine.
pub fn solve(config: &Path, dir: &Path, extra: &[&str]) -> Output {
    solve_with_env(config, dir, extra, &[])
}

/// [`solve`] with these environment variables set as well.
pub fn solve_with_env(config: &Path, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "solve",
        config.to_str().expect("utf-8 path"),
        "-o",
        dir.to_str().expect("utf-8 path"),
        "--time-limit",
        "10",
    ];
    args.extend(extra);
    let out = rota_with_env(&args, env);
    expect_code(&out, 0);
    out
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("readable json");
    serde_json::from_str(&text).expect("valid json")
}

pub fn write_json(path: &Path, value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).expect("serializes");
    std::fs::write(path, text).expect("writable");
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}
