//! Accepting connections and holding them to account: a bound on how many are served at
//! once, timeouts on every way a client can stall, and a graceful stop.
//!
//! - **Bound.** At most `max_connections` are served; one more is accepted, told `503`
//!   and closed at once, so the listen queue keeps moving and a flood of idle connections
//!   costs the server nothing but the bound.
//! - **Accept errors.** Running out of file descriptors (EMFILE, ENFILE) or memory makes
//!   `accept` fail until something is closed: the loop logs it (once in a while), waits a
//!   moment and goes on. No error ends the listener; only a stop signal does.
//! - **Timeouts.** One knob, `idle_timeout`, for every way a client can stall: a
//!   connection waiting for a request's header block (idle keep-alive, a client that never
//!   sends, or one that drips its headers a byte at a time: hyper's header timer runs from
//!   when the server starts waiting until the block is complete), a connection silent in
//!   the middle of a request, and one that reads nothing (a pipelining client that never
//!   reads its replies) are closed after it. A handler is cut off after
//!   `app::HANDLER_TIMEOUT`. Each connection is its own task, so a stalled one holds up
//!   only itself.
//! - **TCP_NODELAY.** Replies are written whole; without it, Nagle's algorithm and the
//!   client's delayed ACK hold each reply on a keep-alive connection for the client's
//!   delayed-ACK timer (tens of milliseconds).
//! - **Stop.** On SIGTERM or SIGINT the listener closes, idle connections are closed,
//!   requests in flight are answered (for at most [`SHUTDOWN_GRACE`]), then the process
//!   exits 0.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

use super::app::Peer;

/// Requests in flight at a stop get this long to finish.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Request line and headers larger than this are refused (431); a calendar app's
/// request is a few hundred bytes.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// After an accept error other than a refused connection, wait this long before the next
/// accept: long enough not to spin, short enough to resume at once when a descriptor frees.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Connections turned away that may linger to read their request, and for how long.
const MAX_TURNING_AWAY: usize = 256;
const TURN_AWAY_LINGER: Duration = Duration::from_secs(1);
/// Accept errors are logged at most this often.
const ERROR_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// What a connection over the bound is told before it is closed.
const BUSY_REPLY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Content-Type: text/plain; charset=utf-8\r\nContent-Length: 32\r\n\
    Retry-After: 5\r\nConnection: close\r\n\r\n503 busy: too many connections\r\n";

#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` completes, then shuts down gracefully.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let goodbyes = Arc::new(Semaphore::new(MAX_TURNING_AWAY));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .max_buf_size(MAX_HEADER_BYTES.max(8192))
        .max_header_size(MAX_HEADER_BYTES)
        .keep_alive(true);
    let mut errors = Throttle::default();
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                errors.log(&e);
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            turn_away(stream, &goodbyes);
            continue;
        };
        // Fails only on a socket already closed by the client; hyper sees that anyway.
        let _ = stream.set_nodelay(true);
        let mut io = TimeoutStream::new(stream);
        io.set_read_timeout(Some(limits.idle_timeout));
        io.set_write_timeout(Some(limits.idle_timeout));
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(Peer(peer));
            app.clone().oneshot(request)
        });
        let connection = http.serve_connection(TokioIo::new(Box::pin(io)), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection's error (reset, timeout, bad request) ends only that connection.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            eprintln!("stopping with requests still in flight after {} s", SHUTDOWN_GRACE.as_secs());
        }
    }
}

/// Tells a connection over the bound to come back later. The reply fits any socket
/// buffer, so writing it never waits. Closing a socket whose client's request is still
/// unread makes the kernel reset it, and a reset can destroy the 503 before the client
/// reads it; so the write side is closed and the request read and dropped for a moment
/// first, by at most [`MAX_TURNING_AWAY`] connections at once (the rest are just closed).
fn turn_away(stream: TcpStream, goodbyes: &Arc<Semaphore>) {
    let _ = stream.try_write(BUSY_REPLY);
    let Ok(goodbye) = goodbyes.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let mut stream = stream;
        let _ = stream.shutdown().await;
        let mut sink = [0u8; 4096];
        let drain = async { while let Ok(1..) = stream.read(&mut sink).await {} };
        let _ = tokio::time::timeout(TURN_AWAY_LINGER, drain).await;
        drop(goodbye);
    });
}

/// Errors of one connection that `accept` reports: the next accept is unaffected.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Logs the first error, then at most one line per interval with how many were skipped.
#[derive(Debug, Default)]
struct Throttle {
    last: Option<Instant>,
    skipped: u64,
}

impl Throttle {
    fn log(&mut self, e: &io::Error) {
        if self
            .last
            .is_some_and(|last| last.elapsed() < ERROR_LOG_INTERVAL)
        {
            self.skipped += 1;
            return;
        }
        let also = match self.skipped {
            0 => String::new(),
            n => format!(" ({n} more since the last message)"),
        };
        eprintln!(
            "warning: cannot accept connections: {e}{also}; retrying (raise the open-file limit \
             or lower --max-connections)"
        );
        self.last = Some(Instant::now());
        self.skipped = 0;
    }
}

/// The bound on connections: by default 1024, or fewer so that the process cannot run
/// out of file descriptors before the bound turns clients away; an explicit `requested`
/// is kept even above that (accept then waits for descriptors, see the module doc), with
/// a note. Returns the bound and the note for the operator, if any.
pub(super) fn connection_bound(requested: Option<u32>) -> (usize, Option<String>) {
    const DEFAULT: u64 = 1024;
    /// Descriptors kept for everything besides connections: stdio, the listener, the
    /// runtime, and the files read while answering.
    const RESERVED: u64 = 64;
    let wanted = requested.map_or(DEFAULT, u64::from);
    // Raise the soft limit toward the hard one, as most servers do; it only affects this
    // process.
    let limit = rlimit::increase_nofile_limit(wanted + RESERVED).unwrap_or(wanted + RESERVED);
    let room = limit.saturating_sub(RESERVED).max(1);
    let (bound, note) = match requested {
        _ if wanted <= room => (wanted, None),
        None => (
            room,
            Some(format!(
                "note: the open-file limit is {limit}: serving at most {room} connections at \
                 once (raise it with `ulimit -n` or LimitNOFILE= in a systemd unit)"
            )),
        ),
        Some(_) => (
            wanted,
            Some(format!(
                "note: the open-file limit is {limit}: past about {room} connections, new ones \
                 wait until others close instead of being turned away (raise it with \
                 `ulimit -n` or LimitNOFILE= in a systemd unit)"
            )),
        ),
    };
    (usize::try_from(bound).unwrap_or(usize::MAX), note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_reply_is_well_formed() {
        let text = std::str::from_utf8(BUSY_REPLY).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }

    #[test]
    fn the_default_bound_fits_the_open_file_limit_and_an_explicit_one_is_kept() {
        assert_eq!(connection_bound(Some(10)), (10, None));
        let (_, hard) = rlimit::Resource::NOFILE.get().expect("getrlimit");
        let (bound, note) = connection_bound(Some(u32::MAX));
        assert_eq!(bound as u64, u64::from(u32::MAX));
        assert!(hard >= u64::from(u32::MAX) || note.is_some_and(|n| n.contains("wait until")));
        let (bound, _) = connection_bound(None);
        assert!((1..=1024).contains(&bound));
    }
}
