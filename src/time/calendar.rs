//! A member's local days as UTC intervals: the unit every per-member question is asked in.
//!
//! Classification, availability and capacity all reduce to "which of this member's local
//! days does this UTC interval touch, and for how long". Resolving each day's midnight and
//! working-hour edges once per member (instead of once per shift, or per minute) keeps a
//! 150-person half-year build well under a second.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};

use crate::config::Member;

use super::local::{day_start, resolve_at, to_local};

/// How a whole local day counts for a member before looking at the time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayKind {
    /// One of the member's holidays: every minute is `holiday`.
    Holiday,
    /// Not one of their working days: every minute is `weekend`.
    Weekend,
    /// A working day: `business` within working hours, `after_hours` outside.
    Working,
}

/// One local day of one member, as Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day {
    pub date: NaiveDate,
    /// First instant of the day (its 00:00, DST-resolved).
    pub start: i64,
    /// First instant of the next day.
    pub end: i64,
    pub kind: DayKind,
    /// Business intervals within `[start, end)`; empty ones are `(x, x)`. Two because
    /// working hours that wrap midnight give the morning tail and the evening head of the
    /// same date.
    pub business: [(i64, i64); 2],
}

impl Day {
    /// Seconds of `[a, b)` within business hours of this day.
    pub(crate) fn business_overlap(&self, a: i64, b: i64) -> i64 {
        self.business
            .iter()
            .map(|&(s, e)| (b.min(e) - a.max(s)).max(0))
            .sum()
    }
}

/// The local days of one member over a range of dates.
#[derive(Debug, Clone)]
pub(crate) struct MemberCalendar<'a> {
    member: &'a Member,
    first: NaiveDate,
    days: Vec<Day>,
}

impl<'a> MemberCalendar<'a> {
    /// Days from the local date of `from` to the local date of `to`, with a day's margin.
    /// Days outside are still answered, only computed on demand.
    pub(crate) fn new(member: &'a Member, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let tz = member.timezone;
        let first = to_local(tz, from)
            .date()
            .pred_opt()
            .unwrap_or(NaiveDate::MIN);
        let last = to_local(tz, to).date().succ_opt().unwrap_or(NaiveDate::MAX);
        let days = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| day(member, d))
            .collect();
        MemberCalendar {
            member,
            first,
            days,
        }
    }

    pub(crate) fn member(&self) -> &'a Member {
        self.member
    }

    /// The days `[a, b)` overlaps by at least one second, each with the overlap in seconds.
    ///
    /// An interval ending exactly at a local midnight does not touch the next day.
    pub(crate) fn touched(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<(Day, i64)> {
        let mut out = Vec::new();
        let mut date = to_local(self.member.timezone, a).date();
        let (a, b) = (a.timestamp(), b.timestamp());
        if a >= b {
            return out;
        }
        loop {
            let day = self.day(date);
            if day.start >= b {
                break;
            }
            let overlap = b.min(day.end) - a.max(day.start);
            if overlap > 0 {
                out.push((day, overlap));
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        out
    }

    /// The day for `date`, from the cache or, outside its range, computed afresh.
    pub(crate) fn day(&self, date: NaiveDate) -> Day {
        usize::try_from((date - self.first).num_days())
            .ok()
            .and_then(|i| self.days.get(i))
            .copied()
            .unwrap_or_else(|| day(self.member, date))
    }
}

fn day(member: &Member, date: NaiveDate) -> Day {
    let tz = member.timezone;
    let start = day_start(tz, date).timestamp();
    let end = match date.succ_opt() {
        Some(next) => day_start(tz, next).timestamp(),
        None => i64::MAX,
    };
    let kind = if member.holidays.contains(&date) {
        DayKind::Holiday
    } else if !member.working_days.contains(date.weekday()) {
        DayKind::Weekend
    } else {
        DayKind::Working
    };
    let mut business = [(start, start); 2];
    if kind == DayKind::Working {
        let wh = member.working_hours;
        let at = |t: NaiveTime| resolve_at(tz, date, t).timestamp().clamp(start, end);
        business = if wh.wraps() {
            // Minutes are classed by their own date: on a working day the early hours up to
            // `end` and the evening from `start` are business.
            [(start, at(wh.end)), (at(wh.start), end)]
        } else {
            [(at(wh.start), at(wh.end)), (start, start)]
        };
    }
    Day {
        date,
        start,
        end,
        kind,
        business,
    }
}
