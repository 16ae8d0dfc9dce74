//! Why no schedule exists when every shift has candidates: re-solve for feasibility with
//! each hard rule relaxed in turn and name the ones that would have to give, and by how
//! much.

use std::time::Instant;

use super::Diagnosis;
use super::elastic;
use super::index::{Index, Rules};
use super::milp::model::{self, Outcome, Params};
use super::plan;
use super::precheck::precheck;
use crate::problem::Problem;
use crate::problem::assignment::Previous;

/// A readable diagnosis; spends at most until `deadline` (each probe is short).
/// `highs_log` shows HiGHS's own log of every probe. Which rule would have to give, and
/// by how much, comes from probes that relax one rule family at a time; for whom and in
/// which week, from an elastic re-solve ([`elastic`]) given half the time.
pub(crate) fn diagnose(
    problem: &Problem,
    previous: Option<&Previous>,
    deadline: Instant,
    highs_log: bool,
) -> Diagnosis {
    let half = Instant::now() + deadline.saturating_duration_since(Instant::now()) / 2;
    let relaxations = elastic::relaxations(problem, previous, half, highs_log).unwrap_or_default();
    let mut text = by_rule(problem, previous, deadline, highs_log);
    if !relaxations.is_empty() {
        text.push_str("\nthe fewest changes that would make a schedule possible:\n");
        text.push_str(&elastic::render(&relaxations));
    }
    Diagnosis { text, relaxations }
}

/// The rule families that would each, relaxed alone, make a schedule possible.
fn by_rule(
    problem: &Problem,
    previous: Option<&Previous>,
    deadline: Instant,
    highs_log: bool,
) -> String {
    let base = Rules::of(problem);
    let has_frozen = previous.is_some_and(|p| {
        p.frozen
            .iter()
            .zip(&p.members)
            .any(|(&f, m)| f && m.is_some())
    });
    let has_max_shifts = problem.members.iter().any(|m| m.max_shifts.is_some());

    let probe = |rules: Rules| feasible(problem, previous, rules, deadline, highs_log);
    let mut found: Vec<String> = Vec::new();
    let mut relaxable: Vec<&str> = Vec::new();

    if base.min_rest_hours > 0.0 {
        relaxable.push("min_rest_hours");
        if probe(Rules {
            min_rest_hours: 0.0,
            ..base
        }) == Some(true)
        {
            // Largest whole number of hours that still works (feasibility shrinks as
            // rest grows).
            let (mut ok, mut bad) = (0.0_f64, base.min_rest_hours);
            while bad - ok > 1.0 {
                let mid = ((ok + bad) / 2.0).floor();
                let mid = if mid <= ok { ok + 1.0 } else { mid };
                match probe(Rules {
                    min_rest_hours: mid,
                    ..base
                }) {
                    Some(true) => ok = mid,
                    Some(false) => bad = mid,
                    None => break,
                }
            }
            found.push(format!(
                "min_rest_hours = {} would have to drop to {ok}",
                base.min_rest_hours
            ));
        }
    }
    if base.max_consecutive > 0 {
        relaxable.push("max_consecutive");
        if probe(Rules {
            max_consecutive: 0,
            ..base
        }) == Some(true)
        {
            let mut k = base.max_consecutive + 1;
            let mut text = format!(
                "max_consecutive = {} would have to go",
                base.max_consecutive
            );
            while k <= base.max_consecutive + 8 {
                match probe(Rules {
                    max_consecutive: k,
                    ..base
                }) {
                    Some(true) => {
                        text = format!(
                            "max_consecutive = {} would have to rise to {k}",
                            base.max_consecutive
                        );
                        break;
                    }
                    Some(false) => k += 1,
                    None => break,
                }
            }
            found.push(text);
        }
    }
    if has_max_shifts {
        relaxable.push("max_shifts");
        if probe(Rules {
            max_shifts: false,
            ..base
        }) == Some(true)
        {
            let limited: Vec<String> = problem
                .members
                .iter()
                .filter_map(|m| m.max_shifts.map(|n| format!("{} ({n})", m.id)))
                .collect();
            found.push(format!(
                "max_shifts would have to rise for some of: {}",
                limited.join(", ")
            ));
        }
    }
    if !problem.pins.is_empty() {
        relaxable.push("pins");
        if probe(Rules {
            pins: false,
            ..base
        }) == Some(true)
        {
            found.push("the [[pin]] entries cannot all hold: remove or move one".to_string());
        }
    }
    if has_frozen {
        relaxable.push("frozen shifts");
        if probe(Rules {
            frozen: false,
            ..base
        }) == Some(true)
        {
            found.push(
                "the frozen shifts of the previous schedule leave no valid completion: \
                 freeze fewer (--freeze-until earlier)"
                    .to_string(),
            );
        }
    }

    if !found.is_empty() {
        return format!(
            "no schedule satisfies every rule together; any one of these would make one possible:\n{}",
            found
                .iter()
                .map(|f| format!("  - {f}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let all = Rules {
        min_rest_hours: 0.0,
        max_consecutive: 0,
        max_shifts: false,
        pins: false,
        frozen: false,
    };
    if !relaxable.is_empty() && probe(all) == Some(true) {
        return format!(
            "no schedule satisfies every rule together, and no single rule is to blame: \
             relax several of {} together",
            relaxable.join(", ")
        );
    }
    "no schedule exists even without rest, consecutive, max_shifts, pin and frozen rules: \
     overlapping shifts need more different people than can take them (check per_shift \
     and who is eligible and available)"
        .to_string()
}

/// `Some(true)` if a schedule exists under `rules`, `Some(false)` if HiGHS proves none
/// does, `None` when it could not tell in time.
fn feasible(
    problem: &Problem,
    previous: Option<&Previous>,
    rules: Rules,
    deadline: Instant,
    highs_log: bool,
) -> Option<bool> {
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left <= 0.0 {
        return None;
    }
    let index = Index::new(problem, previous, rules);
    if precheck(problem, &index).is_some() {
        return Some(false);
    }
    let params = Params {
        feasibility_only: true,
        highs_log,
        ..Params::new(left.min(plan::DIAGNOSE_PROBE_SECONDS), 0.0)
    };
    match model::solve(problem, &index, &params) {
        Outcome::Solved { .. } => Some(true),
        Outcome::Infeasible => Some(false),
        Outcome::NoSolution { .. } | Outcome::Error(_) => None,
    }
}
