//! The body of PagerDuty's "create one or more overrides" request
//! (`POST /schedules/{id}/overrides`, REST API v2): one override per stretch, each naming
//! its user by reference.
//!
//! PagerDuty gives the override created last priority where overrides overlap, so sending
//! a fresh export after a re-solve replaces what an earlier one put there.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Error;

use super::{Stretch, rfc3339};

#[derive(Debug, Serialize)]
struct Body<'a> {
    overrides: Vec<Override<'a>>,
}

#[derive(Debug, Serialize)]
struct Override<'a> {
    start: String,
    end: String,
    user: UserReference<'a>,
}

#[derive(Debug, Serialize)]
struct UserReference<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `users` has a user for every stretch's member (checked by the caller).
pub(super) fn body(
    stretches: &[Stretch<'_>],
    users: &BTreeMap<&str, &str>,
) -> Result<String, Error> {
    let body = Body {
        overrides: stretches
            .iter()
            .map(|s| Override {
                start: rfc3339(s.start),
                end: rfc3339(s.end),
                user: UserReference {
                    id: users
                        .get(s.shift.member.as_str())
                        .copied()
                        .unwrap_or_default(),
                    kind: "user_reference",
                },
            })
            .collect(),
    };
    super::json(&body)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::commands::export::tests::exported;
    use crate::testkit::weeks::t0;

    #[test]
    fn one_override_per_stretch_with_a_user_reference() {
        // From two hours into ann's day: her override starts there.
        let from = t0() + Duration::hours(2);
        let users = [("ann", "PANN001"), ("ben", "PBEN002")];
        assert_eq!(
            exported(from, &users, body),
            serde_json::json!({"overrides": [
                {"start": "2027-01-04T12:00:00Z", "end": "2027-01-05T10:00:00Z",
                 "user": {"id": "PANN001", "type": "user_reference"}},
                {"start": "2027-01-05T10:00:00Z", "end": "2027-01-06T10:00:00Z",
                 "user": {"id": "PBEN002", "type": "user_reference"}},
            ]})
        );
    }
}
