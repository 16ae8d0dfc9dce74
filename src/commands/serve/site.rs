//! What the server serves, independent of sockets: a page name and the request's headers
//! in, a response out. The router ([`super::app`]) decides which page a path names.
//!
//! Files are read on every request: `rota solve` replaces them by atomic rename, and the
//! next poll sees the new feed. schedule.json and the config are parsed again only when
//! their file changed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::files::{Refused, Stamp, Tree};
use super::links::{Links, base_url};
use super::secret::Secret;
use super::{index, validators};
use crate::commands::now::{self, Roster};
use crate::config::Config;
use crate::schedule::Schedule;

pub(super) const ICS_TYPE: &str = "text/calendar; charset=utf-8";
const HTML_TYPE: &str = "text/html; charset=utf-8";
const JSON_TYPE: &str = "application/json";
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// The longest feed name served; ids and layer names are short slugs.
const MAX_NAME: usize = 200;

/// A page of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Page {
    Index,
    Report,
    Now,
    /// `NAME.ics` in `DIR/calendars`, checked by [`is_feed_name`].
    Feed(String),
}

impl Page {
    /// The page a (decoded) path segment names; `""` is the index.
    pub(super) fn named(name: &str) -> Option<Page> {
        match name {
            "" | "index.html" => Some(Page::Index),
            "report.html" => Some(Page::Report),
            "now.json" => Some(Page::Now),
            _ if is_feed_name(name) => Some(Page::Feed(name.to_owned())),
            _ => None,
        }
    }

    /// Its name in links and secret tokens.
    pub(super) fn name(&self) -> &str {
        match self {
            Page::Index => "index.html",
            Page::Report => "report.html",
            Page::Now => "now.json",
            Page::Feed(name) => name,
        }
    }
}

/// `NAME.ics` where NAME is ASCII letters, digits, `.`, `_` and `-`, starts with a letter
/// or digit and holds no `..`: every member id and layer name rota writes, and nothing
/// that a file system could read as another directory.
pub(super) fn is_feed_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".ics") else {
        return false;
    };
    name.len() <= MAX_NAME
        && stem.starts_with(|c: char| c.is_ascii_alphanumeric())
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !stem.contains("..")
}

/// Where "now" comes from: the clock, or a fixed instant (`SOURCE_DATE_EPOCH`) that makes
/// the index and `/now.json` reproducible in tests.
#[derive(Debug, Clone, Copy)]
pub(super) enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// What the config adds: names, zones, layer order, and the published address.
#[derive(Debug, Default)]
pub(super) struct Team {
    pub roster: Roster,
    pub url: Option<String>,
}

impl Team {
    pub(super) fn from_config(config: &Config) -> Team {
        Team {
            roster: Roster::from_config(config),
            url: config.calendar.url.clone(),
        }
    }
}

/// An output directory of `rota solve`, served read-only.
#[derive(Debug)]
pub(super) struct Site {
    tree: Tree,
    secret: Option<Secret>,
    config: Option<PathBuf>,
    clock: Clock,
    /// `host:port` the server is bound to: the links' last resort.
    bound: String,
    schedule: Cached<Schedule>,
    team: Cached<Team>,
}

impl Site {
    pub(super) fn new(dir: &Path, bound: String, clock: Clock) -> Site {
        Site {
            tree: Tree::new(dir),
            secret: None,
            config: None,
            clock,
            bound,
            schedule: Cached::default(),
            team: Cached::default(),
        }
    }

    pub(super) fn with_secret(mut self, secret: Option<Secret>) -> Site {
        self.secret = secret;
        self
    }

    /// Names, zones and `[calendar] url` from this config, re-read when it changes (a
    /// config that stops validating keeps the last good one).
    pub(super) fn with_config(mut self, path: &Path, config: &Config) -> Site {
        self.team
            .store(config_stamp(path), Team::from_config(config));
        self.config = Some(path.to_path_buf());
        self
    }

    pub(super) fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// The feed files of `DIR/calendars`, sorted.
    pub(super) fn feeds(&self) -> Vec<(String, Option<std::time::SystemTime>)> {
        let mut feeds = self.tree.list(&["calendars"]);
        feeds.retain(|(name, _)| is_feed_name(name));
        feeds
    }

    /// Links as a subscriber reaches them; for a request, or (no headers) for the start-up
    /// message.
    pub(super) fn links(&self, request: &HeaderMap) -> Links<'_> {
        let team = self.team();
        let base = base_url(
            team.as_ref().and_then(|t| t.url.as_deref()),
            request,
            &self.bound,
        );
        Links::new(base, self.secret.as_ref())
    }

    pub(super) fn respond(
        &self,
        page: &Page,
        request: &HeaderMap,
        query: Option<&str>,
    ) -> Response {
        let mut response = match page {
            Page::Feed(name) => self.file(&["calendars", name], ICS_TYPE, request),
            Page::Report => self.file(&["report.html"], HTML_TYPE, request),
            Page::Now => self.now_json(query),
            Page::Index => self.index(request),
        };
        let headers = response.headers_mut();
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if self.secret.is_some() {
            // The address is the key: keep it out of shared caches, Referer headers and
            // search engines.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
        }
        response
    }

    /// A file with validators: the ETag from its contents, Last-Modified from its mtime,
    /// and 304 when the client's copy is current.
    fn file(&self, parts: &[&str], content_type: &'static str, request: &HeaderMap) -> Response {
        let data = match self.tree.read(parts) {
            Ok((data, _)) => data,
            Err(refused) => return self.refused(refused),
        };
        let etag = validators::etag(&data.bytes);
        let mut response = if validators::is_fresh(request, &etag, data.modified) {
            reply(StatusCode::NOT_MODIFIED, None, Body::empty())
        } else {
            reply(StatusCode::OK, Some(content_type), Body::from(data.bytes))
        };
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        if let Some(value) = data
            .modified
            .and_then(|t| HeaderValue::from_str(&validators::http_date(t)).ok())
        {
            headers.insert(header::LAST_MODIFIED, value);
        }
        // Revalidate on every poll: cheap with the validators, and never stale.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }

    fn refused(&self, refused: Refused) -> Response {
        match refused {
            Refused::NotFound => not_found(),
            Refused::Failed(e) => {
                eprintln!("error: reading {}: {e}", self.tree.dir().display());
                text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500 the file could not be read; see the server's log",
                )
            }
        }
    }

    /// `/now.json?at=RFC3339`: who is on call, as `rota now --json` prints it.
    fn now_json(&self, query: Option<&str>) -> Response {
        let at = match query_value(query, "at") {
            None => self.clock.now(),
            Some(text) => match crate::commands::parse_instant(&text, self.clock.now()) {
                Ok(at) => at,
                Err(why) => return text_owned(StatusCode::BAD_REQUEST, format!("400 at={why}")),
            },
        };
        let Some(schedule) = self.schedule() else {
            return not_found();
        };
        let team = self.team().unwrap_or_default();
        let body = now::render_json(&now::on_call(&schedule, &team.roster, at));
        let mut response = reply(StatusCode::OK, Some(JSON_TYPE), Body::from(body));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }

    fn index(&self, request: &HeaderMap) -> Response {
        let schedule = self.schedule();
        let team = self.team().unwrap_or_default();
        let page = index::page(&index::Inputs {
            feeds: &self.feeds(),
            schedule: schedule.as_deref(),
            roster: &team.roster,
            links: &self.links(request),
            report: self.tree.stamp(&["report.html"]).is_ok(),
            now: self.clock.now(),
        });
        let mut response = reply(StatusCode::OK, Some(HTML_TYPE), Body::from(page));
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // Its links follow these headers.
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"),
        );
        response
    }

    /// DIR/schedule.json, parsed again only when it changed; none when missing or invalid.
    fn schedule(&self) -> Option<Arc<Schedule>> {
        let parts = ["schedule.json"];
        let stamp = self.tree.stamp(&parts).ok()?;
        self.schedule.get(stamp, || {
            let (data, _) = self.tree.read(&parts).ok()?;
            let schedule: Schedule = serde_json::from_slice(&data.bytes).ok()?;
            (schedule.version == crate::schedule::SCHEDULE_VERSION).then_some(schedule)
        })
    }

    fn team(&self) -> Option<Arc<Team>> {
        let path = self.config.as_deref()?;
        self.team
            .get(config_stamp(path)?, || match crate::config::load(path) {
                Ok(config) => Some(Team::from_config(&config)),
                Err(e) => {
                    eprintln!(
                        "note: {} no longer validates; keeping the names read before:\n{e}",
                        path.display()
                    );
                    None
                }
            })
    }
}

fn config_stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
}

/// A value parsed from a file, kept until the file changes. When the changed file does not
/// parse, the last good value is kept (and the failure not retried until it changes again).
#[derive(Debug)]
struct Cached<T> {
    slot: Mutex<Option<(Option<Stamp>, Arc<T>)>>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Cached {
            slot: Mutex::new(None),
        }
    }
}

impl<T> Cached<T> {
    fn store(&self, stamp: Option<Stamp>, value: T) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((stamp, Arc::new(value)));
        }
    }

    fn get(&self, stamp: Stamp, load: impl FnOnce() -> Option<T>) -> Option<Arc<T>> {
        // A poisoned lock only means another request panicked mid-update; the value is
        // still a whole one.
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_mut() {
            Some((seen, value)) if *seen == Some(stamp) => Some(value.clone()),
            Some((seen, value)) => {
                *seen = Some(stamp);
                if let Some(new) = load() {
                    *value = Arc::new(new);
                }
                Some(value.clone())
            }
            None => {
                let value = Arc::new(load()?);
                *slot = Some((Some(stamp), value.clone()));
                Some(value)
            }
        }
    }
}

/// The first value of `key` in a query string, percent-decoded (`+` stays a plus: it is
/// the sign of an RFC 3339 offset more often than an encoded space).
fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn reply(status: StatusCode, content_type: Option<&'static str>, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

pub(super) fn text(status: StatusCode, message: &'static str) -> Response {
    text_owned(status, message.to_owned())
}

fn text_owned(status: StatusCode, message: String) -> Response {
    reply(status, Some(TEXT_TYPE), Body::from(format!("{message}\n")))
}

pub(super) fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "404 not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_the_index_the_report_now_and_plain_feed_names() {
        assert_eq!(Page::named(""), Some(Page::Index));
        assert_eq!(Page::named("index.html"), Some(Page::Index));
        assert_eq!(Page::named("report.html"), Some(Page::Report));
        assert_eq!(Page::named("now.json"), Some(Page::Now));
        assert_eq!(
            Page::named("al.ice_b-2.ics"),
            Some(Page::Feed("al.ice_b-2.ics".into()))
        );
        for name in [
            "schedule.json",
            "team",
            ".ics",
            "..ics",
            "a..b.ics",
            ".team.ics",
            "-x.ics",
            "a/b.ics",
            "../team.ics",
            "..\\team.ics",
            "team\0.ics",
            "ä.ics",
            "%2e%2e.ics",
        ] {
            assert_eq!(Page::named(name), None, "{name:?}");
        }
        assert!(!is_feed_name(&format!("{}.ics", "a".repeat(MAX_NAME))));
        assert_eq!(Page::Feed("team.ics".into()).name(), "team.ics");
        assert_eq!(Page::Index.name(), "index.html");
    }

    #[test]
    fn query_values_are_percent_decoded_and_keep_plus_signs() {
        let q = Some("x=1&at=2027-03-14T09:00:00%2B01:00&at=2");
        assert_eq!(
            query_value(q, "at").as_deref(),
            Some("2027-03-14T09:00:00+01:00")
        );
        assert_eq!(
            query_value(Some("at=2027-03-14T09:00:00+01:00"), "at").as_deref(),
            Some("2027-03-14T09:00:00+01:00")
        );
        assert_eq!(query_value(Some("x=1"), "at"), None);
        assert_eq!(query_value(None, "at"), None);
    }

    #[test]
    fn a_cached_value_is_reloaded_when_its_file_changes_and_kept_when_the_reload_fails() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        std::fs::write(&path, "1").expect("write");
        let stamp = || config_stamp(&path).expect("stamp");
        let cache = Cached::<u32>::default();
        assert_eq!(cache.get(stamp(), || Some(1)).as_deref(), Some(&1));
        assert_eq!(cache.get(stamp(), || Some(2)).as_deref(), Some(&1));
        std::fs::write(&path, "22").expect("write");
        assert_eq!(cache.get(stamp(), || None).as_deref(), Some(&1));
        std::fs::write(&path, "333").expect("write");
        assert_eq!(cache.get(stamp(), || Some(3)).as_deref(), Some(&3));
        assert!(Cached::<u32>::default().get(stamp(), || None).is_none());
    }
}
