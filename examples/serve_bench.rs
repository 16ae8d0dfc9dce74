//! How fast `rota serve` answers a calendar feed: requests per second for one ~9 KB feed
//! over kept-alive connections and over a new connection per request, and the latency of
//! requests (median, p99) while 500 idle connections are held open. Printed, not asserted;
//! figures are recorded in `docs/serve.md` with the machine, date and commit.
//!
//! `make bench-serve`, or `cargo build --release && cargo run --release --example
//! serve_bench [-- --rota target/release/rota --clients 2 --requests 20000]`
//!
//! The server is the real binary on a free loopback port; only 127.0.0.1 is contacted,
//! every loop is bounded in count, and the server is stopped at the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "requests/s and latency of `rota serve` for one ~9 KB feed")]
struct Args {
    /// The rota binary to run (default: `rota` beside this example's directory, i.e.
    /// target/release/rota after `cargo build --release`).
    #[arg(long)]
    rota: Option<PathBuf>,
    /// Client threads sending requests at once.
    #[arg(long, default_value_t = 2)]
    clients: usize,
    /// Requests per client over one kept-alive connection.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests per client with a new connection each.
    #[arg(long, default_value_t = 5_000)]
    connections: usize,
    /// Idle connections held open while latency is measured.
    #[arg(long, default_value_t = 500)]
    idle: usize,
    /// Requests timed one by one while the idle connections are open.
    #[arg(long, default_value_t = 5_000)]
    latency_requests: usize,
}

/// The server, stopped when dropped.
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

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let rota = match &args.rota {
        Some(path) => path.clone(),
        None => default_rota()?,
    };
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let feed = feed_of_about(9 * 1024);
    std::fs::create_dir_all(dir.path().join("calendars")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("calendars/team.ics"), &feed).map_err(|e| e.to_string())?;
    let _ = rlimit::increase_nofile_limit((args.idle + 256) as u64);
    let server = start(&rota, dir.path())?;
    let target = "/team.ics";

    println!(
        "rota serve, one feed of {} bytes, {} client threads, {} cores",
        feed.len(),
        args.clients,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Warm up: the first requests pay for page faults and lazy initialisation.
    keep_alive(server.addr, target, 500)?;

    let kept = throughput("keep-alive", args.clients, || {
        keep_alive(server.addr, target, args.requests)
    })?;
    let fresh = throughput("new connections", args.clients, || {
        new_connections(server.addr, target, args.connections)
    })?;
    println!("keep-alive / new connections: {:.2}×", kept / fresh);

    let idle = hold_idle(server.addr, target, args.idle)?;
    let mut kept_latency = latencies(args.latency_requests, {
        let mut stream = connect(server.addr)?;
        move || {
            get(&mut stream, target, false)?;
            Ok(())
        }
    })?;
    let mut fresh_latency = latencies(args.latency_requests / 5, || {
        let mut stream = connect(server.addr)?;
        get(&mut stream, target, true).map(|_| ())
    })?;
    let still_open = idle.iter().filter(|s| is_open(s)).count();
    for (label, samples) in [
        ("keep-alive", &mut kept_latency),
        ("new connection", &mut fresh_latency),
    ] {
        println!(
            "with {} idle connections open, {label}: median {:.0} µs, p99 {:.0} µs ({} requests)",
            args.idle,
            percentile(samples, 0.50),
            percentile(samples, 0.99),
            samples.len()
        );
    }
    println!(
        "idle connections still open at the end: {still_open} of {}",
        idle.len()
    );
    Ok(())
}

/// target/release/rota when this runs as target/release/examples/serve_bench.
fn default_rota() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("rota"))
        .ok_or("no directory above this example")?;
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} does not exist: run `cargo build --release` first, or give --rota PATH",
            path.display()
        ))
    }
}

/// A calendar of one-day on-call events, the size of a layer's feed for a quarter.
fn feed_of_about(bytes: usize) -> String {
    let mut feed = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rota//serve bench//EN\r\nMETHOD:PUBLISH\r\n",
    );
    let mut day = 0;
    while feed.len() < bytes - 200 {
        day += 1;
        feed.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:primary-2027-01-{d:02}@bench.rota\r\nDTSTAMP:20270101T000000Z\r\n\
             DTSTART:202701{d:02}T140000Z\r\nDTEND:202701{e:02}T140000Z\r\n\
             SUMMARY:On call: primary — Member {m}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n",
            d = day % 28 + 1,
            e = (day + 1) % 28 + 1,
            m = day % 7
        ));
    }
    feed.push_str("END:VCALENDAR\r\n");
    feed
}

fn start(rota: &Path, dir: &Path) -> Result<Server, String> {
    let mut child = Command::new(rota)
        .arg("serve")
        .arg(dir)
        .args(["--addr", "127.0.0.1:0", "--quiet", "--idle-timeout", "300"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", rota.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|url| url.trim_end_matches('/').parse().ok())
        .ok_or_else(|| format!("no address in {line:?}"))?;
    Ok(Server { child, addr })
}

/// A connection, read through a buffer.
type Conn = BufReader<TcpStream>;

fn connect(addr: SocketAddr) -> Result<Conn, String> {
    let stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    // The client too: each request is one write.
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    Ok(BufReader::with_capacity(16 * 1024, stream))
}

/// One GET on `conn`; the body's length.
fn get(conn: &mut Conn, target: &str, close: bool) -> Result<usize, String> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    conn.get_mut()
        .write_all(format!("GET {target} HTTP/1.1\r\nHost: bench\r\n{connection}\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut status = String::new();
    conn.read_line(&mut status)
        .map_err(|e| format!("reading the reply: {e}"))?;
    if !status.starts_with("HTTP/1.1 200") {
        return Err(format!("unexpected reply: {status:?}"));
    }
    let mut length = None;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).map_err(|e| e.to_string())?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let length: usize = length.ok_or("no Content-Length")?;
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(length)
}

fn keep_alive(addr: SocketAddr, target: &str, requests: usize) -> Result<usize, String> {
    let mut stream = connect(addr)?;
    for _ in 0..requests {
        get(&mut stream, target, false)?;
    }
    Ok(requests)
}

fn new_connections(addr: SocketAddr, target: &str, requests: usize) -> Result<usize, String> {
    for _ in 0..requests {
        let mut stream = connect(addr)?;
        get(&mut stream, target, true)?;
    }
    Ok(requests)
}

/// Runs `work` on `clients` threads at once and prints the requests per second.
fn throughput(
    label: &str,
    clients: usize,
    work: impl Fn() -> Result<usize, String> + Sync,
) -> Result<f64, String> {
    let started = Instant::now();
    let counts: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients).map(|_| scope.spawn(&work)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a client panicked".into())))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut total = 0;
    for count in counts {
        total += count?;
    }
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "{:<17} {rate:>9.0} requests/s ({total} requests in {:.2} s)",
        format!("{label}:"),
        elapsed.as_secs_f64()
    );
    Ok(rate)
}

/// `n` connections that made one request each and then stay silent.
fn hold_idle(addr: SocketAddr, target: &str, n: usize) -> Result<Vec<Conn>, String> {
    (0..n)
        .map(|_| {
            let mut stream = connect(addr)?;
            get(&mut stream, target, false)?;
            Ok(stream)
        })
        .collect()
}

fn is_open(conn: &Conn) -> bool {
    let stream = conn.get_ref();
    let mut byte = [0u8; 1];
    let _ = stream.set_nonblocking(true);
    matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// Microseconds each of `n` runs of `request` took.
fn latencies(
    n: usize,
    mut request: impl FnMut() -> Result<(), String>,
) -> Result<Vec<f64>, String> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        request()?;
        samples.push(started.elapsed().as_secs_f64() * 1e6);
    }
    Ok(samples)
}

fn percentile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}
