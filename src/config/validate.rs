//! `RawConfig` → `Config`: defaults applied, slugs and uniqueness checked, references
//! (holiday sets, members, layers) resolved, and referenced files (.ics, history) read.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::diagnostic::{Diagnostic, line_col};
use super::fields::Sp;
use super::limits::{self, FileKind};
use super::model::{
    Config, DEFAULT_HISTORY_MONTHS, EarlierSeat, Eligibility, Fairness, Layer, Member, Period, Pin,
    Team, TimeWindow, WeekdaySet, slugify, team_slug,
};
use super::raw::{HolidaySource, RawConfig, RawEligible, RawHolidaySet};
use super::{history, holidays, suggest};

/// Reads a file the config refers to; the edge where validation touches the disk.
pub(crate) type ReadFile<'a> = &'a dyn Fn(&Path, FileKind) -> io::Result<String>;

/// Everything `validate` needs besides the raw config.
pub(crate) struct Context<'a> {
    pub(crate) path: &'a Path,
    pub(crate) source: &'a str,
    pub(crate) sha256: String,
    pub(crate) read: ReadFile<'a>,
}

impl Context<'_> {
    /// A path written in the config, relative to the config's folder.
    fn resolve(&self, relative: &str) -> PathBuf {
        let rel = Path::new(relative);
        if rel.is_absolute() {
            return rel.to_path_buf();
        }
        match self.path.parent() {
            Some(dir) => dir.join(rel),
            None => rel.to_path_buf(),
        }
    }
}

/// Checks a member id or layer name against [`limits::check_id`] (`extra` = allowed
/// punctuation besides `a-z0-9`): each becomes `calendars/NAME.ics` and a URL of `serve`.
fn check_slug(value: &Sp<String>, what: &str, extra: &str, diags: &mut Vec<Diagnostic>) -> bool {
    let s = value.get_ref();
    let Err(why) = limits::check_id(s, extra) else {
        return true;
    };
    let pattern = limits::id_pattern(extra);
    let mut fixed: String = slugify(s)
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(limits::MAX_ID_CHARS)
        .collect();
    while fixed.ends_with('-') {
        fixed.pop();
    }
    let help = if fixed.is_empty() || fixed == *s {
        format!("a {what} matches {pattern}: it names a file and a URL")
    } else {
        format!("a {what} matches {pattern}: try \"{fixed}\"")
    };
    // A long value is not repeated whole in the message; the snippet shows it.
    let shown: String = s.chars().take(limits::MAX_ID_CHARS).collect();
    let ellipsis = if shown.len() < s.len() { "…" } else { "" };
    diags.push(
        Diagnostic::new(
            value.span(),
            format!("\"{shown}{ellipsis}\" is not a valid {what}: {why}"),
        )
        .label(format!("expected {pattern}"))
        .help(help),
    );
    false
}

/// Layers and members each get `calendars/NAME.ics` next to `calendars/team.ics`, so
/// their names must not collide with each other or with `team`.
fn check_calendar_names(
    layers: &[&Sp<String>],
    members: &[&Sp<String>],
    diags: &mut Vec<Diagnostic>,
) {
    for name in layers.iter().chain(members) {
        if name.get_ref() == "team" {
            diags.push(
                Diagnostic::new(name.span(), "\"team\" is reserved")
                    .label("reserved name")
                    .help("calendars/team.ics holds every shift; choose another name"),
            );
        }
    }
    for layer in layers {
        if members.iter().any(|m| m.get_ref() == layer.get_ref()) {
            diags.push(
                Diagnostic::new(
                    layer.span(),
                    format!(
                        "layer \"{}\" has the same name as a member",
                        layer.get_ref()
                    ),
                )
                .label("also a member id")
                .help(format!(
                    "both would be written to calendars/{}.ics; rename the layer",
                    layer.get_ref()
                )),
            );
        }
    }
}

/// Reports the second and later uses of a name; returns the names seen first, in order.
fn check_unique<'a>(
    names: impl IntoIterator<Item = &'a Sp<String>>,
    what: &str,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<&str, Range<usize>> = BTreeMap::new();
    for name in names {
        if let Some(first) = seen.get(name.get_ref().as_str()) {
            let line = line_col(source, first.start).0;
            diags.push(
                Diagnostic::new(
                    name.span(),
                    format!("duplicate {what} \"{}\"", name.get_ref()),
                )
                .label("used before")
                .help(format!(
                    "{what}s must be unique; \"{}\" is first defined on line {line}",
                    name.get_ref()
                )),
            );
        } else {
            seen.insert(name.get_ref(), name.span());
        }
    }
}

/// Known names of one kind; `complete` is false when some entry had no readable name,
/// so a reference that matches none of them may just be that entry's.
struct Names<'a> {
    what: &'static str,
    names: Vec<&'a str>,
    complete: bool,
}

impl Names<'_> {
    /// Index of `value` among the names, or `None` (reported when surely unknown).
    fn find(&self, value: &Sp<String>, diags: &mut Vec<Diagnostic>) -> Option<usize> {
        let found = self.names.iter().position(|n| *n == value.get_ref());
        if found.is_none() && self.complete {
            unknown(value, self.what, &self.names, diags);
        }
        found
    }
}

/// An unknown reference, with the closest known name as the fix.
fn unknown(value: &Sp<String>, what: &str, known: &[&str], diags: &mut Vec<Diagnostic>) {
    let help = suggest::did_you_mean(value.get_ref(), known.iter().copied()).unwrap_or_else(|| {
        if known.is_empty() {
            format!("no {what} is defined")
        } else {
            format!("known {what}s: {}", known.join(", "))
        }
    });
    diags.push(
        Diagnostic::new(
            value.span(),
            format!("unknown {what} \"{}\"", value.get_ref()),
        )
        .label(format!("no such {what}"))
        .help(help),
    );
}

/// A calendar template that inserts `{email}` needs one for everyone who can be on call:
/// an event whose SUMMARY is empty maps to nobody in a paging tool, silently.
fn check_emails(
    template: &Range<usize>,
    members: &[Member],
    layers: &[Layer],
    diags: &mut Vec<Diagnostic>,
) {
    let missing: Vec<&str> = members
        .iter()
        .filter(|m| m.email.is_none() && layers.iter().any(|l| l.eligible.admits(m)))
        .map(|m| m.id.as_str())
        .collect();
    if missing.is_empty() {
        return;
    }
    let who = match missing.as_slice() {
        [one] => format!("member \"{one}\" has"),
        many => format!("{} members have", many.len()),
    };
    diags.push(
        Diagnostic::new(
            template.clone(),
            format!("the calendar template uses {{email}}, but {who} no email"),
        )
        .label("uses {email}")
        .help(format!(
            "give {} an `email`, or use {{id}} or {{name}} instead",
            missing.join(", ")
        )),
    );
}

/// Loads every holiday set: dates written in the config, or the events of an .ics file.
fn holiday_sets(
    sets: Vec<RawHolidaySet>,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, BTreeSet<NaiveDate>> {
    let mut out = BTreeMap::new();
    for set in sets {
        let dates = match set.source {
            HolidaySource::Dates(d) => d,
            HolidaySource::Ics(file) => {
                let path = ctx.resolve(file.get_ref());
                match (ctx.read)(&path, limits::ICS_FILE) {
                    Err(e) => {
                        diags.push(
                            Diagnostic::new(
                                file.span(),
                                format!("cannot read holiday file {}: {e}", path.display()),
                            )
                            .label("cannot read this file")
                            .help("the path is relative to the config file's folder"),
                        );
                        // Keep the name so references to it are not reported as unknown too.
                        BTreeSet::new()
                    }
                    Ok(text) => match holidays::parse_ics(&text) {
                        Ok(d) => d,
                        Err(e) => {
                            diags.push(
                                Diagnostic::new(file.span(), e.message)
                                    .label("here")
                                    .maybe_help(e.help)
                                    .in_file(&path, &text, e.span.start),
                            );
                            BTreeSet::new()
                        }
                    },
                }
            }
        };
        out.insert(set.name.into_inner(), dates);
    }
    out
}

/// The named holiday sets exist; returns their names as given.
fn check_sets(
    names: &[Sp<String>],
    sets: &BTreeMap<String, BTreeSet<NaiveDate>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let known: Vec<&str> = sets.keys().map(String::as_str).collect();
    for name in names {
        if !sets.contains_key(name.get_ref()) {
            unknown(name, "holiday set", &known, diags);
        }
    }
    names.iter().map(|n| n.get_ref().clone()).collect()
}

/// A layer's `eligible`: every member named exists, and every tag is some member's (a
/// misspelled tag would otherwise admit nobody, silently).
fn eligibility(
    raw: &RawEligible,
    ids: &Names<'_>,
    tags: &Names<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Eligibility {
    for id in raw.members.iter().chain(&raw.exclude) {
        ids.find(id, diags);
    }
    for tag in raw.any_tags.iter().chain(&raw.all_tags) {
        tags.find(tag, diags);
    }
    let plain = |v: &[Sp<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
    Eligibility {
        any_tags: plain(&raw.any_tags),
        all_tags: plain(&raw.all_tags),
        members: plain(&raw.members),
        exclude: plain(&raw.exclude),
    }
}

/// What `[fairness]` history and adjustments add up to.
struct History {
    /// Every listed file, resolved.
    paths: Vec<PathBuf>,
    /// The listed files outside the window.
    ignored: Vec<PathBuf>,
    points: BTreeMap<String, f64>,
    earlier: Vec<EarlierSeat>,
}

/// Σ points per member of every history file within the window, then the manual
/// adjustments; the seats of those files. A file counts while its period ends after
/// `window_start` (`None`: every file counts).
fn history(
    files: &[Sp<String>],
    window_start: Option<NaiveDate>,
    adjust: &[(Sp<String>, f64)],
    ids: &Names<'_>,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> History {
    let mut out = History {
        paths: Vec::new(),
        ignored: Vec::new(),
        points: BTreeMap::new(),
        earlier: Vec::new(),
    };
    for file in files {
        let path = ctx.resolve(file.get_ref());
        match (ctx.read)(&path, limits::SCHEDULE_FILE) {
            Err(e) => diags.push(
                Diagnostic::new(file.span(), format!("cannot read history file {}: {e}", path.display()))
                    .label("cannot read this file")
                    .help("history files are earlier schedule.json files; the path is relative to the config file's folder"),
            ),
            Ok(text) => match history::read(&text, file.get_ref()) {
                Ok(read) if window_start.is_some_and(|w| read.period_end <= w) => {
                    out.ignored.push(path.clone());
                }
                Ok(read) => {
                    for (id, x) in read.points {
                        *out.points.entry(id).or_insert(0.0) += x;
                    }
                    out.earlier.extend(read.seats);
                }
                Err(e) => diags.push(
                    Diagnostic::new(file.span(), e.message)
                        .label("here")
                        .help("history files must be schedule.json files written by `rota solve`")
                        .in_file(&path, &text, e.span.start),
                ),
            },
        }
        out.paths.push(path);
    }
    for (member, x) in adjust {
        if ids.find(member, diags).is_some() {
            *out.points.entry(member.get_ref().clone()).or_insert(0.0) += x;
        }
    }
    out
}

/// The first day whose history still counts: `months` before `start`, or `None` for 0
/// (no window).
pub(crate) fn history_window(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    (months > 0).then(|| {
        start
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(NaiveDate::MIN)
    })
}

/// Builds the validated config, or pushes what is wrong and returns `None`.
pub(crate) fn validate(
    raw: RawConfig,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    let sets = holiday_sets(raw.holidays, ctx, diags);
    let default_sets = raw
        .defaults
        .holidays
        .as_deref()
        .map(|names| check_sets(names, &sets, diags))
        .unwrap_or_default();
    let team_zone = raw.team.as_ref().and_then(|t| t.timezone);

    // Members first: layers, pins and adjustments refer to their ids.
    let member_ids: Vec<&Sp<String>> = raw.members.iter().filter_map(|m| m.id.as_ref()).collect();
    for id in &member_ids {
        check_slug(id, "member id", "._-", diags);
    }
    check_unique(member_ids.iter().copied(), "member id", ctx.source, diags);
    let ids = Names {
        what: "member",
        names: member_ids.iter().map(|s| s.get_ref().as_str()).collect(),
        complete: raw.members_complete && raw.members.iter().all(|m| m.id.is_some()),
    };

    let default_hours = raw
        .defaults
        .working_hours
        .unwrap_or(TimeWindow::NINE_TO_FIVE);
    let default_days = raw.defaults.working_days.unwrap_or(WeekdaySet::WORKWEEK);
    let mut members = Vec::new();
    for m in &raw.members {
        let holiday_sets = match &m.holidays {
            Some(names) => check_sets(names, &sets, diags),
            None => default_sets.clone(),
        };
        let holidays = holiday_sets
            .iter()
            .filter_map(|name| sets.get(name))
            .flatten()
            .copied()
            .collect();
        let (Some(id), Some(timezone)) = (&m.id, m.timezone.or(team_zone)) else {
            continue;
        };
        members.push(Member {
            id: id.get_ref().clone(),
            name: m.name.clone().unwrap_or_else(|| id.get_ref().clone()),
            email: m.email.clone(),
            timezone,
            working_hours: m.working_hours.unwrap_or(default_hours),
            working_days: m.working_days.unwrap_or(default_days),
            holidays,
            holiday_sets,
            tags: m.tags.clone(),
            fte: m.fte,
            joins: m.joins,
            leaves: m.leaves,
            max_shifts: m.max_shifts,
            unavailable: m.unavailable.clone(),
            prefer_off: m.prefer_off.clone(),
        });
    }

    let layer_names: Vec<&Sp<String>> = raw.layers.iter().filter_map(|l| l.name.as_ref()).collect();
    for name in &layer_names {
        check_slug(name, "layer name", "_-", diags);
    }
    check_unique(layer_names.iter().copied(), "layer name", ctx.source, diags);
    check_calendar_names(&layer_names, &member_ids, diags);
    let names = Names {
        what: "layer",
        names: layer_names.iter().map(|s| s.get_ref().as_str()).collect(),
        complete: raw.layers_complete && raw.layers.iter().all(|l| l.name.is_some()),
    };
    let all_tags: BTreeSet<&str> = raw
        .members
        .iter()
        .flat_map(|m| m.tags.iter().map(String::as_str))
        .collect();
    let tags = Names {
        what: "tag",
        names: all_tags.into_iter().collect(),
        complete: ids.complete,
    };
    let mut layers = Vec::new();
    for l in &raw.layers {
        let eligible = eligibility(&l.eligible, &ids, &tags, diags);
        let (Some(name), Some(rotation), Some(timezone)) =
            (&l.name, &l.rotation, l.timezone.or(team_zone))
        else {
            continue;
        };
        layers.push(Layer {
            name: name.get_ref().clone(),
            rotation: rotation.clone(),
            timezone,
            days: l.days,
            eligible,
            per_shift: l.per_shift,
        });
    }

    if let Some(span) = &raw.calendar.email_used_at {
        check_emails(span, &members, &layers, diags);
    }

    let mut pins = Vec::new();
    for p in raw.pins {
        let layer = p.layer.as_ref().and_then(|l| names.find(l, diags));
        let member = p.member.as_ref().and_then(|m| ids.find(m, diags));
        if let (Some(layer), Some(member), Some(start)) = (layer, member, p.start) {
            pins.push(Pin {
                layer,
                start,
                member,
                line: p.line,
                column: p.column,
            });
        }
    }

    let history_months = raw
        .fairness
        .history_months
        .unwrap_or(DEFAULT_HISTORY_MONTHS);
    let window_start = raw
        .period
        .as_ref()
        .and_then(|p| history_window(p.start, history_months));
    let history = history(
        &raw.fairness.history,
        window_start,
        &raw.fairness.adjust,
        &ids,
        ctx,
        diags,
    );

    if !diags.is_empty() {
        return None;
    }
    let team = raw.team?;
    let name = team.name?.into_inner();
    let uid_domain = match team.uid_domain {
        Some(d) => d.into_inner(),
        None => {
            format!("{}.rota", team_slug(&name))
        }
    };
    let period = raw.period?;
    Some(Config {
        path: ctx.path.to_path_buf(),
        sha256: ctx.sha256.clone(),
        team: Team {
            name,
            timezone: team.timezone?,
            uid_domain,
        },
        period: Period {
            start: period.start,
            end: period.end,
        },
        holiday_sets: sets,
        layers,
        members,
        rules: raw.rules,
        fairness: Fairness {
            weights: raw.fairness.weights,
            capacity: raw.fairness.capacity,
            history: history.paths,
            history_months,
            history_ignored: history.ignored,
            history_points: history.points,
            earlier: history.earlier,
        },
        objective: raw.objective,
        calendar: raw.calendar.settings,
        pins,
    })
}

#[cfg(test)]
mod resolution_tests {
    use std::path::Path;

    use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};

    use crate::config::{Config, ConfigError, PinStart, WeekdaySet, parse_with};

    const HISTORY_1: &str = r#"{"version":1,"team":"t","period":{"start":"2026-10-05","end":"2027-01-04"},
      "generated_at":"2026-10-01T00:00:00Z","config_sha256":"00",
      "solver":{"status":"optimal","objective":1.0,"bound":1.0,"gap":0.0,"seconds":0.1},
      "shifts":[
        {"layer":"p","start":"2026-10-05T14:00:00Z","end":"2026-10-12T14:00:00Z","member":"ann","points":100.0,"uid":"a","sequence":0},
        {"layer":"p","start":"2026-10-12T14:00:00Z","end":"2026-10-19T14:00:00Z","member":"gone","points":50.0,"uid":"b","sequence":0},
        {"layer":"p","start":"2026-10-19T14:00:00Z","end":"2026-10-26T14:00:00Z","member":"ann","points":20.5,"uid":"c","sequence":0}],
      "members":[],
      "metrics":{"imbalance":0.0,"deviation":0.0,"back_to_back_after_hours":0,"total_load":0.0,"prefer_off_violations":0,"churn":0}}"#;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270303\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    /// Parses as `team/rota.toml` with an in-memory folder of referenced files.
    fn parse(text: &str) -> Result<Config, ConfigError> {
        let files = [
            ("team/h1.json", HISTORY_1.to_string()),
            ("team/old/h2.json", HISTORY_1.replace("\"ann\"", "\"ben\"")),
            ("team/holidays.ics", ICS.to_string()),
        ];
        parse_with(Path::new("team/rota.toml"), text, &|p: &Path, _| {
            files
                .iter()
                .find(|(name, _)| Path::new(name) == p)
                .map(|(_, text)| text.clone())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        })
    }

    fn ok(text: &str) -> Config {
        match parse(text) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    const HEAD: &str = "[team]\nname = \"Ops / Team!\"\ntimezone = \"Asia/Tokyo\"\n\
        [period]\nstart = 2027-01-04\nend = \"2027-02-01\"\n\
        [[layer]]\nname = \"p\"\nrotation = \"weekly\"\nhandoff = \"mon 10:00\"\n";

    #[test]
    fn defaults_come_from_the_member_then_defaults_then_built_ins() {
        let c = ok(&format!(
            "{HEAD}[holidays]\nx = [2027-01-10]\nics = {{ ics = \"holidays.ics\" }}\n\
             [defaults]\nworking_hours = \"10:00-18:00\"\nholidays = [\"x\"]\n\
             [[member]]\nid = \"ann\"\n\
             [[member]]\nid = \"ben\"\nname = \"Ben B\"\ntimezone = \"Europe/Paris\"\nworking_hours = \"22:00-06:00\"\nworking_days = [\"sat\"]\nholidays = [\"ics\", \"x\"]\n"
        ));
        assert_eq!(c.team.uid_domain, "ops-team.rota");
        assert_eq!(c.layers[0].timezone, chrono_tz::Asia::Tokyo);
        assert_eq!(c.layers[0].per_shift, 1);
        assert_eq!(c.layers[0].days, None);
        let ann = &c.members[0];
        assert_eq!(
            (ann.name.as_str(), ann.timezone),
            ("ann", chrono_tz::Asia::Tokyo)
        );
        assert_eq!(
            (ann.working_hours.start, ann.working_hours.end),
            (t(10, 0), t(18, 0))
        );
        assert_eq!(
            ann.working_days,
            WeekdaySet::from_days([
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ])
        );
        assert_eq!(ann.holidays, [d(2027, 1, 10)].into());
        assert_eq!(ann.fte, 1.0);
        let ben = &c.members[1];
        assert_eq!(
            (ben.name.as_str(), ben.timezone),
            ("Ben B", chrono_tz::Europe::Paris)
        );
        assert!(ben.working_hours.wraps());
        assert_eq!(ben.working_days, WeekdaySet::from_days([Weekday::Sat]));
        assert_eq!(
            ben.holidays,
            [d(2027, 1, 10), d(2027, 3, 1), d(2027, 3, 2)].into()
        );
        assert_eq!(ben.holiday_sets, vec!["ics".to_string(), "x".to_string()]);

        // Without [defaults]: 09:00-17:00, Monday to Friday, no holidays.
        let c = ok(&format!("{HEAD}[[member]]\nid = \"ann\"\n"));
        let ann = &c.members[0];
        assert_eq!(
            (ann.working_hours.start, ann.working_hours.end),
            (t(9, 0), t(17, 0))
        );
        assert_eq!(ann.working_days.iter().count(), 5);
        assert!(ann.holidays.is_empty() && ann.holiday_sets.is_empty());
    }

    #[test]
    fn eligibility_resolves_members_tags_and_exclusions() {
        let c = ok(&format!(
            "{HEAD}[[layer]]\nname = \"s\"\nrotation = \"daily\"\nhandoff = \"09:00\"\n\
             eligible = {{ any_tags = [\"senior\"], members = [\"dan\"], exclude = [\"cat\"] }}\n\
             [[member]]\nid = \"ann\"\ntags = [\"senior\"]\n\
             [[member]]\nid = \"ben\"\n\
             [[member]]\nid = \"cat\"\ntags = [\"senior\"]\n\
             [[member]]\nid = \"dan\"\n"
        ));
        let layer = &c.layers[1];
        let admitted: Vec<&str> = c
            .members
            .iter()
            .filter(|m| layer.eligible.admits(m))
            .map(|m| m.id.as_str())
            .collect();
        // ann by tag, dan by name; cat is excluded despite the tag; ben has neither.
        assert_eq!(admitted, ["ann", "dan"]);
        assert!(c.members.iter().all(|m| c.layers[0].eligible.admits(m)));
    }

    #[test]
    fn history_files_and_adjustments_add_up() {
        let c = ok(&format!(
            "{HEAD}[[member]]\nid = \"ann\"\n[[member]]\nid = \"ben\"\n\
             [fairness]\nhistory = [\"h1.json\", \"old/h2.json\"]\n\
             [[fairness.adjust]]\nmember = \"ann\"\npoints = -20.5\n\
             [[fairness.adjust]]\nmember = \"ann\"\npoints = 5\n"
        ));
        let h = &c.fairness.history_points;
        // h1: ann 100 + 20.5, gone 50; h2: ben 100 + 20.5, gone 50; adjust ann −20.5 + 5.
        assert_eq!(h.get("ann"), Some(&105.0));
        assert_eq!(h.get("ben"), Some(&120.5));
        assert_eq!(h.get("gone"), Some(&100.0));
        assert_eq!(
            c.fairness.history,
            vec![
                Path::new("team/h1.json").to_path_buf(),
                Path::new("team/old/h2.json").to_path_buf()
            ]
        );
    }

    #[test]
    fn history_months_leaves_out_files_that_ended_before_the_window() {
        // h1 ended 2027-01-04, the day the period starts: within any window but 0 months.
        let team = format!("{HEAD}[[member]]\nid = \"ann\"\n[fairness]\nhistory = [\"h1.json\"]\n");
        let c = ok(&team);
        assert_eq!(c.fairness.history_months, 12);
        assert!(c.fairness.history_ignored.is_empty());
        assert_eq!(c.fairness.history_points.get("ann"), Some(&120.5));
        assert_eq!(c.fairness.earlier.len(), 3);
        assert_eq!(c.fairness.earlier[0].source, "h1.json");

        // Starting a year and a day after h1 ended, it is out.
        let later = team
            .replace("start = 2027-01-04", "start = 2028-01-05")
            .replace("end = \"2027-02-01\"", "end = \"2028-02-01\"");
        let c = ok(&later);
        assert_eq!(c.fairness.history_ignored, [Path::new("team/h1.json")]);
        assert_eq!(c.fairness.history, [Path::new("team/h1.json")]);
        assert!(c.fairness.history_points.is_empty() && c.fairness.earlier.is_empty());
        // 0: no window.
        let c = ok(&later.replace("history = [", "history_months = 0\nhistory = ["));
        assert_eq!(c.fairness.history_points.get("ann"), Some(&120.5));

        let err =
            parse(&team.replace("history = [", "history_months = -1\nhistory = [")).unwrap_err();
        assert!(
            err.rendered
                .contains("`history_months` must be between 0 and 1200"),
            "{err}"
        );
    }

    #[test]
    fn pins_resolve_to_indices_and_starts() {
        let c = ok(&format!(
            "{HEAD}[[layer]]\nname = \"q\"\nrotation = {{ hours = 8 }}\nhandoff = \"06:00\"\n\
             [[member]]\nid = \"ann\"\n[[member]]\nid = \"ben\"\n\
             [[pin]]\nlayer = \"q\"\nstart = 2027-01-05T06:00:00+09:00\nmember = \"ben\"\n\
             [[pin]]\nlayer = \"p\"\nstart = \"2027-01-11\"\nmember = \"ann\"\n"
        ));
        assert_eq!(c.pins.len(), 2);
        assert_eq!((c.pins[0].layer, c.pins[0].member), (1, 1));
        let instant: DateTime<Utc> = "2027-01-04T21:00:00Z".parse().unwrap();
        assert_eq!(c.pins[0].start, PinStart::Instant(instant));
        // HEAD is 10 lines; the first `[[pin]]` header is line 19, its `start` line 21.
        assert_eq!((c.pins[0].line, c.pins[0].column), (21, 9));
        assert_eq!((c.pins[1].layer, c.pins[1].member), (0, 0));
        assert_eq!(c.pins[1].start, PinStart::LocalDate(d(2027, 1, 11)));
    }

    #[test]
    fn every_problem_is_collected() {
        let err = parse(
            "[team]\nname = \"x\"\ntimezone = \"Mars/Olympus\"\nfoo = 1\n\
             [period]\nstart = 2027-02-01\nend = 2027-01-01\n\
             [[layer]]\nname = \"P\"\nrotation = \"weekly\"\nhandoff = \"10:00\"\n\
             [[member]]\nid = \"a\"\nfte = 0\nholidays = [\"nope\"]\n\
             [fairness]\nhistory = [\"missing.json\"]\n",
        )
        .unwrap_err();
        assert_eq!(err.count, 8, "{err}");
        for expected in [
            "unknown time zone \"Mars/Olympus\"",
            "unknown key `foo` in [team]",
            "the period ends (2027-01-01) on or before it starts",
            "\"P\" is not a valid layer name",
            "a weekly handoff is \"DAY HH:MM\"",
            "`fte` must be at least 0.01",
            "unknown holiday set \"nope\"",
            "cannot read history file team/missing.json",
        ] {
            assert!(err.rendered.contains(expected), "{expected}:\n{err}");
        }
    }

    #[test]
    fn calendar_file_names_do_not_collide() {
        let err = parse(&format!(
            "{HEAD}[[layer]]\nname = \"ann\"\nrotation = \"daily\"\nhandoff = \"09:00\"\n\
             [[member]]\nid = \"ann\"\n[[member]]\nid = \"team\"\n"
        ))
        .unwrap_err();
        assert_eq!(err.count, 2, "{err}");
        assert!(
            err.rendered
                .contains("layer \"ann\" has the same name as a member")
        );
        assert!(err.rendered.contains("\"team\" is reserved"));
    }

    #[test]
    fn calendar_templates_are_parsed_and_default_to_none() {
        let c = ok(&format!(
            "{HEAD}[[member]]\nid = \"ann\"\nemail = \"ann@example.com\"\n\
             [calendar]\nsummary = \"[L1] {{email}}\"\ndescription = '{{name}} on {{layer}}'\n"
        ));
        let summary = c.calendar.summary.as_ref().expect("a summary template");
        assert!(summary.uses(crate::config::Placeholder::Email));
        assert!(c.calendar.description.is_some());
        let c = ok(&format!("{HEAD}[[member]]\nid = \"ann\"\n"));
        assert!(c.calendar.summary.is_none() && c.calendar.description.is_none());
    }

    #[test]
    fn an_unknown_placeholder_points_at_its_line_and_column() {
        let text = format!(
            "{HEAD}[[member]]\nid = \"ann\"\n[calendar]\nsummary = \"On call: {{nmae}}\"\n\
             description = \"{{team\"\n"
        );
        let err = parse(&text).unwrap_err();
        assert_eq!(err.count, 2, "{err}");
        // HEAD is 10 lines: `summary` is line 14, its `{nmae}` starts at column 21.
        assert!(err.rendered.contains("team/rota.toml:14:21"), "{err}");
        assert!(
            err.rendered.contains("unknown placeholder `{nmae}`"),
            "{err}"
        );
        assert!(err.rendered.contains("did you mean {name}?"), "{err}");
        assert!(err.rendered.contains("team/rota.toml:15:16"), "{err}");
        assert!(err.rendered.contains("unclosed `{`"), "{err}");
    }

    #[test]
    fn a_template_with_escapes_points_at_the_whole_value() {
        let err = parse(&format!(
            "{HEAD}[[member]]\nid = \"ann\"\n[calendar]\nsummary = \"\\u00e9 {{x}}\"\n"
        ))
        .unwrap_err();
        assert!(err.rendered.contains("team/rota.toml:14:11"), "{err}");
    }

    #[test]
    fn email_templates_need_an_email_for_everyone_on_call() {
        let members = "[[member]]\nid = \"ann\"\nemail = \"ann@example.com\"\n\
             [[member]]\nid = \"ben\"\n[[member]]\nid = \"cat\"\n\
             [[member]]\nid = \"dan\"\n";
        let err = parse(&format!(
            "{HEAD}{members}[calendar]\nsummary = \"{{name}}\"\ndescription = \"{{email}}\"\n"
        ))
        .unwrap_err();
        assert_eq!(err.count, 1, "{err}");
        assert!(
            err.rendered
                .contains("uses {email}, but 3 members have no email"),
            "{err}"
        );
        assert!(
            err.rendered.contains("give ben, cat, dan an `email`"),
            "{err}"
        );

        // Someone no layer admits is never on call, so needs no email.
        let only_ann = HEAD.replace(
            "handoff = \"mon 10:00\"\n",
            "handoff = \"mon 10:00\"\neligible = { members = [\"ann\", \"ben\"] }\n",
        );
        let err = parse(&format!(
            "{only_ann}{members}[calendar]\nsummary = \"{{email}}\"\n"
        ))
        .unwrap_err();
        assert!(
            err.rendered
                .contains("uses {email}, but member \"ben\" has no email"),
            "{err}"
        );
        assert!(
            ok(&format!(
                "{members}[calendar]\nsummary = \"{{id}}\"\n{HEAD}"
            ))
            .calendar
            .summary
            .is_some()
        );
    }

    #[test]
    fn empty_templates_are_refused() {
        let err = parse(&format!(
            "{HEAD}[[member]]\nid = \"ann\"\n[calendar]\nsummary = \"\"\ndescription = \" \"\n"
        ))
        .unwrap_err();
        assert_eq!(err.count, 2, "{err}");
        assert!(err.rendered.contains("`summary` is empty"), "{err}");
        assert!(err.rendered.contains("`description` is empty"), "{err}");
    }

    #[test]
    fn empty_lists_of_layers_or_members_are_reported() {
        let err = parse(
            "layer = []\nmember = []\n[team]\nname = \"x\"\ntimezone = \"UTC\"\n\
             [period]\nstart = 2027-01-04\nend = 2027-02-01\n",
        )
        .unwrap_err();
        assert_eq!(err.count, 2, "{err}");
        assert!(
            err.rendered.contains("the config has no [[layer]]"),
            "{err}"
        );
        assert!(
            err.rendered.contains("the config has no [[member]]"),
            "{err}"
        );
    }

    #[test]
    fn missing_sections_are_reported() {
        let err = parse("").unwrap_err();
        assert_eq!(err.count, 4, "{err}");
        for section in ["[team]", "[period]", "[[layer]]", "[[member]]"] {
            assert!(
                err.rendered
                    .contains(&format!("the config has no {section}")),
                "{err}"
            );
        }
    }
}
