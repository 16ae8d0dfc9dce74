//! What the solver tells the person waiting: its stage, the best schedule so far in the
//! user's terms (imbalance, back-to-back pairs) and the proven bound, as
//! [`ProgressEvent`]s to an observer ([`ProgressSink`]). The solver does not draw:
//! `rota solve` renders the events on a terminal (`output::progress`), and nothing else
//! needs to know about terminals. With debug logging on (`rota -v`), every improvement is
//! also logged as a line with its time, for measuring where a solve spends it.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};
use crate::problem::evaluate::evaluate;

/// One moment of a solve, sent whenever the stage, the best schedule or the bound changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent {
    /// What the solver is doing, in words ("annealing", "searching with HiGHS (MILP)").
    pub stage: &'static str,
    pub elapsed: Duration,
    pub limit: Duration,
    pub best: Option<BestSoFar>,
    /// A proven lower bound on the objective: no schedule scores below it.
    pub bound: Option<f64>,
}

/// The best schedule found so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestSoFar {
    pub objective: f64,
    /// Points per full capacity between the most and the least loaded member
    /// (`docs/objective.md`).
    pub imbalance: f64,
    /// Pairs of one person's after-hours shifts with too little rest between them.
    pub back_to_back: u32,
}

/// Receives the solve's [`ProgressEvent`]s, from whichever thread made the change.
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Fn(&ProgressEvent) + Send + Sync>);

impl ProgressSink {
    pub fn new(observe: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> ProgressSink {
        ProgressSink(Arc::new(observe))
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// Shared by the portfolio's searches, hence the lock.
pub(crate) struct Progress<'a> {
    sink: Option<&'a ProgressSink>,
    /// Scores a schedule in the user's terms for the sink.
    problem: Option<(&'a Problem, Option<&'a Previous>)>,
    started: Instant,
    limit: Duration,
    shown: Mutex<Shown>,
    /// Set once the answer is proven elsewhere: HiGHS stops at its next check.
    stop: AtomicBool,
    /// Logs trace lines (not for a side solve watched only to stop it).
    trace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shown {
    stage: &'static str,
    /// The best objective, with its schedule's terms when they are known.
    best: f64,
    terms: Option<BestSoFar>,
    bound: f64,
}

impl<'a> Progress<'a> {
    /// Reports the solve of `problem` to `sink` (when there is one).
    pub fn new(
        sink: Option<&'a ProgressSink>,
        problem: &'a Problem,
        previous: Option<&'a Previous>,
        started: Instant,
        limit: Duration,
    ) -> Progress<'a> {
        Progress {
            sink,
            problem: Some((problem, previous)),
            limit,
            ..Progress::with(trace_on(), started)
        }
    }

    /// Reports nothing and prints nothing: for a side solve that only needs
    /// [`Progress::interrupt`], and for tests.
    pub fn quiet(started: Instant) -> Progress<'a> {
        Progress::with(false, started)
    }

    fn with(trace: bool, started: Instant) -> Progress<'a> {
        Progress {
            sink: None,
            problem: None,
            started,
            limit: Duration::ZERO,
            shown: Mutex::new(Shown {
                stage: "",
                best: f64::INFINITY,
                terms: None,
                bound: f64::NEG_INFINITY,
            }),
            stop: AtomicBool::new(false),
            trace,
        }
    }

    /// Asks the watched HiGHS solve to stop (see `watch`).
    pub fn interrupt(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn interrupted(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn stage(&self, stage: &'static str) {
        // In the log too: where a solve spends its time past the limit shows there.
        self.trace(stage);
        self.update(|shown| {
            let changed = shown.stage != stage;
            shown.stage = stage;
            changed
        });
    }

    /// A proven lower bound on the objective.
    pub fn bound(&self, bound: f64) {
        self.update(|shown| {
            let better = bound > shown.bound;
            if better {
                shown.bound = bound;
            }
            better
        });
    }

    /// A debug log line with the time.
    pub fn trace(&self, line: &str) {
        if self.trace {
            log::debug!("[{:>7.3} s] {line}", self.started.elapsed().as_secs_f64());
        }
    }

    /// `step` reached a schedule with this objective; reported when it is the best so
    /// far. `schedule` is asked for only then, and only when someone is watching.
    pub fn reached(&self, step: &str, objective: f64, schedule: impl FnOnce() -> Assignment) {
        self.trace(&format!("{step}: {objective:.1}"));
        if objective >= self.shown().best {
            return;
        }
        let terms = match (self.sink, self.problem) {
            (Some(_), Some((problem, previous))) => {
                let metrics = evaluate(problem, &schedule(), previous).metrics;
                Some(BestSoFar {
                    objective,
                    imbalance: metrics.imbalance,
                    back_to_back: metrics.back_to_back_after_hours,
                })
            }
            _ => None,
        };
        self.update(|shown| {
            // Another search may have got further meanwhile.
            let better = objective < shown.best;
            if better {
                shown.best = objective;
                shown.terms = terms;
            }
            better
        });
    }

    /// The MILP's incumbent (with its schedule, when HiGHS passed it) and bound while
    /// HiGHS runs (infinite when it has none).
    pub fn milp(&self, objective: f64, bound: f64, schedule: Option<impl FnOnce() -> Assignment>) {
        // HiGHS's value of the warm start differs from ours in the last digits.
        let best = self.shown().best;
        let better = !best.is_finite() || objective < best - 1e-9 * best.abs().max(1.0);
        if objective.is_finite() && better {
            match schedule {
                Some(schedule) => self.reached("HiGHS", objective, schedule),
                // Without its schedule the value cannot be told in the user's terms:
                // the line keeps the best it can describe until the schedule comes.
                None => self.trace(&format!("HiGHS: {objective:.1}")),
            }
        }
        if bound.is_finite() {
            self.bound(bound);
        }
    }

    /// Applies `change`; tells the sink when it says something changed.
    fn update(&self, change: impl FnOnce(&mut Shown) -> bool) {
        // A search that panicked while holding the lock left nothing half-written here.
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if change(&mut shown)
            && let Some(sink) = self.sink
        {
            // Sent under the lock, so the sink sees the events in the order they happened.
            (sink.0)(&ProgressEvent {
                stage: shown.stage,
                elapsed: self.started.elapsed(),
                limit: self.limit,
                best: shown.terms,
                bound: shown.bound.is_finite().then_some(shown.bound),
            });
        }
    }

    fn shown(&self) -> Shown {
        *self.shown.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The best objective and bound shown so far.
    #[cfg(test)]
    pub fn best_and_bound(&self) -> (f64, f64) {
        let shown = self.shown();
        (shown.best, shown.bound)
    }
}

fn trace_on() -> bool {
    log::log_enabled!(log::Level::Debug)
}

#[cfg(test)]
impl<'a> Progress<'a> {
    /// A fresh solve of `problem` with a 10 s limit, reported to `sink`: for tests.
    pub fn watching(sink: &'a ProgressSink, problem: &'a Problem) -> Progress<'a> {
        Progress::new(
            Some(sink),
            problem,
            None,
            Instant::now(),
            Duration::from_secs(10),
        )
    }
}

/// A sink that keeps every event, for tests.
#[cfg(test)]
pub(crate) fn recording() -> (ProgressSink, Arc<Mutex<Vec<ProgressEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let sink = ProgressSink::new(move |e: &ProgressEvent| {
        kept.lock().expect("not poisoned").push(e.clone())
    });
    (sink, seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::testkit::hours as testkit;

    #[test]
    fn only_improvements_reach_the_sink_in_the_users_terms() {
        let problem = testkit::problem(2, &[(0, 0, 8), (0, 24, 8)], ConfigRules::default());
        let (sink, seen) = recording();
        let progress = Progress::watching(&sink, &problem);
        let both_to_a = || Assignment {
            members: vec![vec![0], vec![0]],
        };
        progress.stage("annealing");
        progress.reached("greedy", 120.0, both_to_a);
        progress.reached("worse", 130.0, || panic!("not asked for a worse schedule"));
        progress.bound(50.0);
        progress.bound(10.0);
        assert_eq!(progress.best_and_bound(), (120.0, 50.0));
        let seen = seen.lock().expect("not poisoned");
        assert_eq!(seen.len(), 3, "{seen:?}");
        let last = &seen[2];
        assert_eq!((last.stage, last.bound), ("annealing", Some(50.0)));
        let best = last.best.expect("scored");
        assert_eq!(best.objective, 120.0);
        assert!(
            best.imbalance > 0.0,
            "one member holds both shifts: {best:?}"
        );
        assert_eq!(last.limit, Duration::from_secs(10));
    }

    #[test]
    fn without_a_sink_no_schedule_is_scored() {
        let progress = Progress::quiet(Instant::now());
        progress.reached("greedy", 120.0, || panic!("nobody is watching"));
        assert_eq!(progress.best_and_bound(), (120.0, f64::NEG_INFINITY));
    }
}
