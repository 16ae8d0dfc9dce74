//! Holiday sets from `.ics` files: the all-day `VEVENT`s (`DTSTART;VALUE=DATE`, several
//! days through an exclusive `DTEND` or a `DURATION` in days or weeks).

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::{Duration, NaiveDate};
use icalendar::parser::{Component, Property, read_calendar, unfold};

/// Longest single holiday event accepted; longer ones are almost certainly not holidays.
const MAX_EVENT_DAYS: i64 = 366;

/// What is wrong with an .ics file, and where (byte range in the original text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IcsError {
    pub(crate) message: String,
    pub(crate) span: Range<usize>,
    pub(crate) help: Option<String>,
}

/// Every date covered by an all-day event of the calendar text.
pub(crate) fn parse_ics(text: &str) -> Result<BTreeSet<NaiveDate>, IcsError> {
    let unfolded = unfold(text);
    // The parser's message quotes the file; the file may be anything readable (a
    // secret, say), so only that it is not a calendar is said.
    let calendar = read_calendar(&unfolded).map_err(|_| IcsError {
        message: "not an iCalendar file".into(),
        span: 0..text.find('\n').unwrap_or(text.len()),
        help: Some(
            "export the holidays as an .ics calendar (BEGIN:VCALENDAR … END:VCALENDAR)".into(),
        ),
    })?;
    let mut events = Vec::new();
    collect_events(&calendar.components, &mut events);
    let mut dates = BTreeSet::new();
    for (index, event) in events.iter().enumerate() {
        if let Some((start, days)) = event_days(event, text, index)? {
            for i in 0..days {
                dates.insert(start + Duration::days(i));
            }
        }
    }
    Ok(dates)
}

fn collect_events<'a>(components: &'a [Component<'a>], out: &mut Vec<&'a Component<'a>>) {
    for c in components {
        if c.name.as_str().eq_ignore_ascii_case("VEVENT") {
            out.push(c);
        } else {
            collect_events(&c.components, out);
        }
    }
}

/// Byte range of the line of property `name` in the `index`-th VEVENT of the original text,
/// or (for `None`, or when not found) of that event's `BEGIN:VEVENT` line.
fn locate(text: &str, index: usize, name: Option<&str>) -> Range<usize> {
    let mut offset = 0;
    let mut event = None;
    let mut seen = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        let span = offset..offset + trimmed.len();
        offset += line.len();
        if trimmed.eq_ignore_ascii_case("BEGIN:VEVENT") {
            if seen == index {
                event = Some(span);
            } else if event.is_some() {
                break;
            }
            seen += 1;
            continue;
        }
        if event.is_some() {
            if trimmed.eq_ignore_ascii_case("END:VEVENT") {
                break;
            }
            let upper = trimmed.to_ascii_uppercase();
            if let Some(name) = name
                && upper.starts_with(name)
                && upper[name.len()..].starts_with([':', ';'])
            {
                return span;
            }
        }
    }
    event.unwrap_or(0..0)
}

fn parse_ics_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| NaiveDate::parse_from_str(v, "%Y%m%d").ok())
        .flatten()
}

/// `P3D`, `P1W` (whole days only).
fn parse_days_duration(value: &str) -> Option<i64> {
    let v = value.trim().strip_prefix('P')?;
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    match unit {
        "D" => Some(n),
        "W" => n.checked_mul(7),
        _ => None,
    }
}

/// First day and number of days of one event; `None` for cancelled events.
fn event_days(
    event: &Component<'_>,
    text: &str,
    index: usize,
) -> Result<Option<(NaiveDate, i64)>, IcsError> {
    let err = |name: Option<&str>, message: String, help: &str| IcsError {
        message,
        span: locate(text, index, name),
        help: Some(help.to_string()),
    };
    if event
        .find_prop("STATUS")
        .is_some_and(|s| s.val.as_str().trim().eq_ignore_ascii_case("CANCELLED"))
    {
        return Ok(None);
    }
    if event.find_prop("RRULE").is_some() {
        return Err(err(
            Some("RRULE"),
            "recurring holiday events (RRULE) are not supported".into(),
            "export the calendar with each occurrence as its own event, or list the dates in the config",
        ));
    }
    let Some(dtstart) = event.find_prop("DTSTART") else {
        return Err(err(
            None,
            "holiday event has no DTSTART".into(),
            "each holiday needs a line like DTSTART;VALUE=DATE:20270101",
        ));
    };
    let all_day_help = "holidays must be all-day events: DTSTART;VALUE=DATE:20270101";
    let end_help = "an all-day event ends with DTEND;VALUE=DATE:YYYYMMDD (exclusive)";
    // The date of the DTSTART or DTEND `prop`, or an error saying what the event `is`
    // instead (without its value: the file may be anything readable).
    let date_of = |prop: &Property<'_>, name: &str, is: &str, help: &str| {
        parse_ics_date(prop.val.as_str())
            .ok_or_else(|| err(Some(name), format!("holiday event {is}"), help))
    };
    let start = date_of(dtstart, "DTSTART", "is not an all-day event", all_day_help)?;
    let days = if let Some(dtend) = event.find_prop("DTEND") {
        let end = date_of(dtend, "DTEND", "does not end on a date", end_help)?;
        (end - start).num_days()
    } else if let Some(duration) = event.find_prop("DURATION") {
        parse_days_duration(duration.val.as_str()).ok_or_else(|| {
            err(
                Some("DURATION"),
                "holiday event does not last whole days".into(),
                "an all-day event lasts whole days, e.g. DURATION:P1D",
            )
        })?
    } else {
        1
    };
    if days < 1 {
        return Err(err(
            Some("DTEND"),
            "holiday event ends before it starts".into(),
            "DTEND is exclusive: a one-day event on 2027-01-01 ends 20270102",
        ));
    }
    if days > MAX_EVENT_DAYS {
        return Err(err(
            Some("DTEND"),
            format!("holiday event lasts {days} days"),
            "split it, or check DTEND",
        ));
    }
    Ok(Some((start, days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calendar(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn single_and_multi_day_events() {
        let text = calendar(
            "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:Neujahr\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20271224\r\nDTEND;VALUE=DATE:20271227\r\nSUMMARY:Weihnachten\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:3\r\nDTSTART;VALUE=DATE:20270405\r\nDURATION:P1W\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:4\r\nDTSTART;VALUE=DATE:20270601\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n",
        );
        let dates = parse_ics(&text).unwrap();
        let mut expected: BTreeSet<NaiveDate> = [
            d(2027, 1, 1),
            d(2027, 12, 24),
            d(2027, 12, 25),
            d(2027, 12, 26),
        ]
        .into();
        expected.extend((5..12).map(|day| d(2027, 4, day)));
        assert_eq!(dates, expected);
    }

    #[test]
    fn folded_lines_and_lf_endings() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Tag der Deutschen\n  Einheit\nDTSTART;VALUE=DATE:20271003\nDTEND;VALUE=DATE:20271004\nEND:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(parse_ics(text).unwrap(), [d(2027, 10, 3)].into());
    }

    #[test]
    fn timed_events_are_rejected_at_their_line() {
        let text = calendar(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nSUMMARY:Meeting\r\nDTSTART:20270105T090000Z\r\nEND:VEVENT\r\n",
        );
        let err = parse_ics(&text).unwrap_err();
        assert!(err.message.contains("not an all-day event"), "{err:?}");
        assert_eq!(&text[err.span.clone()], "DTSTART:20270105T090000Z");
    }

    #[test]
    fn other_bad_events() {
        let cases = [
            (
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270105\r\nDTEND;VALUE=DATE:20270105\r\nEND:VEVENT\r\n",
                "ends before it starts",
            ),
            (
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n",
                "RRULE",
            ),
            ("BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n", "no DTSTART"),
            (
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270105\r\nDURATION:PT1H\r\nEND:VEVENT\r\n",
                "does not last whole days",
            ),
            (
                "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270105\r\nDTEND;VALUE=DATE:20290105\r\nEND:VEVENT\r\n",
                "lasts 731 days",
            ),
        ];
        for (events, expected) in cases {
            let err = parse_ics(&calendar(events)).unwrap_err();
            assert!(err.message.contains(expected), "{events}: {err:?}");
        }
    }

    #[test]
    fn errors_point_into_their_own_event() {
        // The second event lacks DTSTART: the error points at its BEGIN line, not at the
        // first event's DTSTART nor at the third's.
        let text = calendar(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nSUMMARY:no start\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270103\r\nEND:VEVENT\r\n",
        );
        let err = parse_ics(&text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "BEGIN:VEVENT");
        let second = text.match_indices("BEGIN:VEVENT").nth(1).unwrap().0;
        assert_eq!(err.span.start, second);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "hello",
            "BEGIN:VCALENDAR\r\n",
            "BEGIN:\r\n",
            "\u{0}\u{1}",
        ] {
            let _ = parse_ics(text);
        }
        assert!(parse_ics("hello world").is_err());
    }
}
