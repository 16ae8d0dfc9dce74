//! Config → Problem: shifts, per-member cells, capacity, history, pins.

use chrono::{DateTime, Utc};

use crate::config::{Config, EarlierSeat, Layer, Pin, PinStart};
use crate::time::availability::{capacity, exclusion, prefers_off};
use crate::time::calendar::MemberCalendar;
use crate::time::classify::classify_days;
use crate::time::local::day_start;
use crate::time::shifts::layer_shifts;

use super::{Cell, Exclusion, Problem, Shift, earlier};

/// A config that cannot become a problem (a pin that matches no shift or pins someone who
/// cannot take it), already rendered for people with the line and a fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

/// Builds the problem: every layer's shifts in UTC, sorted by (start, layer); for every
/// (shift, member) pair the class hours, points, after-hours and prefer-off flags and
/// the first reason they cannot take it; capacity and history per member; the seats of
/// the history files that reach into the period; pins matched.
pub fn build(config: &Config) -> Result<Problem, BuildError> {
    build_with(config, &[])
}

/// [`build`], with more seats before the period than the history files have: those of
/// the previous schedule of a re-solve.
pub fn build_with(config: &Config, previous: &[EarlierSeat]) -> Result<Problem, BuildError> {
    let mut shifts: Vec<Shift> = config
        .layers
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer_shifts(i, layer, config.period))
        .collect();
    shifts.sort_by_key(|s| (s.start, s.layer, s.seq_in_layer));

    let team_tz = config.team.timezone;
    let period_start = day_start(team_tz, config.period.start);
    let period_end = day_start(team_tz, config.period.end);
    let span_start = shifts
        .iter()
        .map(|s| s.start)
        .min()
        .map_or(period_start, |s| s.min(period_start));
    let span_end = shifts
        .iter()
        .map(|s| s.end)
        .max()
        .map_or(period_end, |e| e.max(period_end));

    let calendars: Vec<MemberCalendar> = config
        .members
        .iter()
        .map(|m| MemberCalendar::new(m, span_start, span_end))
        .collect();

    let weights = config.fairness.weights;
    let mut cells: Vec<Vec<Cell>> = shifts
        .iter()
        .map(|shift| {
            let layer = &config.layers[shift.layer];
            calendars
                .iter()
                .map(|cal| {
                    let member = cal.member();
                    let touched = cal.touched(shift.start, shift.end);
                    let classified = classify_days(&touched, shift.start, shift.end);
                    Cell {
                        hours: classified.hours,
                        points: classified.hours.points(&weights),
                        after_hours: classified.after_hours,
                        prefer_off: prefers_off(member, &touched),
                        earlier_pairs: 0,
                        blocked: exclusion(member, layer, &config.rules, &touched),
                    }
                })
                .collect()
        })
        .collect();
    let mut problem = Problem::empty(config);
    let seats: Vec<&EarlierSeat> = config.fairness.earlier.iter().chain(previous).collect();
    let earlier = earlier::apply(
        config,
        &shifts,
        &calendars,
        &mut cells,
        &mut problem.members,
        &seats,
    );

    let capacity_of: Vec<f64> = calendars
        .iter()
        .map(|cal| capacity(cal, config.fairness.capacity, period_start, period_end))
        .collect();
    let history: Vec<f64> = config
        .members
        .iter()
        .map(|m| {
            config
                .fairness
                .history_points
                .get(&m.id)
                .copied()
                .unwrap_or(0.0)
        })
        .collect();

    let pins = match_pins(config, &shifts, &cells)?;

    Ok(Problem {
        shifts,
        cells,
        capacity: capacity_of,
        history,
        pins,
        earlier,
        ..problem
    })
}

/// Matches every `[[pin]]` to its (shift, member), reporting every pin that does not fit.
fn match_pins(
    config: &Config,
    shifts: &[Shift],
    cells: &[Vec<Cell>],
) -> Result<Vec<(usize, usize)>, BuildError> {
    let mut errors = Vec::new();
    let mut pins: Vec<(usize, usize, &Pin)> = Vec::new();
    for pin in &config.pins {
        let layer = &config.layers[pin.layer];
        let Some(s) = find_pinned_shift(shifts, pin) else {
            errors.push(no_such_shift(config, layer, shifts, pin));
            continue;
        };
        match &cells[s][pin.member].blocked {
            // A rule across the period's start, not a fact of the config: the solve says
            // the pin leaves no schedule, naming the earlier shift (exit 3).
            Some(Exclusion::Earlier { .. }) | None => {}
            Some(why) => {
                errors.push(blocked_pin(config, layer, &shifts[s], pin, why));
                continue;
            }
        }
        if !pins.iter().any(|&(ps, pm, _)| ps == s && pm == pin.member) {
            pins.push((s, pin.member, pin));
        }
    }

    // More pins on one shift than it takes people.
    let mut by_shift: Vec<(usize, Vec<&Pin>)> = Vec::new();
    for &(s, _, pin) in &pins {
        match by_shift.iter_mut().find(|(bs, _)| *bs == s) {
            Some((_, v)) => v.push(pin),
            None => by_shift.push((s, vec![pin])),
        }
    }
    for (s, on_shift) in &by_shift {
        let shift = &shifts[*s];
        if on_shift.len() > shift.per_shift as usize {
            let layer = &config.layers[shift.layer];
            let lines: Vec<String> = on_shift.iter().map(|p| p.line.to_string()).collect();
            let who: Vec<&str> = on_shift
                .iter()
                .map(|p| config.members[p.member].id.as_str())
                .collect();
            errors.push(diagnostic(
                config,
                on_shift[0],
                &format!(
                    "pins at lines {} put {} people ({}) on the \"{}\" shift starting {}, which \
                     takes per_shift = {}",
                    lines.join(", "),
                    on_shift.len(),
                    who.join(", "),
                    layer.name,
                    local_label(layer, shift.start),
                    shift.per_shift,
                ),
                "remove pins, or raise the layer's per_shift",
            ));
        }
    }

    if errors.is_empty() {
        let mut out: Vec<(usize, usize)> = pins.into_iter().map(|(s, m, _)| (s, m)).collect();
        out.sort_unstable();
        Ok(out)
    } else {
        Err(BuildError(errors.join("\n\n")))
    }
}

/// The pinned layer's shift: the first starting on the pin's local date, or the one
/// starting at exactly the pin's instant.
fn find_pinned_shift(shifts: &[Shift], pin: &Pin) -> Option<usize> {
    shifts.iter().position(|s| {
        s.layer == pin.layer
            && match pin.start {
                PinStart::LocalDate(date) => s.local_start.date() == date,
                PinStart::Instant(at) => s.start == at,
            }
    })
}

fn no_such_shift(config: &Config, layer: &Layer, shifts: &[Shift], pin: &Pin) -> String {
    let of_layer: Vec<&Shift> = shifts.iter().filter(|s| s.layer == pin.layer).collect();
    let (what, before, after) = match pin.start {
        PinStart::LocalDate(date) => (
            format!("no shift starting on {date} ({})", layer.timezone),
            of_layer.iter().rev().find(|s| s.local_start.date() < date),
            of_layer.iter().find(|s| s.local_start.date() > date),
        ),
        PinStart::Instant(at) => (
            format!("no shift starting at {}", at.to_rfc3339()),
            of_layer.iter().rev().find(|s| s.start < at),
            of_layer.iter().find(|s| s.start > at),
        ),
    };
    let nearest: Vec<String> = [before, after]
        .into_iter()
        .flatten()
        .map(|s| pin_value(layer, s, pin.start))
        .collect();
    let help = if nearest.is_empty() {
        format!(
            "layer \"{}\" has no shifts in the period; remove the pin",
            layer.name
        )
    } else {
        format!(
            "the nearest \"{}\" shifts start {}; pin one of those",
            layer.name,
            nearest.join(" and ")
        )
    };
    let message = format!(
        "pin for {}: layer \"{}\" has {what}",
        config.members[pin.member].id, layer.name,
    );
    diagnostic(config, pin, &message, &help)
}

/// How a pin would name this shift, in the form the pin used.
fn pin_value(layer: &Layer, shift: &Shift, form: PinStart) -> String {
    match form {
        PinStart::LocalDate(_) => format!(
            "{} ({})",
            shift.local_start.date(),
            shift
                .start
                .with_timezone(&layer.timezone)
                .format("%a %H:%M %Z")
        ),
        PinStart::Instant(_) => format!(
            "{} ({})",
            shift.start.to_rfc3339(),
            local_label(layer, shift.start)
        ),
    }
}

fn blocked_pin(
    config: &Config,
    layer: &Layer,
    shift: &Shift,
    pin: &Pin,
    why: &Exclusion,
) -> String {
    let member = &config.members[pin.member];
    let fix = match why {
        Exclusion::NotEligible => "pin someone the layer's `eligible` admits, or widen `eligible`",
        Exclusion::NotEmployed => "pin someone else, or correct the member's joins/leaves",
        Exclusion::Unavailable { .. } => "pin someone else, or remove the unavailability",
        Exclusion::Holiday { .. } => "pin someone else, or set rules.holidays_unavailable = false",
        Exclusion::Earlier { .. } => "pin someone else",
    };
    let message = format!(
        "pin for {}: they cannot take the \"{}\" shift starting {}: {why}",
        member.id,
        layer.name,
        local_label(layer, shift.start),
    );
    diagnostic(config, pin, &message, fix)
}

/// An error in the shape of the config errors: what, where, how to fix it.
/// It points at the pin's `start`.
fn diagnostic(config: &Config, pin: &Pin, message: &str, help: &str) -> String {
    format!(
        "error: {message}\n  --> {}:{}:{}\n   = help: {help}",
        config.path.display(),
        pin.line,
        pin.column
    )
}

/// `2027-02-01 10:00 EST` in the layer's zone.
pub(crate) fn local_label(layer: &Layer, at: DateTime<Utc>) -> String {
    at.with_timezone(&layer.timezone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DateRule, Rotation, WeeklyTime};
    use crate::testkit::{at, config, date, layer, member, period, time};
    use chrono::Weekday;
    use chrono_tz::Tz;

    const NY: Tz = Tz::America__New_York;

    /// Two weeks of a weekly and a daily layer, alice in New York, bob in Berlin.
    fn two_layers() -> Config {
        let weekly = layer(
            "primary",
            Rotation::Weekly {
                handoff: WeeklyTime {
                    weekday: Weekday::Mon,
                    time: time("10:00"),
                },
            },
            NY,
        );
        let daily = layer(
            "secondary",
            Rotation::Daily {
                handoff: time("10:00"),
            },
            Tz::Europe__Berlin,
        );
        let mut bob = member("bob", Tz::Europe__Berlin);
        bob.unavailable.push(DateRule::Date {
            date: date("2024-07-03"),
            reason: Some("move".to_owned()),
        });
        config(
            period("2024-07-01", "2024-07-15"),
            vec![weekly, daily],
            vec![member("alice", NY), bob],
        )
    }

    fn pin(layer: usize, start: PinStart, member: usize, line: usize) -> Pin {
        Pin {
            layer,
            start,
            member,
            line,
            column: 9,
        }
    }

    #[test]
    fn shifts_are_sorted_by_start_then_layer_with_cells_for_everyone() {
        let p = build(&two_layers()).expect("builds");
        // 2 weekly + 14 daily shifts.
        assert_eq!(p.shifts.len(), 16);
        assert!(
            p.shifts
                .windows(2)
                .all(|w| (w[0].start, w[0].layer) <= (w[1].start, w[1].layer))
        );
        assert_eq!(p.cells.len(), 16);
        assert!(p.cells.iter().all(|row| row.len() == 2));
        assert_eq!(p.capacity.len(), 2);
        assert_eq!(p.history, vec![0.0, 0.0]);
        // Berlin's daily 10:00 handoff is 04:00 in New York, before the weekly one.
        assert_eq!(p.shifts[0].layer, 1);
        assert_eq!(p.shifts[0].start, at("2024-07-01T10:00:00+02:00"));
        assert_eq!(p.shifts[1].layer, 0);
    }

    #[test]
    fn cells_carry_points_and_blocks_per_member() {
        let p = build(&two_layers()).expect("builds");
        // The daily shift Wed 3rd 10:00 → Thu 4th 10:00 Berlin: bob is unavailable on the
        // 3rd; alice (New York) has 04:00-09:00 after, 09:00-17:00 business, 17:00-04:00
        // after: 8 business, 16 after = 40 points.
        let s = p
            .shifts
            .iter()
            .position(|s| s.layer == 1 && s.local_start.date() == date("2024-07-03"))
            .expect("shift exists");
        assert_eq!(
            p.cells[s][1].blocked,
            Some(Exclusion::Unavailable {
                date: date("2024-07-03"),
                reason: Some("move".to_owned())
            })
        );
        let alice = &p.cells[s][0];
        assert_eq!(alice.blocked, None);
        assert_eq!(alice.hours.business, 8.0);
        assert_eq!(alice.hours.after_hours, 16.0);
        assert_eq!(alice.points, 40.0);
        assert!(alice.after_hours);
    }

    #[test]
    fn capacity_and_history_come_from_the_config() {
        let mut c = two_layers();
        c.members[0].fte = 0.5;
        c.fairness.history_points.insert("bob".to_owned(), 12.5);
        c.fairness.history_points.insert("gone".to_owned(), 99.0);
        let p = build(&c).expect("builds");
        assert_eq!(p.capacity[0], 0.5);
        // Bob's one unavailable Berlin day lies inside the New York fortnight: 13 of 14.
        assert!((p.capacity[1] - 13.0 / 14.0).abs() < 1e-12);
        assert_eq!(p.history, vec![0.0, 12.5]);
    }

    #[test]
    fn pins_match_by_local_date_or_exact_instant() {
        let mut c = two_layers();
        c.pins = vec![
            pin(0, PinStart::LocalDate(date("2024-07-08")), 1, 40),
            pin(1, PinStart::Instant(at("2024-07-02T08:00:00Z")), 0, 45),
        ];
        let p = build(&c).expect("builds");
        assert_eq!(p.pins.len(), 2);
        let (weekly, daily) = if p.shifts[p.pins[0].0].layer == 0 {
            (p.pins[0], p.pins[1])
        } else {
            (p.pins[1], p.pins[0])
        };
        assert_eq!(p.shifts[weekly.0].start, at("2024-07-08T10:00:00-04:00"));
        assert_eq!(weekly.1, 1);
        assert_eq!(p.shifts[daily.0].start, at("2024-07-02T10:00:00+02:00"));
        assert_eq!(daily.1, 0);
    }

    #[test]
    fn a_pin_matching_no_shift_names_its_line_layer_and_the_nearest_starts() {
        let mut c = two_layers();
        c.pins = vec![pin(0, PinStart::LocalDate(date("2024-07-03")), 0, 42)];
        let err = build(&c)
            .expect_err("no shift starts on a Wednesday")
            .to_string();
        assert_eq!(
            err,
            "error: pin for alice: layer \"primary\" has no shift starting on 2024-07-03 \
             (America/New_York)\n  --> rota.toml:42:9\n   = help: the nearest \"primary\" shifts \
             start 2024-07-01 (Mon 10:00 EDT) and 2024-07-08 (Mon 10:00 EDT); pin one of those"
        );
    }

    #[test]
    fn an_instant_pin_off_by_an_hour_matches_nothing() {
        let mut c = two_layers();
        c.pins = vec![pin(0, PinStart::Instant(at("2024-07-08T15:00:00Z")), 0, 7)];
        let err = build(&c).expect_err("10:00 EDT is 14:00Z").to_string();
        assert!(err.contains("rota.toml:7:9\n"), "{err}");
        assert!(err.contains("2024-07-08T14:00:00+00:00"), "{err}");
    }

    #[test]
    fn pinning_someone_blocked_says_why_and_every_bad_pin_is_reported() {
        let mut c = two_layers();
        c.pins = vec![
            pin(1, PinStart::LocalDate(date("2024-07-03")), 1, 50),
            pin(0, PinStart::LocalDate(date("2024-07-02")), 0, 60),
        ];
        let err = build(&c).expect_err("bob is away").to_string();
        assert!(err.contains("rota.toml:50:9\n"), "{err}");
        assert!(err.contains("unavailable on 2024-07-03 (move)"), "{err}");
        assert!(err.contains("rota.toml:60:9\n"), "{err}");
    }

    #[test]
    fn more_pins_than_per_shift_is_an_error() {
        let mut c = two_layers();
        c.pins = vec![
            pin(0, PinStart::LocalDate(date("2024-07-08")), 0, 10),
            pin(0, PinStart::LocalDate(date("2024-07-08")), 1, 14),
        ];
        let err = build(&c).expect_err("per_shift = 1").to_string();
        assert!(err.contains("lines 10, 14"), "{err}");
        // The same pin twice is harmless.
        let mut c = two_layers();
        c.pins = vec![
            pin(0, PinStart::LocalDate(date("2024-07-01")), 0, 10),
            pin(0, PinStart::LocalDate(date("2024-07-01")), 0, 14),
        ];
        assert_eq!(build(&c).expect("builds").pins.len(), 1);
    }
}

#[cfg(test)]
mod scale {
    use super::*;
    use crate::config::{DateRule, Rotation};
    use crate::testkit::{config, date, layer, member, period, time};
    use chrono_tz::Tz;

    /// 150 people in five zones, 12-hour follow-the-sun shifts for six months.
    #[test]
    fn large_team_every_cell_classifies_every_hour_once() {
        let zones = [
            Tz::America__New_York,
            Tz::Europe__Berlin,
            Tz::Asia__Kolkata,
            Tz::Asia__Singapore,
            Tz::Australia__Sydney,
        ];
        let members = (0..150)
            .map(|i| {
                let mut m = member(&format!("m{i:03}"), zones[i % zones.len()]);
                m.unavailable.push(DateRule::Range {
                    from: date("2027-02-01") + chrono::Duration::days(i as i64),
                    to: date("2027-02-05") + chrono::Duration::days(i as i64),
                    reason: None,
                });
                m
            })
            .collect();
        let l = layer(
            "follow-the-sun",
            Rotation::Hours {
                hours: 12,
                handoff: time("08:00"),
            },
            Tz::UTC,
        );
        let started = std::time::Instant::now();
        let p = build(&config(
            period("2027-01-04", "2027-07-05"),
            vec![l],
            members,
        ))
        .expect("builds");
        eprintln!(
            "built 150 × {} cells in {:?}",
            p.shifts.len(),
            started.elapsed()
        );
        assert_eq!(p.shifts.len(), 182 * 2);
        for (s, row) in p.cells.iter().enumerate() {
            for cell in row {
                assert!((cell.hours.total() - p.shifts[s].hours()).abs() < 1e-9);
            }
        }
    }
}
