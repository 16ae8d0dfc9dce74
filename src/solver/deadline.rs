//! A deadline read from inside the search loops, where a step (one tried move or trade)
//! can cost less than reading the clock and a loop can run for minutes on a long period:
//! the clock is read every [`EVERY`] steps, and once passed it stays passed.

use std::time::Instant;

/// Steps between two readings of the clock: a tried move costs at least a few hundred
/// nanoseconds and reading the clock a few dozen, so the loops lose little to it and
/// overrun the deadline by at most this many steps.
const EVERY: u32 = 16;

#[derive(Debug, Clone)]
pub(crate) struct Deadline {
    at: Instant,
    steps: u32,
    passed: bool,
}

impl Deadline {
    pub(crate) fn new(at: Instant) -> Deadline {
        Deadline {
            at,
            steps: 0,
            passed: false,
        }
    }

    /// Whether the deadline has passed, counting one step.
    pub(crate) fn passed(&mut self) -> bool {
        if !self.passed {
            self.steps += 1;
            if self.steps >= EVERY {
                self.steps = 0;
                self.passed = Instant::now() >= self.at;
            }
        }
        self.passed
    }

    /// Whether a check so far found the deadline passed (counting no step, reading no
    /// clock): whether a search that checks it was cut short.
    pub(crate) fn was_passed(&self) -> bool {
        self.passed
    }

    /// Whether the deadline has passed, reading the clock now.
    pub(crate) fn passed_now(&mut self) -> bool {
        self.passed = self.passed || Instant::now() >= self.at;
        self.passed
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_passed_deadline_shows_within_every_steps_and_stays() {
        let mut past = Deadline::new(Instant::now());
        let steps = (1..=EVERY).find(|_| past.passed());
        assert_eq!(steps, Some(EVERY));
        assert!(past.passed() && past.passed_now());
        let mut far = Deadline::new(Instant::now() + Duration::from_secs(3600));
        assert!((0..10 * EVERY).all(|_| !far.passed()) && !far.passed_now());
    }
}
