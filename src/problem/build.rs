//! Config → Problem: shifts, per-member cells, capacity, history, pins.

use chrono::{DateTime, Utc};

use crate::config::{Config, Layer, Pin, PinStart};
use crate::time::availability::{capacity, exclusion, prefers_off};
use crate::time::calendar::MemberCalendar;
use crate::time::classify::classify_days;
use crate::time::local::day_start;
use crate::time::shifts::layer_shifts;

use super::{Cell, Exclusion, Problem, Shift};

/// A config that cannot become a problem (a pin that matches no shift or pins someone who
/// cannot take it), already rendered for people with the line and a fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

pub fn build(config: Config) -> Result<Problem, BuildError> {
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
    let span_start = shifts.iter().map(|s| s.start).min().map_or(period_start, |s| s.min(period_start));
    let span_end = shifts.iter().map(|s| s.end).max().map_or(period_end, |e| e.max(period_end));

    let calendars: Vec<MemberCalendar> = config
        .members
        .iter()
        .map(|m| MemberCalendar::new(m, span_start, span_end))
        .collect();

    let weights = config.fairness.weights;
    let cells: Vec<Vec<Cell>> = shifts
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
                        blocked: exclusion(member, layer, &config.rules, &touched),
                    }
                })
                .collect()
        })
        .collect();

    let capacity_of: Vec<f64> = calendars
        .iter()
        .map(|cal| capacity(cal, config.fairness.capacity, period_start, period_end))
        .collect();
    let history: Vec<f64> = config
        .members
        .iter()
        .map(|m| config.fairness.history_points.get(&m.id).copied().unwrap_or(0.0))
        .collect();

    let pins = match_pins(&config, &shifts, &cells)?;

    Ok(Problem {
        config,
        shifts,
        cells,
        capacity: capacity_of,
        history,
        pins,
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
        if let Some(why) = &cells[s][pin.member].blocked {
            errors.push(blocked_pin(config, layer, &shifts[s], pin, why));
            continue;
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
            errors.push(format!(
                "error: {}: pins at lines {} put {} people ({}) on the \"{}\" shift starting {}, \
                 which takes per_shift = {}\n  help: remove pins, or raise the layer's per_shift",
                config.path.display(),
                lines.join(", "),
                on_shift.len(),
                who.join(", "),
                layer.name,
                local_label(layer, shift.start),
                shift.per_shift,
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
        format!("layer \"{}\" has no shifts in the period; remove the pin", layer.name)
    } else {
        format!("the nearest shifts start {}; use one of those", nearest.join(" and "))
    };
    format!(
        "error: {}:{}: pin for {}: layer \"{}\" has {what}\n  help: {help}",
        config.path.display(),
        pin.line,
        config.members[pin.member].id,
        layer.name,
    )
}

/// How a pin would name this shift, in the form the pin used.
fn pin_value(layer: &Layer, shift: &Shift, form: PinStart) -> String {
    match form {
        PinStart::LocalDate(_) => format!(
            "{} ({})",
            shift.local_start.date(),
            local_label(layer, shift.start)
        ),
        PinStart::Instant(_) => format!(
            "{} ({})",
            shift.start.to_rfc3339(),
            local_label(layer, shift.start)
        ),
    }
}

fn blocked_pin(config: &Config, layer: &Layer, shift: &Shift, pin: &Pin, why: &Exclusion) -> String {
    let member = &config.members[pin.member];
    let fix = match why {
        Exclusion::NotEligible => "pin someone the layer's `eligible` admits, or widen `eligible`",
        Exclusion::NotEmployed => "pin someone else, or correct the member's joins/leaves",
        Exclusion::Unavailable { .. } => "pin someone else, or remove the unavailability",
        Exclusion::Holiday { .. } => {
            "pin someone else, or set rules.holidays_unavailable = false"
        }
    };
    format!(
        "error: {}:{}: pin for {}: they cannot take the \"{}\" shift starting {}: {why}\n  help: {fix}",
        config.path.display(),
        pin.line,
        member.id,
        layer.name,
        local_label(layer, shift.start),
    )
}

/// `2027-02-01 10:00 EST` in the layer's zone.
pub(crate) fn local_label(layer: &Layer, at: DateTime<Utc>) -> String {
    at.with_timezone(&layer.timezone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}
