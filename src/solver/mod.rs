//! The only module that talks to good_lp/HiGHS: turns a [`Problem`] into an
//! [`Assignment`] as fair as the rules allow, with an honest bound and gap.

mod anneal;
mod bounds;
mod diagnose;
mod exact;
mod exchange;
mod fair_floor;
mod greedy;
mod index;
mod lagrange;
mod lns;
mod local;
mod model;
mod pairs;
mod portfolio;
mod precheck;
mod progress;
mod split_floor;
mod spread;
mod state;
mod symmetry;
mod watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::evaluate;
use index::{Index, Rules};
use model::{Outcome, Params};

#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub time_limit: Duration,
    /// Relative MIP gap at which the solve stops as optimal.
    pub gap: f64,
    /// Cores to use: one heuristic search per thread (see `portfolio`). HiGHS itself
    /// always gets one: its tree search gained nothing from a second core here, and
    /// team12's proof took longer with two.
    pub threads: u32,
    /// Show progress on stderr (only when it is a terminal and the solve runs > 1 s).
    pub progress: bool,
    /// HiGHS's own log on stdout, for seeing where a proof stalls (see `model::HIGHS_LOG`).
    pub highs_log: bool,
    /// Varies the random streams of the heuristics: another seed, another (equally
    /// valid) search. For measuring how much a result owes to luck; the same seed gives
    /// the same schedule whenever the search finishes within its time.
    pub seed: u64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(10),
            gap: 1e-4,
            threads: 1,
            progress: false,
            highs_log: false,
            seed: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// Proven optimal within the requested gap.
    Optimal,
    /// The time limit was reached; the best schedule found is returned.
    Feasible,
}

impl SolveStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::Feasible => "feasible",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Solution {
    pub assignment: Assignment,
    pub status: SolveStatus,
    /// The exact objective of `assignment` (as `evaluate` computes it).
    pub objective: f64,
    /// A proven lower bound on the exact objective.
    pub bound: f64,
    /// (objective − bound) / max(|objective|, tiny); at most the requested gap when
    /// optimal.
    pub gap: f64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// With a human-readable diagnosis.
    #[error("{0}")]
    Infeasible(String),
    #[error("{0}")]
    NoSolution(String),
    #[error("{0}")]
    Internal(String),
}

/// Above this many (shift, member) pairs LNS improves the greedy before the whole MILP.
const FULL_MILP_BINARIES: usize = 2500;
/// Above this many the whole MILP is not attempted at all.
const BOUND_MILP_BINARIES: usize = 12_000;
/// At most this many binaries for the exact dynamic program.
const EXACT_BINARIES: usize = 400;
/// States in all before the dynamic program gives up: at most about 2.5 s and 220 MiB
/// (guided, about 1.5–2 M states a second). The tiny bench teams it proves take up to
/// 0.5 M. A solve whose MILP proves a better schedule first still waits for this
/// verdict, so that the schedule does not depend on which finished first.
const EXACT_STATES: usize = 4_000_000;
/// The debug log line of an answer the dynamic program proved.
const EXACT_PROOF: &str = "proven optimal by the exact dynamic program";
/// The share of the time left that the fairness floor's relaxation may take: the
/// search over counts settles most floors of the bench's tiny teams in 0.001–0.2 s;
/// HiGHS, for the five-person two-zone months it declines, in 0.3–0.5 s.
const FLOOR_SHARE: f64 = 0.4;
/// Share of the time left for the Lagrangian bound (two thirds for its rounds, a third
/// for settling pairs). Its proofs take 2–200 ms; where it proves nothing it still hands
/// the MILP a better start or settled pairs, at 0.2 s of a 1 s solve.
const LAGRANGE_SHARE: f64 = 0.2;
/// At most this much, whatever the limit: where the bound is slow to converge, HiGHS
/// proves sooner (`small` at a 10 s limit: 2.6 s with a fifth of the time, the bound's
/// own proof after 0.95 s, HiGHS's 0.55 s).
const LAGRANGE_MAX_SECONDS: f64 = 0.3;
/// The share of the time left, and the most, for re-optimising pairs of members after
/// the Lagrangian bound (4–5 people: 6–10 pairs, a pass in 2–6 ms).
const PAIRS_SHARE: f64 = 0.1;
const PAIRS_MAX_SECONDS: f64 = 0.1;
/// The debug log line of an answer the Lagrangian bound proved.
const LAGRANGE_PROOF: &str = "proven by the Lagrangian bound";
/// Objectives this close (relative) are one: HiGHS's tolerances are about 1e-9 of these
/// objectives, the dynamic program's 1e-6.
const SAME_OBJECTIVE: f64 = 5e-7;

/// The start after local search.
fn polished(start: Option<state::State<'_>>, until: Instant) -> Option<state::State<'_>> {
    start.map(|mut state| {
        local::polish(&mut state, until);
        state
    })
}

/// Size of the whole MILP of a problem (first solve, no previous schedule), for the
/// benchmark: what HiGHS gets when the team is small enough for the whole model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSize {
    pub variables: usize,
    pub constraints: usize,
}

pub fn model_size(problem: &Problem) -> ModelSize {
    let index = Index::new(problem, None, Rules::of(problem));
    let (variables, constraints) = model::size(problem, &index);
    ModelSize {
        variables,
        constraints,
    }
}

/// Solves the problem; with `previous`, frozen shifts are fixed and changes cost churn.
///
/// Pre-check; the best-fit greedy (and, re-solving, the previous schedule kept where
/// still valid: the better after local search goes on); a portfolio of heuristic
/// searches, one per thread (annealing, pair trades, cycles); for large teams LNS
/// (HiGHS on neighbourhoods); for the smallest the fairness floor and the Lagrangian
/// bound (which may prove the answer, improve it, or settle pairs); then the exact MILP
/// warm-started from the best so far (skipped for the largest), for the smallest beside
/// an exact dynamic program. The fair greedy is the floor: a solve is never worse.
pub fn solve(
    problem: &Problem,
    previous: Option<&Previous>,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let started = Instant::now();
    let deadline = started + options.time_limit;
    if problem.shifts.is_empty() {
        let assignment = Assignment::empty(0);
        let objective = evaluate(problem, &assignment, previous).objective;
        return Ok(Solution {
            assignment,
            status: SolveStatus::Optimal,
            objective,
            bound: objective,
            gap: 0.0,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    if options.highs_log {
        model::HIGHS_LOG.store(true, Ordering::Relaxed);
    }
    let progress = progress::Progress::new(options.progress, started);
    progress.stage("fair greedy");
    let index = Index::new(problem, previous, Rules::of(problem));
    if let Some(diagnosis) = precheck::precheck(problem, &index) {
        return Err(SolveError::Infeasible(diagnosis));
    }

    // The greedy and its polish get at most a quarter of the time, the heuristic
    // search a share; LNS and the MILP the rest.
    let polish_deadline = started + options.time_limit / 4;
    let binaries: usize = index.cand.iter().map(Vec::len).sum();
    let large = binaries > FULL_MILP_BINARIES;
    let fair = polished(greedy::greedy(problem, &index), polish_deadline);
    // The first search starts from best fit even where the polished fair greedy scores
    // lower (the 40-person bench team: 155 k against 120 k): measured over 8 seeds, best
    // fit ended lower in 6 and never higher, and on the 150-person team 35 k against
    // 40 k. The portfolio's second search starts from the fair greedy.
    let fit = polished(greedy::best_fit(problem, &index), polish_deadline);
    // A re-solve also starts from the previous schedule, so a search cut short by the
    // time limit does not reshuffle shifts the new inputs did not touch.
    let kept = polished(greedy::from_previous(problem, &index), polish_deadline);
    let start = match (kept, fit) {
        (Some(k), Some(f)) => Some(if k.objective() <= f.objective() { k } else { f }),
        (k, f) => k.or(f),
    }
    .or_else(|| fair.clone());
    if let Some(state) = &start {
        progress.reached("greedy + polish", state.objective());
    }
    let plan = portfolio::Plan {
        started,
        limit: options.time_limit,
        binaries,
        largest: BOUND_MILP_BINARIES,
        large: FULL_MILP_BINARIES,
    };
    let workers = options.threads.max(1) as usize;
    let greedy = start.map(|start| {
        let best = portfolio::search(
            start,
            fair.as_ref(),
            &plan,
            options.seed,
            workers,
            &progress,
        );
        // Never worse than the fair greedy (docs/solver.md).
        match fair {
            Some(fair) if fair.objective() < best.objective() => fair.assignment(),
            _ => best.assignment(),
        }
    });
    // Large teams: improve by exact re-optimisation of neighbourhoods (LNS). Mid-size
    // ones then hand the rest of the time to the whole MILP, warm-started, for its bound;
    // the largest keep LNS to the end (the whole model's root LP alone can outlast the
    // limit there) and report a bound without LP.
    let mut whole_milp = true;
    let greedy = match greedy {
        Some(start) if large => {
            whole_milp = binaries <= BOUND_MILP_BINARIES;
            progress.stage("re-optimising neighbourhoods (LNS)");
            let until = if whole_milp {
                started + options.time_limit.mul_f64(0.6)
            } else {
                deadline
            };
            Some(lns::lns(problem, &index, previous, start, until, &progress))
        }
        other => other,
    };
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    };
    // The smallest teams first settle their partition question (`fair_floor`): on the
    // first core, before the Lagrangian bound that keeps its loads at or above it and
    // the whole MILP that gets it as a row, so neither depends on timing.
    let floor_watch = progress::Progress::quiet(started);
    let fair_floor = if whole_milp && fair_floor::applies(problem, &index) {
        progress.stage("fairness floor");
        let limit = left() * FLOOR_SHARE;
        let found = fair_floor::fair_floor(problem, previous, greedy.as_ref(), limit, &floor_watch);
        progress.trace(&match found {
            Some(value) => format!("fairness floor: {value:.1}"),
            None => "fairness floor: not proven".into(),
        });
        found
    } else {
        None
    };
    // The smallest teams: the Lagrangian bound, and the schedules its priced members
    // are repaired into, before the MILP (which then starts from the better one).
    let mut relaxed = None;
    let mut exclude = None;
    let mut guide = None;
    let greedy = match greedy {
        Some(start) if binaries <= EXACT_BINARIES && lagrange::applies(problem, &index) => {
            progress.stage("Lagrangian bound");
            let incumbent = evaluate(problem, &start, previous).objective;
            let share = (left() * LAGRANGE_SHARE).min(LAGRANGE_MAX_SECONDS);
            let until = Instant::now() + Duration::from_secs_f64(share);
            let found =
                lagrange::lagrange(problem, &index, incumbent, fair_floor, until.min(deadline));
            let best = match found.better {
                Some((better, value)) => {
                    progress.reached("Lagrangian repair", value);
                    better
                }
                None => start,
            };
            let left_out = found
                .exclude
                .as_ref()
                .map_or(0, |e| e.iter().filter(|v| v.is_some()).count());
            progress.trace(&format!(
                "Lagrangian bound: {:.1}, {left_out} pairs settled",
                found.bound
            ));
            relaxed = Some((found.bound, found.proven));
            exclude = found.exclude;
            guide = found.guide;
            if found.proven {
                Some(best)
            } else {
                // Pairs of members redistributing their shifts exactly find the optimum
                // the local searches miss by a back-to-back pair. (What the bound settled
                // holds for every schedule better than the one it settled against, so a
                // better start keeps it.)
                progress.stage("re-optimising pairs of members");
                let share = (left() * PAIRS_SHARE).min(PAIRS_MAX_SECONDS);
                let until = (Instant::now() + Duration::from_secs_f64(share)).min(deadline);
                Some(pairs::pairs(problem, previous, best, until, &progress))
            }
        }
        other => other,
    };
    let greedy_objective = greedy
        .as_ref()
        .map(|a| evaluate(problem, a, previous).objective);
    if let Some(value) = greedy_objective {
        progress.reached("heuristics done", value);
    }
    let floor = bounds::objective_floor(problem, &index)
        .max(relaxed.map_or(f64::NEG_INFINITY, |(bound, _)| bound));
    progress.bound(floor);

    let finish = |assignment: Assignment, optimal: bool, bound: f64| {
        let objective = evaluate(problem, &assignment, previous).objective;
        let bound = bound.max(floor);
        // HiGHS's dual bound carries its tolerances (~1e-6 relative); closer than that
        // is the objective itself.
        let bound = if bound.is_finite() && objective - bound <= 1e-6 * objective.abs().max(1.0) {
            objective
        } else if bound.is_finite() {
            bound.min(objective)
        } else {
            f64::NEG_INFINITY
        };
        let gap = if bound.is_finite() {
            ((objective - bound) / objective.abs().max(1e-9)).max(0.0)
        } else {
            f64::INFINITY
        };
        Solution {
            assignment,
            // A bound that meets the objective proves it, whoever found the bound.
            status: if optimal || objective - bound <= 1e-6 * objective.abs().max(1.0) {
                SolveStatus::Optimal
            } else {
                SolveStatus::Feasible
            },
            objective,
            bound,
            gap,
            seconds: started.elapsed().as_secs_f64(),
        }
    };

    if let (Some((_, true)), Some(g), Some(go)) = (relaxed, &greedy, greedy_objective) {
        progress.reached(LAGRANGE_PROOF, go);
        return Ok(finish(g.clone(), true, go));
    }
    let milp = || {
        if left() <= 0.0 || !whole_milp {
            return Outcome::NoSolution { bound: floor };
        }
        progress.stage("searching with HiGHS (MILP)");
        model::solve(
            problem,
            &index,
            &Params {
                // A little headroom for reading the solution back and evaluating it.
                time_limit: (left() * 0.98 - 0.02).max(0.01),
                gap: options.gap,
                feasibility_only: false,
                warm: greedy.as_ref(),
                fix: None,
                exclude: exclude.as_deref(),
                progress: Some(&progress),
                cutoff: greedy_objective,
                fair_floor,
            },
        )
    };
    // HiGHS finished and nothing it found beats the heuristics' schedule (beyond float
    // noise): its bound meets that schedule, the answer the dynamic program would give,
    // or it stopped within its gap (`--gap`) of it with a schedule no better, so the
    // program may stop. Only where the program would have found a schedule better by
    // less than the gap does the schedule returned depend on which finished first.
    // (Waiting for the program there cost `tiny-5-2zones-0`, proven by HiGHS within
    // 0.3 s, the whole 1 s limit.)
    let proves_incumbent = |outcome: &Outcome, incumbent: f64| {
        let noise = SAME_OBJECTIVE * incumbent.abs().max(1.0);
        matches!(outcome, Outcome::Solved { optimal: true, bound, assignment }
            if *bound >= incumbent - noise
                || evaluate(problem, assignment, previous).objective >= incumbent - noise)
    };
    let exact = |incumbent: f64, budget: usize, cancel: &AtomicBool| {
        let (verdict, bound) = exact::rising(
            problem,
            &index,
            incumbent,
            floor,
            exact::Limits {
                until: deadline,
                budget,
                cancel,
            },
            fair_floor,
            guide.as_ref(),
        );
        if verdict != exact::Verdict::GaveUp {
            floor_watch.interrupt();
            progress.interrupt();
        }
        if bound > floor {
            progress.trace(&format!("exact program: nothing below {bound:.1}"));
        }
        (verdict, bound)
    };
    // The smallest teams: the exact dynamic program, under caps rising from the bound
    // to the heuristics' objective, on the second core beside HiGHS (with one core,
    // first and with a smaller budget). Its verdict wins whenever it
    // reaches one — a count of states, not the clock, decides that, so the schedule
    // does not depend on which finished first — and HiGHS is stopped then.
    let cancel = AtomicBool::new(false);
    let (outcome, found) = match greedy_objective {
        Some(incumbent) if binaries <= EXACT_BINARIES && workers > 1 => {
            std::thread::scope(|scope| {
                let beside = scope.spawn(|| exact(incumbent, EXACT_STATES, &cancel));
                let outcome = milp();
                if proves_incumbent(&outcome, incumbent) {
                    cancel.store(true, Ordering::Relaxed);
                }
                let found = beside
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (outcome, found)
            })
        }
        Some(incumbent) if binaries <= EXACT_BINARIES => {
            match exact(incumbent, EXACT_STATES / 8, &cancel) {
                (exact::Verdict::GaveUp, bound) => (milp(), (exact::Verdict::GaveUp, bound)),
                found => (Outcome::NoSolution { bound: floor }, found),
            }
        }
        _ => (milp(), (exact::Verdict::GaveUp, floor)),
    };
    // Where the program gave up, the caps it rose through still bound every schedule.
    let (verdict, exact_bound) = found;
    let finish = |assignment: Assignment, optimal: bool, bound: f64| {
        finish(assignment, optimal, bound.max(exact_bound))
    };
    match (verdict, &greedy, greedy_objective) {
        (exact::Verdict::IncumbentOptimal, Some(g), Some(go)) => {
            progress.reached(EXACT_PROOF, go);
            return Ok(finish(g.clone(), true, go));
        }
        // Checked against the rules once more: a schedule that broke one would be a bug
        // in the program, and HiGHS's answer stands then.
        (exact::Verdict::Better(a), _, _)
            if crate::problem::rules::check(problem, &a, previous).is_empty() =>
        {
            let value = evaluate(problem, &a, previous).objective;
            progress.reached(EXACT_PROOF, value);
            return Ok(finish(a, true, value));
        }
        _ => {}
    }

    let proven = greedy_objective.is_some_and(|go| proves_incumbent(&outcome, go));
    match outcome {
        Outcome::Solved {
            assignment,
            optimal,
            bound,
        } => {
            let milp_objective = evaluate(problem, &assignment, previous).objective;
            match (greedy, greedy_objective) {
                (Some(g), Some(go)) if go < milp_objective || proven => {
                    // The MILP's optimum is exact up to float noise; the greedy matching
                    // or beating it means it is optimal too (and the dynamic program,
                    // had it finished, would have returned it).
                    Ok(finish(g, optimal, bound))
                }
                _ => Ok(finish(assignment, optimal, bound)),
            }
        }
        Outcome::NoSolution { bound } => match greedy {
            Some(g) => Ok(finish(g, false, bound)),
            None => Err(SolveError::NoSolution(format!(
                "no schedule found within the time limit of {:.1} s; try a longer --time-limit",
                options.time_limit.as_secs_f64()
            ))),
        },
        Outcome::Infeasible => match (greedy, greedy_objective) {
            // Without the pairs the Lagrangian bound settled, nothing beats the start.
            (Some(g), Some(go)) if exclude.is_some() => Ok(finish(g, true, go)),
            // A valid greedy schedule proves feasibility; HiGHS disagreeing is float noise.
            (Some(g), _) => Ok(finish(g, false, f64::NEG_INFINITY)),
            (None, _) => {
                progress.stage("diagnosing infeasibility");
                let diagnose_until = deadline.max(Instant::now() + Duration::from_secs(10));
                Err(SolveError::Infeasible(diagnose::diagnose(
                    problem,
                    previous,
                    diagnose_until,
                )))
            }
        },
        Outcome::Error(e) => match greedy {
            Some(g) => Ok(finish(g, false, f64::NEG_INFINITY)),
            None => Err(SolveError::Internal(e)),
        },
    }
}
