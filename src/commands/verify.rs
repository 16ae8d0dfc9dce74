//! `rota verify CONFIG SCHEDULE`: a schedule.json re-checked against its config without
//! the solver — every hard rule, every metric, every shift's time, points and UID.
//!
//! Two things cannot be recomputed from the config alone and are taken from the file:
//! `metrics.churn` and each event's `sequence` (both are relative to the previous
//! schedule of a re-solve, which the file does not name). The objective is recomputed with
//! the file's churn. The shifts before the period that the rules reach into it come from
//! the config's history files, plus those the file records under `earlier` (a
//! `--previous` schedule's, which the config does not name either). Which shifts were frozen is not recorded either, and need not be: a
//! re-solve thaws every past shift the config no longer allows (see
//! [`crate::schedule::previous`]), so every shift of a written schedule obeys the config
//! it was solved from.
//!
//! A `config_sha256` that is not the config's hash is a failure, not a warning: points,
//! capacities and fair shares all derive from the config, so a schedule verified against
//! another version of it proves nothing. Every other check still runs and is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::error::Error;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::{evaluate, objective};
use crate::problem::rules;
use crate::schedule::{Schedule, uid};

/// Prints `ok: …` and succeeds, or prints every finding and fails with exit code 1.
pub(crate) fn run(config: &Path, schedule: &Path) -> Result<(), Error> {
    let config = crate::config::load(config)?;
    let schedule = Schedule::read(schedule)?;
    let problem = crate::problem::build_with(&config, &schedule.earlier_seats())?;
    let report = verify(&config, &problem, &schedule);
    super::print(&report.render())?;
    if report.ok() {
        Ok(())
    } else {
        Err(Error::VerifyFailed(report.headline()))
    }
}

/// Relative tolerance of float comparisons (absolute below 1): the file rounds to 1e-6.
pub(crate) const TOLERANCE: f64 = 1e-6;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// The file does not describe this config's shifts, members or team.
    Schedule,
    /// A hard rule (docs/objective.md, "Hard rules") is broken.
    Rule,
    /// A recorded number differs from the recomputed one.
    Metric,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Schedule => "schedule",
            Kind::Rule => "rule",
            Kind::Metric => "metric",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub kind: Kind,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Report {
    /// Shift entries (seats) in the file.
    pub shifts: usize,
    /// Every problem found; empty when the schedule holds.
    pub findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// `ok: N shifts, all rules hold, metrics match`, or one line per finding.
    pub(crate) fn render(&self) -> String {
        if self.ok() {
            return format!(
                "ok: {} shifts, all rules hold, metrics match\n",
                self.shifts
            );
        }
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{}: {}\n", f.kind, f.message));
        }
        out
    }

    /// `verify failed: 3 problems (1 rule violation, 2 metric mismatches)`.
    pub(crate) fn headline(&self) -> String {
        let count = |k: Kind| self.findings.iter().filter(|f| f.kind == k).count();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let parts: Vec<String> = [
            (
                Kind::Schedule,
                "schedule entry wrong",
                "schedule entries wrong",
            ),
            (Kind::Rule, "rule violation", "rule violations"),
            (Kind::Metric, "metric mismatch", "metric mismatches"),
        ]
        .into_iter()
        .filter(|(k, ..)| count(*k) > 0)
        .map(|(k, one, many)| plural(count(k), one, many))
        .collect();
        format!(
            "verify failed: {} ({})",
            plural(self.findings.len(), "problem", "problems"),
            parts.join(", ")
        )
    }

    fn push(&mut self, kind: Kind, message: String) {
        self.findings.push(Finding { kind, message });
    }

    /// A metric finding when a recorded number is not [`close`] to the recomputed one.
    fn compare(&mut self, what: &str, file: f64, recomputed: f64) {
        if !close(file, recomputed) {
            let recomputed = rounded(recomputed);
            self.push(
                Kind::Metric,
                format!("{what} is {file} in the file, {recomputed} recomputed"),
            );
        }
    }

    /// A metric finding when a recorded count is not the recomputed one.
    fn count(&mut self, what: &str, file: u32, recomputed: u32) {
        if file != recomputed {
            self.push(
                Kind::Metric,
                format!("{what} is {file} in the file, {recomputed} recomputed"),
            );
        }
    }
}

/// Whether two recorded numbers agree within [`TOLERANCE`].
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Checks `schedule` against `config` and its `problem`.
pub(crate) fn verify(config: &Config, problem: &Problem, schedule: &Schedule) -> Report {
    let mut report = Report {
        shifts: schedule.shifts.len(),
        findings: Vec::new(),
    };

    if schedule.config_sha256 != config.sha256 {
        // Every metric depends on the config, so a schedule solved from another version
        // of it is not verified by this one even where the numbers happen to agree.
        report.push(
            Kind::Schedule,
            format!(
                "config_sha256 {} is not the config's {}: the schedule was solved from another version of it",
                short(&schedule.config_sha256),
                short(&config.sha256)
            ),
        );
    }
    if schedule.team != config.team.name {
        report.push(
            Kind::Schedule,
            format!(
                "team {:?} is not the config's {:?}",
                schedule.team, config.team.name
            ),
        );
    }
    if schedule.period.start != config.period.start || schedule.period.end != config.period.end {
        report.push(
            Kind::Schedule,
            format!(
                "period {}..{} is not the config's {}..{}",
                schedule.period.start, schedule.period.end, config.period.start, config.period.end
            ),
        );
    }

    let assignment = assignment_of(config, problem, schedule, &mut report);

    for violation in rules::check(problem, &assignment, None) {
        report.push(Kind::Rule, violation.describe(problem));
    }

    compare_numbers(config, problem, schedule, &assignment, &mut report);
    // What the file claims first, then broken rules, then the numbers that follow.
    report.findings.sort_by_key(|f| f.kind);
    report
}

/// Maps the file's shifts onto the problem's (by layer name and start) and checks each
/// entry's end, points and UID on the way.
fn assignment_of(
    config: &Config,
    problem: &Problem,
    schedule: &Schedule,
    report: &mut Report,
) -> Assignment {
    let shifts: BTreeMap<(usize, DateTime<Utc>), usize> = problem
        .shifts
        .iter()
        .enumerate()
        .map(|(s, shift)| ((shift.layer, shift.start), s))
        .collect();

    let mut assignment = Assignment::empty(problem.shifts.len());
    let mut uids_used: BTreeSet<&str> = BTreeSet::new();
    for entry in &schedule.shifts {
        let at = format!("{} at {}", entry.layer, entry.start.to_rfc3339());
        let Some(layer) = problem.layer_index(&entry.layer) else {
            report.push(
                Kind::Schedule,
                format!("{at}: the config has no layer {:?}", entry.layer),
            );
            continue;
        };
        let Some(&s) = shifts.get(&(layer, entry.start)) else {
            report.push(
                Kind::Schedule,
                format!("{at}: the config has no shift of this layer starting then"),
            );
            continue;
        };
        let shift = &problem.shifts[s];
        let label = rules::shift_label(problem, s);
        if entry.end != shift.end {
            report.push(
                Kind::Schedule,
                format!(
                    "{label}: ends {} but the config's shift ends {}",
                    entry.end.to_rfc3339(),
                    shift.end.to_rfc3339()
                ),
            );
        }
        let seats = shift.per_shift.max(1);
        if !(0..seats).any(|k| uid(config, shift, k) == entry.uid) {
            report.push(
                Kind::Schedule,
                format!(
                    "{label}: uid {:?} is not derived from this team, layer and start (expected {:?})",
                    entry.uid,
                    uid(config, shift, 0)
                ),
            );
        } else if !uids_used.insert(entry.uid.as_str()) {
            report.push(
                Kind::Schedule,
                format!("{label}: uid {:?} appears twice", entry.uid),
            );
        }
        let Some(m) = problem.member_index(&entry.member) else {
            report.push(
                Kind::Schedule,
                format!("{label}: the config has no member {:?}", entry.member),
            );
            continue;
        };
        let points = problem.cells[s][m].points;
        if !close(entry.points, points) {
            report.push(
                Kind::Metric,
                format!(
                    "{label}: points of {} are {} in the file, {} recomputed",
                    entry.member,
                    entry.points,
                    rounded(points)
                ),
            );
        }
        assignment.members[s].push(m);
    }
    for held in &mut assignment.members {
        // Sorted as Assignment requires; duplicates stay so the coverage rule sees them.
        held.sort_unstable();
    }
    assignment
}

/// Recomputes every member field, metric and the objective, and compares with the file.
fn compare_numbers(
    config: &Config,
    problem: &Problem,
    schedule: &Schedule,
    assignment: &Assignment,
    report: &mut Report,
) {
    let evaluation = evaluate(problem, assignment, None);

    let mut in_file: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, m) in schedule.members.iter().enumerate() {
        if in_file.insert(m.id.as_str(), i).is_some() {
            report.push(Kind::Schedule, format!("member {:?} is listed twice", m.id));
        }
        if !config.members.iter().any(|cm| cm.id == m.id) {
            report.push(
                Kind::Schedule,
                format!("member {:?} is not in the config", m.id),
            );
        }
    }
    for (member, e) in config.members.iter().zip(&evaluation.members) {
        let Some(&i) = in_file.get(member.id.as_str()) else {
            report.push(
                Kind::Schedule,
                format!("member {:?} of the config is missing", member.id),
            );
            continue;
        };
        let f = &schedule.members[i];
        let id = &member.id;
        let floats = [
            ("capacity", f.capacity, e.capacity),
            ("load", f.load, e.load),
            ("history", f.history, e.history),
            ("normalized", f.normalized, e.normalized),
            ("fair_share", f.fair_share, e.fair_share),
            ("hours.business", f.hours.business, e.hours.business),
            (
                "hours.after_hours",
                f.hours.after_hours,
                e.hours.after_hours,
            ),
            ("hours.weekend", f.hours.weekend, e.hours.weekend),
            ("hours.holiday", f.hours.holiday, e.hours.holiday),
        ];
        for (field, file, recomputed) in floats {
            report.compare(&format!("{id}: {field}"), file, recomputed);
        }
        report.count(&format!("{id}: shifts"), f.shifts, e.shifts);
        report.count(
            &format!("{id}: back_to_back_after_hours"),
            f.back_to_back_after_hours,
            e.back_to_back_after_hours,
        );
        report.count(
            &format!("{id}: back_to_back_earlier"),
            f.back_to_back_earlier,
            e.back_to_back_earlier,
        );
    }

    let mut metrics = evaluation.metrics;
    // Churn is relative to the previous schedule of a re-solve, which the file does not
    // name: take the recorded value, and recompute the objective with it.
    metrics.churn = schedule.metrics.churn;
    let file = &schedule.metrics;
    report.compare("metrics.imbalance", file.imbalance, metrics.imbalance);
    report.compare("metrics.deviation", file.deviation, metrics.deviation);
    report.compare("metrics.total_load", file.total_load, metrics.total_load);
    report.count(
        "metrics.back_to_back_after_hours",
        file.back_to_back_after_hours,
        metrics.back_to_back_after_hours,
    );
    report.count(
        "metrics.prefer_off_violations",
        file.prefer_off_violations,
        metrics.prefer_off_violations,
    );

    let solver = &schedule.solver;
    let recomputed = objective(&config.objective, &metrics);
    report.compare("solver.objective", solver.objective, recomputed);
    if solver.status != "optimal" && solver.status != "feasible" {
        report.push(
            Kind::Schedule,
            format!(
                "solver.status {:?} is neither \"optimal\" nor \"feasible\"",
                solver.status
            ),
        );
    }
    if solver.bound > solver.objective && !close(solver.bound, solver.objective) {
        report.push(
            Kind::Metric,
            format!(
                "solver.bound {} exceeds the objective {}: it is no lower bound",
                solver.bound, solver.objective
            ),
        );
    }
    if solver.gap < 0.0 || solver.gap.is_nan() {
        report.push(
            Kind::Metric,
            format!("solver.gap {} is negative", solver.gap),
        );
    }
}

fn rounded(x: f64) -> f64 {
    crate::schedule::round6(x)
}

/// The first 12 hex digits, enough to tell two hashes apart in a message.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testkit::fixture;

    fn verified(schedule: &Schedule) -> Report {
        verify(&fixture::config(), &fixture::problem(), schedule)
    }

    fn good() -> Schedule {
        fixture::schedule(&fixture::problem(), fixture::assignment())
    }

    fn messages(report: &Report, kind: Kind) -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn a_built_schedule_verifies() {
        let report = verified(&good());
        assert_eq!(report.findings, []);
        assert_eq!(
            report.render(),
            "ok: 12 shifts, all rules hold, metrics match\n"
        );
    }

    #[test]
    fn a_member_moved_onto_an_unavailable_day_breaks_a_rule() {
        let mut s = good();
        // c is away on day 3; give c d's primary shift that day.
        let e = s
            .shifts
            .iter_mut()
            .find(|e| e.layer == "primary" && e.start == fixture::start(fixture::C_AWAY))
            .expect("primary day 3");
        assert_eq!(e.member, "d");
        e.member = "c".into();
        e.points = 48.333333;
        let report = verified(&s);
        let rules = messages(&report, Kind::Rule);
        assert!(
            rules.iter().any(|m| m.contains("c cannot take it")
                && m.contains("unavailable on 2027-01-07 (dentist)")),
            "{rules:?}"
        );
        // Loads moved too, and the recorded metrics no longer match.
        assert!(!messages(&report, Kind::Metric).is_empty());
        assert!(report.headline().starts_with("verify failed:"));
    }

    #[test]
    fn headline_counts_each_kind() {
        let mut s = good();
        s.team = "Other".into();
        s.metrics.imbalance += 1.0;
        s.metrics.deviation += 1.0;
        assert_eq!(
            verified(&s).headline(),
            "verify failed: 3 problems (1 schedule entry wrong, 2 metric mismatches)"
        );
    }

    #[test]
    fn an_edited_metric_is_caught() {
        let mut s = good();
        s.metrics.imbalance -= 1.0;
        let report = verified(&s);
        assert_eq!(
            messages(&report, Kind::Metric),
            ["metrics.imbalance is 213 in the file, 214 recomputed"]
        );
        let mut s = good();
        s.members[2].fair_share += 0.01;
        assert_eq!(
            messages(&verified(&s), Kind::Metric),
            ["c: fair_share is 71.01 in the file, 71 recomputed"]
        );
        let mut s = good();
        s.solver.objective += 5.0;
        assert_eq!(messages(&verified(&s), Kind::Metric).len(), 1);
    }

    #[test]
    fn rounding_noise_is_tolerated() {
        let mut s = good();
        s.metrics.total_load += 4e-7;
        s.members[0].load -= 4e-7;
        assert!(verified(&s).ok());
    }

    #[test]
    fn edited_points_end_and_uid_are_caught() {
        let mut s = good();
        s.shifts[0].points += 1.0;
        s.shifts[1].end += chrono::Duration::hours(1);
        s.shifts[2].uid = "x@y".into();
        let report = verified(&s);
        assert_eq!(messages(&report, Kind::Metric).len(), 1);
        let schedule = messages(&report, Kind::Schedule);
        assert!(schedule.iter().any(|m| m.contains("ends")), "{schedule:?}");
        assert!(
            schedule.iter().any(|m| m.contains("uid \"x@y\"")),
            "{schedule:?}"
        );
    }

    #[test]
    fn a_duplicated_seat_is_caught() {
        let mut s = good();
        let copy = s.shifts[0].clone();
        s.shifts.push(copy);
        let report = verified(&s);
        assert!(
            messages(&report, Kind::Schedule)
                .iter()
                .any(|m| m.contains("appears twice"))
        );
        assert!(
            messages(&report, Kind::Rule)
                .iter()
                .any(|m| m.contains("of 1 people assigned"))
        );
    }

    #[test]
    fn unknown_layer_member_or_start_and_missing_shifts_are_caught() {
        let mut s = good();
        s.shifts[0].layer = "tertiary".into();
        s.shifts[1].member = "zoe".into();
        s.shifts[2].start += chrono::Duration::minutes(30);
        let report = verified(&s);
        let schedule = messages(&report, Kind::Schedule);
        assert!(schedule.iter().any(|m| m.contains("no layer \"tertiary\"")));
        assert!(schedule.iter().any(|m| m.contains("no member \"zoe\"")));
        assert!(
            schedule
                .iter()
                .any(|m| m.contains("no shift of this layer"))
        );
        // Entries 1 and 2 are both seats of pair on day 0: two shifts are short.
        assert_eq!(
            messages(&report, Kind::Rule),
            [
                "primary 2027-01-04 09:00: 0 of 1 people assigned",
                "pair 2027-01-04 09:00: 0 of 2 people assigned"
            ]
        );
    }

    #[test]
    fn members_list_must_match_the_config() {
        let mut s = good();
        s.members.remove(3);
        s.members[0].id = "zed".into();
        let schedule = messages(&verified(&s), Kind::Schedule);
        assert!(schedule.contains(&"member \"zed\" is not in the config".to_string()));
        assert!(schedule.contains(&"member \"a\" of the config is missing".to_string()));
        assert!(schedule.contains(&"member \"d\" of the config is missing".to_string()));
    }

    #[test]
    fn another_config_version_fails() {
        let mut s = good();
        s.config_sha256 = "cd".repeat(32);
        let report = verified(&s);
        assert_eq!(report.findings.len(), 1);
        assert!(
            report.findings[0]
                .message
                .contains("config_sha256 cdcdcdcdcdcd")
        );
        let mut s = good();
        s.team = "Other".into();
        s.period.end = s.period.start;
        assert_eq!(messages(&verified(&s), Kind::Schedule).len(), 2);
    }

    #[test]
    fn churn_is_taken_from_the_file_and_priced_into_the_objective() {
        let mut s = good();
        s.metrics.churn = 2;
        assert_eq!(messages(&verified(&s), Kind::Metric).len(), 1, "objective");
        s.solver.objective += 2.0 * crate::config::ObjectiveWeights::default().churn;
        assert!(verified(&s).ok());
    }

    #[test]
    fn solver_claims_are_checked() {
        let mut s = good();
        s.solver.status = "great".into();
        s.solver.bound = s.solver.objective + 10.0;
        s.solver.gap = -0.5;
        let report = verified(&s);
        assert_eq!(report.findings.len(), 3, "{:?}", report.findings);
    }

    #[test]
    fn close_is_relative_above_one_and_absolute_below() {
        assert!(close(1e9, 1e9 + 100.0));
        assert!(!close(1e9, 1e9 + 10_000.0));
        assert!(close(0.0, 9e-7));
        assert!(!close(0.0, 2e-6));
    }

    proptest! {
        #[test]
        fn proptest_every_built_schedule_verifies(a in fixture::valid_assignment()) {
            let p = fixture::problem();
            let s = fixture::schedule(&p, a);
            let report = verify(&fixture::config(), &p, &s);
            prop_assert!(report.ok(), "{}", report.render());
        }

        #[test]
        fn proptest_uids_are_the_same_for_every_assignee(a in fixture::valid_assignment(), b in fixture::valid_assignment()) {
            let p = fixture::problem();
            let uids = |s: Schedule| s.shifts.into_iter().map(|e| e.uid).collect::<Vec<_>>();
            prop_assert_eq!(uids(fixture::schedule(&p, a)), uids(fixture::schedule(&p, b)));
        }

        #[test]
        fn proptest_a_changed_member_field_fails(a in fixture::valid_assignment(), who in 0usize..4, delta in 0.01f64..100.0) {
            let p = fixture::problem();
            let mut s = fixture::schedule(&p, a);
            s.members[who].load += delta;
            prop_assert!(!verify(&fixture::config(), &p, &s).ok());
        }
    }
}
