//! The fairness ledger: configs/quarter2.toml carries the points of the first quarter
//! (configs/history/2027Q1-schedule.json, solved from configs/example.toml) into the
//! second, so those who carried more in Q1 carry less in Q2 than they would without it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{cmd, read_json, solve_quick as solve};

const QUARTER2: &str = "configs/quarter2.toml";
const Q1: &str = "configs/history/2027Q1-schedule.json";

fn work_dir(name: &str) -> PathBuf {
    crate::support::work_dir("ledger", name)
}

/// Per member id: (load, history, capacity) from schedule.json.
fn members(schedule: &Value) -> BTreeMap<String, (f64, f64, f64)> {
    schedule["members"]
        .as_array()
        .expect("members is a list")
        .iter()
        .map(|m| {
            let num = |k: &str| m[k].as_f64().unwrap_or_else(|| panic!("{k} in {m}"));
            (
                m["id"].as_str().expect("id").to_string(),
                (num("load"), num("history"), num("capacity")),
            )
        })
        .collect()
}

#[test]
fn quarter2_counts_q1_points_and_evens_them_out() {
    // The ledger as the config states it: Q1 points per member, plus bob's adjustment.
    let mut ledger: BTreeMap<String, f64> = BTreeMap::new();
    for seat in read_json(Path::new(Q1))["shifts"]
        .as_array()
        .expect("the history file has shifts")
    {
        *ledger
            .entry(seat["member"].as_str().expect("member").to_string())
            .or_default() += seat["points"].as_f64().expect("points");
    }
    *ledger.entry("bob".into()).or_default() -= 40.0;

    let with_dir = work_dir("with-history");
    let with = members(&solve(Path::new(QUARTER2), &with_dir, &[]));
    cmd()
        .arg("verify")
        .arg(QUARTER2)
        .arg(with_dir.join("schedule.json"))
        .assert()
        .success();
    // Frieda left in Q1: her points stay in the file but she is not in the team.
    assert!(ledger.contains_key("frieda") && !with.contains_key("frieda"));
    for (id, &(_, history, _)) in &with {
        let expected = ledger.get(id).copied().unwrap_or(0.0);
        assert!(
            (history - expected).abs() < 1e-6,
            "{id}: history {history}, Q1 points {expected}"
        );
    }

    // The same quarter without the ledger (the adjustment is kept: only history differs).
    let without_dir = work_dir("without-history");
    let text = std::fs::read_to_string(QUARTER2).expect("read quarter2");
    let history_line = "history = [\"history/2027Q1-schedule.json\"]";
    assert!(text.contains(history_line));
    let config = without_dir.join("quarter2.toml");
    std::fs::write(&config, text.replace(history_line, "history = []")).expect("write");
    std::fs::copy(
        "configs/holidays-de.ics",
        without_dir.join("holidays-de.ics"),
    )
    .expect("copy the holiday file the config names");
    let without = members(&solve(&config, &without_dir.join("out"), &[]));

    // Dan joined in February, so he has the fewest Q1 points per capacity: he catches up.
    let per_capacity = |id: &str| with[id].1 / with[id].2;
    let lowest = with
        .keys()
        .min_by(|a, b| per_capacity(a).total_cmp(&per_capacity(b)))
        .expect("members");
    assert_eq!(lowest, "dan");
    assert!(
        with["dan"].0 > without["dan"].0 + 100.0,
        "dan carries {} with the ledger, {} without",
        with["dan"].0,
        without["dan"].0
    );
    // Those above the team's Q1 average carry less, together, than without the ledger.
    let average = with.values().map(|m| m.1).sum::<f64>() / with.values().map(|m| m.2).sum::<f64>();
    let high: Vec<&String> = with
        .keys()
        .filter(|id| per_capacity(id) > average)
        .collect();
    assert!(high.len() >= 2, "{high:?}");
    let load =
        |side: &BTreeMap<String, (f64, f64, f64)>| high.iter().map(|id| side[*id].0).sum::<f64>();
    assert!(
        load(&with) < load(&without) - 100.0,
        "{high:?} carry {} with the ledger, {} without",
        load(&with),
        load(&without)
    );
}
