//! `rota swap CONFIG SCHEDULE --member ID --shift LAYER@START`: replacing one member on one
//! shift — every other member, ranked by what taking the shift, alone or as a trade, does
//! to the hard rules and to fairness.
//!
//! Each option is applied to a copy of the published assignment and judged by the same
//! code as everything else: `rules::check` (only violations the change *introduces*
//! count, so a schedule solved from an older config can still be swapped on) and
//! `evaluate` (the objective and its terms, before and after).

use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::Env;
use crate::config::suggest::dash_did_you_mean;
use crate::config::{Config, PinStart};
use crate::error::Error;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::Metrics;
use crate::problem::evaluate::{Evaluation, evaluate};
use crate::problem::rules::{Violation, check, shift_label};
use crate::schedule::Schedule;

#[derive(Debug, clap::Args)]
pub struct SwapArgs {
    /// The team's config (TOML) the schedule was solved from.
    pub config: PathBuf,
    /// A schedule.json written by `rota solve`.
    pub schedule: PathBuf,
    /// The member who cannot take the shift.
    #[arg(long)]
    pub member: String,
    /// LAYER@START: START is the local start date (2027-02-01) or an RFC 3339 instant.
    #[arg(long)]
    pub shift: String,
    /// How many candidates to show.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}

pub(crate) fn run(args: &SwapArgs, env: &Env) -> Result<(), Error> {
    if args.top == 0 {
        return Err(Error::Usage("--top must be at least 1".into()));
    }
    let config = crate::config::load(&args.config)?;
    let schedule = Schedule::read(&args.schedule)?;
    let problem = crate::problem::build_with(&config, &schedule.earlier_seats())?;
    let on_schedule = |e: SwapError| Error::Schedule {
        path: args.schedule.clone(),
        message: e.0,
    };
    let assignment = assignment_from_schedule(&problem, &schedule).map_err(on_schedule)?;

    let usage = |e: SwapError| Error::Usage(e.0);
    let member = find_member(&problem, &args.member).map_err(usage)?;
    let (layer, start) = parse_shift_spec(&args.shift).map_err(usage)?;
    let shift = find_shift(&problem, &assignment, &layer, start, member).map_err(usage)?;

    let mut analysis = analyze(&problem, &assignment, shift, member, env.now);
    // "Now" is the schedule as solve recorded it: with the churn of its re-solve, which
    // the file records and nothing here can recompute (as `verify` does).
    analysis.before.churn = schedule.metrics.churn;
    analysis.before_objective += problem.objective.churn * f64::from(schedule.metrics.churn);
    super::print(&analysis.render(
        &config,
        &problem,
        args.top,
        &args.config.display().to_string(),
    ))
}

/// Input that names no shift, member or layer of the problem (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct SwapError(pub String);

/// `LAYER@START` → the layer name and the start, a local date or an RFC 3339 instant.
pub(crate) fn parse_shift_spec(spec: &str) -> Result<(String, PinStart), SwapError> {
    let usage = || {
        SwapError(format!(
            "--shift {spec:?} is not LAYER@START — e.g. primary@2027-02-08 (the local start \
             date) or primary@2027-02-08T15:00:00Z"
        ))
    };
    let (layer, start) = spec.split_once('@').ok_or_else(usage)?;
    if layer.is_empty() {
        return Err(usage());
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(start) {
        return Ok((
            layer.to_string(),
            PinStart::Instant(instant.with_timezone(&Utc)),
        ));
    }
    match NaiveDate::parse_from_str(start, "%Y-%m-%d") {
        Ok(date) => Ok((layer.to_string(), PinStart::LocalDate(date))),
        Err(_) => Err(usage()),
    }
}

/// The index of a member id, or an error suggesting the closest id.
pub(crate) fn find_member(problem: &Problem, id: &str) -> Result<usize, SwapError> {
    problem.member_index(id).ok_or_else(|| {
        let ids = problem.members.iter().map(|m| m.id.as_str());
        SwapError(format!(
            "unknown member {id:?}{}",
            dash_did_you_mean(id, ids)
        ))
    })
}

/// The shift of `layer` starting at `start` that `holder` holds. A local date may match
/// several shifts (daily or hourly layers); the one `holder` holds is meant.
pub(crate) fn find_shift(
    problem: &Problem,
    assignment: &Assignment,
    layer: &str,
    start: PinStart,
    holder: usize,
) -> Result<usize, SwapError> {
    let l = problem.layer_index(layer).ok_or_else(|| {
        let names = problem.layers.iter().map(|l| l.name.as_str());
        SwapError(format!(
            "unknown layer {layer:?}{}",
            dash_did_you_mean(layer, names)
        ))
    })?;
    let in_layer: Vec<usize> = (0..problem.shifts.len())
        .filter(|&s| problem.shifts[s].layer == l)
        .collect();
    let matching: Vec<usize> = in_layer
        .iter()
        .copied()
        .filter(|&s| match start {
            PinStart::LocalDate(d) => problem.shifts[s].local_start.date() == d,
            PinStart::Instant(t) => problem.shifts[s].start == t,
        })
        .collect();
    let who = &problem.members[holder].id;
    if matching.is_empty() {
        return Err(SwapError(format!(
            "no {layer} shift starts at {}{}",
            start_text(start),
            nearest(problem, &in_layer, start)
        )));
    }
    let held: Vec<usize> = matching
        .iter()
        .copied()
        .filter(|&s| assignment.holds(s, holder))
        .collect();
    match held.as_slice() {
        [s] => Ok(*s),
        [] => {
            let holders: Vec<String> = matching
                .iter()
                .map(|&s| {
                    let ids: Vec<&str> = assignment.members[s]
                        .iter()
                        .map(|&m| problem.members[m].id.as_str())
                        .collect();
                    format!(
                        "{} is held by {}",
                        shift_label(problem, s),
                        ids.join(" and ")
                    )
                })
                .collect();
            Err(SwapError(format!(
                "{who} does not hold the {layer} shift at {} ({})",
                start_text(start),
                holders.join("; ")
            )))
        }
        several => {
            let starts: Vec<String> = several
                .iter()
                .map(|&s| {
                    format!(
                        "{layer}@{}",
                        problem.shifts[s].start.format("%Y-%m-%dT%H:%M:%SZ")
                    )
                })
                .collect();
            Err(SwapError(format!(
                "{who} holds {} {layer} shifts starting on {}; name one: {}",
                several.len(),
                start_text(start),
                starts.join(", ")
            )))
        }
    }
}

/// The assignment a schedule.json describes, in the problem's indices. Fails when the
/// schedule names a layer, member or shift the problem does not have — it was solved
/// from another config.
pub(crate) fn assignment_from_schedule(
    problem: &Problem,
    schedule: &Schedule,
) -> Result<Assignment, SwapError> {
    let mut assignment = Assignment::empty(problem.shifts.len());
    for seat in &schedule.shifts {
        let l = problem.layer_index(&seat.layer).ok_or_else(|| {
            SwapError(format!(
                "the schedule has layer {:?}, which the config does not — was it solved \
                     from another config?",
                seat.layer
            ))
        })?;
        let m = find_member(problem, &seat.member).map_err(|_| {
            SwapError(format!(
                "the schedule puts {:?} on {} {}, but the config has no such member",
                seat.member, seat.layer, seat.start
            ))
        })?;
        // Shifts are sorted by start, so the candidates are a contiguous run.
        let from = problem.shifts.partition_point(|s| s.start < seat.start);
        let s = (from..problem.shifts.len())
            .take_while(|&s| problem.shifts[s].start == seat.start)
            .find(|&s| problem.shifts[s].layer == l)
            .ok_or_else(|| {
                SwapError(format!(
                    "the schedule has a {} shift at {}, which the config does not — was it \
                     solved from another config?",
                    seat.layer,
                    seat.start.format("%Y-%m-%dT%H:%M:%SZ")
                ))
            })?;
        assignment.members[s].push(m);
    }
    if let Some(s) = assignment.members.iter().position(Vec::is_empty) {
        return Err(SwapError(format!(
            "the schedule has nobody on {}, a shift of the config — was it solved from \
             another config?",
            shift_label(problem, s)
        )));
    }
    for held in &mut assignment.members {
        held.sort_unstable();
    }
    Ok(assignment)
}

/// What an option does, as differences after − before (negative is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Effect {
    pub objective: f64,
    pub imbalance: f64,
    pub deviation: f64,
    pub back_to_back_after_hours: i64,
    pub total_load: f64,
}

/// A valid way to take `member` off the shift.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SwapOption {
    /// Who takes the shift.
    pub taker: usize,
    /// With a trade: the taker's shift that the original member takes in return.
    pub trade: Option<usize>,
    pub effect: Effect,
}

/// A member who can neither take the shift nor trade for it, and the first reason.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejected {
    pub member: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Analysis {
    pub shift: usize,
    pub member: usize,
    pub before: Metrics,
    pub before_objective: f64,
    /// Best first: by objective change, then taking before trading, then member order.
    pub options: Vec<SwapOption>,
    /// In member order.
    pub rejected: Vec<Rejected>,
}

/// Every other member as a replacement for `member` on `shift`: taking it alone, and the
/// best trade for one of their shifts starting at or after `trade_from` (shifts that
/// already started cannot be traded).
pub(crate) fn analyze(
    problem: &Problem,
    assignment: &Assignment,
    shift: usize,
    member: usize,
    trade_from: DateTime<Utc>,
) -> Analysis {
    let base_violations = check(problem, assignment, None);
    let base = evaluate(problem, assignment, None);
    let judge = |candidate: &Assignment| -> Result<Effect, Violation> {
        let after = check(problem, candidate, None);
        if let Some(v) = introduced(&base_violations, after).into_iter().next() {
            return Err(v);
        }
        Ok(effect(&base, &evaluate(problem, candidate, None)))
    };

    let mut options = Vec::new();
    let mut rejected = Vec::new();
    for taker in 0..problem.members() {
        if taker == member || assignment.holds(shift, taker) {
            continue;
        }
        if let Some(why) = &problem.cells[shift][taker].blocked {
            rejected.push(Rejected {
                member: taker,
                reason: why.to_string(),
            });
            continue;
        }
        let taken = replace(assignment, shift, member, taker);
        let alone = judge(&taken);
        if let Ok(effect) = alone {
            options.push(SwapOption {
                taker,
                trade: None,
                effect,
            });
        }

        let mut best: Option<SwapOption> = None;
        for back in assignment.shifts_of(taker) {
            if back == shift
                || problem.shifts[back].start < trade_from
                || assignment.holds(back, member)
                || problem.cells[back][member].blocked.is_some()
            {
                continue;
            }
            let traded = replace(&taken, back, taker, member);
            let Ok(effect) = judge(&traded) else { continue };
            let option = SwapOption {
                taker,
                trade: Some(back),
                effect,
            };
            if best
                .as_ref()
                .is_none_or(|b| rank(problem, shift, &option) < rank(problem, shift, b))
            {
                best = Some(option);
            }
        }
        match (alone, best) {
            (_, Some(trade)) => options.push(trade),
            (Ok(_), None) => {}
            (Err(v), None) => {
                // Violations name the member first; the listing already does.
                let reason = v.describe(problem);
                let id = &problem.members[taker].id;
                let reason = match reason.strip_prefix(&format!("{id} ")) {
                    Some(rest) => rest.to_string(),
                    None => reason,
                };
                rejected.push(Rejected {
                    member: taker,
                    reason,
                })
            }
        }
    }

    options.sort_by_key(|o| rank(problem, shift, o));
    Analysis {
        shift,
        member,
        before: base.metrics,
        before_objective: base.objective,
        options,
        rejected,
    }
}

/// Better options first: a lower objective (to a micro-point, so float noise does not
/// reorder equals), then one change rather than two, then a trade closer in time to the
/// shift (an easier favour to ask), then member order.
fn rank(problem: &Problem, shift: usize, o: &SwapOption) -> (i64, bool, i64, usize) {
    let distance = o.trade.map_or(0, |back| {
        (problem.shifts[back].start - problem.shifts[shift].start)
            .num_seconds()
            .abs()
    });
    (
        (o.effect.objective * 1e6).round() as i64,
        o.trade.is_some(),
        distance,
        o.taker,
    )
}

/// `assignment` with `from` replaced by `to` on `shift`.
fn replace(assignment: &Assignment, shift: usize, from: usize, to: usize) -> Assignment {
    let mut next = assignment.clone();
    let held = &mut next.members[shift];
    held.retain(|&m| m != from);
    held.push(to);
    held.sort_unstable();
    next
}

/// Violations in `after` beyond those already in `before` (as multisets).
fn introduced(before: &[Violation], after: Vec<Violation>) -> Vec<Violation> {
    let mut left: Vec<&Violation> = before.iter().collect();
    after
        .into_iter()
        .filter(|v| match left.iter().position(|b| *b == v) {
            Some(i) => {
                left.swap_remove(i);
                false
            }
            None => true,
        })
        .collect()
}

fn effect(before: &Evaluation, after: &Evaluation) -> Effect {
    let (b, a) = (&before.metrics, &after.metrics);
    Effect {
        objective: after.objective - before.objective,
        imbalance: a.imbalance - b.imbalance,
        deviation: a.deviation - b.deviation,
        back_to_back_after_hours: i64::from(a.back_to_back_after_hours)
            - i64::from(b.back_to_back_after_hours),
        total_load: a.total_load - b.total_load,
    }
}

/// The `[[pin]]` that fixes `member` on `shift`, as one TOML table.
pub(crate) fn pin_toml(problem: &Problem, shift: usize, member: usize) -> String {
    format!(
        "[[pin]]\nlayer = \"{}\"\nstart = {}\nmember = \"{}\"\n",
        problem.layers[problem.shifts[shift].layer].name,
        pin_start(problem, shift),
        problem.members[member].id
    )
}

/// The pin start that names exactly this shift: its local start date when no other shift
/// of the layer starts that day, else its RFC 3339 instant.
pub(crate) fn pin_start(problem: &Problem, shift: usize) -> String {
    if shares_start_date(problem, shift) {
        format!(
            "\"{}\"",
            problem.shifts[shift].start.format("%Y-%m-%dT%H:%M:%SZ")
        )
    } else {
        problem.shifts[shift]
            .local_start
            .format("%Y-%m-%d")
            .to_string()
    }
}

/// `primary@2027-02-08` (or `@` the instant when the date names several shifts), as
/// `--shift` takes it.
pub(crate) fn shift_spec(problem: &Problem, shift: usize) -> String {
    let s = &problem.shifts[shift];
    let layer = &problem.layers[s.layer].name;
    if shares_start_date(problem, shift) {
        format!("{layer}@{}", s.start.format("%Y-%m-%dT%H:%M:%SZ"))
    } else {
        format!("{layer}@{}", s.local_start.format("%Y-%m-%d"))
    }
}

/// Another shift of the same layer starts on the same local date.
fn shares_start_date(problem: &Problem, shift: usize) -> bool {
    let this = &problem.shifts[shift];
    let date = this.local_start.date();
    problem
        .shifts
        .iter()
        .enumerate()
        .any(|(s, x)| s != shift && x.layer == this.layer && x.local_start.date() == date)
}

/// The `unavailable` entry that keeps `member` off `shift`: the shift's own local days in
/// the member's zone, from the day it starts to the day before it ends (the day it ends on
/// only when it starts that day too). A shift ending at midnight does not touch the next day.
pub(crate) fn unavailable_entry(
    config: &Config,
    problem: &Problem,
    shift: usize,
    member: usize,
) -> String {
    let zone = config.members[member].timezone;
    let s = &problem.shifts[shift];
    let from = s.start.with_timezone(&zone).date_naive();
    // The day the shift ends on is the next holder's (a weekly 10:00 handoff leaves the
    // last morning to them; one ending at midnight does not touch it), unless the shift
    // started that day.
    let last = s.end.with_timezone(&zone).date_naive();
    let to = if last > from {
        last - Duration::days(1)
    } else {
        from
    };
    if from == to {
        format!("{{ date = {from}, reason = \"swap\" }}")
    } else {
        format!("{{ from = {from}, to = {to}, reason = \"swap\" }}")
    }
}

fn start_text(start: PinStart) -> String {
    match start {
        PinStart::LocalDate(d) => d.to_string(),
        PinStart::Instant(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// `; nearest: primary@2027-02-08, primary@2027-02-15` — the layer's starts around `start`.
fn nearest(problem: &Problem, in_layer: &[usize], start: PinStart) -> String {
    if in_layer.is_empty() {
        return "; the layer has no shifts in this period".to_string();
    }
    let key = |s: usize| match start {
        PinStart::LocalDate(d) => (problem.shifts[s].local_start.date() - d)
            .num_seconds()
            .abs(),
        PinStart::Instant(t) => (problem.shifts[s].start - t).num_seconds().abs(),
    };
    let mut near: Vec<usize> = in_layer.to_vec();
    near.sort_by_key(|&s| (key(s), s));
    near.truncate(2);
    near.sort_unstable();
    let names: Vec<String> = near.iter().map(|&s| shift_spec(problem, s)).collect();
    format!("; nearest shifts: {}", names.join(", "))
}

/// The options table stays within this many columns, wrapping the option's words.
const TABLE_WIDTH: u16 = 100;

impl Analysis {
    /// What `rota swap` prints: the shift, the best `top` options with the config lines
    /// that make each happen, who cannot take it and why, and how to apply the first.
    pub(crate) fn render(
        &self,
        config: &Config,
        problem: &Problem,
        top: usize,
        config_path: &str,
    ) -> String {
        use comfy_table::{ContentArrangement, Table, presets::UTF8_HORIZONTAL_ONLY};
        use std::fmt::Write;

        let who = |m: usize| problem.members[m].id.as_str();
        let shift = &problem.shifts[self.shift];
        let zone = config.layers[shift.layer].timezone;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} holds {} until {} ({}), {:.1} points for them.",
            who(self.member),
            shift_label(problem, self.shift),
            shift.end.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
            zone.name(),
            problem.cells[self.shift][self.member].points
        );
        let _ = writeln!(
            out,
            "Now: objective {:.1}, imbalance {:.2} points/FTE, deviation {:.1} points, {} \
             back-to-back after-hours pairs.",
            self.before_objective,
            self.before.imbalance,
            self.before.deviation,
            self.before.back_to_back_after_hours
        );

        if self.options.is_empty() {
            let _ = writeln!(out, "\nNobody can take it without breaking a rule.");
        } else {
            let shown = top.min(self.options.len());
            let _ = writeln!(
                out,
                "\nBest {shown} of {} options (change after − before; lower is better):",
                self.options.len()
            );
            let mut table = Table::new();
            table
                .load_preset(UTF8_HORIZONTAL_ONLY)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(TABLE_WIDTH)
                .set_header(["#", "option", "objective", "imbalance", "deviation", "b2b"]);
            for (i, o) in self.options.iter().take(shown).enumerate() {
                table.add_row([
                    (i + 1).to_string(),
                    self.describe_option(problem, o),
                    signed(o.effect.objective, 1),
                    signed(o.effect.imbalance, 2),
                    signed(o.effect.deviation, 1),
                    signed(o.effect.back_to_back_after_hours as f64, 0),
                ]);
            }
            let _ = writeln!(out, "{}", table.trim_fmt());
            // The config lines of each option below the table, not in it: a column of
            // them made the table about 170 characters wide.
            let _ = writeln!(
                out,
                "\nConfig of each option (b2b: back-to-back after-hours pairs):"
            );
            for (i, o) in self.options.iter().take(shown).enumerate() {
                for (j, pin) in self.pins(problem, o).iter().enumerate() {
                    let number = if j == 0 {
                        (i + 1).to_string()
                    } else {
                        String::new()
                    };
                    let line = pin.trim_end().replace('\n', ", ").replacen(", ", " ", 1);
                    let _ = writeln!(out, "  {number:>2}  {line}");
                }
            }
        }

        if !self.rejected.is_empty() {
            let _ = writeln!(out, "\nCannot take it:");
            for r in &self.rejected {
                let _ = writeln!(out, "  {}: {}", who(r.member), r.reason);
            }
        }

        if let Some(first) = self.options.first() {
            let _ = writeln!(
                out,
                "\nTo apply option 1, add to {config_path} and solve again with --previous:\n"
            );
            for pin in self.pins(problem, first) {
                let _ = writeln!(out, "{pin}");
            }
        }
        let _ = writeln!(
            out,
            "{}To let the solver choose instead, add {} to {}'s `unavailable` and solve again \
             with --previous.",
            if self.options.is_empty() { "\n" } else { "" },
            unavailable_entry(config, problem, self.shift, self.member),
            who(self.member)
        );
        out
    }

    fn describe_option(&self, problem: &Problem, o: &SwapOption) -> String {
        let who = |m: usize| problem.members[m].id.as_str();
        match o.trade {
            None => format!("{} takes it", who(o.taker)),
            Some(back) => format!(
                "{} takes it,\n{} takes {}",
                who(o.taker),
                who(self.member),
                shift_label(problem, back)
            ),
        }
    }

    fn pins(&self, problem: &Problem, o: &SwapOption) -> Vec<String> {
        let mut pins = vec![pin_toml(problem, self.shift, o.taker)];
        if let Some(back) = o.trade {
            pins.push(pin_toml(problem, back, self.member));
        }
        pins
    }
}

/// `+1.5`, `-0.25`, `0` — a change, with zero shown plainly.
fn signed(x: f64, decimals: usize) -> String {
    let rounded = format!("{:.*}", decimals, x.abs());
    if rounded.trim_start_matches(['0', '.']).is_empty() {
        "0".to_string()
    } else if x > 0.0 {
        format!("+{rounded}")
    } else {
        format!("-{rounded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Exclusion;
    use crate::testkit::weeks::{problem, round_robin, schedule, t0};

    const TEAM: [&str; 4] = ["ana", "bob", "cy", "dee"];

    /// 4 members, one weekly layer, 8 weeks, round robin: ana holds weeks 0 and 4, bob 1
    /// and 5, cy 2 and 6, dee 3 and 7; every shift is worth 10 points to everyone.
    fn team() -> (Problem, Assignment) {
        let p = problem(&TEAM, &["primary"], 8);
        let a = round_robin(&p);
        (p, a)
    }

    /// The config of [`team`].
    fn config() -> Config {
        crate::testkit::weeks::config(&TEAM, &["primary"], 8)
    }

    fn far_past() -> DateTime<Utc> {
        t0() - Duration::weeks(52)
    }

    /// `taker`'s option of taking the shift without a trade, if it is offered.
    fn taking_alone(r: &Analysis, taker: usize) -> Option<&SwapOption> {
        r.options
            .iter()
            .find(|o| o.taker == taker && o.trade.is_none())
    }

    #[test]
    fn taking_alone_unbalances_and_trading_keeps_the_balance() {
        let (p, a) = team();
        let r = analyze(&p, &a, 0, 0, far_past());
        // Taking alone: loads 10/30/20/20 — imbalance 20, deviation 10 + 10 = 20, so the
        // objective grows by 1000 × 20 + 100 × 20. A trade keeps every load at 20.
        let summary: Vec<(usize, Option<usize>, f64)> = r
            .options
            .iter()
            .map(|o| (o.taker, o.trade, o.effect.objective))
            .collect();
        assert_eq!(
            summary,
            [
                (1, Some(1), 0.0),
                (2, Some(2), 0.0),
                (3, Some(3), 0.0),
                (1, None, 22_000.0),
                (2, None, 22_000.0),
                (3, None, 22_000.0),
            ]
        );
        let alone = &r.options[3].effect;
        assert_eq!(alone.imbalance, 20.0);
        assert_eq!(alone.deviation, 20.0);
        assert_eq!(alone.total_load, 0.0);
        assert!(r.rejected.is_empty());
    }

    #[test]
    fn among_equal_trades_the_one_closest_in_time_is_offered() {
        let (p, a) = team();
        // ana gives up week 4: bob holds weeks 1 and 5, dee weeks 3 and 7.
        let r = analyze(&p, &a, 4, 0, far_past());
        let trades: Vec<(usize, Option<usize>)> = r
            .options
            .iter()
            .filter(|o| o.trade.is_some())
            .map(|o| (o.taker, o.trade))
            .collect();
        assert_eq!(trades, [(1, Some(5)), (3, Some(3)), (2, Some(2))]);
    }

    #[test]
    fn shifts_that_already_started_are_not_offered_in_trades() {
        let (p, a) = team();
        // From week 2 on: bob's week 1 has started, so he offers week 5.
        let r = analyze(&p, &a, 0, 0, t0() + Duration::weeks(2));
        let bob = r.options.iter().find(|o| o.taker == 1 && o.trade.is_some());
        assert_eq!(bob.map(|o| o.trade), Some(Some(5)));
    }

    #[test]
    fn a_blocked_member_is_rejected_with_the_reason() {
        let (mut p, a) = team();
        p.cells[0][2].blocked = Some(Exclusion::Unavailable {
            date: t0().date_naive(),
            reason: Some("ski trip".into()),
        });
        let r = analyze(&p, &a, 0, 0, far_past());
        assert!(r.options.iter().all(|o| o.taker != 2));
        assert_eq!(
            r.rejected,
            [Rejected {
                member: 2,
                reason: "unavailable on 2027-01-04 (ski trip)".into()
            }]
        );
    }

    #[test]
    fn a_rule_the_change_would_break_rules_out_taking_alone() {
        let (mut p, a) = team();
        // bob holds week 1, which starts when week 0 ends: no rest in between.
        p.rules.min_rest_hours = 24.0;
        let r = analyze(&p, &a, 0, 0, far_past());
        assert!(taking_alone(&r, 1).is_none());
        // Trading week 1 back to ana keeps everyone rested; it is bob's best trade.
        assert!(r.options.contains(&SwapOption {
            taker: 1,
            trade: Some(1),
            effect: Effect {
                objective: 0.0,
                imbalance: 0.0,
                deviation: 0.0,
                back_to_back_after_hours: 0,
                total_load: 0.0
            }
        }));
    }

    #[test]
    fn when_neither_taking_nor_trading_works_the_first_violation_is_the_reason() {
        let (mut p, a) = team();
        p.rules.min_rest_hours = 24.0;
        // bob's other shift (week 5) is not his to trade: ana cannot take it.
        p.cells[5][0].blocked = Some(Exclusion::NotEligible);
        p.cells[1][0].blocked = Some(Exclusion::NotEligible);
        let r = analyze(&p, &a, 0, 0, far_past());
        assert_eq!(r.rejected.len(), 1);
        assert_eq!(r.rejected[0].member, 1);
        assert_eq!(
            r.rejected[0].reason,
            "rests only 0.0 h between primary 2027-01-04 10:00 and primary 2027-01-11 10:00 \
             (min_rest_hours = 24)"
        );
    }

    #[test]
    fn violations_already_in_the_schedule_do_not_count_against_options() {
        let (mut p, mut a) = team();
        // dee already holds two weeks in a row (3 and 4) with a rest rule in force.
        p.rules.min_rest_hours = 24.0;
        a.members[4] = vec![3];
        assert!(!check(&p, &a, None).is_empty());
        let r = analyze(&p, &a, 0, 0, far_past());
        assert!(taking_alone(&r, 2).is_some());
    }

    #[test]
    fn max_shifts_is_respected_by_taking_but_not_by_trading() {
        let (mut p, a) = team();
        p.members[3].max_shifts = Some(2);
        let r = analyze(&p, &a, 0, 0, far_past());
        assert!(taking_alone(&r, 3).is_none());
        assert!(r.options.iter().any(|o| o.taker == 3 && o.trade.is_some()));
    }

    #[test]
    fn back_to_back_after_hours_pairs_are_counted() {
        let (mut p, a) = team();
        for row in &mut p.cells {
            for cell in row {
                cell.after_hours = true;
            }
        }
        // cy holds week 2; taking week 1 from bob puts two after-hours weeks back to back.
        let r = analyze(&p, &a, 1, 1, far_past());
        let pairs = |taker| taking_alone(&r, taker).map(|o| o.effect.back_to_back_after_hours);
        assert_eq!(pairs(2), Some(1), "cy");
        assert_eq!(pairs(3), Some(0), "dee");
    }

    #[test]
    fn schedules_map_back_to_the_assignment_they_were_written_from() {
        let (p, a) = team();
        let s = schedule(&p, &a);
        assert_eq!(assignment_from_schedule(&p, &s), Ok(a.clone()));

        let mut other = s.clone();
        other.shifts[3].member = "zed".into();
        let err = assignment_from_schedule(&p, &other).unwrap_err();
        assert!(err.0.contains("\"zed\""), "{err}");

        let mut moved = s.clone();
        moved.shifts[3].start += Duration::hours(1);
        let err = assignment_from_schedule(&p, &moved).unwrap_err();
        assert!(err.0.contains("2027-01-25T11:00:00Z"), "{err}");

        let mut layer = s.clone();
        layer.shifts[0].layer = "tertiary".into();
        assert!(assignment_from_schedule(&p, &layer).is_err());

        let mut short = s;
        short.shifts.remove(2);
        let err = assignment_from_schedule(&p, &short).unwrap_err();
        assert!(
            err.0.contains("nobody on primary 2027-01-18 10:00"),
            "{err}"
        );
    }

    #[test]
    fn shift_specs_take_a_local_date_or_an_instant() {
        assert_eq!(
            parse_shift_spec("primary@2027-02-08"),
            Ok((
                "primary".into(),
                PinStart::LocalDate(NaiveDate::from_ymd_opt(2027, 2, 8).unwrap())
            ))
        );
        assert_eq!(
            parse_shift_spec("primary@2027-02-08T10:00:00-05:00"),
            Ok((
                "primary".into(),
                PinStart::Instant("2027-02-08T15:00:00Z".parse().unwrap())
            ))
        );
        for bad in ["primary", "@2027-02-08", "primary@08.02.2027", "primary@"] {
            assert!(parse_shift_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn finding_the_shift_names_what_is_wrong() {
        let (p, a) = team();
        let date = |d: u32| PinStart::LocalDate(NaiveDate::from_ymd_opt(2027, 1, d).unwrap());
        assert_eq!(find_shift(&p, &a, "primary", date(11), 1), Ok(1));
        assert_eq!(
            find_shift(&p, &a, "primary", PinStart::Instant(t0()), 0),
            Ok(0)
        );

        let e = find_shift(&p, &a, "primray", date(11), 1).unwrap_err();
        assert!(e.0.contains("did you mean \"primary\""), "{e}");
        let e = find_shift(&p, &a, "primary", date(12), 1).unwrap_err();
        assert!(
            e.0.contains("nearest shifts: primary@2027-01-11, primary@2027-01-18"),
            "{e}"
        );
        let e = find_shift(&p, &a, "primary", date(11), 0).unwrap_err();
        assert_eq!(
            e.0,
            "ana does not hold the primary shift at 2027-01-11 (primary 2027-01-11 10:00 is \
             held by bob)"
        );
        let e = find_member(&p, "bobb").unwrap_err();
        assert!(e.0.contains("did you mean \"bob\""), "{e}");
    }

    #[test]
    fn a_date_shared_by_two_shifts_needs_the_holders_shift_or_an_instant() {
        let (mut p, a) = team();
        // Make shift 1 start on the same local day as shift 0 (an hourly layer).
        p.shifts[1].local_start = p.shifts[0].local_start + Duration::hours(12);
        let day = PinStart::LocalDate(t0().date_naive());
        assert_eq!(find_shift(&p, &a, "primary", day, 1), Ok(1));
        assert_eq!(pin_start(&p, 0), "\"2027-01-04T10:00:00Z\"");
        assert_eq!(pin_start(&p, 2), "2027-01-18");
        let mut both = a.clone();
        both.members[1] = vec![0];
        let e = find_shift(&p, &both, "primary", day, 0).unwrap_err();
        assert!(e.0.contains("ana holds 2 primary shifts"), "{e}");
    }

    #[test]
    fn config_lines_name_the_shift_and_the_days_it_touches() {
        let (mut p, _) = team();
        assert_eq!(
            pin_toml(&p, 5, 1),
            "[[pin]]\nlayer = \"primary\"\nstart = 2027-02-08\nmember = \"bob\"\n"
        );
        // Mon 10:00 to Mon 10:00: the week's seven days; the next Monday's morning is
        // the handover to the next holder, whose shift that day is.
        assert_eq!(
            unavailable_entry(&config(), &p, 5, 0),
            "{ from = 2027-02-08, to = 2027-02-14, reason = \"swap\" }"
        );
        // A shift ending at midnight does not touch the next day.
        p.shifts[5].end = p.shifts[5].start + Duration::hours(14);
        assert_eq!(
            unavailable_entry(&config(), &p, 5, 0),
            "{ date = 2027-02-08, reason = \"swap\" }"
        );
    }

    #[test]
    fn signed_changes_read_plainly() {
        assert_eq!(signed(0.0, 1), "0");
        assert_eq!(signed(-0.00001, 2), "0");
        assert_eq!(signed(1.25, 1), "+1.2");
        assert_eq!(signed(-3.0, 0), "-3");
        assert_eq!(signed(22_000.0, 1), "+22000.0");
    }

    #[test]
    fn render_snapshot() {
        let (mut p, a) = team();
        p.rules.min_rest_hours = 24.0;
        p.cells[0][2].blocked = Some(Exclusion::Unavailable {
            date: t0().date_naive(),
            reason: Some("ski trip".into()),
        });
        p.cells[5][0].blocked = Some(Exclusion::NotEligible);
        p.cells[1][0].blocked = Some(Exclusion::NotEligible);
        let text = analyze(&p, &a, 0, 0, far_past()).render(&config(), &p, 5, "team.toml");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn render_ranks_options_and_shows_how_to_apply_the_first() {
        let (mut p, a) = team();
        p.cells[0][2].blocked = Some(Exclusion::NotEligible);
        let text = analyze(&p, &a, 0, 0, far_past()).render(&config(), &p, 2, "team.toml");
        assert!(text.starts_with("ana holds primary 2027-01-04 10:00 until 2027-01-11 10:00 (UTC), 10.0 points for them.\n"), "{text}");
        assert!(text.contains("Best 2 of 4 options"), "{text}");
        assert!(
            text.contains("[[pin]] layer = \"primary\", start = 2027-01-04, member = \"bob\""),
            "{text}"
        );
        assert!(text.contains("cy: not eligible for this layer"), "{text}");
        assert!(text.contains(
            "add to team.toml and solve again with --previous:\n\n[[pin]]\nlayer = \"primary\"\nstart = 2027-01-04\nmember = \"bob\"\n\n[[pin]]\nlayer = \"primary\"\nstart = 2027-01-11\nmember = \"ana\"\n"
        ), "{text}");
        assert!(!text.contains("+22000.0"), "only the top 2: {text}");
    }
}
