//! Hours of an interval by class (holiday > weekend > business > after-hours), by the
//! member's local time (SPEC §3).
//!
//! Works on whole local days and their working-hour edges, never minute by minute.

use chrono::{DateTime, Utc};

use crate::problem::ClassHours;

use super::calendar::{Day, DayKind, MemberCalendar};

/// The class hours of an interval for one member, and whether any of it is not business.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classified {
    pub hours: ClassHours,
    /// Some second of the interval is not `business` for the member.
    pub after_hours: bool,
}

/// Classifies `[a, b)` for the calendar's member.
pub fn classify(calendar: &MemberCalendar, a: DateTime<Utc>, b: DateTime<Utc>) -> Classified {
    classify_days(&calendar.touched(a, b), a, b)
}

/// Classifies `[a, b)` given the member's days it touches (from [`MemberCalendar::touched`]).
pub fn classify_days(touched: &[(Day, i64)], a: DateTime<Utc>, b: DateTime<Utc>) -> Classified {
    let (a, b) = (a.timestamp(), b.timestamp());
    let (mut business, mut after_hours, mut weekend, mut holiday) = (0i64, 0i64, 0i64, 0i64);
    for (day, overlap) in touched {
        match day.kind {
            DayKind::Holiday => holiday += overlap,
            DayKind::Weekend => weekend += overlap,
            DayKind::Working => {
                let b_secs = day.business_overlap(a, b);
                business += b_secs;
                after_hours += overlap - b_secs;
            }
        }
    }
    let hours = |secs: i64| secs as f64 / 3600.0;
    Classified {
        hours: ClassHours {
            business: hours(business),
            after_hours: hours(after_hours),
            weekend: hours(weekend),
            holiday: hours(holiday),
        },
        after_hours: after_hours + weekend + holiday > 0,
    }
}
