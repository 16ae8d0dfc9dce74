//! `rota solve CONFIG`: solve and write every output.
//!
//! Every output is rendered in memory first and written only when all of it is ready, so
//! a failure at any step leaves the output directory as it was.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};

use super::{Env, resolve};
use crate::error::Error;
use crate::output::progress::ProgressLine;
use crate::output::{atomic, calendar, html, json, terminal};
use crate::problem::evaluate::evaluate;
use crate::schedule::Schedule;
use crate::solver::{self, SolveError, SolveOptions};

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The team's config (TOML).
    pub config: PathBuf,
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    /// A previous schedule.json: keep its past shifts and change as little as possible.
    /// Default: DIR/schedule.json of an earlier solve of the same team.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// RFC 3339 instant or `now` (the default): previous shifts starting before it are kept.
    #[arg(long)]
    pub freeze_until: Option<String>,
    /// Ignore DIR/schedule.json and solve from scratch, replacing it.
    #[arg(long, conflicts_with = "previous")]
    pub fresh: bool,
    /// Re-solving: move at most N shifts (the forced moves always happen).
    #[arg(long, value_name = "N", conflicts_with = "rebalance")]
    pub max_moves: Option<u32>,
    /// Re-solving: move as many shifts as fairness wants.
    #[arg(long)]
    pub rebalance: bool,
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
    /// Print only the status line, and no progress.
    #[arg(long)]
    pub quiet: bool,
}

/// A year: far beyond any useful solve, and far from overflowing a deadline `Instant`.
const MAX_TIME_LIMIT: f64 = 365.0 * 24.0 * 3600.0;

/// The arguments after checking: what `clap` cannot check by type.
#[derive(Debug, Clone, PartialEq)]
struct Checked {
    time_limit: Duration,
    gap: f64,
    /// `--freeze-until` as given; a re-solve without it keeps what started before now.
    freeze_until: Option<DateTime<Utc>>,
}

/// The schedule a solve starts from, and where it came from.
struct Published {
    schedule: Schedule,
    path: PathBuf,
    /// Found as DIR/schedule.json rather than named by `--previous`.
    implicit: bool,
}

pub(crate) fn run(args: &SolveArgs, env: &Env) -> Result<(), Error> {
    let checked = check_args(args, env.now)?;
    // Before a solve that may take minutes, not after it.
    atomic::check_dir(&args.out)?;

    let config = crate::config::load(&args.config)?;
    refuse_to_overwrite_history(&config, &args.out)?;
    let published = published(args, &config)?;
    if let Some(p) = &published {
        check_sequences(&p.schedule, &p.path)?;
    }
    if published.is_none() {
        let needs = [
            (checked.freeze_until.is_some(), "--freeze-until"),
            (args.max_moves.is_some(), "--max-moves"),
            (args.rebalance, "--rebalance"),
        ];
        if let Some((_, flag)) = needs.iter().find(|(given, _)| *given) {
            return Err(Error::Usage(format!(
                "{flag} needs a previous schedule: --previous FILE, or an earlier solve's schedule.json in -o {}",
                args.out.display()
            )));
        }
    }
    // The previous schedule's shifts before the period count for the rules across its
    // start, as the history's do.
    let before: Vec<_> = published.as_ref().map_or_else(Vec::new, |p| {
        crate::schedule::previous::earlier_seats(&p.schedule, &p.path.display().to_string())
    });
    let problem = crate::problem::build_with(&config, &before)?;
    let freeze_until = checked.freeze_until.unwrap_or(env.now);
    let old = published.as_ref().map(|p| &p.schedule);
    let matching =
        old.map(|old| crate::schedule::previous::match_schedule(&problem, old, freeze_until));
    let previous = matching.as_ref().map(|m| &m.previous);
    let budget = match (args.max_moves, args.rebalance) {
        (Some(n), _) => resolve::Budget::MaxMoves(n),
        (None, true) => resolve::Budget::Rebalance,
        (None, false) => resolve::Budget::Priced,
    };
    // Whole seconds: generated_at is for people, and sub-second noise makes diffs louder.
    let generated_at = env.now.trunc_subsecs(0);

    let line = (env.stderr_is_terminal && !args.quiet).then(|| {
        ProgressLine::new(
            checked.time_limit,
            env.color,
            &format!(
                "solving {} shifts for {} members",
                problem.shifts.len(),
                problem.members()
            ),
        )
    });
    let options = SolveOptions {
        time_limit: checked.time_limit,
        gap: checked.gap,
        progress: line.as_ref().map(ProgressLine::sink),
        highs_log: env.log >= log::LevelFilter::Trace,
        threads: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(256) as u32)
        }),
        ..SolveOptions::default()
    };
    let work = || {
        match (&published, &matching) {
            // Something to keep: stability first, and the frontier around it.
            (Some(p), Some(m)) if m.matched > 0 => {
                let name = p.path.display().to_string();
                let published = resolve::Published {
                    previous: &m.previous,
                    schedule: &p.schedule,
                    name: &name,
                };
                resolve::resolve(&config, &problem, published, generated_at, &options, budget)
                    .map(|r| (r.solution, Some(r.resolve)))
            }
            _ => solver::solve(&problem, previous, &options).map(|s| (s, None)),
        }
    };
    let solved = match &line {
        Some(line) => line.run(work),
        None => work(),
    };
    let (solution, resolved) = match solved {
        Ok(solved) => solved,
        Err(SolveError::Infeasible(diagnosis)) if args.json => {
            // The diagnosis for programs: each relaxation with its rule, member and week.
            let json = serde_json::json!({
                "status": "infeasible",
                "diagnosis": diagnosis.text,
                "relaxations": diagnosis.relaxations,
            });
            super::print(&format!("{json:#}\n"))?;
            return Err(solve_error(SolveError::Infeasible(diagnosis)));
        }
        Err(e) => return Err(solve_error(e)),
    };

    let evaluation = evaluate(&problem, &solution.assignment, previous);
    // The events already published: the schedule re-solved against, or under --fresh the
    // one it replaces. UIDs do not depend on who holds a shift, so a fresh solve's events
    // reuse them and must keep counting SEQUENCE (and cancel a departed member's), or
    // subscribed calendars ignore them.
    let replaced = args
        .fresh
        .then(|| replaced_events(&args.out.join(SCHEDULE_FILE), &config))
        .flatten();
    let events = old.or(replaced.as_ref());
    let mut schedule = Schedule::build(
        &config,
        &problem,
        &solution,
        &evaluation,
        generated_at,
        events,
    );
    schedule.resolve = resolved;

    let schedule_json = json::render(&schedule)?;
    let calendars = calendar::render_all(&config, &schedule, events, generated_at);
    let calendar_count = calendars.len();
    let mut files = vec![
        (PathBuf::from(SCHEDULE_FILE), schedule_json.clone()),
        (PathBuf::from("report.html"), html::render(&schedule)),
    ];
    files.extend(calendars);
    // What --fresh replaces, read before the new files take its place.
    let replaced = if args.fresh {
        fresh_line(&args.out.join(SCHEDULE_FILE))
    } else {
        String::new()
    };
    atomic::write_all(&args.out, &files)?;

    let mut text = String::new();
    if args.json {
        text = schedule_json;
    } else if args.quiet {
        text.push_str(&terminal::status_line(&schedule));
        text.push('\n');
    } else {
        if let Some(p) = published.as_ref().filter(|p| p.implicit) {
            text.push_str(&resolving_line(p, &schedule));
        } else {
            text.push_str(&replaced);
        }
        text.push_str(&terminal::summary(&config, &schedule));
        text.push_str(&terminal::pairs_section(&schedule, config.team.timezone));
        text.push_str(&terminal::status_line(&schedule));
        text.push('\n');
        text.push_str(&format!(
            "wrote schedule.json, report.html and {calendar_count} calendars to {}\n",
            args.out.display()
        ));
        if let Some(p) = &published {
            text.push_str(&changes(
                &p.schedule,
                &schedule,
                &p.path,
                config.team.timezone,
            ));
        }
        if let Some(matching) = &matching {
            text.push_str(&matching_notes(&problem, matching, freeze_until));
        }
        if let Some(r) = &schedule.resolve {
            text.push_str(&resolve::summary(
                r,
                schedule.metrics.churn,
                config.objective.imbalance,
            ));
        }
    }
    super::print(&text)
}

/// The file a solve writes and a re-solve starts from.
const SCHEDULE_FILE: &str = "schedule.json";

/// The schedule this solve starts from: `--previous FILE`, else DIR/schedule.json when
/// an earlier solve of the same team wrote it (not with `--fresh`). A team is its name
/// and `uid_domain`: together they make every event's UID, so a schedule of another
/// name or domain is not the one its subscribers' calendars hold — the config's path
/// is not part of it, since moving a file does not make another team.
fn published(args: &SolveArgs, config: &crate::config::Config) -> Result<Option<Published>, Error> {
    if let Some(path) = &args.previous {
        return Ok(Some(Published {
            schedule: Schedule::read(path)?,
            path: path.clone(),
            implicit: false,
        }));
    }
    let path = args.out.join(SCHEDULE_FILE);
    if args.fresh || !path.exists() {
        return Ok(None);
    }
    let fix = "pass --fresh to replace it, or -o another directory";
    let schedule = Schedule::read(&path).map_err(|e| match e {
        Error::Schedule { path, message } => Error::Schedule {
            path,
            message: format!("{message}; {fix}"),
        },
        Error::Read { path, source } => Error::Schedule {
            message: format!("cannot read it ({source}); {fix}"),
            path,
        },
        other => other,
    })?;
    if let Some(other) = other_team(config, &schedule) {
        return Err(Error::Schedule {
            path,
            message: format!(
                "written for {other}, not for this config's team {:?} ({}); {fix}",
                config.team.name, config.team.uid_domain
            ),
        });
    }
    Ok(Some(Published {
        schedule,
        path,
        implicit: true,
    }))
}

/// The schedule `--fresh` replaces, as the record of the events its calendars published:
/// `None` when there is none, or when it is unreadable, another team's or at the end of
/// its SEQUENCE (what `--fresh` is the way out of: its events then start again).
fn replaced_events(path: &Path, config: &crate::config::Config) -> Option<Schedule> {
    let schedule = Schedule::read(path).ok()?;
    let usable =
        other_team(config, &schedule).is_none() && check_sequences(&schedule, path).is_ok();
    usable.then_some(schedule)
}

/// The other team `schedule` was written for, in words, when it is not `config`'s.
fn other_team(config: &crate::config::Config, schedule: &Schedule) -> Option<String> {
    let suffix = format!(
        ".{}@{}",
        crate::config::team_slug(&config.team.name),
        config.team.uid_domain
    );
    if schedule.team != config.team.name {
        return Some(format!("team {:?}", schedule.team));
    }
    schedule
        .shifts
        .iter()
        .find(|s| !s.uid.ends_with(&suffix))
        .map(|s| {
            let domain = s.uid.rsplit_once('@').map_or("", |(_, d)| d);
            format!("uid_domain {domain:?}")
        })
}

/// `re-solving against out/schedule.json (2026-12-01): kept 103 of 104 shifts`.
fn resolving_line(published: &Published, new: &Schedule) -> String {
    let now: std::collections::BTreeSet<(&str, DateTime<Utc>, &str)> = new
        .shifts
        .iter()
        .map(|s| (s.layer.as_str(), s.start, s.member.as_str()))
        .collect();
    let old = &published.schedule.shifts;
    let kept = old
        .iter()
        .filter(|s| now.contains(&(s.layer.as_str(), s.start, s.member.as_str())))
        .count();
    let unchanged = if published.schedule.config_sha256 == new.config_sha256 {
        " (config unchanged)"
    } else {
        ""
    };
    format!(
        "re-solving against {} ({}): kept {kept} of {} shifts{unchanged}\n",
        published.path.display(),
        published.schedule.generated_at.date_naive(),
        old.len()
    )
}

/// What `--fresh` replaces, if anything.
fn fresh_line(path: &Path) -> String {
    match Schedule::read(path) {
        Ok(old) => format!(
            "fresh solve: replacing {} ({}, {} shifts) without keeping any of them\n",
            path.display(),
            old.generated_at.date_naive(),
            old.shifts.len()
        ),
        Err(_) if path.exists() => format!("fresh solve: replacing {}\n", path.display()),
        Err(_) => String::new(),
    }
}

/// A history file is the ledger of an earlier period: solving this one into its folder
/// would replace it (after `rota next`, the last schedule is in the new config's
/// history).
fn refuse_to_overwrite_history(config: &crate::config::Config, out: &Path) -> Result<(), Error> {
    let Ok(target) = std::fs::canonicalize(out.join("schedule.json")) else {
        return Ok(());
    };
    if config
        .fairness
        .history
        .iter()
        .filter_map(|h| std::fs::canonicalize(h).ok())
        .any(|h| h == target)
    {
        return Err(Error::Usage(format!(
            "-o {}: its schedule.json is in fairness.history of {}, the record of an earlier \
             period; write this period's outputs to another directory",
            out.display(),
            config.path.display()
        )));
    }
    Ok(())
}

/// Checks what clap cannot: a positive finite time limit, a gap in [0, 1), and
/// `--freeze-until` (RFC 3339 or `now`). Whether there is a previous schedule for it is
/// known only once the output directory has been looked at.
fn check_args(args: &SolveArgs, now: DateTime<Utc>) -> Result<Checked, Error> {
    let time_limit = Some(args.time_limit)
        .filter(|t| t.is_finite() && *t > 0.0 && *t <= MAX_TIME_LIMIT)
        .and_then(|t| Duration::try_from_secs_f64(t).ok())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--time-limit {} must be a positive number of seconds, at most {MAX_TIME_LIMIT}",
                args.time_limit
            ))
        })?;
    if !(0.0..1.0).contains(&args.gap) {
        return Err(Error::Usage(format!(
            "--gap {} must be at least 0 and below 1 (a relative gap: 0.01 = 1 %)",
            args.gap
        )));
    }
    let freeze_until = args
        .freeze_until
        .as_deref()
        .map(|when| super::instant_flag("--freeze-until", when, now))
        .transpose()?;
    Ok(Checked {
        time_limit,
        gap: args.gap,
        freeze_until,
    })
}

/// An event whose SEQUENCE is at its largest cannot be updated any more: a calendar
/// client ignores an update whose SEQUENCE does not grow, and wrapping to 0 would look
/// older still. Only a tampered file gets there (four billion changes of one event), so
/// it is refused with the way out rather than saturated silently.
fn check_sequences(old: &Schedule, path: &Path) -> Result<(), Error> {
    match old.shifts.iter().find(|s| s.sequence == u32::MAX) {
        None => Ok(()),
        Some(shift) => Err(Error::Schedule {
            path: path.to_path_buf(),
            message: format!(
                "event {} has SEQUENCE {}, the largest there is, so no update of it would \
                 reach calendars; solve with --fresh (and without --previous) to publish new events",
                shift.uid,
                u32::MAX
            ),
        }),
    }
}

/// The solver's messages already say what happened and what to do; they become errors
/// with the exit code of their kind (3 infeasible, 4 no solution in time, 1 internal).
fn solve_error(e: SolveError) -> Error {
    match e {
        SolveError::Infeasible(diagnosis) => Error::Infeasible(format!("error: {diagnosis}")),
        SolveError::NoSolution(detail) => Error::NoSolution(format!("error: {detail}")),
        SolveError::Internal(detail) => Error::Internal(detail),
    }
}

/// What changed against the previous schedule, grouped by member.
/// Times are shown in the team's zone.
fn changes(old: &Schedule, new: &Schedule, path: &Path, zone: chrono_tz::Tz) -> String {
    let diff = super::diff::diff(old, new);
    if diff.changed == 0 {
        return format!("no shift changed against {}\n", path.display());
    }
    let mut text = format!("compared with {}:\n", path.display());
    text.push_str(&diff.render_in(zone));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// How many past shifts were kept, those the re-solve could not keep, and old seats that
/// fit no shift any more.
fn matching_notes(
    problem: &crate::problem::Problem,
    matching: &crate::schedule::previous::Matching,
    freeze_until: DateTime<Utc>,
) -> String {
    let mut text = String::new();
    let frozen = matching.previous.frozen.iter().filter(|&&f| f).count();
    if frozen > 0 {
        text.push_str(&format!(
            "kept {frozen} shifts starting before {} as they were\n",
            freeze_until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
    }
    for thawed in &matching.thawed {
        text.push_str(&format!("note: {}\n", thawed.describe(problem)));
    }
    if matching.unmatched_old > 0 {
        text.push_str(&format!(
            "note: {} seats of the previous schedule match no shift of this config (its period or rotation changed)\n",
            matching.unmatched_old
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> SolveArgs {
        use clap::Parser;
        #[derive(Parser)]
        struct Solve {
            #[command(flatten)]
            args: SolveArgs,
        }
        let mut argv = vec!["solve", "team.toml"];
        argv.extend(extra);
        Solve::try_parse_from(argv).expect("valid arguments").args
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-02-03T12:00:00Z")
            .expect("valid instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn defaults_are_accepted() {
        let c = check_args(&args(&[]), now()).expect("defaults are valid");
        assert_eq!(c.time_limit, Duration::from_secs(10));
        assert_eq!(c.freeze_until, None);
    }

    #[test]
    fn bad_time_limits_are_usage_errors() {
        for t in ["0", "-1", "inf", "NaN", "1e300", "1e19", "31536001"] {
            let arg = format!("--time-limit={t}");
            let err = check_args(&args(&[&arg]), now()).expect_err(t);
            assert!(matches!(err, Error::Usage(_)), "{t}: {err:?}");
        }
    }

    #[test]
    fn gap_must_be_in_zero_to_one() {
        for g in ["-0.1", "1", "2", "NaN"] {
            let arg = format!("--gap={g}");
            let err = check_args(&args(&[&arg]), now()).expect_err(g);
            assert!(matches!(err, Error::Usage(_)), "{g}: {err:?}");
        }
        assert!(check_args(&args(&["--gap", "0"]), now()).is_ok());
        assert!(check_args(&args(&["--gap", "0.05"]), now()).is_ok());
    }

    #[test]
    fn freeze_until_now_is_now() {
        let c = check_args(&args(&["--previous", "old.json"]), now()).expect("valid");
        assert_eq!(c.freeze_until, None);
        let c = check_args(
            &args(&["--previous", "old.json", "--freeze-until", "now"]),
            now(),
        )
        .expect("valid");
        assert_eq!(c.freeze_until, Some(now()));
    }

    #[test]
    fn freeze_until_takes_rfc3339_with_offset() {
        let c = check_args(
            &args(&[
                "--previous",
                "old.json",
                "--freeze-until",
                "2027-02-01T10:00:00+01:00",
            ]),
            now(),
        )
        .expect("valid");
        let want = DateTime::parse_from_rfc3339("2027-02-01T09:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(c.freeze_until, Some(want));
    }

    #[test]
    fn freeze_until_errors() {
        let err = check_args(
            &args(&["--previous", "old.json", "--freeze-until", "tomorrow"]),
            now(),
        )
        .expect_err("not an instant");
        assert!(matches!(err, Error::Usage(_)));
    }

    #[test]
    fn fresh_and_previous_and_the_budgets_exclude_each_other() {
        use clap::Parser;
        #[derive(Parser)]
        struct Solve {
            #[command(flatten)]
            args: SolveArgs,
        }
        for argv in [
            &["solve", "t.toml", "--fresh", "--previous", "x.json"][..],
            &["solve", "t.toml", "--max-moves", "3", "--rebalance"][..],
        ] {
            assert!(Solve::try_parse_from(argv).is_err(), "{argv:?}");
        }
    }

    #[test]
    fn a_schedule_of_another_name_or_uid_domain_is_another_teams() {
        let mut config = crate::testkit::fixture::config();
        let mut schedule = crate::testkit::fixture::solved();
        assert!(!schedule.shifts.is_empty());
        assert_eq!(other_team(&config, &schedule), None);
        let domain = std::mem::replace(&mut config.team.uid_domain, "other.example".into());
        assert_eq!(
            other_team(&config, &schedule),
            Some(format!("uid_domain {domain:?}"))
        );
        schedule.team = "Someone Else".into();
        assert_eq!(
            other_team(&config, &schedule).as_deref(),
            Some("team \"Someone Else\"")
        );
    }

    #[test]
    fn solve_errors_keep_their_exit_codes() {
        use crate::error::exit_code;
        let code = |e| solve_error(e).exit_code();
        assert_eq!(
            code(SolveError::Infeasible("x".into())),
            exit_code::INFEASIBLE
        );
        assert_eq!(
            code(SolveError::NoSolution("x".into())),
            exit_code::NO_SOLUTION
        );
        assert_eq!(code(SolveError::Internal("x".into())), exit_code::INTERNAL);
    }
}
