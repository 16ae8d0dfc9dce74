//! One file per command: read inputs, call the library, print.

pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod diff;
pub(crate) mod export;
pub(crate) mod init;
pub(crate) mod next;
pub(crate) mod now;
pub(crate) mod report;
pub(crate) mod resolve;
pub(crate) mod serve;
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
    /// `now` came from `SOURCE_DATE_EPOCH`: a long-running command (`serve`) keeps it
    /// instead of reading the clock.
    pub now_is_fixed: bool,
    pub stderr_is_terminal: bool,
    /// Colour on stderr: a terminal, and `NO_COLOR` unset or empty (no-color.org).
    pub color: bool,
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

/// `now` or an RFC 3339 instant such as `2027-02-01T09:00:00Z`: `solve --freeze-until`,
/// `export --from`, `now --at` and `serve`'s `/now.json?at=` all read instants here. The
/// message names the text and what was expected; the caller says where it came from.
pub(crate) fn parse_instant(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "{text:?}: {e}; expected `now` or an RFC 3339 instant such as 2027-02-01T09:00:00Z"
            )
        })
}

/// [`parse_instant`] for the command-line flag `flag`: a usage error that names it.
pub(crate) fn instant_flag(
    flag: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Error> {
    parse_instant(text, now).map_err(|e| Error::Usage(format!("{flag} {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn instants_are_rfc_3339_or_now() {
        let now = t("2027-01-01T00:00:00Z");
        assert_eq!(parse_instant("now", now), Ok(now));
        assert_eq!(parse_instant(" NOW ", now), Ok(now));
        assert_eq!(
            parse_instant("2027-03-14T03:30:00-04:00", now),
            Ok(t("2027-03-14T07:30:00Z"))
        );
        let err = parse_instant("2027-03-14", now).expect_err("a date is not an instant");
        assert!(err.contains("RFC 3339"), "{err}");
        let err = instant_flag("--from", "soon", now).expect_err("not an instant");
        assert!(err.to_string().contains("--from \"soon\""), "{err}");
    }
}
