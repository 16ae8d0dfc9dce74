//! `rota swap CONFIG SCHEDULE --member ID --shift LAYER@START`: ranked replacements.

use crate::cli::{Env, SwapArgs};
use crate::error::Error;
use crate::schedule::Schedule;
use crate::swap;

pub fn run(args: &SwapArgs, env: &Env) -> Result<(), Error> {
    if args.top == 0 {
        return Err(Error::Usage("--top must be at least 1".into()));
    }
    let config = crate::config::load(&args.config)?;
    let problem = crate::problem::build(&config)?;
    let schedule = Schedule::read(&args.schedule)?;
    let on_schedule = |e: swap::SwapError| Error::Schedule {
        path: args.schedule.clone(),
        message: e.0,
    };
    let assignment = swap::assignment_from_schedule(&problem, &schedule).map_err(on_schedule)?;

    let usage = |e: swap::SwapError| Error::Usage(e.0);
    let member = swap::find_member(&problem, &args.member).map_err(usage)?;
    let (layer, start) = swap::parse_shift_spec(&args.shift).map_err(usage)?;
    let shift = swap::find_shift(&problem, &assignment, &layer, start, member).map_err(usage)?;

    let analysis = swap::analyze(&problem, &assignment, shift, member, env.now);
    print!(
        "{}",
        analysis.render(
            &config,
            &problem,
            args.top,
            &args.config.display().to_string()
        )
    );
    Ok(())
}
