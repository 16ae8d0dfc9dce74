//! `rota verify CONFIG SCHEDULE`: every hard rule and metric, recomputed without the solver.

use std::path::Path;

use crate::error::Error;

pub fn run(config: &Path, schedule: &Path) -> Result<(), Error> {
    let _ = (config, schedule);
    Err(Error::Internal("verify not built yet".into()))
}
