//! Absolute links to the server's pages, as subscribers reach them.
//!
//! A calendar app needs an absolute address, and behind a reverse proxy the address the
//! server sees is not the one people use. In order of trust: `[calendar] url` from the
//! config (the operator said so), then `X-Forwarded-Proto`/`X-Forwarded-Host` from a proxy,
//! then the request's `Host`, then the address the server is bound to. Header values are
//! used only when they are plainly a scheme and a host, so a client cannot inject markup or
//! a path into the page.

use axum::http::{HeaderMap, header};

use super::secret::Secret;

/// Builds the address of each page: `BASE/NAME`, or `BASE/s/TOKEN/NAME` with a secret.
#[derive(Debug)]
pub(super) struct Links<'a> {
    base: String,
    secret: Option<&'a Secret>,
}

impl<'a> Links<'a> {
    pub(super) fn new(base: String, secret: Option<&'a Secret>) -> Links<'a> {
        Links { base, secret }
    }

    /// The address of the page `name` (`team.ics`, `now.json`; `index.html` is the index).
    pub(super) fn url(&self, name: &str) -> String {
        let base = &self.base;
        match (self.secret, name) {
            (None, "index.html") => base.clone(),
            (None, _) => format!("{base}{name}"),
            (Some(secret), "index.html") => format!("{base}s/{}/", secret.token(name)),
            (Some(secret), _) => format!("{base}s/{}/{name}", secret.token(name)),
        }
    }
}

/// `http://host/` or `https://host/path/`, always ending in `/`.
pub(super) fn base_url(configured: Option<&str>, request: &HeaderMap, bound: &str) -> String {
    if let Some(url) = configured.filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    {
        return if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
    }
    let first = |name: &str| {
        request
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    let proto = first("x-forwarded-proto")
        .map(str::to_ascii_lowercase)
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".to_owned());
    let host = first("x-forwarded-host")
        .filter(|h| is_host(h))
        .or_else(|| first(header::HOST.as_str()).filter(|h| is_host(h)))
        .unwrap_or(bound);
    format!("{proto}://{host}/")
}

/// A host that can go into a link as it is: a name or address and a port.
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

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn the_configured_url_wins_then_the_proxy_then_the_host() {
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "oncall.example.org"),
        ]);
        assert_eq!(
            base_url(Some("https://cal.example.org/rota"), &proxied, "0.0.0.0:1"),
            "https://cal.example.org/rota/"
        );
        assert_eq!(
            base_url(None, &proxied, "0.0.0.0:1"),
            "https://oncall.example.org/"
        );
        assert_eq!(
            base_url(None, &headers(&[("host", "[::1]:8080")]), "0.0.0.0:1"),
            "http://[::1]:8080/"
        );
        assert_eq!(
            base_url(None, &HeaderMap::new(), "127.0.0.1:9"),
            "http://127.0.0.1:9/"
        );
        // A proxy chain lists the client-facing value first.
        let chain = headers(&[
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "a.example, b.internal"),
        ]);
        assert_eq!(base_url(None, &chain, "x:1"), "https://a.example/");
    }

    #[test]
    fn header_values_that_could_break_a_link_are_not_used() {
        let evil = headers(&[
            ("host", "evil\"><script>"),
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "a/b"),
        ]);
        assert_eq!(base_url(None, &evil, "127.0.0.1:9"), "http://127.0.0.1:9/");
        assert_eq!(
            base_url(Some("ftp://x/"), &HeaderMap::new(), "127.0.0.1:9"),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn secret_links_carry_a_token_per_page() {
        let secret = Secret::new(b"0123456789abcdef0123").expect("long enough");
        let public = Links::new("https://x.example/".into(), None);
        assert_eq!(public.url("team.ics"), "https://x.example/team.ics");
        assert_eq!(public.url("index.html"), "https://x.example/");
        let private = Links::new("https://x.example/".into(), Some(&secret));
        assert_eq!(
            private.url("team.ics"),
            format!("https://x.example/s/{}/team.ics", secret.token("team.ics"))
        );
        assert_eq!(
            private.url("index.html"),
            format!("https://x.example/s/{}/", secret.token("index.html"))
        );
    }
}
