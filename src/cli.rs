//! Command-line arguments (clap) and dispatch to the commands.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::error::Error;

#[derive(Debug, Parser)]
#[command(
    name = "rota",
    version,
    about = "On-call rotations that are fair, rested and correct in every time zone"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter config (refuses to overwrite).
    Init {
        #[arg(default_value = "rota.toml")]
        path: PathBuf,
    },
    /// Validate a config; list members, layers, shifts, and shifts nobody can take.
    Check { config: PathBuf },
    /// Solve and write schedule.json, calendars and the report into DIR.
    Solve(SolveArgs),
    /// Re-check every hard rule and metric of a schedule.json against its config.
    Verify { config: PathBuf, schedule: PathBuf },
    /// Shifts whose assignee or time changed between two schedule.json files.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Show dates and times in this IANA zone (e.g. the team's) instead of UTC.
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Rank replacements for one shift by their effect on fairness and rules.
    Swap(SwapArgs),
    /// Print the fairness report of a schedule.json: status, metrics, load per member.
    Report {
        /// A schedule.json written by `rota solve`.
        schedule: PathBuf,
        /// Also write the HTML report to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Print members, metrics and solver status as JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Serve DIR/calendars/NAME.ics read-only at /NAME.ics for calendar subscriptions.
    Serve {
        /// An output directory of `rota solve -o DIR`.
        dir: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Export a schedule.json as PagerDuty or Opsgenie overrides, or as CSV.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Print the shell completion script: `rota completions bash > /etc/bash_completion.d/rota`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `rota man > rota.1`.
    Man {
        /// Write rota.1 and a page per subcommand into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SwapArgs {
    pub config: PathBuf,
    pub schedule: PathBuf,
    /// The member who cannot take the shift.
    #[arg(long)]
    pub member: String,
    /// LAYER@START: START is the local start date (2027-02-01) or an RFC 3339 instant.
    #[arg(long)]
    pub shift: String,
    /// How many candidates to show.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
}

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    pub config: PathBuf,
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    /// A previous schedule.json: keep its past shifts and change as little as possible.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// RFC 3339 instant or `now`: previous shifts starting before it are kept.
    #[arg(long)]
    pub freeze_until: Option<String>,
    /// Seconds the solver may search.
    #[arg(long, default_value_t = 10.0)]
    pub time_limit: f64,
    /// Relative optimality gap at which to stop.
    #[arg(long, default_value_t = 1e-4)]
    pub gap: f64,
    /// Parallel heuristic searches, one per core; the best wins. Default: all cores.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,
    /// Print the schedule as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print only the status line.
    #[arg(long)]
    pub quiet: bool,
}

/// What the commands may know of the world besides their arguments.
#[derive(Debug, Clone)]
pub struct Env {
    /// "Now", from `SOURCE_DATE_EPOCH` when set (reproducible output), else the clock.
    pub now: DateTime<Utc>,
    pub stderr_is_terminal: bool,
}

impl Env {
    pub fn from_process() -> Result<Env, Error> {
        use std::io::IsTerminal;
        let now = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(s) => {
                let secs: i64 = s.trim().parse().map_err(|_| {
                    Error::Usage(format!(
                        "SOURCE_DATE_EPOCH={s:?} is not a number of seconds"
                    ))
                })?;
                DateTime::from_timestamp(secs, 0).ok_or_else(|| {
                    Error::Usage(format!("SOURCE_DATE_EPOCH={s:?} is out of range"))
                })?
            }
            Err(_) => Utc::now(),
        };
        Ok(Env {
            now,
            stderr_is_terminal: std::io::stderr().is_terminal(),
        })
    }
}

pub fn run(cli: Cli, env: &Env) -> Result<(), Error> {
    match cli.command {
        Command::Init { path } => commands::init::run(&path),
        Command::Check { config } => commands::check::run(&config),
        Command::Solve(args) => commands::solve::run(&args, env),
        Command::Verify { config, schedule } => commands::verify::run(&config, &schedule),
        Command::Diff {
            old,
            new,
            json,
            timezone,
        } => commands::diff::run(&old, &new, json, timezone.as_deref()),
        Command::Swap(args) => commands::swap::run(&args, env),
        Command::Report {
            schedule,
            html,
            json,
        } => commands::report::run(&schedule, html.as_deref(), json),
        Command::Serve { dir, addr } => commands::serve::run(&dir, &addr),
        Command::Export(export) => commands::export::run(&export, env.now),
        Command::Completions { shell } => commands::completions::run(Cli::command(), shell),
        Command::Man { dir } => commands::completions::man(Cli::command(), dir.as_deref()),
    }
}
