//! A lower bound for teams of any size: the Lagrangian relaxation of coverage.
//!
//! Every seat is priced instead of required. Members then no longer interact except
//! through the fairness terms, which only see final loads: each member's own schedule
//! is priced exactly by a dynamic program over their shifts (`member`, the pricing step
//! of column generation), and the fairness terms are paid on the final loads, one per
//! member, chosen together (`window`). Prices follow the subgradient (seats left empty
//! raise theirs, seats taken twice lower it), with Polyak's step towards a target a
//! little above the best bound so far.
//!
//! Every value the relaxation takes, at any prices, bounds every schedule better than
//! the incumbent: the programs and the choice of loads only ever leave things out
//! (see each module), so the answer is the best value reached, capped at the incumbent.
//!
//! The smallest teams have their own bound (`small::lagrange`), which also proves and
//! settles pairs; this one only bounds, and scales with members: a round is one program
//! per member and one sweep over their loads.

pub(crate) mod aggregate;
mod member;
mod window;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::problem::Problem;
use crate::solver::index::Index;
use crate::solver::milp::{bounds, watch};
use crate::solver::plan;
use member::Program;

/// The scale of the subgradient step, shared with the smallest teams' bound: it halves
/// after `patience` rounds in a row that do not raise the bound, since a step that
/// only makes the prices oscillate has to shrink before the bound can rise again.
pub(crate) struct StepScale {
    /// Relative to the first step.
    pub theta: f64,
    stalled: usize,
    patience: usize,
}

impl StepScale {
    pub(crate) fn new(patience: usize) -> StepScale {
        StepScale {
            theta: 1.0,
            stalled: 0,
            patience,
        }
    }

    /// After each round: whether it raised the bound.
    pub(crate) fn after_round(&mut self, raised: bool) {
        if raised {
            self.stalled = 0;
            return;
        }
        self.stalled += 1;
        if self.stalled >= self.patience {
            self.theta /= 2.0;
            self.stalled = 0;
        }
    }
}

/// What the ascent reached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound {
    /// At most the incumbent: every schedule scores at least this.
    pub value: f64,
    /// Price rounds run.
    pub rounds: usize,
}

/// What the bounds for any size reached beside the searches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Beside {
    /// The LP-free bound (`milp::bounds::objective_floor`).
    pub floor: f64,
    /// HiGHS's bound on the counted model (`aggregate`).
    pub counted: Option<f64>,
    /// The Lagrangian relaxation of coverage.
    pub lagrangian: Option<Bound>,
}

impl Beside {
    /// The highest of them: every schedule scores at least this.
    pub fn value(&self) -> f64 {
        [self.counted, self.lagrangian.map(|b| b.value)]
            .into_iter()
            .flatten()
            .fold(self.floor, f64::max)
    }
}

/// The bounds one after the other until `until`. The LP-free bound first: it takes a
/// fraction of a second on the largest teams, whose searches keep the main thread to
/// the deadline and would leave it no time after them. Then the counted model: where
/// shifts are worth much the same to everyone it proves more than the relaxation, and
/// its tree goes on adding. Then the Lagrangian relaxation with what is left: where
/// points differ by zone and member it proves more.
pub(crate) fn beside(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    until: Instant,
    stop: &AtomicBool,
) -> Beside {
    let share = |of: f64| {
        let now = Instant::now();
        now + until.saturating_duration_since(now).mul_f64(of)
    };
    let floor = bounds::objective_floor(problem, index, share(plan::BOUNDS_SHARE));
    // Where its bound is well above the floor by then, the counted model's tree keeps the
    // time (the Lagrangian relaxation proves less there); elsewhere it gives it up.
    let review = watch::Stop {
        flag: stop,
        review_at: share(plan::COUNTED_SHARE),
        keep_above: plan::COUNTED_OVER_FLOOR * floor,
    };
    let counted = aggregate::counted(problem, index, incumbent, until, &review);
    let lagrangian = lagrangian(problem, index, incumbent, until, stop);
    Beside {
        floor,
        counted,
        lagrangian,
    }
}

/// Raises the bound until `until` or until `stop` is set (the proof it helps has ended):
/// building the programs stops there, and so does a round, between two members'
/// programs (its value is only known once every member has run, so the round is
/// dropped). `None` with too little time for one round, and
/// where the relaxation does not apply: a weight below 0 other than the fairness
/// terms', neither fairness term weighted, a shift no one may take, points without a
/// common step, or tables larger than the plan allows.
pub(crate) fn lagrangian(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    until: Instant,
    stop: &AtomicBool,
) -> Option<Bound> {
    let mut relaxation = Relaxation::new(problem, index, incumbent, until)?;
    let n = index.shifts;
    let mut price = relaxation.cheapest.clone();
    let mut best = f64::NEG_INFINITY;
    let mut scale = StepScale::new(plan::BOUND_PATIENCE);
    let mut rounds = 0;
    loop {
        let (value, held) = match relaxation.at(&price, until, stop) {
            Round::Cut => break,
            // No loads at these prices come below the incumbent: none at all do.
            Round::NoneBelow => {
                return Some(Bound {
                    value: incumbent,
                    rounds: rounds + 1,
                });
            }
            Round::Value(value, held) => (value, held),
        };
        rounds += 1;
        let raised = value > best + 1e-9 * value.abs().max(1.0);
        if raised {
            best = value;
        }
        scale.after_round(raised);
        if best >= incumbent || scale.theta < plan::BOUND_MIN_STEP {
            break;
        }
        let gradient: Vec<f64> = (0..n)
            .map(|s| relaxation.seats[s] - f64::from(held[s]))
            .collect();
        let norm: f64 = gradient.iter().map(|g| g * g).sum();
        if norm == 0.0 {
            // Every seat taken once: the relaxation's choice is a schedule, and no
            // prices raise the bound further.
            break;
        }
        let target = (best + plan::BOUND_TARGET_ABOVE * best.abs().max(1.0)).min(incumbent);
        let step = scale.theta * (target - value).max(1e-6 * incumbent.abs().max(1.0)) / norm;
        for (p, g) in price.iter_mut().zip(&gradient) {
            *p += step * g;
        }
    }
    (rounds > 0).then_some(Bound {
        value: best.min(incumbent),
        rounds,
    })
}

/// The relaxation's fixed parts: the members' programs and what prices apply to.
struct Relaxation<'a> {
    problem: &'a Problem,
    programs: Vec<Program>,
    /// Seats per shift.
    seats: Vec<f64>,
    /// Per shift the least cost of one of its seats: the first prices.
    cheapest: Vec<f64>,
    terms: window::Terms,
}

impl<'a> Relaxation<'a> {
    /// `None` also where building the programs reaches `until`.
    fn new(
        problem: &'a Problem,
        index: &Index,
        incumbent: f64,
        until: Instant,
    ) -> Option<Relaxation<'a>> {
        let w = problem.objective;
        if !w.others_nonnegative() || w.imbalance < 0.0 || w.deviation < 0.0 {
            return None;
        }
        let (seats, cheapest) = index.cheapest_seats(problem)?;
        let ranges = load_ranges(problem, index, incumbent, &seats, &cheapest)?;
        let programs = ranges
            .into_iter()
            .enumerate()
            .map(|(m, range)| {
                if Instant::now() >= until {
                    return None;
                }
                Program::new(problem, index, m, range, plan::BOUND_LEVELS)
            })
            .collect::<Option<Vec<Program>>>()?;
        let bytes: usize = programs.iter().map(Program::table_bytes).sum();
        if bytes > plan::BOUND_TABLE_BYTES {
            return None;
        }
        Some(Relaxation {
            problem,
            programs,
            seats,
            cheapest,
            terms: window::Terms {
                imbalance: w.imbalance,
                deviation: w.deviation,
                resolution: plan::BOUND_CENTRE_RESOLUTION,
                evaluations: plan::BOUND_CENTRE_EVALUATIONS,
            },
        })
    }

    /// The relaxation at `price`, cut between two members' programs once `until` has
    /// passed or `stop` is set.
    fn at(&mut self, price: &[f64], until: Instant, stop: &AtomicBool) -> Round {
        let problem = self.problem;
        let wb = problem.objective.back_to_back_after_hours;
        for p in self.programs.iter_mut() {
            if Instant::now() >= until || stop.load(Ordering::Relaxed) {
                return Round::Cut;
            }
            p.run(price, wb);
        }
        let mut outside = 0.0;
        let mut members = Vec::with_capacity(self.programs.len());
        let mut owners = Vec::with_capacity(self.programs.len());
        for (i, p) in self.programs.iter().enumerate() {
            if !p.fair {
                outside += p.finals[0].0;
                continue;
            }
            let cap = problem.capacity[p.m];
            let hist = problem.history[p.m];
            let (levels, loads): (Vec<window::Level>, Vec<usize>) = (p.range.0..p.finals.len())
                .filter(|&l| p.finals[l].0.is_finite())
                .map(|l| {
                    let level = window::Level {
                        n: (l as f64 * p.unit + hist) / cap,
                        cost: p.finals[l].0,
                    };
                    (level, l)
                })
                .unzip();
            owners.push((i, loads));
            members.push(window::Member {
                capacity: cap,
                levels,
            });
        }
        let ends = members
            .iter()
            .filter_map(|m| Some((m.levels.first()?.n, m.levels.last()?.n)))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            });
        let Some(least) = window::least(&members, self.terms, ends) else {
            return Round::NoneBelow;
        };
        if !outside.is_finite() {
            return Round::NoneBelow;
        }
        let mut held = vec![0u32; price.len()];
        for p in self.programs.iter().filter(|p| !p.fair) {
            p.held(0, &mut held);
        }
        for ((i, loads), &k) in owners.iter().zip(&least.choice) {
            self.programs[*i].held(loads[k], &mut held);
        }
        let priced: f64 = price.iter().zip(&self.seats).map(|(p, s)| p * s).sum();
        Round::Value(priced + outside + least.value, held)
    }
}

/// One round of the relaxation.
enum Round {
    /// Its value (a bound on every schedule better than the incumbent) and per shift
    /// the seats its members' schedules take.
    Value(f64, Vec<u32>),
    /// No combination of loads comes below the incumbent.
    NoneBelow,
    /// Stopped before every member's program had run.
    Cut,
}

/// Per member, the loads (points) a schedule below the incumbent can end with: it
/// pays at least the cheapest seats, so its fairness terms leave every normalized load
/// within reach of the mean, and the mean lies between the cheapest and the dearest
/// pools. Members outside fairness: (0, 0). `None` where neither fairness term limits
/// the reach.
fn load_ranges(
    problem: &Problem,
    index: &Index,
    incumbent: f64,
    seats: &[f64],
    cheapest: &[f64],
) -> Option<Vec<(f64, f64)>> {
    let w = problem.objective;
    let n = index.shifts;
    let fair: Vec<usize> = (0..index.members)
        .filter(|&m| index.in_fairness[m])
        .collect();
    let capacity: f64 = fair.iter().map(|&m| problem.capacity[m]).sum();
    let history: f64 = fair.iter().map(|&m| problem.history[m]).sum();
    let everyone_fair = (0..n).all(|s| index.cand[s].iter().all(|&m| index.in_fairness[m]));
    let points = |s: usize| {
        index.cand[s]
            .iter()
            .filter(|&&m| index.in_fairness[m])
            .map(move |&m| problem.cells[s][m].points)
    };
    let pool_lo: f64 = if everyone_fair {
        (0..n)
            .map(|s| seats[s] * points(s).fold(f64::INFINITY, f64::min))
            .sum()
    } else {
        0.0
    };
    let pool_hi: f64 = (0..n)
        .map(|s| seats[s] * points(s).fold(0.0, f64::max))
        .sum();
    let mean = if capacity > 0.0 {
        (
            (pool_lo + history) / capacity,
            (pool_hi + history) / capacity,
        )
    } else {
        (0.0, 0.0)
    };
    let cheapest_total: f64 = seats.iter().zip(cheapest).map(|(s, c)| s * c).sum();
    let room = (incumbent - cheapest_total).max(0.0);
    (0..index.members)
        .map(|m| {
            if !index.in_fairness[m] {
                return Some((0.0, 0.0));
            }
            let cap = problem.capacity[m];
            let by_imbalance = if w.imbalance > 0.0 {
                room / w.imbalance
            } else {
                f64::INFINITY
            };
            let by_deviation = if w.deviation > 0.0 {
                room / (w.deviation * cap)
            } else {
                f64::INFINITY
            };
            let reach = by_imbalance.min(by_deviation);
            if !reach.is_finite() {
                return None;
            }
            let hist = problem.history[m];
            Some(((mean.0 - reach) * cap - hist, (mean.1 + reach) * cap - hist))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::solver::index::Rules;
    use crate::testkit::brute;
    use crate::testkit::hours as testkit;

    proptest::proptest! {
        /// Never above the optimum, whatever the rounds reach: member-dependent points
        /// (zones), a second layer overlapping two days, prefer-off days, blocked
        /// pairs, part-timers, history, a pin, a rest rule, a member outside fairness,
        /// and incumbents from the optimum itself to far above it.
        #[test]
        fn proptest_the_bound_is_below_the_optimum(
            problem in testkit::varied_for_bounds(),
            above in proptest::sample::select(vec![0.0, 10.0, 400.0, 1e5]),
            seconds in proptest::sample::select(vec![0.0, 0.02, 0.2]),
        ) {
            let best = brute::optimum(&problem);
            proptest::prop_assume!(best.is_finite());
            let index = Index::new(&problem, None, Rules::of(&problem));
            let until = Instant::now() + Duration::from_secs_f64(seconds);
            if let Some(found) = lagrangian(&problem, &index, best + above, until, &AtomicBool::new(false)) {
                let tolerance = 1e-6 * best.abs().max(1.0);
                proptest::prop_assert!(
                    found.value <= best + tolerance,
                    "bound {} above the optimum {} after {} rounds", found.value, best, found.rounds
                );
            }
        }
    }

    /// Once its proof has ended the bound starts no more rounds, however long it had.
    #[test]
    fn a_stopped_bound_starts_no_round() {
        let problem = testkit::evenly(2, 4, 24, 24);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let until = Instant::now() + Duration::from_secs(5);
        let best = brute::optimum(&problem);
        let run = |stop: bool| lagrangian(&problem, &index, best, until, &AtomicBool::new(stop));
        assert!(run(false).is_some_and(|b| b.rounds > 0));
        assert!(run(true).is_none());
    }

    /// A round whose time has run out, or whose proof has ended, is cut before the
    /// next member's program, so it has no value; with no time at all there is no
    /// bound.
    #[test]
    fn a_round_past_its_time_is_cut() {
        let problem = testkit::evenly(3, 6, 24, 24);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let best = brute::optimum(&problem);
        let later = Instant::now() + Duration::from_secs(5);
        let mut relaxation = Relaxation::new(&problem, &index, best, later).expect("applies");
        let price = relaxation.cheapest.clone();
        let running = AtomicBool::new(false);
        assert!(matches!(
            relaxation.at(&price, later, &running),
            Round::Value(..)
        ));
        let past = Instant::now();
        assert!(matches!(relaxation.at(&price, past, &running), Round::Cut));
        assert!(matches!(
            relaxation.at(&price, later, &AtomicBool::new(true)),
            Round::Cut
        ));
        assert!(lagrangian(&problem, &index, best, past, &running).is_none());
    }

    /// Where a member's availability forces the loads apart, the bound sees most of
    /// the fairness terms, not only the cheapest seats. (Where only the total forces
    /// them apart, it does not: mixing everyone light with everyone heavy covers the
    /// seats on average, which is all coverage priced can ask.)
    #[test]
    fn the_bound_sees_fairness_that_availability_forces() {
        // Two people, four days of 24 h; the second may take only the first day.
        let mut problem = testkit::evenly(2, 4, 24, 24);
        for s in 1..4 {
            problem.cells[s][1].blocked = Some(crate::problem::Exclusion::NotEmployed);
        }
        let best = brute::optimum(&problem);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let cheapest: f64 = 4.0 * 24.0 * problem.objective.total_load;
        let found = lagrangian(
            &problem,
            &index,
            best,
            Instant::now() + Duration::from_secs(5),
            &AtomicBool::new(false),
        )
        .expect("applies");
        assert!(found.value <= best + 1e-6, "{} above {}", found.value, best);
        assert!(
            found.value > cheapest + 0.5 * (best - cheapest),
            "bound {} hardly above the cheapest seats {} (optimum {})",
            found.value,
            cheapest,
            best
        );
    }

    /// Beside the searches on the bench's 40-person quarter: the LP-free floor first, then
    /// the counted model, which leads the floor by more than it must to keep the time
    /// (whether it does is `aggregate`'s test); the reported bound is the highest.
    #[test]
    fn beside_a_team_of_forty_the_counted_bound_leads() {
        let spec = crate::testkit::instance::Spec::named("team40").expect("named");
        let problem =
            crate::problem::build(&crate::testkit::instance::generate(&spec)).expect("builds");
        let index = Index::new(&problem, None, Rules::of(&problem));
        let until = Instant::now() + Duration::from_secs(6);
        // An incumbent far above any schedule.
        let found = beside(&problem, &index, 1e7, until, &AtomicBool::new(false));
        let counted = found.counted.expect("the counted bound runs");
        assert!(found.floor.is_finite() && found.floor > 0.0, "{found:?}");
        assert!(
            counted >= plan::COUNTED_OVER_FLOOR * found.floor,
            "{found:?}"
        );
        assert_eq!(found.value(), counted);
    }
}
