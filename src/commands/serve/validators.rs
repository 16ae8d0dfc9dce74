//! ETag, Last-Modified and the conditional GET that answers 304: calendar apps poll every
//! feed about hourly, and most polls find nothing new.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

/// A validator from the contents: identical bytes, identical tag, whoever wrote them and
/// whenever. Weak (`W/`), because the same feed goes out gzip-compressed to clients that
/// ask and plain to others: equivalent, not byte-identical.
pub(super) fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// `Last-Modified` in IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(super) fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Whether the client's copy is current: `If-None-Match` when sent (compared weakly, as
/// RFC 9110 asks for this header), else `If-Modified-Since` at the second.
pub(super) fn is_fresh(request: &HeaderMap, etag: &str, modified: Option<SystemTime>) -> bool {
    if let Some(tags) = request.get(header::IF_NONE_MATCH) {
        let Ok(tags) = tags.to_str() else {
            return false;
        };
        let ours = weak_part(etag);
        return tags
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || weak_part(tag) == ours);
    }
    let since = request
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v.trim()).ok());
    match (modified, since) {
        (Some(modified), Some(since)) => seconds(modified) <= seconds(since),
        _ => false,
    }
}

/// The opaque part of a tag, `"abc"` for both `W/"abc"` and `"abc"`.
fn weak_part(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// HTTP dates have whole seconds; file times have more.
fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn tags_follow_the_contents_and_match_weakly() {
        let a = etag(b"BEGIN:VCALENDAR");
        assert_eq!(a, etag(b"BEGIN:VCALENDAR"));
        assert_ne!(a, etag(b"BEGIN:VCALENDAR\r\n"));
        assert!(a.starts_with("W/\"") && a.len() == 28, "{a}");
        let strong = a.trim_start_matches("W/").to_string();
        for sent in [a.clone(), strong, format!("\"x\", {a}"), "*".to_string()] {
            assert!(
                is_fresh(&headers(&[(header::IF_NONE_MATCH, &sent)]), &a, None),
                "{sent}"
            );
        }
        assert!(!is_fresh(
            &headers(&[(header::IF_NONE_MATCH, "\"x\"")]),
            &a,
            None
        ));
    }

    #[test]
    fn dates_compare_at_the_second_and_the_tag_wins() {
        let modified = UNIX_EPOCH + Duration::from_millis(784_111_777_250);
        let date = http_date(modified);
        assert_eq!(date, "Sun, 06 Nov 1994 08:49:37 GMT");
        let ims = |v: &str| headers(&[(header::IF_MODIFIED_SINCE, v)]);
        assert!(is_fresh(&ims(&date), "W/\"t\"", Some(modified)));
        assert!(!is_fresh(
            &ims("Thu, 01 Jan 1970 00:00:00 GMT"),
            "W/\"t\"",
            Some(modified)
        ));
        assert!(!is_fresh(&ims("yesterday"), "W/\"t\"", Some(modified)));
        assert!(!is_fresh(&ims(&date), "W/\"t\"", None));
        // RFC 9110 §13.2.2: with If-None-Match, If-Modified-Since is ignored.
        let both = headers(&[
            (header::IF_NONE_MATCH, "\"other\""),
            (header::IF_MODIFIED_SINCE, &date),
        ]);
        assert!(!is_fresh(&both, "W/\"t\"", Some(modified)));
    }
}
