//! A re-solve's stability first: the shifts the edit forces move, others only where
//! they pay, and the trade-off between moved shifts and fairness is measured, not guessed.
//!
//! The mechanism is a price per moved seat (`[objective] churn`, in the objective's
//! units) under a budget: a move the edit does not force is made only when it lowers the
//! rest of the objective by more than its price, and at most `DEFAULT_EXTRA_MOVES` of
//! them (none when the config is unchanged). Solves at that price and the repair improved
//! under the budget give the chosen schedule; the frontier comes from a few more solves
//! at other prices — one so high that only forced moves are made (the minimal repair),
//! and lower ones down to a tie-breaker (`--rebalance`) — and from the repair improved
//! under each budget. Each found schedule is a point (moves, fairness); per move budget
//! (forced, +2, +5, +10, unlimited) the frontier shows the fairest point within it.
//!
//! Why neighbourhoods first: most of a re-solved schedule is still right, and an edit
//! rarely gives a reason to move a seat weeks away from what it touched. Freezing those
//! seats leaves a problem the solver settles in a fraction of the whole one's time; the
//! whole problem is solved only when a wider neighbourhood keeps paying, so the answer
//! comes quickly and the command does not take the fresh solve's time.
//!
//! Why prices and not a hard budget row: every stage of the solver already prices churn
//! per seat (`Index::seat_cost`), so a price reuses the whole pipeline, its starts from
//! the kept schedule and its proofs, unchanged. A price also gives bounds for free: a
//! solve at price λ proves `bound_λ ≤ f + λ·m` for every schedule (f the objective
//! without churn, m its moves), so no schedule within a budget of B moves has
//! `f < bound_λ − λ·B` — the frontier's bound column. `docs/solver.md` has the
//! measurements that chose the default price.
//!
//! Every point is re-checked by `verify`, as a written schedule.json would be; a point
//! that fails is dropped (and logged), never shown.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::output::terminal::{chosen_row, resolve_hint, trimmed};
use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::{Evaluation, evaluate};
use crate::schedule::{FrontierOut, ResolveOut, Schedule, round6};
use crate::solver::{self, Solution, SolveError, SolveOptions};

/// How many moves the chosen schedule may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// As many as pay at `[objective] churn` each (the default).
    Priced,
    /// `--max-moves N`: the fairest schedule found with at most N moves.
    MaxMoves(u32),
    /// `--rebalance`: moves cost only a tie-breaker.
    Rebalance,
}

/// The tie-breaker price of `--rebalance` and of the frontier's unlimited point: one
/// point of load (the `total_load` weight's scale), so an unneeded move is still avoided.
const REBALANCE_PRICE: f64 = 1.0;
/// The minimal repair's price, as points/FTE of imbalance per move (and at least 100 ×
/// `churn` and 1e5, whatever the weights): no weekly shift is worth this many points,
/// so only moves no schedule can avoid are made.
const REPAIR_IMBALANCE: f64 = 1000.0;
/// Moves beyond the forced ones a re-solve after an edit makes by default, each only
/// where it pays at `[objective] churn`: a team's calendars change by the edit and at
/// most this much more (and by nothing when the config is unchanged, so running the
/// same command twice is stable); the frontier shows what `--max-moves` or
/// `--rebalance` would gain.
const DEFAULT_EXTRA_MOVES: u32 = 2;
/// Share of the frontier's time for each improvement of the repair under a budget.
const IMPROVE_SHARE: f64 = 0.1;
/// Budgets above the forced moves that the frontier reports, then unlimited.
const FRONTIER_EXTRA: [u32; 4] = [0, 2, 5, 10];
/// Share of the time limit for the chosen solve, all its stages together: a re-solve
/// starts from a schedule that is mostly still right, so it should not take as long as
/// a fresh solve, which gets the whole limit.
const CHOSEN_SHARE: f64 = 0.1;
/// ... but at least this (or half the limit, if less), for the chosen solve and for the
/// frontier's: below it the solver's first stages, which bring the kept schedule in, get
/// too little time to finish.
const CHOSEN_MIN: Duration = Duration::from_secs(1);
/// Share of the time limit for the frontier's solves, together.
const FRONTIER_SHARE: f64 = 0.1;
/// Share of the frontier's time for the minimal repair.
const REPAIR_SHARE: f64 = 0.5;
/// Days either side of a lost seat that each neighbourhood frees, narrowest first; the
/// last stage frees every unfrozen seat.
const NEIGHBOURHOOD_DAYS: [i64; 2] = [7, 28];

/// The chosen schedule and the trade-off around it.
pub(crate) struct Resolved {
    pub solution: Solution,
    pub resolve: ResolveOut,
    /// Seconds of the chosen solve alone: when its answer was there.
    #[cfg_attr(not(feature = "bench"), allow(dead_code))]
    pub chosen_seconds: f64,
}

/// One solve of the re-solve: its price per move, and whether it was free to move every
/// unfrozen seat (only then is its bound one on the whole problem).
struct Priced {
    price: f64,
    solution: Solution,
    whole: bool,
}

/// One schedule found by one of the solves, scored with the config's weights.
struct Found {
    assignment: Assignment,
    evaluation: Evaluation,
    /// The objective without churn.
    rest: f64,
    moves: u32,
}

/// The published schedule a re-solve keeps to.
#[derive(Clone, Copy)]
pub(crate) struct Published<'a> {
    /// Its seats matched to the edited problem's shifts.
    pub previous: &'a Previous,
    /// As it was read, for `verify` and its config's hash.
    pub schedule: &'a Schedule,
    /// Where it was read from, for the output.
    pub name: &'a str,
}

/// Solves `problem` again from the `published` schedule under `budget`: the chosen
/// schedule, and the frontier of moves against fairness, every point verified against
/// `config`.
pub(crate) fn resolve(
    config: &Config,
    problem: &Problem,
    published: Published<'_>,
    generated_at: DateTime<Utc>,
    options: &SolveOptions,
    budget: Budget,
) -> Result<Resolved, SolveError> {
    let Published {
        previous,
        schedule: old,
        name: previous_name,
    } = published;
    let started = Instant::now();
    let price = problem.objective.churn;
    let chosen_price = match budget {
        Budget::Rebalance => REBALANCE_PRICE.min(price),
        _ => price,
    };
    let repair_price = (REPAIR_IMBALANCE * problem.objective.imbalance)
        .max(100.0 * price)
        .max(1e5);
    // The chosen price first, with the largest share; then the repair, then cheaper.
    let mut prices = vec![chosen_price, repair_price];
    for p in [price / 4.0, price / 16.0, REBALANCE_PRICE] {
        if p < price && !prices.iter().any(|&q| (q - p).abs() < 1e-9) {
            prices.push(p);
        }
    }

    // The chosen solve: small neighbourhoods around the lost seats first (everything
    // else kept as it was), wider ones while they pay, the whole problem last.
    let lost = solver::lost_seats(problem, previous);
    let chosen_limit = options
        .time_limit
        .mul_f64(CHOSEN_SHARE)
        .max(CHOSEN_MIN.min(options.time_limit / 2));
    // `--rebalance` asks for the whole problem's fairest schedule: no neighbourhood.
    let stages = if budget == Budget::Rebalance {
        vec![None]
    } else {
        neighbourhoods(problem, previous, &lost)
    };
    let mut solves: Vec<Priced> = Vec::new();
    let mut last_stage = previous.clone();
    let mut best_stage = f64::INFINITY;
    for (i, stage) in stages.iter().enumerate() {
        let left = chosen_limit.saturating_sub(started.elapsed());
        let limit = left.mul_f64(1.0 / (stages.len() - i) as f64);
        let whole = stage.is_none();
        let restricted = stage.as_ref().unwrap_or(previous);
        let solve_options = SolveOptions {
            time_limit: limit.max(Duration::from_millis(1)),
            progress: options.progress.clone().filter(|_| whole),
            ..options.clone()
        };
        let mut priced = problem.clone();
        priced.objective.churn = chosen_price;
        match solver::solve(&priced, Some(restricted), &solve_options) {
            Ok(solution) => {
                let objective = evaluate(&priced, &solution.assignment, Some(previous)).objective;
                solves.push(Priced {
                    price: chosen_price,
                    solution,
                    whole,
                });
                last_stage = restricted.clone();
                // A wider neighbourhood that found nothing better: the search has
                // converged around the edit.
                if objective >= best_stage - 1e-6 {
                    break;
                }
                best_stage = objective;
            }
            // The whole problem's failure is the command's; a neighbourhood whose kept
            // seats leave no valid completion only passes to the next.
            Err(e) if whole => return Err(e),
            Err(e) => log::debug!("re-solve: neighbourhood {i} failed: {e}"),
        }
    }
    // The kept schedule with only its lost seats refilled: the minimal repair whenever
    // the fill does not dead-end, whatever time the solves had.
    if let (Some(assignment), Some(first)) =
        (solver::kept_repair(problem, previous), solves.first())
    {
        let solution = Solution {
            assignment,
            ..first.solution.clone()
        };
        solves.push(Priced {
            price: chosen_price,
            solution,
            whole: false,
        });
    }
    let context = Context {
        config,
        problem,
        previous,
        old,
        generated_at,
    };
    let mut found: Vec<Found> = Vec::new();
    for solve in &solves {
        context.add(&mut found, &solve.solution, solve.price);
    }
    let frontier_limit = options
        .time_limit
        .mul_f64(FRONTIER_SHARE)
        .max(CHOSEN_MIN.min(options.time_limit / 2));
    let improve_time = frontier_limit.mul_f64(IMPROVE_SHARE);
    let unchanged = old.config_sha256 == config.sha256;
    // The answer: the repair improved under the chosen budget (at the config's price, a
    // move only where it pays), before the frontier, so it is there as soon as the
    // chosen solve's.
    let first_repair = repair_of(&found);
    if let Some((repair, forced)) = &first_repair
        && let Some((p, cap)) = chosen_improvement(budget, *forced, unchanged, chosen_price)
    {
        context.improve(&mut found, repair, p, cap, improve_time);
    }
    let chosen_seconds = started.elapsed().as_secs_f64();
    if let Some(sink) = &options.progress {
        let cap = first_repair.as_ref().and_then(|(_, forced)| {
            chosen_improvement(budget, *forced, unchanged, chosen_price).map(|(_, cap)| cap)
        });
        announce_frontier(sink, &found, cap, started, options.time_limit);
    }

    // The frontier: the same neighbourhood at the other prices, in a bounded share.
    let frontier_started = Instant::now();
    let whole = last_stage.frozen == previous.frozen;
    for (i, &p) in prices.iter().enumerate().skip(1) {
        let left = frontier_limit.saturating_sub(frontier_started.elapsed());
        let share = if i == 1 {
            REPAIR_SHARE
        } else {
            1.0 / (prices.len() - i) as f64
        };
        let limit = left.mul_f64(share);
        if limit < Duration::from_millis(20) {
            log::debug!("re-solve: no time left for the frontier at price {p}");
            break;
        }
        let mut priced = problem.clone();
        priced.objective.churn = p;
        let solve_options = SolveOptions {
            time_limit: limit,
            progress: None,
            ..options.clone()
        };
        match solver::solve(&priced, Some(&last_stage), &solve_options) {
            Ok(solution) => {
                context.add(&mut found, &solution, p);
                solves.push(Priced {
                    price: p,
                    solution,
                    whole,
                });
            }
            Err(e) => log::debug!("re-solve: the frontier solve at price {p} failed: {e}"),
        }
    }

    // Forced: the fewest moves of any schedule found: the kept repair's (the lost seats)
    // or, where its fill dead-ends, the minimal repair solve's (what the rules force).
    let Some((repair, forced)) = repair_of(&found) else {
        return Err(SolveError::Internal(
            "no schedule of the re-solve passed verify".into(),
        ));
    };
    // The minimal repair solve found a repair with fewer moves: the answer's budget
    // counts from it.
    if first_repair.as_ref().is_none_or(|(r, _)| *r != repair)
        && let Some((p, cap)) = chosen_improvement(budget, forced, unchanged, chosen_price)
    {
        context.improve(&mut found, &repair, p, cap, improve_time);
    }
    // The frontier's budgets: the repair improved at the tie-breaker (the fairest within).
    let tie_breaker = REBALANCE_PRICE.min(price);
    for extra in FRONTIER_EXTRA.iter().filter(|&&extra| extra > 0) {
        context.improve(
            &mut found,
            &repair,
            tie_breaker,
            forced + extra,
            improve_time,
        );
    }
    let chosen_cap =
        chosen_improvement(budget, forced, unchanged, chosen_price).map(|(_, cap)| cap);

    let at = |f: &Found, p: f64| f.rest + p * f64::from(f.moves);
    let chosen = match budget {
        Budget::MaxMoves(_) => best_within(&found, chosen_cap),
        _ => found
            .iter()
            .filter(|f| chosen_cap.is_none_or(|cap| f.moves <= cap))
            .min_by(|a, b| {
                at(a, chosen_price)
                    .total_cmp(&at(b, chosen_price))
                    .then(a.moves.cmp(&b.moves))
            }),
    }
    .expect("at least one schedule was found");

    // A bound on the objective at the config's price: any solve at a price no higher
    // bounds every schedule's priced objective from below.
    let bound = solves
        .iter()
        .filter(|r| r.whole && r.price <= price && r.solution.bound.is_finite())
        .map(|r| r.solution.bound)
        .fold(f64::NEG_INFINITY, f64::max);
    let solution = Solution::scored(
        chosen.assignment.clone(),
        chosen.evaluation.objective,
        bound,
        |gap| gap <= options.gap,
        started.elapsed().as_secs_f64(),
    );

    let movable: u32 = problem
        .shifts
        .iter()
        .zip(&previous.frozen)
        .filter(|(_, frozen)| !**frozen)
        .map(|(shift, _)| shift.per_shift)
        .sum();
    let frontier = FRONTIER_EXTRA
        .iter()
        .map(|&extra| Some(forced + extra))
        .chain([None])
        .filter_map(|max_moves| {
            let point = best_within(&found, max_moves)?;
            let budget = f64::from(max_moves.unwrap_or(movable));
            let bound = solves
                .iter()
                .filter(|r| r.whole && r.solution.bound.is_finite())
                .map(|r| r.solution.bound - r.price * budget)
                .fold(f64::NEG_INFINITY, f64::max)
                .min(point.rest);
            let m = &point.evaluation.metrics;
            Some(FrontierOut {
                max_moves,
                moves: point.moves,
                imbalance: round6(m.imbalance),
                deviation: round6(m.deviation),
                back_to_back_after_hours: m.back_to_back_after_hours,
                objective: round6(point.rest),
                bound: (bound > 0.0).then(|| round6(bound)),
            })
        })
        .collect();

    let resolve = ResolveOut {
        previous: previous_name.to_string(),
        forced_moves: forced,
        optional_moves: chosen.moves.saturating_sub(forced),
        // What an optional move had to buy in the choice: within `--max-moves` the
        // fairest schedule wins, so only the tie-breaker.
        move_price: round6(match budget {
            Budget::MaxMoves(_) => tie_breaker,
            _ => chosen_price,
        }),
        max_moves: match budget {
            Budget::MaxMoves(n) => Some(n),
            _ => None,
        },
        optional_allowed: chosen_cap.map(|cap| cap - forced),
        frontier,
    };
    Ok(Resolved {
        solution,
        resolve,
        chosen_seconds,
    })
}

/// The chosen solve's stages: `previous` with every seat outside a neighbourhood of the
/// lost seats frozen as it was (narrowest first), then `None`, the whole problem. A
/// member who held none of the previous seats (a new hire) may take seats anywhere, so
/// then, and when nothing is lost, only the whole problem is solved.
fn neighbourhoods(problem: &Problem, previous: &Previous, lost: &[u32]) -> Vec<Option<Previous>> {
    let open = |s: usize| !previous.frozen.get(s).copied().unwrap_or(false);
    let held: Vec<bool> = (0..problem.members())
        .map(|m| {
            previous
                .members
                .iter()
                .flatten()
                .any(|before| before.contains(&m))
        })
        .collect();
    let newcomer = (0..problem.shifts.len())
        .filter(|&s| open(s))
        .any(|s| (0..problem.members()).any(|m| !held[m] && problem.cells[s][m].blocked.is_none()));
    let edited: Vec<usize> = (0..lost.len()).filter(|&s| lost[s] > 0).collect();
    let mut stages = Vec::new();
    if !newcomer && !edited.is_empty() {
        for days in NEIGHBOURHOOD_DAYS {
            let reach = chrono::Duration::days(days);
            let mut restricted = previous.clone();
            restricted.frozen.resize(problem.shifts.len(), false);
            let mut kept = 0;
            for (s, shift) in problem.shifts.iter().enumerate() {
                let near = edited.iter().any(|&e| {
                    let other = &problem.shifts[e];
                    shift.start < other.end + reach && other.start < shift.end + reach
                });
                if open(s)
                    && !near
                    && lost[s] == 0
                    && matches!(previous.members.get(s), Some(Some(_)))
                {
                    restricted.frozen[s] = true;
                    kept += 1;
                }
            }
            if kept == 0 {
                break;
            }
            stages.push(Some(restricted));
        }
    }
    stages.push(None);
    stages
}

/// What every schedule found is scored and verified against.
struct Context<'a> {
    config: &'a Config,
    problem: &'a Problem,
    previous: &'a Previous,
    old: &'a Schedule,
    generated_at: DateTime<Utc>,
}

impl Context<'_> {
    /// Scores `solution` with the config's weights and keeps it in `found` when it is new
    /// and passes `verify`; `price` is the move price it was found at (for the log).
    fn add(&self, found: &mut Vec<Found>, solution: &Solution, price: f64) {
        if found.iter().any(|f| f.assignment == solution.assignment) {
            return;
        }
        let evaluation = evaluate(self.problem, &solution.assignment, Some(self.previous));
        let moves = evaluation.metrics.churn;
        let candidate = Found {
            rest: evaluation.objective - self.problem.objective.churn * f64::from(moves),
            assignment: solution.assignment.clone(),
            evaluation,
            moves,
        };
        let ok = verified(
            self.config,
            self.problem,
            &candidate,
            solution,
            self.old,
            self.generated_at,
        );
        if ok {
            found.push(candidate);
        } else {
            log::warn!(
                "re-solve: the schedule found at move price {price} failed verify; left out"
            );
        }
    }

    /// `repair` improved one best move or swap at a time at move price `price` while at
    /// most `cap` seats differ from the previous schedule, kept in `found`.
    fn improve(
        &self,
        found: &mut Vec<Found>,
        repair: &Assignment,
        price: f64,
        cap: u32,
        time: Duration,
    ) {
        let mut priced = self.problem.clone();
        priced.objective.churn = price;
        let assignment = solver::improved_within(&priced, self.previous, repair, cap, time);
        let evaluation = evaluate(self.problem, &assignment, Some(self.previous));
        let solution = Solution::scored(
            assignment,
            evaluation.objective,
            f64::NEG_INFINITY,
            |_| false,
            0.0,
        );
        self.add(found, &solution, price);
    }
}

/// Tells the progress line that the frontier is being measured, with the answer so far
/// (the best found within `cap` moves): the frontier's solves draw nothing, and the line
/// would otherwise stand still on the chosen solve's last stage.
fn announce_frontier(
    sink: &solver::ProgressSink,
    found: &[Found],
    cap: Option<u32>,
    started: Instant,
    limit: Duration,
) {
    let best = found
        .iter()
        .filter(|f| cap.is_none_or(|cap| f.moves <= cap))
        .min_by(|a, b| a.evaluation.objective.total_cmp(&b.evaluation.objective))
        .map(|f| solver::BestSoFar {
            objective: f.evaluation.objective,
            imbalance: f.evaluation.metrics.imbalance,
            back_to_back: f.evaluation.metrics.back_to_back_after_hours,
        });
    (sink.0)(&solver::ProgressEvent {
        stage: "measuring what more moves would buy",
        elapsed: started.elapsed(),
        limit,
        best,
        bound: None,
    });
}

/// The schedule found with the fewest moves (of equals, the fairest), and its moves.
fn repair_of(found: &[Found]) -> Option<(Assignment, u32)> {
    found
        .iter()
        .min_by(|a, b| a.moves.cmp(&b.moves).then(a.rest.total_cmp(&b.rest)))
        .map(|f| (f.assignment.clone(), f.moves))
}

/// The answer's improvement of the repair: its move price and its cap on moves, or
/// `None` for `--rebalance` (its answer is the fairest of the solves).
fn chosen_improvement(
    budget: Budget,
    forced: u32,
    unchanged: bool,
    chosen_price: f64,
) -> Option<(f64, u32)> {
    match budget {
        // The same config as the published schedule's: no edit asks for a change.
        Budget::Priced if unchanged => Some((chosen_price, forced)),
        Budget::Priced => Some((chosen_price, forced + DEFAULT_EXTRA_MOVES)),
        Budget::MaxMoves(n) => Some((REBALANCE_PRICE.min(chosen_price), n.max(forced))),
        Budget::Rebalance => None,
    }
}

/// The schedule with the lowest objective without churn among those with at most
/// `max_moves` moves (any, for `None`); of equals, the one with fewer moves.
fn best_within(found: &[Found], max_moves: Option<u32>) -> Option<&Found> {
    found
        .iter()
        .filter(|f| max_moves.is_none_or(|n| f.moves <= n))
        .min_by(|a, b| a.rest.total_cmp(&b.rest).then(a.moves.cmp(&b.moves)))
}

/// Whether the schedule.json this candidate would be passes `verify` against `config`.
fn verified(
    config: &Config,
    problem: &Problem,
    candidate: &Found,
    solution: &Solution,
    old: &Schedule,
    generated_at: DateTime<Utc>,
) -> bool {
    let as_solved = Solution {
        assignment: candidate.assignment.clone(),
        objective: candidate.evaluation.objective,
        ..solution.clone()
    };
    let schedule = Schedule::build(
        config,
        problem,
        &as_solved,
        &candidate.evaluation,
        generated_at,
        Some(old),
    );
    let report = super::verify::verify(config, problem, &schedule);
    for finding in &report.findings {
        log::debug!("re-solve: verify: {finding:?}");
    }
    report.ok()
}

/// The lines of the terminal summary: the moves made, the frontier, and the flag that
/// buys the next better point.
pub(crate) fn summary(resolve: &ResolveOut, chosen_moves: u32, imbalance_weight: f64) -> String {
    let allowed = resolve
        .optional_allowed
        .map_or_else(String::new, |n| format!("at most {n}, "));
    let mut text = format!(
        "re-solve: {} forced, {} optional ({allowed}each must lower the objective by {})\n",
        count(resolve.forced_moves, "move"),
        count(resolve.optional_moves, "move"),
        price_words(resolve.move_price, imbalance_weight),
    );
    text.push_str("  max moves  moves  imbalance  deviation  back-to-back  objective  bound\n");
    let chosen = chosen_row(resolve, chosen_moves);
    for (i, p) in resolve.frontier.iter().enumerate() {
        let budget = p
            .max_moves
            .map_or_else(|| "unlimited".to_string(), |n| n.to_string());
        let bound = p
            .bound
            .map_or_else(|| "–".to_string(), |b| format!("{b:.1}"));
        let mark = if Some(i) == chosen { " *" } else { "" };
        text.push_str(&format!(
            "  {budget:>9}  {:>5}  {:>9.2}  {:>9.1}  {:>12}  {:>9.1}  {bound}{mark}\n",
            p.moves, p.imbalance, p.deviation, p.back_to_back_after_hours, p.objective
        ));
    }
    if let Some(hint) = resolve_hint(resolve, chosen_moves) {
        text.push_str(&hint);
        text.push('\n');
    }
    text
}

fn count(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The move price in the user's terms: `5000 = 5 points/FTE of imbalance`.
fn price_words(price: f64, imbalance_weight: f64) -> String {
    if imbalance_weight > 0.0 {
        format!(
            "{} = {} points/FTE of imbalance",
            trimmed(price, 2),
            trimmed(price / imbalance_weight, 2)
        )
    } else {
        trimmed(price, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(max_moves: Option<u32>, moves: u32, imbalance: f64, objective: f64) -> FrontierOut {
        FrontierOut {
            max_moves,
            moves,
            imbalance,
            deviation: 0.0,
            back_to_back_after_hours: 0,
            objective,
            bound: None,
        }
    }

    fn resolve_out(frontier: Vec<FrontierOut>) -> ResolveOut {
        ResolveOut {
            previous: "out/schedule.json".into(),
            forced_moves: 1,
            optional_moves: 0,
            move_price: 5000.0,
            max_moves: None,
            optional_allowed: Some(2),
            frontier,
        }
    }

    #[test]
    fn the_hint_names_the_smallest_budget_that_is_fairer() {
        let cases = [
            (
                vec![
                    point(Some(1), 1, 80.0, 100.0),
                    point(Some(3), 1, 80.0, 100.0),
                    point(Some(6), 6, 80.0, 90.0),
                    point(Some(11), 7, 76.0, 80.0),
                    point(None, 20, 70.0, 70.0),
                ],
                "moving 5 more shifts would lower the objective without churn from 100 to 90: `--max-moves 6`",
            ),
            (
                vec![point(Some(1), 1, 80.5, 100.0), point(None, 7, 76.0, 80.0)],
                "moving 6 more shifts would lower the imbalance from 80.5 to 76 points/FTE: `--rebalance`",
            ),
        ];
        for (frontier, hint) in cases {
            assert_eq!(
                resolve_hint(&resolve_out(frontier), 1).as_deref(),
                Some(hint)
            );
        }
    }

    /// The fixture solved, then `a` away on day 0, where they held primary.
    fn a_away() -> (Config, Problem, Previous, Schedule) {
        use crate::testkit::fixture;
        let config = fixture::config();
        let mut problem = fixture::problem();
        let old = fixture::solved();
        let s = fixture::shift(0, 0);
        assert_eq!(fixture::assignment().members[s], vec![0], "a holds it");
        problem.cells[s][0].blocked = Some(crate::problem::Exclusion::Unavailable {
            date: fixture::start(0).date_naive(),
            reason: Some("sick".into()),
        });
        let previous =
            crate::schedule::previous::match_schedule(&problem, &old, fixture::start(0)).previous;
        (config, problem, previous, old)
    }

    /// A re-solve of the fixture against `old`, as if read from `old.json`.
    fn resolved(
        config: &Config,
        problem: &Problem,
        previous: &Previous,
        old: &Schedule,
        options: &SolveOptions,
        budget: Budget,
    ) -> Resolved {
        let published = Published {
            previous,
            schedule: old,
            name: "old.json",
        };
        resolve(
            config,
            problem,
            published,
            old.generated_at,
            options,
            budget,
        )
        .expect("the fixture has schedules")
    }

    fn options() -> SolveOptions {
        SolveOptions {
            time_limit: Duration::from_secs(5),
            ..SolveOptions::default()
        }
    }

    #[test]
    fn a_forced_move_is_made_and_every_frontier_point_is_within_its_budget() {
        let (config, problem, previous, old) = a_away();
        for budget in [Budget::Priced, Budget::MaxMoves(2), Budget::Rebalance] {
            let r = resolved(&config, &problem, &previous, &old, &options(), budget);
            let a = &r.solution.assignment;
            assert!(
                !a.holds(crate::testkit::fixture::shift(0, 0), 0),
                "{budget:?}"
            );
            assert!(crate::problem::rules::check(&problem, a, Some(&previous)).is_empty());
            let moves = crate::problem::evaluate::churn(a, &previous);
            // Only a's seat is lost; the repair may need more moves to keep the rules.
            let lost = solver::lost_seats(&problem, &previous);
            assert_eq!(lost.iter().sum::<u32>(), 1);
            assert_eq!(lost[crate::testkit::fixture::shift(0, 0)], 1);
            assert!(r.resolve.forced_moves >= 1, "{budget:?}");
            assert_eq!(moves, r.resolve.forced_moves + r.resolve.optional_moves);
            if budget == Budget::Priced {
                assert!(
                    r.resolve.optional_moves <= DEFAULT_EXTRA_MOVES,
                    "{:?}",
                    r.resolve
                );
            }
            if let Budget::MaxMoves(n) = budget {
                assert!(
                    moves <= n.max(r.resolve.forced_moves),
                    "{budget:?}: {moves}"
                );
            }
            assert_eq!(
                r.resolve.frontier[0].max_moves,
                Some(r.resolve.forced_moves)
            );
            assert_eq!(r.resolve.frontier[0].moves, r.resolve.forced_moves);
            for p in &r.resolve.frontier {
                assert!(p.max_moves.is_none_or(|n| p.moves <= n), "{p:?}");
                assert!(p.bound.is_none_or(|b| b <= p.objective + 1e-6), "{p:?}");
            }
        }
    }

    #[test]
    fn the_default_budget_is_two_optional_moves_after_an_edit_and_none_without() {
        let (mut config, problem, previous, old) = a_away();
        for (edited, most) in [(false, 0), (true, DEFAULT_EXTRA_MOVES)] {
            if edited {
                config.sha256 = "ff".repeat(32);
            }
            assert_eq!(old.config_sha256 == config.sha256, !edited);
            let r = resolved(
                &config,
                &problem,
                &previous,
                &old,
                &options(),
                Budget::Priced,
            );
            // Two more moves buy far more than their price here (the frontier's second
            // point), so an edit takes them; the unchanged config takes none.
            let (repair, two) = (&r.resolve.frontier[0], &r.resolve.frontier[1]);
            assert_eq!(two.moves, repair.moves + 2, "{:?}", r.resolve);
            assert!(two.objective + 2.0 * r.resolve.move_price < repair.objective);
            assert_eq!(r.resolve.optional_moves, most, "{edited}: {:?}", r.resolve);
        }
    }

    #[test]
    fn the_progress_line_says_when_the_frontier_is_measured() {
        let (config, problem, previous, old) = a_away();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let events = seen.clone();
        let options = SolveOptions {
            progress: Some(solver::ProgressSink::new(
                move |e: &solver::ProgressEvent| {
                    events.lock().expect("events").push(e.clone());
                },
            )),
            ..options()
        };
        let r = resolved(&config, &problem, &previous, &old, &options, Budget::Priced);
        let seen = seen.lock().expect("events");
        let last = seen.last().expect("events were sent");
        assert_eq!(last.stage, "measuring what more moves would buy");
        let best = last.best.expect("the answer so far");
        assert!(best.objective >= r.solution.objective - 1e-6, "{best:?}");
    }

    #[test]
    fn a_schedule_that_breaks_a_rule_fails_verify_and_is_no_point() {
        let (config, problem, previous, old) = a_away();
        let mut broken = crate::testkit::fixture::assignment();
        let solution = crate::testkit::fixture::solution(&problem, broken.clone()).0;
        let passes = |assignment: &Assignment| {
            let evaluation = evaluate(&problem, assignment, Some(&previous));
            let candidate = Found {
                assignment: assignment.clone(),
                rest: 0.0,
                moves: evaluation.metrics.churn,
                evaluation,
            };
            verified(
                &config,
                &problem,
                &candidate,
                &solution,
                &old,
                old.generated_at,
            )
        };
        // a holds day 0's primary although away that day.
        assert!(!passes(&broken));
        // Handing it to d (free that day) makes it valid.
        broken.members[crate::testkit::fixture::shift(0, 0)] = vec![3];
        assert!(passes(&broken));
    }

    #[test]
    fn no_hint_when_nothing_fairer_was_found() {
        let r = resolve_out(vec![
            point(Some(1), 1, 80.0, 100.0),
            point(None, 1, 80.0, 100.0),
        ]);
        assert_eq!(resolve_hint(&r, 1), None);
        let text = summary(&r, 1, 1000.0);
        assert!(
            text.starts_with("re-solve: 1 move forced, 0 moves optional"),
            "{text}"
        );
        assert!(text.contains("unlimited"), "{text}");
        // Both rows hold the chosen schedule: the first budget that has it is marked.
        assert_eq!(text.matches(" *").count(), 1, "{text}");
    }
}
