//! The router: which paths name which page, and the layers every request passes through
//! (access log, read-only methods, a time limit, gzip).
//!
//! Public: `/` (and `/index.html`), `/now.json`, `/report.html`, `/NAME.ics`. With a secret:
//! only `/s/TOKEN/` and `/s/TOKEN/NAME`, each token opening its one page; everything else,
//! including `/`, is the same plain 404 as a wrong token. Path segments are percent-decoded
//! once by the router, then must be one of the names above: a `/`, `..` or NUL in any
//! spelling names nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::HttpBody as _;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

use super::site::{Page, Site, not_found, text};

/// A request that takes longer than this is stuck on the file system; the client gets a
/// 503 instead of waiting on.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(10);

/// The client's address, put on each request by the listener for the access log.
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer(pub SocketAddr);

pub(super) fn router(site: Arc<Site>, access_log: bool) -> Router {
    let pages = if site.secret().is_some() {
        Router::new()
            .route("/s/{token}/", get(page))
            .route("/s/{token}/{name}", get(page))
    } else {
        Router::new()
            .route("/", get(page))
            .route("/{name}", get(page))
    };
    let app = pages
        .fallback(async || not_found())
        .with_state(site)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            HANDLER_TIMEOUT,
        ))
        .layer(middleware::from_fn(read_only));
    if access_log {
        app.layer(middleware::from_fn(log))
    } else {
        app
    }
}

/// The parameters of the routes above, percent-decoded; none for `/`, and no name for
/// the index (`/`, `/s/TOKEN/`).
#[derive(Debug, Default, Deserialize)]
struct PagePath {
    token: Option<String>,
    name: Option<String>,
}

/// Every route: the page its name names, when the secret (if any) admits the token; the
/// plain 404 otherwise, whatever was wrong.
async fn page(
    State(site): State<Arc<Site>>,
    path: Result<Path<PagePath>, PathRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let PagePath { token, name } = match path {
        Ok(Path(path)) => path,
        Err(_) if uri.path() == "/" => PagePath::default(),
        Err(_) => return not_found(),
    };
    let page = Page::named(name.as_deref().unwrap_or_default());
    let admitted = match (site.secret(), token) {
        (None, None) => page,
        (Some(secret), Some(token)) => page.filter(|page| secret.admits(&token, page.name())),
        _ => None,
    };
    match admitted {
        Some(page) => respond(site, page, headers, uri).await,
        None => not_found(),
    }
}

/// Answers on the blocking pool: reading files would otherwise stall the threads that
/// move every other connection's bytes.
async fn respond(site: Arc<Site>, page: Page, headers: HeaderMap, uri: Uri) -> Response {
    let answer =
        tokio::task::spawn_blocking(move || site.respond(&page, &headers, uri.query())).await;
    answer.unwrap_or_else(|_| {
        text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 internal error; see the server's log",
        )
    })
}

/// Only GET and HEAD, on every path: the server never changes anything.
async fn read_only(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let mut response = text(
        StatusCode::METHOD_NOT_ALLOWED,
        "405 method not allowed: this server is read-only",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// One line per request on stderr: client, request line, status, bytes, milliseconds.
async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let peer = request
        .extensions()
        .get::<Peer>()
        .map_or_else(|| "-".to_owned(), |p| p.0.to_string());
    let line = format!(
        "{} {} {:?}",
        request.method(),
        printable(&redacted(request.uri())),
        request.version()
    );
    let response = next.run(request).await;
    let bytes = response
        .body()
        .size_hint()
        .exact()
        .map_or_else(|| "-".to_owned(), |n| n.to_string());
    eprintln!(
        "{peer} \"{line}\" {} {bytes} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// The request target with the token of a secret link left out: the log must not become
/// a list of the keys.
fn redacted(uri: &Uri) -> String {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    match target.strip_prefix("/s/") {
        Some(rest) => match rest.split_once('/') {
            Some((_, page)) => format!("/s/…/{page}"),
            None => "/s/…".to_owned(),
        },
        None => target,
    }
}

/// What a client sent, without letting it write control characters to the operator's
/// terminal.
fn printable(text: &str) -> String {
    text.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::serve::secret::Secret;
    use crate::commands::serve::site::{Clock, ICS_TYPE};
    use axum::body::Body;
    use chrono::{DateTime, Utc};
    use tower::ServiceExt;

    const MONDAY: &str = "2027-01-04T12:00:00Z";

    /// An output directory: calendars/{team,primary,ana}.ics, notes.txt, the report
    /// fixture's schedule.json (layer primary, member ana), and a secret next to it.
    fn out_dir() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("out");
        let cal = dir.join("calendars");
        std::fs::create_dir_all(&cal).expect("calendars dir");
        for name in ["team", "primary", "ana"] {
            std::fs::write(cal.join(format!("{name}.ics")), format!("FEED {name}\r\n"))
                .expect("write feed");
        }
        std::fs::write(cal.join("notes.txt"), "not a feed").expect("write");
        std::fs::write(root.path().join("secret.ics"), "SECRET").expect("write");
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/report/schedule.json"),
            dir.join("schedule.json"),
        )
        .expect("fixture");
        root
    }

    fn site(root: &tempfile::TempDir, secret: Option<Secret>) -> Arc<Site> {
        let now = DateTime::parse_from_rfc3339(MONDAY)
            .expect("instant")
            .with_timezone(&Utc);
        Arc::new(
            Site::new(
                &root.path().join("out"),
                "127.0.0.1:9".into(),
                Clock::Fixed(now),
            )
            .with_secret(secret),
        )
    }

    /// [`out_dir`] served without a secret (the directory lives as long as it is held).
    fn open_site() -> (tempfile::TempDir, Arc<Site>) {
        let root = out_dir();
        let site = site(&root, None);
        (root, site)
    }

    /// A GET that must answer 200 with this content type.
    #[track_caller]
    fn get_ok(site: &Arc<Site>, target: &str, content_type: &str) -> Got {
        let got = get(site, target);
        assert_eq!(got.status, 200, "{target}");
        assert_eq!(got.header("content-type"), Some(content_type), "{target}");
        got
    }

    struct Got {
        status: u16,
        headers: HeaderMap,
        body: String,
    }

    impl Got {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
    }

    /// The router's response to one request, without a socket.
    fn answer(site: &Arc<Site>, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = Request::builder().method(method).uri(target);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::empty()).expect("request");
        runtime()
            .block_on(router(site.clone(), false).oneshot(request))
            .expect("infallible")
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    fn send(site: &Arc<Site>, method: &str, target: &str, headers: &[(&str, &str)]) -> Got {
        let response = answer(site, method, target, headers);
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = runtime()
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .expect("body");
        Got {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).replace("&#x2f;", "/"),
        }
    }

    fn get(site: &Arc<Site>, target: &str) -> Got {
        send(site, "GET", target, &[])
    }

    #[test]
    fn feeds_are_calendars_with_validators() {
        let (_root, site) = open_site();
        let team = get_ok(&site, "/team.ics", ICS_TYPE);
        assert_eq!(team.body, "FEED team\r\n");
        assert_eq!(team.header("cache-control"), Some("no-cache"));
        assert_eq!(team.header("x-content-type-options"), Some("nosniff"));
        let etag = team.header("etag").expect("etag").to_owned();
        let modified = team.header("last-modified").expect("date").to_owned();
        assert!(modified.ends_with(" GMT"), "{modified}");
        let again = send(&site, "GET", "/team.ics", &[("if-none-match", &etag)]);
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let by_date = send(
            &site,
            "GET",
            "/team.ics",
            &[("if-modified-since", &modified)],
        );
        assert_eq!(by_date.status, 304);
        assert_eq!(get(&site, "/te%61m.ics").body, "FEED team\r\n");
    }

    #[test]
    fn nothing_but_the_pages_is_served() {
        let (_root, site) = open_site();
        for target in [
            "/secret.ics",
            "/../secret.ics",
            "/%2e%2e/secret.ics",
            "/..%2fsecret.ics",
            "/..%2f..%2fsecret.ics",
            "/%2e%2e%2fschedule.json",
            "/schedule.json",
            "/calendars/team.ics",
            "/notes.txt",
            "/missing.ics",
            "//team.ics",
            "/%2fteam.ics",
            "/..%5cteam.ics",
            "/team%00.ics",
            "/%252e%252e/team.ics",
            "/%zz.ics",
            "/%ff.ics",
            "//",
            "/s/0123/team.ics",
        ] {
            let got = get(&site, target);
            assert_eq!(got.status, 404, "{target}");
            assert!(!got.body.contains("SECRET") && !got.body.contains("config_sha256"));
        }
    }

    #[test]
    fn only_get_and_head_are_allowed() {
        let (_root, site) = open_site();
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            for target in ["/team.ics", "/nothing"] {
                let got = send(&site, method, target, &[]);
                assert_eq!(got.status, 405, "{method} {target}");
                assert_eq!(got.header("allow"), Some("GET, HEAD"));
            }
        }
        let head = send(&site, "HEAD", "/team.ics", &[]);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
    }

    #[test]
    fn gzip_when_asked() {
        let root = out_dir();
        let big = "BEGIN:VEVENT\r\nSUMMARY:On call\r\nEND:VEVENT\r\n".repeat(200);
        std::fs::write(root.path().join("out/calendars/big.ics"), &big).expect("write");
        let site = site(&root, None);
        let plain = get(&site, "/big.ics");
        assert_eq!(plain.body, big);
        assert_eq!(plain.header("content-encoding"), None);
        let zipped = answer(&site, "GET", "/big.ics", &[("accept-encoding", "gzip")]);
        assert_eq!(
            zipped
                .headers()
                .get("content-encoding")
                .map(|v| v.as_bytes()),
            Some(&b"gzip"[..])
        );
        assert_eq!(zipped.headers().get("etag"), plain.headers.get("etag"));
        let vary = zipped
            .headers()
            .get("vary")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            vary.to_ascii_lowercase().contains("accept-encoding"),
            "{vary}"
        );
    }

    #[test]
    fn the_index_names_who_is_on_call_and_links_every_feed() {
        let (_root, site) = open_site();
        let got = send(&site, "GET", "/", &[("host", "oncall.local:8080")]);
        assert_eq!(got.status, 200);
        assert_eq!(got.header("content-type"), Some("text/html; charset=utf-8"));
        let page = &got.body;
        assert!(page.contains("<h1>Report Team</h1>"), "{page}");
        assert!(page.contains("<h2>On call now</h2>"), "{page}");
        assert!(page.contains("http://oncall.local:8080/now.json"), "{page}");
        for name in ["ana", "primary", "team"] {
            assert!(page.contains(&format!("href=\"http://oncall.local:8080/{name}.ics\"")));
            assert!(page.contains(&format!("webcal://oncall.local:8080/{name}.ics")));
        }
        assert!(!page.contains("notes.txt") && !page.contains("secret"));
        let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} in {page}"));
        assert!(at("<h2>Team</h2>") < at("/team.ics\""));
        assert!(at("<h2>Layers</h2>") < at("/primary.ics\""));
        assert!(at("<h2>Members</h2>") < at("/ana.ics\""));
        assert_eq!(get(&site, "/index.html").status, 200);

        let proxied = send(
            &site,
            "GET",
            "/",
            &[
                ("host", "127.0.0.1:8080"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "oncall.example.org"),
            ],
        );
        assert!(
            proxied
                .body
                .contains("href=\"https://oncall.example.org/team.ics\"")
        );
        assert!(
            proxied
                .body
                .contains("webcal://oncall.example.org/team.ics")
        );
    }

    #[test]
    fn an_empty_directory_says_how_to_fill_it() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join("out")).expect("mkdir");
        let site = site(&root, None);
        let got = get(&site, "/");
        assert_eq!(got.status, 200);
        assert!(got.body.contains("No calendars yet"));
        assert_eq!(get(&site, "/team.ics").status, 404);
        assert_eq!(get(&site, "/report.html").status, 404);
        assert_eq!(get(&site, "/now.json").status, 404);
    }

    #[test]
    fn now_json_takes_an_instant_or_says_what_is_wrong() {
        let (_root, site) = open_site();
        let got = get_ok(&site, "/now.json", "application/json");
        let json: serde_json::Value = serde_json::from_str(&got.body).expect("json");
        assert_eq!(json["at"], MONDAY);
        let later = get(&site, "/now.json?at=2027-01-05T09:00:00%2B01:00");
        let json: serde_json::Value = serde_json::from_str(&later.body).expect("json");
        assert_eq!(json["at"], "2027-01-05T08:00:00Z");
        let bad = get(&site, "/now.json?at=tomorrow");
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("RFC 3339"), "{}", bad.body);
    }

    #[test]
    fn with_a_secret_only_the_right_token_opens_its_page() {
        let root = out_dir();
        let secret = Secret::new(b"0123456789abcdef0123456789abcdef").expect("secret");
        let site = site(&root, Some(secret.clone()));
        let team = format!("/s/{}/team.ics", secret.token("team.ics"));
        let got = get(&site, &team);
        assert_eq!(got.status, 200);
        assert_eq!(got.body, "FEED team\r\n");
        assert_eq!(got.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(got.header("cache-control"), Some("private, no-cache"));

        let wrong_token = format!("/s/{}/team.ics", "0".repeat(32));
        let other_page = format!("/s/{}/ana.ics", secret.token("team.ics"));
        let index = format!("/s/{}/", secret.token("index.html"));
        let not_found = get(&site, "/missing.ics");
        for target in [
            "/",
            "/index.html",
            "/team.ics",
            "/now.json",
            "/report.html",
            wrong_token.as_str(),
            other_page.as_str(),
            &format!("/s/{}/index.html", secret.token("team.ics")),
            &format!("/s/{}/", secret.token("team.ics")),
            &format!("/s/{}", secret.token("index.html")),
        ] {
            let got = get(&site, target);
            assert_eq!(got.status, 404, "{target}");
            assert_eq!(got.body, not_found.body, "{target}");
        }

        let page = get(&site, &index);
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&team), "{}", page.body);
        assert!(
            page.body
                .contains(&format!("/s/{}/ana.ics", secret.token("ana.ics")))
        );
        assert!(
            page.body
                .contains(&format!("/s/{}/now.json", secret.token("now.json")))
        );
        let now = get(&site, &format!("/s/{}/now.json", secret.token("now.json")));
        assert_eq!(now.status, 200);
    }

    #[test]
    fn the_log_shows_no_token_and_no_control_characters() {
        let uri: Uri = "/s/0123abcd/team.ics?x=1".parse().expect("uri");
        assert_eq!(redacted(&uri), "/s/…/team.ics?x=1");
        let uri: Uri = "/team.ics?at=1".parse().expect("uri");
        assert_eq!(redacted(&uri), "/team.ics?at=1");
        assert_eq!(printable("/a\x1b[31m\n.ics"), "/a?[31m?.ics");
    }
}
