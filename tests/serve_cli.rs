//! `rota serve DIR` on the real binary: started on a free loopback port, asked with a
//! tiny HTTP/1.1 client over `TcpStream`, then killed. Only 127.0.0.1 is ever contacted,
//! every wait is bounded, and the whole file runs in well under five seconds.

#[path = "it/support/mod.rs"]
mod cli_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cli_support::{expect_code, rota, stderr};

const TEAM_FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:team\r\nEND:VCALENDAR\r\n";
const ANA_FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:ana\r\nEND:VCALENDAR\r\n";

/// A running `rota serve`; killed when dropped, also when a test fails.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `rota serve DIR --addr 127.0.0.1:0` and reads the address it bound from the
/// first line of its stdout (waiting at most 5 s).
fn start(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rota"))
        .args([
            "serve",
            dir.to_str().expect("utf-8"),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("rota serve starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(5));
    let mut server = Server {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let line = line.expect("rota serve prints its address within 5 s");
    let url = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    server.addr = url
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|e| panic!("{url:?}: {e}"));
    assert!(server.addr.ip().is_loopback(), "{line}");
    assert_ne!(server.addr.port(), 0, "{line}");
    server
}

struct Fetched {
    status: u16,
    /// Header lines, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request with `Connection: close`, the target sent exactly as given (no client
/// normalizes `..` away). A few bounded connection attempts, 2 s read timeout.
fn fetch(addr: SocketAddr, method: &str, target: &str, extra: &[(&str, &str)]) -> Fetched {
    let mut stream = None;
    for _ in 0..20 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let mut stream = stream.expect("the server accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in extra {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("response read");

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Fetched {
        status,
        headers,
        body,
    }
}

fn get(addr: SocketAddr, target: &str) -> Fetched {
    fetch(addr, "GET", target, &[])
}

/// DIR/calendars/{team,ana}.ics, DIR/schedule.json (a copy of the report fixture) and a
/// secret beside DIR that must never be served.
fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("out");
    std::fs::create_dir_all(dir.join("calendars")).expect("mkdir");
    std::fs::write(dir.join("calendars/team.ics"), TEAM_FEED).expect("write");
    std::fs::write(dir.join("calendars/ana.ics"), ANA_FEED).expect("write");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/schedule.json"),
        dir.join("schedule.json"),
    )
    .expect("copy");
    std::fs::write(root.path().join("secret.ics"), "SECRET").expect("write");
    (root, dir)
}

#[test]
fn serve_answers_feeds_index_and_refuses_the_rest() {
    let (_root, dir) = out_dir();
    let server = start(&dir);
    let addr = server.addr;

    let index = get(addr, "/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // minijinja escapes `/` in attribute values; browsers read `&#x2f;` as `/`.
    let page = index.text().replace("&#x2f;", "/");
    for feed in ["team", "ana"] {
        assert!(page.contains(&format!("href=\"/{feed}.ics\"")), "{page}");
        assert!(
            page.contains(&format!("href=\"webcal://{addr}/{feed}.ics\"")),
            "{page}"
        );
    }
    assert!(page.contains("Report Team"), "team name from schedule.json");

    let team = get(addr, "/team.ics");
    assert_eq!(team.status, 200);
    assert_eq!(
        team.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(team.text(), TEAM_FEED);
    assert!(team.header("last-modified").is_some());
    let etag = team.header("etag").expect("an ETag").to_string();

    let again = fetch(addr, "GET", "/team.ics", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let head = fetch(addr, "HEAD", "/team.ics", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(TEAM_FEED.len().to_string().as_str())
    );
    assert!(head.body.is_empty());

    for target in [
        "/../schedule.json",
        "/%2e%2e/schedule.json",
        "/..%2fschedule.json",
        "/..%2f..%2fsecret.ics",
        "/../secret.ics",
        "/../../secret.ics",
        "/schedule.json",
        "/calendars/team.ics",
        "/missing.ics",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 404, "{target}");
        let text = reply.text();
        assert!(
            !text.contains("SECRET") && !text.contains("config_sha256"),
            "{target}"
        );
    }

    let post = fetch(addr, "POST", "/team.ics", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn serve_picks_up_a_re_solve_without_restarting() {
    let (_root, dir) = out_dir();
    let server = start(&dir);
    assert_eq!(get(server.addr, "/ana.ics").text(), ANA_FEED);
    let updated = ANA_FEED.replace("X-WR-CALNAME:ana", "X-WR-CALNAME:ana (updated)");
    rota::output::atomic::write_all(
        &dir,
        &[(PathBuf::from("calendars/ana.ics"), updated.clone())],
    )
    .expect("atomic write");
    assert_eq!(get(server.addr, "/ana.ics").text(), updated);
}

#[test]
fn a_bad_address_or_missing_directory_is_invalid_input() {
    let (_root, dir) = out_dir();
    let dir = dir.to_str().expect("utf-8");
    for addr in ["8080", "127.0.0.1:99999", "127.0.0.1"] {
        let out = rota(&["serve", dir, "--addr", addr]);
        expect_code(&out, 2);
        assert!(stderr(&out).contains("--addr"), "{}", stderr(&out));
    }
    let out = rota(&["serve", "no-such-dir", "--addr", "127.0.0.1:0"]);
    expect_code(&out, 2);
    assert!(stderr(&out).contains("no-such-dir"), "{}", stderr(&out));
}

#[test]
fn a_port_in_use_is_refused_with_exit_2() {
    let (_root, dir) = out_dir();
    let server = start(&dir);
    let taken = server.addr.to_string();
    let out = rota(&["serve", dir.to_str().expect("utf-8"), "--addr", &taken]);
    expect_code(&out, 2);
    assert!(stderr(&out).contains("cannot listen"), "{}", stderr(&out));
}
