//! [`solve`] as its stages, in the order they run: starts, portfolio, LNS, the smallest
//! teams' floor and bound, then the proof (HiGHS, and the exact program beside it), and
//! the answer. Which of them run is the [`Plan`]'s decision, made once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

use super::bound;
use super::diagnose::diagnose;
use super::index::{Index, Rules};
use super::milp::bounds;
use super::milp::model::{self, Outcome, Params};
use super::plan::{self, Plan};
use super::precheck::precheck;
use super::progress::Progress;
use super::search::{lns, portfolio};
use super::small::{exact, fair_floor, lagrange, pairs};
use super::start;
use super::{Solution, SolveError, SolveOptions, SolveStatus};
use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::evaluate;

/// The debug log line of an answer the dynamic program proved.
const EXACT_PROOF: &str = "proven optimal by the exact dynamic program";
/// The debug log line of an answer the Lagrangian bound proved.
const LAGRANGE_PROOF: &str = "proven by the Lagrangian bound";
/// Objectives this close (relative) are one: HiGHS's tolerances are about 1e-9 of these
/// objectives, the dynamic program's 1e-6.
const SAME_OBJECTIVE: f64 = 5e-7;

/// Solves the problem; with `previous`, frozen shifts are fixed and changes cost churn.
///
/// The stages and which teams get them are in the module doc of `solver`. The fair
/// greedy is the floor: a solve is never worse.
pub fn solve(
    problem: &Problem,
    previous: Option<&Previous>,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let started = Instant::now();
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
    let progress = Progress::new(
        options.progress.as_ref(),
        problem,
        previous,
        started,
        options.time_limit,
    );
    progress.stage("fair greedy");
    let index = Index::new(problem, previous, Rules::of(problem));
    if let Some(diagnosis) = precheck(problem, &index) {
        return Err(SolveError::Infeasible(diagnosis));
    }
    let plan = Plan::new(problem, &index, options, started);
    let run = Run {
        problem,
        previous,
        index: &index,
        plan: &plan,
        options,
        progress: &progress,
        beside_stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let (heuristic, beside) = run.portfolio_and_bound(scope);
        let heuristic = run.lns(heuristic);
        // Interrupted, like `progress`, once the exact program has its verdict.
        let floor_watch = Progress::quiet(started);
        let fair_floor = run.fairness_floor(heuristic.as_ref(), &floor_watch);
        let smallest = run.lagrangian(heuristic, fair_floor);
        let answer = run.prove(smallest, fair_floor, &floor_watch, beside);
        // The scope joins the bound beside: an answer found early does not wait for it.
        run.beside_stop.store(true, Ordering::Relaxed);
        answer
    })
}

/// The bounds for teams of any size, running beside LNS and the whole MILP.
type Beside<'scope> = Option<ScopedJoinHandle<'scope, bound::Beside>>;

/// What every stage reads.
struct Run<'a> {
    problem: &'a Problem,
    previous: Option<&'a Previous>,
    index: &'a Index,
    plan: &'a Plan,
    options: &'a SolveOptions,
    progress: &'a Progress<'a>,
    /// Set once the proof has ended: the bound beside it then stops at its next round
    /// instead of holding the answer until the deadline.
    beside_stop: AtomicBool,
}

/// The heuristics' schedule after the Lagrangian bound, and what the bound leaves the
/// proof.
struct Relaxation {
    best: Option<Assignment>,
    /// The bound, and whether it proved `best`.
    bound: Option<(f64, bool)>,
    /// Pairs no better schedule differs on (see `model::Params::exclude`).
    exclude: Option<Vec<Option<bool>>>,
    guide: Option<lagrange::Guide>,
}

impl Run<'_> {
    fn objective(&self, assignment: &Assignment) -> f64 {
        evaluate(self.problem, assignment, self.previous).objective
    }

    /// The greedy starts, polished, and the portfolio of searches from them; never worse
    /// than the fair greedy (see `docs/objective.md`). `ready` gets the objective of the
    /// first schedule the searches stand by (`portfolio::search`), if any.
    fn portfolio(&self, ready: impl FnOnce(f64)) -> Option<Assignment> {
        let (problem, index) = (self.problem, self.index);
        let until = self.plan.at(plan::START_SHARE);
        let fair = start::polished(start::greedy(problem, index), until);
        // The first search starts from best fit even where the polished fair greedy
        // scores lower: over seeds best fit ended lower far more often, and never higher.
        // The portfolio's second search starts from the fair greedy.
        let fit = start::polished(start::best_fit(problem, index), until);
        // A re-solve also starts from the previous schedule, so a search cut short by the
        // time limit does not reshuffle shifts the new inputs did not touch.
        let kept = start::polished(start::from_previous(problem, index), until);
        let primary = match (kept, fit) {
            (Some(k), Some(f)) => Some(if k.objective() <= f.objective() { k } else { f }),
            (k, f) => k.or(f),
        }
        .or_else(|| fair.clone());
        if let Some(state) = &primary {
            self.progress
                .reached("greedy + polish", state.objective(), || state.assignment());
        }
        primary.map(|primary| {
            let fair_objective = fair.as_ref().map_or(f64::INFINITY, |f| f.objective());
            let best = portfolio::search(
                primary,
                fair.as_ref(),
                self.plan,
                self.options.seed,
                self.progress,
                |first| ready(first.objective().min(fair_objective)),
            );
            // Never worse than the fair greedy.
            match fair {
                Some(fair) if fair.objective() < best.objective() => fair.assignment(),
                _ => best.assignment(),
            }
        })
    }

    /// The portfolio, and the bound beside the searches started from its first schedule
    /// (`portfolio::search`), while the searches may still go on.
    fn portfolio_and_bound<'scope>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
    ) -> (Option<Assignment>, Beside<'scope>)
    where
        Self: 'scope,
    {
        let mut beside = None;
        let heuristic = self.portfolio(|incumbent| beside = self.beside_bound(scope, incumbent));
        (heuristic, beside)
    }

    /// Teams above the smallest tier's stages get a bound of their own, on the core LNS
    /// and the whole MILP leave free, from the portfolio's first schedule (`incumbent`
    /// is its objective) to the end; the searches keep both cores until then.
    fn beside_bound<'scope>(
        &'scope self,
        scope: &'scope Scope<'scope, '_>,
        incumbent: f64,
    ) -> Beside<'scope>
    where
        Self: 'scope,
    {
        if !self.plan.beside_bound {
            return None;
        }
        let (problem, index, stop) = (self.problem, self.index, &self.beside_stop);
        let until = self.plan.deadline()
            - Duration::from_secs_f64(plan::MILP_READBACK_SECONDS).min(self.plan.limit / 2);
        Some(scope.spawn(move || bound::beside(problem, index, incumbent, until, stop)))
    }

    /// The bound from beside, once it has finished (it stops before the deadline).
    fn joined(&self, beside: Beside<'_>) -> f64 {
        let Some(found) = beside.and_then(|handle| handle.join().ok()) else {
            return f64::NEG_INFINITY;
        };
        self.progress
            .trace(&format!("LP-free bound beside: {:.1}", found.floor));
        if let Some(counted) = found.counted {
            self.progress.trace(&format!("counted bound: {counted:.1}"));
        }
        if let Some(relaxed) = found.lagrangian {
            self.progress.trace(&format!(
                "bound for any size: {:.1} after {} rounds",
                relaxed.value, relaxed.rounds
            ));
        }
        let value = found.value();
        self.progress.bound(value);
        value
    }

    /// Large teams: exact re-optimisation of neighbourhoods, until the whole MILP's turn
    /// or, on the largest, to the end.
    fn lns(&self, heuristic: Option<Assignment>) -> Option<Assignment> {
        match (heuristic, self.plan.lns_until()) {
            (Some(start), Some(until)) => {
                self.progress.stage("re-optimising neighbourhoods (LNS)");
                Some(lns::lns(
                    self.problem,
                    self.index,
                    self.previous,
                    start,
                    until,
                    self.progress,
                    self.options.highs_log,
                ))
            }
            (heuristic, _) => heuristic,
        }
    }

    /// The smallest teams settle their partition question first, before the Lagrangian
    /// bound that keeps its loads at or above it and the whole MILP that gets it as a
    /// row, so neither depends on timing.
    fn fairness_floor(&self, heuristic: Option<&Assignment>, watch: &Progress) -> Option<f64> {
        if !self.plan.fair_floor {
            return None;
        }
        self.progress.stage("fairness floor");
        let limit = self.plan.left() * plan::FLOOR_SHARE;
        let found = fair_floor::fair_floor(
            self.problem,
            self.previous,
            heuristic,
            limit,
            watch,
            self.options.highs_log,
        );
        self.progress.trace(&match found {
            Some(value) => format!("fairness floor: {value:.1}"),
            None => "fairness floor: not proven".into(),
        });
        found
    }

    /// The smallest teams: the Lagrangian bound, and the schedules its priced members
    /// are repaired into, before the MILP (which then starts from the better one); then
    /// pairs of members re-optimised exactly where the bound proved nothing.
    fn lagrangian(&self, heuristic: Option<Assignment>, fair_floor: Option<f64>) -> Relaxation {
        let start = match heuristic {
            Some(start) if self.plan.lagrange => start,
            best => {
                return Relaxation {
                    best,
                    bound: None,
                    exclude: None,
                    guide: None,
                };
            }
        };
        let (problem, progress) = (self.problem, self.progress);
        progress.stage("Lagrangian bound");
        let incumbent = self.objective(&start);
        let share = (self.plan.left() * plan::LAGRANGE_SHARE).min(plan::LAGRANGE_MAX_SECONDS);
        let until = Instant::now() + Duration::from_secs_f64(share);
        let found = lagrange::lagrange(
            problem,
            self.index,
            incumbent,
            fair_floor,
            until.min(self.plan.deadline()),
        );
        let best = match found.better {
            Some((better, value)) => {
                progress.reached("Lagrangian repair", value, || better.clone());
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
        let best = if found.proven {
            best
        } else {
            // Pairs of members redistributing their shifts exactly find the optimum the
            // local searches miss by a back-to-back pair. (What the bound settled holds
            // for every schedule better than the one it settled against, so a better
            // start keeps it.)
            progress.stage("re-optimising pairs of members");
            let share = (self.plan.left() * plan::PAIRS_SHARE).min(plan::PAIRS_MAX_SECONDS);
            let until = (Instant::now() + Duration::from_secs_f64(share)).min(self.plan.deadline());
            pairs::pairs(problem, self.previous, best, until, progress)
        };
        Relaxation {
            best: Some(best),
            bound: Some((found.bound, found.proven)),
            exclude: found.exclude,
            guide: found.guide,
        }
    }

    /// The proof: the Lagrangian bound's, or the race of HiGHS and the exact program;
    /// then the answer from what they found.
    fn prove(
        &self,
        relaxation: Relaxation,
        fair_floor: Option<f64>,
        floor_watch: &Progress,
        beside: Beside<'_>,
    ) -> Result<Solution, SolveError> {
        let progress = self.progress;
        let Relaxation {
            best: greedy,
            bound: relaxed,
            exclude,
            guide,
        } = relaxation;
        let greedy_objective = greedy.as_ref().map(|a| self.objective(a));
        if let (Some(value), Some(g)) = (greedy_objective, &greedy) {
            progress.reached("heuristics done", value, || g.clone());
        }
        let until = Instant::now() + Duration::from_secs_f64(self.plan.left() * plan::BOUNDS_SHARE);
        let floor = bounds::objective_floor(self.problem, self.index, until)
            .max(relaxed.map_or(f64::NEG_INFINITY, |(bound, _)| bound));
        progress.trace(&format!("LP-free bound: {floor:.1}"));
        progress.bound(floor);
        let answer = Answer {
            run: self,
            floor,
            exact_bound: f64::NEG_INFINITY,
        };
        if let (Some((_, true)), Some(g), Some(go)) = (relaxed, &greedy, greedy_objective) {
            progress.reached(LAGRANGE_PROOF, go, || g.clone());
            return Ok(answer.finish(g.clone(), true, go));
        }
        let proof = Proof {
            greedy: greedy.as_ref(),
            greedy_objective,
            floor,
            fair_floor,
            exclude: exclude.as_deref(),
            guide: guide.as_ref(),
        };
        let (outcome, (verdict, exact_bound)) = self.race(&proof, floor_watch);
        self.beside_stop.store(true, Ordering::Relaxed);
        // Where the program gave up, the caps it rose through still bound every schedule.
        let answer = Answer {
            exact_bound,
            floor: answer.floor.max(self.joined(beside)),
            ..answer
        };
        let settled = exclude.is_some();
        self.answer(
            &answer,
            outcome,
            verdict,
            (greedy, greedy_objective),
            settled,
        )
    }

    /// HiGHS finished and nothing it found beats the heuristics' schedule (beyond float
    /// noise): its bound meets that schedule, the answer the dynamic program would give,
    /// or it stopped within its gap (`--gap`) of it with a schedule no better, so the
    /// program may stop. Only where the program would have found a schedule better by
    /// less than the gap does the schedule returned depend on which finished first.
    /// (Waiting for the program there could cost a team HiGHS proved early the whole
    /// limit.)
    fn proves(&self, outcome: &Outcome, incumbent: f64) -> bool {
        let noise = SAME_OBJECTIVE * incumbent.abs().max(1.0);
        matches!(outcome, Outcome::Solved { optimal: true, bound, assignment }
            if *bound >= incumbent - noise || self.objective(assignment) >= incumbent - noise)
    }

    /// The whole MILP warm-started from the heuristics' schedule and, for the smallest
    /// teams, the exact program under caps rising from the bound to the heuristics'
    /// objective, on the second core beside HiGHS (with one core, first and with a
    /// smaller budget). The program's verdict wins whenever it reaches one — a count of
    /// states, not the clock, decides that, so the schedule does not depend on which
    /// finished first — and HiGHS is stopped then. Returns HiGHS's outcome, and the
    /// program's verdict with the highest cap it cleared.
    fn race(&self, proof: &Proof, floor_watch: &Progress) -> (Outcome, (exact::Verdict, f64)) {
        let (problem, index, progress) = (self.problem, self.index, self.progress);
        let floor = proof.floor;
        let milp = || {
            let left = self.plan.left();
            if left <= 0.0 || !self.plan.whole_milp() {
                return Outcome::NoSolution { bound: floor };
            }
            progress.stage("searching with HiGHS (MILP)");
            // A little headroom for reading the solution back and evaluating it.
            let time_limit = (left * plan::MILP_SHARE - plan::MILP_READBACK_SECONDS).max(0.01);
            model::solve(
                problem,
                index,
                &Params {
                    warm: proof.greedy,
                    exclude: proof.exclude,
                    progress: Some(progress),
                    cutoff: proof.greedy_objective,
                    fair_floor: proof.fair_floor,
                    highs_log: self.options.highs_log,
                    ..Params::new(time_limit, self.options.gap)
                },
            )
        };
        let exact = |incumbent: f64, budget: usize, cancel: &AtomicBool| {
            let (verdict, bound) = exact::rising(
                problem,
                index,
                incumbent,
                floor,
                exact::Limits {
                    until: self.plan.deadline(),
                    budget,
                    cancel,
                },
                proof.fair_floor,
                proof.guide,
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
        let cancel = AtomicBool::new(false);
        match proof.greedy_objective {
            Some(incumbent) if self.plan.exact && self.plan.workers > 1 => {
                std::thread::scope(|scope| {
                    let beside = scope.spawn(|| exact(incumbent, plan::EXACT_STATES, &cancel));
                    let outcome = milp();
                    if self.proves(&outcome, incumbent) {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    let found = beside
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (outcome, found)
                })
            }
            Some(incumbent) if self.plan.exact => {
                let budget = plan::EXACT_STATES / plan::EXACT_ONE_CORE_DIVISOR;
                match exact(incumbent, budget, &cancel) {
                    (exact::Verdict::GaveUp, bound) => (milp(), (exact::Verdict::GaveUp, bound)),
                    found => (Outcome::NoSolution { bound: floor }, found),
                }
            }
            _ => (milp(), (exact::Verdict::GaveUp, floor)),
        }
    }

    /// The schedule to return, from the exact program's verdict, HiGHS's outcome and the
    /// heuristics' schedule (`settled`: the MILP went without the pairs the Lagrangian
    /// bound settled).
    fn answer(
        &self,
        answer: &Answer,
        outcome: Outcome,
        verdict: exact::Verdict,
        (greedy, greedy_objective): (Option<Assignment>, Option<f64>),
        settled: bool,
    ) -> Result<Solution, SolveError> {
        let (problem, previous, progress) = (self.problem, self.previous, self.progress);
        match (verdict, &greedy, greedy_objective) {
            (exact::Verdict::IncumbentOptimal, Some(g), Some(go)) => {
                progress.reached(EXACT_PROOF, go, || g.clone());
                return Ok(answer.finish(g.clone(), true, go));
            }
            // Checked against the rules once more: a schedule that broke one would be a
            // bug in the program, and HiGHS's answer stands then.
            (exact::Verdict::Better(a), _, _)
                if crate::problem::rules::check(problem, &a, previous).is_empty() =>
            {
                let value = self.objective(&a);
                progress.reached(EXACT_PROOF, value, || a.clone());
                return Ok(answer.finish(a, true, value));
            }
            _ => {}
        }

        let proven = greedy_objective.is_some_and(|go| self.proves(&outcome, go));
        match outcome {
            Outcome::Solved {
                assignment,
                optimal,
                bound,
            } => {
                let milp_objective = self.objective(&assignment);
                match (greedy, greedy_objective) {
                    (Some(g), Some(go)) if go < milp_objective || proven => {
                        // The MILP's optimum is exact up to float noise; the greedy
                        // matching or beating it means it is optimal too (and the dynamic
                        // program, had it finished, would have returned it).
                        Ok(answer.finish(g, optimal, bound))
                    }
                    _ => Ok(answer.finish(assignment, optimal, bound)),
                }
            }
            Outcome::NoSolution { bound } => match greedy {
                Some(g) => Ok(answer.finish(g, false, bound)),
                None => Err(SolveError::NoSolution(format!(
                    "no schedule found within the time limit of {:.1} s; try a longer --time-limit",
                    self.options.time_limit.as_secs_f64()
                ))),
            },
            Outcome::Infeasible => match (greedy, greedy_objective) {
                // Without the pairs the Lagrangian bound settled, nothing beats the start.
                (Some(g), Some(go)) if settled => Ok(answer.finish(g, true, go)),
                // A valid greedy schedule proves feasibility; HiGHS disagreeing is float
                // noise.
                (Some(g), _) => Ok(answer.finish(g, false, f64::NEG_INFINITY)),
                (None, _) => {
                    progress.stage("diagnosing infeasibility");
                    let at_least = Instant::now() + Duration::from_secs(plan::DIAGNOSE_SECONDS);
                    Err(SolveError::Infeasible(diagnose(
                        problem,
                        previous,
                        self.plan.deadline().max(at_least),
                        self.options.highs_log,
                    )))
                }
            },
            Outcome::Error(e) => match greedy {
                Some(g) => Ok(answer.finish(g, false, f64::NEG_INFINITY)),
                None => Err(SolveError::Internal(e)),
            },
        }
    }
}

/// What the race of HiGHS and the exact program starts from.
struct Proof<'a> {
    /// The heuristics' schedule, and its objective.
    greedy: Option<&'a Assignment>,
    greedy_objective: Option<f64>,
    /// Bounds every schedule (see [`Answer::floor`]).
    floor: f64,
    fair_floor: Option<f64>,
    exclude: Option<&'a [Option<bool>]>,
    guide: Option<&'a lagrange::Guide>,
}

/// Turns a schedule and what bounds it into a [`Solution`].
struct Answer<'a> {
    run: &'a Run<'a>,
    /// Bounds every schedule: the LP-free floor, the Lagrangian bound and the bound for
    /// teams of any size.
    floor: f64,
    /// The highest cap under which the exact program found nothing.
    exact_bound: f64,
}

impl Answer<'_> {
    fn finish(&self, assignment: Assignment, optimal: bool, bound: f64) -> Solution {
        let objective = self.run.objective(&assignment);
        let bound = bound.max(self.exact_bound).max(self.floor);
        // HiGHS's dual bound carries its tolerances (~1e-6 relative); closer than that is
        // the objective itself.
        let meets = |bound: f64| objective - bound <= 1e-6 * objective.abs().max(1.0);
        let bound = if bound.is_finite() && meets(bound) {
            objective
        } else if bound.is_finite() {
            bound.min(objective)
        } else {
            f64::NEG_INFINITY
        };
        // A bound that meets the objective proves it, whoever found the bound.
        Solution::scored(
            assignment,
            objective,
            bound,
            |_| optimal || meets(bound),
            self.run.plan.started.elapsed().as_secs_f64(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::plan::Trades;
    use crate::testkit::hours as testkit;

    /// Where the plan says so, the bound beside the searches starts from the portfolio's
    /// schedule and bounds it; elsewhere there is none.
    #[test]
    fn the_bound_beside_starts_from_the_portfolio_where_the_plan_says() {
        let problem = testkit::evenly(plan::SMALL_TEAM + 1, 20, 24, 24);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let options = SolveOptions {
            time_limit: Duration::from_secs(1),
            threads: 2,
            ..SolveOptions::default()
        };
        for beside_bound in [true, false] {
            let plan = Plan {
                beside_bound,
                trades: Trades::Mixed(0.4),
                ..Plan::new(&problem, &index, &options, Instant::now())
            };
            let progress = Progress::quiet(plan.started);
            let run = Run {
                problem: &problem,
                previous: None,
                index: &index,
                plan: &plan,
                options: &options,
                progress: &progress,
                beside_stop: AtomicBool::new(false),
            };
            std::thread::scope(|scope| {
                let (heuristic, beside) = run.portfolio_and_bound(scope);
                let objective = run.objective(&heuristic.expect("a schedule"));
                assert_eq!(beside.is_some(), beside_bound);
                let bound = run.joined(beside);
                if beside_bound {
                    assert!(bound.is_finite() && bound <= objective + 1e-6, "{bound}");
                } else {
                    assert_eq!(bound, f64::NEG_INFINITY);
                }
            });
        }
    }
}
