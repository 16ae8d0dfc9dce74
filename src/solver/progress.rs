//! A spinner on stderr naming the solver's stage, shown only once a solve has run for a
//! second and only when stderr is a terminal (indicatif hides it otherwise).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget};

pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress(None);
        }
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
        Progress(Some(bar))
    }

    pub fn stage(&self, message: &'static str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
