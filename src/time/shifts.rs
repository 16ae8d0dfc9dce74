//! The shifts of one layer over a period, in UTC, from its rotation in its own zone.
//!
//! Tiling rotations (weekly, daily, hours, handoffs) produce a sequence of local handoff
//! points; each resolves to an instant by the DST policy of [`super::local`], and shifts
//! run from one handoff to the next. Coverage runs from the first handoff at or after the
//! period's start date 00:00 to the first at or after its end date 00:00, so consecutive
//! periods join without gap or overlap. Window rotations cover one window per local day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::config::{Layer, Period, Rotation, TimeWindow, WeeklyTime};
use crate::problem::Shift;

use super::local::{day_start, resolve, resolve_at, to_local};

/// The fixed local date `{ hours = N }` counts its handoffs from (`handoff` on this date
/// plus multiples of N hours). Fixed rather than the period's start so that consecutive
/// periods agree on the handoffs even when N does not divide 24; a Monday so that N = 168
/// hands off on the same weekday as a weekly rotation would.
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
fn hour_points(hours: u32, handoff: NaiveTime, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDateTime> {
    let step = Duration::hours(i64::from(hours.max(1)));
    let anchor = hours_anchor().and_time(handoff);
    let first = from.and_time(NaiveTime::MIN);
    let last = to.and_time(NaiveTime::MIN);
    // The first multiple at or after `first` (Euclidean division: `first` may precede
    // the anchor).
    let k = (first - anchor).num_seconds().div_euclid(step.num_seconds());
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
