//! `rota diff OLD NEW`: shifts whose assignee or time changed, grouped by member.

use std::path::Path;

use crate::error::Error;

pub fn run(old: &Path, new: &Path, json: bool) -> Result<(), Error> {
    let _ = (old, new, json);
    Err(Error::Internal("diff not built yet".into()))
}
