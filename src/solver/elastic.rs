//! Which rule gives, for whom and when: the elastic re-solve behind an infeasibility
//! diagnosis. Every hard rule instance (a seat of a shift, a rest gap, a run of
//! consecutive shifts, a member's max_shifts, a pin, a frozen seat) gets a slack
//! variable, and HiGHS minimises their weighted sum: the slacks that stay positive are
//! the fewest relaxations that would make a schedule possible, each named by its member
//! and week ("min_rest_hours 48 would have to drop to 24 for bob in week 7").
//!
//! Overlapping shifts stay apart (one person cannot be in two places), and who may take a
//! shift at all (eligibility, availability) is not relaxed: a seat nobody can take shows
//! as a seat that stays empty.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use good_lp::solvers::highs::highs;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use serde::Serialize;

use super::index::{Index, Rules};
use super::plan;
use crate::problem::Problem;
use crate::problem::assignment::Previous;

/// The rule families that can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A seat of a shift left empty.
    Coverage,
    MinRestHours,
    MaxConsecutive,
    MaxShifts,
    Pin,
    Frozen,
}

/// One relaxation that would make a schedule possible, for people and for `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relaxation {
    pub rule: Rule,
    /// The member it concerns; `None` for an empty seat.
    pub member: Option<String>,
    pub layer: Option<String>,
    /// Week of the period (1 = the week of its first shift), and that week's Monday.
    pub week: Option<u32>,
    pub week_of: Option<NaiveDate>,
    /// The rule's value now and the value it would need (rest hours, run length, shift
    /// count), where it has one.
    pub now: Option<f64>,
    pub needed: Option<f64>,
    /// The whole sentence.
    pub text: String,
}

/// How much leaving a seat empty costs against bending one rule once: more, so that
/// the diagnosis names the rules first, and an empty seat only where nobody could fill it.
const EMPTY_SEAT: f64 = 4.0;
/// A pin or a frozen seat given up costs less than bending a rule: it is one seat, where
/// a rule stands for every seat like it.
const ONE_SEAT: f64 = 0.5;
/// At most this many relaxations are listed (the rest are counted).
pub(crate) const SHOWN: usize = 12;

/// The least relaxations, in time order; `None` when HiGHS could not tell by `deadline`.
pub(crate) fn relaxations(
    problem: &Problem,
    previous: Option<&Previous>,
    deadline: Instant,
    highs_log: bool,
) -> Option<Vec<Relaxation>> {
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left < 0.05 || problem.shifts.is_empty() {
        return None;
    }
    // Candidates and overlap only: every rule below is added with a slack.
    let free = Rules {
        min_rest_hours: 0.0,
        max_consecutive: 0,
        max_shifts: false,
        pins: false,
        frozen: false,
    };
    let index = Index::new(problem, previous, free);
    let members = index.members;
    let shifts = &problem.shifts;
    let mut vars = ProblemVariables::new();
    let mut x: Vec<Option<Variable>> = vec![None; shifts.len() * members];
    for s in 0..shifts.len() {
        for &m in &index.cand[s] {
            x[s * members + m] = Some(vars.add(variable().binary()));
        }
    }
    let xv = |s: usize, m: usize| x[s * members + m];
    let mut rows = Vec::new();
    let mut objective = Expression::default();
    // (slack, what it relaxes)
    let mut slacks: Vec<(Variable, Slack)> = Vec::new();
    let mut slack = |vars: &mut ProblemVariables, max: f64, weight: f64, what: Slack| {
        let v = vars.add(variable().min(0.0).max(max));
        objective.add_mul(weight, v);
        slacks.push((v, what));
        v
    };

    for (s, shift) in shifts.iter().enumerate() {
        let need = f64::from(shift.per_shift);
        let empty = slack(&mut vars, need, EMPTY_SEAT, Slack::Seat(s));
        let held: Expression = index.cand[s].iter().filter_map(|&m| xv(s, m)).sum();
        rows.push((held + empty).eq(need));
    }
    for clique in &index.cliques {
        for m in 0..members {
            let held: Vec<Variable> = clique.iter().filter_map(|&s| xv(s, m)).collect();
            if held.len() > 1 {
                rows.push(held.into_iter().sum::<Expression>().leq(1.0));
            }
        }
    }
    let rest = (problem.rules.min_rest_hours * 3600.0).round() as i64;
    if rest > 0 {
        for (a, b) in rest_pairs(problem, rest) {
            if rows.len() > plan::ELASTIC_MAX_ROWS {
                return None;
            }
            for m in 0..members {
                if let (Some(va), Some(vb)) = (xv(a, m), xv(b, m)) {
                    let r = slack(&mut vars, 1.0, 1.0, Slack::Rest(a, b, m));
                    rows.push((va + vb - r).leq(1.0));
                }
            }
        }
    }
    if rows.len() > plan::ELASTIC_MAX_ROWS || Instant::now() >= deadline {
        return None;
    }
    let k = problem.rules.max_consecutive as usize;
    if k > 0 {
        for list in &index.layer_shifts {
            let seq = |i: usize| shifts[list[i]].seq_in_layer;
            for start in 0..list.len().saturating_sub(k) {
                let window = start..=start + k;
                if window.clone().skip(1).any(|i| seq(i - 1) + 1 != seq(i)) {
                    continue;
                }
                for m in 0..members {
                    let held: Vec<Variable> =
                        window.clone().filter_map(|i| xv(list[i], m)).collect();
                    if held.len() == k + 1 {
                        let c = slack(&mut vars, 1.0, 1.0, Slack::Run(list[start], m));
                        rows.push((held.into_iter().sum::<Expression>() - c).leq(k as f64));
                    }
                }
            }
        }
    }
    if rows.len() > plan::ELASTIC_MAX_ROWS || Instant::now() >= deadline {
        return None;
    }
    for (m, facts) in problem.members.iter().enumerate() {
        if let Some(max) = facts.max_shifts {
            let q = slack(&mut vars, shifts.len() as f64, 1.0, Slack::Count(m));
            let held: Expression = (0..shifts.len()).filter_map(|s| xv(s, m)).sum();
            rows.push((held - q).leq(f64::from(max)));
        }
    }
    for &(s, m) in &problem.pins {
        if let Some(v) = xv(s, m) {
            let p = slack(&mut vars, 1.0, ONE_SEAT, Slack::Pin(s, m));
            rows.push((v + p).geq(1.0));
        }
    }
    if let Some(prev) = previous {
        for (s, before) in prev.members.iter().enumerate() {
            if !prev.frozen.get(s).copied().unwrap_or(false) || s >= shifts.len() {
                continue;
            }
            for &m in before.iter().flatten() {
                if let Some(v) = xv(s, m) {
                    let f = slack(&mut vars, 1.0, ONE_SEAT, Slack::Frozen(s, m));
                    rows.push((v + f).geq(1.0));
                }
            }
        }
    }

    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    let mut model = vars
        .minimise(objective)
        .using(highs)
        .set_time_limit(left.max(0.05))
        .set_threads(1);
    model.set_verbose(highs_log);
    let solution = rows
        .into_iter()
        .fold(model, |model, row| model.with(row))
        .solve()
        .ok()?;
    let mut found: Vec<(usize, Relaxation)> = slacks
        .iter()
        .filter(|(v, _)| solution.value(*v) > 0.5)
        .map(|(v, what)| what.describe(problem, solution.value(*v)))
        .collect();
    found.sort_by(|a, b| (a.0, &a.1.text).cmp(&(b.0, &b.1.text)));
    Some(found.into_iter().map(|(_, r)| r).collect())
}

/// Pairs of shifts `(a, b)`, `b` starting less than `rest` seconds after `a` ends
/// (and not overlapping it: overlap is never relaxed).
fn rest_pairs(problem: &Problem, rest: i64) -> Vec<(usize, usize)> {
    let shifts = &problem.shifts;
    let mut order: Vec<usize> = (0..shifts.len()).collect();
    order.sort_by_key(|&s| (shifts[s].start, s));
    let mut pairs = Vec::new();
    for &a in &order {
        let end = shifts[a].end.timestamp();
        for &b in &order {
            let start = shifts[b].start.timestamp();
            if start >= end && start < end + rest {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

/// What one slack relaxes.
#[derive(Debug, Clone, Copy)]
enum Slack {
    Seat(usize),
    /// Shifts `a` then `b` for member `m`.
    Rest(usize, usize, usize),
    /// A run of max_consecutive + 1 starting at shift `s`, for member `m`.
    Run(usize, usize),
    Count(usize),
    Pin(usize, usize),
    Frozen(usize, usize),
}

impl Slack {
    /// The relaxation in words, with the shift it sorts by.
    fn describe(self, problem: &Problem, amount: f64) -> (usize, Relaxation) {
        let week = |s: usize| week_of(problem, s);
        let id = |m: usize| problem.members[m].id.clone();
        let layer = |s: usize| problem.layers[problem.shifts[s].layer].name.clone();
        let starting = |s: usize| problem.shifts[s].local_start.format("%Y-%m-%d %H:%M");
        let mut r = Relaxation {
            rule: Rule::Coverage,
            member: None,
            layer: None,
            week: None,
            week_of: None,
            now: None,
            needed: None,
            text: String::new(),
        };
        let at = match self {
            Slack::Seat(s) => {
                let (w, monday) = week(s);
                let seats = amount.round();
                r.layer = Some(layer(s));
                (r.week, r.week_of) = (Some(w), Some(monday));
                r.text = format!(
                    "the {} shift starting {} would have {seats} seat{} left empty: nobody else can take it (week {w}, {monday})",
                    layer(s),
                    starting(s),
                    if seats == 1.0 { "" } else { "s" }
                );
                s
            }
            Slack::Rest(a, b, m) => {
                let (w, monday) = week(b);
                let gap =
                    (problem.shifts[b].start - problem.shifts[a].end).num_minutes() as f64 / 60.0;
                r.rule = Rule::MinRestHours;
                r.member = Some(id(m));
                r.layer = Some(layer(b));
                (r.week, r.week_of) = (Some(w), Some(monday));
                (r.now, r.needed) = (Some(problem.rules.min_rest_hours), Some(gap));
                r.text = format!(
                    "min_rest_hours {} would have to drop to {gap} for {} in week {w} ({monday})",
                    problem.rules.min_rest_hours,
                    id(m)
                );
                b
            }
            Slack::Run(s, m) => {
                let (w, monday) = week(s);
                let k = problem.rules.max_consecutive;
                r.rule = Rule::MaxConsecutive;
                r.member = Some(id(m));
                r.layer = Some(layer(s));
                (r.week, r.week_of) = (Some(w), Some(monday));
                (r.now, r.needed) = (Some(f64::from(k)), Some(f64::from(k) + 1.0));
                r.text = format!(
                    "max_consecutive {k} would have to rise to {} for {} in week {w} ({monday}), on {} from {}",
                    k + 1,
                    id(m),
                    layer(s),
                    starting(s)
                );
                s
            }
            Slack::Count(m) => {
                let max = problem.members[m].max_shifts.unwrap_or(0);
                let needed = f64::from(max) + amount.round();
                r.rule = Rule::MaxShifts;
                r.member = Some(id(m));
                (r.now, r.needed) = (Some(f64::from(max)), Some(needed));
                r.text = format!(
                    "max_shifts {max} of {} would have to rise to {needed}",
                    id(m)
                );
                usize::MAX
            }
            Slack::Pin(s, m) | Slack::Frozen(s, m) => {
                let (w, monday) = week(s);
                r.member = Some(id(m));
                r.layer = Some(layer(s));
                (r.week, r.week_of) = (Some(w), Some(monday));
                let pinned = matches!(self, Slack::Pin(..));
                r.rule = if pinned { Rule::Pin } else { Rule::Frozen };
                r.text = if pinned {
                    format!(
                        "the pin of {} on the {} shift starting {} would have to go (week {w}, {monday})",
                        id(m),
                        layer(s),
                        starting(s)
                    )
                } else {
                    format!(
                        "the frozen {} shift of {} starting {} would have to change: freeze less (--freeze-until earlier) (week {w}, {monday})",
                        layer(s),
                        id(m),
                        starting(s)
                    )
                };
                s
            }
        };
        (at, r)
    }
}

/// The relaxation that lets member `m`'s fixed seat on shift `s` go: its frozen or
/// pinned seat named as the elastic re-solve names it, for the pre-check's clashes.
pub(super) fn fixed_seat(problem: &Problem, s: usize, m: usize, frozen: bool) -> Relaxation {
    let slack = if frozen {
        Slack::Frozen(s, m)
    } else {
        Slack::Pin(s, m)
    };
    slack.describe(problem, 1.0).1
}

/// Week of shift `s` in the period (1 = the week of the first shift, weeks from
/// Monday, in the shift's layer's local dates) and that week's Monday.
fn week_of(problem: &Problem, s: usize) -> (u32, NaiveDate) {
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let first = problem
        .shifts
        .iter()
        .map(|shift| shift.local_start.date())
        .min()
        .unwrap_or_default();
    let this = monday(problem.shifts[s].local_start.date());
    let weeks = (this - monday(first)).num_days() / 7;
    (u32::try_from(weeks + 1).unwrap_or(1), this)
}

/// The diagnosis's list: at most [`SHOWN`] lines, then how many more.
pub(crate) fn render(found: &[Relaxation]) -> String {
    let mut lines: Vec<String> = found
        .iter()
        .take(SHOWN)
        .map(|r| format!("  - {}", r.text))
        .collect();
    if found.len() > SHOWN {
        lines.push(format!("  - and {} more", found.len() - SHOWN));
    }
    lines.join("\n")
}
