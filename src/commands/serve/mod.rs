//! `rota serve DIR`: the calendar feeds of an output directory over HTTP, read-only, for
//! calendar apps that poll them for months — and for the slow, broken and hostile clients
//! any server on a network meets.
//!
//! Pieces: [`listener`] accepts connections and holds them to account (bound, timeouts,
//! graceful stop); [`app`] routes paths to pages and logs; [`site`] answers a page from the
//! directory, reading files only through [`files`]; [`secret`] makes the secret links,
//! [`links`] the absolute addresses, [`index`] the index page, [`validators`] the 304s.
//! Who is on call comes from [`crate::commands::now`], shared with `rota now`.
//!
//! The stack is hyper (HTTP/1.1) on tokio, with axum's router and tower-http's
//! compression and timeout layers: maintained code for the parts that are easy to get
//! wrong (parsing, pipelining, keep-alive, chunking).

mod app;
mod files;
mod index;
mod links;
mod listener;
mod secret;
mod site;
mod validators;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;

use crate::commands::Env;
use crate::error::Error;
use listener::Limits;
use site::{Clock, Site};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// An output directory of `rota solve -o DIR`.
    pub dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The team's config: names on the index page and in /now.json, links from `[calendar] url`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve every feed only at a secret address derived from the secret in FILE (at least
    /// 16 bytes), and no public index. Also taken from ROTA_SERVE_SECRET_FILE, or the secret
    /// itself from ROTA_SERVE_SECRET.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Connections served at once; more are turned away with 503.
    /// Default: 1024, fewer when the open-file limit is lower.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,
    /// Seconds a connection may wait for a request's headers (idle, or sent slowly), stay
    /// silent, or leave a reply unread, before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// No access log line per request on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub(crate) fn run(args: &ServeArgs, env: &Env) -> Result<(), Error> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such directory; give the output directory of `rota solve -o DIR`",
            dir.display()
        )));
    }
    let addrs = parse_addr(&args.addr)?;
    let secret = secret::load(args.secret_file.as_deref(), |name| std::env::var(name).ok())?;
    let config = match &args.config {
        Some(path) => Some((path, crate::config::load(path)?)),
        None => None,
    };
    let (max_connections, note) = listener::connection_bound(args.max_connections);
    let limits = Limits {
        max_connections,
        idle_timeout: Duration::from_secs(args.idle_timeout),
    };
    let clock = if env.now_is_fixed {
        Clock::Fixed(env.now)
    } else {
        Clock::System
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addrs[..])
            .await
            .map_err(|e| Error::Usage(format!("--addr {}: cannot listen there: {e}", args.addr)))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Error::Internal(format!("the listener has no address: {e}")))?;
        let mut site = Site::new(dir, bound.to_string(), clock).with_secret(secret);
        if let Some((path, config)) = &config {
            site = site.with_config(path, config);
        }
        super::print(&banner(&site, dir, bound))?;
        if let Some(note) = note {
            eprintln!("{note}");
        }
        if !dir.join("calendars").is_dir() {
            eprintln!("note: {}", missing_calendars_hint(dir));
        }
        let app = app::router(Arc::new(site), !args.quiet);
        listener::serve(listener, app, limits, stop_signal()).await;
        eprintln!("stopped");
        Ok(())
    })
}

/// What the server prints on start: where it listens, and with a secret every secret link
/// (the only place they are shown; feeds added later are on the secret index).
fn banner(site: &Site, dir: &Path, bound: SocketAddr) -> String {
    let mode = if site.secret().is_some() {
        "secret links only; "
    } else {
        ""
    };
    let mut text = format!(
        "serving {} at http://{bound}/ ({mode}Ctrl-C to stop)\n",
        dir.join("calendars").display()
    );
    if bound.ip().is_unspecified() {
        text.push_str(
            "listening on every interface: subscribers use this machine's name or address\n",
        );
    }
    if site.secret().is_some() {
        let links = site.links(&HeaderMap::new());
        let mut pages = vec![
            ("index".to_owned(), links.url("index.html")),
            ("now.json".to_owned(), links.url("now.json")),
        ];
        if dir.join("report.html").is_file() {
            pages.push(("report.html".to_owned(), links.url("report.html")));
        }
        pages.extend(site.feeds().into_iter().map(|(name, _)| {
            let url = links.url(&name);
            (name, url)
        }));
        let width = pages.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        text.push_str("secret links (give each only to whoever may see that page):\n");
        for (name, url) in pages {
            text.push_str(&format!("  {name:<width$}  {url}\n"));
        }
    }
    text
}

/// Completes on SIGTERM (systemd's stop) or SIGINT (Ctrl-C).
async fn stop_signal() {
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
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
}
