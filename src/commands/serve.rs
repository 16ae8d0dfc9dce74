//! `rota serve DIR [--addr HOST:PORT]`: binds the socket and hands each request to
//! [`crate::serve::Site`]; runs until the process is stopped.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use crate::error::Error;
use crate::serve::{Reply, Request, Site};

/// Requests answered at once; tiny_http reads requests on its own threads, these only
/// write the replies, so a few slow clients cannot hold up a calendar app's poll.
const WORKERS: usize = 4;

pub fn run(dir: &Path, addr: &str) -> Result<(), Error> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such directory; give the output directory of `rota solve -o DIR`",
            dir.display()
        )));
    }
    let addrs = parse_addr(addr)?;
    let server = tiny_http::Server::http(&addrs[..])
        .map_err(|e| Error::Usage(format!("--addr {addr}: cannot listen there: {e}")))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Internal("the server is not listening on an IP address".into()))?;
    let site = Site::new(dir, &bound.to_string());

    let mut text = format!(
        "serving {} at http://{bound}/ (Ctrl-C to stop)\n",
        site.calendars().display()
    );
    if bound.ip().is_unspecified() {
        text.push_str(
            "listening on every interface: subscribers use this machine's name or address\n",
        );
    }
    super::print(&text)?;
    if !site.calendars().is_dir() {
        eprintln!("note: {}", missing_calendars_hint(dir));
    }

    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                for request in server.incoming_requests() {
                    answer(&site, request);
                }
            });
        }
    });
    Ok(())
}

/// Why no feed is listed yet, and what to do: most likely nothing was solved into DIR,
/// or DIR is the calendars directory itself.
fn missing_calendars_hint(dir: &Path) -> String {
    let holds_feeds = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "ics"))
    });
    if holds_feeds {
        format!(
            "{} holds .ics files but no calendars/ directory: give the directory that \
             contains calendars/ (the -o DIR of `rota solve`)",
            dir.display()
        )
    } else {
        format!(
            "{}/calendars does not exist yet; feeds appear once `rota solve CONFIG -o {}` has run",
            dir.display(),
            dir.display()
        )
    }
}

/// `HOST:PORT`, e.g. `127.0.0.1:8080`, `[::1]:0`, `localhost:8080`.
fn parse_addr(addr: &str) -> Result<Vec<SocketAddr>, Error> {
    let bad = |why: String| {
        Error::Usage(format!(
            "--addr {addr:?}: {why}; expected HOST:PORT such as 127.0.0.1:8080 (port 0 picks a free one)"
        ))
    };
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| bad(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(bad("names no address".into()));
    }
    Ok(addrs)
}

fn answer(site: &Site, request: tiny_http::Request) {
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str())
    };
    let method = request.method().as_str().to_string();
    let target = request.url().to_string();
    let reply = site.handle(&Request {
        method: &method,
        target: &target,
        host: header("Host"),
        if_none_match: header("If-None-Match"),
        if_modified_since: header("If-Modified-Since"),
    });
    let status = reply.status;
    // A client that hangs up mid-reply is its own business; the server carries on.
    let _ = request.respond(response(reply));
    eprintln!("{} {} {status}", printable(&method), printable(&target));
}

fn response(reply: Reply) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut response = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        // The body is in memory: always send Content-Length (HEAD shows the size too).
        .with_chunked_threshold(usize::MAX);
    let server = std::iter::once(("Server", "rota".to_string()));
    for (name, value) in server.chain(reply.headers) {
        // Our own names and ASCII values: conversion does not fail.
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    response
}

/// The access log shows what a client sent without letting it write control characters
/// to the operator's terminal.
fn printable(text: &str) -> String {
    text.chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_host_and_a_port() {
        assert_eq!(
            parse_addr("127.0.0.1:8080").expect("valid"),
            ["127.0.0.1:8080".parse::<SocketAddr>().expect("valid")]
        );
        assert!(parse_addr("[::1]:0").is_ok());
        for bad in ["8080", "127.0.0.1", "127.0.0.1:99999", "", "127.0.0.1:http"] {
            let err = parse_addr(bad).expect_err(bad);
            assert!(matches!(err, Error::Usage(_)), "{bad}: {err:?}");
        }
    }

    #[test]
    fn a_calendars_directory_given_as_dir_is_pointed_out() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(missing_calendars_hint(dir.path()).contains("does not exist yet"));
        std::fs::write(dir.path().join("team.ics"), "x").expect("write");
        assert!(missing_calendars_hint(dir.path()).contains("contains calendars/"));
    }

    #[test]
    fn log_lines_hold_no_control_characters() {
        assert_eq!(printable("/a\x1b[31m\n.ics"), "/a?[31m?.ics");
    }
}
