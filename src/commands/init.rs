//! `rota init [PATH]`: a commented starter config.

use std::io::Write;
use std::path::Path;

use crate::config::starter::STARTER;
use crate::error::Error;

/// Writes the starter config to `path`, never over an existing file.
pub(crate) fn run(path: &Path) -> Result<(), Error> {
    // `create_new` makes "does it exist?" and "create it" one step, so a file that
    // appears in between is not overwritten either.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::Usage(format!(
                "{} already exists; not overwriting it (give another path: rota init PATH)",
                path.display()
            )));
        }
        Err(source) => {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    file.write_all(STARTER.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    super::print(&format!(
        "wrote {}: edit the team, then run `rota check {}`\n",
        path.display(),
        path.display()
    ))
}
