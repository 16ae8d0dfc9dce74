//! One file per command: read inputs, call the library, print.

pub mod check;
pub mod diff;
pub mod init;
pub mod now;
pub mod report;
pub mod serve;
pub mod solve;
pub mod swap;
pub mod verify;

use std::io::Write;

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
