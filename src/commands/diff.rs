//! `rota diff OLD NEW`: shifts whose assignee or time changed, grouped by member.

use std::path::Path;

use crate::error::Error;
use crate::schedule::Schedule;

pub fn run(old: &Path, new: &Path, json: bool) -> Result<(), Error> {
    let old = Schedule::read(old)?;
    let new = Schedule::read(new)?;
    let d = crate::diff::diff(&old, &new);
    if json {
        let text = serde_json::to_string_pretty(&d)
            .map_err(|e| Error::Internal(format!("cannot serialize the diff: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", d.render());
    }
    Ok(())
}
