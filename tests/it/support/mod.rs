//! What the integration tests share: one way to run the binary (with a fixed "now"),
//! paths to the fixtures, JSON and file helpers; a hand-built team with its schedule
//! ([`team`]), hand-built solver problems ([`problems`]), and readers of what `rota solve`
//! writes ([`seats`]).

// Each area uses part of this module.
#![allow(dead_code)]

pub mod problems;
pub mod seats;
pub mod team;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

/// A fixed "now", 2027-01-01T00:00:00Z, so every run writes the same bytes
/// (docs/objective.md, "Determinism"). It lies before every test period, so nothing is
/// frozen unless a test says `--freeze-until`.
pub const EPOCH: &str = "1798761600";

/// The crate root: every run starts there, so paths in messages are relative and stable.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/solve/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/solve").join(name)
}

/// The feasible fixtures: every one of them must solve and verify.
pub fn feasible_fixtures() -> Vec<PathBuf> {
    toml_files(&root().join("tests/fixtures/solve"))
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("infeasible"))
        })
        .collect()
}

/// The `.toml` files directly in `dir`, sorted.
pub fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    out.sort();
    out
}

/// The `rota` binary, run from the crate root with "now" at [`EPOCH`] and no backtrace:
/// the one way the tests run it.
pub fn cmd() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("rota");
    cmd.current_dir(root())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("RUST_BACKTRACE")
        .env_remove("ROTA_LOG");
    cmd
}

/// [`cmd`] (its program, arguments, environment and directory) as a process a test starts
/// and keeps running, such as a server, which `assert_cmd` cannot do: run through `sh -c`
/// after `shell` (e.g. `ulimit -n 64`; empty for nothing), with its standard streams as
/// the test sets them.
pub fn background(cmd: &assert_cmd::Command, shell: &str) -> std::process::Command {
    let mut process = std::process::Command::new("sh");
    process
        .arg("-c")
        .arg(format!("{shell}\nexec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => process.env(key, value),
            None => process.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        process.current_dir(dir);
    }
    process
}

/// `rota ARGS…`, whatever its exit code.
pub fn rota(args: &[&str]) -> Output {
    cmd().args(args).output().expect("rota runs")
}

/// `rota ARGS…` with these environment variables set as well.
pub fn rota_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    cmd()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("rota runs")
}

/// A path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that `text` contains `needle`, showing the whole text when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

/// Asserts that every one of `expected` is among `items`.
#[track_caller]
pub fn assert_includes<T: PartialEq<U> + std::fmt::Debug, U: std::fmt::Debug>(
    items: &[T],
    expected: &[U],
) {
    for want in expected {
        assert!(
            items.iter().any(|item| item == want),
            "{want:?} not in {items:?}"
        );
    }
}

/// The items, sorted: for comparing what a test collected in no particular order.
pub fn sorted<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    items.sort();
    items
}

/// The names of the entries of `dir` (not recursive), sorted.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    sorted(
        std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()),
    )
}

/// The string `key` of each item of a JSON list, in order.
pub fn strings_of<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .expect("a JSON list")
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} is a string"))
        })
        .collect()
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

/// `rota solve CONFIG -o DIR EXTRA…`, whatever its exit code.
pub fn try_solve(config: &Path, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["solve", arg(config), "-o", arg(dir)];
    args.extend(extra);
    rota(&args)
}

/// `rota solve CONFIG -o DIR --time-limit 10 EXTRA…`, expected to succeed. The fixtures
/// are proven optimal in well under a second; the generous limit keeps them optimal (and
/// so deterministic) on a loaded machine.
pub fn solve(config: &Path, dir: &Path, extra: &[&str]) -> Output {
    solve_with_env(config, dir, extra, &[])
}

/// [`solve`] with these environment variables set as well.
pub fn solve_with_env(config: &Path, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["solve", arg(config), "-o", arg(dir), "--time-limit", "10"];
    args.extend(extra);
    let out = rota_with_env(&args, env);
    expect_code(&out, 0);
    out
}

/// A short limit keeps the larger teams of the re-solve tests fast on a shared machine.
pub const QUICK_LIMIT: &str = "2";

/// `rota solve CONFIG -o DIR --time-limit 2 --quiet EXTRA…`, which must succeed;
/// returns the schedule.json it wrote.
pub fn solve_quick(config: &Path, dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "solve",
        arg(config),
        "-o",
        arg(dir),
        "--time-limit",
        QUICK_LIMIT,
        "--quiet",
    ];
    args.extend(extra);
    let out = rota(&args);
    expect_code(&out, 0);
    read_json(&dir.join("schedule.json"))
}

/// The first solve of `tests/fixtures/resolve-team.toml` (a quarter, three zones), shared
/// by the re-solve and swap tests: its output directory and schedule.json.
pub fn resolve_team() -> &'static (PathBuf, Value) {
    static BASE: OnceLock<(PathBuf, Value)> = OnceLock::new();
    BASE.get_or_init(|| {
        let out = work_dir("resolve-team", "base");
        let schedule = solve_quick(&root().join(RESOLVE_TEAM), &out, &[]);
        (out, schedule)
    })
}

/// The config of [`resolve_team`], relative to the crate root.
pub const RESOLVE_TEAM: &str = "tests/fixtures/resolve-team.toml";

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

pub fn write_json(path: &Path, value: &Value) {
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

/// A fresh, empty directory `CARGO_TARGET_TMPDIR/<area>/<name>` for one test's outputs.
pub fn work_dir(area: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(area).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a work dir");
    dir
}

/// `text` with `line` inserted after the first line equal to `anchor`.
pub fn insert_after(text: &str, anchor: &str, line: &str) -> String {
    let mut out = String::with_capacity(text.len() + line.len() + 1);
    let mut done = false;
    for l in text.lines() {
        out.push_str(l);
        out.push('\n');
        if !done && l == anchor {
            out.push_str(line);
            out.push('\n');
            done = true;
        }
    }
    assert!(done, "no line {anchor:?} in the config");
    out
}

/// `rota diff OLD NEW --json`, which must succeed.
pub fn diff(old: &Path, new: &Path) -> Value {
    let out = rota(&["diff", arg(old), arg(new), "--json"]);
    expect_code(&out, 0);
    serde_json::from_slice(&out.stdout).expect("diff --json prints JSON")
}
