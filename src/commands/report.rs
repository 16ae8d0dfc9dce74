//! `rota report SCHEDULE [--html FILE] [--json]`: the fairness report of a schedule.json
//! on its own, without its config: solver status, metrics, and the table per member.

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::output::{atomic, html, terminal};
use crate::problem::evaluate::Metrics;
use crate::schedule::{MemberOut, PeriodOut, Schedule, SolverInfo};

pub(crate) fn run(schedule: &Path, html_out: Option<&Path>, json: bool) -> Result<(), Error> {
    let schedule = Schedule::read(schedule)?;
    if let Some(path) = html_out {
        atomic::write_file(path, &html::render(&schedule))?;
    }
    let mut text = if json {
        render_json(&schedule)?
    } else {
        render_text(&schedule)
    };
    // Stdout of `--json` stays one JSON document.
    if let (Some(path), false) = (html_out, json) {
        text.push_str(&format!("wrote {}\n", path.display()));
    }
    super::print(&text)
}

/// Title line, the member table, the solver's status line and the metrics.
pub(crate) fn render_text(schedule: &Schedule) -> String {
    let mut text = format!(
        "{} — {} until {} — {} shifts, {} members (generated {})\n\n",
        schedule.team,
        schedule.period.start,
        schedule.period.end,
        schedule.shifts.len(),
        schedule.members.len(),
        schedule
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    text.push_str(&terminal::schedule_summary(schedule));
    text.push_str(&terminal::pairs_section(
        schedule,
        schedule.zone().unwrap_or(chrono_tz::UTC),
    ));
    text.push_str(&terminal::status_line(schedule));
    text.push_str("\n\n");
    let m = &schedule.metrics;
    let rows = [
        ("imbalance", format!("{} points/FTE", number(m.imbalance))),
        ("deviation", format!("{} points", number(m.deviation))),
        ("back-to-back after-hours", {
            let across: u32 = schedule
                .members
                .iter()
                .map(|m| m.back_to_back_earlier)
                .sum();
            let pairs = count(m.back_to_back_after_hours, "pair", "pairs");
            if across == 0 {
                pairs
            } else {
                format!("{pairs} ({across} with a shift before the period)")
            }
        }),
        ("total load", format!("{} points", number(m.total_load))),
        ("prefer-off violations", m.prefer_off_violations.to_string()),
        (
            "churn",
            format!("{} changed hands", count(m.churn, "shift", "shifts")),
        ),
    ];
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    for (label, value) in rows {
        text.push_str(&format!("{label:<width$}  {value}\n"));
    }
    text
}

/// The parts of schedule.json that are the report: everything but the shifts.
#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    team: &'a str,
    period: &'a PeriodOut,
    generated_at: String,
    solver: &'a SolverInfo,
    metrics: &'a Metrics,
    members: &'a [MemberOut],
}

pub(crate) fn render_json(schedule: &Schedule) -> Result<String, Error> {
    let report = ReportJson {
        team: &schedule.team,
        period: &schedule.period,
        generated_at: schedule
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        solver: &schedule.solver,
        metrics: &schedule.metrics,
        members: &schedule.members,
    };
    let mut text = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Internal(format!("cannot serialize the report: {e}")))?;
    text.push('\n');
    Ok(text)
}

fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One decimal, without a trailing `.0`: 348, 26.7.
fn number(x: f64) -> String {
    let text = format!("{x:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testkit::fixture;

    #[test]
    fn text_has_title_table_status_and_metrics() {
        let s = fixture::solved();
        let text = render_text(&s);
        let title = text.lines().next().expect("title");
        assert!(title.starts_with(&s.team), "{title}");
        assert!(
            title.contains(&format!("{} shifts", s.shifts.len())),
            "{title}"
        );
        // The table is the one `solve` prints (every fixture member is in fairness).
        assert!(text.contains(&terminal::summary(&fixture::config(), &s)));
        assert!(text.contains(&format!("{}\n", terminal::status_line(&s))));
        // Numbers from the schedule's own tests (src/schedule/mod.rs).
        assert!(
            text.contains("imbalance                 214 points/FTE\n"),
            "{text}"
        );
        assert!(text.contains("deviation                 174 points\n"));
        assert!(text.contains("back-to-back after-hours  6 pairs\n"));
        assert!(text.contains("total load                487 points\n"));
        assert!(text.contains("prefer-off violations     1\n"));
        assert!(text.contains("churn                     0 shifts changed hands\n"));
    }

    #[test]
    fn pairs_across_the_start_are_in_the_teams_zone_as_in_solve() {
        use crate::schedule::{EarlierOut, ShiftRef};
        let mut s = fixture::solved();
        s.timezone = Some("America/New_York".into());
        let at = |t: &str| t.parse().expect("an instant");
        s.earlier.push(EarlierOut {
            layer: "primary".into(),
            start: at("2024-06-30T14:00:00Z"),
            end: at("2024-06-30T22:00:00Z"),
            member: "a".into(),
            source: "q2.json".into(),
            back_to_back_with: vec![ShiftRef {
                layer: "primary".into(),
                start: at("2024-07-01T13:00:00Z"),
            }],
        });
        let text = render_text(&s);
        assert!(
            text.contains("across the period's start (America/New_York)"),
            "{text}"
        );
        assert!(
            text.contains("a: primary 2024-06-30 10:00 (q2.json), then primary 2024-07-01 09:00"),
            "{text}"
        );
    }

    #[test]
    fn json_holds_members_metrics_and_solver_but_not_shifts() {
        let s = fixture::solved();
        let v: serde_json::Value =
            serde_json::from_str(&render_json(&s).expect("renders")).expect("valid JSON");
        assert_eq!(v["metrics"]["imbalance"], 214.0);
        assert_eq!(v["solver"]["status"], s.solver.status.as_str());
        assert_eq!(v["members"].as_array().map(Vec::len), Some(s.members.len()));
        assert_eq!(v["members"][1]["history"], 10.0);
        assert!(v.get("shifts").is_none());
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "pair", "pairs"), "1 pair");
        assert_eq!(count(0, "pair", "pairs"), "0 pairs");
        assert_eq!(count(2, "shift", "shifts"), "2 shifts");
    }

    #[test]
    fn numbers_drop_a_zero_decimal_only() {
        assert_eq!(number(348.0), "348");
        assert_eq!(number(26.666667), "26.7");
        assert_eq!(number(-0.01), "0");
    }
}
