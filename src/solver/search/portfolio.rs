//! The heuristic search after the start, run as a portfolio: one search per thread, each
//! with its own random streams; the best schedule wins.
//!
//! The workers alternate between two strategies whose measured strengths differ by
//! instance (`strategies`): from best fit or from the fair greedy, annealed or not, with
//! one descent of pair trades or iterated ones. With one thread only the first runs.

use std::time::Instant;

use super::anneal;
use super::exchange;
use super::local;
use crate::solver::plan::{self, Plan, Trades};
use crate::solver::progress::Progress;
use crate::solver::state::State;

/// How a worker searches.
#[derive(Debug, Clone, Copy)]
struct Strategy {
    /// Start from the fair greedy instead of the primary start.
    from_fair: bool,
    anneal: bool,
    /// Iterated pair trades until the plan's end, instead of one descent.
    iterate: bool,
}

/// Worker `w` follows `strategies(trades)[w % 2]`.
fn strategies(trades: Trades) -> [Strategy; 2] {
    match trades {
        // On the largest teams annealing drifts toward schedules with more points in
        // total (nights to those for whom they are nights), from which the trades end
        // worse than without it; on smaller ones it helps. Where trades are iterated,
        // one search of two anneals.
        Trades::Iterated(_) => [
            Strategy {
                from_fair: false,
                anneal: false,
                iterate: true,
            },
            Strategy {
                from_fair: true,
                anneal: true,
                iterate: true,
            },
        ],
        // On large teams the annealed descent from best fit ended lowest on some teams
        // (LNS then adds little), and iterated trades from best fit without annealing
        // on others (where LNS adds nothing): both run, and the first does not wait.
        Trades::Mixed(_) => [
            Strategy {
                from_fair: false,
                anneal: true,
                iterate: false,
            },
            Strategy {
                from_fair: false,
                anneal: false,
                iterate: true,
            },
        ],
        Trades::Descent => [
            Strategy {
                from_fair: false,
                anneal: true,
                iterate: false,
            },
            Strategy {
                from_fair: true,
                anneal: true,
                iterate: false,
            },
        ],
    }
}

/// Runs the plan's workers (the first on this thread, with `seed` itself, so one worker
/// is the plain sequential search) from `primary` (best fit, or a re-solve's kept
/// schedule) or `fair`, and returns the best. `ready` gets the first schedule the
/// searches stand by, on this thread, as soon as it is known: the best at the end, or
/// with mixed trades the first search's, while the second goes on (the bound beside the
/// searches starts from it).
pub(crate) fn search<'a>(
    primary: State<'a>,
    fair: Option<&State<'a>>,
    plan: &Plan,
    seed: u64,
    progress: &Progress,
    ready: impl FnOnce(&State<'a>),
) -> State<'a> {
    let workers = plan.workers.max(1);
    let strategies = strategies(plan.trades);
    // Meetings at the same fractions of the trades' time, wherever they end.
    let end = plan.trades.end().unwrap_or(plan::TRADES_END);
    let meet_at = |share: f64| share * end / plan::TRADES_END;
    let meet = matches!(plan.trades, Trades::Iterated(_)) && workers > 1;
    let first_until = plan.at(if meet {
        meet_at(plan::MEETINGS[0])
    } else {
        end
    });
    let first = |w: usize| {
        let strategy = strategies[w % strategies.len()];
        let state = match fair {
            Some(fair) if strategy.from_fair => fair.clone(),
            _ => primary.clone(),
        };
        improve(
            state,
            plan,
            strategy,
            worker_seed(seed, w),
            first_until,
            progress,
        )
    };
    if matches!(plan.trades, Trades::Mixed(_)) {
        // The first search ends long before the second: what waits on the schedule need
        // not wait for both.
        return race(workers, first, ready);
    }
    let mut best = race(workers, first, |_| {});
    if meet {
        let ends = plan::MEETINGS[1..].iter().chain([&plan::TRADES_END]);
        for (round, end) in ends.map(|&share| meet_at(share)).enumerate() {
            let from = &best;
            let round_seed = seed.wrapping_add((round as u64 + 1) << 32);
            let trade = |w: usize| {
                let mut state = from.clone();
                exchange::iterated(&mut state, worker_seed(round_seed, w), plan.at(end));
                progress.reached("iterated pair trades", state.objective(), || {
                    state.assignment()
                });
                state
            };
            best = race(workers, trade, |_| {});
        }
    }
    ready(&best);
    best
}

/// Runs `job(w)` for every worker `w` (worker 0 on this thread, whose schedule goes to
/// `first_done` before the others are waited for) and returns the lowest objective; the
/// lowest worker wins a tie, so the choice does not depend on which finished first.
fn race<'a>(
    workers: usize,
    job: impl Fn(usize) -> State<'a> + Sync,
    first_done: impl FnOnce(&State<'a>),
) -> State<'a> {
    std::thread::scope(|scope| {
        let job = &job;
        let others: Vec<_> = (1..workers).map(|w| scope.spawn(move || job(w))).collect();
        let mut best = job(0);
        first_done(&best);
        for other in others {
            let state = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            if state.objective() < best.objective() {
                best = state;
            }
        }
        best
    })
}

/// Seeds of the other workers: far apart from `seed + 1`, which the bench uses as
/// another run's seed.
fn worker_seed(seed: u64, worker: usize) -> u64 {
    seed ^ (worker as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Annealing, polish, then pair trades: one descent, or iterated until `until`.
fn improve<'a>(
    mut state: State<'a>,
    plan: &Plan,
    strategy: Strategy,
    seed: u64,
    until: Instant,
    progress: &Progress,
) -> State<'a> {
    if strategy.anneal {
        // A fixed number of steps per round (reproducible) within a share of the time.
        let (least, most) = plan::ANNEAL_STEPS;
        let steps = (plan.binaries as u64 * plan::ANNEAL_STEPS_PER_BINARY).clamp(least, most);
        progress.stage("annealing");
        anneal::anneal(&mut state, steps, seed, plan.at(plan.anneal_share()));
        progress.reached("annealing", state.objective(), || state.assignment());
    }
    local::polish(&mut state, plan.for_share(plan::DESCENT_SHARE));
    progress.reached("polish", state.objective(), || state.assignment());
    progress.stage("trading shifts between pairs");
    if strategy.iterate {
        // Iterated pair trades found far more than LNS per second on the largest teams,
        // and than one descent and HiGHS's tree on mid-size ones (`plan::MID_TRADES_END`)
        // and on some large ones (`plan::LARGE_TRADES_END`).
        exchange::iterated(&mut state, seed, until);
    } else {
        // One descent: LNS and the whole MILP (or, on large teams, the bound beside the
        // searches) make better use of the rest.
        exchange::exchange(&mut state, plan.for_share(plan::DESCENT_SHARE));
    }
    progress.reached("pair trades", state.objective(), || state.assignment());
    state
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::problem::Problem;
    use crate::solver::index::{Index, Rules};
    use crate::solver::plan::Tier;
    use crate::solver::start::greedy;
    use crate::testkit::hours as testkit;

    /// `members` people (some part-time) on `shifts` back-to-back 12-hour shifts whose
    /// points vary: loads in whole shifts that trades have to even out.
    fn varied(members: usize, shifts: i64) -> Problem {
        let shifts: Vec<(usize, i64, i64)> = (0..shifts)
            .map(|d| (0, d * 12, [4, 12, 20, 8][d as usize % 4]))
            .collect();
        let mut problem = testkit::problem(members, &shifts, ConfigRules::default());
        problem.capacity = (0..members)
            .map(|m| [1.0, 0.5, 1.0, 0.8, 1.0, 0.6][m % 6])
            .collect();
        problem
    }

    /// The search's objective is the schedule's exact one, below `before`, and the
    /// schedule keeps the rules.
    fn assert_sound(problem: &Problem, best: &State, before: f64) {
        let assignment = best.assignment();
        let exact = crate::problem::evaluate::evaluate(problem, &assignment, None).objective;
        assert!((best.objective() - exact).abs() < 1e-9);
        assert!(exact < before, "{exact} vs {before}");
        assert!(crate::problem::rules::check(problem, &assignment, None).is_empty());
    }

    #[test]
    fn more_workers_never_end_worse_and_keep_the_rules() {
        let problem = testkit::evenly(6, 40, 12, 12);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let start = greedy(&problem, &index).expect("feasible");
        let binaries = index.cand.iter().map(Vec::len).sum();
        let plan = |workers| Plan::of_tier(Tier::Small, binaries, Duration::from_secs(2), workers);
        let progress = Progress::quiet(Instant::now());
        let fair = start.clone();
        let one = search(start.clone(), Some(&fair), &plan(1), 7, &progress, |_| {});
        let three = search(start, Some(&fair), &plan(3), 7, &progress, |_| {});
        assert!(three.objective() <= one.objective() + 1e-9);
        let assignment = three.assignment();
        assert!(crate::problem::rules::check(&problem, &assignment, None).is_empty());
    }

    /// Searches `problem` from its fair greedy under the plan `plan(binaries)` makes and
    /// checks the result (`assert_sound`): what `ready` got, and the result's objective.
    fn searched(problem: &Problem, seed: u64, plan: impl Fn(usize) -> Plan) -> (Vec<f64>, f64) {
        let index = Index::new(problem, None, Rules::of(problem));
        let start = greedy(problem, &index).expect("feasible");
        let plan = plan(index.cand.iter().map(Vec::len).sum());
        let progress = Progress::quiet(Instant::now());
        let mut ready = Vec::new();
        let best = search(start.clone(), Some(&start), &plan, seed, &progress, |s| {
            ready.push(s.objective())
        });
        assert_sound(problem, &best, start.objective());
        (ready, best.objective())
    }

    #[test]
    fn searches_that_meet_go_on_from_the_best_and_keep_the_rules() {
        // Treated as one of the largest teams: iterated trades with meetings.
        let problem = varied(6, 40);
        let limit = Duration::from_millis(600);
        let largest = |binaries| Plan::of_tier(Tier::Largest, binaries, limit, 2);
        // A mid-size team's trades end sooner, and its searches meet at the same fractions.
        let mid = |binaries| Plan {
            trades: Trades::Iterated(plan::MID_TRADES_END),
            ..Plan::of_tier(Tier::Small, binaries, limit, 2)
        };
        for (ready, best) in [searched(&problem, 3, largest), searched(&problem, 3, mid)] {
            // Handed over once the searches have met for the last time: the best.
            assert_eq!(ready, [best]);
        }
    }

    #[test]
    fn mixed_trades_hand_over_the_first_search_and_keep_the_better() {
        let problem = varied(7, 60);
        let limit = Duration::from_millis(600);
        for workers in [1, 2] {
            let (ready, best) = searched(&problem, 5, |binaries| {
                let plan = Plan::of_tier(Tier::Large, binaries, limit, workers);
                assert!(matches!(plan.trades, Trades::Mixed(_)));
                plan
            });
            // The first search's schedule, handed over once; the better of the two wins.
            assert_eq!(ready.len(), 1);
            assert!(best <= ready[0] + 1e-9);
            if workers == 1 {
                assert_eq!(ready[0], best);
            }
        }
    }
}
