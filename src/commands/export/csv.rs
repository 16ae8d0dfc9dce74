//! Shifts as CSV (RFC 4180, written by the `csv` crate): one row per shift and holder, in
//! the schedule's order.
//!
//! Columns: `layer`, `start_utc`, `end_utc`, `start_local`, `end_local` (RFC 3339 in the
//! team's zone, with its offset), `timezone` (that zone's name), `member` (the id), `name`,
//! `email` (empty when the member has none) and `points`. Times carry their offset so a
//! row says the same instant in any spreadsheet; someone who left the team since the solve
//! shows their id as name.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::rfc3339;
use crate::config::Config;
use crate::error::Error;
use crate::schedule::ShiftOut;

const HEADER: [&str; 10] = [
    "layer",
    "start_utc",
    "end_utc",
    "start_local",
    "end_local",
    "timezone",
    "member",
    "name",
    "email",
    "points",
];

pub(super) fn render(shifts: &[&ShiftOut], config: &Config) -> Result<String, Error> {
    let fail = |e: ::csv::Error| Error::Internal(format!("cannot write CSV: {e}"));
    let zone = config.team.timezone;
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).map_err(fail)?;
    for shift in shifts {
        let member = config.members.iter().find(|m| m.id == shift.member);
        out.write_record([
            shift.layer.as_str(),
            &rfc3339(shift.start),
            &rfc3339(shift.end),
            &local(shift.start, zone),
            &local(shift.end, zone),
            zone.name(),
            &shift.member,
            member.map_or(&shift.member, |m| &m.name),
            member.and_then(|m| m.email.as_deref()).unwrap_or(""),
            &shift.points.to_string(),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("CSV is not UTF-8: {e}")))
}

/// `2027-01-04T10:00:00-05:00`.
fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::testkit::weeks::{config, seat, t0};

    #[test]
    fn rows_carry_both_zones_names_emails_and_quoting() {
        let mut config = config(&["ann", "ben"], &["primary"], 1);
        config.team.timezone = chrono_tz::America::New_York;
        config.members[0].name = "Ann \"Nan\" Lee, Jr.".into();
        config.members[0].email = Some("ann@example.com".into());
        let day = Duration::days(1);
        let shifts = [
            seat("primary", t0(), t0() + day, "ann"),
            seat("primary", t0() + day, t0() + day * 2, "gone"),
        ];
        let text = render(&shifts.iter().collect::<Vec<_>>(), &config).expect("renders");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "layer,start_utc,end_utc,start_local,end_local,timezone,member,name,email,points",
                "primary,2027-01-04T10:00:00Z,2027-01-05T10:00:00Z,2027-01-04T05:00:00-05:00,\
                 2027-01-05T05:00:00-05:00,America/New_York,ann,\"Ann \"\"Nan\"\" Lee, Jr.\",\
                 ann@example.com,10",
                "primary,2027-01-05T10:00:00Z,2027-01-06T10:00:00Z,2027-01-05T05:00:00-05:00,\
                 2027-01-06T05:00:00-05:00,America/New_York,gone,gone,,10",
            ]
        );
    }
}
