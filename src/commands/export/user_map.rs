//! `--user-map FILE`: which user of the paging tool each member is.
//!
//! A TOML file with one line per member, `alice = "PXPGF42"` (a PagerDuty user id) or
//! `alice = "alice@example.com"` (an Opsgenie username); other tables or keys are not
//! allowed. Members who hold no exported shift may be missing, and ids that hold none are
//! ignored, so one map can serve several teams.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::Stretch;
use crate::config::ConfigError;
use crate::config::diagnostic::{self, Diagnostic};
use crate::config::limits;
use crate::config::suggest;
use crate::error::Error;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct UserMap {
    path: PathBuf,
    users: BTreeMap<String, String>,
}

impl UserMap {
    pub(super) fn read(path: &Path) -> Result<UserMap, Error> {
        let text =
            limits::read_text(path, limits::SIDE_FILE).map_err(|e| Error::reading(path, e))?;
        Ok(UserMap::parse(path, &text)?)
    }

    /// Every mistake in the file, each at its line and column.
    pub(super) fn parse(path: &Path, source: &str) -> Result<UserMap, ConfigError> {
        let render = |diags| diagnostic::render_as(path, source, diags, "a valid user map");
        let doc = DeTable::parse(source).map_err(|e| render(vec![diagnostic::toml_syntax(&e)]))?;
        let mut users = BTreeMap::new();
        let mut diags = Vec::new();
        for (key, value) in doc.get_ref() {
            let id = key.get_ref();
            match value.get_ref() {
                DeValue::String(user) if !user.trim().is_empty() => {
                    users.insert(id.to_string(), user.trim().to_string());
                }
                DeValue::String(_) => diags.push(
                    Diagnostic::new(value.span(), format!("the user of {id:?} is empty"))
                        .label("empty")
                        .help(format!(
                            "write {id} = \"…\" with the user's id, or remove the line"
                        )),
                ),
                _ => diags.push(
                    Diagnostic::new(value.span(), format!("the user of {id:?} must be a string"))
                        .label("not a string")
                        .help(format!(
                            "a user map has one line per member: {id} = \"PXPGF42\""
                        )),
                ),
            }
        }
        if diags.is_empty() {
            Ok(UserMap {
                path: path.to_path_buf(),
                users,
            })
        } else {
            Err(render(diags))
        }
    }

    /// The user of every member holding one of `stretches`; an error naming everyone who
    /// has none (so nothing is exported for some and not for others).
    pub(super) fn users_of<'m>(
        &'m self,
        stretches: &[Stretch<'m>],
        tool: &str,
    ) -> Result<BTreeMap<&'m str, &'m str>, Error> {
        let mut found = BTreeMap::new();
        let mut missing: Vec<&str> = Vec::new();
        for s in stretches {
            let id = s.shift.member.as_str();
            match self.users.get(id) {
                Some(user) => {
                    found.insert(id, user.as_str());
                }
                None if !missing.contains(&id) => missing.push(id),
                None => {}
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let mut message = format!(
            "{} has no {tool} user for {}, who hold{} shifts to export",
            self.path.display(),
            missing.join(", "),
            if missing.len() == 1 { "s" } else { "" },
        );
        for id in &missing {
            if let Some(close) = suggest::closest(id, self.users.keys().map(String::as_str))
                .filter(|c| !found.contains_key(c))
            {
                message.push_str(&format!("\n  {id}: the map has {close:?}, a typo?"));
            }
        }
        message.push_str(&format!(
            "\nhelp: add a line for each, such as {} = \"…\"; nothing was written",
            missing[0]
        ));
        Err(Error::Usage(message))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::testkit::weeks::{seat, t0};

    fn parse(text: &str) -> Result<UserMap, ConfigError> {
        UserMap::parse(Path::new("users.toml"), text)
    }

    #[test]
    fn reads_one_user_per_member() {
        let map = parse("# PagerDuty users\nalice = \"PXPGF42\"\n\"bob.k\" = ' PAM4FGS '\n")
            .expect("valid");
        assert_eq!(map.users["alice"], "PXPGF42");
        assert_eq!(map.users["bob.k"], "PAM4FGS");
    }

    #[test]
    fn every_bad_value_is_reported_at_its_line_and_column() {
        let err = parse("alice = 5\nbob = \"\"\ncarol = \"P1\"\n[team]\nx = 1\n").unwrap_err();
        assert_eq!(err.count, 3, "{err}");
        assert!(err.rendered.contains("users.toml:1:9"), "{err}");
        assert!(
            err.rendered
                .contains("the user of \"alice\" must be a string"),
            "{err}"
        );
        assert!(err.rendered.contains("users.toml:2:7"), "{err}");
        assert!(
            err.rendered.contains("the user of \"bob\" is empty"),
            "{err}"
        );
        assert!(err.rendered.contains("users.toml:4:1"), "{err}");
        assert!(
            err.rendered
                .contains("error: users.toml is not a valid user map (3 problems)"),
            "{err}"
        );
        let err = parse("alice = \n").unwrap_err();
        assert!(err.rendered.contains("invalid TOML"), "{err}");
    }

    #[test]
    fn missing_members_are_all_named_with_likely_typos() {
        let map = parse("ann = \"P1\"\nbenn = \"P2\"\n").expect("valid");
        let day = Duration::days(1);
        let shifts = [
            seat("p", t0(), t0() + day, "ann"),
            seat("p", t0() + day, t0() + day * 2, "ben"),
            seat("p", t0() + day * 2, t0() + day * 3, "cy"),
            seat("p", t0() + day * 3, t0() + day * 4, "ben"),
        ];
        let stretches: Vec<Stretch> = shifts
            .iter()
            .map(|shift| Stretch {
                shift,
                start: shift.start,
                end: shift.end,
            })
            .collect();
        let err = map.users_of(&stretches, "PagerDuty").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(
                "users.toml has no PagerDuty user for ben, cy, who hold shifts to export"
            ),
            "{text}"
        );
        assert!(
            text.contains("ben: the map has \"benn\", a typo?"),
            "{text}"
        );
        assert_eq!(err.exit_code(), 2);
        let users = map
            .users_of(&stretches[..1], "PagerDuty")
            .expect("ann is mapped");
        assert_eq!(users, BTreeMap::from([("ann", "P1")]));
    }
}
