//! Hours of an interval by class (holiday > weekend > business > after-hours), by the
//! member's local time (docs/objective.md, "Time semantics").
//!
//! Works on whole local days and their working-hour edges, never minute by minute.

use chrono::{DateTime, Utc};

use crate::config::ClassWeights;

use super::calendar::{Day, DayKind};

/// Hours of a shift by class, for one member.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassHours {
    pub business: f64,
    pub after_hours: f64,
    pub weekend: f64,
    pub holiday: f64,
}

impl ClassHours {
    pub fn total(&self) -> f64 {
        self.business + self.after_hours + self.weekend + self.holiday
    }

    pub fn points(&self, w: &ClassWeights) -> f64 {
        self.business * w.business
            + self.after_hours * w.after_hours
            + self.weekend * w.weekend
            + self.holiday * w.holiday
    }

    pub fn add(&mut self, other: &ClassHours) {
        self.business += other.business;
        self.after_hours += other.after_hours;
        self.weekend += other.weekend;
        self.holiday += other.holiday;
    }
}

/// The class hours of an interval for one member, and whether any of it is not business.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Classified {
    pub hours: ClassHours,
    /// Some second of the interval is not `business` for the member.
    pub after_hours: bool,
}

/// Classifies `[a, b)` given the member's days it touches (from [`MemberCalendar::touched`]).
pub(crate) fn classify_days(
    touched: &[(Day, i64)],
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> Classified {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ClassWeights, Member, WeekdaySet};
    use crate::testkit::{at, date, member, window};
    use crate::time::calendar::MemberCalendar;
    use chrono::Weekday;
    use chrono_tz::Tz;

    const NY: Tz = Tz::America__New_York;

    /// Hours by class and points (weights 1/2/2/3) of `[a, b)` for `m`.
    fn run(m: &Member, a: &str, b: &str) -> (Classified, f64) {
        let (a, b) = (at(a), at(b));
        let cal = MemberCalendar::new(m, a, b);
        let c = classify_days(&cal.touched(a, b), a, b);
        (c, c.hours.points(&ClassWeights::default()))
    }

    fn hours(business: f64, after_hours: f64, weekend: f64, holiday: f64) -> ClassHours {
        ClassHours {
            business,
            after_hours,
            weekend,
            holiday,
        }
    }

    #[test]
    fn hours_split_at_the_edges_of_working_hours() {
        let m = member("a", NY);
        // Tue 20:00 → Wed 10:00: 4 h + 9 h after hours, 09:00-10:00 business.
        let (c, points) = run(&m, "2024-07-09T20:00:00-04:00", "2024-07-10T10:00:00-04:00");
        assert_eq!((c.hours, points), (hours(1.0, 13.0, 0.0, 0.0), 27.0));
        assert!(c.after_hours);
        // Exactly the working hours: all business.
        let (c, points) = run(&m, "2024-07-10T09:00:00-04:00", "2024-07-10T17:00:00-04:00");
        assert_eq!((c.hours, points), (hours(8.0, 0.0, 0.0, 0.0), 8.0));
        assert!(!c.after_hours);
    }

    #[test]
    fn one_minute_outside_working_hours_makes_it_after_hours() {
        let m = member("a", NY);
        let (early, _) = run(&m, "2024-07-10T08:59:00-04:00", "2024-07-10T17:00:00-04:00");
        assert!(early.after_hours);
        assert_eq!(early.hours.after_hours, 1.0 / 60.0);
        let (late, _) = run(&m, "2024-07-10T09:00:00-04:00", "2024-07-10T17:01:00-04:00");
        assert!(late.after_hours);
        assert_eq!(late.hours.business, 8.0);
    }

    #[test]
    fn wrapping_working_hours_count_each_minute_by_its_own_date() {
        let mut m = member("night", NY);
        m.working_hours = window("22:00-06:00");
        // Thu 20:00 → Fri 08:00: Thu 20-22 after, 22-24 business, Fri 00-06 business,
        // 06-08 after.
        let (c, points) = run(&m, "2024-07-11T20:00:00-04:00", "2024-07-12T08:00:00-04:00");
        assert_eq!((c.hours, points), (hours(8.0, 4.0, 0.0, 0.0), 16.0));
        // Fri 20:00 → Sat 08:00: Fri 20-22 after, 22-24 business, Saturday is weekend.
        let (c, points) = run(&m, "2024-07-12T20:00:00-04:00", "2024-07-13T08:00:00-04:00");
        assert_eq!((c.hours, points), (hours(2.0, 2.0, 8.0, 0.0), 22.0));
    }

    #[test]
    fn days_across_a_dst_change_count_their_real_hours() {
        let mut m = member("a", NY);
        m.working_days = WeekdaySet::ALL;
        // Sat 2024-03-09 20:00 EST → Sun 20:00 EDT; 02:00-03:00 Sunday does not exist.
        // Sat 20-24 after 4, Sun 00-09 after 8 (real hours), 09-17 business 8, 17-20 after 3.
        let (c, points) = run(&m, "2024-03-09T20:00:00-05:00", "2024-03-10T20:00:00-04:00");
        assert_eq!((c.hours, points), (hours(8.0, 15.0, 0.0, 0.0), 38.0));
        assert_eq!(c.hours.total(), 23.0);
        // Sat 2024-11-02 20:00 EDT → Sun 20:00 EST; 01:00-02:00 Sunday happens twice.
        let (c, points) = run(&m, "2024-11-02T20:00:00-04:00", "2024-11-03T20:00:00-05:00");
        assert_eq!((c.hours, points), (hours(8.0, 17.0, 0.0, 0.0), 42.0));
        // Berlin falls back on Sun 2024-10-27: the weekend from Sat 00:00 to Mon 00:00 is
        // 49 hours.
        let b = member("b", Tz::Europe__Berlin);
        let (c, points) = run(&b, "2024-10-26T00:00:00+02:00", "2024-10-28T00:00:00+01:00");
        assert_eq!((c.hours, points), (hours(0.0, 0.0, 49.0, 0.0), 98.0));
    }

    #[test]
    fn holidays_beat_weekends_and_working_days() {
        let mut m = member("a", NY);
        m.holidays.insert(date("2024-07-04"));
        m.holidays.insert(date("2024-07-06"));
        // Wed 12:00 → Fri 12:00: Wed 5 business + 7 after, Thu holiday 24, Fri 9 after +
        // 3 business.
        let (c, points) = run(&m, "2024-07-03T12:00:00-04:00", "2024-07-05T12:00:00-04:00");
        assert_eq!((c.hours, points), (hours(8.0, 16.0, 0.0, 24.0), 112.0));
        // Saturday the 6th is a holiday and a weekend day: holiday wins; Sunday is weekend.
        let (c, _) = run(&m, "2024-07-06T00:00:00-04:00", "2024-07-08T00:00:00-04:00");
        assert_eq!(c.hours, hours(0.0, 0.0, 24.0, 24.0));
    }

    #[test]
    fn days_and_hours_follow_the_member_zone() {
        // 22:00-06:00 EDT Tue/Wed = 10:00-18:00 SGT Wed.
        let m = member("sg", Tz::Asia__Singapore);
        let (c, points) = run(&m, "2024-07-09T22:00:00-04:00", "2024-07-10T06:00:00-04:00");
        assert_eq!((c.hours, points), (hours(7.0, 1.0, 0.0, 0.0), 9.0));
        // Sun 09:00-17:00 +05:45 is business; Monday is now a weekend day.
        let mut m = member("k", Tz::Asia__Kathmandu);
        m.working_days = WeekdaySet::from_days([Weekday::Sun]);
        let (c, _) = run(&m, "2024-07-07T09:00:00+05:45", "2024-07-08T01:00:00+05:45");
        assert_eq!(c.hours, hours(8.0, 7.0, 1.0, 0.0));
    }
}
