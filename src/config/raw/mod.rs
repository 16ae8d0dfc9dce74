//! TOML → `RawConfig`: every table's keys, value types and self-contained values
//! (zones, times, windows, dates, numbers) checked, with spans kept for what still needs
//! the whole file (references, uniqueness, defaults, referenced files) in `validate`.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::clock;
use super::dates;
use super::diagnostic::Diagnostic;
use super::fields::{self, Fields, Sp};
use super::model::{ObjectiveWeights, Rules, TimeWindow, WeekdaySet};
use super::suggest;

mod layer;
mod member;
mod pin;
mod settings;

pub(crate) use layer::{RawEligible, RawLayer};
pub(crate) use member::RawMember;
pub(crate) use pin::RawPin;
pub(crate) use settings::{RawCalendar, RawFairness};

#[derive(Debug, Default)]
pub(crate) struct RawConfig {
    pub(crate) team: Option<RawTeam>,
    pub(crate) period: Option<RawPeriod>,
    pub(crate) defaults: RawDefaults,
    pub(crate) holidays: Vec<RawHolidaySet>,
    pub(crate) layers: Vec<RawLayer>,
    pub(crate) members: Vec<RawMember>,
    pub(crate) rules: Rules,
    pub(crate) fairness: RawFairness,
    pub(crate) objective: ObjectiveWeights,
    pub(crate) calendar: RawCalendar,
    pub(crate) pins: Vec<RawPin>,
    /// Every `[[layer]]` / `[[member]]` entry could be read as a table, so a reference to
    /// a name not among them is really unknown (and not an echo of an earlier error).
    pub(crate) layers_complete: bool,
    pub(crate) members_complete: bool,
}

#[derive(Debug)]
pub(crate) struct RawTeam {
    pub(crate) name: Option<Sp<String>>,
    pub(crate) timezone: Option<Tz>,
    pub(crate) uid_domain: Option<Sp<String>>,
}

#[derive(Debug)]
pub(crate) struct RawPeriod {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
}

#[derive(Debug, Default)]
pub(crate) struct RawDefaults {
    pub(crate) working_hours: Option<TimeWindow>,
    pub(crate) working_days: Option<WeekdaySet>,
    pub(crate) holidays: Option<Vec<Sp<String>>>,
}

#[derive(Debug)]
pub(crate) struct RawHolidaySet {
    pub(crate) name: Sp<String>,
    pub(crate) source: HolidaySource,
}

#[derive(Debug)]
pub(crate) enum HolidaySource {
    Dates(BTreeSet<NaiveDate>),
    /// Path as written, relative to the config's folder.
    Ics(Sp<String>),
}

const TOP_KEYS: &[&str] = &[
    "team",
    "period",
    "defaults",
    "holidays",
    "layer",
    "member",
    "rules",
    "fairness",
    "objective",
    "calendar",
    "pin",
];

/// Reads the parsed document into a `RawConfig`, pushing every problem found.
pub(crate) fn read(
    doc: &Spanned<DeTable<'_>>,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> RawConfig {
    let top = Fields::new(doc.get_ref(), 0..0, "the config", TOP_KEYS, diags);
    let mut raw = RawConfig::default();
    match top.table("team", diags) {
        Some((t, span)) => raw.team = Some(team(t, span, diags)),
        None if top.get("team").is_none() => diags.push(missing_table(
            source,
            "[team]\nname = \"Payments SRE\"\ntimezone = \"America/New_York\"",
        )),
        None => {}
    }
    match top.table("period", diags) {
        Some((t, span)) => raw.period = period(t, span, diags),
        None if top.get("period").is_none() => diags.push(missing_table(
            source,
            "[period]\nstart = 2027-01-04\nend = 2027-04-05",
        )),
        None => {}
    }
    if let Some((t, span)) = top.table("defaults", diags) {
        raw.defaults = defaults(t, span, diags);
    }
    if let Some((t, span)) = top.table("holidays", diags) {
        raw.holidays = holiday_sets(t, span, diags);
    }
    let before = diags.len();
    let layers = array_of_tables(&top, "layer", diags);
    raw.layers_complete = diags.len() == before;
    if layers.is_empty() && raw.layers_complete {
        diags.push(missing_table(
            source,
            "[[layer]]\nname = \"primary\"\nrotation = \"weekly\"\nhandoff = \"mon 10:00\"",
        ));
    }
    raw.layers = layers
        .into_iter()
        .map(|(t, span)| layer::layer(t, span, diags))
        .collect();
    let before = diags.len();
    let members = array_of_tables(&top, "member", diags);
    raw.members_complete = diags.len() == before;
    if members.is_empty() && raw.members_complete {
        diags.push(missing_table(source, "[[member]]\nid = \"alice\""));
    }
    raw.members = members
        .into_iter()
        .map(|(t, span)| member::member(t, span, diags))
        .collect();
    if let Some((t, span)) = top.table("rules", diags) {
        raw.rules = settings::rules(t, span, diags);
    }
    if let Some((t, span)) = top.table("fairness", diags) {
        raw.fairness = settings::fairness(t, span, diags);
    }
    if let Some((t, span)) = top.table("objective", diags) {
        raw.objective = settings::objective(t, span, diags);
    }
    if let Some((t, span)) = top.table("calendar", diags) {
        raw.calendar = settings::calendar(t, span, source, diags);
    }
    raw.pins = array_of_tables(&top, "pin", diags)
        .into_iter()
        .map(|(t, span)| pin::pin(t, span, source, diags))
        .collect();
    raw
}

/// A required table is absent; the example's first line is its header.
fn missing_table(source: &str, example: &str) -> Diagnostic {
    let header = example.lines().next().unwrap_or(example);
    // Point at the end of the file, where the table would usually be added.
    let end = source.trim_end().len();
    Diagnostic::new(end..end, format!("the config has no {header}"))
        .label(format!("{header} is required"))
        .help(format!("add it, for example:\n{example}"))
}

/// `[[key]]` entries; a single `[key]` table gets a hint to double the brackets.
fn array_of_tables<'a, 'i>(
    f: &Fields<'a, 'i>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
    if let Some(value) = f.get(key)
        && let DeValue::Table(_) = value.get_ref()
    {
        diags.push(
            Diagnostic::new(value.span(), format!("`{key}` must be a list of tables"))
                .label("a single table")
                .help(format!(
                    "write [[{key}]] (double brackets) before each entry"
                )),
        );
        return Vec::new();
    }
    f.tables(key, diags)
}

/// An IANA time zone, with the closest known name as the fix.
pub(crate) fn zone(value: &Sp<String>, diags: &mut Vec<Diagnostic>) -> Option<Tz> {
    let name = value.get_ref();
    match name.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            let help = suggest::did_you_mean(name, suggest::zone_names()).unwrap_or_else(|| {
                "use an IANA time zone name such as \"America/New_York\" or \"Europe/Berlin\""
                    .into()
            });
            diags.push(
                Diagnostic::new(value.span(), format!("unknown time zone \"{name}\""))
                    .label("not an IANA time zone")
                    .help(help),
            );
            None
        }
    }
}

fn field_zone(f: &Fields<'_, '_>, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Tz> {
    f.string(key, diags).and_then(|s| zone(&s, diags))
}

fn clock_error(span: Range<usize>, e: clock::ClockError, label: &str) -> Diagnostic {
    Diagnostic::new(span, e.message)
        .label(label)
        .maybe_help(e.help)
}

fn field_window(f: &Fields<'_, '_>, key: &str, diags: &mut Vec<Diagnostic>) -> Option<TimeWindow> {
    let s = f.string(key, diags)?;
    clock::parse_window(s.get_ref())
        .map_err(|e| diags.push(clock_error(s.span(), e, "expected \"HH:MM-HH:MM\"")))
        .ok()
}

fn field_weekdays(
    f: &Fields<'_, '_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<WeekdaySet> {
    f.get(key)
        .and_then(|v| dates::weekdays(v, key, diags))
        .map(Spanned::into_inner)
}

/// A number that must be finite and ≥ 0.
fn non_negative(f: &Fields<'_, '_>, key: &str, diags: &mut Vec<Diagnostic>) -> Option<f64> {
    let x = f.float(key, diags)?;
    if x.get_ref().is_finite() && *x.get_ref() >= 0.0 {
        Some(x.into_inner())
    } else {
        diags.push(
            Diagnostic::new(
                x.span(),
                format!("`{key}` must be zero or more, not {}", x.get_ref()),
            )
            .label("negative")
            .help(format!("use {key} = 0 to turn it off")),
        );
        None
    }
}

/// An integer in `min..=max`.
fn bounded_integer(
    f: &Fields<'_, '_>,
    key: &str,
    min: i64,
    max: i64,
    diags: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let n = f.integer(key, diags)?;
    if (min..=max).contains(n.get_ref()) {
        u32::try_from(*n.get_ref()).ok()
    } else {
        diags.push(
            Diagnostic::new(
                n.span(),
                if max >= i64::from(u32::MAX) {
                    format!("`{key}` must be {min} or more, not {}", n.get_ref())
                } else {
                    format!(
                        "`{key}` must be between {min} and {max}, not {}",
                        n.get_ref()
                    )
                },
            )
            .label("out of range")
            .help(if max >= i64::from(u32::MAX) {
                format!("use a whole number of at least {min}")
            } else {
                format!("use a whole number from {min} to {max}")
            }),
        );
        None
    }
}

/// The keys `[team]` may have.
const TEAM_KEYS: &[&str] = &["name", "timezone", "uid_domain"];

fn team(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawTeam {
    let f = Fields::new(t, span, "[team]", TEAM_KEYS, diags);
    let name = f.name("name", diags);
    f.require("name", "\"Payments SRE\"", diags);
    if let Some(n) = &name
        && n.get_ref().trim().is_empty()
    {
        diags.push(Diagnostic::new(n.span(), "the team name is empty").label("empty"));
    }
    f.require("timezone", "\"America/New_York\"", diags);
    let uid_domain = f.string("uid_domain", diags);
    if let Some(d) = &uid_domain
        && (d.get_ref().is_empty()
            || d.get_ref()
                .contains(|c: char| c.is_whitespace() || c == '@'))
    {
        diags.push(
            Diagnostic::new(d.span(), "`uid_domain` must be a domain name")
                .label("not a domain")
                .help("for example uid_domain = \"payments.example.com\""),
        );
    }
    RawTeam {
        name,
        timezone: field_zone(&f, "timezone", diags),
        uid_domain,
    }
}

/// Two years: longer periods are almost surely a typo in a year, and would make a
/// problem too large to solve.
const MAX_PERIOD_DAYS: i64 = 731;

fn period(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> Option<RawPeriod> {
    let f = Fields::new(t, span, "[period]", &["start", "end"], diags);
    let start = dates::field_date(&f, "start", diags);
    let end = dates::field_date(&f, "end", diags);
    f.require("start", "2027-01-04", diags);
    f.require("end", "2027-04-05", diags);
    let (start, end) = (start?, end?);
    if end.get_ref() <= start.get_ref() {
        diags.push(
            Diagnostic::new(
                end.span(),
                format!(
                    "the period ends ({}) on or before it starts ({})",
                    end.get_ref(),
                    start.get_ref()
                ),
            )
            .label("not after `start`")
            .help("`end` is exclusive and must be after `start`"),
        );
        return None;
    }
    let days = (*end.get_ref() - *start.get_ref()).num_days();
    if days > MAX_PERIOD_DAYS {
        diags.push(
            Diagnostic::new(
                end.span(),
                format!("the period is {days} days long; at most {MAX_PERIOD_DAYS} are supported"),
            )
            .label("too far from `start`")
            .help(
                "schedule a quarter or so at a time; `fairness.history` carries the balance over",
            ),
        );
        return None;
    }
    Some(RawPeriod {
        start: start.into_inner(),
        end: end.into_inner(),
    })
}

/// The keys `[defaults]` may have.
const DEFAULTS_KEYS: &[&str] = &["working_hours", "working_days", "holidays"];

fn defaults(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawDefaults {
    let f = Fields::new(t, span, "[defaults]", DEFAULTS_KEYS, diags);
    RawDefaults {
        working_hours: field_window(&f, "working_hours", diags),
        working_days: field_weekdays(&f, "working_days", diags),
        holidays: f.strings("holidays", diags).map(Spanned::into_inner),
    }
}

fn holiday_sets(
    t: &DeTable<'_>,
    _span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<RawHolidaySet> {
    let mut sets = Vec::new();
    for (key, value) in t.iter() {
        let name = Spanned::new(key.span(), key.get_ref().to_string());
        let source = match value.get_ref() {
            DeValue::Array(items) => {
                let mut set = BTreeSet::new();
                for item in items.iter() {
                    if let Some(d) = dates::date(item, name.get_ref(), diags) {
                        set.insert(d.into_inner());
                    }
                }
                HolidaySource::Dates(set)
            }
            DeValue::Table(inner) => {
                let f = Fields::new(inner, value.span(), "a holiday set", &["ics"], diags);
                match f.string("ics", diags) {
                    Some(path) => HolidaySource::Ics(path),
                    None => {
                        f.require("ics", "\"holidays.ics\"", diags);
                        // Keep the name so references to it are not reported as unknown too.
                        HolidaySource::Dates(BTreeSet::new())
                    }
                }
            }
            other => {
                diags.push(
                    Diagnostic::new(
                        value.span(),
                        format!("holiday set `{}` must be a list of dates or {{ ics = \"file.ics\" }}, not {}", name.get_ref(), fields::type_name(other)),
                    )
                    .label("expected [2027-01-18, …] or { ics = \"…\" }"),
                );
                HolidaySource::Dates(BTreeSet::new())
            }
        };
        sets.push(RawHolidaySet { name, source });
    }
    sets
}
