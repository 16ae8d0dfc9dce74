//! Readers of what `rota solve` writes: the seats of a schedule.json and the events of an
//! .ics feed, sorted, for comparing two solves.

use std::path::Path;

use serde_json::Value;

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
