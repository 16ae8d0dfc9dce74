//! `rota check CONFIG`: validate and show what the solver will see.

use std::path::Path;

use crate::error::Error;

pub fn run(config: &Path) -> Result<(), Error> {
    let config = crate::config::load(config)?;
    let problem = crate::problem::build(&config)?;
    print!("{}", crate::problem::summary::render(&config, &problem));
    Ok(())
}
