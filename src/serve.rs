//! `rota serve`: the calendar feeds of an output directory over HTTP, read-only.
//!
//! Everything here is independent of the HTTP library: a request comes in as a method, a
//! request target and a few headers, and leaves as a status, headers and a body
//! ([`Site::handle`]). `commands::serve` binds the socket and moves bytes.
//!
//! Only three kinds of path exist: `/` (an index of the feeds), `/NAME.ics` (a file of
//! `DIR/calendars` whose name is a plain file name) and `/report.html`. Everything else is
//! 404, so no request target, however encoded, reaches a file outside `DIR/calendars`
//! (apart from the one report page). Files are read on every request: `rota solve`
//! replaces them by atomic rename, and the next poll sees the new feed.

mod index;
mod route;

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::schedule::Schedule;

pub use route::{Route, is_feed_name, route};

pub const ICS_TYPE: &str = "text/calendar; charset=utf-8";
const HTML_TYPE: &str = "text/html; charset=utf-8";
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// One HTTP request, as far as the site cares.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The request target as sent (`/team.ics?x=1`), not decoded.
    pub target: &'a str,
    /// The `Host` header, used for the absolute links of the index page.
    pub host: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
}

/// The answer: status, headers (besides Content-Length, Date, Server) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                ("X-Content-Type-Options", "nosniff".to_string()),
            ],
            body,
        }
    }

    fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, TEXT_TYPE, format!("{text}\n").into_bytes())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An output directory of `rota solve`, served read-only.
#[derive(Debug, Clone)]
pub struct Site {
    root: PathBuf,
    /// `host:port` for absolute links when a request has no usable `Host` header.
    fallback_host: String,
}

impl Site {
    pub fn new(root: &Path, fallback_host: &str) -> Site {
        Site {
            root: root.to_path_buf(),
            fallback_host: fallback_host.to_string(),
        }
    }

    pub fn calendars(&self) -> PathBuf {
        self.root.join("calendars")
    }

    pub fn handle(&self, request: &Request<'_>) -> Reply {
        if !matches!(request.method, "GET" | "HEAD") {
            let mut reply = Reply::text(405, "405 method not allowed: this server is read-only");
            reply.headers.push(("Allow", "GET, HEAD".to_string()));
            return reply;
        }
        match route(request.target) {
            Route::Index => self.index(request.host),
            Route::Feed(name) => match self.feed_path(&name) {
                Some(path) => self.file(&path, ICS_TYPE, request),
                None => not_found(),
            },
            Route::Report => self.file(&self.root.join("report.html"), HTML_TYPE, request),
            Route::NotFound => not_found(),
        }
    }

    /// The feed's path when it is a regular file inside `DIR/calendars`, after resolving
    /// symbolic links (a link pointing elsewhere is not served).
    fn feed_path(&self, name: &str) -> Option<PathBuf> {
        let dir = self.calendars().canonicalize().ok()?;
        let path = dir.join(name).canonicalize().ok()?;
        (path.parent() == Some(dir.as_path()) && path.is_file()).then_some(path)
    }

    /// A file with validators: `ETag` from its contents, `Last-Modified` from its mtime,
    /// and 304 when the client's copy is current (calendar apps poll every hour).
    fn file(&self, path: &Path, content_type: &str, request: &Request<'_>) -> Reply {
        let Some((body, modified)) = read(path) else {
            return not_found();
        };
        let etag = etag(&body);
        let last_modified = modified.map(http_date);
        let fresh = match (request.if_none_match, request.if_modified_since) {
            (Some(tags), _) => etag_matches(tags, &etag),
            (None, Some(since)) => match (modified, parse_http_date(since)) {
                (Some(m), Some(since)) => m.timestamp() <= since.timestamp(),
                _ => false,
            },
            (None, None) => false,
        };
        let mut reply = if fresh {
            Reply {
                status: 304,
                headers: Vec::new(),
                body: Vec::new(),
            }
        } else {
            Reply::new(200, content_type, body)
        };
        reply.headers.push(("ETag", etag));
        if let Some(lm) = last_modified {
            reply.headers.push(("Last-Modified", lm));
        }
        // Revalidate on every poll: cheap with the validators, and never stale.
        reply
            .headers
            .push(("Cache-Control", "no-cache".to_string()));
        reply
    }

    fn index(&self, host: Option<&str>) -> Reply {
        let host = host.filter(|h| is_host(h)).unwrap_or(&self.fallback_host);
        let schedule = Schedule::read(&self.root.join("schedule.json")).ok();
        let page = index::page(
            &self.calendars(),
            schedule.as_ref(),
            host,
            self.root.join("report.html").is_file(),
        );
        let mut reply = Reply::new(200, HTML_TYPE, page.into_bytes());
        reply
            .headers
            .push(("Cache-Control", "no-cache".to_string()));
        reply
    }
}

fn not_found() -> Reply {
    Reply::text(404, "404 not found")
}

/// Contents and modification time of one file, from the same open handle: a rename
/// between the two cannot mix the old file's time with the new file's bytes.
fn read(path: &Path) -> Option<(Vec<u8>, Option<DateTime<Utc>>)> {
    let mut file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut body = Vec::new();
    file.read_to_end(&mut body).ok()?;
    let modified = meta.modified().ok().map(DateTime::<Utc>::from);
    Some((body, modified))
}

/// A strong validator from the contents: identical bytes, identical tag, whoever wrote
/// them and whenever.
fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `If-None-Match`: `*` or a comma-separated list of tags, weak ones (`W/"…"`) compared
/// weakly as RFC 9110 asks for this header.
fn etag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A `Host` header that can go into a link as it is: a name or address and a port.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_follow_contents_and_match_weakly() {
        let a = etag(b"BEGIN:VCALENDAR");
        assert_eq!(a, etag(b"BEGIN:VCALENDAR"));
        assert_ne!(a, etag(b"BEGIN:VCALENDAR\r\n"));
        assert_eq!(a.len(), 26);
        assert!(etag_matches(&a, &a));
        assert!(etag_matches(&format!("\"x\", W/{a}"), &a));
        assert!(etag_matches("*", &a));
        assert!(!etag_matches("\"x\"", &a));
    }

    #[test]
    fn http_dates_round_trip() {
        let t = DateTime::parse_from_rfc3339("1994-11-06T08:49:37Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn hosts_that_could_break_a_link_are_not_used() {
        assert!(is_host("127.0.0.1:8080"));
        assert!(is_host("[::1]:8080"));
        assert!(is_host("oncall.example.org"));
        assert!(!is_host(""));
        assert!(!is_host("x\"><script>"));
        assert!(!is_host("a/b"));
    }

    /// A site in a temp dir: calendars/team.ics, primary.ics, ana.ics, a secret next to
    /// the calendars, and (optionally) schedule.json naming layer and member.
    fn site(with_schedule: bool) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cal = dir.path().join("calendars");
        std::fs::create_dir(&cal).expect("calendars dir");
        for name in ["team", "primary", "ana"] {
            std::fs::write(cal.join(format!("{name}.ics")), format!("FEED {name}\r\n"))
                .expect("write feed");
        }
        std::fs::write(cal.join("notes.txt"), "not a feed").expect("write");
        std::fs::write(dir.path().join("secret.ics"), "SECRET").expect("write");
        if with_schedule {
            let text = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/schedule.json"),
            )
            .expect("fixture");
            std::fs::write(dir.path().join("schedule.json"), text).expect("write");
        }
        let site = Site::new(dir.path(), "127.0.0.1:9");
        (dir, site)
    }

    fn get(site: &Site, target: &str) -> Reply {
        site.handle(&Request {
            method: "GET",
            target,
            ..Request::default()
        })
    }

    #[test]
    fn feeds_are_served_as_calendars() {
        let (_dir, site) = site(false);
        let reply = get(&site, "/team.ics");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, b"FEED team\r\n");
        assert_eq!(reply.header("content-type"), Some(ICS_TYPE));
        assert_eq!(reply.header("ETag"), Some(etag(b"FEED team\r\n").as_str()));
        assert!(
            reply
                .header("Last-Modified")
                .is_some_and(|d| d.ends_with(" GMT"))
        );
    }

    #[test]
    fn nothing_outside_the_calendars_is_served() {
        let (_dir, site) = site(true);
        for target in [
            "/secret.ics",
            "/../secret.ics",
            "/%2e%2e/secret.ics",
            "/schedule.json",
            "/../schedule.json",
            "/notes.txt",
            "/missing.ics",
        ] {
            let reply = get(&site, target);
            assert_eq!(reply.status, 404, "{target}");
            assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_calendars_is_not_followed() {
        let (dir, site) = site(false);
        std::os::unix::fs::symlink(
            dir.path().join("secret.ics"),
            dir.path().join("calendars/leak.ics"),
        )
        .expect("symlink");
        assert_eq!(get(&site, "/leak.ics").status, 404);
    }

    #[test]
    fn a_replaced_feed_is_served_on_the_next_request() {
        let (dir, site) = site(false);
        let before = get(&site, "/ana.ics");
        crate::output::atomic::write_all(
            dir.path(),
            &[(PathBuf::from("calendars/ana.ics"), "NEW\r\n".to_string())],
        )
        .expect("atomic write");
        let after = get(&site, "/ana.ics");
        assert_eq!(after.body, b"NEW\r\n");
        assert_ne!(before.header("ETag"), after.header("ETag"));
    }

    #[test]
    fn only_get_and_head_are_allowed() {
        let (_dir, site) = site(false);
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "get"] {
            let reply = site.handle(&Request {
                method,
                target: "/team.ics",
                ..Request::default()
            });
            assert_eq!(reply.status, 405, "{method}");
            assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
        }
        let head = site.handle(&Request {
            method: "HEAD",
            target: "/team.ics",
            ..Request::default()
        });
        assert_eq!(head.status, 200);
    }

    #[test]
    fn a_current_copy_gets_304() {
        let (_dir, site) = site(false);
        let first = get(&site, "/team.ics");
        let tag = first.header("ETag").expect("etag").to_string();
        let lm = first
            .header("Last-Modified")
            .expect("last-modified")
            .to_string();
        let conditional = |inm: Option<&str>, ims: Option<&str>| {
            site.handle(&Request {
                method: "GET",
                target: "/team.ics",
                if_none_match: inm,
                if_modified_since: ims,
                ..Request::default()
            })
        };
        let by_tag = conditional(Some(&tag), None);
        assert_eq!(by_tag.status, 304);
        assert!(by_tag.body.is_empty());
        assert_eq!(by_tag.header("ETag"), Some(tag.as_str()));
        assert_eq!(conditional(Some("\"other\""), None).status, 200);
        assert_eq!(conditional(None, Some(&lm)).status, 304);
        assert_eq!(
            conditional(None, Some("Thu, 01 Jan 1970 00:00:00 GMT")).status,
            200
        );
        // The tag wins over the date when both are sent (RFC 9110 §13.2.2).
        assert_eq!(conditional(Some("\"other\""), Some(&lm)).status, 200);
        assert_eq!(conditional(None, Some("garbage")).status, 200);
    }

    /// The page with minijinja's escaped slashes (`&#x2f;`, which browsers read as `/`)
    /// shown plainly, so the links can be searched for.
    fn page(reply: Reply) -> String {
        String::from_utf8(reply.body)
            .expect("utf-8")
            .replace("&#x2f;", "/")
    }

    #[test]
    fn index_lists_feeds_with_subscribe_links() {
        let (_dir, site) = site(false);
        let reply = site.handle(&Request {
            method: "GET",
            target: "/",
            host: Some("oncall.local:8080"),
            ..Request::default()
        });
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("Content-Type"), Some(HTML_TYPE));
        let page = page(reply);
        for name in ["ana", "primary", "team"] {
            assert!(page.contains(&format!("href=\"/{name}.ics\"")), "{name}");
            assert!(page.contains(&format!("webcal://oncall.local:8080/{name}.ics")));
            assert!(page.contains(&format!("http://oncall.local:8080/{name}.ics")));
        }
        assert!(!page.contains("notes.txt"));
        assert!(!page.contains("secret"));
        assert!(!page.contains("report.html"));
        // Sorted by name without a schedule to group by.
        let at = |s: &str| page.find(s).expect("listed");
        assert!(
            at("/ana.ics\"") < at("/primary.ics\"") && at("/primary.ics\"") < at("/team.ics\"")
        );
    }

    #[test]
    fn index_groups_feeds_by_the_schedule_and_escapes_the_host() {
        let (dir, site) = site(true);
        std::fs::write(dir.path().join("report.html"), "<p>report</p>").expect("write");
        let reply = site.handle(&Request {
            method: "GET",
            target: "/",
            host: Some("evil\"><script>"),
            ..Request::default()
        });
        let page = page(reply);
        assert!(!page.contains("<script>"));
        assert!(page.contains("webcal://127.0.0.1:9/team.ics"));
        assert!(page.contains("href=\"/report.html\""));
        assert!(page.contains("<h1>Report Team</h1>"));
        let at = |s: &str| page.find(s).expect("present");
        assert!(at("<h2>Team</h2>") < at("/team.ics\""));
        assert!(at("<h2>Layers</h2>") < at("/primary.ics\""));
        assert!(at("<h2>Members</h2>") < at("/ana.ics\""));
        assert!(at("/team.ics\"") < at("<h2>Layers</h2>"));
        assert!(at("/primary.ics\"") < at("<h2>Members</h2>"));
        assert_eq!(get(&site, "/report.html").body, b"<p>report</p>");
    }

    #[test]
    fn an_empty_directory_says_how_to_fill_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = Site::new(dir.path(), "127.0.0.1:9");
        let reply = get(&site, "/");
        assert_eq!(reply.status, 200);
        assert!(String::from_utf8_lossy(&reply.body).contains("No calendars yet"));
        assert_eq!(get(&site, "/team.ics").status, 404);
        assert_eq!(get(&site, "/report.html").status, 404);
    }
}
