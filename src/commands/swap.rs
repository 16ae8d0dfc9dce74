//! `rota swap CONFIG SCHEDULE --member ID --shift LAYER@START`: ranked replacements.

use crate::cli::SwapArgs;
use crate::error::Error;

pub fn run(args: &SwapArgs) -> Result<(), Error> {
    let _ = args;
    Err(Error::Internal("swap not built yet".into()))
}
