//! The solver's progress on a terminal: one line redrawn in place with the stage, the
//! time against the limit, the best schedule so far in the user's terms and how close
//! the proven bound says it is. `rota solve` shows it only when stderr is a terminal,
//! not with `--quiet`, and only once a solve has run for a second; without colour when
//! `NO_COLOR` is set.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::output::terminal::{pairs, percent, trimmed};
use crate::solver::{ProgressEvent, ProgressSink};

/// How often the spinner and the clock move.
const TICK: Duration = Duration::from_millis(120);

/// What the line says after the spinner and the clock: the stage, the best schedule so
/// far and how close the bound says it is.
pub(crate) fn message(event: &ProgressEvent) -> String {
    let mut text = event.stage.to_string();
    match &event.best {
        Some(best) => {
            let _ = write!(
                text,
                " · best: imbalance {} points/FTE, {}",
                trimmed(best.imbalance, 2),
                pairs(best.back_to_back),
            );
            let gap = event
                .bound
                .map(|bound| crate::solver::relative_gap(best.objective, bound));
            text.push_str(" · ");
            text.push_str(&match gap {
                Some(gap) => match percent(gap).as_str() {
                    "0" => "fairest possible".to_string(),
                    p => format!("within {p} % of the fairest"),
                },
                None => "no bound yet".to_string(),
            });
        }
        None => text.push_str(" · looking for a first schedule"),
    }
    text
}

/// `3.2 s / 10 s`: the time so far against the limit.
fn clock(elapsed: Duration, limit: Duration) -> String {
    format!(
        "{:>4.1} s / {} s",
        elapsed.as_secs_f64(),
        trimmed(limit.as_secs_f64(), 1)
    )
}

/// The line's style: spinner, clock, message (cut to the terminal's width).
/// `elapsed` is the clock's source (the bar's own in use, a fixed one in tests).
fn style(
    color: bool,
    limit: Duration,
    elapsed: impl Fn(&ProgressState) -> Duration + Send + Sync + Clone + 'static,
) -> ProgressStyle {
    let template = if color {
        "{spinner:.cyan} {clock:.dim}  {wide_msg}"
    } else {
        "{spinner} {clock}  {wide_msg}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
        .with_key(
            "clock",
            move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&clock(elapsed(state), limit));
            },
        )
}

/// The progress line of one solve: hidden until [`ProgressLine::run`] has worked for a
/// second, then drawn on stderr until the work is done.
pub(crate) struct ProgressLine {
    bar: ProgressBar,
}

impl ProgressLine {
    pub fn new(limit: Duration, color: bool, stage: &str) -> ProgressLine {
        let bar = ProgressBar::hidden();
        bar.set_style(style(color, limit, |state| state.elapsed()));
        bar.set_message(stage.to_string());
        ProgressLine { bar }
    }

    /// Where the solver reports: each event becomes the line's message.
    pub fn sink(&self) -> ProgressSink {
        let bar = self.bar.clone();
        ProgressSink(Arc::new(move |event: &ProgressEvent| {
            bar.set_message(message(event))
        }))
    }

    /// Runs `work` on this thread, showing the line on stderr once it has taken a second;
    /// clears it when the work is done. Short solves draw nothing.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let bar = &self.bar;
            scope.spawn(move || {
                if finished.recv_timeout(Duration::from_secs(1))
                    == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(TICK);
                    // Returns when `done` is dropped: the work has finished.
                    let _ = finished.recv();
                }
                bar.finish_and_clear();
            });
            let out = work();
            drop(done);
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use indicatif::TermLike;

    use super::*;
    use crate::solver::BestSoFar;

    /// A terminal that keeps what is drawn on it, one frame per drawn line.
    #[derive(Debug, Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            140
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if !s.trim().is_empty() {
                self.0
                    .lock()
                    .expect("not poisoned")
                    .push(s.trim_end().to_string());
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn event(stage: &'static str, secs: u64) -> ProgressEvent {
        ProgressEvent {
            stage,
            elapsed: Duration::from_secs(secs),
            limit: Duration::from_secs(10),
            best: None,
            bound: None,
        }
    }

    /// The frames a solve's events draw, on a terminal 140 columns wide, the clock
    /// standing at each event's time.
    fn frames(color: bool, events: &[ProgressEvent]) -> String {
        let recorder = Recorder::default();
        let bar = ProgressBar::with_draw_target(
            None,
            ProgressDrawTarget::term_like(Box::new(recorder.clone())),
        );
        let at = Arc::new(Mutex::new(Duration::ZERO));
        let mut drawn = Vec::new();
        let clock_at = Arc::clone(&at);
        bar.set_style(style(color, Duration::from_secs(10), move |_| {
            *clock_at.lock().expect("not poisoned")
        }));
        for e in events {
            *at.lock().expect("not poisoned") = e.elapsed;
            bar.set_message(message(e));
            bar.tick();
            let last = recorder.0.lock().expect("not poisoned").pop();
            drawn.extend(last);
        }
        drawn.join("\n") + "\n"
    }

    fn solve_events() -> Vec<ProgressEvent> {
        let best = |objective, imbalance, back_to_back| {
            Some(BestSoFar {
                objective,
                imbalance,
                back_to_back,
            })
        };
        vec![
            event("fair greedy", 0),
            ProgressEvent {
                best: best(412_000.0, 6.25, 3),
                ..event("annealing", 1)
            },
            ProgressEvent {
                best: best(380_500.0, 3.5, 1),
                ..event("trading shifts between pairs", 2)
            },
            ProgressEvent {
                best: best(380_500.0, 3.5, 1),
                bound: Some(300_000.0),
                ..event("searching with HiGHS (MILP)", 3)
            },
            ProgressEvent {
                best: best(369_047.7, 2.5, 0),
                bound: Some(358_830.8),
                ..event("searching with HiGHS (MILP)", 9)
            },
            ProgressEvent {
                best: best(369_047.7, 2.5, 0),
                bound: Some(369_047.7),
                ..event("searching with HiGHS (MILP)", 10)
            },
        ]
    }

    #[test]
    fn progress_frames() {
        insta::assert_snapshot!(frames(false, &solve_events()));
    }

    #[test]
    fn a_long_message_is_cut_to_the_terminal() {
        let drawn = frames(
            false,
            &[ProgressEvent {
                stage: "a stage with a very long name that goes on and on and on and on and on and on and on and on and on and on",
                ..event("", 4)
            }],
        );
        assert!(drawn.lines().all(|l| l.chars().count() <= 140), "{drawn}");
    }

    #[test]
    fn the_line_runs_the_work() {
        let line = ProgressLine::new(Duration::from_secs(10), false, "starting");
        let sink = line.sink();
        assert_eq!(
            line.run(|| {
                (sink.0)(&event("annealing", 0));
                7
            }),
            7
        );
        assert!(line.bar.is_finished());
    }
}
