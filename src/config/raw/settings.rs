//! `[rules]`, `[fairness]`, `[objective]` and `[calendar]`: numbers with defaults.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeTable;

use super::{array_of_tables, bounded_integer, non_negative};
use crate::config::diagnostic::Diagnostic;
use crate::config::fields::{Fields, Sp};
use crate::config::model::{CalendarSettings, CapacityMode, ClassWeights, ObjectiveWeights, Rules};
use crate::config::suggest;

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

pub(super) fn calendar(
    t: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> CalendarSettings {
    let f = Fields::new(t, span, "[calendar]", &["alarm_minutes", "url"], diags);
    CalendarSettings {
        alarm_minutes: bounded_integer(&f, "alarm_minutes", 0, 7 * 24 * 60, diags).unwrap_or(0),
        url: f.string("url", diags).map(Spanned::into_inner),
    }
}
