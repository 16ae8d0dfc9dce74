//! Shared by the re-solve, ledger and swap tests: run the real binary with a fixed
//! "now", read back schedule.json and calendar feeds, edit configs as text.

#![allow(dead_code)] // each test binary uses a different part

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// 2027-01-01T00:00:00Z: "now" for every run, before every test period, so nothing is
/// frozen unless a test says `--freeze-until`.
pub const EPOCH: &str = "1798761600";

/// A short limit keeps the suite fast on a shared machine; the test teams are small.
pub const TIME_LIMIT: &str = "2";

pub fn rota() -> Command {
    let mut cmd = Command::cargo_bin("rota").expect("the rota binary is built");
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    cmd
}

/// `rota solve CONFIG -o OUT EXTRA...`, which must succeed; returns schedule.json.
pub fn solve(config: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut cmd = rota();
    cmd.arg("solve")
        .arg(config)
        .arg("-o")
        .arg(out)
        .args(["--time-limit", TIME_LIMIT, "--quiet"])
        .args(extra);
    let output = cmd.output().expect("rota runs");
    assert!(
        output.status.success(),
        "rota solve {} {extra:?} failed ({:?}):\n{}",
        config.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    read_json(&out.join("schedule.json"))
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// One seat of schedule.json.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seat {
    pub layer: String,
    pub start: String,
    pub end: String,
    pub member: String,
    pub uid: String,
    pub sequence: u64,
}

pub fn seats(schedule: &Value) -> Vec<Seat> {
    let text = |v: &Value, k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("{k} in {v}"))
            .to_string()
    };
    let mut out: Vec<Seat> = schedule["shifts"]
        .as_array()
        .expect("shifts is a list")
        .iter()
        .map(|s| Seat {
            layer: text(s, "layer"),
            start: text(s, "start"),
            end: text(s, "end"),
            member: text(s, "member"),
            uid: text(s, "uid"),
            sequence: s["sequence"].as_u64().expect("sequence is a number"),
        })
        .collect();
    out.sort();
    out
}

/// The VEVENTs of an .ics file: UID, SEQUENCE, STATUS (unfolded, CRLF or LF).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub uid: String,
    pub sequence: u64,
    pub status: String,
}

pub fn events(path: &Path) -> Vec<Event> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let unfolded = text
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut current: Option<Event> = None;
    for line in unfolded.lines() {
        match line {
            "BEGIN:VEVENT" => {
                current = Some(Event {
                    uid: String::new(),
                    sequence: 0,
                    status: String::new(),
                })
            }
            "END:VEVENT" => out.extend(current.take()),
            _ => {
                let Some(event) = current.as_mut() else {
                    continue;
                };
                let Some((name, value)) = line.split_once(':') else {
                    continue;
                };
                match name.split(';').next().unwrap_or(name) {
                    "UID" => event.uid = value.to_string(),
                    "SEQUENCE" => event.sequence = value.parse().expect("SEQUENCE is a number"),
                    "STATUS" => event.status = value.to_string(),
                    _ => {}
                }
            }
        }
    }
    out.sort();
    out
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

/// `rota diff OLD NEW --json`.
pub fn diff(old: &Path, new: &Path) -> Value {
    let out = rota()
        .arg("diff")
        .arg(old)
        .arg(new)
        .arg("--json")
        .output()
        .expect("rota runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("diff --json prints JSON")
}

/// A fresh, empty directory `CARGO_TARGET_TMPDIR/<suite>/<name>` for one test's outputs.
pub fn work_dir(suite: &str, name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a work dir");
    dir
}
