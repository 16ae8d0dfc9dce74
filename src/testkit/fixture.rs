//! A small hand-built problem for the unit tests of the schedule builder and the verifier:
//! 4 members, 4 days, a one-person layer `primary` and a two-person layer `pair`, both
//! daily 09:00 UTC, so every day three of the four are on call.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::config::{Config, DateRule, Layer, Member, Period, Rotation};
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::{Evaluation, evaluate};
use crate::problem::{Cell, ClassHours, Exclusion, Problem, Shift};
use crate::schedule::Schedule;
use crate::solver::{Solution, SolveStatus};
use proptest::prelude::*;

pub(crate) const DAYS: usize = 4;
/// The day `c` is unavailable (0-based).
pub(crate) const C_AWAY: usize = 3;

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, d).expect("valid date")
}

fn time(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("valid time")
}

fn member(id: &str) -> Member {
    Member {
        name: id.to_uppercase(),
        ..Member::new(id, chrono_tz::UTC)
    }
}

fn layer(name: &str, per_shift: u32) -> Layer {
    Layer {
        per_shift,
        ..Layer::new(name, Rotation::Daily { handoff: time(9) }, chrono_tz::UTC)
    }
}

pub(crate) fn config() -> Config {
    let mut c = member("c");
    c.fte = 0.5;
    c.unavailable.push(DateRule::Date {
        date: date(4 + C_AWAY as u32),
        reason: Some("dentist".into()),
    });
    let period = Period {
        start: date(4),
        end: date(8),
    };
    Config {
        path: "team.toml".into(),
        sha256: "ab".repeat(32),
        layers: vec![layer("primary", 1), layer("pair", 2)],
        members: vec![member("a"), member("b"), c, member("d")],
        ..Config::new("Test Team", chrono_tz::UTC, period)
    }
}

/// Points differ per member (as by their local time) and include a third of a point,
/// so rounding shows.
fn cell(member: usize, day: usize) -> Cell {
    let hours = match member {
        0 => ClassHours {
            business: 8.0,
            after_hours: 16.0,
            ..ClassHours::default()
        },
        1 => ClassHours {
            weekend: 24.0,
            ..ClassHours::default()
        },
        2 => ClassHours {
            business: 8.0,
            after_hours: 8.0,
            holiday: 8.0,
            ..ClassHours::default()
        },
        _ => ClassHours {
            business: 23.0,
            after_hours: 1.0,
            ..ClassHours::default()
        },
    };
    let points = hours.points(&Default::default()) + 1.0 / 3.0;
    Cell {
        hours,
        points,
        after_hours: true,
        prefer_off: member == 0 && day == 0,
        earlier_pairs: 0,
        blocked: (member == 2 && day == C_AWAY).then(|| Exclusion::Unavailable {
            date: date(4 + C_AWAY as u32),
            reason: Some("dentist".into()),
        }),
    }
}

pub(crate) fn start(day: usize) -> DateTime<Utc> {
    date(4).and_time(time(9)).and_utc() + Duration::days(day as i64)
}

pub(crate) fn problem() -> Problem {
    let config = config();
    let mut shifts = Vec::new();
    let mut cells = Vec::new();
    for day in 0..DAYS {
        for (l, layer) in config.layers.iter().enumerate() {
            shifts.push(Shift {
                layer: l,
                start: start(day),
                end: start(day + 1),
                local_start: start(day).naive_utc(),
                per_shift: layer.per_shift,
                seq_in_layer: day,
            });
            cells.push((0..4).map(|m| cell(m, day)).collect());
        }
    }
    Problem {
        shifts,
        cells,
        capacity: vec![1.0, 1.0, 0.5, 1.0],
        history: vec![0.0, 10.0, 0.0, 0.0],
        ..Problem::empty(&config)
    }
}

/// Shift index of (day, layer) in [`problem`].
pub(crate) fn shift(day: usize, layer: usize) -> usize {
    day * 2 + layer
}

/// A valid assignment: per day (primary, pair).
pub(crate) fn assignment() -> Assignment {
    let days = [(0, [1, 2]), (1, [2, 3]), (2, [0, 3]), (3, [0, 1])];
    let mut a = Assignment::empty(DAYS * 2);
    for (day, (primary, pair)) in days.into_iter().enumerate() {
        a.members[shift(day, 0)] = vec![primary];
        a.members[shift(day, 1)] = pair.to_vec();
    }
    a
}

pub(crate) fn solution(problem: &Problem, assignment: Assignment) -> (Solution, Evaluation) {
    let evaluation = evaluate(problem, &assignment, None);
    let solution = Solution {
        assignment,
        status: SolveStatus::Optimal,
        objective: evaluation.objective,
        bound: evaluation.objective,
        gap: 0.0,
        seconds: 0.123_456_78,
    };
    (solution, evaluation)
}

pub(crate) fn generated_at() -> DateTime<Utc> {
    date(1).and_time(time(12)).and_utc()
}

/// The schedule.json of [`problem`] solved as [`assignment`].
pub(crate) fn solved() -> Schedule {
    schedule(&problem(), assignment())
}

pub(crate) fn schedule(problem: &Problem, assignment: Assignment) -> Schedule {
    let (solution, evaluation) = solution(problem, assignment);
    written(problem, &solution, &evaluation)
}

/// The schedule.json of a solution, written at [`generated_at`] with no previous one.
pub(crate) fn written(problem: &Problem, solution: &Solution, evaluation: &Evaluation) -> Schedule {
    Schedule::build(
        &config(),
        problem,
        solution,
        evaluation,
        generated_at(),
        None,
    )
}

/// The schedule.json of `assignment` re-solved from `previous`, written when it was.
pub(crate) fn resolved(problem: &Problem, assignment: Assignment, previous: &Schedule) -> Schedule {
    let (solution, evaluation) = solution(problem, assignment);
    let at = previous.generated_at;
    Schedule::build(
        &config(),
        problem,
        &solution,
        &evaluation,
        at,
        Some(previous),
    )
}

/// Every valid assignment of the fixture: per day, a permutation of the members who
/// can work (c is away on day 3), first on primary, next two on pair.
pub(crate) fn valid_assignment() -> impl Strategy<Value = Assignment> {
    let day = Just(vec![0usize, 1, 2, 3]).prop_shuffle();
    proptest::collection::vec(day, DAYS).prop_map(|days| {
        let mut a = Assignment::empty(DAYS * 2);
        for (d, order) in days.into_iter().enumerate() {
            let working: Vec<usize> = order
                .into_iter()
                .filter(|&m| !(m == 2 && d == C_AWAY))
                .take(3)
                .collect();
            a.members[shift(d, 0)] = vec![working[0]];
            let mut pair = vec![working[1], working[2]];
            pair.sort_unstable();
            a.members[shift(d, 1)] = pair;
        }
        a
    })
}
