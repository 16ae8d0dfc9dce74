//! Property tests of shift generation: every tiling layer covers its period exactly once,
//! from the right first handoff to the right last one, at the configured local wall times,
//! across DST changes in zones with odd offsets; windows give one shift per covered day.
//!
//! The oracle never calls rota's own local-time resolution: it scans UTC instants in
//! 15-minute steps (every handoff time and every offset here is a multiple of 15 minutes)
//! and asks chrono which local wall time each one shows.

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;

use rota::config::{Layer, Period, Rotation, TimeWindow, WeekdaySet, WeeklyTime};
use rota::problem::Shift;
use rota::time::shifts::layer_shifts;

const ZONES: [Tz; 7] = [
    Tz::Australia__Lord_Howe,
    Tz::Asia__Kathmandu,
    Tz::America__St_Johns,
    Tz::America__New_York,
    Tz::Europe__Berlin,
    Tz::Pacific__Apia,
    Tz::UTC,
];

const STEP_MINUTES: i64 = 15;

// ---- generators ----------------------------------------------------------------------

fn zone() -> impl Strategy<Value = Tz> {
    proptest::sample::select(ZONES.to_vec())
}

/// Local dates in 2024–2027 after which the zone's offset at midnight differs: the days
/// of its DST changes.
fn transitions(tz: Tz) -> Vec<NaiveDate> {
    day(2024, 1, 1)
        .iter_days()
        .take_while(|d| *d < day(2028, 1, 1))
        .filter(|d| {
            offset_secs(tz, midnight(tz, *d))
                != offset_secs(tz, midnight(tz, *d + Duration::days(1)))
        })
        .collect()
}

/// 1–120 days starting anywhere in 2024–2027.
fn any_period() -> BoxedStrategy<Period> {
    (0i64..4 * 365, 1i64..=120)
        .prop_map(|(d, len)| {
            let start = day(2024, 1, 1) + Duration::days(d);
            Period {
                start,
                end: start + Duration::days(len),
            }
        })
        .boxed()
}

/// A zone and a period; in zones with DST, half the periods start up to ten days before
/// one of its changes and run 1–30 days, so gaps and folds are hit often.
fn zone_and_period() -> impl Strategy<Value = (Tz, Period)> {
    zone().prop_flat_map(|tz| {
        let changes = transitions(tz);
        let period = if changes.is_empty() {
            any_period()
        } else {
            let near = (prop::sample::select(changes), 0i64..10, 1i64..=30).prop_map(
                |(change, before, len)| {
                    let start = change - Duration::days(before);
                    Period {
                        start,
                        end: start + Duration::days(len),
                    }
                },
            );
            prop_oneof![any_period(), near].boxed()
        };
        (Just(tz), period)
    })
}

/// Quarter-hour times, often ones that DST skips or repeats somewhere.
fn handoff_time() -> impl Strategy<Value = NaiveTime> {
    let any = (0u32..24, prop::sample::select(vec![0u32, 15, 30, 45])).prop_map(|(h, m)| hm(h, m));
    // Skipped or repeated in New York, St. John's, Berlin or Lord Howe.
    let tricky = prop::sample::select(vec![
        hm(0, 0),
        hm(1, 0),
        hm(1, 15),
        hm(1, 30),
        hm(1, 45),
        hm(2, 0),
        hm(2, 15),
        hm(2, 30),
        hm(2, 45),
        hm(3, 0),
    ]);
    prop_oneof![any, tricky]
}

fn weekday() -> impl Strategy<Value = Weekday> {
    (0u8..7).prop_map(|d| Weekday::try_from(d).expect("0..7"))
}

fn tiling_rotation() -> impl Strategy<Value = Rotation> {
    let weekly = (weekday(), handoff_time()).prop_map(|(weekday, time)| Rotation::Weekly {
        handoff: WeeklyTime { weekday, time },
    });
    let daily = handoff_time().prop_map(|handoff| Rotation::Daily { handoff });
    let hours = (
        prop::sample::select(vec![4u32, 6, 8, 12, 24]),
        handoff_time(),
    )
        .prop_map(|(hours, handoff)| Rotation::Hours { hours, handoff });
    let handoffs = prop::collection::vec((weekday(), handoff_time()), 1..5).prop_map(|points| {
        let mut points: Vec<(u32, NaiveTime)> = points
            .into_iter()
            .map(|(d, t)| (d.num_days_from_monday(), t))
            .collect();
        points.sort();
        points.dedup();
        Rotation::Handoffs {
            points: points
                .into_iter()
                .map(|(d, time)| WeeklyTime {
                    weekday: Weekday::try_from(d as u8).expect("0..7"),
                    time,
                })
                .collect(),
        }
    });
    prop_oneof![weekly, daily, hours, handoffs]
}

fn window() -> impl Strategy<Value = TimeWindow> {
    (handoff_time(), handoff_time()).prop_map(|(start, end)| TimeWindow { start, end })
}

/// `None` (every day) or a non-empty set of days.
fn days() -> impl Strategy<Value = Option<WeekdaySet>> {
    prop_oneof![
        Just(None),
        (1u8..128).prop_map(|bits| Some(WeekdaySet::from_days(
            (0..7u8)
                .filter(|i| bits & (1 << i) != 0)
                .map(|i| Weekday::try_from(i).expect("0..7"))
        ))),
    ]
}

fn layer(rotation: Rotation, tz: Tz, days: Option<WeekdaySet>) -> Layer {
    Layer {
        days,
        per_shift: 2,
        ..Layer::new("l", rotation, tz)
    }
}

// ---- the oracle ----------------------------------------------------------------------

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

fn offset_secs(tz: Tz, u: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&u.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

fn local(tz: Tz, u: DateTime<Utc>) -> NaiveDateTime {
    u.with_timezone(&tz).naive_local()
}

/// 00:00 of a date; in these zones and years midnight is never skipped or repeated.
fn midnight(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .expect("midnight exists once")
        .with_timezone(&Utc)
}

/// Whether the intended local wall time `p` happens at `u` under the policy: `u` is its
/// first occurrence, or `p` is skipped and `u` is `p` read with the offset from before
/// the gap (so the wall clock shows `p` moved forward by the gap).
fn happens_at(tz: Tz, p: NaiveDateTime, u: DateTime<Utc>) -> bool {
    match tz.from_local_datetime(&p).earliest() {
        Some(first) => first == u,
        None => (p - Duration::seconds(offset_secs(tz, u - Duration::hours(24)))).and_utc() == u,
    }
}

/// When a local wall time happens under the policy, computed the plain way: its first
/// occurrence, or when skipped, read with the offset of a day before.
fn instant(tz: Tz, p: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&p).earliest() {
        Some(first) => first.with_timezone(&Utc),
        None => {
            (p - Duration::seconds(offset_secs(tz, (p - Duration::hours(24)).and_utc()))).and_utc()
        }
    }
}

/// The intended local times that could happen at `u`: the wall time it shows, and the wall
/// time that was skipped to reach it (no zone here changes offset twice within a day).
fn intended_at(tz: Tz, u: DateTime<Utc>) -> Vec<NaiveDateTime> {
    let shown = local(tz, u);
    let mut out = vec![shown];
    let jump = offset_secs(tz, u) - offset_secs(tz, u - Duration::hours(24));
    if jump > 0 {
        out.push(shown - Duration::seconds(jump));
    }
    out.retain(|p| happens_at(tz, *p, u));
    out
}

/// Whether a local wall time is a handoff point of a tiling rotation.
fn is_handoff(rotation: &Rotation, p: NaiveDateTime) -> bool {
    match rotation {
        Rotation::Weekly { handoff } => p.weekday() == handoff.weekday && p.time() == handoff.time,
        Rotation::Daily { handoff } => p.time() == *handoff,
        Rotation::Hours { hours, handoff } => {
            // N divides 24 here, so the points are the same every day.
            let minutes = |t: NaiveTime| i64::from(t.hour() * 60 + t.minute());
            (minutes(p.time()) - minutes(*handoff)).rem_euclid(i64::from(*hours) * 60) == 0
        }
        Rotation::Handoffs { points } => points
            .iter()
            .any(|w| p.weekday() == w.weekday && p.time() == w.time),
        Rotation::Window { .. } => false,
    }
}

/// Every handoff instant in `[from, to)`, by scanning.
fn scan_handoffs(
    tz: Tz,
    rotation: &Rotation,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut out = BTreeSet::new();
    let mut u = from;
    while u < to {
        if intended_at(tz, u).iter().any(|p| is_handoff(rotation, *p)) {
            out.insert(u);
        }
        u += Duration::minutes(STEP_MINUTES);
    }
    out.into_iter().collect()
}

/// The first handoff at or after `from` (within the 8 days any rotation here repeats in).
fn first_handoff_from(tz: Tz, rotation: &Rotation, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut u = from;
    while u < from + Duration::days(8) {
        if intended_at(tz, u).iter().any(|p| is_handoff(rotation, *p)) {
            return Some(u);
        }
        u += Duration::minutes(STEP_MINUTES);
    }
    None
}

fn spans(shifts: &[Shift]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    shifts.iter().map(|s| (s.start, s.end)).collect()
}

// ---- tiling rotations ----------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn proptest_tiling_shifts_abut_without_gap_or_overlap(
        (tz, p) in zone_and_period(), rotation in tiling_rotation(),
    ) {
        let shifts = layer_shifts(0, &layer(rotation, tz, None), p);
        for s in &shifts {
            prop_assert!(s.start < s.end, "empty shift {:?}", s);
        }
        for w in shifts.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
        }
    }

    /// The first shift starts at the first handoff at or after the period's start, the
    /// last ends at the first handoff at or after its end.
    #[test]
    fn proptest_tiling_shifts_run_from_the_first_handoff_after_period_start_to_the_one_after_its_end(
        (tz, p) in zone_and_period(), rotation in tiling_rotation(),
    ) {
        let first = first_handoff_from(tz, &rotation, midnight(tz, p.start));
        let end = first_handoff_from(tz, &rotation, midnight(tz, p.end));
        // A period shorter than the rotation step may lie wholly inside the previous
        // period's last shift: then it has none.
        let expected = if first == end { (None, None) } else { (first, end) };
        let shifts = layer_shifts(0, &layer(rotation, tz, None), p);
        prop_assert_eq!(
            (shifts.first().map(|s| s.start), shifts.last().map(|s| s.end)),
            expected
        );
    }

    #[test]
    fn proptest_every_start_is_the_configured_wall_time_or_moved_forward_by_the_gap(
        (tz, p) in zone_and_period(), rotation in tiling_rotation(),
    ) {
        for s in layer_shifts(0, &layer(rotation.clone(), tz, None), p) {
            prop_assert!(
                intended_at(tz, s.start).iter().any(|q| is_handoff(&rotation, *q)),
                "{} ({}) is not a handoff of {:?}", s.start, local(tz, s.start), rotation
            );
            prop_assert_eq!(s.local_start, local(tz, s.start));
        }
    }

    #[test]
    fn proptest_consecutive_periods_join_seamlessly(
        (tz, p) in zone_and_period(), len in 8i64..60, rotation in tiling_rotation(),
    ) {
        // Both periods longer than a week, so that both have shifts.
        let p = Period { start: p.start, end: p.end.max(p.start + Duration::days(8)) };
        let l = layer(rotation, tz, None);
        let next = Period { start: p.end, end: p.end + Duration::days(len) };
        let a = layer_shifts(0, &l, p);
        let b = layer_shifts(0, &l, next);
        prop_assert_eq!(a.last().map(|s| s.end), b.first().map(|s| s.start));
    }

    #[test]
    fn proptest_days_filter_keeps_exactly_the_shifts_starting_on_those_days(
        (tz, p) in zone_and_period(), rotation in tiling_rotation(), days in days(),
    ) {
        let all = layer_shifts(0, &layer(rotation.clone(), tz, None), p);
        let kept = layer_shifts(0, &layer(rotation, tz, days), p);
        let expected: Vec<_> = all
            .iter()
            .filter(|s| days.is_none_or(|d| d.contains(s.local_start.weekday())))
            .map(|s| (s.start, s.end))
            .collect();
        prop_assert_eq!(spans(&kept), expected);
        for (i, s) in kept.iter().enumerate() {
            prop_assert_eq!(s.seq_in_layer, i);
            prop_assert_eq!(s.per_shift, 2);
        }
    }
}

proptest! {
    // A full scan of up to 128 days in quarter hours per case: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn proptest_tiling_layer_covers_its_period_exactly_once(
        (tz, p) in zone_and_period(), rotation in tiling_rotation(),
    ) {
        let begin = midnight(tz, p.start);
        let handoffs = scan_handoffs(tz, &rotation, begin, midnight(tz, p.end) + Duration::days(8));
        let last = handoffs
            .iter()
            .position(|h| *h >= midnight(tz, p.end))
            .expect("a handoff within 8 days of the end");
        let expected: Vec<_> = handoffs[..=last].windows(2).map(|w| (w[0], w[1])).collect();
        prop_assert_eq!(spans(&layer_shifts(0, &layer(rotation, tz, None), p)), expected);
    }
}

// ---- windows ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn proptest_windows_one_shift_per_covered_day_at_the_window_times(
        (tz, p) in zone_and_period(), window in window(), days in days(),
    ) {
        let shifts = layer_shifts(0, &layer(Rotation::Window { window }, tz, days), p);
        let covered: Vec<NaiveDate> = p
            .start
            .iter_days()
            .take_while(|d| *d < p.end)
            .filter(|d| days.is_none_or(|set| set.contains(d.weekday())))
            .collect();
        // A window wholly inside a DST gap (02:45-03:00 on a spring-forward day) does
        // not happen that day.
        let expected: Vec<(DateTime<Utc>, DateTime<Utc>)> = covered
            .iter()
            .map(|d| {
                let end_date = if window.end <= window.start { d.succ_opt().expect("date") } else { *d };
                (instant(tz, d.and_time(window.start)), instant(tz, end_date.and_time(window.end)))
            })
            .filter(|(a, b)| a < b)
            .collect();
        prop_assert_eq!(spans(&shifts), expected);
        for s in &shifts {
            prop_assert_eq!(s.local_start, local(tz, s.start));
        }
    }
}
