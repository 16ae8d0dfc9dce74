//! The summary `rota solve` prints: a table per member and one status line.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use comfy_table::{CellAlignment, ContentArrangement, Table, TableComponent, presets};

use crate::config::Config;
use crate::schedule::{MemberOut, Schedule};

/// One row per member (config order): shifts, hours by class, points, fair share and the
/// difference; members outside fairness (eligible for no layer, or no capacity) show `—`.
pub(crate) fn summary(config: &Config, schedule: &Schedule) -> String {
    member_table(schedule, |m| {
        m.capacity > 0.0
            && config
                .members
                .iter()
                .any(|cm| cm.id == m.id && config.layers.iter().any(|l| l.eligible.admits(cm)))
    })
}

/// The same table for a schedule.json on its own (`rota report`), without its config.
///
/// Who is outside fairness is read from the numbers: no capacity, or nothing to compare
/// (normalized load and fair share both 0, which for a member inside fairness happens
/// only when nobody in the team carries any points at all).
pub(crate) fn schedule_summary(schedule: &Schedule) -> String {
    member_table(schedule, |m| {
        m.capacity > 0.0 && !(m.normalized == 0.0 && m.fair_share == 0.0)
    })
}

fn member_table(schedule: &Schedule, in_fairness: impl Fn(&MemberOut) -> bool) -> String {
    let with_history = schedule.members.iter().any(|m| m.history != 0.0);
    let mut header = vec![
        "member",
        "shifts",
        "business h",
        "after h",
        "weekend h",
        "holiday h",
        "points",
    ];
    if with_history {
        header.push("history");
    }
    header.extend(["fair share", "difference"]);

    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .remove_style(TableComponent::LeftBorderIntersections)
        .remove_style(TableComponent::RightBorderIntersections)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.clone());
    for m in &schedule.members {
        let in_fairness = in_fairness(m);
        let mut row = vec![
            m.id.clone(),
            m.shifts.to_string(),
            format!("{:.1}", m.hours.business),
            format!("{:.1}", m.hours.after_hours),
            format!("{:.1}", m.hours.weekend),
            format!("{:.1}", m.hours.holiday),
            format!("{:.1}", m.load),
        ];
        if with_history {
            row.push(format!("{:.1}", m.history));
        }
        if in_fairness {
            row.push(format!("{:.1}", m.fair_share));
            row.push(signed(m.load - m.fair_share));
        } else {
            row.extend(["—".to_string(), "—".to_string()]);
        }
        table.add_row(row);
    }
    for i in 0..header.len() {
        if let Some(column) = table.column_mut(i) {
            // Two spaces between columns keep the table within 100 columns.
            column.set_padding((1, 0));
            if i > 0 {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let mut text = table.trim_fmt();
    text.push('\n');
    text
}

/// One line per back-to-back pair with a shift held before the period (docs/objective.md,
/// "Across the period's start"), times in `zone`: `bob: primary 2027-03-29 10:00
/// (history/2027Q1-schedule.json), then secondary 2027-04-05 09:00`.
pub(crate) fn pairs_across_start(schedule: &Schedule, zone: Tz) -> Vec<String> {
    let at = move |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M");
    schedule
        .earlier
        .iter()
        .flat_map(|e| {
            e.back_to_back_with.iter().map(move |later| {
                format!(
                    "{}: {} {} ({}), then {} {}",
                    e.member,
                    e.layer,
                    at(e.start),
                    e.source,
                    later.layer,
                    at(later.start)
                )
            })
        })
        .collect()
}

/// [`pairs_across_start`] under a heading, or nothing when there are none.
pub(crate) fn pairs_section(schedule: &Schedule, zone: Tz) -> String {
    let lines = pairs_across_start(schedule, zone);
    if lines.is_empty() {
        return String::new();
    }
    let mut text = format!(
        "back-to-back after-hours across the period's start ({}):\n",
        zone.name()
    );
    for line in lines {
        text.push_str(&format!("  {line}\n"));
    }
    text
}

/// `optimal in 0.41 s — imbalance 2.5 points/FTE — objective 3120.5 (gap 0.0 %)`.
pub(crate) fn status_line(schedule: &Schedule) -> String {
    let s = &schedule.solver;
    // No bound at all: a re-solve that converged around the edit without solving the
    // whole problem proves nothing about it, and "time limit reached" would be wrong.
    if s.status == "feasible" && s.gap >= 1.0 {
        return format!(
            "feasible (no bound) in {:.2} s — imbalance {} points/FTE — objective {}",
            s.seconds,
            trimmed(schedule.metrics.imbalance, 2),
            trimmed(s.objective, 1),
        );
    }
    let status = match s.status.as_str() {
        "feasible" => "feasible (time limit reached)".to_string(),
        other => other.to_string(),
    };
    let bound = if s.status == "optimal" {
        String::new()
    } else {
        format!("bound {}, ", trimmed(s.bound, 1))
    };
    format!(
        "{status} in {:.2} s — imbalance {} points/FTE — objective {} ({bound}gap {:.1} %)",
        s.seconds,
        trimmed(schedule.metrics.imbalance, 2),
        trimmed(s.objective, 1),
        s.gap * 100.0,
    )
}

/// `+3.5`, `-0.5`, `0.0`: the sign says over or under the fair share.
fn signed(x: f64) -> String {
    let text = format!("{x:+.1}");
    match text.as_str() {
        "+0.0" | "-0.0" => "0.0".to_string(),
        _ => text,
    }
}

/// At most `decimals` decimals, without trailing zeros: 2.5, 3, 0.25.
fn trimmed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testkit::fixture;

    #[test]
    fn summary_snapshot() {
        let s = fixture::solved();
        let text = format!("{}{}\n", summary(&fixture::config(), &s), status_line(&s));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn feasible_status_names_bound_and_gap() {
        let p = fixture::problem();
        let mut s = fixture::schedule(&p, fixture::assignment());
        s.solver.status = "feasible".into();
        s.solver.bound = 200_000.0;
        s.solver.gap = 0.1387;
        s.solver.seconds = 10.004;
        assert_eq!(
            status_line(&s),
            "feasible (time limit reached) in 10.00 s — imbalance 214 points/FTE — \
             objective 232207 (bound 200000, gap 13.9 %)"
        );
        // Without a bound (a re-solve settled around the edit) neither is shown.
        s.solver.bound = 0.0;
        s.solver.gap = 1.0;
        assert_eq!(
            status_line(&s),
            "feasible (no bound) in 10.00 s — imbalance 214 points/FTE — objective 232207"
        );
    }

    #[test]
    fn members_outside_fairness_show_no_fair_share() {
        let mut p = fixture::problem();
        p.capacity[3] = 0.0;
        let (solution, mut evaluation) = fixture::solution(&p, fixture::assignment());
        evaluation.members[3].capacity = 0.0;
        let s = fixture::written(&p, &solution, &evaluation);
        let text = summary(&fixture::config(), &s);
        let d = text
            .lines()
            .find(|l| l.trim_start().starts_with('d'))
            .expect("row of d");
        assert!(d.contains('—'), "{d}");
    }

    #[test]
    fn schedule_summary_matches_the_config_summary() {
        let s = fixture::solved();
        assert_eq!(schedule_summary(&s), summary(&fixture::config(), &s));
    }

    #[test]
    fn schedule_summary_reads_outside_fairness_from_the_numbers() {
        let p = fixture::problem();
        let mut s = fixture::schedule(&p, fixture::assignment());
        // d: no capacity. c: capacity but nothing to compare (eligible for no layer).
        s.members[3].capacity = 0.0;
        s.members[2].normalized = 0.0;
        s.members[2].fair_share = 0.0;
        let text = schedule_summary(&s);
        // The last two cells: fair share and difference.
        let tail = |id: &str| {
            let cells: Vec<&str> = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|cells| cells.first() == Some(&id))
                .unwrap_or_else(|| panic!("row of {id}"));
            cells[cells.len() - 2..].join(" ")
        };
        assert_eq!(tail("d"), "— —", "{text}");
        assert_eq!(tail("c"), "— —", "{text}");
        assert!(!tail("a").contains('—'), "{text}");
        assert!(!tail("b").contains('—'), "{text}");
    }

    #[test]
    fn trimmed_drops_trailing_zeros_only() {
        assert_eq!(trimmed(2.5, 2), "2.5");
        assert_eq!(trimmed(3.0, 2), "3");
        assert_eq!(trimmed(0.254, 2), "0.25");
        assert_eq!(trimmed(120.0, 1), "120");
        assert_eq!(trimmed(-0.0001, 2), "0");
    }

    #[test]
    fn signed_shows_direction() {
        assert_eq!(signed(3.46), "+3.5");
        assert_eq!(signed(-0.5), "-0.5");
        assert_eq!(signed(-0.01), "0.0");
    }
}
