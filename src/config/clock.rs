//! Times of day (`HH:MM`), points in the week (`mon 09:00`), windows (`09:00-17:00`,
//! which may wrap past midnight) and weekday names.

use chrono::{NaiveTime, Weekday};

use super::model::{TimeWindow, WeeklyTime};
use super::suggest;

/// Why a string is not the clock value it should be, and how to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClockError {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

impl ClockError {
    fn new(message: String, help: impl Into<Option<String>>) -> Self {
        ClockError {
            message,
            help: help.into(),
        }
    }
}

pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `mon` … `sun` (any case).
pub(crate) fn parse_weekday(s: &str) -> Result<Weekday, ClockError> {
    let lower = s.trim().to_ascii_lowercase();
    match WEEKDAYS.iter().position(|d| *d == lower) {
        Some(i) => Weekday::try_from(i as u8)
            .map_err(|_| ClockError::new(format!("\"{s}\" is not a weekday"), None)),
        None => Err(ClockError::new(
            format!("\"{s}\" is not a weekday"),
            Some(
                suggest::did_you_mean(s, WEEKDAYS)
                    .unwrap_or_else(|| format!("weekdays are {}", WEEKDAYS.join(" "))),
            ),
        )),
    }
}

/// `HH:MM` (one-digit hours allowed), 00:00 to 23:59.
pub(crate) fn parse_time(s: &str) -> Result<NaiveTime, ClockError> {
    parse_hm(s, false)
}

/// Like [`parse_time`], and `24:00` (as midnight) when `allow_24` is set: a window may end
/// at the end of the day.
fn parse_hm(s: &str, allow_24: bool) -> Result<NaiveTime, ClockError> {
    let bad = || {
        ClockError::new(
            format!("\"{s}\" is not a time of day"),
            Some("write times as \"HH:MM\" on a 24-hour clock, e.g. \"09:00\" or \"17:30\"".into()),
        )
    };
    let t = s.trim();
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return Err(bad());
    }
    let hour: u32 = h.parse().map_err(|_| bad())?;
    let minute: u32 = m.parse().map_err(|_| bad())?;
    if allow_24 && hour == 24 && minute == 0 {
        return Ok(NaiveTime::MIN);
    }
    if hour > 23 || minute > 59 {
        return Err(ClockError::new(
            format!("\"{s}\" is not a time of day: hours run 00–23 and minutes 00–59"),
            Some("write times as \"HH:MM\" on a 24-hour clock, e.g. \"09:00\" or \"17:30\"".into()),
        ));
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(bad)
}

/// `DAY HH:MM`, e.g. `mon 09:00`.
pub(crate) fn parse_weekly(s: &str) -> Result<WeeklyTime, ClockError> {
    let t = s.trim();
    let Some((day, time)) = t.split_once(char::is_whitespace) else {
        let help = if parse_time(t).is_ok() {
            format!("add the weekday: \"mon {t}\"")
        } else {
            "write a weekday and a time, e.g. \"mon 09:00\"".into()
        };
        return Err(ClockError::new(
            format!("\"{s}\" is not a weekday and time"),
            Some(help),
        ));
    };
    Ok(WeeklyTime {
        weekday: parse_weekday(day)?,
        time: parse_time(time.trim())?,
    })
}

/// `HH:MM-HH:MM`; an end at or before the start wraps past midnight, `24:00` is midnight.
pub(crate) fn parse_window(s: &str) -> Result<TimeWindow, ClockError> {
    let Some((a, b)) = s.split_once('-') else {
        return Err(ClockError::new(
            format!("\"{s}\" is not a time window"),
            Some(
                "write a window as \"HH:MM-HH:MM\", e.g. \"09:00-17:00\" or \"22:00-06:00\"".into(),
            ),
        ));
    };
    Ok(TimeWindow {
        start: parse_time(a)?,
        end: parse_hm(b, true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time("09:00"), Ok(t(9, 0)));
        assert_eq!(parse_time("9:05"), Ok(t(9, 5)));
        assert_eq!(parse_time(" 23:59 "), Ok(t(23, 59)));
        for bad in [
            "24:00",
            "12:60",
            "9",
            "09:0",
            "9h00",
            "-1:00",
            "",
            "１２:00",
            "123:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekdays_and_weekly_times() {
        assert_eq!(parse_weekday("Mon"), Ok(Weekday::Mon));
        assert_eq!(parse_weekday("sun"), Ok(Weekday::Sun));
        let err = parse_weekday("thurs").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean \"thu\"?"));
        assert_eq!(
            parse_weekly("thu 09:30"),
            Ok(WeeklyTime {
                weekday: Weekday::Thu,
                time: t(9, 30)
            })
        );
        let err = parse_weekly("10:00").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("add the weekday: \"mon 10:00\""));
        assert!(parse_weekly("mon 25:00").is_err());
        assert!(parse_weekly("funday 10:00").is_err());
        for (i, name) in WEEKDAYS.iter().enumerate() {
            let day = parse_weekday(name).unwrap();
            assert_eq!(day.num_days_from_monday() as usize, i);
        }
    }

    #[test]
    fn windows_including_wrap_past_midnight() {
        let w = parse_window("09:00-17:00").unwrap();
        assert!(!w.wraps());
        assert!(w.contains(t(9, 0)) && w.contains(t(16, 59)) && !w.contains(t(17, 0)));
        let night = parse_window("22:00-06:00").unwrap();
        assert!(night.wraps());
        assert!(night.contains(t(23, 0)) && night.contains(t(5, 59)) && !night.contains(t(6, 0)));
        let evening = parse_window("18:00-24:00").unwrap();
        assert_eq!(evening.end, NaiveTime::MIN);
        assert!(evening.contains(t(23, 59)) && !evening.contains(t(0, 0)));
        assert!(parse_window("09:00").is_err());
        assert!(parse_window("09:00-25:00").is_err());
        assert!(parse_window("24:00-06:00").is_err());
    }

    proptest::proptest! {
        #[test]
        fn proptest_every_valid_time_round_trips(h in 0u32..24, m in 0u32..60, pad in proptest::bool::ANY) {
            let text = if pad { format!("{h:02}:{m:02}") } else { format!("{h}:{m:02}") };
            proptest::prop_assert_eq!(parse_time(&text), Ok(t(h, m)));
            let weekly = parse_weekly(&format!("wed {text}")).unwrap();
            proptest::prop_assert_eq!((weekly.weekday, weekly.time), (Weekday::Wed, t(h, m)));
        }

        #[test]
        fn proptest_window_contains_exactly_its_minutes(
            a in 0u32..1440, b in 0u32..1440, x in 0u32..1440,
        ) {
            let hm = |v: u32| format!("{:02}:{:02}", v / 60, v % 60);
            let w = parse_window(&format!("{}-{}", hm(a), hm(b))).unwrap();
            // Minutes from the start, going forward around the clock; an equal start and
            // end is a whole day.
            let len = if b > a { b - a } else { b + 1440 - a };
            let offset = (x + 1440 - a) % 1440;
            proptest::prop_assert_eq!(w.contains(t(x / 60, x % 60)), offset < len);
        }

        #[test]
        fn proptest_no_string_panics(s in "\\PC{0,20}") {
            let _ = parse_time(&s);
            let _ = parse_weekly(&s);
            let _ = parse_window(&s);
            let _ = parse_weekday(&s);
        }
    }
}
