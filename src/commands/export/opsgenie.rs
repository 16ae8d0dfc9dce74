//! Opsgenie's "create schedule override" request bodies
//! (`POST /v2/schedules/{identifier}/overrides`): the API takes one override a request,
//! so the export is a JSON list with one body per stretch.
//!
//! Each override's alias is its shift's calendar UID, stable across re-solves: Opsgenie
//! keeps one override per alias and schedule, so sending the same export twice does not
//! double it, and a changed shift is updated at `…/overrides/ALIAS`.

use std::collections::BTreeMap;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::error::Error;

use super::Stretch;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Override<'a> {
    alias: &'a str,
    user: User<'a>,
    start_date: String,
    end_date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rotations: Vec<Rotation<'a>>,
}

/// A user by username (an email address, how Opsgenie names users) or by id.
#[derive(Debug, Serialize)]
struct User<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Rotation<'a> {
    name: &'a str,
}

/// `users` has a user for every stretch's member (checked by the caller); `rotations`
/// limits each override to those rotations of the schedule (none: the whole schedule).
pub(super) fn bodies(
    stretches: &[Stretch<'_>],
    users: &BTreeMap<&str, &str>,
    rotations: &[String],
) -> Result<String, Error> {
    let bodies: Vec<Override> = stretches
        .iter()
        .map(|s| {
            let user = users
                .get(s.shift.member.as_str())
                .copied()
                .unwrap_or_default();
            let by_name = user.contains('@');
            Override {
                alias: &s.shift.uid,
                user: User {
                    kind: "user",
                    username: by_name.then_some(user),
                    id: (!by_name).then_some(user),
                },
                // The offset form of Opsgenie's own examples (`+00:00`), not `Z`.
                start_date: s.start.to_rfc3339_opts(SecondsFormat::Secs, false),
                end_date: s.end.to_rfc3339_opts(SecondsFormat::Secs, false),
                rotations: rotations.iter().map(|name| Rotation { name }).collect(),
            }
        })
        .collect();
    super::json(&bodies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::export::tests::exported;
    use crate::testkit::weeks::t0;

    #[test]
    fn one_body_per_stretch_by_username_or_id() {
        let users = [
            ("ann", "ann@example.com"),
            ("ben", "4513b7ea-3b91-438f-b7e4-e3e54af9147c"),
        ];
        assert_eq!(
            exported(t0(), &users, |s, u| bodies(s, u, &[])),
            serde_json::json!([
                {"alias": "p-20270104T100000Z@test.rota",
                 "user": {"type": "user", "username": "ann@example.com"},
                 "startDate": "2027-01-04T10:00:00+00:00", "endDate": "2027-01-05T10:00:00+00:00"},
                {"alias": "p-20270105T100000Z@test.rota",
                 "user": {"type": "user", "id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c"},
                 "startDate": "2027-01-05T10:00:00+00:00", "endDate": "2027-01-06T10:00:00+00:00"},
            ])
        );
        let limited = exported(t0(), &users, |s, u| bodies(s, u, &["Nights".to_string()]));
        assert_eq!(
            limited[1]["rotations"],
            serde_json::json!([{"name": "Nights"}])
        );
    }
}
