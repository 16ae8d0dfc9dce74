//! `rota export pagerduty|opsgenie|csv SCHEDULE`: a schedule.json in the form the tools
//! that page people take — the request bodies of PagerDuty's and Opsgenie's schedule
//! override APIs — or as CSV for a spreadsheet.
//!
//! Only shifts that end after `--from` (default now) are exported, so sending an export
//! never rewrites who was on call in the past. An override for a shift under way at
//! `--from` runs from `--from` to the shift's end; a CSV row keeps the whole shift, since
//! it records the shift as scheduled (with its points). Everything is rendered in memory
//! and checked (every holder has a user, one person at a time) before anything is written.

mod csv;
mod opsgenie;
mod pagerduty;
mod user_map;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;

use crate::config::suggest;
use crate::error::Error;
use crate::output::atomic;
use crate::schedule::{Schedule, ShiftOut};

use user_map::UserMap;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The JSON body of PagerDuty's "create overrides" request for one layer.
    Pagerduty(PagerdutyArgs),
    /// Opsgenie "create schedule override" request bodies for one layer (a JSON list).
    Opsgenie(OpsgenieArgs),
    /// Shifts as CSV: layer, start and end in UTC and the team's zone, member, name,
    /// email, points.
    Csv(CsvArgs),
}

/// What every export takes.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// A schedule.json written by `rota solve`.
    pub schedule: PathBuf,
    /// RFC 3339 instant or `now`: export only shifts that end after it.
    #[arg(long, value_name = "WHEN", default_value = "now")]
    pub from: String,
    /// The layer to export (needed when the schedule has more than one for overrides,
    /// which fill one schedule of the paging tool).
    #[arg(long)]
    pub layer: Option<String>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PagerdutyArgs {
    #[command(flatten)]
    pub common: Common,
    /// TOML file mapping member ids to PagerDuty user ids: `alice = "PXPGF42"`.
    #[arg(long, value_name = "FILE")]
    pub user_map: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct OpsgenieArgs {
    #[command(flatten)]
    pub common: Common,
    /// TOML file mapping member ids to Opsgenie usernames (emails) or user ids.
    #[arg(long, value_name = "FILE")]
    pub user_map: PathBuf,
    /// Override only this rotation of the Opsgenie schedule (repeatable); default: all.
    #[arg(long, value_name = "NAME")]
    pub rotation: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct CsvArgs {
    #[command(flatten)]
    pub common: Common,
    /// The team's config: names, emails and the team's time zone.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
}

pub fn run(command: &ExportCommand, now: DateTime<Utc>) -> Result<(), Error> {
    let (common, export) = match command {
        ExportCommand::Pagerduty(args) => {
            let (schedule, from) = read(&args.common, now)?;
            let stretches = one_layer(&schedule, &args.common, from, "PagerDuty")?;
            let map = UserMap::read(&args.user_map)?;
            let users = map.users_of(&stretches, "PagerDuty")?;
            let text = pagerduty::body(&stretches, &users)?;
            (&args.common, Export::overrides(text, &stretches, from))
        }
        ExportCommand::Opsgenie(args) => {
            let (schedule, from) = read(&args.common, now)?;
            let stretches = one_layer(&schedule, &args.common, from, "Opsgenie")?;
            let map = UserMap::read(&args.user_map)?;
            let users = map.users_of(&stretches, "Opsgenie")?;
            let text = opsgenie::bodies(&stretches, &users, &args.rotation)?;
            (&args.common, Export::overrides(text, &stretches, from))
        }
        ExportCommand::Csv(args) => {
            let (schedule, from) = read(&args.common, now)?;
            let config = crate::config::load(&args.config)?;
            if config.team.name != schedule.team {
                return Err(Error::Usage(format!(
                    "{} is the schedule of team {:?}, but {} is team {:?}'s",
                    args.common.schedule.display(),
                    schedule.team,
                    args.config.display(),
                    config.team.name
                )));
            }
            let layer = match &args.common.layer {
                Some(name) => Some(known_layer(&schedule, &args.common.schedule, name)?),
                None => None,
            };
            let shifts: Vec<&ShiftOut> = schedule
                .shifts
                .iter()
                .filter(|s| s.end > from && layer.is_none_or(|l| s.layer == l))
                .collect();
            let text = csv::render(&shifts, &config)?;
            let what = format!("{} shift{}", shifts.len(), plural(shifts.len()));
            (&args.common, Export { text, what })
        }
    };
    write(common, &export)
}

/// A rendered export and what it holds, for the line printed after writing it to a file.
struct Export {
    text: String,
    what: String,
}

impl Export {
    fn overrides(text: String, stretches: &[Stretch<'_>], from: DateTime<Utc>) -> Export {
        let n = stretches.len();
        let layer = stretches.first().map_or("", |s| s.shift.layer.as_str());
        let what = match (stretches.first(), stretches.last()) {
            (Some(first), Some(last)) => format!(
                "{n} override{} of {layer}, {} to {}",
                plural(n),
                rfc3339(first.start),
                rfc3339(last.end)
            ),
            _ => format!("no override: no shift ends after {}", rfc3339(from)),
        };
        Export { text, what }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The schedule and the instant `--from` names.
fn read(common: &Common, now: DateTime<Utc>) -> Result<(Schedule, DateTime<Utc>), Error> {
    let from = super::instant_flag("--from", &common.from, now)?;
    Ok((Schedule::read(&common.schedule)?, from))
}

fn write(common: &Common, export: &Export) -> Result<(), Error> {
    match &common.out {
        None => super::print(&export.text),
        Some(path) => {
            atomic::write_file(path, &export.text)?;
            super::print(&format!("wrote {} to {}\n", export.what, path.display()))
        }
    }
}

/// One person on call for one stretch of time: a shift, or its part from `--from` on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stretch<'a> {
    pub(crate) shift: &'a ShiftOut,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

/// The stretches of the one layer an override export covers, in time order.
///
/// A paging tool's schedule has one person on call at a time and its overrides replace
/// each other, so a layer with several people on each shift cannot be exported as one.
fn one_layer<'s>(
    schedule: &'s Schedule,
    common: &Common,
    from: DateTime<Utc>,
    tool: &str,
) -> Result<Vec<Stretch<'s>>, Error> {
    let path = &common.schedule;
    let layer = match &common.layer {
        Some(name) => known_layer(schedule, path, name)?,
        None => match layers(schedule).as_slice() {
            [one] => one,
            [] => {
                return Err(Error::Usage(format!(
                    "{} has no shifts to export",
                    path.display()
                )));
            }
            many => {
                return Err(Error::Usage(format!(
                    "{} has layers {}; a {tool} schedule follows one of them: choose it with --layer {}",
                    path.display(),
                    many.join(", "),
                    many[0]
                )));
            }
        },
    };
    let stretches = stretches(schedule, layer, from);
    if let Some(pair) = stretches.windows(2).find(|w| w[1].start < w[0].end) {
        return Err(Error::Usage(format!(
            "layer {layer} has more than one person on call at once ({} and {} from {}); \
             a {tool} override puts one person on a schedule, so this layer cannot be exported",
            pair[0].shift.member,
            pair[1].shift.member,
            rfc3339(pair[1].start)
        )));
    }
    Ok(stretches)
}

/// The layer's shifts that end after `from`, those under way cut to start at `from`,
/// sorted by start.
pub(crate) fn stretches<'s>(
    schedule: &'s Schedule,
    layer: &str,
    from: DateTime<Utc>,
) -> Vec<Stretch<'s>> {
    let mut out: Vec<Stretch<'s>> = schedule
        .shifts
        .iter()
        .filter(|s| s.layer == layer && s.end > from)
        .map(|shift| Stretch {
            shift,
            start: shift.start.max(from),
            end: shift.end,
        })
        .collect();
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// The schedule's layers in the order they first appear.
fn layers(schedule: &Schedule) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for shift in &schedule.shifts {
        if !out.contains(&shift.layer.as_str()) {
            out.push(&shift.layer);
        }
    }
    out
}

/// `name` if the schedule has that layer, else an error with the closest one.
fn known_layer<'s>(schedule: &'s Schedule, path: &Path, name: &str) -> Result<&'s str, Error> {
    let known = layers(schedule);
    if let Some(layer) = known.iter().find(|l| **l == name) {
        return Ok(layer);
    }
    let hint = suggest::did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("its layers: {}", known.join(", ")));
    Err(Error::Usage(format!(
        "--layer {name}: {} has no layer {name:?}; {hint}",
        path.display()
    )))
}

/// Pretty-printed JSON with a trailing newline.
fn json(value: &impl serde::Serialize) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("cannot serialize the export: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// RFC 3339 in UTC with a `Z`, to the second: `2027-01-04T15:00:00Z`.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Duration;

    use super::*;
    use crate::testkit::weeks::{schedule_of, seat, t0};

    fn common(layer: Option<&str>) -> Common {
        Common {
            schedule: PathBuf::from("out/schedule.json"),
            from: "now".into(),
            layer: layer.map(str::to_owned),
            out: None,
        }
    }

    fn day(n: i64) -> DateTime<Utc> {
        t0() + Duration::days(n)
    }

    /// Layer `p` (ann on the first day from [`t0`], ben on the second) from `from` on, as
    /// `render` writes it for these users, read back as JSON.
    pub(super) fn exported(
        from: DateTime<Utc>,
        users: &[(&str, &str)],
        render: impl FnOnce(&[Stretch<'_>], &BTreeMap<&str, &str>) -> Result<String, Error>,
    ) -> serde_json::Value {
        let schedule = schedule_of(vec![
            seat("p", day(0), day(1), "ann"),
            seat("p", day(1), day(2), "ben"),
        ]);
        let users = users.iter().copied().collect();
        let text = render(&stretches(&schedule, "p", from), &users).expect("renders");
        serde_json::from_str(&text).expect("JSON")
    }

    /// `primary`: ann, ben, ann on three days; `backup`: cat on all three.
    fn schedule() -> Schedule {
        schedule_of(vec![
            seat("primary", day(0), day(1), "ann"),
            seat("backup", day(0), day(3), "cat"),
            seat("primary", day(1), day(2), "ben"),
            seat("primary", day(2), day(3), "ann"),
        ])
    }

    #[test]
    fn stretches_start_at_from_and_skip_what_has_ended() {
        let s = schedule();
        let from = day(1) + Duration::hours(6);
        let got: Vec<_> = stretches(&s, "primary", from)
            .iter()
            .map(|x| (x.shift.member.as_str(), x.start, x.end))
            .collect();
        assert_eq!(got, [("ben", from, day(2)), ("ann", day(2), day(3))]);
        // At a handoff, the shift that just ended is not exported.
        assert_eq!(stretches(&s, "primary", day(1))[0].shift.member, "ben");
        assert!(stretches(&s, "primary", day(3)).is_empty());
    }

    #[test]
    fn overrides_need_a_layer_when_there_are_several() {
        let s = schedule();
        let err = one_layer(&s, &common(None), day(0), "PagerDuty").unwrap_err();
        assert!(
            err.to_string()
                .contains("has layers primary, backup; a PagerDuty schedule follows one of them: choose it with --layer primary"),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
        let got = one_layer(&s, &common(Some("backup")), day(0), "PagerDuty").expect("one layer");
        assert_eq!(got.len(), 1);
        let err = one_layer(&s, &common(Some("primray")), day(0), "PagerDuty").unwrap_err();
        assert!(
            err.to_string().contains("did you mean \"primary\"?"),
            "{err}"
        );
    }

    #[test]
    fn a_layer_with_two_people_at_once_is_refused() {
        let s = schedule_of(vec![
            seat("pair", day(0), day(1), "ann"),
            seat("pair", day(0), day(1), "ben"),
        ]);
        let err = one_layer(&s, &common(None), day(0), "Opsgenie").unwrap_err();
        assert!(
            err.to_string()
                .contains("layer pair has more than one person on call at once (ann and ben from 2027-01-04T10:00:00Z)"),
            "{err}"
        );
    }
}
