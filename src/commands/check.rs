//! `rota check CONFIG [--verbose]`: validate, then show what the solver will see —
//! members with the capacity each brings and why (PTO, joins, leaves, part-time), layers
//! with their shifts, and the shifts too few people can take: by default one line per run
//! of shifts with the same reasons (a week's absence is one entry, not one per shift),
//! with `--verbose` every shift and every member's reason.

use std::fmt::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use crate::config::{
    CapacityMode, Config, DateRule, Layer, Member, Rotation, WeekdaySet, WeeklyTime,
};
use crate::error::Error;
use crate::problem::Problem;
use crate::time::availability::Exclusion;

/// Exits 3 (as `solve` would) when some shift cannot be staffed, after printing which.
pub(crate) fn run(config: &Path, verbose: bool) -> Result<(), Error> {
    let config = crate::config::load(config)?;
    let problem = crate::problem::build(&config)?;
    super::print(&render(&config, &problem, verbose))?;
    match short_shifts(&problem).len() {
        0 => Ok(()),
        n => Err(Error::Infeasible(format!(
            "error: {n} shift{} cannot be staffed (listed above): `rota solve` would find no schedule",
            if n == 1 { "" } else { "s" }
        ))),
    }
}

pub(crate) fn render(config: &Config, problem: &Problem, verbose: bool) -> String {
    let mut out = String::new();
    let days = (config.period.end - config.period.start).num_days();
    // Writing to a String cannot fail; the results are ignored deliberately.
    let _ = writeln!(
        out,
        "team    {} ({})",
        config.team.name, config.team.timezone
    );
    let _ = writeln!(
        out,
        "period  {} to {} (end exclusive, {days} days)",
        config.period.start, config.period.end
    );
    if !config.fairness.history.is_empty() {
        let _ = writeln!(out, "history {}", history_line(config, problem));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "members ({})", config.members.len());
    let _ = writeln!(out, "{}", members_table(config, problem));
    let _ = writeln!(out);
    let _ = writeln!(out, "layers ({})", config.layers.len());
    let _ = writeln!(out, "{}", layers_table(config, problem));
    let _ = writeln!(out);
    out.push_str(&if verbose {
        understaffed(config, problem)
    } else {
        understaffed_runs(config, problem)
    });
    out
}

/// `2 files (1 older than history_months = 12, left out); 3 earlier shifts reach into
/// the period`.
fn history_line(config: &Config, problem: &Problem) -> String {
    let f = &config.fairness;
    let files = match f.history.len() {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    };
    let old = if f.history_ignored.is_empty() {
        String::new()
    } else {
        format!(
            " ({} older than history_months = {}, left out)",
            f.history_ignored.len(),
            f.history_months
        )
    };
    let reach = match problem.earlier.len() {
        1 => "1 earlier shift reaches".to_owned(),
        n => format!("{n} earlier shifts reach"),
    };
    format!("{files}{old}; {reach} into the period")
}

fn members_table(config: &Config, problem: &Problem) -> Table {
    let mut table = new_table(&["id", "zone", "tags", "capacity", "why"]);
    for (m, member) in config.members.iter().enumerate() {
        let tags: Vec<&str> = member.tags.iter().map(String::as_str).collect();
        let why = if !problem.members[m].eligible.iter().any(|&e| e) {
            "outside fairness: eligible for no layer".to_owned()
        } else if problem.capacity[m] <= 0.0 {
            "outside fairness: no capacity in the period".to_owned()
        } else {
            capacity_reasons(config, member, problem.capacity[m])
        };
        table.add_row(vec![
            member.id.clone(),
            member.timezone.to_string(),
            tags.join(", "),
            format!("{:.3}", problem.capacity[m]),
            why,
        ]);
    }
    align_right(&mut table, &[3]);
    table
}

/// Why a member's capacity is below 1: part-time, joining or leaving within the period,
/// unavailable days; then the share of the period they can be on call.
/// `joins 2027-02-01 — on call 69 % of the period`.
fn capacity_reasons(config: &Config, member: &Member, capacity: f64) -> String {
    let period = &config.period;
    let mut reasons = Vec::new();
    if member.fte != 1.0 {
        reasons.push(format!("fte {}", member.fte));
    }
    if let Some(joins) = member
        .joins
        .filter(|d| *d > period.start && *d < period.end)
    {
        reasons.push(format!("joins {joins}"));
    }
    if let Some(leaves) = member
        .leaves
        .filter(|d| *d > period.start && *d < period.end)
    {
        reasons.push(format!("leaves {leaves}"));
    }
    let lowers = config.fairness.capacity == CapacityMode::Availability;
    let unavailable: Vec<&DateRule> = member
        .unavailable
        .iter()
        .filter(|rule| lowers && touches(rule, config))
        .collect();
    match unavailable.as_slice() {
        [] => {}
        [one] => reasons.push(format!("unavailable {}", describe(one))),
        [one, two] => reasons.push(format!(
            "unavailable {} and {}",
            describe(one),
            describe(two)
        )),
        more => reasons.push(format!("unavailable {} times", more.len())),
    }
    let share = if member.fte > 0.0 {
        capacity / member.fte
    } else {
        0.0
    };
    let on_call = (share < 0.9995).then(|| {
        format!(
            "on call {} % of the period",
            crate::output::terminal::trimmed(share * 100.0, 0)
        )
    });
    match (reasons.is_empty(), on_call) {
        (true, None) => String::new(),
        (true, Some(on_call)) => on_call,
        (false, None) => reasons.join(", "),
        (false, Some(on_call)) => format!("{} — {on_call}", reasons.join(", ")),
    }
}

/// Whether a date rule covers any day of the period.
fn touches(rule: &DateRule, config: &Config) -> bool {
    config
        .period
        .start
        .iter_days()
        .take_while(|d| *d < config.period.end)
        .any(|d| rule.covers(d))
}

/// `2027-02-08 to 2027-02-12 (ski trip)`, `2027-03-01`, `on sat sun`.
fn describe(rule: &DateRule) -> String {
    let when = match rule {
        DateRule::Range { from, to, .. } => format!("{from} to {to}"),
        DateRule::Date { date, .. } => date.to_string(),
        DateRule::Weekdays { days, .. } => format!("on {}", days_label(*days)),
    };
    match rule.reason() {
        Some(reason) => format!("{when} ({reason})"),
        None => when,
    }
}

/// `mon tue wed`: the days in config spelling.
fn days_label(days: WeekdaySet) -> String {
    let days: Vec<String> = days.iter().map(|d| d.to_string().to_lowercase()).collect();
    days.join(" ")
}

/// The shifts too few people can take, one line per run of a layer's shifts that are
/// short for the same reasons; `--verbose` lists them one by one.
fn understaffed_runs(config: &Config, problem: &Problem) -> String {
    let short: Vec<usize> = short_shifts(problem);
    if short.is_empty() {
        return "every shift has enough people who can take it\n".to_owned();
    }
    // Per shift: (layer, how many can take it, each member's reason); runs of equal keys
    // in a layer's order of shifts become one line.
    let key = |s: usize| {
        let reasons: Vec<(usize, String)> = problem.cells[s]
            .iter()
            .enumerate()
            .filter_map(|(m, c)| c.blocked.as_ref().map(|why| (m, undated(why))))
            .collect();
        (
            problem.shifts[s].layer,
            problem.candidates(s).count(),
            reasons,
        )
    };
    let mut by_layer = short.clone();
    by_layer.sort_by_key(|&s| (problem.shifts[s].layer, s));
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for s in by_layer {
        match runs.last_mut() {
            Some(run)
                if key(run[0]) == key(s)
                    && previous_in_layer(problem, s) == run.last().copied() =>
            {
                run.push(s)
            }
            _ => runs.push(vec![s]),
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}:", short_header(short.len()));
    let width = config
        .layers
        .iter()
        .map(|l| l.name.len())
        .max()
        .unwrap_or(0);
    for run in &runs {
        let (first, last) = (run[0], run[run.len() - 1]);
        let shift = &problem.shifts[first];
        let layer = &config.layers[shift.layer];
        let when = if run.len() == 1 {
            format!(
                "{} → {}",
                local(layer, shift.start),
                local(layer, shift.end)
            )
        } else {
            format!(
                "{} shifts, {} → {}",
                run.len(),
                local(layer, shift.start),
                local(layer, problem.shifts[last].end)
            )
        };
        let (_, can, reasons) = key(first);
        let everyone =
            reasons.len() == config.members.len() && reasons.windows(2).all(|w| w[0].1 == w[1].1);
        let why = if reasons.is_empty() {
            // Nobody is excluded: the layer asks for more people than it has.
            format!(
                "per_shift = {} but only {can} members can take it",
                shift.per_shift
            )
        } else if everyone {
            format!("everyone: {}", reasons.first().map_or("", |r| r.1.as_str()))
        } else {
            reasons
                .iter()
                .map(|(m, why)| format!("{}: {why}", config.members[*m].id))
                .collect::<Vec<_>>()
                .join("; ")
        };
        // Why on a line of its own, so the when stays readable on a narrow terminal.
        let _ = writeln!(
            out,
            "  {:<width$}  {when}: {can} of {} needed\n  {:<width$}    {why}",
            layer.name, shift.per_shift, "",
        );
    }
    out.push_str("`rota check --verbose` lists every shift and every member's reason\n");
    out
}

/// A reason without its date, so that the days of one absence make one run.
fn undated(why: &Exclusion) -> String {
    match why {
        Exclusion::Unavailable {
            reason: Some(reason),
            ..
        } => format!("unavailable ({reason})"),
        Exclusion::Unavailable { reason: None, .. } => "unavailable".to_owned(),
        Exclusion::Holiday { .. } => "on holiday".to_owned(),
        other => other.to_string(),
    }
}

/// The shift of the same layer just before `s`, if any.
fn previous_in_layer(problem: &Problem, s: usize) -> Option<usize> {
    let layer = problem.shifts[s].layer;
    (0..s).rev().find(|&p| problem.shifts[p].layer == layer)
}

/// The shifts fewer than `per_shift` members can take.
fn short_shifts(problem: &Problem) -> Vec<usize> {
    (0..problem.shifts.len())
        .filter(|&s| problem.candidates(s).count() < problem.shifts[s].per_shift as usize)
        .collect()
}

/// `1 shift has fewer people who can take it than it needs`, or the plural.
fn short_header(count: usize) -> String {
    match count {
        1 => "1 shift has fewer people who can take it than it needs".to_owned(),
        n => format!("{n} shifts have fewer people who can take them than they need"),
    }
}

fn layers_table(config: &Config, problem: &Problem) -> Table {
    let mut table = new_table(&[
        "layer",
        "rotation",
        "zone",
        "per shift",
        "shifts",
        "first → last start",
    ]);
    for (i, layer) in config.layers.iter().enumerate() {
        let mut of_layer = problem.shifts.iter().filter(|s| s.layer == i);
        let first = of_layer.next();
        let last = of_layer.next_back().or(first);
        // Dates only: the handoff time is the rotation's, the zone its own column.
        let day = |at: DateTime<Utc>| at.with_timezone(&layer.timezone).format("%Y-%m-%d");
        let span = match (first, last) {
            (Some(first), Some(last)) => format!("{} → {}", day(first.start), day(last.start)),
            _ => "-".to_owned(),
        };
        table.add_row(vec![
            layer.name.clone(),
            rotation_label(layer),
            layer.timezone.to_string(),
            layer.per_shift.to_string(),
            problem
                .shifts
                .iter()
                .filter(|s| s.layer == i)
                .count()
                .to_string(),
            span,
        ]);
    }
    align_right(&mut table, &[3, 4]);
    table
}

/// Every shift fewer than `per_shift` members can take, with each member's exclusion.
fn understaffed(config: &Config, problem: &Problem) -> String {
    let short = short_shifts(problem);
    if short.is_empty() {
        return "every shift has enough people who can take it\n".to_owned();
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}:", short_header(short.len()));
    for s in short {
        let shift = &problem.shifts[s];
        let layer = &config.layers[shift.layer];
        let _ = writeln!(
            out,
            "\n  {} {} → {}: {} can take it, {} needed",
            layer.name,
            local(layer, shift.start),
            local(layer, shift.end),
            problem.candidates(s).count(),
            shift.per_shift,
        );
        for (m, cell) in problem.cells[s].iter().enumerate() {
            if let Some(why) = &cell.blocked {
                let _ = writeln!(out, "    {}: {why}", config.members[m].id);
            }
        }
    }
    out
}

fn rotation_label(layer: &Layer) -> String {
    let weekly = |w: &WeeklyTime| format!("{} {}", weekday(w), w.time.format("%H:%M"));
    let base = match &layer.rotation {
        Rotation::Weekly { handoff } => format!("weekly, {}", weekly(handoff)),
        Rotation::Daily { handoff } => format!("daily, {}", handoff.format("%H:%M")),
        Rotation::Hours { hours, handoff } => {
            format!("every {hours} h from {}", handoff.format("%H:%M"))
        }
        Rotation::Handoffs { points } => {
            let points: Vec<String> = points.iter().map(weekly).collect();
            format!("handoffs {}", points.join(", "))
        }
        Rotation::Window { window } => format!(
            "window {}-{}",
            window.start.format("%H:%M"),
            window.end.format("%H:%M")
        ),
    };
    match layer.days {
        Some(days) => format!("{base}; {}", days_label(days)),
        None => base,
    }
}

fn weekday(w: &WeeklyTime) -> String {
    w.weekday.to_string().to_lowercase()
}

/// `Mon 2027-02-01 10:00 EST` in the layer's zone.
fn local(layer: &Layer, at: DateTime<Utc>) -> String {
    at.with_timezone(&layer.timezone)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Tables wrap their widest cells to fit this many columns: a terminal of any width
/// (and a pasted snapshot) shows them whole.
const TABLE_WIDTH: u16 = 120;

fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(TABLE_WIDTH);
    table.set_header(header.to_vec());
    table
}

fn align_right(table: &mut Table, columns: &[usize]) {
    for &c in columns {
        if let Some(col) = table.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DateRule, Rotation, WeekdaySet};
    use crate::problem::build;
    use crate::testkit::{config, date, layer, member, period, time, window};
    use chrono::Weekday;
    use chrono_tz::Tz;

    /// A week of daily shifts where nobody can take Wednesday's, and a business-hours
    /// window layer that needs two people on weekdays.
    fn team() -> Config {
        let daily = layer(
            "primary",
            Rotation::Daily {
                handoff: time("09:00"),
            },
            Tz::America__New_York,
        );
        let mut pairs = layer(
            "pairs",
            Rotation::Window {
                window: window("09:00-17:00"),
            },
            Tz::Europe__Berlin,
        );
        pairs.per_shift = 2;
        pairs.days = Some(WeekdaySet::from_days([
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]));
        pairs.eligible.any_tags = vec!["emea".to_owned()];
        let mut alice = member("alice", Tz::America__New_York);
        alice.tags.insert("senior".to_owned());
        alice.unavailable.push(DateRule::Date {
            date: date("2024-07-03"),
            reason: Some("dentist".to_owned()),
        });
        let mut bob = member("bob", Tz::Europe__Berlin);
        bob.tags.insert("emea".to_owned());
        bob.fte = 0.5;
        bob.leaves = Some(date("2024-07-03"));
        config(
            period("2024-07-01", "2024-07-08"),
            vec![daily, pairs],
            vec![alice, bob],
        )
    }

    /// The daily layer alone, with both members there all week: every shift can be
    /// staffed, so whatever a test changes is the only problem `check` can find.
    fn staffable() -> Config {
        let mut c = team();
        c.layers.truncate(1);
        c.members[0].unavailable.clear();
        c.members[1].leaves = None;
        c
    }

    #[test]
    fn check_summary() {
        let config = team();
        let problem = build(&config).expect("builds");
        insta::assert_snapshot!(render(&config, &problem, false));
    }

    #[test]
    fn check_verbose() {
        let config = team();
        let problem = build(&config).expect("builds");
        insta::assert_snapshot!(render(&config, &problem, true));
    }

    /// A layer nobody may take (the loader rejects an unknown tag, so here the config is
    /// built by hand): one entry (when, then why) for all its shifts.
    #[test]
    fn a_layer_nobody_may_take_is_one_entry() {
        let mut c = staffable();
        c.layers[0].eligible.any_tags = vec!["seinor".to_owned()];
        let out = render(&c, &build(&c).expect("builds"), false);
        let problems: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("7 shifts"))
            .collect();
        assert_eq!(problems.len(), 4, "{out}");
        assert!(problems[1].contains("7 shifts, "), "{out}");
        assert!(problems[2].contains("everyone: not eligible"), "{out}");
    }

    /// Nobody excluded, but more seats than members: the entry says so instead of
    /// leaving its reason line empty.
    #[test]
    fn more_seats_than_members_is_named() {
        let mut c = staffable();
        c.layers[0].per_shift = 3;
        let out = render(&c, &build(&c).expect("builds"), false);
        assert!(
            out.contains("per_shift = 3 but only 2 members can take it"),
            "{out}"
        );
    }

    #[test]
    fn capacity_is_explained() {
        let c = team();
        let p = build(&c).expect("builds");
        assert_eq!(
            capacity_reasons(&c, &c.members[0], p.capacity[0]),
            "unavailable 2024-07-03 (dentist) — on call 86 % of the period"
        );
        assert_eq!(
            capacity_reasons(&c, &c.members[1], p.capacity[1]),
            "fte 0.5, leaves 2024-07-03 — on call 25 % of the period"
        );
    }

    #[test]
    fn a_fully_staffable_config_says_so() {
        let c = staffable();
        let out = render(&c, &build(&c).expect("builds"), false);
        assert!(
            out.ends_with("every shift has enough people who can take it\n"),
            "{out}"
        );
    }

    #[test]
    fn history_says_what_counts_and_what_reaches_into_the_period() {
        let mut c = team();
        c.fairness.history = vec!["q1.json".into(), "old.json".into()];
        c.fairness.history_ignored = vec!["old.json".into()];
        // Alice's last night before the period ends as Monday's first shift starts.
        c.fairness.earlier = vec![crate::config::EarlierSeat {
            layer: "primary".into(),
            start: crate::testkit::at("2024-06-30T09:00:00-04:00"),
            end: crate::testkit::at("2024-07-01T09:00:00-04:00"),
            member: "alice".into(),
            source: "q1.json".into(),
        }];
        let out = render(&c, &build(&c).expect("builds"), false);
        assert!(
            out.contains(
                "history 2 files (1 older than history_months = 12, left out); 1 earlier \
                 shift reaches into the period\n"
            ),
            "{out}"
        );
    }
}
