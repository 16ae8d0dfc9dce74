//! Who may take a shift, whether it lands on a day they prefer off, and how much of the
//! period each member can carry (docs/objective.md, "Time semantics" and "Fairness and
//! capacity").

use chrono::{DateTime, Utc};

use crate::config::{CapacityMode, Layer, Member, Rules};

use super::calendar::{Day, MemberCalendar};

/// Why a member cannot take a shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// The layer's `eligible` filter does not admit them.
    NotEligible,
    /// Before `joins` or from `leaves` on.
    NotEmployed,
    /// An `unavailable` entry covers this local date.
    Unavailable {
        date: chrono::NaiveDate,
        reason: Option<String>,
    },
    /// One of their holidays, with `holidays_unavailable = true`.
    Holiday { date: chrono::NaiveDate },
    /// Overlapping, or within `min_rest_hours` of, a shift they held before the period
    /// (docs/objective.md, "Across the period's start").
    Earlier {
        /// The earlier shift: `primary 2027-03-29 10:00`.
        shift: String,
        /// The file that records it.
        source: String,
        /// Seconds of rest between the two; `None` when they overlap.
        gap: Option<i64>,
        /// Whether this shift comes after the earlier one (the usual case).
        after: bool,
        /// `min_rest_hours` in seconds.
        rest: i64,
    },
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::NotEligible => write!(f, "not eligible for this layer"),
            Exclusion::NotEmployed => write!(f, "not on the team then (joins/leaves)"),
            Exclusion::Unavailable { date, reason } => match reason {
                Some(r) => write!(f, "unavailable on {date} ({r})"),
                None => write!(f, "unavailable on {date}"),
            },
            Exclusion::Holiday { date } => write!(f, "holiday on {date}"),
            Exclusion::Earlier {
                shift,
                source,
                gap: None,
                ..
            } => write!(
                f,
                "overlaps {shift}, which they held before the period ({source})"
            ),
            Exclusion::Earlier {
                shift,
                source,
                gap: Some(gap),
                after,
                rest,
            } => write!(
                f,
                "only {:.1} h of rest {} {shift}, which they held before the period \
                 ({source}; min_rest_hours = {})",
                *gap as f64 / 3600.0,
                if *after { "after" } else { "before" },
                *rest as f64 / 3600.0
            ),
        }
    }
}

/// Why `member` cannot take a shift of `layer` touching `touched` (their local days, from
/// [`MemberCalendar::touched`]), or `None` if they can. The first applicable reason wins,
/// in this order: not eligible, not employed, unavailable, holiday.
pub(crate) fn exclusion(
    member: &Member,
    layer: &Layer,
    rules: &Rules,
    touched: &[(Day, i64)],
) -> Option<Exclusion> {
    if !layer.eligible.admits(member) {
        return Some(Exclusion::NotEligible);
    }
    if touched.iter().any(|(d, _)| !member.employed_on(d.date)) {
        return Some(Exclusion::NotEmployed);
    }
    for (d, _) in touched {
        if let Some(rule) = member.unavailable_on(d.date) {
            return Some(Exclusion::Unavailable {
                date: d.date,
                reason: rule.reason().map(str::to_owned),
            });
        }
    }
    if rules.holidays_unavailable
        && let Some((d, _)) = touched
            .iter()
            .find(|(d, _)| member.holidays.contains(&d.date))
    {
        return Some(Exclusion::Holiday { date: d.date });
    }
    None
}

/// The shift overlaps one of the member's `prefer_off` days.
pub(crate) fn prefers_off(member: &Member, touched: &[(Day, i64)]) -> bool {
    touched.iter().any(|(d, _)| member.prefers_off_on(d.date))
}

/// `fte × (period seconds employed [and available]) / period seconds`, where the period is
/// `[period_start, period_end)` (the team zone's period, in UTC).
///
/// With [`CapacityMode::Availability`], whole local days covered by an `unavailable` entry
/// do not count; with [`CapacityMode::Fte`] only `joins` and `leaves` do.
pub(crate) fn capacity(
    calendar: &MemberCalendar,
    mode: CapacityMode,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> f64 {
    let member = calendar.member();
    let total = (period_end - period_start).num_seconds();
    if total <= 0 {
        return 0.0;
    }
    let usable: i64 = calendar
        .touched(period_start, period_end)
        .iter()
        .filter(|(d, _)| member.employed_on(d.date))
        .filter(|(d, _)| mode == CapacityMode::Fte || member.unavailable_on(d.date).is_none())
        .map(|(_, secs)| secs)
        .sum();
    member.fte * usable as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DateRule, Rotation, WeekdaySet};
    use crate::testkit::{at, date, layer, member, time};
    use chrono::Weekday;
    use chrono_tz::Tz;

    const NY: Tz = Tz::America__New_York;

    fn daily() -> Layer {
        layer(
            "primary",
            Rotation::Daily {
                handoff: time("10:00"),
            },
            NY,
        )
    }

    fn excluded(m: &Member, rules: &Rules, a: &str, b: &str) -> Option<Exclusion> {
        let (a, b) = (at(a), at(b));
        let cal = MemberCalendar::new(m, a, b);
        exclusion(m, &daily(), rules, &cal.touched(a, b))
    }

    fn off(from: &str, to: &str, reason: Option<&str>) -> DateRule {
        DateRule::Range {
            from: date(from),
            to: date(to),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn unavailable_day_boundary_by_one_minute() {
        let mut m = member("a", NY);
        m.unavailable
            .push(off("2024-07-10", "2024-07-10", Some("dentist")));
        let rules = Rules::default();
        let ends_at_midnight = excluded(
            &m,
            &rules,
            "2024-07-09T10:00:00-04:00",
            "2024-07-10T00:00:00-04:00",
        );
        assert_eq!(ends_at_midnight, None);
        let one_minute_in = excluded(
            &m,
            &rules,
            "2024-07-09T10:00:00-04:00",
            "2024-07-10T00:01:00-04:00",
        );
        assert_eq!(
            one_minute_in,
            Some(Exclusion::Unavailable {
                date: date("2024-07-10"),
                reason: Some("dentist".to_owned())
            })
        );
        let last_minute = excluded(
            &m,
            &rules,
            "2024-07-10T23:59:00-04:00",
            "2024-07-11T10:00:00-04:00",
        );
        assert!(last_minute.is_some());
        let next_day = excluded(
            &m,
            &rules,
            "2024-07-11T00:00:00-04:00",
            "2024-07-11T10:00:00-04:00",
        );
        assert_eq!(next_day, None);
    }

    #[test]
    fn unavailable_days_are_in_the_member_zone() {
        // Berlin's 2024-07-10 starts at 18:00 EDT on the 9th.
        let mut m = member("b", Tz::Europe__Berlin);
        m.unavailable.push(DateRule::Date {
            date: date("2024-07-10"),
            reason: None,
        });
        let rules = Rules::default();
        assert_eq!(
            excluded(
                &m,
                &rules,
                "2024-07-09T10:00:00-04:00",
                "2024-07-09T18:00:00-04:00"
            ),
            None
        );
        assert_eq!(
            excluded(
                &m,
                &rules,
                "2024-07-09T10:00:00-04:00",
                "2024-07-09T18:01:00-04:00"
            ),
            Some(Exclusion::Unavailable {
                date: date("2024-07-10"),
                reason: None
            })
        );
    }

    #[test]
    fn joins_and_leaves_bound_employment() {
        let mut m = member("a", NY);
        m.joins = Some(date("2024-07-10"));
        m.leaves = Some(date("2024-07-20"));
        let rules = Rules::default();
        let e = |a, b| excluded(&m, &rules, a, b);
        assert_eq!(
            e("2024-07-09T12:00:00-04:00", "2024-07-10T12:00:00-04:00"),
            Some(Exclusion::NotEmployed)
        );
        assert_eq!(
            e("2024-07-10T00:00:00-04:00", "2024-07-10T12:00:00-04:00"),
            None
        );
        assert_eq!(
            e("2024-07-19T10:00:00-04:00", "2024-07-20T00:00:00-04:00"),
            None
        );
        assert_eq!(
            e("2024-07-19T10:00:00-04:00", "2024-07-20T00:01:00-04:00"),
            Some(Exclusion::NotEmployed)
        );
    }

    #[test]
    fn the_first_reason_wins() {
        let mut m = member("a", NY);
        m.joins = Some(date("2024-07-10"));
        m.unavailable.push(off("2024-07-01", "2024-07-31", None));
        m.holidays.insert(date("2024-07-04"));
        let rules = Rules {
            holidays_unavailable: true,
            ..Rules::default()
        };
        let (a, b) = ("2024-07-04T10:00:00-04:00", "2024-07-05T10:00:00-04:00");
        assert_eq!(excluded(&m, &rules, a, b), Some(Exclusion::NotEmployed));
        m.joins = None;
        assert!(matches!(
            excluded(&m, &rules, a, b),
            Some(Exclusion::Unavailable { .. })
        ));
        m.unavailable.clear();
        assert_eq!(
            excluded(&m, &rules, a, b),
            Some(Exclusion::Holiday {
                date: date("2024-07-04")
            })
        );
        m.tags.insert("junior".to_owned());
        let mut senior_only = daily();
        senior_only.eligible.any_tags = vec!["senior".to_owned()];
        let (a, b) = (at(a), at(b));
        let cal = MemberCalendar::new(&m, a, b);
        assert_eq!(
            exclusion(&m, &senior_only, &rules, &cal.touched(a, b)),
            Some(Exclusion::NotEligible)
        );
    }

    #[test]
    fn holidays_block_only_with_holidays_unavailable() {
        let mut m = member("a", NY);
        m.holidays.insert(date("2024-07-04"));
        let (a, b) = ("2024-07-03T10:00:00-04:00", "2024-07-04T10:00:00-04:00");
        assert_eq!(excluded(&m, &Rules::default(), a, b), None);
        let rules = Rules {
            holidays_unavailable: true,
            ..Rules::default()
        };
        assert_eq!(
            excluded(&m, &rules, a, b),
            Some(Exclusion::Holiday {
                date: date("2024-07-04")
            })
        );
        // Ending at the holiday's midnight does not touch it.
        assert_eq!(
            excluded(
                &m,
                &rules,
                "2024-07-03T10:00:00-04:00",
                "2024-07-04T00:00:00-04:00"
            ),
            None
        );
    }

    #[test]
    fn prefer_off_is_any_overlap() {
        let mut m = member("a", NY);
        m.prefer_off.push(DateRule::Weekdays {
            days: WeekdaySet::from_days([Weekday::Sat]),
            reason: None,
        });
        let touched = |a: &str, b: &str| {
            let (a, b) = (at(a), at(b));
            MemberCalendar::new(&m, a, b).touched(a, b)
        };
        // 2024-07-13 is a Saturday.
        assert!(prefers_off(
            &m,
            &touched("2024-07-12T10:00:00-04:00", "2024-07-13T00:01:00-04:00")
        ));
        assert!(!prefers_off(
            &m,
            &touched("2024-07-12T10:00:00-04:00", "2024-07-13T00:00:00-04:00")
        ));
    }

    /// July 2024 in New York: 30 days, 720 hours.
    fn july(m: &Member, mode: CapacityMode) -> f64 {
        let (a, b) = (
            at("2024-07-01T00:00:00-04:00"),
            at("2024-07-31T00:00:00-04:00"),
        );
        capacity(&MemberCalendar::new(m, a, b), mode, a, b)
    }

    #[test]
    fn capacity_scales_with_fte_and_unavailability() {
        let mut m = member("a", NY);
        m.fte = 0.5;
        assert_eq!(july(&m, CapacityMode::Availability), 0.5);
        m.unavailable.push(off("2024-07-10", "2024-07-12", None));
        // 27 of 30 days.
        assert!((july(&m, CapacityMode::Availability) - 0.45).abs() < 1e-12);
        assert_eq!(july(&m, CapacityMode::Fte), 0.5);
        // Joins on the 16th: 15 of 30 days; the earlier unavailability no longer matters.
        m.joins = Some(date("2024-07-16"));
        assert!((july(&m, CapacityMode::Availability) - 0.25).abs() < 1e-12);
        assert!((july(&m, CapacityMode::Fte) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn capacity_counts_member_days_inside_the_team_period() {
        // Berlin's July 1st is 18:00 EDT June 30th to 18:00 EDT July 1st: 18 of its hours
        // fall in the New York period, which is 720 hours long.
        let mut m = member("b", Tz::Europe__Berlin);
        m.unavailable.push(DateRule::Date {
            date: date("2024-07-01"),
            reason: None,
        });
        assert!((july(&m, CapacityMode::Availability) - (720.0 - 18.0) / 720.0).abs() < 1e-12);
        // A whole Berlin day inside the period takes 24 hours.
        m.unavailable = vec![off("2024-07-10", "2024-07-10", None)];
        assert!((july(&m, CapacityMode::Availability) - 29.0 / 30.0).abs() < 1e-12);
    }
}
