//! A spinner on stderr naming the solver's stage and the best objective so far against
//! the bound, shown only once a solve has run for a second and only when stderr is a
//! terminal (indicatif hides it otherwise). With debug logging on (`rota -v`), every
//! improvement is also logged as a line with its time, for measuring where a solve spends
//! it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget};

/// Shared by the portfolio's searches, hence the lock.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: Mutex<Shown>,
    /// Set once the answer is proven elsewhere: HiGHS stops at its next check.
    stop: AtomicBool,
    /// Logs trace lines (not for a side solve watched only to stop it).
    trace: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shown {
    stage: &'static str,
    best: f64,
    bound: f64,
}

impl Progress {
    pub fn new(enabled: bool, started: Instant) -> Progress {
        Progress::with(enabled, trace_on(), started)
    }

    /// Shows and prints nothing: for a side solve that only needs [`Progress::interrupt`].
    pub fn quiet(started: Instant) -> Progress {
        Progress::with(false, false, started)
    }

    fn with(enabled: bool, trace: bool, started: Instant) -> Progress {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.enable_steady_tick(Duration::from_millis(120));
            let shown = bar.clone();
            // Short solves finish silently; the thread only ever touches the bar's target.
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if !shown.is_finished() {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                }
            });
            bar
        });
        Progress {
            bar,
            started,
            shown: Mutex::new(Shown {
                stage: "",
                best: f64::INFINITY,
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
            shown.stage = stage;
            true
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

    /// `step` reached a schedule with this objective; shown when it is the best so far.
    pub fn reached(&self, step: &str, objective: f64) {
        self.trace(&format!("{step}: {objective:.1}"));
        self.update(|shown| {
            let better = objective < shown.best;
            if better {
                shown.best = objective;
            }
            better
        });
    }

    /// The MILP's incumbent and bound while HiGHS runs (infinite when it has none).
    pub fn milp(&self, objective: f64, bound: f64) {
        // HiGHS's value of the warm start differs from ours in the last digits.
        let best = self.shown().best;
        let better = !best.is_finite() || objective < best - 1e-9 * best.abs().max(1.0);
        if objective.is_finite() && better {
            self.reached("HiGHS", objective);
        }
        if bound.is_finite() {
            self.bound(bound);
        }
    }

    /// Applies `change`; redraws when it says something changed.
    fn update(&self, change: impl FnOnce(&mut Shown) -> bool) {
        // A search that panicked while holding the lock left nothing half-written here.
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if change(&mut shown)
            && let Some(bar) = &self.bar
        {
            bar.set_message(message(shown.stage, shown.best, shown.bound));
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

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "stage · best B · bound L", leaving out what is not known yet.
fn message(stage: &str, best: f64, bound: f64) -> String {
    let mut message = stage.to_string();
    if best.is_finite() {
        message += &format!(" · best {best:.1}");
    }
    if bound.is_finite() {
        message += &format!(" · bound {bound:.1}");
    }
    message
}

fn trace_on() -> bool {
    log::log_enabled!(log::Level::Debug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_shows_what_is_known() {
        assert_eq!(
            message("annealing", f64::INFINITY, f64::NEG_INFINITY),
            "annealing"
        );
        assert_eq!(
            message("LNS", 41784.04, 6603.0),
            "LNS · best 41784.0 · bound 6603.0"
        );
        let progress = Progress::new(false, Instant::now());
        progress.reached("greedy", 120.0);
        progress.reached("worse", 130.0);
        progress.bound(50.0);
        progress.bound(10.0);
        let shown = progress.shown();
        assert_eq!((shown.best, shown.bound), (120.0, 50.0));
    }
}
