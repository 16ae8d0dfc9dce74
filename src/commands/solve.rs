//! `rota solve CONFIG`: solve and write every output.

use crate::cli::{Env, SolveArgs};
use crate::error::Error;

pub fn run(args: &SolveArgs, env: &Env) -> Result<(), Error> {
    let _ = (args, env);
    Err(Error::Internal("solve not built yet".into()))
}
