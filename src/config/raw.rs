//! TOML → `RawConfig`: every table's keys, value types and self-contained values
//! (zones, times, windows, dates, numbers) checked, with spans kept for what still needs
//! the whole file (references, uniqueness, defaults, referenced files) in `validate`.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::clock;
use super::dates;
use super::diagnostic::Diagnostic;
use super::fields::{self, Fields, Sp, Value};
use super::model::{
    CalendarSettings, CapacityMode, ClassWeights, DateRule, ObjectiveWeights, PinStart, Rotation,
    Rules, TimeWindow, WeekdaySet, WeeklyTime,
};
use super::suggest;

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
    pub(crate) calendar: CalendarSettings,
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

#[derive(Debug)]
pub(crate) struct RawLayer {
    pub(crate) name: Option<Sp<String>>,
    pub(crate) rotation: Option<Rotation>,
    pub(crate) timezone: Option<Tz>,
    pub(crate) days: Option<WeekdaySet>,
    pub(crate) eligible: RawEligible,
    pub(crate) per_shift: u32,
}

#[derive(Debug, Default)]
pub(crate) struct RawEligible {
    pub(crate) any_tags: Vec<String>,
    pub(crate) all_tags: Vec<String>,
    pub(crate) members: Vec<Sp<String>>,
    pub(crate) exclude: Vec<Sp<String>>,
}

#[derive(Debug)]
pub(crate) struct RawMember {
    pub(crate) id: Option<Sp<String>>,
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) timezone: Option<Tz>,
    pub(crate) working_hours: Option<TimeWindow>,
    pub(crate) working_days: Option<WeekdaySet>,
    pub(crate) holidays: Option<Vec<Sp<String>>>,
    pub(crate) tags: BTreeSet<String>,
    pub(crate) fte: f64,
    pub(crate) joins: Option<NaiveDate>,
    pub(crate) leaves: Option<NaiveDate>,
    pub(crate) max_shifts: Option<u32>,
    pub(crate) unavailable: Vec<DateRule>,
    pub(crate) prefer_off: Vec<DateRule>,
}

#[derive(Debug, Default)]
pub(crate) struct RawFairness {
    pub(crate) weights: ClassWeights,
    pub(crate) capacity: CapacityMode,
    pub(crate) history: Vec<Sp<String>>,
    pub(crate) adjust: Vec<(Sp<String>, f64)>,
}

#[derive(Debug)]
pub(crate) struct RawPin {
    pub(crate) line: usize,
    pub(crate) layer: Option<Sp<String>>,
    pub(crate) member: Option<Sp<String>>,
    pub(crate) start: Option<PinStart>,
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
            "team",
            "[team]\nname = \"Payments SRE\"\ntimezone = \"America/New_York\"",
        )),
        None => {}
    }
    match top.table("period", diags) {
        Some((t, span)) => raw.period = period(t, span, diags),
        None if top.get("period").is_none() => diags.push(missing_table(
            "period",
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
    if layers.is_empty() && top.get("layer").is_none() {
        diags.push(missing_table(
            "layer",
            "[[layer]]\nname = \"primary\"\nrotation = \"weekly\"\nhandoff = \"mon 10:00\"",
        ));
    }
    raw.layers = layers
        .into_iter()
        .map(|(t, span)| layer(t, span, diags))
        .collect();
    let before = diags.len();
    let members = array_of_tables(&top, "member", diags);
    raw.members_complete = diags.len() == before;
    if members.is_empty() && top.get("member").is_none() {
        diags.push(missing_table("member", "[[member]]\nid = \"alice\""));
    }
    raw.members = members
        .into_iter()
        .map(|(t, span)| member(t, span, diags))
        .collect();
    if let Some((t, span)) = top.table("rules", diags) {
        raw.rules = rules(t, span, diags);
    }
    if let Some((t, span)) = top.table("fairness", diags) {
        raw.fairness = fairness(t, span, diags);
    }
    if let Some((t, span)) = top.table("objective", diags) {
        raw.objective = objective(t, span, diags);
    }
    if let Some((t, span)) = top.table("calendar", diags) {
        raw.calendar = calendar(t, span, diags);
    }
    raw.pins = array_of_tables(&top, "pin", diags)
        .into_iter()
        .map(|(t, span)| pin(t, span, source, diags))
        .collect();
    raw
}

fn missing_table(name: &str, example: &str) -> Diagnostic {
    Diagnostic::new(0..0, format!("the config has no [{name}]"))
        .label(format!("[{name}] is required"))
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
    let value = f.get(key)?;
    let n = fields::as_integer(value, key, diags)?;
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

fn team(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawTeam {
    let f = Fields::new(
        t,
        span,
        "[team]",
        &["name", "timezone", "uid_domain"],
        diags,
    );
    let name = f.string("name", diags);
    if f.get("name").is_none() {
        diags.push(f.missing("name", "\"Payments SRE\""));
    }
    if let Some(n) = &name
        && n.get_ref().trim().is_empty()
    {
        diags.push(Diagnostic::new(n.span(), "the team name is empty").label("empty"));
    }
    if f.get("timezone").is_none() {
        diags.push(f.missing("timezone", "\"America/New_York\""));
    }
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

fn period(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> Option<RawPeriod> {
    let f = Fields::new(t, span, "[period]", &["start", "end"], diags);
    let start = dates::field_date(&f, "start", diags);
    let end = dates::field_date(&f, "end", diags);
    if f.get("start").is_none() {
        diags.push(f.missing("start", "2027-01-04"));
    }
    if f.get("end").is_none() {
        diags.push(f.missing("end", "2027-04-05"));
    }
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
    Some(RawPeriod {
        start: start.into_inner(),
        end: end.into_inner(),
    })
}

fn defaults(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawDefaults {
    let f = Fields::new(
        t,
        span,
        "[defaults]",
        &["working_hours", "working_days", "holidays"],
        diags,
    );
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
                        if f.get("ics").is_none() {
                            diags.push(f.missing("ics", "\"holidays.ics\""));
                        }
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

const ROTATION_KINDS: [&str; 4] = ["weekly", "daily", "hours", "handoffs"];

/// The `rotation` value: its kind, and the hours or handoff points it carries.
enum Kind {
    Weekly,
    Daily,
    Hours(u32),
    Handoffs(Vec<Sp<WeeklyTime>>),
}

fn rotation_kind(value: &Value<'_>, diags: &mut Vec<Diagnostic>) -> Option<Kind> {
    let example = "rotation = \"weekly\", \"daily\", { hours = 12 } or { handoffs = [\"mon 09:00\", \"thu 09:00\"] }";
    match value.get_ref() {
        DeValue::String(s) => match s.as_ref() {
            "weekly" => Some(Kind::Weekly),
            "daily" => Some(Kind::Daily),
            "hours" => {
                diags.push(
                    Diagnostic::new(value.span(), "`hours` needs a number of hours")
                        .label("how many hours?")
                        .help("write rotation = { hours = 12 }"),
                );
                None
            }
            "handoffs" => {
                diags.push(
                    Diagnostic::new(value.span(), "`handoffs` needs the handoff points")
                        .label("which points?")
                        .help("write rotation = { handoffs = [\"mon 09:00\", \"thu 09:00\"] }"),
                );
                None
            }
            other => {
                let help =
                    suggest::did_you_mean(other, ROTATION_KINDS).unwrap_or_else(|| example.into());
                diags.push(
                    Diagnostic::new(value.span(), format!("unknown rotation \"{other}\""))
                        .label("not a rotation kind")
                        .help(help),
                );
                None
            }
        },
        DeValue::Table(t) => {
            let f = Fields::new(t, value.span(), "`rotation`", &["hours", "handoffs"], diags);
            match (f.get("hours"), f.get("handoffs")) {
                (Some(_), None) => {
                    let n = bounded_integer(&f, "hours", 1, 168, diags)?;
                    Some(Kind::Hours(n))
                }
                (None, Some(list)) => {
                    let names = fields::as_strings(list, "handoffs", diags)?;
                    if names.get_ref().is_empty() {
                        diags.push(
                            Diagnostic::new(names.span(), "`handoffs` is empty")
                                .label("no handoff points")
                                .help(
                                    "list at least one point, e.g. [\"mon 09:00\", \"thu 09:00\"]",
                                ),
                        );
                        return None;
                    }
                    let mut points: Vec<Sp<WeeklyTime>> = Vec::new();
                    let mut ok = true;
                    for name in names.get_ref() {
                        match clock::parse_weekly(name.get_ref()) {
                            Ok(p) => {
                                if points.iter().any(|q| *q.get_ref() == p) {
                                    ok = false;
                                    diags.push(
                                        Diagnostic::new(
                                            name.span(),
                                            format!(
                                                "handoff point \"{}\" is listed twice",
                                                name.get_ref()
                                            ),
                                        )
                                        .label("duplicate")
                                        .help("each handoff point may appear once"),
                                    );
                                } else {
                                    points.push(Spanned::new(name.span(), p));
                                }
                            }
                            Err(e) => {
                                ok = false;
                                diags.push(clock_error(name.span(), e, "expected \"DAY HH:MM\""));
                            }
                        }
                    }
                    ok.then_some(Kind::Handoffs(points))
                }
                _ => {
                    diags.push(
                        Diagnostic::new(
                            value.span(),
                            "`rotation` table needs exactly one of `hours` or `handoffs`",
                        )
                        .label("which rotation?")
                        .help(example),
                    );
                    None
                }
            }
        }
        other => {
            diags.push(
                Diagnostic::new(
                    value.span(),
                    format!(
                        "`rotation` must be a string or a table, not {}",
                        fields::type_name(other)
                    ),
                )
                .label("not a rotation")
                .help(example),
            );
            None
        }
    }
}

fn layer(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawLayer {
    let f = Fields::new(
        t,
        span,
        "[[layer]]",
        &[
            "name",
            "rotation",
            "handoff",
            "timezone",
            "window",
            "days",
            "eligible",
            "per_shift",
        ],
        diags,
    );
    let name = f.string("name", diags);
    if f.get("name").is_none() {
        diags.push(f.missing("name", "\"primary\""));
    }
    if f.get("rotation").is_none() {
        diags.push(f.missing("rotation", "\"weekly\""));
    }
    let kind = f.get("rotation").and_then(|v| rotation_kind(v, diags));
    let handoff = f.string("handoff", diags);
    let window_value = f
        .get("window")
        .and_then(|v| fields::as_string(v, "window", diags));
    let window = window_value.as_ref().and_then(|s| {
        clock::parse_window(s.get_ref())
            .map_err(|e| diags.push(clock_error(s.span(), e, "expected \"HH:MM-HH:MM\"")))
            .ok()
    });
    let rotation = kind.and_then(|kind| rotation(&f, kind, handoff, window_value, window, diags));
    let days = field_weekdays(&f, "days", diags);
    if let (Some(d), Some(v)) = (days, f.get("days"))
        && d.is_empty()
    {
        diags.push(
            Diagnostic::new(v.span(), "`days` is empty: the layer would have no shifts")
                .label("no days")
                .help("list the days shifts start on, or remove `days` for every day"),
        );
    }
    RawLayer {
        name,
        rotation,
        timezone: field_zone(&f, "timezone", diags),
        days,
        eligible: f
            .table("eligible", diags)
            .map(|(t, span)| eligible(t, span, diags))
            .unwrap_or_default(),
        per_shift: bounded_integer(&f, "per_shift", 1, 1000, diags).unwrap_or(1),
    }
}

/// Combines the rotation kind with `handoff` and `window`, checking that their forms fit.
fn rotation(
    f: &Fields<'_, '_>,
    kind: Kind,
    handoff: Option<Sp<String>>,
    window_value: Option<Sp<String>>,
    window: Option<TimeWindow>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Rotation> {
    if let Some(w) = &window_value
        && !matches!(kind, Kind::Daily)
    {
        diags.push(
            Diagnostic::new(w.span(), "`window` only works with rotation = \"daily\"")
                .label("not a daily layer")
                .help("use rotation = \"daily\" for a window each day, or remove `window`"),
        );
        return None;
    }
    if window_value.is_some() {
        // A window layer needs no handoff; one that is given must still be a time of day.
        if let Some(h) = &handoff
            && let Err(e) = clock::parse_time(h.get_ref())
        {
            diags.push(clock_error(h.span(), e, "expected \"HH:MM\""));
        }
        return window.map(|window| Rotation::Window { window });
    }
    if let Kind::Handoffs(points) = kind {
        if let Some(h) = &handoff {
            diags.push(
                Diagnostic::new(h.span(), "`handoff` is not used with { handoffs = [...] }")
                    .label("not used")
                    .help("remove `handoff`: the points in `handoffs` are the handoffs"),
            );
            return None;
        }
        let mut points: Vec<_> = points.into_iter().map(Spanned::into_inner).collect();
        points.sort_by_key(|p| (p.weekday.num_days_from_monday(), p.time));
        return Some(Rotation::Handoffs { points });
    }
    let Some(h) = handoff else {
        let example = if matches!(kind, Kind::Weekly) {
            "\"mon 10:00\""
        } else {
            "\"10:00\""
        };
        diags.push(f.missing("handoff", example));
        return None;
    };
    let kind_name = match kind {
        Kind::Weekly => "weekly",
        Kind::Daily => "daily",
        _ => "hours",
    };
    if let Kind::Weekly = kind {
        return match clock::parse_weekly(h.get_ref()) {
            Ok(handoff) => Some(Rotation::Weekly { handoff }),
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        h.span(),
                        format!("a weekly handoff is \"DAY HH:MM\": {}", e.message),
                    )
                    .label("expected \"DAY HH:MM\"")
                    .maybe_help(e.help),
                );
                None
            }
        };
    }
    let time = match clock::parse_time(h.get_ref()) {
        Ok(t) => t,
        Err(e) => {
            let d = if let Ok(w) = clock::parse_weekly(h.get_ref()) {
                Diagnostic::new(
                    h.span(),
                    format!("a {kind_name} handoff is a time of day without a weekday"),
                )
                .label("expected \"HH:MM\"")
                .help(format!(
                    "write handoff = \"{}\", or use rotation = \"weekly\"",
                    w.time.format("%H:%M")
                ))
            } else {
                clock_error(h.span(), e, "expected \"HH:MM\"")
            };
            diags.push(d);
            return None;
        }
    };
    Some(match kind {
        Kind::Hours(hours) => Rotation::Hours {
            hours,
            handoff: time,
        },
        _ => Rotation::Daily { handoff: time },
    })
}

fn eligible(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawEligible {
    let f = Fields::new(
        t,
        span,
        "`eligible`",
        &["any_tags", "all_tags", "members", "exclude"],
        diags,
    );
    let plain = |key: &str, diags: &mut Vec<Diagnostic>| -> Vec<String> {
        f.strings(key, diags)
            .map(|v| {
                v.into_inner()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect()
            })
            .unwrap_or_default()
    };
    RawEligible {
        any_tags: plain("any_tags", diags),
        all_tags: plain("all_tags", diags),
        members: f
            .strings("members", diags)
            .map(Spanned::into_inner)
            .unwrap_or_default(),
        exclude: f
            .strings("exclude", diags)
            .map(Spanned::into_inner)
            .unwrap_or_default(),
    }
}

fn member(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawMember {
    let f = Fields::new(
        t,
        span,
        "[[member]]",
        &[
            "id",
            "name",
            "email",
            "timezone",
            "working_hours",
            "working_days",
            "holidays",
            "tags",
            "fte",
            "joins",
            "leaves",
            "max_shifts",
            "unavailable",
            "prefer_off",
        ],
        diags,
    );
    let id = f.string("id", diags);
    if f.get("id").is_none() {
        diags.push(f.missing("id", "\"alice\""));
    }
    let email = f.string("email", diags);
    if let Some(e) = &email
        && !e.get_ref().contains('@')
    {
        diags.push(
            Diagnostic::new(
                e.span(),
                format!("\"{}\" is not an email address", e.get_ref()),
            )
            .label("no @")
            .help("remove `email` or give an address like \"alice@example.com\""),
        );
    }
    let fte = match f.float("fte", diags) {
        Some(x) if x.get_ref().is_finite() && *x.get_ref() > 0.0 && *x.get_ref() <= 1.0 => {
            x.into_inner()
        }
        Some(x) => {
            diags.push(
                Diagnostic::new(
                    x.span(),
                    format!(
                        "`fte` must be more than 0 and at most 1, not {}",
                        x.get_ref()
                    ),
                )
                .label("out of (0, 1]")
                .help("1.0 is full time, 0.5 half time"),
            );
            1.0
        }
        None => 1.0,
    };
    let joins = dates::field_date(&f, "joins", diags);
    let leaves = dates::field_date(&f, "leaves", diags);
    if let (Some(j), Some(l)) = (&joins, &leaves)
        && l.get_ref() <= j.get_ref()
    {
        diags.push(
            Diagnostic::new(
                l.span(),
                format!(
                    "`leaves` ({}) is not after `joins` ({})",
                    l.get_ref(),
                    j.get_ref()
                ),
            )
            .label("on or before `joins`")
            .help("`leaves` is the first day away and must be after `joins`"),
        );
    }
    let tags = f
        .strings("tags", diags)
        .map(|v| {
            v.into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect()
        })
        .unwrap_or_default();
    RawMember {
        id,
        name: f.string("name", diags).map(Spanned::into_inner),
        email: email.map(Spanned::into_inner),
        timezone: field_zone(&f, "timezone", diags),
        working_hours: field_window(&f, "working_hours", diags),
        working_days: field_weekdays(&f, "working_days", diags),
        holidays: f.strings("holidays", diags).map(Spanned::into_inner),
        tags,
        fte,
        joins: joins.map(Spanned::into_inner),
        leaves: leaves.map(Spanned::into_inner),
        max_shifts: bounded_integer(&f, "max_shifts", 0, i64::from(u32::MAX), diags),
        unavailable: dates::date_rules(&f, "unavailable", diags),
        prefer_off: dates::date_rules(&f, "prefer_off", diags),
    }
}

fn rules(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> Rules {
    let f = Fields::new(
        t,
        span,
        "[rules]",
        &[
            "min_rest_hours",
            "max_consecutive",
            "back_to_back_gap_hours",
            "holidays_unavailable",
        ],
        diags,
    );
    let d = Rules::default();
    Rules {
        min_rest_hours: non_negative(&f, "min_rest_hours", diags).unwrap_or(d.min_rest_hours),
        max_consecutive: bounded_integer(&f, "max_consecutive", 0, i64::from(u32::MAX), diags)
            .unwrap_or(d.max_consecutive),
        back_to_back_gap_hours: non_negative(&f, "back_to_back_gap_hours", diags)
            .unwrap_or(d.back_to_back_gap_hours),
        holidays_unavailable: f
            .boolean("holidays_unavailable", diags)
            .map_or(d.holidays_unavailable, Spanned::into_inner),
    }
}

const CAPACITY_MODES: [&str; 2] = ["availability", "fte"];

fn fairness(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawFairness {
    let f = Fields::new(
        t,
        span,
        "[fairness]",
        &["weights", "capacity", "history", "adjust"],
        diags,
    );
    let mut out = RawFairness::default();
    if let Some((w, span)) = f.table("weights", diags) {
        let wf = Fields::new(
            w,
            span,
            "`weights`",
            &["business", "after_hours", "weekend", "holiday"],
            diags,
        );
        let d = ClassWeights::default();
        out.weights = ClassWeights {
            business: non_negative(&wf, "business", diags).unwrap_or(d.business),
            after_hours: non_negative(&wf, "after_hours", diags).unwrap_or(d.after_hours),
            weekend: non_negative(&wf, "weekend", diags).unwrap_or(d.weekend),
            holiday: non_negative(&wf, "holiday", diags).unwrap_or(d.holiday),
        };
    }
    if let Some(c) = f.string("capacity", diags) {
        match c.get_ref().as_str() {
            "availability" => out.capacity = CapacityMode::Availability,
            "fte" => out.capacity = CapacityMode::Fte,
            other => {
                let help = suggest::did_you_mean(other, CAPACITY_MODES)
                    .unwrap_or_else(|| "capacity is \"availability\" or \"fte\"".into());
                diags.push(
                    Diagnostic::new(c.span(), format!("unknown capacity mode \"{other}\""))
                        .label("not a capacity mode")
                        .help(help),
                );
            }
        }
    }
    out.history = f
        .strings("history", diags)
        .map(Spanned::into_inner)
        .unwrap_or_default();
    for (t, span) in array_of_tables(&f, "adjust", diags) {
        let af = Fields::new(
            t,
            span,
            "[[fairness.adjust]]",
            &["member", "points", "reason"],
            diags,
        );
        let member = af.string("member", diags);
        let points = af.float("points", diags);
        af.string("reason", diags);
        if af.get("member").is_none() {
            diags.push(af.missing("member", "\"bob\""));
        }
        if af.get("points").is_none() {
            diags.push(af.missing("points", "-40.0"));
        }
        if let Some(p) = &points
            && !p.get_ref().is_finite()
        {
            diags.push(
                Diagnostic::new(p.span(), "`points` must be a finite number").label("not finite"),
            );
            continue;
        }
        if let (Some(m), Some(p)) = (member, points) {
            out.adjust.push((m, p.into_inner()));
        }
    }
    out
}

fn objective(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> ObjectiveWeights {
    let f = Fields::new(
        t,
        span,
        "[objective]",
        &[
            "imbalance",
            "deviation",
            "back_to_back_after_hours",
            "total_load",
            "prefer_off",
            "churn",
        ],
        diags,
    );
    let d = ObjectiveWeights::default();
    ObjectiveWeights {
        imbalance: non_negative(&f, "imbalance", diags).unwrap_or(d.imbalance),
        deviation: non_negative(&f, "deviation", diags).unwrap_or(d.deviation),
        back_to_back_after_hours: non_negative(&f, "back_to_back_after_hours", diags)
            .unwrap_or(d.back_to_back_after_hours),
        total_load: non_negative(&f, "total_load", diags).unwrap_or(d.total_load),
        prefer_off: non_negative(&f, "prefer_off", diags).unwrap_or(d.prefer_off),
        churn: non_negative(&f, "churn", diags).unwrap_or(d.churn),
    }
}

fn calendar(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> CalendarSettings {
    let f = Fields::new(t, span, "[calendar]", &["alarm_minutes", "url"], diags);
    CalendarSettings {
        alarm_minutes: bounded_integer(&f, "alarm_minutes", 0, 7 * 24 * 60, diags).unwrap_or(0),
        url: f.string("url", diags).map(Spanned::into_inner),
    }
}

/// `start` of a pin: a local date, or an instant with an offset.
fn pin_start(value: &Value<'_>, diags: &mut Vec<Diagnostic>) -> Option<PinStart> {
    let text = match value.get_ref() {
        DeValue::Datetime(dt) => dt.to_string(),
        DeValue::String(s) => s.to_string(),
        other => {
            diags.push(fields::wrong_type(
                value,
                "start",
                "a date or an RFC 3339 time",
            ));
            let _ = other;
            return None;
        }
    };
    if let Some(d) = dates::parse_date_str(&text) {
        return Some(PinStart::LocalDate(d));
    }
    match DateTime::parse_from_rfc3339(&text) {
        Ok(t) => Some(PinStart::Instant(t.with_timezone(&Utc))),
        Err(_) => {
            diags.push(
                Diagnostic::new(value.span(), format!("pin `start` \"{text}\" is neither a date nor an RFC 3339 time"))
                    .label("expected a date or a time with offset")
                    .help("use the shift's local start date (2027-02-01) or an instant like 2027-02-01T10:00:00-05:00"),
            );
            None
        }
    }
}

fn pin(t: &DeTable<'_>, span: Range<usize>, source: &str, diags: &mut Vec<Diagnostic>) -> RawPin {
    let f = Fields::new(
        t,
        span.clone(),
        "[[pin]]",
        &["layer", "start", "member"],
        diags,
    );
    for (key, example) in [
        ("layer", "\"primary\""),
        ("start", "2027-02-01"),
        ("member", "\"bob\""),
    ] {
        if f.get(key).is_none() {
            diags.push(f.missing(key, example));
        }
    }
    RawPin {
        line: super::diagnostic::line_col(source, span.start).0,
        layer: f.string("layer", diags),
        member: f.string("member", diags),
        start: f.get("start").and_then(|v| pin_start(v, diags)),
    }
}
