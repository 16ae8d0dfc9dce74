//! `[rules]`, `[fairness]`, `[objective]` and `[calendar]`: numbers with defaults, and the
//! calendar's templates.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeTable;

use super::{array_of_tables, bounded_integer, non_negative};
use crate::config::diagnostic::Diagnostic;
use crate::config::fields::{Fields, Sp};
use crate::config::model::{CalendarSettings, CapacityMode, ClassWeights, ObjectiveWeights, Rules};
use crate::config::suggest;
use crate::config::template::{Placeholder, Template};

#[derive(Debug, Default)]
pub(crate) struct RawFairness {
    pub(crate) weights: ClassWeights,
    pub(crate) capacity: CapacityMode,
    pub(crate) history: Vec<Sp<String>>,
    pub(crate) history_months: Option<u32>,
    pub(crate) adjust: Vec<(Sp<String>, f64)>,
}

pub(super) fn rules(t: &DeTable<'_>, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> Rules {
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

pub(super) fn fairness(
    t: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> RawFairness {
    let f = Fields::new(
        t,
        span,
        "[fairness]",
        &["weights", "capacity", "history", "history_months", "adjust"],
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
    // A hundred years: beyond that a window means nothing.
    out.history_months = bounded_integer(&f, "history_months", 0, 1200, diags);
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

pub(super) fn objective(
    t: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> ObjectiveWeights {
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

/// `[calendar]` as read, with where `{email}` is first used (validation then checks that
/// everyone who can be on call has an email).
#[derive(Debug, Default)]
pub(crate) struct RawCalendar {
    pub(crate) settings: CalendarSettings,
    pub(crate) email_used_at: Option<Range<usize>>,
}

pub(super) fn calendar(
    t: &DeTable<'_>,
    span: Range<usize>,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> RawCalendar {
    let f = Fields::new(
        t,
        span,
        "[calendar]",
        &["alarm_minutes", "url", "summary", "description"],
        diags,
    );
    let mut email_used_at = None;
    let mut read = |key: &str| {
        let value = f.string(key, diags)?;
        let parsed = template(&value, key, source, diags)?;
        if parsed.uses(Placeholder::Email) && email_used_at.is_none() {
            email_used_at = Some(value.span());
        }
        Some(parsed)
    };
    let summary = read("summary");
    let description = read("description");
    RawCalendar {
        settings: CalendarSettings {
            alarm_minutes: bounded_integer(&f, "alarm_minutes", 0, 7 * 24 * 60, diags).unwrap_or(0),
            url: f.string("url", diags).map(Spanned::into_inner),
            summary,
            description,
        },
        email_used_at,
    }
}

/// A `summary` or `description` template; each mistake points at its place in the file.
fn template(
    value: &Sp<String>,
    key: &str,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Template> {
    let text = value.get_ref();
    if text.trim().is_empty() {
        diags.push(
            Diagnostic::new(value.span(), format!("`{key}` is empty"))
                .label("no text")
                .help(format!(
                    "remove `{key}` for the default, or write a template such as {key} = \"{{email}}\""
                )),
        );
        return None;
    }
    // The template's byte offsets are offsets in the file too when the string is written
    // without escapes (the usual case); otherwise the whole value is pointed at.
    let quoted = source.get(value.span()).unwrap_or_default();
    let base = quoted.find(text.as_str()).map(|i| value.span().start + i);
    match Template::parse(text) {
        Ok(t) => Some(t),
        Err(errors) => {
            for e in errors {
                let span = base.map_or(value.span(), |b| b + e.span.start..b + e.span.end);
                diags.push(
                    Diagnostic::new(span, format!("`{key}`: {}", e.message))
                        .label(e.label)
                        .help(e.help),
                );
            }
            None
        }
    }
}
