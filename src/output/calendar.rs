//! iCalendar feeds (RFC 5545): team, one per layer, one per member; times in UTC.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::schedule::Schedule;

/// Every feed as `(calendars/NAME.ics, text)`: `team.ics`, one per layer, one per member
/// (empty calendar for a member without shifts). With `previous`, a member's feed keeps
/// shifts that moved away from them as STATUS:CANCELLED with the same UID.
pub fn render_all(
    config: &Config,
    schedule: &Schedule,
    previous: Option<&Schedule>,
    now: DateTime<Utc>,
) -> Vec<(PathBuf, String)> {
    let _ = (config, schedule, previous, now);
    Vec::new()
}
