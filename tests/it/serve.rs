//! `rota serve DIR` and `rota now` on the real binary. The server is started on a free
//! loopback port and spoken to with a small HTTP/1.1 client over `TcpStream`: only
//! 127.0.0.1 is ever contacted, request loops are bounded in count, and every wait has a
//! bound (the server is killed when a test ends, also when it fails).

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::support::{
    arg, assert_contains, assert_includes, background, cmd, expect_code, fixture, read_json, rota,
    rota_with_env, solve, sorted, stderr, stdout,
};

const TEAM_FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:team\r\nEND:VCALENDAR\r\n";
const ANA_FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:ana\r\nEND:VCALENDAR\r\n";
/// Every wait for the server is bounded by this.
const PATIENCE: Duration = Duration::from_secs(10);

/// A running `rota serve`; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// What it printed on stdout after the first line, and on stderr, so far.
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<String>>>,
    err_reader: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Stops the server and returns all it wrote to stderr.
    fn finish(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.err_reader.take() {
            let _ = reader.join();
        }
        self.err.lock().expect("lock").clone()
    }

    fn stdout_lines(&self) -> Vec<String> {
        self.out.lock().expect("lock").clone()
    }

    /// Waits (boundedly) until stderr has a line containing `text`; all lines so far.
    fn stderr_until(&self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let lines = self.err.lock().expect("lock").clone();
            if lines.iter().any(|l| l.contains(text)) || Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// [`Server::stderr_until`], failing the test when no line contains `text`.
    #[track_caller]
    fn expect_stderr(&self, text: &str) -> Vec<String> {
        let lines = self.stderr_until(text);
        assert!(
            lines.iter().any(|l| l.contains(text)),
            "no {text:?} in {lines:?}"
        );
        lines
    }
}

/// Collects the lines of a pipe on a thread, so the server never blocks writing them.
fn collect(
    pipe: impl Read + Send + 'static,
    first: Option<mpsc::Sender<String>>,
) -> (Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let reader = std::thread::spawn(move || {
        let mut first = first;
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            match first.take() {
                Some(tx) => {
                    let _ = tx.send(line);
                }
                None => sink.lock().expect("lock").push(line),
            }
        }
    });
    (lines, reader)
}

/// `rota serve DIR --addr 127.0.0.1:0 ARGS…` (with `shell` run first, e.g. a `ulimit`),
/// its address read from the first line of its stdout.
fn start_with(dir: &Path, args: &[&str], env: &[(&str, &str)], shell: &str) -> Server {
    let mut rota = cmd();
    rota.args(["serve", arg(dir), "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("ROTA_SERVE_SECRET")
        .env_remove("ROTA_SERVE_SECRET_FILE")
        .envs(env.iter().copied());
    let mut command = background(&rota, shell);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("rota serve starts");
    let (tx, rx) = mpsc::channel();
    let (out, _) = collect(child.stdout.take().expect("piped"), Some(tx));
    let (err, err_reader) = collect(child.stderr.take().expect("piped"), None);
    let line = rx.recv_timeout(PATIENCE);
    let mut server = Server {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        out,
        err,
        err_reader: Some(err_reader),
    };
    let line = line.unwrap_or_else(|_| {
        panic!(
            "rota serve printed no address; stderr: {:?}",
            server.stderr_until("error")
        )
    });
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

fn start(dir: &Path, args: &[&str]) -> Server {
    start_with(dir, args, &[], "")
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

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, PATIENCE).expect("the server accepts");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    stream
}

fn request(method: &str, target: &str, extra: &[(&str, &str)], close: bool) -> String {
    let mut text = format!("{method} {target} HTTP/1.1\r\n");
    if !extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        text.push_str("Host: test.local\r\n");
    }
    if close {
        text.push_str("Connection: close\r\n");
    }
    for (name, value) in extra {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}

/// Splits a status line and header block off `raw`.
fn parse_head(head: &str) -> (u16, Vec<(String, String)>) {
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
    (status, headers)
}

/// One request with `Connection: close`, the target sent exactly as given (no client
/// normalizes `..` away).
fn fetch(addr: SocketAddr, method: &str, target: &str, extra: &[(&str, &str)]) -> Fetched {
    let mut stream = connect(addr);
    stream
        .write_all(request(method, target, extra, true).as_bytes())
        .expect("request sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("response read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header block in {:?}", String::from_utf8_lossy(&raw)));
    let (status, headers) = parse_head(&String::from_utf8_lossy(&raw[..split]));
    Fetched {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Fetched {
    fetch(addr, "GET", target, &[])
}

/// One response on a kept-alive connection (the server sends Content-Length).
fn read_response(stream: &mut TcpStream) -> Fetched {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("response line");
        assert!(n > 0, "connection closed mid-response after {head:?}");
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let (status, headers) = parse_head(&head);
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().expect("a length"));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    Fetched {
        status,
        headers,
        body,
    }
}

/// Closes `idle`, then asserts a normal request is answered. The server notices the
/// closed connections a moment later, so the request is retried for at most `PATIENCE`.
fn served_once_closed(addr: SocketAddr, idle: Vec<TcpStream>) {
    drop(idle);
    let deadline = Instant::now() + PATIENCE;
    let got = loop {
        let got = get(addr, "/team.ics");
        if got.status == 200 || Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(got.status, 200);
    assert_eq!(got.text(), TEAM_FEED);
}

/// DIR/calendars/{team,ana}.ics, DIR/schedule.json (a copy of the report fixture) and a
/// secret beside DIR that must never be served.
fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("out");
    std::fs::create_dir_all(dir.join("calendars")).expect("mkdir");
    std::fs::write(dir.join("calendars/team.ics"), TEAM_FEED).expect("write");
    std::fs::write(dir.join("calendars/ana.ics"), ANA_FEED).expect("write");
    std::fs::copy(
        crate::support::root().join("tests/fixtures/report/schedule.json"),
        dir.join("schedule.json"),
    )
    .expect("copy");
    std::fs::write(tmp.path().join("secret.ics"), "SECRET").expect("write");
    (tmp, dir)
}

#[test]
fn serve_answers_feeds_index_and_refuses_the_rest() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet"]);
    let addr = server.addr;

    let index = fetch(addr, "GET", "/", &[("Host", "cal.test:8080")]);
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // minijinja escapes `/` in attribute values; browsers read `&#x2f;` as `/`.
    let page = index.text().replace("&#x2f;", "/");
    for feed in ["team", "ana"] {
        assert!(
            page.contains(&format!("href=\"http://cal.test:8080/{feed}.ics\"")),
            "{page}"
        );
        assert!(
            page.contains(&format!("href=\"webcal://cal.test:8080/{feed}.ics\"")),
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
    assert!(team.header("date").is_some());
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
fn feeds_are_gzipped_for_clients_that_ask() {
    let (_root, dir) = out_dir();
    let big = "BEGIN:VEVENT\r\nSUMMARY:On call: primary — Ana\r\nEND:VEVENT\r\n".repeat(300);
    std::fs::write(dir.join("calendars/big.ics"), &big).expect("write");
    let server = start(&dir, &["--quiet"]);
    let zipped = fetch(
        server.addr,
        "GET",
        "/big.ics",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(zipped.status, 200);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert!(
        zipped.body.len() < big.len() / 4,
        "{} bytes",
        zipped.body.len()
    );
    let plain = get(server.addr, "/big.ics");
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), big);
}

#[test]
fn serve_picks_up_a_re_solve_without_restarting() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet"]);
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
fn a_bad_address_directory_or_secret_is_invalid_input() {
    let (root, dir) = out_dir();
    let dir = dir.to_str().expect("utf-8");
    for addr in ["8080", "127.0.0.1:99999", "127.0.0.1"] {
        let out = rota(&["serve", dir, "--addr", addr]);
        expect_code(&out, 2);
        assert!(stderr(&out).contains("--addr"), "{}", stderr(&out));
    }
    let out = rota(&["serve", "no-such-dir", "--addr", "127.0.0.1:0"]);
    expect_code(&out, 2);
    assert!(stderr(&out).contains("no-such-dir"), "{}", stderr(&out));

    let short = root.path().join("short-secret");
    std::fs::write(&short, "hunter2\n").expect("write");
    let short = short.to_str().expect("utf-8");
    let out = rota(&[
        "serve",
        dir,
        "--addr",
        "127.0.0.1:0",
        "--secret-file",
        short,
    ]);
    expect_code(&out, 2);
    assert!(stderr(&out).contains("at least 16"), "{}", stderr(&out));
    let out = rota_with_env(
        &["serve", dir, "--addr", "127.0.0.1:0"],
        &[("ROTA_SERVE_SECRET", "short")],
    );
    expect_code(&out, 2);
    assert_contains(&stderr(&out), "ROTA_SERVE_SECRET");
}

#[test]
fn a_port_in_use_is_refused_with_exit_2() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet"]);
    let taken = server.addr.to_string();
    let out = rota(&["serve", dir.to_str().expect("utf-8"), "--addr", &taken]);
    expect_code(&out, 2);
    assert!(stderr(&out).contains("cannot listen"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_dir_is_not_found() {
    let (root, dir) = out_dir();
    let outside = root.path().join("secret.ics");
    std::os::unix::fs::symlink(&outside, dir.join("report.html")).expect("symlink");
    std::os::unix::fs::symlink(&outside, dir.join("calendars/leak.ics")).expect("symlink");
    let server = start(&dir, &["--quiet"]);
    for target in ["/report.html", "/leak.ics"] {
        let got = get(server.addr, target);
        assert_eq!(got.status, 404, "{target}");
        assert!(!got.text().contains("SECRET"));
    }
    let index = get(server.addr, "/").text();
    assert!(
        !index.contains("leak") && !index.contains("report.html"),
        "{index}"
    );
}

#[test]
fn secret_links_open_one_page_each_and_the_index_is_hidden() {
    let (root, dir) = out_dir();
    let secret = root.path().join("secret");
    std::fs::write(&secret, "7d1c0e7f3b9a4e21a6d5c8f09b2e4d17\n").expect("write");
    let server = start(&dir, &["--secret-file", secret.to_str().expect("utf-8")]);
    // The links are printed on start, one per page.
    let deadline = Instant::now() + PATIENCE;
    while server.stdout_lines().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let printed = server.stdout_lines();
    let link = |page: &str| -> String {
        printed
            .iter()
            .find_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some(page)).then(|| words.next().map(str::to_string))?
            })
            .unwrap_or_else(|| panic!("no link for {page} in {printed:?}"))
    };
    let path = |url: String| {
        url.strip_prefix(&format!("http://{}", server.addr))
            .unwrap_or_else(|| panic!("{url} is not on {}", server.addr))
            .to_string()
    };
    let team = path(link("team.ics"));
    let ana = path(link("ana.ics"));
    let index = path(link("index"));
    assert!(
        team.starts_with("/s/") && team.ends_with("/team.ics"),
        "{team}"
    );

    let got = get(server.addr, &team);
    assert_eq!(got.status, 200);
    assert_eq!(got.text(), TEAM_FEED);
    assert_eq!(get(server.addr, &ana).text(), ANA_FEED);
    let private_index = get(server.addr, &index);
    assert_eq!(private_index.status, 200);
    assert!(private_index.text().replace("&#x2f;", "/").contains(&team));

    let token = |p: &str| p.split('/').nth(2).expect("a token").to_string();
    let plain_404 = get(server.addr, "/no-such-page.ics");
    assert_eq!(plain_404.status, 404);
    let mut wrong = token(&team);
    wrong.replace_range(..1, if wrong.starts_with('0') { "1" } else { "0" });
    for target in [
        "/".to_string(),
        "/team.ics".to_string(),
        "/now.json".to_string(),
        format!("/s/{wrong}/team.ics"),
        format!("/s/{}/ana.ics", token(&team)),
        format!("/s/{}/", token(&team)),
    ] {
        let got = get(server.addr, &target);
        assert_eq!(got.status, 404, "{target}");
        assert_eq!(got.body, plain_404.body, "{target}");
    }
    // The access log shows which page was asked for, never the token.
    let log = server.expect_stderr("/team.ics");
    assert!(
        log.iter()
            .any(|l| l.contains("\"GET /s/…/team.ics HTTP/1.1\" 200")),
        "{log:?}"
    );
    assert!(!log.iter().any(|l| l.contains(&token(&team))), "{log:?}");
}

#[test]
fn every_request_gets_one_access_log_line_unless_quiet() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &[]);
    get(server.addr, "/team.ics");
    get(server.addr, "/missing.ics");
    let log = server.expect_stderr("/missing.ics");
    let requests: Vec<&String> = log.iter().filter(|l| l.contains("\"GET ")).collect();
    assert_eq!(requests.len(), 2, "{log:?}");
    assert!(requests[0].starts_with("127.0.0.1:"), "{}", requests[0]);
    assert!(
        requests[0].contains("\"GET /team.ics HTTP/1.1\" 200"),
        "{}",
        requests[0]
    );
    assert!(
        requests[1].contains("\"GET /missing.ics HTTP/1.1\" 404"),
        "{}",
        requests[1]
    );

    let quiet = start(&dir, &["--quiet"]);
    assert_eq!(get(quiet.addr, "/team.ics").status, 200);
    let log = quiet.finish();
    assert!(!log.iter().any(|l| l.contains("GET")), "{log:?}");
}

#[test]
fn keep_alive_serves_many_requests_and_idle_connections_are_closed() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet", "--idle-timeout", "1"]);
    let mut stream = connect(server.addr);
    for _ in 0..20 {
        stream
            .write_all(request("GET", "/team.ics", &[], false).as_bytes())
            .expect("sent");
        let got = read_response(&mut stream);
        assert_eq!(got.status, 200);
        assert_eq!(got.text(), TEAM_FEED);
    }
    // Silent after its requests: closed after the idle timeout (1 s), well before ours.
    let mut rest = Vec::new();
    let read = stream.read_to_end(&mut rest);
    assert!(matches!(read, Ok(0)), "{read:?}");

    // Silent from the start: the same.
    let mut silent = connect(server.addr);
    let mut byte = [0u8; 1];
    assert!(matches!(silent.read(&mut byte), Ok(0)));
}

#[test]
fn a_client_that_drips_its_headers_is_cut_off() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet", "--idle-timeout", "1"]);
    let mut slow = connect(server.addr);
    slow.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    slow.write_all(b"GET /team.ics HTTP/1.1\r\nHost: x\r\n")
        .expect("sent");
    // One header byte every 200 ms never lets the connection fall silent for the idle
    // timeout; only the bound on the whole header block ends it. At most 50 bytes (10 s).
    let mut buf = [0u8; 256];
    let closed = (0..50).any(|_| {
        if slow.write_all(b"X").is_err() {
            return true;
        }
        match slow.read(&mut buf) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        }
    });
    assert!(
        closed,
        "a header block dripped for 10 s was still being read"
    );
    // Everyone else is served meanwhile and after.
    assert_eq!(get(server.addr, "/team.ics").status, 200);
}

#[test]
fn a_client_that_pipelines_and_never_reads_does_not_stop_others() {
    let (_root, dir) = out_dir();
    // 200 replies of 256 KiB: far more than the socket buffers hold.
    let big = format!("{}\r\n", "X".repeat(255)).repeat(1024);
    std::fs::write(dir.join("calendars/big.ics"), &big).expect("write");
    let server = start(&dir, &["--quiet", "--idle-timeout", "2"]);

    let mut greedy = connect(server.addr);
    let requests = request("GET", "/big.ics", &[], false).repeat(200);
    greedy.write_all(requests.as_bytes()).expect("pipelined");

    // Others are served while the greedy client's replies stall.
    for _ in 0..5 {
        let got = get(server.addr, "/team.ics");
        assert_eq!(got.status, 200);
        assert_eq!(got.text(), TEAM_FEED);
    }
    // The stalled connection is closed after the idle timeout: reading now yields what
    // the buffers held, then the end, far short of 200 replies.
    std::thread::sleep(Duration::from_secs(5));
    let mut received = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match greedy.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received += n,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the stalled connection was not closed: {e}"),
        }
    }
    assert!(
        received < 100 * big.len(),
        "{received} bytes: the server kept writing to a client that did not read"
    );
}

/// Raises this process's open-file limit to hold `wanted` sockets (besides what the test
/// harness has open), and returns how many it can hold.
fn sockets_we_can_open(wanted: usize) -> usize {
    let limit = rlimit::increase_nofile_limit(wanted as u64 + 200).unwrap_or(1024);
    wanted.min(limit.saturating_sub(200) as usize)
}

#[test]
fn two_thousand_idle_connections_are_shed_then_served_again() {
    let (_root, dir) = out_dir();
    let server = start(&dir, &["--quiet", "--max-connections", "500"]);
    let n = sockets_we_can_open(2000);
    assert!(
        n > 600,
        "only {n} sockets: the open-file hard limit is too low"
    );

    let idle: Vec<TcpStream> = (0..n).map(|_| connect(server.addr)).collect();
    // The server is full: a newcomer is told 503 at once instead of waiting or failing.
    let mut newcomer = connect(server.addr);
    let mut busy = String::new();
    newcomer
        .read_to_string(&mut busy)
        .expect("a reply and the end");
    assert!(busy.starts_with("HTTP/1.1 503 "), "{busy}");
    assert!(busy.contains("Retry-After: 5\r\n"), "{busy}");
    // Connections are accepted in order: the first 500 are held, the rest turned away.
    let turned_away = idle
        .iter()
        .filter(|s| {
            s.set_nonblocking(true).expect("nonblocking");
            let mut buf = [0u8; 12];
            matches!((&**s).read(&mut buf), Ok(12)) && &buf == b"HTTP/1.1 503"
        })
        .count();
    assert!(
        turned_away <= n - 500 && turned_away >= n / 2,
        "{turned_away} of {n} turned away"
    );

    served_once_closed(server.addr, idle);
}

#[cfg(unix)]
#[test]
fn running_out_of_file_descriptors_does_not_kill_the_listener() {
    let (_root, dir) = out_dir();
    // 64 descriptors and a bound far above them: accept fails with EMFILE.
    let server = start_with(
        &dir,
        &["--quiet", "--max-connections", "1000"],
        &[],
        "ulimit -n 64",
    );
    let idle: Vec<TcpStream> = (0..100).map(|_| connect(server.addr)).collect();
    server.expect_stderr("cannot accept connections");
    served_once_closed(server.addr, idle);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully() {
    let (_root, dir) = out_dir();
    let mut server = start(&dir, &["--quiet"]);
    let mut kept = connect(server.addr);
    kept.write_all(request("GET", "/team.ics", &[], false).as_bytes())
        .expect("sent");
    assert_eq!(read_response(&mut kept).status, 200);
    let pid = server.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    // The idle keep-alive connection was closed, not left hanging.
    let mut rest = Vec::new();
    assert!(matches!(kept.read_to_end(&mut rest), Ok(0)));
    server.expect_stderr("stopped");
}

/// Holders of `layer` at `at` by schedule.json's own shifts, `[start, end)`, sorted.
fn holders_in_schedule(schedule: &serde_json::Value, layer: &str, at: &str) -> Vec<String> {
    let at = chrono::DateTime::parse_from_rfc3339(at).expect("instant");
    let holding = schedule["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .filter(|s| s["layer"] == layer)
        .filter(|s| {
            let t = |k: &str| {
                chrono::DateTime::parse_from_rfc3339(s[k].as_str().expect("time")).expect("rfc3339")
            };
            t("start") <= at && at < t("end")
        });
    sorted(holding.map(|s| s["member"].as_str().expect("member").to_string()))
}

#[test]
fn now_json_and_rota_now_agree_with_the_schedule_across_a_dst_change() {
    let root = tempfile::tempdir().expect("temp dir");
    let config = root.path().join("harbor.toml");
    std::fs::copy(
        crate::support::root().join("tests/fixtures/serve/harbor.toml"),
        &config,
    )
    .expect("copy");
    let out = root.path().join("out");
    solve(&config, &out, &["--quiet"]);
    let schedule_path = out.join("schedule.json");
    let schedule = read_json(&schedule_path);
    let config_arg = config.to_str().expect("utf-8");
    let server = start(&out, &["--quiet", "--config", config_arg]);

    // Every handoff from the day before the change to the day after, and the second
    // before each.
    let mut instants = Vec::new();
    for shift in schedule["shifts"].as_array().expect("shifts") {
        let start = chrono::DateTime::parse_from_rfc3339(shift["start"].as_str().expect("start"))
            .expect("rfc3339");
        if start.date_naive() >= chrono::NaiveDate::from_ymd_opt(2027, 3, 13).expect("date")
            && start.date_naive() <= chrono::NaiveDate::from_ymd_opt(2027, 3, 15).expect("date")
        {
            for t in [start - chrono::Duration::seconds(1), start] {
                let t = t
                    .to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                if !instants.contains(&t) {
                    instants.push(t);
                }
            }
        }
    }
    // The daily handoff is 07:30Z before the change (02:30 EST and, in the gap, 03:30
    // EDT) and 06:30Z after it (02:30 EDT): both sides are checked.
    assert_includes(
        &instants,
        &[
            "2027-03-13T07:30:00Z",
            "2027-03-14T07:30:00Z",
            "2027-03-15T06:30:00Z",
        ],
    );

    // `rota now CONFIG --schedule FILE --at WHEN EXTRA…`, its stdout.
    let now = |at: &str, extra: &[&str]| {
        let mut args = vec![
            "now",
            config_arg,
            "--schedule",
            schedule_path.to_str().expect("utf-8"),
            "--at",
            at,
        ];
        args.extend(extra);
        let out = rota(&args);
        expect_code(&out, 0);
        stdout(&out)
    };
    for at in &instants {
        let cli = now(at, &["--json"]);
        let served = get(server.addr, &format!("/now.json?at={at}"));
        assert_eq!(served.status, 200, "{at}");
        assert_eq!(served.text(), cli, "/now.json and rota now differ at {at}");

        let json: serde_json::Value = serde_json::from_str(&cli).expect("json");
        for layer in json["layers"].as_array().expect("layers") {
            let name = layer["layer"].as_str().expect("name");
            let mut holders: Vec<String> = layer["holders"]
                .as_array()
                .expect("holders")
                .iter()
                .map(|p| p["id"].as_str().expect("id").to_string())
                .collect();
            holders.sort();
            assert_eq!(
                holders,
                holders_in_schedule(&schedule, name, at),
                "{name} at {at}"
            );
            let expected_len = if name == "pair" { 2 } else { 1 };
            assert_eq!(holders.len(), expected_len, "{name} at {at}");
        }
    }

    // The text names people and shows each side of the change in its own offset.
    let text = |at: &str| now(at, &[]);
    let before = text("2027-03-13T12:00:00Z");
    assert!(
        before.starts_with("Harbor Ops — on call at Sat 2027-03-13 07:00 EST\n"),
        "{before}"
    );
    assert!(
        before.contains(
            "Ana Ames since Sat 2027-03-13 02:30 EST until Sun 2027-03-14 03:30 EDT; then Bo Berg\n"
        ),
        "{before}"
    );
    let after = text("2027-03-14T12:00:00Z");
    assert!(
        after.contains(
            "Bo Berg since Sun 2027-03-14 03:30 EDT until Mon 2027-03-15 02:30 EDT; then Cy Cole\n"
        ),
        "{after}"
    );
}

#[test]
fn rota_now_reads_a_schedule_or_a_config_and_says_what_is_missing() {
    let (root, dir) = out_dir();
    let schedule = dir.join("schedule.json");
    let schedule = schedule.to_str().expect("utf-8");
    // SOURCE_DATE_EPOCH (2027-01-01) is "now" unless --at says otherwise.
    let out = rota(&["now", schedule, "--json"]);
    expect_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["at"], "2027-01-01T00:00:00Z");
    assert_eq!(json["team"], "Report Team");

    let out = rota(&["now", schedule, "--at", "tomorrow"]);
    expect_code(&out, 2);
    assert!(
        stderr(&out).contains("--at \"tomorrow\""),
        "{}",
        stderr(&out)
    );

    let unsolved = root.path().join("unsolved");
    std::fs::create_dir(&unsolved).expect("mkdir");
    std::fs::copy(fixture("small.toml"), unsolved.join("small.toml")).expect("copy");
    let out = cmd()
        .args(["now", "small.toml"])
        .current_dir(&unsolved)
        .output()
        .expect("rota runs");
    expect_code(&out, 2);
    assert!(
        stderr(&out).contains("rota solve small.toml"),
        "{}",
        stderr(&out)
    );
}
