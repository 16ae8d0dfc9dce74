//! One file per command: read inputs, call the library, print.

pub mod check;
pub mod completions;
pub mod diff;
pub mod export;
pub mod init;
pub mod report;
pub mod serve;
pub mod solve;
pub mod swap;
pub mod verify;

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::error::Error;

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

/// The value of `flag`: `now` or an RFC 3339 instant such as `2027-02-01T09:00:00Z`.
pub(crate) fn parse_instant(
    flag: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Error> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::Usage(format!(
                "{flag} {text:?}: {e}; expected `now` or an RFC 3339 instant such as 2027-02-01T09:00:00Z"
            ))
        })
}
