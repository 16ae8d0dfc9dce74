//! `rota init [PATH]`: a commented starter config.

use std::path::Path;

use crate::error::Error;

pub fn run(path: &Path) -> Result<(), Error> {
    let _ = path;
    Err(Error::Internal("init not built yet".into()))
}
