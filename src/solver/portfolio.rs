//! The heuristic search after the start, run as a portfolio: one search per thread, each
//! with its own random streams; the best schedule wins.
//!
//! The workers alternate between two strategies whose measured strengths differ by
//! instance: from the best-fit greedy without annealing on the largest teams (150
//! people, 12-hour shifts: 33.8 k at 60 s against 38.5 k), and from the fair greedy with
//! annealing everywhere (10 people at 2 s: 39.8–40.0 k against 40.3–41.0 k; 80 people at
//! 10 s: 586.6–587.9 k against 589.6–594.9 k). With one thread only the first runs.

use std::time::{Duration, Instant};

use super::anneal;
use super::exchange;
use super::local;
use super::progress::Progress;
use super::state::State;

/// When the searches may run and how hard the instance is.
pub(crate) struct Plan {
    pub started: Instant,
    pub limit: Duration,
    /// (shift, member) pairs open to the search.
    pub binaries: usize,
    /// Above this many binaries the iterated pair trades take most of the time (the
    /// largest teams, where no whole MILP follows).
    pub largest: usize,
    /// Above this many, the mid-size share of annealing.
    pub large: usize,
}

impl Plan {
    fn at(&self, share: f64) -> Instant {
        self.started + self.limit.mul_f64(share)
    }

    fn deadline(&self) -> Instant {
        self.started + self.limit
    }
}

/// How a worker searches.
#[derive(Debug, Clone, Copy)]
struct Strategy {
    /// Start from the fair greedy instead of the primary start.
    from_fair: bool,
    /// Anneal the largest teams too.
    anneal_largest: bool,
}

/// Worker `w` follows `STRATEGIES[w % 2]`.
const STRATEGIES: [Strategy; 2] = [
    Strategy {
        from_fair: false,
        anneal_largest: false,
    },
    Strategy {
        from_fair: true,
        anneal_largest: true,
    },
];

/// Shares of the time limit at which the searches on the largest teams meet: every one
/// goes on with iterated trades from the best schedule so far, with its own random
/// stream, so a second core no longer spends its time on a strategy that lost.
const MEETINGS: [f64; 2] = [0.3, 0.6];
/// Where iterated trades end on the largest teams (LNS has the rest).
const TRADES_END: f64 = 0.9;

/// Runs `workers` searches (the first on this thread, with `seed` itself, so one worker
/// is the plain sequential search) from `primary` (best fit, or a re-solve's kept
/// schedule) or `fair`, and returns the best.
pub(crate) fn search<'a>(
    primary: State<'a>,
    fair: Option<&State<'a>>,
    plan: &Plan,
    seed: u64,
    workers: usize,
    progress: &Progress,
) -> State<'a> {
    let workers = workers.max(1);
    let largest = plan.binaries > plan.largest;
    let meet = largest && workers > 1;
    let first_until = plan.at(if meet { MEETINGS[0] } else { TRADES_END });
    let mut best = race(workers, |w| {
        let strategy = STRATEGIES[w % STRATEGIES.len()];
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
    });
    if meet {
        let ends = MEETINGS[1..].iter().chain([&TRADES_END]);
        for (round, &end) in ends.enumerate() {
            let from = &best;
            let round_seed = seed.wrapping_add((round as u64 + 1) << 32);
            best = race(workers, |w| {
                let mut state = from.clone();
                exchange::iterated(&mut state, worker_seed(round_seed, w), plan.at(end));
                progress.reached("iterated pair trades", state.objective());
                state
            });
        }
    }
    best
}

/// Runs `job(w)` for every worker `w` (worker 0 on this thread) and returns the lowest
/// objective; the lowest worker wins a tie, so the choice does not depend on which
/// finished first.
fn race<'a>(workers: usize, job: impl Fn(usize) -> State<'a> + Sync) -> State<'a> {
    std::thread::scope(|scope| {
        let job = &job;
        let others: Vec<_> = (1..workers).map(|w| scope.spawn(move || job(w))).collect();
        let mut best = job(0);
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

/// Annealing (mid-size teams), polish, then pair trades: one descent, or iterated until
/// `until` for the largest teams.
fn improve<'a>(
    mut state: State<'a>,
    plan: &Plan,
    strategy: Strategy,
    seed: u64,
    until: Instant,
    progress: &Progress,
) -> State<'a> {
    let largest = plan.binaries > plan.largest;
    if !largest || strategy.anneal_largest {
        // A fixed number of steps per round (reproducible) within a share of the time.
        let share = if largest {
            0.05
        } else if plan.binaries > plan.large {
            0.2
        } else {
            0.1
        };
        let steps = (plan.binaries as u64 * 200).clamp(10_000, 10_000_000);
        progress.stage("annealing");
        anneal::anneal(&mut state, steps, seed, plan.at(share));
        progress.reached("annealing", state.objective());
    }
    // On the 150-person bench team annealing drifts toward schedules with more points
    // in total (nights to those for whom they are nights), from which the trades end
    // 10–20 % worse than without it; on the 80-person scaling team it helps.
    local::polish(
        &mut state,
        (Instant::now() + plan.limit / 10).min(plan.deadline()),
    );
    progress.reached("polish", state.objective());
    progress.stage("trading shifts between pairs");
    if largest {
        // Iterated pair trades found far more than LNS per second on the largest teams
        // (150 people at 10 s: 39.9 k against 44.4 k), so they get most of the time.
        exchange::iterated(&mut state, seed, until);
    } else {
        // One descent: LNS and the whole MILP make better use of the rest.
        exchange::exchange(
            &mut state,
            (Instant::now() + plan.limit / 10).min(plan.deadline()),
        );
    }
    progress.reached("pair trades", state.objective());
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::solver::greedy::greedy;
    use crate::solver::index::{Index, Rules};
    use crate::testkit::hours as testkit;

    #[test]
    fn more_workers_never_end_worse_and_keep_the_rules() {
        let shifts: Vec<(usize, i64, i64)> = (0..40).map(|d| (0, d * 12, 12)).collect();
        let problem = testkit::problem(6, &shifts, ConfigRules::default());
        let index = Index::new(&problem, None, Rules::of(&problem));
        let start = greedy(&problem, &index).expect("feasible");
        let plan = Plan {
            started: Instant::now(),
            limit: Duration::from_secs(2),
            binaries: index.cand.iter().map(Vec::len).sum(),
            largest: usize::MAX,
            large: usize::MAX,
        };
        let progress = Progress::new(false, Instant::now());
        let fair = start.clone();
        let one = search(start.clone(), Some(&fair), &plan, 7, 1, &progress);
        let three = search(start, Some(&fair), &plan, 7, 3, &progress);
        assert!(three.objective() <= one.objective() + 1e-9);
        let assignment = three.assignment();
        assert!(crate::problem::rules::check(&problem, &assignment, None).is_empty());
    }

    #[test]
    fn searches_that_meet_go_on_from_the_best_and_keep_the_rules() {
        // Treated as one of the largest teams: iterated trades with meetings.
        let shifts: Vec<(usize, i64, i64)> = (0..40)
            .map(|d| (0, d * 12, [4, 12, 20, 8][d as usize % 4]))
            .collect();
        let mut problem = testkit::problem(6, &shifts, ConfigRules::default());
        problem.capacity = vec![1.0, 0.5, 1.0, 0.8, 1.0, 0.6];
        let index = Index::new(&problem, None, Rules::of(&problem));
        let start = greedy(&problem, &index).expect("feasible");
        let plan = Plan {
            started: Instant::now(),
            limit: Duration::from_millis(600),
            binaries: index.cand.iter().map(Vec::len).sum(),
            largest: 0,
            large: 0,
        };
        let progress = Progress::new(false, Instant::now());
        let before = start.objective();
        let best = search(start.clone(), Some(&start), &plan, 3, 2, &progress);
        let exact =
            crate::problem::evaluate::evaluate(&problem, &best.assignment(), None).objective;
        assert!((best.objective() - exact).abs() < 1e-9);
        assert!(exact < before, "{exact} vs {before}");
        assert!(crate::problem::rules::check(&problem, &best.assignment(), None).is_empty());
    }
}
