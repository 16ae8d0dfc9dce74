//! One file per command: read inputs, call the library, print.

pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod init;
pub(crate) mod next;
pub(crate) mod report;
pub mod serve;
pub(crate) mod solve;
pub(crate) mod swap;
pub(crate) mod verify;

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::error::Error;

/// What the commands may know of the world besides their arguments.
#[derive(Debug, Clone)]
pub struct Env {
    /// "Now", from `SOURCE_DATE_EPOCH` when set (reproducible output), else the clock.
    pub now: DateTime<Utc>,
    pub stderr_is_terminal: bool,
    /// Diagnostics to log on stderr, from `ROTA_LOG` (`off`, `error`, `warn`, `info`,
    /// `debug`, `trace`; default `warn`); `-v` raises it.
    pub log: log::LevelFilter,
}

/// Writes to stdout; a closed pipe (`rota report … | head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: std::path::PathBuf::from("<stdout>"),
            source: e,
        }),
        _ => Ok(()),
    }
}
