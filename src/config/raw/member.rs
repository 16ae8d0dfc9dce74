//! `[[member]]`: identity, zone, working time, holidays, tags, fte, dates and day rules.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::Spanned;
use toml::de::DeTable;

use super::{bounded_integer, field_weekdays, field_window, field_zone};
use crate::config::dates;
use crate::config::diagnostic::Diagnostic;
use crate::config::fields::{Fields, Sp};
use crate::config::model::{DateRule, TimeWindow, WeekdaySet};

/// Least `fte`: a smaller share would make one shift weigh like a career's worth of them
/// in the fairness terms.
const MIN_FTE: f64 = 0.01;

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

/// The keys a `[[member]]` table may have.
const MEMBER_KEYS: &[&str] = &[
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
];

pub(super) fn member(
    t: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> RawMember {
    let f = Fields::new(t, span, "[[member]]", MEMBER_KEYS, diags);
    let id = f.string("id", diags);
    f.require("id", "\"alice\"", diags);
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
        Some(x) if (MIN_FTE..=1.0).contains(x.get_ref()) => x.into_inner(),
        Some(x) => {
            diags.push(
                Diagnostic::new(
                    x.span(),
                    format!(
                        "`fte` must be at least {MIN_FTE} and at most 1, not {}",
                        x.get_ref()
                    ),
                )
                .label("out of [0.01, 1]")
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
        name: f.name("name", diags).map(Spanned::into_inner),
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
