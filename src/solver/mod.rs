//! The only module that talks to good_lp/HiGHS: turns a [`Problem`] into an
//! [`Assignment`] as fair as the rules allow, with an honest bound and gap.
//!
//! # Strategy
//!
//! Heuristics find schedules; bounds and exact methods prove them. Which stages run is
//! decided once, by `plan`, from the team's (shift, member) pairs ("binaries") and its
//! size; `docs/solver.md` says more, and `docs/performance.md` has the measurements.
//!
//! | stage (file) | smallest: ≤ 400 binaries, ≤ 8 people | small: ≤ 2 500 | large: ≤ 12 000 | largest | why |
//! |---|---|---|---|---|---|
//! | pre-check (`precheck`) | ✓ | ✓ | ✓ | ✓ | names a shift nobody can take before any search |
//! | greedy starts + polish (`start`) | ✓ | ✓ | ✓ | ✓ | a valid schedule at once; the fair greedy is the floor every answer matches |
//! | portfolio: annealing, pair trades, cycles (`search`) | ✓ | ✓ | annealed descent beside iterated trades | iterated trades, searches meet | finds good schedules fast, one search per core |
//! | LNS: HiGHS on neighbourhoods (`search::lns`) | – | – | to 60 % of the limit | to the end | the whole MILP makes no progress there in time |
//! | fairness floor (`small::fair_floor`, `small::split_floor`) | ✓ | – | – | – | the partition question HiGHS's LP bound cannot see |
//! | Lagrangian bound, then pairs (`small::lagrange`, `small::pairs`) | ✓ | – | – | – | proves many small months outright, or settles pairs and guides the exact program |
//! | whole MILP, warm-started (`milp`) | ✓ | ✓ | ✓ | – | the bound (and often the proof) on every team it fits |
//! | exact dynamic program (`small::exact`) | ✓, beside HiGHS | – | – | – | a verdict by count of states, not by clock |
//! | LP-free bound (`milp::bounds`) | ✓ | ✓ | ✓ | ✓ | a bound even where no LP runs |
//! | bound for any size (`bound`) | – | – | more than 8 people, beside LNS and the MILP | more than 8 people, beside LNS | fairness bounded where no LP runs, on the core the searches leave free |
//! | diagnosis (`diagnose`) | when no schedule exists | | | | names the rules that would have to give |
//!
//! A team of at most 400 binaries but more than 8 people gets the small column: its
//! loads alone outgrow the exact methods' states, and HiGHS proves it as it is. The whole
//! MILP of at most 800 binaries also gets integer shift counts and runs without HiGHS's
//! neighbourhood heuristics (`plan::SMALL_MODEL_BINARIES`). Small-column teams of more
//! than 8 people above those 800 binaries run the largest column's portfolio (iterated
//! trades, the searches meeting) until `plan::MID_TRADES_END`, then the whole MILP.
//!
//! # Layout
//!
//! - `pipeline`: `solve` as its stages; `plan`: tiers, time shares and budgets.
//! - `index`: facts every stage shares; `state` and `spread`: the objective kept up
//!   to date move by move; `objective`: where the objective is encoded, and the test
//!   that keeps the encodings in step with `evaluate`.
//! - `start`, `search`, `milp`, `small`, `bound`: the stages; `symmetry`: members the
//!   rules cannot tell apart (for the MILP and the exact program).
//! - `precheck`, `diagnose`: why no schedule exists; `progress`: what the user is told while it runs.
//! - For a re-solve (`commands::resolve`): `lost_seats` and `kept_repair` (what an edit
//!   forces) and `improved_within` (the repair improved under a move budget).

mod bound;
mod deadline;
mod diagnose;
mod elastic;
mod index;
mod milp;
mod objective;
mod pipeline;
mod plan;
mod precheck;
mod progress;
mod search;
mod small;
mod spread;
mod start;
mod state;
mod symmetry;

use std::time::Duration;

use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
pub use elastic::{Relaxation, Rule};
use index::{Index, Rules};
pub use pipeline::solve;
pub use progress::{BestSoFar, ProgressEvent, ProgressSink};

/// Per shift, how many seats of `previous` a re-solve cannot keep (see
/// `start::lost_seats`): the moves an edit forces, before any optimisation.
pub fn lost_seats(problem: &Problem, previous: &Previous) -> Vec<u32> {
    let index = Index::new(problem, Some(previous), Rules::of(problem));
    start::lost_seats(problem, &index)
}

/// The previous schedule kept wherever the rules still allow it, its lost seats filled
/// by the fair greedy (`start::from_previous`): a repair that moves only the lost seats,
/// `None` when the fill dead-ends (the rules then force more moves) or there is no
/// previous schedule.
pub fn kept_repair(problem: &Problem, previous: &Previous) -> Option<Assignment> {
    let index = Index::new(problem, Some(previous), Rules::of(problem));
    start::from_previous(problem, &index).map(|state| state.assignment())
}

/// `start` improved by the moves and swaps that pay most at `problem`'s churn price,
/// one at a time, while at most `max_moves` seats differ from `previous`
/// (`search::budget`): the improvement of a repair under a move budget.
pub fn improved_within(
    problem: &Problem,
    previous: &Previous,
    start: &Assignment,
    max_moves: u32,
    time: Duration,
) -> Assignment {
    let deadline = std::time::Instant::now() + time;
    let index = Index::new(problem, Some(previous), Rules::of(problem));
    let mut state = state::State::new(problem, &index);
    state.reset_to(&start.members);
    search::budget::improve_within(&mut state, i64::from(max_moves), deadline);
    state.assignment()
}

#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub time_limit: Duration,
    /// Relative MIP gap at which the solve stops as optimal.
    pub gap: f64,
    /// Cores to use: one heuristic search per thread (see `portfolio`). HiGHS itself
    /// always gets one: its tree search gained nothing from a second core here, and a
    /// 12-person proof took longer with two.
    pub threads: u32,
    /// Told the stage, the best schedule so far and the bound as they change (see
    /// [`ProgressEvent`]); `rota solve` draws them on a terminal.
    pub progress: Option<ProgressSink>,
    /// HiGHS's own log on stdout, for seeing where a proof stalls: every HiGHS run of
    /// the solve (LNS, the fairness floor, the whole MILP, the diagnosis) prints it.
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
            progress: None,
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

/// (objective − bound) / |objective|, never negative: how far a schedule may be from
/// the best, as a share of its own objective (for a finite bound).
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1e-9)).max(0.0)
}

impl Solution {
    /// `assignment` with its objective and a proven `bound` (−∞ when there is none):
    /// optimal when `optimal` says so, the gap computed one way for every caller.
    pub fn scored(
        assignment: Assignment,
        objective: f64,
        bound: f64,
        optimal: impl FnOnce(f64) -> bool,
        seconds: f64,
    ) -> Solution {
        let gap = if bound.is_finite() {
            relative_gap(objective, bound)
        } else {
            f64::INFINITY
        };
        Solution {
            assignment,
            status: if optimal(gap) {
                SolveStatus::Optimal
            } else {
                SolveStatus::Feasible
            },
            objective,
            bound,
            gap,
            seconds,
        }
    }
}

/// Why no schedule exists: the text a person reads, and the least relaxations that
/// would make one possible, each with its rule, member and week (for `--json`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagnosis {
    pub text: String,
    pub relaxations: Vec<Relaxation>,
}

impl std::fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The text, to read as a string.
impl std::ops::Deref for Diagnosis {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl From<String> for Diagnosis {
    fn from(text: String) -> Diagnosis {
        Diagnosis {
            text,
            relaxations: Vec::new(),
        }
    }
}

impl From<&str> for Diagnosis {
    fn from(text: &str) -> Diagnosis {
        Diagnosis::from(text.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// With a human-readable diagnosis.
    #[error("{0}")]
    Infeasible(Diagnosis),
    #[error("{0}")]
    NoSolution(String),
    #[error("{0}")]
    Internal(String),
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
    let (variables, constraints) = milp::model::size(problem, &index);
    ModelSize {
        variables,
        constraints,
    }
}

/// The counted bound alone, without the searches, for the bench's measurements of it.
#[cfg(feature = "bench")]
pub fn counted_bound_alone(problem: &Problem, seconds: f64) -> Option<f64> {
    let index = index::Index::new(problem, None, index::Rules::of(problem));
    let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let flag = std::sync::atomic::AtomicBool::new(false);
    let never = milp::watch::Stop {
        flag: &flag,
        review_at: until,
        keep_above: f64::NEG_INFINITY,
    };
    bound::aggregate::counted(problem, &index, f64::INFINITY, until, &never)
}
