//! Tiny hand-made problems for the solver's unit tests: shifts given in hours, in UTC,
//! every cell after-hours and worth its hours in points.

use chrono::{Duration, TimeZone, Utc};

use super::{period, weekly};
use crate::config::{Config, Layer, Member, ObjectiveWeights, Rules};
use crate::problem::{Cell, ClassHours, Problem, Shift};

/// `shifts` are (layer, start hour, length in hours) from 2027-01-04 00:00 UTC, given in
/// start order.
pub(crate) fn problem(members: usize, shifts: &[(usize, i64, i64)], rules: Rules) -> Problem {
    let base = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
    let layers = shifts.iter().map(|s| s.0 + 1).max().unwrap_or(1);
    let mut seq = vec![0; layers];
    let shift_list: Vec<Shift> = shifts
        .iter()
        .map(|&(layer, start_h, hours)| {
            let start = base + Duration::hours(start_h);
            seq[layer] += 1;
            Shift {
                layer,
                start,
                end: start + Duration::hours(hours),
                local_start: start.naive_utc(),
                per_shift: 1,
                seq_in_layer: seq[layer] - 1,
            }
        })
        .collect();
    let cells = shifts
        .iter()
        .map(|&(_, _, hours)| {
            (0..members)
                .map(|_| Cell {
                    hours: ClassHours {
                        after_hours: hours as f64,
                        ..ClassHours::default()
                    },
                    points: hours as f64,
                    after_hours: true,
                    prefer_off: false,
                    earlier_pairs: 0,
                    blocked: None,
                })
                .collect()
        })
        .collect();
    Problem {
        shifts: shift_list,
        cells,
        ..Problem::empty(&config(members, layers, rules))
    }
}

/// Objective weights that count the total load only (times `weight`), nothing else.
pub(crate) fn only_total_load(weight: f64) -> ObjectiveWeights {
    ObjectiveWeights {
        imbalance: 0.0,
        deviation: 0.0,
        back_to_back_after_hours: 0.0,
        total_load: weight,
        prefer_off: 0.0,
        churn: 0.0,
    }
}

/// `members` members `m0`, `m1`, … and `layers` layers `l0`, `l1`, … in UTC.
fn config(members: usize, layers: usize, rules: Rules) -> Config {
    let tz = chrono_tz::UTC;
    Config {
        layers: (0..layers)
            .map(|l| Layer::new(&format!("l{l}"), weekly("09:00"), tz))
            .collect(),
        members: (0..members)
            .map(|m| Member::new(&format!("m{m}"), tz))
            .collect(),
        rules,
        ..Config::new("unit", tz, period("2027-01-04", "2027-02-01"))
    }
}
