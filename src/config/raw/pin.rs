//! `[[pin]]`: a fixed assignment, its layer and member by name and its start.

use std::ops::Range;

use chrono::{DateTime, Utc};
use toml::de::{DeTable, DeValue};

use crate::config::dates;
use crate::config::diagnostic::Diagnostic;
use crate::config::fields::{self, Fields, Sp, Value};
use crate::config::model::PinStart;

#[derive(Debug)]
pub(crate) struct RawPin {
    /// Where its `start` is (or the `[[pin]]` without one): 1-based line and column.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) layer: Option<Sp<String>>,
    pub(crate) member: Option<Sp<String>>,
    pub(crate) start: Option<PinStart>,
}

/// `start` of a pin: a local date, or an instant with an offset.
fn pin_start(value: &Value<'_>, diags: &mut Vec<Diagnostic>) -> Option<PinStart> {
    let text = match value.get_ref() {
        DeValue::Datetime(dt) => dt.to_string(),
        DeValue::String(s) => s.to_string(),
        _ => {
            diags.push(fields::wrong_type(
                value,
                "start",
                "a date or an RFC 3339 time",
            ));
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

/// The keys a `[[pin]]` table may have.
const PIN_KEYS: &[&str] = &["layer", "start", "member"];

pub(super) fn pin(
    t: &DeTable<'_>,
    span: Range<usize>,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) -> RawPin {
    let f = Fields::new(t, span.clone(), "[[pin]]", PIN_KEYS, diags);
    for (key, example) in [
        ("layer", "\"primary\""),
        ("start", "2027-02-01"),
        ("member", "\"bob\""),
    ] {
        f.require(key, example, diags);
    }
    let at = f.get("start").map_or(span.start, |v| v.span().start);
    let (line, column) = crate::config::diagnostic::line_col(source, at);
    RawPin {
        line,
        column,
        layer: f.string("layer", diags),
        member: f.string("member", diags),
        start: f.get("start").and_then(|v| pin_start(v, diags)),
    }
}
