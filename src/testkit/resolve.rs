//! Re-solving a team after an edit, for the bench: what `rota solve CONFIG -o DIR` does
//! when DIR holds the previous schedule, without the files.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::evaluate;
use crate::schedule::Schedule;
use crate::solver::{Solution, SolveOptions};

/// What a re-solve moved and how long it took.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub forced: u32,
    pub optional: u32,
    /// The chosen schedule's imbalance.
    pub imbalance: f64,
    pub status: &'static str,
    /// The chosen solve alone: when the answer was there.
    pub chosen_seconds: f64,
    /// The chosen solve and the frontier's.
    pub seconds: f64,
    /// The frontier's points: (max moves, moves, imbalance); `None` = unlimited.
    pub frontier: Vec<(Option<u32>, u32, f64)>,
}

/// The schedule.json of a first solve.
pub fn schedule(config: &Config, problem: &Problem, solution: &Solution) -> Schedule {
    let evaluation = evaluate(problem, &solution.assignment, None);
    Schedule::build(
        config,
        problem,
        solution,
        &evaluation,
        DateTime::<Utc>::UNIX_EPOCH,
        None,
    )
}

/// `problem` (of the edited `config`) re-solved from `old`, keeping what starts before
/// `freeze`, at the config's price per move.
pub fn resolve(
    config: &Config,
    problem: &Problem,
    old: &Schedule,
    freeze: DateTime<Utc>,
    options: &SolveOptions,
) -> Result<Resolved, String> {
    let matching = crate::schedule::previous::match_schedule(problem, old, freeze);
    let published = crate::commands::resolve::Published {
        previous: &matching.previous,
        schedule: old,
        name: "previous",
    };
    let r = crate::commands::resolve::resolve(
        config,
        problem,
        published,
        old.generated_at,
        options,
        crate::commands::resolve::Budget::Priced,
    )
    .map_err(|e| e.to_string())?;
    let evaluation = evaluate(problem, &r.solution.assignment, Some(&matching.previous));
    Ok(Resolved {
        forced: r.resolve.forced_moves,
        optional: r.resolve.optional_moves,
        imbalance: evaluation.metrics.imbalance,
        status: r.solution.status.as_str(),
        chosen_seconds: r.chosen_seconds,
        seconds: r.solution.seconds,
        frontier: r
            .resolve
            .frontier
            .iter()
            .map(|p| (p.max_moves, p.moves, p.imbalance))
            .collect(),
    })
}

/// Seats of `assignment` (a fresh solve of the edited problem) held by someone else than
/// in `old`: what a fresh solve would move.
pub fn moves(
    problem: &Problem,
    old: &Schedule,
    freeze: DateTime<Utc>,
    assignment: &Assignment,
) -> u32 {
    let matching = crate::schedule::previous::match_schedule(problem, old, freeze);
    crate::problem::evaluate::churn(assignment, &matching.previous)
}
