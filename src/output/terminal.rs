//! The summary `rota solve` prints: a table per member and one status line.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use comfy_table::{CellAlignment, ContentArrangement, Table, TableComponent, presets};

use crate::config::Config;
use crate::schedule::{MemberOut, ResolveOut, Schedule};

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

/// The solve's outcome in plain words first, then the numbers:
/// `fairest possible — proven optimal in 0.41 s · imbalance 2.5 points/FTE, no
/// back-to-back pairs · objective 3120.5`.
pub(crate) fn status_line(schedule: &Schedule) -> String {
    let s = &schedule.solver;
    let (words, how) = verdict(schedule);
    let figures = if s.status == "optimal" && percent(s.gap) == "0" {
        format!("objective {}", trimmed(s.objective, 1))
    } else {
        format!(
            "objective {}, bound {}, gap {} %",
            trimmed(s.objective, 1),
            trimmed(s.bound, 1),
            percent(s.gap)
        )
    };
    format!(
        "{words} — {how} · imbalance {} points/FTE, {} · {figures}",
        trimmed(schedule.metrics.imbalance, 2),
        pairs(schedule.metrics.back_to_back_after_hours),
    )
}

/// How fair the schedule is, in words, and how the solve ended: (`fairest possible`,
/// `proven optimal in 0.41 s`), (`fair within 2.8 % of the fairest possible`, `stopped at
/// the time limit, 10.0 s`). The status line and the report both lead with it.
pub(crate) fn verdict(schedule: &Schedule) -> (String, String) {
    let s = &schedule.solver;
    let optimal = s.status == "optimal";
    let words = if s.gap.is_finite() && s.gap < 1.0 {
        closeness(s.gap)
    } else {
        "no proof of how close it is to the fairest possible (no useful bound)".to_string()
    };
    let how = if optimal && percent(s.gap) == "0" {
        format!("proven optimal in {}", seconds(s.seconds))
    } else if optimal {
        format!("proven in {}", seconds(s.seconds))
    } else if schedule.resolve.is_some() {
        // A re-solve settles around the edit in a share of the limit; it did not run
        // out of time, and without the whole problem it proves no bound.
        format!("re-solved around the edit in {}", seconds(s.seconds))
    } else {
        format!("stopped at the time limit, {}", seconds(s.seconds))
    };
    (words, how)
}

/// How close a schedule is to the fairest possible, from its relative gap to the proven
/// bound: `fairest possible`, `fair within 2.8 % of the fairest possible`.
pub(crate) fn closeness(gap: f64) -> String {
    match percent(gap).as_str() {
        "0" => "fairest possible".to_string(),
        p => format!("fair within {p} % of the fairest possible"),
    }
}

/// A gap in per cent: one decimal, two below 0.1 %, `0` when that rounds to nothing.
pub(crate) fn percent(gap: f64) -> String {
    let p = gap.max(0.0) * 100.0;
    trimmed(p, if p < 0.1 { 2 } else { 1 })
}

/// `0.41 s`, `10.0 s`.
fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// `no back-to-back pairs`, `1 back-to-back pair`, `3 back-to-back pairs`.
pub(crate) fn pairs(n: u32) -> String {
    match n {
        0 => "no back-to-back pairs".to_string(),
        1 => "1 back-to-back pair".to_string(),
        n => format!("{n} back-to-back pairs"),
    }
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
pub(crate) fn trimmed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

/// The frontier's row of the chosen schedule: the first with its moves (larger budgets
/// that found nothing better repeat it), marked once in the summary and the report.
pub(crate) fn chosen_row(resolve: &ResolveOut, chosen_moves: u32) -> Option<usize> {
    resolve
        .frontier
        .iter()
        .position(|p| p.moves == chosen_moves)
}

/// "moving 6 more shifts would lower the imbalance from 80 to 76 points/FTE: `--max-moves 7`"
/// for the smallest budget whose point is fairer than the chosen schedule.
pub(crate) fn resolve_hint(resolve: &ResolveOut, chosen_moves: u32) -> Option<String> {
    let chosen = &resolve.frontier[chosen_row(resolve, chosen_moves)?];
    let better = resolve
        .frontier
        .iter()
        .find(|p| p.moves > chosen_moves && p.objective < chosen.objective - 1e-6)?;
    let flag = match better.max_moves {
        Some(_) => format!("--max-moves {}", better.moves),
        None => "--rebalance".to_string(),
    };
    let what = if better.imbalance < chosen.imbalance - 1e-6 {
        format!(
            "the imbalance from {} to {} points/FTE",
            trimmed(chosen.imbalance, 2),
            trimmed(better.imbalance, 2)
        )
    } else {
        format!(
            "the objective without churn from {} to {}",
            trimmed(chosen.objective, 2),
            trimmed(better.objective, 2)
        )
    };
    let more = better.moves - chosen_moves;
    Some(format!(
        "moving {more} more shift{} would lower {what}: `{flag}`",
        if more == 1 { "" } else { "s" }
    ))
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

    /// The status line of every way a solve ends.
    #[test]
    fn status_line_per_outcome() {
        let p = fixture::problem();
        let base = fixture::schedule(&p, fixture::assignment());
        let outcome = |status: &str, gap: f64, bound: f64, seconds: f64, b2b: u32| {
            let mut s = base.clone();
            s.solver.status = status.into();
            s.solver.gap = gap;
            s.solver.bound = bound;
            s.solver.seconds = seconds;
            s.metrics.back_to_back_after_hours = b2b;
            status_line(&s)
        };
        let objective = base.solver.objective;
        let lines = [
            (
                "proven optimal",
                outcome("optimal", 0.0, objective, 0.412, 0),
            ),
            (
                "optimal within the --gap asked for",
                outcome("optimal", 0.0312, objective * 0.9688, 1.25, 1),
            ),
            (
                "time limit, with a bound",
                outcome("feasible", 0.0278, objective * 0.9722, 10.004, 2),
            ),
            (
                "time limit, a bound very close",
                outcome("feasible", 0.0004, objective * 0.9996, 10.004, 0),
            ),
            (
                "time limit, no useful bound",
                outcome("feasible", 1.0, 0.0, 10.004, 0),
            ),
        ];
        let text: String = lines
            .iter()
            .map(|(case, line)| format!("{case}:\n  {line}\n"))
            .collect();
        insta::assert_snapshot!(text);
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
    fn closeness_in_words() {
        assert_eq!(closeness(0.0), "fairest possible");
        assert_eq!(closeness(0.00001), "fairest possible");
        assert_eq!(
            closeness(0.028),
            "fair within 2.8 % of the fairest possible"
        );
        assert_eq!(
            closeness(0.0004),
            "fair within 0.04 % of the fairest possible"
        );
    }

    #[test]
    fn signed_shows_direction() {
        assert_eq!(signed(3.46), "+3.5");
        assert_eq!(signed(-0.5), "-0.5");
        assert_eq!(signed(-0.01), "0.0");
    }
}
