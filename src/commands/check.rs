//! `rota check CONFIG`: validate, then show what the solver will see — members, layers,
//! shifts per layer, and every shift no eligible member can take (with why each
//! candidate is excluded).

use std::fmt::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use comfy_table::{CellAlignment, Table, presets};

use crate::config::{Config, Layer, Rotation, WeeklyTime};
use crate::error::Error;
use crate::problem::Problem;

/// Exits 3 (as `solve` would) when some shift cannot be staffed, after printing which.
pub(crate) fn run(config: &Path) -> Result<(), Error> {
    let config = crate::config::load(config)?;
    let problem = crate::problem::build(&config)?;
    super::print(&render(&config, &problem))?;
    match short_shifts(&problem).len() {
        0 => Ok(()),
        n => Err(Error::Infeasible(format!(
            "error: {n} shift{} cannot be staffed (listed above): `rota solve` would find no schedule",
            if n == 1 { "" } else { "s" }
        ))),
    }
}

/// The shifts fewer than `per_shift` members can take.
fn short_shifts(problem: &Problem) -> Vec<usize> {
    (0..problem.shifts.len())
        .filter(|&s| problem.candidates(s).count() < problem.shifts[s].per_shift as usize)
        .collect()
}

pub(crate) fn render(config: &Config, problem: &Problem) -> String {
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
    out.push_str(&understaffed(config, problem));
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
    let mut table = new_table(&["id", "zone", "fte", "capacity", "tags", "note"]);
    for (m, member) in config.members.iter().enumerate() {
        let tags: Vec<&str> = member.tags.iter().map(String::as_str).collect();
        let note = if !problem.members[m].eligible.iter().any(|&e| e) {
            "outside fairness: eligible for no layer"
        } else if problem.capacity[m] <= 0.0 {
            "outside fairness: no capacity in the period"
        } else {
            ""
        };
        table.add_row(vec![
            member.id.clone(),
            member.timezone.to_string(),
            format!("{}", member.fte),
            format!("{:.3}", problem.capacity[m]),
            tags.join(", "),
            note.to_owned(),
        ]);
    }
    align_right(&mut table, &[2, 3]);
    table
}

fn layers_table(config: &Config, problem: &Problem) -> Table {
    let mut table = new_table(&[
        "layer",
        "rotation",
        "zone",
        "per shift",
        "shifts",
        "first shift",
        "last shift",
    ]);
    for (i, layer) in config.layers.iter().enumerate() {
        let mut of_layer = problem.shifts.iter().filter(|s| s.layer == i);
        let first = of_layer.next();
        let last = of_layer.next_back().or(first);
        let span =
            |at: Option<DateTime<Utc>>| at.map_or_else(|| "-".to_owned(), |t| local(layer, t));
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
            span(first.map(|s| s.start)),
            span(last.map(|s| s.start)),
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
    let _ = match short.len() {
        1 => writeln!(
            out,
            "1 shift has fewer people who can take it than it needs:"
        ),
        n => writeln!(
            out,
            "{n} shifts have fewer people who can take them than they need:"
        ),
    };
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
        Some(days) => {
            let days: Vec<String> = days.iter().map(|d| d.to_string().to_lowercase()).collect();
            format!("{base}; {}", days.join(" "))
        }
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

fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
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

    #[test]
    fn check_summary() {
        let config = team();
        let problem = build(&config).expect("builds");
        insta::assert_snapshot!(render(&config, &problem));
    }

    #[test]
    fn a_fully_staffable_config_says_so() {
        let mut c = team();
        c.layers.truncate(1);
        c.members[0].unavailable.clear();
        c.members[1].leaves = None;
        let out = render(&c, &build(&c).expect("builds"));
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
        let out = render(&c, &build(&c).expect("builds"));
        assert!(
            out.contains(
                "history 2 files (1 older than history_months = 12, left out); 1 earlier \
                 shift reaches into the period\n"
            ),
            "{out}"
        );
    }
}
