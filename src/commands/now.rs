//! `rota now CONFIG_OR_SCHEDULE [--at WHEN] [--json]`: who is on call at one instant.
//!
//! Per layer: the holders, since and until when they hold it, and who takes over next. The
//! same [`on_call`] answers `rota serve`'s `/now.json` and its index page, so the command
//! line and the server cannot disagree.
//!
//! "Since" and "until" bound the stretch of time with the same holders, not one shift: a
//! member on call Monday and Tuesday of a daily rotation holds it since Monday. Shifts are
//! half-open (`[start, end)`), so at a handoff instant the incoming holder is on call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::Env;
use crate::config::{Config, limits};
use crate::error::Error;
use crate::schedule::{Schedule, ShiftOut};

#[derive(Debug, clap::Args)]
pub struct NowArgs {
    /// A config (its schedule is read from out/schedule.json, or --schedule) or a schedule.json.
    pub input: PathBuf,
    /// RFC 3339 instant or `now` (the default; SOURCE_DATE_EPOCH when set).
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// The schedule.json the config was solved to, if not out/schedule.json.
    #[arg(long, value_name = "FILE")]
    pub schedule: Option<PathBuf>,
    /// Print JSON (the same document as `rota serve`'s /now.json).
    #[arg(long)]
    pub json: bool,
}

/// Who is on call at one instant, per layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCall {
    pub team: String,
    pub at: DateTime<Utc>,
    /// In config order when the config is known, else in order of first shift.
    pub layers: Vec<LayerOnCall>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerOnCall {
    pub layer: String,
    /// The layer's zone, when the config is known; times are shown in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Empty when nobody is on call (before the period, after it, or between the windows
    /// of a `window` rotation).
    pub holders: Vec<Person>,
    /// When these holders took over; none before the first shift.
    pub since: Option<DateTime<Utc>>,
    /// When they hand over; none after the last shift.
    pub until: Option<DateTime<Utc>>,
    /// The next people on call (after a stretch with nobody, if there is one).
    pub next: Vec<Person>,
    /// When `next` take over: `until`, or later when nobody is on call in between.
    pub next_from: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// What the config adds to a schedule.json: names, layer order and zones. Without a
/// config, ids stand for names and times are in UTC.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    names: BTreeMap<String, String>,
    layers: Vec<(String, Tz)>,
    team_zone: Option<Tz>,
}

impl Roster {
    pub fn from_config(config: &Config) -> Roster {
        Roster {
            names: config
                .members
                .iter()
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect(),
            layers: config
                .layers
                .iter()
                .map(|l| (l.name.clone(), l.timezone))
                .collect(),
            team_zone: Some(config.team.timezone),
        }
    }

    /// The member's name, or the id when the config does not know it.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }

    /// The zone to show the team's times in.
    pub fn team_zone(&self) -> Tz {
        self.team_zone.unwrap_or(Tz::UTC)
    }

    /// The zone to show a layer's times in: its own, else the team's.
    pub fn zone(&self, layer: &str) -> Tz {
        self.layer_zone(layer).unwrap_or_else(|| self.team_zone())
    }

    fn layer_zone(&self, layer: &str) -> Option<Tz> {
        self.layers
            .iter()
            .find(|(l, _)| l == layer)
            .map(|(_, z)| *z)
    }

    fn person(&self, id: &str) -> Person {
        Person {
            id: id.to_owned(),
            name: self.name(id).to_owned(),
        }
    }
}

/// Who holds each layer of `schedule` at `at`.
pub fn on_call(schedule: &Schedule, roster: &Roster, at: DateTime<Utc>) -> OnCall {
    let mut layers: Vec<&str> = roster.layers.iter().map(|(l, _)| l.as_str()).collect();
    for shift in &schedule.shifts {
        if !layers.contains(&shift.layer.as_str()) {
            layers.push(&shift.layer);
        }
    }
    let layers = layers
        .into_iter()
        .filter_map(|layer| {
            let shifts: Vec<&ShiftOut> = schedule
                .shifts
                .iter()
                .filter(|s| s.layer == layer)
                .collect();
            // A layer the config has but the schedule does not (added since the solve).
            if shifts.is_empty() {
                return None;
            }
            let stretch = Timeline::new(&shifts).at(at);
            let people = |ids: &[&str]| ids.iter().map(|id| roster.person(id)).collect();
            Some(LayerOnCall {
                layer: layer.to_owned(),
                timezone: roster.layer_zone(layer).map(|z| z.name().to_owned()),
                holders: people(&stretch.holders),
                since: stretch.since,
                until: stretch.until,
                next: people(&stretch.next),
                next_from: stretch.next_from,
            })
        })
        .collect();
    OnCall {
        team: schedule.team.clone(),
        at,
        layers,
    }
}

/// One layer's shifts as a step function of time: between consecutive shift boundaries the
/// set of holders is constant.
struct Timeline<'s> {
    shifts: &'s [&'s ShiftOut],
    /// Every start and end, sorted, unique.
    bounds: Vec<DateTime<Utc>>,
}

/// The stretch of time around an instant with the same holders, and who follows it.
struct Stretch<'s> {
    holders: Vec<&'s str>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    next: Vec<&'s str>,
    next_from: Option<DateTime<Utc>>,
}

impl<'s> Timeline<'s> {
    fn new(shifts: &'s [&'s ShiftOut]) -> Timeline<'s> {
        let mut bounds: Vec<DateTime<Utc>> = shifts.iter().flat_map(|s| [s.start, s.end]).collect();
        bounds.sort();
        bounds.dedup();
        Timeline { shifts, bounds }
    }

    /// Interval `i` is `[bounds[i - 1], bounds[i])`; interval 0 is before the first bound
    /// and interval `bounds.len()` after the last, both with nobody on call.
    fn start(&self, i: usize) -> Option<DateTime<Utc>> {
        i.checked_sub(1).map(|j| self.bounds[j])
    }

    fn end(&self, i: usize) -> Option<DateTime<Utc>> {
        self.bounds.get(i).copied()
    }

    /// The holders throughout interval `i`, sorted.
    fn holders(&self, i: usize) -> Vec<&'s str> {
        let Some(t) = self.start(i) else {
            return Vec::new();
        };
        let mut ids: Vec<&str> = self
            .shifts
            .iter()
            .filter(|s| s.start <= t && t < s.end)
            .map(|s| s.member.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn at(&self, at: DateTime<Utc>) -> Stretch<'s> {
        let last = self.bounds.len();
        let current = self.bounds.partition_point(|b| *b <= at);
        let holders = self.holders(current);
        let mut first = current;
        while first > 0 && self.holders(first - 1) == holders {
            first -= 1;
        }
        let mut end = current;
        while end < last && self.holders(end + 1) == holders {
            end += 1;
        }
        let (next, next_from) = (end + 1..=last)
            .map(|i| (self.holders(i), self.start(i)))
            .find(|(h, _)| !h.is_empty())
            .unwrap_or_default();
        Stretch {
            holders,
            since: self.start(first),
            until: self.end(end),
            next,
            next_from,
        }
    }
}

/// The text `rota now` prints: a heading with the instant, then a line per layer.
pub fn render_text(on_call: &OnCall, roster: &Roster) -> String {
    let team_zone = roster.team_zone();
    let mut text = format!(
        "{} — on call at {}\n",
        on_call.team,
        local(on_call.at, team_zone)
    );
    let width = on_call
        .layers
        .iter()
        .map(|l| l.layer.chars().count())
        .max()
        .unwrap_or(0);
    for layer in &on_call.layers {
        let zone = roster.zone(&layer.layer);
        let when = |t: Option<DateTime<Utc>>| t.map(|t| local(t, zone));
        let mut line = format!("{:<width$}  ", layer.layer);
        if layer.holders.is_empty() {
            line.push_str("nobody");
        } else {
            line.push_str(&names(&layer.holders));
        }
        if let Some(since) = when(layer.since) {
            line.push_str(&format!(" since {since}"));
        }
        match when(layer.until) {
            Some(until) => line.push_str(&format!(" until {until}")),
            None => line.push_str(" (no later shift)"),
        }
        if let (false, Some(from)) = (layer.next.is_empty(), when(layer.next_from)) {
            let then = if layer.next_from == layer.until {
                format!("; then {}", names(&layer.next))
            } else {
                format!("; then {} from {from}", names(&layer.next))
            };
            line.push_str(&then);
        }
        text.push_str(&line);
        text.push('\n');
    }
    if on_call.layers.is_empty() {
        text.push_str("the schedule has no shifts\n");
    }
    text
}

/// `Ana Lopez, Bo Chen`.
pub(crate) fn names(people: &[Person]) -> String {
    people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Mon 2027-03-15 09:00 EDT`: people read handoffs in local time with the zone's
/// abbreviation, which also shows which side of a DST change a time is on.
pub(crate) fn local(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The JSON `rota now --json` prints and `/now.json` serves.
pub fn render_json(on_call: &OnCall) -> String {
    let mut text =
        serde_json::to_string_pretty(on_call).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub fn run(args: &NowArgs, env: &Env) -> Result<(), Error> {
    let at = match args.at.as_deref() {
        Some(text) => super::instant_flag("--at", text, env.now)?,
        None => env.now,
    };
    let (schedule, roster) = read_inputs(&args.input, args.schedule.as_deref())?;
    let now = on_call(&schedule, &roster, at);
    super::print(&if args.json {
        render_json(&now)
    } else {
        render_text(&now, &roster)
    })
}

/// A schedule.json given directly, or a config and the schedule it was solved to.
fn read_inputs(input: &Path, schedule: Option<&Path>) -> Result<(Schedule, Roster), Error> {
    if is_schedule_file(input) {
        if schedule.is_some() {
            return Err(Error::Usage(format!(
                "--schedule is for a config; {} is already a schedule.json",
                input.display()
            )));
        }
        return Ok((Schedule::read(input)?, Roster::default()));
    }
    let config = crate::config::load(input)?;
    let path = schedule.map_or_else(|| PathBuf::from("out/schedule.json"), Path::to_path_buf);
    if schedule.is_none() && !path.is_file() {
        return Err(Error::Usage(format!(
            "{} has no schedule yet: run `rota solve {}` (it writes out/schedule.json), \
             or give the one it was solved to with --schedule FILE",
            input.display(),
            input.display()
        )));
    }
    let schedule = Schedule::read(&path)?;
    if schedule.config_sha256 != config.sha256 {
        eprintln!(
            "note: {} was solved from another version of {}; names and zones are the config's",
            path.display(),
            input.display()
        );
    }
    Ok((schedule, Roster::from_config(&config)))
}

/// A `.json` file, or one whose first character opens a JSON object; configs are TOML.
fn is_schedule_file(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return true;
    }
    // Within the config's limit: a larger file is no config, and is read (and refused)
    // as a schedule.
    match limits::read_bytes(path, limits::CONFIG_FILE) {
        Ok(bytes) => bytes.into_iter().find(|b| !b.is_ascii_whitespace()) == Some(b'{'),
        Err(limits::ReadError::TooLarge(_)) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid instant")
            .with_timezone(&Utc)
    }

    fn shift(layer: &str, start: &str, end: &str, member: &str) -> ShiftOut {
        ShiftOut {
            layer: layer.into(),
            start: t(start),
            end: t(end),
            member: member.into(),
            points: 1.0,
            uid: format!("{layer}-{start}"),
            sequence: 0,
            modified: None,
        }
    }

    /// A daily layer (ana, ana, bo), a night window layer with a gap, and a two-seat layer.
    fn schedule() -> Schedule {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/schedule.json"),
        )
        .expect("fixture");
        let mut schedule: Schedule = serde_json::from_str(&text).expect("schedule");
        schedule.shifts = vec![
            shift("day", "2027-03-01T09:00:00Z", "2027-03-02T09:00:00Z", "ana"),
            shift(
                "night",
                "2027-03-01T22:00:00Z",
                "2027-03-02T06:00:00Z",
                "cy",
            ),
            shift("pair", "2027-03-01T09:00:00Z", "2027-03-08T09:00:00Z", "bo"),
            shift(
                "pair",
                "2027-03-01T09:00:00Z",
                "2027-03-08T09:00:00Z",
                "ana",
            ),
            shift("day", "2027-03-02T09:00:00Z", "2027-03-03T09:00:00Z", "ana"),
            shift(
                "night",
                "2027-03-02T22:00:00Z",
                "2027-03-03T06:00:00Z",
                "dee",
            ),
            shift("day", "2027-03-03T09:00:00Z", "2027-03-04T09:00:00Z", "bo"),
        ];
        schedule
    }

    fn layer<'a>(now: &'a OnCall, name: &str) -> &'a LayerOnCall {
        now.layers
            .iter()
            .find(|l| l.layer == name)
            .expect("layer listed")
    }

    fn ids(people: &[Person]) -> Vec<&str> {
        people.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn a_run_of_shifts_with_one_holder_is_one_stretch() {
        let schedule = schedule();
        let now = on_call(&schedule, &Roster::default(), t("2027-03-02T12:00:00Z"));
        let day = layer(&now, "day");
        assert_eq!(ids(&day.holders), ["ana"]);
        assert_eq!(day.since, Some(t("2027-03-01T09:00:00Z")));
        assert_eq!(day.until, Some(t("2027-03-03T09:00:00Z")));
        assert_eq!(ids(&day.next), ["bo"]);
        assert_eq!(day.next_from, day.until);
        // Layers in order of first shift without a config.
        let order: Vec<&str> = now.layers.iter().map(|l| l.layer.as_str()).collect();
        assert_eq!(order, ["day", "night", "pair"]);
    }

    #[test]
    fn the_incoming_holder_is_on_call_at_the_handoff_instant() {
        let schedule = schedule();
        let roster = Roster::default();
        let before = on_call(&schedule, &roster, t("2027-03-03T08:59:59Z"));
        let at = on_call(&schedule, &roster, t("2027-03-03T09:00:00Z"));
        assert_eq!(ids(&layer(&before, "day").holders), ["ana"]);
        assert_eq!(ids(&layer(&at, "day").holders), ["bo"]);
        assert_eq!(layer(&at, "day").since, Some(t("2027-03-03T09:00:00Z")));
        assert_eq!(layer(&at, "day").until, Some(t("2027-03-04T09:00:00Z")));
        assert!(layer(&at, "day").next.is_empty());
        assert_eq!(layer(&at, "day").next_from, None);
    }

    #[test]
    fn between_windows_nobody_is_on_call_and_the_next_window_is_named() {
        let schedule = schedule();
        let now = on_call(&schedule, &Roster::default(), t("2027-03-02T12:00:00Z"));
        let night = layer(&now, "night");
        assert!(night.holders.is_empty());
        assert_eq!(night.since, Some(t("2027-03-02T06:00:00Z")));
        assert_eq!(night.until, Some(t("2027-03-02T22:00:00Z")));
        assert_eq!(ids(&night.next), ["dee"]);
        assert_eq!(night.next_from, Some(t("2027-03-02T22:00:00Z")));

        let early = on_call(&schedule, &Roster::default(), t("2027-02-01T00:00:00Z"));
        let night = layer(&early, "night");
        assert!(night.holders.is_empty());
        assert_eq!(night.since, None);
        assert_eq!(ids(&night.next), ["cy"]);

        let late = on_call(&schedule, &Roster::default(), t("2027-04-01T00:00:00Z"));
        let day = layer(&late, "day");
        assert!(day.holders.is_empty() && day.next.is_empty());
        assert_eq!(day.since, Some(t("2027-03-04T09:00:00Z")));
        assert_eq!(day.until, None);
    }

    #[test]
    fn every_seat_of_a_shift_is_a_holder() {
        let schedule = schedule();
        let now = on_call(&schedule, &Roster::default(), t("2027-03-05T00:00:00Z"));
        assert_eq!(ids(&layer(&now, "pair").holders), ["ana", "bo"]);
    }

    #[test]
    fn text_names_holders_and_the_next_handoff() {
        let schedule = schedule();
        let roster = Roster::default();
        let text = render_text(
            &on_call(&schedule, &roster, t("2027-03-02T12:00:00Z")),
            &roster,
        );
        assert!(text.starts_with("Report Team — on call at Tue 2027-03-02 12:00 UTC\n"));
        assert!(
            text.contains(
                "day    ana since Mon 2027-03-01 09:00 UTC until Wed 2027-03-03 09:00 UTC; then bo\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("night  nobody since Tue 2027-03-02 06:00 UTC until Tue 2027-03-02 22:00 UTC; then dee\n"),
            "{text}"
        );
    }
}
