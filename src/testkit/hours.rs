//! Tiny hand-made problems for the solver's unit tests: shifts given in hours, in UTC,
//! every cell after-hours and worth its hours in points.

use std::ops::Range;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::Strategy;

use super::{period, weekly};
use crate::config::{Config, Layer, Member, ObjectiveWeights, Rules};
use crate::problem::{Cell, ClassHours, Exclusion, Problem, Shift};

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

/// `count` shifts of `hours` hours in one layer, one every `every` hours from the start,
/// for `members` members under the default rules.
pub(crate) fn evenly(members: usize, count: i64, every: i64, hours: i64) -> Problem {
    let shifts: Vec<(usize, i64, i64)> = (0..count).map(|i| (0, i * every, hours)).collect();
    problem(members, &shifts, Rules::default())
}

/// A shift a day of each of `hours` in layer 0, from 00:00; with `overlap` (a day before
/// the last), a 30-hour shift of layer 1 from 06:00 that day, so it overlaps two days.
pub(crate) fn days(hours: &[i64], overlap: Option<usize>) -> Vec<(usize, i64, i64)> {
    let mut shifts: Vec<(usize, i64, i64)> = (0..hours.len())
        .map(|i| (0, i as i64 * 24, hours[i]))
        .collect();
    if let Some(day) = overlap.filter(|&d| d + 1 < hours.len()) {
        shifts.push((1, day as i64 * 24 + 6, 30));
        shifts.sort_by_key(|s| (s.1, s.0));
    }
    shifts
}

/// Varies the cells of a property test's problem by tables drawn once for any size: the
/// pair (shift s, member m) reads entry (s * 3 + m) % 24 of each. Prefer-off days,
/// points added, and blocked pairs; member 0 is never blocked, so every shift keeps a
/// candidate.
pub(crate) fn vary(
    problem: &mut Problem,
    prefer_off: Option<&[bool]>,
    extra_points: Option<&[i64]>,
    blocked: &[bool],
) {
    for (s, row) in problem.cells.iter_mut().enumerate() {
        for (m, cell) in row.iter_mut().enumerate() {
            let k = (s * 3 + m) % 24;
            if let Some(prefer_off) = prefer_off {
                cell.prefer_off = prefer_off[k];
            }
            if let Some(extra) = extra_points {
                cell.points += extra[k] as f64;
            }
            if m > 0 && blocked[k] {
                cell.blocked = Some(Exclusion::NotEmployed);
            }
        }
    }
}

/// The problems the bound's property tests draw: `members` people over 3 to 6 [`days`]
/// of `hours`, sometimes with a second layer's shift overlapping two days; member 0 at a
/// capacity of 1, 0.5 or 0.75; cells varied by [`vary`] with prefer-off days and
/// blocked pairs (chance 0.2 each), sometimes with up to 3 points more per pair, as
/// members in other zones would get.
pub(crate) fn varied_days(
    members: Range<usize>,
    hours: Range<i64>,
) -> impl Strategy<Value = Problem> {
    (
        members,
        proptest::collection::vec(hours, 3..7),
        proptest::collection::vec(proptest::bool::weighted(0.2), 24),
        proptest::collection::vec(proptest::bool::weighted(0.2), 24),
        proptest::option::of(0usize..5),
        proptest::sample::select(vec![1.0, 0.5, 0.75]),
        proptest::option::of(proptest::collection::vec(0i64..4, 24)),
    )
        .prop_map(
            |(members, hours, prefer_off, blocked, overlap, capacity, zoned)| {
                let mut problem = problem(members, &days(&hours, overlap), Rules::default());
                problem.capacity[0] = capacity;
                vary(&mut problem, Some(&prefer_off), zoned.as_deref(), &blocked);
                problem
            },
        )
}

/// The bounds' property tests' teams: [`varied_days`] of 2–4 people, and on top a rest
/// rule, history on the last member, the last member outside fairness (capacity 0), and
/// a pin where that cell is open.
pub(crate) fn varied_for_bounds() -> impl Strategy<Value = Problem> {
    (
        varied_days(2..5, 8..24),
        proptest::sample::select(vec![0.0, 12.0, 40.0]),
        proptest::option::of((0usize..7, 0usize..4)),
        proptest::sample::select(vec![0.0, 12.0]),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(mut problem, history, pin, rest, outside)| {
            let (shifts, members) = (problem.shifts.len(), problem.members());
            problem.rules.min_rest_hours = rest;
            problem.history[members - 1] = history;
            if outside {
                problem.capacity[members - 1] = 0.0;
            }
            let open = |&(s, m): &(usize, usize)| {
                s < shifts && m < members && problem.cells[s][m].blocked.is_none()
            };
            if let Some(pinned) = pin.filter(open) {
                problem.pins.push(pinned);
            }
            problem
        })
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
