//! Dates (TOML local dates or quoted `"YYYY-MM-DD"`) and the whole-day rules of
//! `unavailable` / `prefer_off`: `{ from, to, reason }`, `{ date }`, `{ weekdays }`.

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::DeValue;

use super::clock;
use super::diagnostic::Diagnostic;
use super::fields::{self, Fields, Sp, Value};
use super::model::{DateRule, WeekdaySet};

/// Strict `YYYY-MM-DD`.
pub(crate) fn parse_date_str(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let b = t.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

fn not_a_date(value: &Value<'_>, key: &str, what: &str) -> Diagnostic {
    Diagnostic::new(value.span(), format!("`{key}` must be a date, not {what}"))
        .label("expected a date")
        .help("write dates as 2027-01-04 (a TOML date) or \"2027-01-04\"")
}

/// A date value: a TOML local date or a string of the same form.
pub(crate) fn date(
    value: &Value<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<NaiveDate>> {
    naive_date(value.get_ref())
        .map(|d| Spanned::new(value.span(), d))
        .map_err(|what| diags.push(not_a_date(value, key, &what)))
        .ok()
}

/// The date a value holds, or what it is instead (for "must be a date, not …").
fn naive_date(value: &DeValue<'_>) -> Result<NaiveDate, String> {
    match value {
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| "a day that does not exist".into())
            }
            _ => Err("a date with a time".into()),
        },
        DeValue::String(s) => parse_date_str(s).ok_or_else(|| format!("\"{s}\"")),
        other => Err(fields::type_name(other).into()),
    }
}

pub(crate) fn field_date(
    f: &Fields<'_, '_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<NaiveDate>> {
    f.get(key).and_then(|v| date(v, key, diags))
}

const RULE_KEYS: &[&str] = &["from", "to", "date", "weekdays", "reason"];

/// One rule: a table of one of the three forms, or a bare date (same as `{ date = … }`).
pub(crate) fn date_rule(
    value: &Value<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<DateRule> {
    let table = match value.get_ref() {
        DeValue::Datetime(_) | DeValue::String(_) => {
            let d = date(value, key, diags)?;
            return Some(DateRule::Date {
                date: d.into_inner(),
                reason: None,
            });
        }
        DeValue::Table(t) => t,
        other => {
            diags.push(
                Diagnostic::new(
                    value.span(),
                    format!(
                        "entries of `{key}` must be tables, not {}",
                        fields::type_name(other)
                    ),
                )
                .label("expected { from = …, to = … }, { date = … } or { weekdays = [...] }"),
            );
            return None;
        }
    };
    let before = diags.len();
    let f = Fields::new(table, value.span(), "a date rule", RULE_KEYS, diags);
    let reason = f.string("reason", diags).map(Spanned::into_inner);
    let has = |k: &str| f.get(k).is_some();
    let forms = [has("from") || has("to"), has("date"), has("weekdays")];
    let form_help = "use one of { from = 2027-02-08, to = 2027-02-12 }, { date = 2027-03-01 } or { weekdays = [\"sun\"] }";
    if forms.iter().filter(|x| **x).count() != 1 {
        let article = article(key);
        let message = if forms.iter().any(|x| *x) {
            format!("{article} `{key}` entry mixes several forms")
        } else {
            format!("{article} `{key}` entry says no dates")
        };
        diags.push(
            Diagnostic::new(value.span(), message)
                .label("which days?")
                .help(form_help),
        );
        return None;
    }
    let rule = if forms[0] {
        let from = field_date(&f, "from", diags);
        let to = field_date(&f, "to", diags);
        if f.get("from").is_none() {
            diags.push(f.missing("from", "2027-02-08"));
        }
        if f.get("to").is_none() {
            diags.push(f.missing("to", "2027-02-12"));
        }
        let (from, to) = (from?, to?);
        if to.get_ref() < from.get_ref() {
            diags.push(
                Diagnostic::new(
                    to.span(),
                    format!(
                        "`{key}` range ends ({}) before it starts ({})",
                        to.get_ref(),
                        from.get_ref()
                    ),
                )
                .label("before `from`")
                .help("`to` is inclusive and must be on or after `from`; swap the dates?"),
            );
            return None;
        }
        DateRule::Range {
            from: from.into_inner(),
            to: to.into_inner(),
            reason,
        }
    } else if forms[1] {
        DateRule::Date {
            date: field_date(&f, "date", diags)?.into_inner(),
            reason,
        }
    } else {
        let days = weekdays(f.get("weekdays")?, "weekdays", diags)?;
        if days.get_ref().is_empty() {
            diags.push(
                Diagnostic::new(days.span(), "`weekdays` is empty")
                    .label("no days")
                    .help("list at least one of mon tue wed thu fri sat sun"),
            );
            return None;
        }
        DateRule::Weekdays {
            days: days.into_inner(),
            reason,
        }
    };
    (diags.len() == before).then_some(rule)
}

/// An array of rules; bad entries are reported and skipped.
pub(crate) fn date_rules(
    f: &Fields<'_, '_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DateRule> {
    let Some(value) = f.get(key) else {
        return Vec::new();
    };
    let Some(items) = fields::as_array(value, key, diags) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| date_rule(item, key, diags))
        .collect()
}

/// An array of weekday names as a set; every bad name is reported.
pub(crate) fn weekdays(
    value: &Value<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<WeekdaySet>> {
    let names = fields::as_strings(value, key, diags)?;
    let mut set = WeekdaySet::default();
    let mut ok = true;
    for name in names.get_ref() {
        match clock::parse_weekday(name.get_ref()) {
            Ok(day) => set.insert(day),
            Err(e) => {
                ok = false;
                diags.push(
                    Diagnostic::new(name.span(), e.message)
                        .label("not a weekday")
                        .maybe_help(e.help),
                );
            }
        }
    }
    ok.then(|| Spanned::new(value.span(), set))
}

/// "an `unavailable` entry", "a `prefer_off` entry": the article the key's sound takes.
fn article(key: &str) -> &'static str {
    match key.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_take_the_article_of_their_sound() {
        assert_eq!(article("unavailable"), "an");
        assert_eq!(article("prefer_off"), "a");
    }
    use chrono::Weekday;
    use toml::de::DeTable;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Parses `x = <value>` and runs `f` on the value.
    fn with_value<T>(
        value: &str,
        f: impl FnOnce(&Value<'_>, &mut Vec<Diagnostic>) -> T,
    ) -> (T, Vec<Diagnostic>) {
        let text = format!("x = {value}\n");
        let doc = DeTable::parse(&text).expect("valid TOML");
        let mut diags = Vec::new();
        let out = f(doc.get_ref().get("x").expect("x"), &mut diags);
        (out, diags)
    }

    #[test]
    fn dates_as_toml_dates_or_strings() {
        assert_eq!(parse_date_str("2027-01-04"), Some(d(2027, 1, 4)));
        for bad in [
            "2027-1-4",
            "2027-02-30",
            "04.01.2027",
            "2027-01-04T00:00",
            "",
        ] {
            assert_eq!(parse_date_str(bad), None, "{bad}");
        }
        let (v, diags) = with_value("2027-01-04", |v, ds| date(v, "x", ds));
        assert_eq!(v.map(Spanned::into_inner), Some(d(2027, 1, 4)));
        assert!(diags.is_empty());
        let (v, _) = with_value("\"2027-02-28\"", |v, ds| date(v, "x", ds));
        assert_eq!(v.map(Spanned::into_inner), Some(d(2027, 2, 28)));
        for bad in [
            "2027-01-04T10:00:00",
            "\"tomorrow\"",
            "20270104",
            "2027-01-04T10:00:00Z",
        ] {
            let (v, diags) = with_value(bad, |v, ds| date(v, "x", ds));
            assert!(v.is_none() && diags.len() == 1, "{bad}");
        }
    }

    #[test]
    fn the_three_rule_forms() {
        let (r, diags) = with_value(
            "{ from = 2027-02-08, to = \"2027-02-12\", reason = \"ski trip\" }",
            |v, ds| date_rule(v, "unavailable", ds),
        );
        assert!(diags.is_empty());
        let r = r.unwrap();
        assert_eq!(r.reason(), Some("ski trip"));
        assert!(r.covers(d(2027, 2, 8)) && r.covers(d(2027, 2, 12)));
        assert!(!r.covers(d(2027, 2, 7)) && !r.covers(d(2027, 2, 13)));

        let (r, _) = with_value("{ date = 2027-03-01 }", |v, ds| {
            date_rule(v, "unavailable", ds)
        });
        assert_eq!(
            r,
            Some(DateRule::Date {
                date: d(2027, 3, 1),
                reason: None
            })
        );

        let (r, _) = with_value("{ weekdays = [\"sat\", \"sun\"] }", |v, ds| {
            date_rule(v, "unavailable", ds)
        });
        assert_eq!(
            r,
            Some(DateRule::Weekdays {
                days: WeekdaySet::from_days([Weekday::Sat, Weekday::Sun]),
                reason: None
            })
        );

        let (r, _) = with_value("2027-03-02", |v, ds| date_rule(v, "unavailable", ds));
        assert_eq!(
            r,
            Some(DateRule::Date {
                date: d(2027, 3, 2),
                reason: None
            })
        );
    }

    #[test]
    fn bad_rules_are_reported() {
        let cases = [
            (
                "{ from = 2027-02-12, to = 2027-02-08 }",
                "ends (2027-02-08) before it starts",
            ),
            ("{ from = 2027-02-12 }", "missing `to`"),
            (
                "{ date = 2027-02-12, weekdays = [\"mon\"] }",
                "mixes several forms",
            ),
            ("{ reason = \"x\" }", "says no dates"),
            (
                "{ weekdays = [\"mon\", \"sunday\"] }",
                "\"sunday\" is not a weekday",
            ),
            ("{ weekdays = [] }", "`weekdays` is empty"),
            (
                "{ date = 2027-02-12, resaon = \"x\" }",
                "unknown key `resaon`",
            ),
            ("42", "must be tables"),
        ];
        for (text, expected) in cases {
            let (r, diags) = with_value(text, |v, ds| date_rule(v, "unavailable", ds));
            assert!(r.is_none(), "{text}");
            assert!(
                diags.iter().any(|d| d.message.contains(expected)),
                "{text}: {diags:?}"
            );
        }
    }
}
