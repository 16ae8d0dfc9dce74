//! Command-line arguments (clap) and dispatch to the commands.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};
use log::LevelFilter;

use crate::commands::{self, Env};
use crate::error::Error;

/// The environment variables rota reads, listed under every `--help`.
const ENVIRONMENT: &str = "\
Environment:
  SOURCE_DATE_EPOCH  \"now\" as seconds since 1970 (reproducible files and timestamps)
  NO_COLOR           any non-empty value: no colour on the terminal
  ROTA_LOG           stderr log level: off, error, warn (default), info, debug, trace
  ROTA_SERVE_SECRET, ROTA_SERVE_SECRET_FILE
                     rota serve: the secret of its private feed URLs, or a file holding it";

impl Cli {
    /// The command line with the environment variables under every subcommand's `--help`
    /// too (clap's `after_help` is per command).
    pub fn command_with_environment() -> clap::Command {
        Cli::command().mut_subcommands(|sub| sub.after_help(ENVIRONMENT))
    }

    /// Parses the process's arguments (exits with clap's message on a usage error).
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let matches = Cli::command_with_environment().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "rota",
    version,
    about = "On-call rotations that are fair, rested and correct in every time zone",
    after_help = ENVIRONMENT
)]
pub struct Cli {
    /// More detail: `check -v` lists every short-staffed shift; on stderr, -v logs every
    /// solver stage and improvement with its time, -vv also turns on HiGHS's own log (on
    /// stdout). `ROTA_LOG=debug` or `trace` does the same.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter config (refuses to overwrite).
    Init {
        /// Where to write the starter config.
        #[arg(default_value = "rota.toml")]
        path: PathBuf,
    },
    /// Validate a config; show members with their capacity and why, layers, and shifts
    /// too few people can take (one line per run of them; with --verbose, every shift and
    /// every member's reason).
    Check {
        /// The team's config (TOML).
        config: PathBuf,
    },
    /// Solve and write schedule.json, calendars and the report into DIR.
    Solve(commands::solve::SolveArgs),
    /// Write the next period's config: the period moved on, this schedule in the
    /// history, pins and days off that are over left out.
    Next(commands::next::NextArgs),
    /// Re-check every hard rule and metric of a schedule.json against its config.
    Verify {
        /// The team's config (TOML) the schedule was solved from.
        config: PathBuf,
        /// A schedule.json written by `rota solve`.
        schedule: PathBuf,
    },
    /// Shifts whose assignee or time changed between two schedule.json files.
    Diff {
        /// The earlier schedule.json.
        old: PathBuf,
        /// The later schedule.json.
        new: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Show dates and times in this IANA zone (e.g. the team's) instead of UTC.
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Rank replacements for one shift by their effect on fairness and rules.
    Swap(commands::swap::SwapArgs),
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
    /// Serve DIR/calendars/NAME.ics read-only at /NAME.ics for calendar subscriptions,
    /// with an index page and /now.json.
    Serve(commands::serve::ServeArgs),
    /// Who is on call at an instant, per layer: since when, until when, and who is next.
    Now(commands::now::NowArgs),
    /// Export a schedule.json as PagerDuty or Opsgenie overrides, or as CSV.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Print the shell completion script: `rota completions bash > /etc/bash_completion.d/rota`.
    Completions {
        /// The shell to complete for.
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

impl Env {
    pub fn from_process() -> Result<Env, Error> {
        use std::io::IsTerminal;
        let fixed = std::env::var_os("SOURCE_DATE_EPOCH").is_some();
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
        let log = match std::env::var("ROTA_LOG") {
            Ok(s) => s.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "ROTA_LOG={s:?} is not one of off, error, warn, info, debug, trace"
                ))
            })?,
            Err(_) => LevelFilter::Warn,
        };
        Ok(Env {
            now,
            now_is_fixed: fixed,
            stderr_is_terminal: std::io::stderr().is_terminal(),
            color: stderr_color(),
            log,
        })
    }
}

/// Whether stderr gets colour: it is a terminal and `NO_COLOR` is unset or empty.
pub fn stderr_color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && no_color_allows(std::env::var_os("NO_COLOR").as_deref())
}

/// no-color.org: any non-empty `NO_COLOR` turns colour off.
fn no_color_allows(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_none_or(|v| v.is_empty())
}

pub fn run(cli: Cli, env: &Env) -> Result<(), Error> {
    let env = &Env {
        log: env.log.max(verbosity(cli.verbose)),
        ..env.clone()
    };
    log::set_max_level(env.log);
    // Fails only when a logger is already set (a second `run` in one process): keep it.
    let _ = log::set_logger(&STDERR_LOGGER);
    match cli.command {
        Command::Init { path } => commands::init::run(&path),
        Command::Check { config } => commands::check::run(&config, cli.verbose > 0),
        Command::Solve(args) => commands::solve::run(&args, env),
        Command::Next(args) => commands::next::run(&args),
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
        Command::Serve(args) => commands::serve::run(&args, env),
        Command::Now(args) => commands::now::run(&args, env),
        Command::Export(export) => commands::export::run(&export, env.now),
        Command::Completions { shell } => {
            commands::completions::run(Cli::command_with_environment(), shell)
        }
        Command::Man { dir } => {
            commands::completions::man(Cli::command_with_environment(), dir.as_deref())
        }
    }
}

/// The level `-v` (debug) or `-vv` (trace) asks for.
fn verbosity(count: u8) -> LevelFilter {
    match count {
        0 => LevelFilter::Off,
        1 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

/// rota's own log records on stderr, as they are; warnings and errors say so.
struct StderrLogger;

static STDERR_LOGGER: StderrLogger = StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("rota") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        match record.level() {
            log::Level::Error => eprintln!("error: {}", record.args()),
            log::Level::Warn => eprintln!("warning: {}", record.args()),
            _ => eprintln!("{}", record.args()),
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument of every subcommand says what it is for, and every `--help` lists
    /// the environment variables.
    #[test]
    fn every_argument_has_help_and_help_lists_the_environment() {
        fn walk(cmd: &mut clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path}: {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands_mut() {
                walk(sub, &path, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&mut cmd, "", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
        for args in [&["rota", "--help"][..], &["rota", "solve", "--help"]] {
            let help = Cli::command_with_environment()
                .try_get_matches_from(args)
                .expect_err("help")
                .to_string();
            for var in ["SOURCE_DATE_EPOCH", "NO_COLOR", "ROTA_LOG"] {
                assert!(help.contains(var), "{args:?} lacks {var}:\n{help}");
            }
        }
    }

    #[test]
    fn any_non_empty_no_color_turns_colour_off() {
        use std::ffi::OsStr;
        assert!(no_color_allows(None));
        assert!(no_color_allows(Some(OsStr::new(""))));
        assert!(!no_color_allows(Some(OsStr::new("1"))));
        assert!(!no_color_allows(Some(OsStr::new("0"))));
    }

    #[test]
    fn each_v_raises_the_log_level() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses").verbose;
        assert_eq!(
            verbosity(parse(&["rota", "check", "x.toml"])),
            LevelFilter::Off
        );
        assert_eq!(
            verbosity(parse(&["rota", "-v", "check", "x.toml"])),
            LevelFilter::Debug
        );
        assert_eq!(
            verbosity(parse(&["rota", "solve", "x.toml", "-vv"])),
            LevelFilter::Trace
        );
    }
}
