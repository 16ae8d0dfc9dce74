//! `rota verify CONFIG SCHEDULE`: every hard rule and metric, recomputed without the solver.

use std::path::Path;

use crate::error::Error;
use crate::schedule::Schedule;

/// Prints `ok: …` and succeeds, or prints every finding and fails with exit code 1.
pub fn run(config: &Path, schedule: &Path) -> Result<(), Error> {
    let config = crate::config::load(config)?;
    let schedule = Schedule::read(schedule)?;
    let problem = crate::problem::build(&config)?;
    let report = crate::verify::verify(&config, &problem, &schedule);
    print!("{}", report.render());
    if report.ok() {
        Ok(())
    } else {
        Err(Error::VerifyFailed(report.headline()))
    }
}
