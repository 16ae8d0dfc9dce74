//! Which stages run for a team, for how long and with how much work: decided once, from
//! the team's size and weights, before the first stage.
//!
//! Every size gate, time share and state budget of the solver is here, each with the
//! reason it has that value; `docs/performance.md` has the measurements behind them. What
//! stays in a stage's own file is the shape of its algorithm (tolerances, encodings),
//! not how much of the machine it may use.

use std::time::{Duration, Instant};

use super::SolveOptions;
use super::index::Index;
use crate::problem::Problem;

// ---------------------------------------------------------------------------------
// Tiers: which stages a team gets, by its (shift, member) pairs ("binaries").

/// The smallest teams: proofs there wait on a partition question HiGHS's LP bound
/// cannot see, so the exact program, the Lagrangian bound and the fairness floor run.
pub(crate) const SMALLEST_BINARIES: usize = 400;
/// Most members for every stage that works per member or per load vector (the exact
/// program, the Lagrangian bound, the fairness floor, the MILP's fairness budget): its
/// states grow as loads^members, and larger teams are proven by HiGHS as they are.
pub(crate) const SMALL_TEAM: usize = 8;
/// Most binaries of a whole MILP that gets integer shift counts and runs without
/// HiGHS's neighbourhood heuristics: there the tree is short and the count rows prove,
/// while on larger models they stall the root.
pub(crate) const SMALL_MODEL_BINARIES: usize = 800;
/// Above this, LNS improves the portfolio's schedule before the whole MILP: the MILP
/// alone no longer makes progress within the limit.
pub(crate) const LARGE_BINARIES: usize = 2500;
/// Above this, no whole MILP at all: its root LP alone can outlast the limit, so LNS
/// keeps the time and the bound comes without LP.
pub(crate) const LARGEST_BINARIES: usize = 12_000;

// ---------------------------------------------------------------------------------
// Time: shares of the limit (or of the time left) each stage may take.

/// The greedy starts and their polish: a quarter at most, the searches need the rest.
pub(crate) const START_SHARE: f64 = 0.25;
/// Annealing on the largest teams: a little, as pair trades find more per second there.
pub(crate) const ANNEAL_SHARE_LARGEST: f64 = 0.05;
/// Annealing on large teams (LNS follows): more, its rounds are long.
pub(crate) const ANNEAL_SHARE_LARGE: f64 = 0.2;
/// Annealing elsewhere: the whole MILP makes better use of the rest.
pub(crate) const ANNEAL_SHARE: f64 = 0.1;
/// Each of the portfolio's polish and single descent of pair trades: enough to reach a
/// local optimum, not so much that LNS and the MILP starve.
pub(crate) const DESCENT_SHARE: f64 = 0.1;
/// Where the searches on the largest teams meet and go on from the best so far, so a
/// second core does not keep spending its time on a strategy that lost.
pub(crate) const MEETINGS: [f64; 2] = [0.3, 0.6];
/// Where iterated pair trades end on the largest teams (LNS has the rest).
pub(crate) const TRADES_END: f64 = 0.9;
/// ... and on small-tier teams of more than [`SMALL_TEAM`] people above
/// [`SMALL_MODEL_BINARIES`] (the whole MILP has the rest): there one descent left the
/// schedule to its start's luck, and HiGHS's tree did not get it out.
pub(crate) const MID_TRADES_END: f64 = 0.4;
/// ... but no more than this many seconds: the trades settle within a few seconds there,
/// and the MILP's bound needs the rest of a long limit.
pub(crate) const MID_TRADES_MAX_SECONDS: f64 = 4.0;
/// Where the large tier's second search (iterated pair trades, beside the first's
/// annealed descent) ends, and LNS goes on from the better: where the trades win they
/// are still improving well into the first half of the limit, and LNS adds little after
/// either.
pub(crate) const LARGE_TRADES_END: f64 = 0.4;
/// ... but no more than this many seconds: they settle within a few seconds, and the
/// whole MILP keeps its share of a long limit.
pub(crate) const LARGE_TRADES_MAX_SECONDS: f64 = 4.0;
/// Where LNS hands over to the whole MILP on large teams: the MILP's bound needs the
/// rest.
pub(crate) const LNS_SHARE: f64 = 0.6;
/// Seconds per LNS neighbourhood: improvements come early, proofs of mixed ones rarely.
pub(crate) const LNS_NEIGHBOURHOOD_SECONDS: f64 = 0.7;
/// The fairness floor's relaxation, of the time left: its search over counts answers in
/// milliseconds, HiGHS (where it declines) in a fraction of a second.
pub(crate) const FLOOR_SHARE: f64 = 0.4;
/// The Lagrangian bound, of the time left: its proofs are quick, and where it proves
/// nothing it still hands the MILP a better start or settled pairs.
pub(crate) const LAGRANGE_SHARE: f64 = 0.2;
/// The Lagrangian bound at most, whatever the limit: where it converges slowly HiGHS
/// proves sooner.
pub(crate) const LAGRANGE_MAX_SECONDS: f64 = 0.3;
/// The bound's price rounds, of its time; settling pairs gets the rest.
pub(crate) const LAGRANGE_ROUNDS_SHARE: f64 = 2.0 / 3.0;
/// The floors per pool total, of the bound's time: the bound runs only where they
/// answer, so a search cut short leaves the rounds nothing to do.
pub(crate) const BY_TOTAL_SHARE: f64 = 2.0 / 3.0;
/// Polishing one schedule repaired from the priced members: short, there are many.
pub(crate) const LAGRANGE_POLISH: Duration = Duration::from_millis(3);
/// Re-optimising pairs of members after the bound, of the time left: a pass over the
/// few pairs of a small team takes milliseconds.
pub(crate) const PAIRS_SHARE: f64 = 0.1;
/// ... and at most this, whatever the limit.
pub(crate) const PAIRS_MAX_SECONDS: f64 = 0.1;
/// The LP-free bounds' search over load levels (`milp::bounds`), of the time left (of a
/// MILP's own limit when it builds their rows): a refinement of a bound, while the
/// searches and HiGHS need the time; on a long period it could take longer than both.
pub(crate) const BOUNDS_SHARE: f64 = 0.25;
/// The whole MILP's share of the time left, less [`MILP_READBACK_SECONDS`]: headroom
/// for reading the solution back and evaluating it.
pub(crate) const MILP_SHARE: f64 = 0.98;
pub(crate) const MILP_READBACK_SECONDS: f64 = 0.02;
/// Seconds per nonzero of a whole model that HiGHS spends in presolve and in its setup
/// before it first reads its clock: with less time left than this, a whole MILP would
/// only overrun the limit, so it does not run (`docs/performance.md` has the overruns
/// this prevents).
pub(crate) const HIGHS_SETUP_SECONDS: f64 = 6e-6;
/// ... and with probing, the presolve step that reads the clock least often: with less
/// time left than this per nonzero, presolve goes without it.
pub(crate) const HIGHS_PROBING_SECONDS: f64 = 40e-6;
/// The infeasibility diagnosis gets at least this long, past the limit if need be: a
/// run that ends in "no schedule" owes the user the reason.
pub(crate) const DIAGNOSE_SECONDS: u64 = 10;
/// One of its probes (a feasibility solve with a rule relaxed) at most, so that every
/// rule gets its turn.
pub(crate) const DIAGNOSE_PROBE_SECONDS: f64 = 5.0;
/// Most rows of the elastic re-solve (`elastic.rs`): building a model is not timed, and
/// a team of hundreds over years with a rest rule would have millions of rest rows; past
/// this the diagnosis names the rules without the members and weeks.
pub(crate) const ELASTIC_MAX_ROWS: usize = 200_000;

// ---------------------------------------------------------------------------------
// Work: counts of states and steps, not times, so that a verdict does not depend on the
// machine's pace.

/// States in all before the exact program gives up: about 2.5 s and 220 MiB, well past
/// what the smallest teams it proves need.
pub(crate) const EXACT_STATES: usize = 4_000_000;
/// With one core the program runs before HiGHS instead of beside it, on this share of
/// the states.
pub(crate) const EXACT_ONE_CORE_DIVISOR: usize = 8;
/// States after one step of the exact program: a million is about 216 MiB resident.
pub(crate) const EXACT_LAYER_STATES: usize = 1_000_000;
/// Ways to fill one shift's seats before the exact program declines the team: a
/// step costs states times these.
pub(crate) const EXACT_SEAT_CHOICES: usize = 4096;
/// A run under a cap below the incumbent may spend at most 1/this of the budget: the
/// caps below it should cost little next to the incumbent's own run.
pub(crate) const RISING_BUDGET_DIVISOR: usize = 64;
/// States of one pair's exact program (`pairs`).
pub(crate) const PAIR_STATES: usize = 200_000;
/// States of one member's program at one step of the Lagrangian bound.
pub(crate) const MEMBER_STATES: usize = 50_000;
/// Price updates of the Lagrangian bound before it gives up.
pub(crate) const LAGRANGE_ROUNDS: usize = 400;
/// Rounds without a better bound before the subgradient step halves.
pub(crate) const LAGRANGE_PATIENCE: usize = 8;
/// The step, relative to the first, at which the bound has stalled.
pub(crate) const LAGRANGE_MIN_STEP: f64 = 1.0 / 64.0;
/// A repair of the priced members' schedules every this many rounds.
pub(crate) const REPAIR_EVERY: usize = 4;
/// The bound for teams of any size (`bound`): rounds without a better bound before its
/// step halves. Its rounds are noisy (the loads the members choose jump between
/// rounds), so it waits longer than the smallest teams' bound does.
pub(crate) const BOUND_PATIENCE: usize = 20;
/// ... and the step, relative to the first, at which it has stalled.
pub(crate) const BOUND_MIN_STEP: f64 = 1e-4;
/// Its steps aim this far (relative) above the best bound so far, not at the incumbent:
/// far above the bound, the incumbent overshoots every step.
pub(crate) const BOUND_TARGET_ABOVE: f64 = 0.3;
/// The counted model's share of the bounds' time beside the searches, after which it
/// keeps the rest only while its bound is at least `COUNTED_OVER_FLOOR` times the
/// LP-free floor: where shifts are worth much the same to everyone its root proves most
/// and its tree still adds, while where points differ by zone its bound stays near the
/// floor and the Lagrangian relaxation after it proves more.
pub(crate) const COUNTED_SHARE: f64 = 1.0 / 3.0;
pub(crate) const COUNTED_OVER_FLOOR: f64 = 1.5;
/// The counted model bounds the imbalance apart from the rest of the objective; the
/// rest first, with at most this share of its time: its root proves most of it.
pub(crate) const COUNTED_REST_SHARE: f64 = 0.5;
/// ... when it has at least this many seconds: with less, both roots do not finish,
/// and the whole objective's root alone proves more.
pub(crate) const COUNTED_SPLIT_SECONDS: f64 = 2.0;
/// Its model's size at most (nonzeros), and the time it needs at least per nonzero:
/// HiGHS reads its clock seldom at the root, and on larger models, or asked for less,
/// it overran by a second and more; within both, by less than the Lagrangian
/// relaxation after it absorbs (docs/performance.md).
pub(crate) const COUNTED_MAX_NONZEROS: f64 = 20_000.0;
pub(crate) const COUNTED_SECONDS_PER_NONZERO: f64 = 1.5e-5;
/// Load levels one member's program tracks at most.
pub(crate) const BOUND_LEVELS: usize = 4096;
/// Bytes of all members' tables at most: the bound runs beside the searches, which
/// need their memory too.
pub(crate) const BOUND_TABLE_BYTES: usize = 1 << 30;
/// Its fairness centre: intervals narrower than this are not split, and how many are
/// evaluated at most per round.
pub(crate) const BOUND_CENTRE_RESOLUTION: f64 = 1e-3;
pub(crate) const BOUND_CENTRE_EVALUATIONS: usize = 400;
/// Target load vectors the guide hands the exact program before it is given up.
pub(crate) const GUIDE_TARGETS: usize = 4096;
/// Steps and levels of the enumeration of fairness levels (the Lagrangian bound's
/// lattice) before it is given up: a small month has a hundred or so.
pub(crate) const LATTICE_NODES: usize = 2_000_000;
pub(crate) const LATTICE_LEVELS: usize = 10_000;
/// Memo entries of the search over counts (`split_floor`) before HiGHS's floor is used.
pub(crate) const SPLIT_STATES: usize = 400_000;
/// Pool totals it searches one by one, and partial sums while finding them.
pub(crate) const SPLIT_TOTALS: usize = 64;
pub(crate) const SPLIT_SUMS: usize = 4096;
/// Windows over all totals: more take longer than HiGHS takes for the floor.
pub(crate) const SPLIT_WINDOWS: usize = 1000;
/// States for one look at whether anything fits a widest window.
pub(crate) const SPLIT_FITS_STATES: usize = 2_000;
/// Units of a member's subset-sum table of load levels (`bounds`), and word operations
/// to fill it, before a plain grid stands in.
pub(crate) const LEVEL_UNITS: usize = 1 << 20;
pub(crate) const LEVEL_WORK: usize = 1 << 22;
/// Breakpoints × members of the joint imbalance bound.
pub(crate) const JOINT_BREAKPOINTS: usize = 400_000;
/// Intervals of the total load the LP-free load floor bounds one by one.
pub(crate) const LOAD_FLOOR_STEPS: usize = 512;

// ---------------------------------------------------------------------------------
// Search effort.

/// Annealing rounds, each from the best so far with its own stream: four shorter rounds
/// ended lower than one long one, and more than four no lower.
pub(crate) const ANNEAL_ROUNDS: u64 = 4;
/// Annealing steps per binary and round, and the least and most per round.
pub(crate) const ANNEAL_STEPS_PER_BINARY: u64 = 200;
pub(crate) const ANNEAL_STEPS: (u64, u64) = (10_000, 10_000_000);
/// Members at each end of the normalized range whose three-way cycles are tried.
pub(crate) const CYCLE_ENDS: usize = 2;
/// Free binaries of an LNS neighbourhood to start with (then grown while they solve
/// quickly, shrunk while they time out, within these bounds).
pub(crate) const LNS_START_SIZE: f64 = 400.0;
pub(crate) const LNS_SIZES: (f64, f64) = (50.0, 20_000.0);
/// The fairness floor's row goes in the whole MILP when at least this share of it is
/// more than the imbalance row states: a row that says little only slows the proof.
pub(crate) const FLOOR_NEWS: f64 = 0.25;

/// The tiers of team size, smallest first (see the module doc of `solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// At most [`SMALLEST_BINARIES`]: the exact program beside HiGHS.
    Smallest,
    /// At most [`LARGE_BINARIES`]: the portfolio, then the whole MILP.
    Small,
    /// At most [`LARGEST_BINARIES`]: the portfolio, LNS, then the whole MILP.
    Large,
    /// The portfolio with iterated trades, then LNS to the end.
    Largest,
}

impl Tier {
    fn of(binaries: usize) -> Tier {
        if binaries <= SMALLEST_BINARIES {
            Tier::Smallest
        } else if binaries <= LARGE_BINARIES {
            Tier::Small
        } else if binaries <= LARGEST_BINARIES {
            Tier::Large
        } else {
            Tier::Largest
        }
    }

    /// How the tier's searches trade shifts within `limit` (mid-size teams of the small
    /// tier iterate too, see [`Plan::new`]).
    fn trades(self, limit: Duration) -> Trades {
        match self {
            Tier::Largest => Trades::Iterated(TRADES_END),
            Tier::Large => {
                Trades::Mixed(LARGE_TRADES_END.min(share_of(LARGE_TRADES_MAX_SECONDS, limit)))
            }
            Tier::Smallest | Tier::Small => Trades::Descent,
        }
    }
}

/// `seconds` as a share of `limit`.
fn share_of(seconds: f64, limit: Duration) -> f64 {
    seconds / limit.as_secs_f64().max(1e-9)
}

/// How the portfolio's searches trade shifts between pairs after their start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Trades {
    /// One descent each: the whole MILP makes better use of the rest.
    Descent,
    /// Every search iterates its trades until this share of the limit, and they meet on
    /// the way ([`MEETINGS`]).
    Iterated(f64),
    /// The first search anneals and descends once, the second iterates its trades until
    /// this share of the limit without annealing, and the better goes on: which of the
    /// two ends lower depends on the team, not on its size, and only the second takes
    /// the time.
    Mixed(f64),
}

impl Trades {
    /// Where the iterated trades end, if any search iterates them.
    pub fn end(self) -> Option<f64> {
        match self {
            Trades::Descent => None,
            Trades::Iterated(end) | Trades::Mixed(end) => Some(end),
        }
    }
}

/// One solve's plan: its tier, which of the smallest teams' stages apply, and its clock.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub started: Instant,
    pub limit: Duration,
    /// (shift, member) pairs open to the search.
    pub binaries: usize,
    pub tier: Tier,
    /// Heuristic searches run side by side (one per thread).
    pub workers: usize,
    /// The exact program runs: the smallest teams of at most [`SMALL_TEAM`] people.
    pub exact: bool,
    /// The fairness floor is looked for first.
    pub fair_floor: bool,
    /// The Lagrangian bound (and the pairs after it) runs.
    pub lagrange: bool,
    /// The bound for teams of any size runs on the second core, beside LNS and the
    /// whole MILP (which use one).
    pub beside_bound: bool,
    /// How the portfolio's searches trade shifts.
    pub trades: Trades,
}

impl Plan {
    pub fn new(problem: &Problem, index: &Index, options: &SolveOptions, started: Instant) -> Plan {
        let binaries: usize = index.cand.iter().map(Vec::len).sum();
        let workers = options.threads.max(1) as usize;
        let mut plan = Plan::sized(binaries, options.time_limit, workers, started);
        let smallest = plan.tier == Tier::Smallest && index.members <= SMALL_TEAM;
        let w = problem.objective;
        let fair = index.in_fairness.iter().any(|&f| f);
        plan.exact = smallest;
        // Weights for which the fairness terms of the model are the terms themselves.
        plan.fair_floor = smallest
            && w.imbalance >= 0.0
            && w.deviation >= 0.0
            && w.imbalance + w.deviation > 0.0
            && fair;
        // Weights under which the fairness terms are what the incumbent leaves above the
        // cheapest seats.
        plan.lagrange = smallest
            && index.shifts > 0
            && w.imbalance > 0.0
            && w.deviation >= 0.0
            && w.others_nonnegative()
            && fair;
        // Mid-size teams iterate their trades too, for a few seconds at most.
        if plan.tier == Tier::Small && index.members > SMALL_TEAM && binaries > SMALL_MODEL_BINARIES
        {
            let most = share_of(MID_TRADES_MAX_SECONDS, options.time_limit);
            plan.trades = Trades::Iterated(MID_TRADES_END.min(most));
        }
        // LNS and the whole MILP leave a core free; the smallest teams have their own
        // bound, and small ones are proven by HiGHS before long.
        plan.beside_bound = index.members > SMALL_TEAM
            && matches!(plan.tier, Tier::Large | Tier::Largest)
            && workers >= 2
            && w.imbalance >= 0.0
            && w.deviation >= 0.0
            && w.imbalance + w.deviation > 0.0
            && w.others_nonnegative()
            && fair;
        plan
    }

    /// The tier of `binaries`, none of the smallest teams' stages.
    fn sized(binaries: usize, limit: Duration, workers: usize, started: Instant) -> Plan {
        Plan {
            started,
            limit,
            binaries,
            tier: Tier::of(binaries),
            workers,
            exact: false,
            fair_floor: false,
            lagrange: false,
            beside_bound: false,
            trades: Tier::of(binaries).trades(limit),
        }
    }

    /// The plan of a default solve, for the stages' own tests.
    #[cfg(test)]
    pub fn of_problem(problem: &Problem, index: &Index) -> Plan {
        Plan::new(problem, index, &SolveOptions::default(), Instant::now())
    }

    /// A plan of `tier` for the searches' own tests.
    #[cfg(test)]
    pub fn of_tier(tier: Tier, binaries: usize, limit: Duration, workers: usize) -> Plan {
        Plan {
            tier,
            trades: tier.trades(limit),
            ..Plan::sized(binaries, limit, workers, Instant::now())
        }
    }

    /// The moment `share` of the limit has passed.
    pub fn at(&self, share: f64) -> Instant {
        self.started + self.limit.mul_f64(share)
    }

    pub fn deadline(&self) -> Instant {
        self.started + self.limit
    }

    /// `share` of the limit from now, but not past the deadline.
    pub fn for_share(&self, share: f64) -> Instant {
        (Instant::now() + self.limit.mul_f64(share)).min(self.deadline())
    }

    /// Seconds left until the deadline.
    pub fn left(&self) -> f64 {
        self.deadline()
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }

    /// The whole MILP runs (every tier but the largest).
    pub fn whole_milp(&self) -> bool {
        self.tier != Tier::Largest
    }

    /// LNS runs, and until when.
    pub fn lns_until(&self) -> Option<Instant> {
        match self.tier {
            Tier::Smallest | Tier::Small => None,
            Tier::Large => Some(self.at(LNS_SHARE)),
            Tier::Largest => Some(self.deadline()),
        }
    }

    /// The portfolio's share of the limit for annealing.
    pub fn anneal_share(&self) -> f64 {
        match self.tier {
            Tier::Largest => ANNEAL_SHARE_LARGEST,
            Tier::Large => ANNEAL_SHARE_LARGE,
            Tier::Smallest | Tier::Small => ANNEAL_SHARE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    fn plan_of(members: usize, days: i64, options: &SolveOptions) -> Plan {
        let problem = testkit::evenly(members, days, 24, 24);
        let index = Index::new(&problem, None, Rules::of(&problem));
        Plan::new(&problem, &index, options, Instant::now())
    }

    #[test]
    fn tiers_follow_the_binaries_at_their_gates() {
        for (binaries, tier) in [
            (SMALLEST_BINARIES, Tier::Smallest),
            (SMALLEST_BINARIES + 1, Tier::Small),
            (LARGE_BINARIES, Tier::Small),
            (LARGE_BINARIES + 1, Tier::Large),
            (LARGEST_BINARIES, Tier::Large),
            (LARGEST_BINARIES + 1, Tier::Largest),
        ] {
            assert_eq!(Tier::of(binaries), tier, "{binaries}");
        }
    }

    #[test]
    fn the_smallest_stages_need_a_small_team_and_not_only_few_pairs() {
        let options = SolveOptions::default();
        let four = plan_of(4, 31, &options);
        assert_eq!(four.tier, Tier::Smallest);
        assert!(four.exact && four.fair_floor && four.lagrange);
        // Nine people on a short month: few pairs, but too many members.
        let nine = plan_of(SMALL_TEAM + 1, 10, &options);
        assert_eq!(nine.tier, Tier::Smallest);
        assert!(!nine.exact && !nine.fair_floor && !nine.lagrange);
        assert!(nine.whole_milp() && nine.lns_until().is_none());
    }

    #[test]
    fn trades_follow_the_tier_the_team_and_the_limit() {
        let options = SolveOptions::default();
        // Eight people over a quarter: above the small model, but a small team.
        let eight = plan_of(SMALL_TEAM, 110, &options);
        assert!(eight.binaries > SMALL_MODEL_BINARIES && eight.tier != Tier::Smallest);
        assert_eq!(eight.trades, Trades::Descent);
        // Nine people on a short month: a small model.
        let short = plan_of(SMALL_TEAM + 1, 60, &options);
        assert!(short.binaries <= SMALL_MODEL_BINARIES);
        assert_eq!(short.trades, Trades::Descent);
        // Nine people over a quarter: iterated until the mid-size share.
        let nine = plan_of(SMALL_TEAM + 1, 100, &options);
        assert!(nine.binaries > SMALL_MODEL_BINARIES && nine.tier == Tier::Small);
        assert_eq!(nine.trades, Trades::Iterated(MID_TRADES_END));
        // ... for a few seconds at most.
        let long = SolveOptions {
            time_limit: Duration::from_secs(60),
            ..SolveOptions::default()
        };
        let nine_long = plan_of(SMALL_TEAM + 1, 100, &long);
        assert_eq!(
            nine_long.trades,
            Trades::Iterated(MID_TRADES_MAX_SECONDS / 60.0)
        );
        // Large teams: one search descends once, the other iterates beside it, for a few
        // seconds at most.
        let days = (LARGE_BINARIES / (SMALL_TEAM + 1) + 10) as i64;
        let large = plan_of(SMALL_TEAM + 1, days, &options);
        assert_eq!(large.tier, Tier::Large);
        assert_eq!(large.trades, Trades::Mixed(LARGE_TRADES_END));
        assert_eq!(
            plan_of(SMALL_TEAM + 1, days, &long).trades,
            Trades::Mixed(LARGE_TRADES_MAX_SECONDS / 60.0)
        );
        let largest = Plan::of_tier(Tier::Largest, LARGEST_BINARIES + 1, options.time_limit, 2);
        assert_eq!(largest.trades, Trades::Iterated(TRADES_END));
        assert_eq!(Trades::Descent.end(), None);
    }

    #[test]
    fn only_large_teams_run_lns_and_only_the_largest_skip_the_whole_milp() {
        let limit = Duration::from_secs(10);
        let large = Plan::of_tier(Tier::Large, LARGE_BINARIES + 1, limit, 1);
        assert_eq!(large.lns_until(), Some(large.at(LNS_SHARE)));
        assert!(large.whole_milp());
        let largest = Plan::of_tier(Tier::Largest, LARGEST_BINARIES + 1, limit, 1);
        assert_eq!(largest.lns_until(), Some(largest.deadline()));
        assert!(!largest.whole_milp());
    }
}
