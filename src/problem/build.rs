//! Config → Problem: shifts, per-member cells, capacity, history, pins.

use crate::config::Config;

use super::Problem;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

pub fn build(config: Config) -> Result<Problem, BuildError> {
    let _ = config;
    unimplemented!("problem::build")
}
