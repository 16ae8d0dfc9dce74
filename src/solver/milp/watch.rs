//! Watching HiGHS while it solves: its best objective and bound reach the progress line
//! as they improve, instead of the line standing still for the MILP's whole share of
//! the limit; and HiGHS stops when the exact dynamic program has proven the answer, or,
//! for a model solved only for its bound, when nobody waits for it any more.
//!
//! The `highs` crate has no callbacks; HiGHS's C API has, so this is the one place that
//! calls it directly.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use highs_sys::{
    Highs_setCallback, Highs_startCallback, HighsCallbackDataIn, HighsCallbackDataOut,
    kHighsCallbackMipImprovingSolution, kHighsCallbackMipInterrupt,
};

use crate::solver::progress::Progress;

use crate::problem::assignment::Assignment;

/// Where a watched solve reports, and how its column values become a schedule.
pub(crate) struct Watched<'a> {
    pub progress: &'a Progress<'a>,
    pub decode: &'a dyn Fn(&[f64]) -> Assignment,
}

/// Reports the next solve of `model` to `watched.progress`. Only for models whose bound
/// bounds the whole problem (not a neighbourhood's).
///
/// # Safety
/// `watched` must outlive that solve: HiGHS keeps a pointer to it.
pub(crate) unsafe fn attach(model: &mut highs::Model, watched: &Watched<'_>) {
    let data = watched as *const Watched<'_> as *mut c_void;
    // SAFETY: the caller keeps `watched` alive for the solve.
    unsafe {
        register(
            model,
            on_event,
            data,
            &[
                kHighsCallbackMipImprovingSolution,
                kHighsCallbackMipInterrupt,
            ],
        )
    };
}

/// Registers `callback` with `data` for the next solve of `model`, for `kinds` of event.
///
/// # Safety
/// `data` must stay valid for that solve, as `callback` reads it.
unsafe fn register(
    model: &mut highs::Model,
    callback: unsafe extern "C" fn(
        c_int,
        *const c_char,
        *const HighsCallbackDataOut,
        *mut HighsCallbackDataIn,
        *mut c_void,
    ),
    data: *mut c_void,
    kinds: &[c_int],
) {
    // SAFETY: the pointer is the model's own; `data` is valid for the solve (the
    // caller's promise).
    unsafe {
        Highs_setCallback(model.as_mut_ptr(), Some(callback), data);
        for &kind in kinds {
            Highs_startCallback(model.as_mut_ptr(), kind);
        }
    }
}

/// Asks HiGHS to stop at this check.
///
/// # Safety
/// `into` is what HiGHS passed the callback: valid (or null) for the call.
unsafe fn interrupt(into: *mut HighsCallbackDataIn) {
    // SAFETY: the caller's promise.
    if let Some(into) = unsafe { into.as_mut() } {
        into.user_interrupt = 1;
    }
}

/// HiGHS found a better schedule, or makes its "may I go on?" check between nodes (yes,
/// unless [`Progress::interrupt`] was called); both come with the current objective and
/// bound.
unsafe extern "C" fn on_event(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    into: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    let watched = [
        kHighsCallbackMipImprovingSolution,
        kHighsCallbackMipInterrupt,
    ];
    if !watched.iter().any(|&k| k as c_int == kind) || data.is_null() {
        return;
    }
    // SAFETY: `data` is the `Watched` that `attach` registered, alive for the solve;
    // HiGHS passes a valid (or null) `out` for the duration of the call.
    let (watched, out) = unsafe { (&*(data as *const Watched<'_>), out.as_ref()) };
    let progress = watched.progress;
    if kind == kHighsCallbackMipInterrupt as c_int && progress.interrupted() {
        // SAFETY: `into` is HiGHS's, valid (or null) for the call.
        unsafe { interrupt(into) };
    }
    if let Some(out) = out {
        let improving = kind == kHighsCallbackMipImprovingSolution as c_int;
        let objective = if improving {
            out.objective_function_value
        } else {
            out.mip_primal_bound
        };
        let size = usize::try_from(out.mip_solution_size).unwrap_or(0);
        // SAFETY: with an improving solution HiGHS passes its column values, valid for
        // the duration of the call.
        let values = (improving && !out.mip_solution.is_null() && size > 0)
            .then(|| unsafe { std::slice::from_raw_parts(out.mip_solution, size) });
        progress.milp(
            objective,
            out.mip_dual_bound,
            values.map(|values| || (watched.decode)(values)),
        );
    }
}

/// When a solve whose answer is only its bound ends early.
pub(crate) struct Stop<'a> {
    /// Set once nobody waits for the answer any more.
    pub flag: &'a AtomicBool,
    /// From this moment on, a dual bound still below `keep_above` ends it: the time is
    /// better spent elsewhere.
    pub review_at: Instant,
    pub keep_above: f64,
}

/// Stops the next solve of `model` at its next check between nodes once `stop` says so:
/// for a model whose answer nobody waits for after that (a bound beside the proof).
///
/// # Safety
/// `stop` must outlive that solve: HiGHS keeps a pointer to it.
pub(crate) unsafe fn stop_when(model: &mut highs::Model, stop: &Stop<'_>) {
    let data = stop as *const Stop<'_> as *mut c_void;
    // SAFETY: the caller keeps `stop` alive for the solve.
    unsafe { register(model, on_check, data, &[kHighsCallbackMipInterrupt]) };
}

unsafe extern "C" fn on_check(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    into: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    if kind != kHighsCallbackMipInterrupt as c_int || data.is_null() {
        return;
    }
    // SAFETY: `data` is the `Stop` that `stop_when` registered, alive for the solve;
    // HiGHS passes a valid (or null) `out` for the duration of the call.
    let (stop, out) = unsafe { (&*(data as *const Stop<'_>), out.as_ref()) };
    let behind = || {
        Instant::now() >= stop.review_at
            && out.is_some_and(|out| out.mip_dual_bound < stop.keep_above)
    };
    if stop.flag.load(Ordering::Relaxed) || behind() {
        // SAFETY: `into` is HiGHS's, valid (or null) for the call.
        unsafe { interrupt(into) };
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::solver::index::{Index, Rules};
    use crate::solver::milp::model::{self, Outcome, Params};
    use crate::solver::progress::recording;
    use crate::testkit::hours as testkit;

    #[test]
    fn the_progress_line_follows_highs_to_its_answer() {
        // Part-timers on uneven shifts: HiGHS has to branch, and reports as it goes.
        let shifts: Vec<(usize, i64, i64)> = (0..16)
            .map(|i| (0, i * 24, [4, 12, 20, 8, 16][i as usize % 5]))
            .collect();
        let mut problem = testkit::problem(4, &shifts, ConfigRules::default());
        problem.capacity = vec![1.0, 0.5, 0.8, 1.0];
        let index = Index::new(&problem, None, Rules::of(&problem));
        let (sink, seen) = recording();
        let progress = Progress::watching(&sink, &problem);
        let outcome = model::solve(
            &problem,
            &index,
            &Params {
                progress: Some(&progress),
                ..Params::new(10.0, 0.0)
            },
        );
        let Outcome::Solved {
            optimal: true,
            bound,
            assignment,
        } = outcome
        else {
            panic!("{outcome:?}");
        };
        // HiGHS's schedules reach the sink scored in the user's terms: the last is the
        // answer's.
        let last = seen
            .lock()
            .expect("not poisoned")
            .iter()
            .rev()
            .find_map(|e| e.best)
            .expect("HiGHS's incumbents were reported");
        let answer = crate::problem::evaluate::evaluate(&problem, &assignment, None);
        assert!(
            (last.imbalance - answer.metrics.imbalance).abs() < 1e-9,
            "{last:?}"
        );
        let (best, shown_bound) = progress.best_and_bound();
        // Every incumbent is reported; the bound only at checks between nodes, which a
        // fast solve may not reach.
        assert!(best.is_finite(), "HiGHS's incumbents were not shown");
        assert!(best + 1e-6 * best.abs() >= bound);
        assert!(shown_bound <= bound + 1e-6 * bound.abs());
    }

    #[test]
    fn an_interrupt_stops_highs_at_its_next_check() {
        // A 4-person two-zone month whose proof takes HiGHS about ten seconds: it reaches
        // its checks between nodes long before.
        let spec = crate::testkit::instance::tiny_series()
            .into_iter()
            .find(|s| s.name == "tiny-4-2zones-1")
            .expect("in the series");
        let problem =
            crate::problem::build(&crate::testkit::instance::generate(&spec)).expect("builds");
        let index = Index::new(&problem, None, Rules::of(&problem));
        let progress = Progress::quiet(Instant::now());
        progress.interrupt();
        let outcome = model::solve(
            &problem,
            &index,
            &Params {
                progress: Some(&progress),
                ..Params::new(120.0, 0.0)
            },
        );
        assert!(
            matches!(
                outcome,
                Outcome::Solved { optimal: false, .. } | Outcome::NoSolution { .. }
            ),
            "{outcome:?}"
        );
    }
}
