//! Local wall-clock time → UTC instant, with the DST policy of docs/objective.md,
//! "Time semantics".
//!
//! In a gap (a skipped local hour) the time moves forward by the length of the gap; in a
//! fold (a repeated hour) the first occurrence wins. This is RFC 5545's and jiff's
//! "compatible" disambiguation, and the only place in the crate that turns a local time
//! into an instant.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a local wall-clock time denotes in `tz`.
pub(crate) fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => resolve_in_gap(tz, local),
    }
}

/// Resolves `local` on `date` at `time` (a convenience for the many callers that hold both).
pub(crate) fn resolve_at(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    resolve(tz, date.and_time(time))
}

/// The instant of a local time that falls in a gap: read it with the offset in force just
/// before the gap, which lands it as far past the gap's end as it was past the gap's start.
fn resolve_in_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // Step back whole hours until the local time exists again. The first that does lies
    // within an hour before the gap, so its offset is the one in force just before it.
    // Gaps are at most a day long (Pacific/Apia skipped 2011-12-30), hence the bound.
    for hours in 1..=48 {
        let before = local - chrono::Duration::hours(hours);
        let offset = match tz.from_local_datetime(&before) {
            LocalResult::Single(t) => t.offset().fix(),
            // Just before a gap and also in a fold: the later offset is the nearer one.
            LocalResult::Ambiguous(_, latest) => latest.offset().fix(),
            LocalResult::None => continue,
        };
        return (local - offset).and_utc();
    }
    // No zone has a gap this long; reading the time as UTC is the least surprising answer.
    local.and_utc()
}

/// Local wall-clock time of an instant in `tz`.
pub(crate) fn to_local(tz: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&tz).naive_local()
}

/// Start of a local date (its 00:00, or the first instant of the day when 00:00 is skipped).
pub(crate) fn day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_at(tz, date, NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    const NY: Tz = Tz::America__New_York;
    const KATHMANDU: Tz = Tz::Asia__Kathmandu;
    const LORD_HOWE: Tz = Tz::Australia__Lord_Howe;
    const ST_JOHNS: Tz = Tz::America__St_Johns;
    const APIA: Tz = Tz::Pacific__Apia;

    /// Wall times (`YYYY-MM-DD HH:MM`) in a zone and the instants they resolve to (RFC 3339,
    /// with the zone's offset at that instant): in a gap the time moves forward by the
    /// gap, in a fold the earlier occurrence is taken, elsewhere the offset is kept.
    const RESOLVES: &[(&str, Tz, &str, &str)] = &[
        (
            "jiff's documented gap: 02:30 does not exist on 2024-03-10",
            NY,
            "2024-03-10 02:30",
            "2024-03-10T03:30:00-04:00",
        ),
        (
            "fold: the earlier occurrence",
            NY,
            "2024-11-03 01:30",
            "2024-11-03T01:30:00-04:00",
        ),
        (
            "unambiguous",
            NY,
            "2024-07-01 12:00",
            "2024-07-01T12:00:00-04:00",
        ),
        (
            "unambiguous, quarter-hour offset",
            KATHMANDU,
            "2024-07-01 12:00",
            "2024-07-01T12:00:00+05:45",
        ),
        // Lord Howe springs forward 02:00 → 02:30 (+10:30 → +11:00) on 2024-10-06 and
        // falls back 02:00 → 01:30 (+11:00 → +10:30) on 2024-04-07.
        (
            "half-hour gap",
            LORD_HOWE,
            "2024-10-06 02:15",
            "2024-10-06T02:45:00+11:00",
        ),
        (
            "start of a half-hour gap",
            LORD_HOWE,
            "2024-10-06 02:00",
            "2024-10-06T02:30:00+11:00",
        ),
        (
            "half-hour fold",
            LORD_HOWE,
            "2024-04-07 01:45",
            "2024-04-07T01:45:00+11:00",
        ),
        // St. John's: −03:30 → −02:30 at 02:00 on 2024-03-10, back at 02:00 on 2024-11-03.
        (
            "gap",
            ST_JOHNS,
            "2024-03-10 02:30",
            "2024-03-10T03:30:00-02:30",
        ),
        (
            "fold",
            ST_JOHNS,
            "2024-11-03 01:30",
            "2024-11-03T01:30:00-02:30",
        ),
        (
            "standard time",
            ST_JOHNS,
            "2024-12-01 09:00",
            "2024-12-01T09:00:00-03:30",
        ),
        (
            "Samoa skipped 2011-12-30 when it moved across the date line (−10:00 → +14:00)",
            APIA,
            "2011-12-30 10:00",
            "2011-12-31T10:00:00+14:00",
        ),
    ];

    #[test]
    fn wall_times_resolve_forward_in_gaps_and_early_in_folds() {
        for &(why, tz, local, expected) in RESOLVES {
            let wall = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("test input");
            let instant = resolve(tz, wall).with_timezone(&tz).to_rfc3339();
            assert_eq!(instant, expected, "{local} in {tz}: {why}");
        }
    }

    #[test]
    fn to_local_inverts_resolve_outside_gaps() {
        let tz = Tz::Europe__Berlin;
        let local = NaiveDate::from_ymd_opt(2024, 3, 31)
            .and_then(|d| d.and_hms_opt(1, 59, 0))
            .expect("valid");
        assert_eq!(to_local(tz, resolve(tz, local)), local);
        let offset = FixedOffset::east_opt(3600).expect("valid");
        assert_eq!(
            resolve(tz, local),
            offset
                .from_local_datetime(&local)
                .single()
                .expect("fixed offset")
        );
    }
}
