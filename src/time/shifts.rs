//! The shifts of one layer over a period, in UTC, from its rotation in its own zone.
//!
//! Tiling rotations (weekly, daily, hours, handoffs) produce a sequence of local handoff
//! points; each resolves to an instant by the DST policy of `time::local`, and shifts
//! run from one handoff to the next. Coverage runs from the first handoff at or after the
//! period's start date 00:00 to the first at or after its end date 00:00, so consecutive
//! periods join without gap or overlap. Window rotations cover one window per local day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::config::{Layer, Period, Rotation, TimeWindow, WeeklyTime};

use super::local::{day_start, resolve, resolve_at, to_local};

/// One shift of one layer. With `per_shift > 1` it needs that many people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// Index into `Config::layers`.
    pub layer: usize,
    /// The first instant of the shift.
    pub start: DateTime<Utc>,
    /// The handoff that ends it: the next shift's start, itself not part of this one.
    pub end: DateTime<Utc>,
    /// The start as local wall-clock time in the layer's zone.
    pub local_start: NaiveDateTime,
    /// How many people it needs: the layer's `per_shift`.
    pub per_shift: u32,
    /// Position of this shift within its layer (0, 1, 2, ...), for consecutiveness.
    pub seq_in_layer: usize,
}

impl Shift {
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }

    pub(crate) fn overlaps(&self, other: &Shift) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The fixed local date `{ hours = N }` counts its handoffs from (`handoff` on this date
/// plus multiples of N hours). Fixed rather than the period's start so that consecutive
/// periods agree on the handoffs even when N does not divide 24 (when it does, the anchor
/// makes no difference); a Monday, so that N = 168 hands off on Mondays.
fn hours_anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or(NaiveDate::MIN)
}

/// Every shift of `layer` (index `layer_index` in the config) over `period`, in time
/// order, numbered `seq_in_layer` 0, 1, ... after the `days` filter.
pub fn layer_shifts(layer_index: usize, layer: &Layer, period: Period) -> Vec<Shift> {
    let tz = layer.timezone;
    let spans = match &layer.rotation {
        Rotation::Window { window } => window_spans(tz, *window, period),
        rotation => tile(tz, &handoffs(tz, rotation, period), period),
    };
    spans
        .into_iter()
        .map(|(start, end)| (start, end, to_local(tz, start)))
        .filter(|(_, _, local)| layer.days.is_none_or(|days| days.contains(local.weekday())))
        .enumerate()
        .map(|(seq, (start, end, local_start))| Shift {
            layer: layer_index,
            start,
            end,
            local_start,
            per_shift: layer.per_shift,
            seq_in_layer: seq,
        })
        .collect()
}

/// Handoff instants of a tiling rotation from comfortably before the period to
/// comfortably after it, sorted and without duplicates (two local times can resolve to
/// one instant when a gap skips over one of them).
fn handoffs(tz: Tz, rotation: &Rotation, period: Period) -> Vec<DateTime<Utc>> {
    // The last handoff needed is the first at or after the end date, at most one rotation
    // step later; a week of margin covers weekly steps, longer `hours` steps widen it.
    let step_days = match rotation {
        Rotation::Hours { hours, .. } => (i64::from(*hours) + 23) / 24,
        _ => 7,
    };
    let margin = Duration::days(step_days.max(7) + 2);
    let from = period.start - margin;
    let to = period.end + margin;
    let dates = || from.iter_days().take_while(move |d| *d <= to);

    let local: Vec<NaiveDateTime> = match rotation {
        Rotation::Weekly { handoff } => dates().filter_map(|d| weekly_point(d, handoff)).collect(),
        Rotation::Daily { handoff } => dates().map(|d| d.and_time(*handoff)).collect(),
        Rotation::Handoffs { points } => dates()
            .flat_map(|d| points.iter().filter_map(move |p| weekly_point(d, p)))
            .collect(),
        Rotation::Hours { hours, handoff } => hour_points(*hours, *handoff, from, to),
        Rotation::Window { .. } => Vec::new(),
    };
    let mut instants: Vec<DateTime<Utc>> = local.into_iter().map(|l| resolve(tz, l)).collect();
    instants.sort_unstable();
    instants.dedup();
    instants
}

fn weekly_point(date: NaiveDate, point: &WeeklyTime) -> Option<NaiveDateTime> {
    (date.weekday() == point.weekday).then(|| date.and_time(point.time))
}

/// `handoff` on the anchor date ± multiples of `hours`, in local wall-clock time, between
/// `from` 00:00 and `to` 00:00.
fn hour_points(
    hours: u32,
    handoff: NaiveTime,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<NaiveDateTime> {
    let step = Duration::hours(i64::from(hours.max(1)));
    let anchor = hours_anchor().and_time(handoff);
    let first = from.and_time(NaiveTime::MIN);
    let last = to.and_time(NaiveTime::MIN);
    // The first multiple at or after `first` (Euclidean division: `first` may precede
    // the anchor).
    let k = (first - anchor)
        .num_seconds()
        .div_euclid(step.num_seconds());
    let mut t = anchor + Duration::seconds(k * step.num_seconds());
    let mut out = Vec::new();
    while t <= last {
        if t >= first {
            out.push(t);
        }
        t += step;
    }
    out
}

/// Consecutive handoffs from the first at or after the period start to the first at or
/// after the period end.
fn tile(tz: Tz, handoffs: &[DateTime<Utc>], period: Period) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let begin = day_start(tz, period.start);
    let end = day_start(tz, period.end);
    let first = handoffs.partition_point(|h| *h < begin);
    let last = handoffs.partition_point(|h| *h < end);
    if last >= handoffs.len() {
        // Cannot happen with the margins of `handoffs`; no shift beats a wrong one.
        return Vec::new();
    }
    handoffs[first..=last]
        .windows(2)
        .map(|w| (w[0], w[1]))
        .collect()
}

/// One window per local date of the period; a window that wraps ends on the next date.
fn window_spans(tz: Tz, window: TimeWindow, period: Period) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    period
        .start
        .iter_days()
        .take_while(|d| *d < period.end)
        .filter_map(|d| {
            let start = resolve_at(tz, d, window.start);
            let end_date = if window.wraps() { d.succ_opt()? } else { d };
            let end = resolve_at(tz, end_date, window.end);
            (start < end).then_some((start, end))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WeekdaySet;
    use crate::testkit::{layer, period, time, window};
    use chrono::Weekday;
    use chrono_tz::Tz;

    const NY: Tz = Tz::America__New_York;

    /// (local start, hours) of every shift, in the layer's zone.
    fn spans(layer: &Layer, p: Period) -> Vec<(String, f64)> {
        layer_shifts(0, layer, p)
            .iter()
            .map(|s| {
                let local = s.start.with_timezone(&layer.timezone);
                (local.format("%a %Y-%m-%d %H:%M %:z").to_string(), s.hours())
            })
            .collect()
    }

    fn daily(t: &str) -> Rotation {
        Rotation::Daily { handoff: time(t) }
    }

    /// Every `hours` hours, counted from `t` on the wall clock.
    fn every(hours: u32, t: &str) -> Rotation {
        Rotation::Hours {
            hours,
            handoff: time(t),
        }
    }

    /// Only within the daily window `w` (`HH:MM-HH:MM`).
    fn within(w: &str) -> Rotation {
        Rotation::Window { window: window(w) }
    }

    fn weekly(day: Weekday, t: &str) -> Rotation {
        Rotation::Weekly {
            handoff: WeeklyTime {
                weekday: day,
                time: time(t),
            },
        }
    }

    #[test]
    fn weekly_starts_at_the_first_handoff_on_or_after_the_period_start() {
        // The period starts on a Wednesday: the first Monday handoff is 2024-03-11, after
        // which New York is on EDT; the week before it would have been 167 hours.
        let l = layer("primary", weekly(Weekday::Mon, "10:00"), NY);
        assert_eq!(
            spans(&l, period("2024-03-06", "2024-03-20")),
            vec![
                ("Mon 2024-03-11 10:00 -04:00".to_owned(), 168.0),
                ("Mon 2024-03-18 10:00 -04:00".to_owned(), 168.0),
            ]
        );
        assert_eq!(
            spans(&l, period("2024-03-04", "2024-03-11")),
            vec![("Mon 2024-03-04 10:00 -05:00".to_owned(), 167.0)]
        );
    }

    #[test]
    fn consecutive_periods_join_seamlessly() {
        let l = layer("primary", weekly(Weekday::Thu, "09:30"), Tz::Europe__Berlin);
        let a = layer_shifts(0, &l, period("2024-01-01", "2024-04-01"));
        let b = layer_shifts(0, &l, period("2024-04-01", "2024-07-01"));
        assert_eq!(a.last().map(|s| s.end), b.first().map(|s| s.start));
    }

    #[test]
    fn daily_across_the_fall_back_lasts_25_hours() {
        let l = layer("d", daily("10:00"), NY);
        let hours: Vec<f64> = spans(&l, period("2024-11-02", "2024-11-05"))
            .into_iter()
            .map(|(_, h)| h)
            .collect();
        assert_eq!(hours, vec![25.0, 24.0, 24.0]);
    }

    #[test]
    fn hours_hand_off_on_local_wall_clock_multiples() {
        // Every 8 h from 10:00: 02:00, 10:00, 18:00. On 2024-03-10 02:00 is skipped and
        // moves to 03:00 EDT, so that shift is 7 real hours and the one before it 8.
        let l = layer("h", every(8, "10:00"), NY);
        assert_eq!(
            spans(&l, period("2024-03-09", "2024-03-11")),
            vec![
                ("Sat 2024-03-09 02:00 -05:00".to_owned(), 8.0),
                ("Sat 2024-03-09 10:00 -05:00".to_owned(), 8.0),
                ("Sat 2024-03-09 18:00 -05:00".to_owned(), 8.0),
                ("Sun 2024-03-10 03:00 -04:00".to_owned(), 7.0),
                ("Sun 2024-03-10 10:00 -04:00".to_owned(), 8.0),
                ("Sun 2024-03-10 18:00 -04:00".to_owned(), 8.0),
            ]
        );
    }

    #[test]
    fn handoffs_split_the_week_and_wrap() {
        let point = |d, t| WeeklyTime {
            weekday: d,
            time: time(t),
        };
        let l = layer(
            "split",
            Rotation::Handoffs {
                points: vec![point(Weekday::Mon, "09:00"), point(Weekday::Thu, "09:00")],
            },
            Tz::UTC,
        );
        assert_eq!(
            spans(&l, period("2024-07-01", "2024-07-15")),
            vec![
                ("Mon 2024-07-01 09:00 +00:00".to_owned(), 72.0),
                ("Thu 2024-07-04 09:00 +00:00".to_owned(), 96.0),
                ("Mon 2024-07-08 09:00 +00:00".to_owned(), 72.0),
                ("Thu 2024-07-11 09:00 +00:00".to_owned(), 96.0),
            ]
        );
    }

    #[test]
    fn windows_wrap_midnight_and_respect_days() {
        let mut l = layer("nights", within("22:00-06:00"), NY);
        l.days = Some(WeekdaySet::from_days([Weekday::Fri, Weekday::Sat]));
        // 2024-11-01 is a Friday; the night of Sat 2 → Sun 3 gains the fall-back hour.
        assert_eq!(
            spans(&l, period("2024-10-28", "2024-11-04")),
            vec![
                ("Fri 2024-11-01 22:00 -04:00".to_owned(), 8.0),
                ("Sat 2024-11-02 22:00 -04:00".to_owned(), 9.0),
            ]
        );
    }

    #[test]
    fn days_filter_keeps_shifts_starting_on_those_days_and_numbers_them() {
        let mut l = layer("d", daily("09:00"), Tz::UTC);
        l.days = Some(WeekdaySet::from_days([Weekday::Mon, Weekday::Wed]));
        let shifts = layer_shifts(3, &l, period("2024-07-01", "2024-07-15"));
        let got: Vec<(String, usize, usize)> = shifts
            .iter()
            .map(|s| {
                (
                    s.local_start.format("%a %d").to_string(),
                    s.seq_in_layer,
                    s.layer,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("Mon 01".to_owned(), 0, 3),
                ("Wed 03".to_owned(), 1, 3),
                ("Mon 08".to_owned(), 2, 3),
                ("Wed 10".to_owned(), 3, 3),
            ]
        );
    }

    #[test]
    fn a_handoff_in_a_gap_moves_forward_and_local_start_is_the_real_wall_time() {
        let l = layer("d", daily("02:30"), NY);
        let shifts = layer_shifts(0, &l, period("2024-03-10", "2024-03-11"));
        assert_eq!(shifts.len(), 1);
        assert_eq!(
            shifts[0].local_start.format("%Y-%m-%d %H:%M").to_string(),
            "2024-03-10 03:30"
        );
        assert_eq!(shifts[0].hours(), 23.0);
    }

    #[test]
    fn hours_not_dividing_a_day_still_join_across_periods() {
        for hours in [5, 36, 168] {
            let l = layer("h", every(hours, "09:00"), Tz::Europe__Berlin);
            let a = layer_shifts(0, &l, period("2024-03-01", "2024-03-20"));
            let b = layer_shifts(0, &l, period("2024-03-20", "2024-04-30"));
            assert_eq!(
                a.last().map(|s| s.end),
                b.first().map(|s| s.start),
                "{hours} h"
            );
        }
        // 168 h from the Monday anchor hands off on Mondays.
        let l = layer("h", every(168, "09:00"), Tz::UTC);
        let shifts = layer_shifts(0, &l, period("2024-07-02", "2024-07-20"));
        let starts: Vec<String> = shifts
            .iter()
            .map(|s| s.local_start.format("%a %d %H:%M").to_string())
            .collect();
        assert_eq!(starts, vec!["Mon 08 09:00", "Mon 15 09:00"]);
    }
}
