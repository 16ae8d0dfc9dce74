//! Who may take a shift, whether it lands on a day they prefer off, and how much of the
//! period each member can carry (SPEC §3, §4).

use chrono::{DateTime, Utc};

use crate::config::{CapacityMode, Layer, Member, Rules};
use crate::problem::Exclusion;

use super::calendar::{Day, MemberCalendar};

/// Why `member` cannot take a shift of `layer` touching `touched` (their local days, from
/// [`MemberCalendar::touched`]), or `None` if they can. The first applicable reason wins,
/// in this order: not eligible, not employed, unavailable, holiday.
pub fn exclusion(
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
        && let Some((d, _)) = touched.iter().find(|(d, _)| member.holidays.contains(&d.date))
    {
        return Some(Exclusion::Holiday { date: d.date });
    }
    None
}

/// The shift overlaps one of the member's `prefer_off` days.
pub fn prefers_off(member: &Member, touched: &[(Day, i64)]) -> bool {
    touched.iter().any(|(d, _)| member.prefers_off_on(d.date))
}

/// `fte × (period seconds employed [and available]) / period seconds`, where the period is
/// `[period_start, period_end)` (the team zone's period, in UTC).
///
/// With [`CapacityMode::Availability`], whole local days covered by an `unavailable` entry
/// do not count; with [`CapacityMode::Fte`] only `joins` and `leaves` do.
pub fn capacity(
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
