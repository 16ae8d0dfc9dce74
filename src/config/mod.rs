//! Reading and validating the team's TOML file.

mod model;

pub use model::*;

use std::path::Path;

/// Invalid config, already rendered for people: file, line:column, the line, a fix.
#[derive(Debug, thiserror::Error)]
#[error("{rendered}")]
pub struct ConfigError {
    pub rendered: String,
    /// How many problems were found.
    pub count: usize,
}

/// Reads and validates a config file (and the holiday .ics and history files it names).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let _ = path;
    unimplemented!("config::load")
}
