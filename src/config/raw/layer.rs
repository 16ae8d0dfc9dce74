//! `[[layer]]`: name, rotation kind with its handoff or window, zone, days, eligibility.

use std::ops::Range;

use chrono_tz::Tz;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{bounded_integer, clock_error, field_weekdays, field_zone};
use crate::config::clock;
use crate::config::diagnostic::Diagnostic;
use crate::config::fields::{self, Fields, Sp, Value};
use crate::config::model::{Rotation, TimeWindow, WeekdaySet, WeeklyTime};
use crate::config::suggest;

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
    pub(crate) any_tags: Vec<Sp<String>>,
    pub(crate) all_tags: Vec<Sp<String>>,
    pub(crate) members: Vec<Sp<String>>,
    pub(crate) exclude: Vec<Sp<String>>,
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

/// The keys a `[[layer]]` table may have.
const LAYER_KEYS: &[&str] = &[
    "name",
    "rotation",
    "handoff",
    "timezone",
    "window",
    "days",
    "eligible",
    "per_shift",
];

pub(super) fn layer(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawLayer {
    let f = Fields::new(t, span, "[[layer]]", LAYER_KEYS, diags);
    let name = f.string("name", diags);
    f.require("name", "\"primary\"", diags);
    f.require("rotation", "\"weekly\"", diags);
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

/// The keys a layer's `eligible` table may have.
const ELIGIBLE_KEYS: &[&str] = &["any_tags", "all_tags", "members", "exclude"];

fn eligible(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> RawEligible {
    let f = Fields::new(t, span, "`eligible`", ELIGIBLE_KEYS, diags);
    RawEligible {
        any_tags: f
            .strings("any_tags", diags)
            .map(Spanned::into_inner)
            .unwrap_or_default(),
        all_tags: f
            .strings("all_tags", diags)
            .map(Spanned::into_inner)
            .unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::{NaiveTime, Weekday};

    use crate::config::{Config, ConfigError, Rotation, TimeWindow, WeeklyTime, parse_with};

    /// A one-layer config with `body` as the layer's lines.
    fn with_layer(body: &str) -> Result<Config, ConfigError> {
        let text = format!(
            "[team]\nname = \"t\"\ntimezone = \"UTC\"\n[period]\nstart = 2027-01-04\nend = 2027-02-01\n\
             [[layer]]\nname = \"l\"\n{body}\n[[member]]\nid = \"a\"\n"
        );
        parse_with(Path::new("t.toml"), &text, &|_: &Path, _| {
            Err(std::io::Error::other("no files here"))
        })
    }

    fn rotation(body: &str) -> Rotation {
        match with_layer(body) {
            Ok(c) => c.layers[0].rotation.clone(),
            Err(e) => panic!("{body}:\n{e}"),
        }
    }

    fn error(body: &str) -> String {
        match with_layer(body) {
            Ok(c) => panic!("{body} was accepted: {:?}", c.layers[0].rotation),
            Err(e) => {
                assert_eq!(e.count, 1, "{e}");
                e.rendered
            }
        }
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn each_rotation_kind_with_its_handoff() {
        assert_eq!(
            rotation("rotation = \"weekly\"\nhandoff = \"fri 16:30\""),
            Rotation::Weekly {
                handoff: WeeklyTime {
                    weekday: Weekday::Fri,
                    time: t(16, 30)
                }
            }
        );
        assert_eq!(
            rotation("rotation = \"daily\"\nhandoff = \"07:00\""),
            Rotation::Daily { handoff: t(7, 0) }
        );
        assert_eq!(
            rotation("rotation = { hours = 168 }\nhandoff = \"00:00\""),
            Rotation::Hours {
                hours: 168,
                handoff: t(0, 0)
            }
        );
        // Points are sorted Monday first, whatever order they are written in.
        assert_eq!(
            rotation("rotation = { handoffs = [\"thu 09:00\", \"sun 18:00\", \"mon 09:00\"] }"),
            Rotation::Handoffs {
                points: vec![
                    WeeklyTime {
                        weekday: Weekday::Mon,
                        time: t(9, 0)
                    },
                    WeeklyTime {
                        weekday: Weekday::Thu,
                        time: t(9, 0)
                    },
                    WeeklyTime {
                        weekday: Weekday::Sun,
                        time: t(18, 0)
                    },
                ]
            }
        );
        let window = Rotation::Window {
            window: TimeWindow {
                start: t(22, 0),
                end: t(6, 0),
            },
        };
        assert_eq!(
            rotation("rotation = \"daily\"\nwindow = \"22:00-06:00\""),
            window
        );
        assert_eq!(
            rotation("rotation = \"daily\"\nhandoff = \"22:00\"\nwindow = \"22:00-06:00\""),
            window
        );
    }

    #[test]
    fn forms_that_do_not_fit_the_kind() {
        let cases = [
            ("rotation = \"weekly\"", "missing `handoff` in [[layer]]"),
            (
                "rotation = \"daily\"\nhandoff = \"mon 09:00\"",
                "a daily handoff is a time of day",
            ),
            (
                "rotation = { hours = 12 }\nhandoff = \"mon 09:00\"",
                "a hours handoff is a time of day",
            ),
            (
                "rotation = \"weekly\"\nhandoff = \"10:00\"",
                "add the weekday: \"mon 10:00\"",
            ),
            (
                "rotation = { hours = 169 }\nhandoff = \"08:00\"",
                "between 1 and 168",
            ),
            (
                "rotation = { hours = 1.5 }\nhandoff = \"08:00\"",
                "must be an integer",
            ),
            ("rotation = { handoffs = [] }", "`handoffs` is empty"),
            (
                "rotation = { handoffs = [\"mon 09:00\"], hours = 2 }",
                "exactly one of",
            ),
            (
                "rotation = \"hours\"\nhandoff = \"08:00\"",
                "rotation = { hours = 12 }",
            ),
            (
                "rotation = \"dayly\"\nhandoff = \"08:00\"",
                "did you mean \"daily\"?",
            ),
            (
                "rotation = 12\nhandoff = \"08:00\"",
                "must be a string or a table",
            ),
            (
                "rotation = \"weekly\"\nhandoff = \"mon 09:00\"\nwindow = \"09:00-17:00\"",
                "only works with rotation = \"daily\"",
            ),
            (
                "rotation = \"daily\"\nwindow = \"09:00\"",
                "not a time window",
            ),
            (
                "rotation = \"daily\"\nhandoff = \"09:00\"\ndays = []",
                "`days` is empty",
            ),
            (
                "rotation = \"daily\"\nhandoff = \"09:00\"\nper_shift = 0",
                "between 1 and 1000",
            ),
            (
                "rotation = \"daily\"\nhandoff = \"09:00\"\neligible = { tags = [\"x\"] }",
                "did you mean \"any_tags\"?",
            ),
        ];
        for (body, expected) in cases {
            let rendered = error(body);
            assert!(
                rendered.contains(expected),
                "{body}: expected {expected:?} in\n{rendered}"
            );
        }
    }
}
