//! iCalendar content lines (RFC 5545 §3.1): TEXT escaping, 75-octet folding, CRLF.
//!
//! The calendar writer builds feeds from these pieces instead of a general-purpose crate so
//! that every byte (property order, UIDs, DTSTAMP) is under our control and deterministic.

use chrono::{DateTime, Utc};

/// The longest a physical line may be, in octets, not counting its CRLF.
const MAX_OCTETS: usize = 75;

/// Accumulates folded CRLF-terminated content lines.
#[derive(Debug, Default)]
pub(crate) struct IcsWriter {
    out: String,
}

impl IcsWriter {
    pub(crate) fn new() -> Self {
        IcsWriter::default()
    }

    /// A property whose value is already in its wire form (dates, durations, integers,
    /// enumerated values): written as is, folded.
    pub(crate) fn raw(&mut self, name: &str, value: &str) {
        fold_into(&mut self.out, &format!("{name}:{value}"));
    }

    /// A TEXT property: the value is escaped first.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    /// A DATE-TIME property in UTC (`20270104T150000Z`).
    pub(crate) fn utc(&mut self, name: &str, at: DateTime<Utc>) {
        self.raw(name, &utc_stamp(at));
    }

    pub(crate) fn begin(&mut self, component: &str) {
        self.raw("BEGIN", component);
    }

    pub(crate) fn end(&mut self, component: &str) {
        self.raw("END", component);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// A UTC DATE-TIME value (RFC 5545 §3.3.5, form #2).
pub(crate) fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline.
///
/// Other control characters are not allowed in TEXT at all, so they are dropped (a tab
/// is allowed and kept); a CR LF pair or a lone CR counts as one newline.
pub(crate) fn escape_text(value: &str) -> String {
    escape_chars(value, "\\n", |c| match c {
        '\\' => Some("\\\\"),
        ';' => Some("\\;"),
        ',' => Some("\\,"),
        _ => None,
    })
}

/// A parameter value (RFC 5545 §3.2): quoted when it holds `:`, `;` or `,`, with the
/// characters a quoted value cannot hold written as RFC 6868 caret escapes (`^'` for a
/// double quote, `^n` for a newline, `^^` for a caret). Other control characters are not
/// allowed in a parameter value at all, so they are dropped.
pub fn param_value(value: &str) -> String {
    let out = escape_chars(value, "^n", |c| match c {
        '^' => Some("^^"),
        '"' => Some("^'"),
        _ => None,
    });
    if out.contains([':', ';', ',']) {
        format!("\"{out}\"")
    } else {
        out
    }
}

/// What TEXT and parameter values share: a CR LF pair or a lone CR counts as one newline,
/// written (like LF) as `newline`; a tab is kept and other control characters dropped;
/// every other character is written as `escape` says, or as itself when it says nothing.
fn escape_chars(
    value: &str,
    newline: &str,
    escape: impl Fn(char) -> Option<&'static str>,
) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str(newline),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(newline);
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => match escape(c) {
                Some(escaped) => out.push_str(escaped),
                None => out.push(c),
            },
        }
    }
    out
}

/// A `mailto:` URI (RFC 6068) for an address: characters a URI cannot hold as they are
/// (spaces, `%`, `/`, `?`, `#`, brackets, non-ASCII, …) are percent-encoded.
pub fn mailto(address: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // Unreserved characters and the `some-delims` of RFC 6068 an address commonly holds
    // stay as they are; `&`, `=`, `?` and the rest would read as header fields.
    const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'!')
        .remove(b'$')
        .remove(b'\'')
        .remove(b'*')
        .remove(b'+')
        .remove(b'@');
    format!("mailto:{}", utf8_percent_encode(address.trim(), ENCODED))
}

/// Appends `line` folded into physical lines of at most 75 octets each (continuations
/// start with one space, which counts), each ending in CRLF. A UTF-8 character is never
/// split across lines.
fn fold_into(out: &mut String, line: &str) {
    let mut budget = MAX_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > budget {
            out.push_str("\r\n ");
            // The leading space of a continuation line takes one octet of the budget.
            budget = MAX_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold_into(&mut out, line);
        out
    }

    #[test]
    fn escapes_the_four_specials_and_keeps_colons_and_non_ascii() {
        assert_eq!(
            escape_text("Ødegård, Sæther; a\\b\nc: d"),
            "Ødegård\\, Sæther\\; a\\\\b\\nc: d"
        );
    }

    #[test]
    fn carriage_returns_become_one_newline_and_controls_are_dropped() {
        assert_eq!(escape_text("a\r\nb\rc\u{7}d\te"), "a\\nb\\ncd\te");
    }

    #[test]
    fn parameter_values_are_quoted_only_when_they_must_be() {
        for (value, written) in [
            ("Alice Chen", "Alice Chen"),
            ("Díaz", "Díaz"),
            (
                "Bjørn Ødegård, Jr.; on-call",
                "\"Bjørn Ødegård, Jr.; on-call\"",
            ),
            ("a:b", "\"a:b\""),
        ] {
            assert_eq!(param_value(value), written);
        }
    }

    #[test]
    fn quotes_newlines_and_carets_use_rfc_6868_escapes() {
        assert_eq!(param_value("Al \"Bo\" ^x"), "Al ^'Bo^' ^^x");
        assert_eq!(param_value("a\r\nb\nc\u{7}d"), "a^nb^ncd");
        assert_eq!(param_value("\"a\", b"), "\"^'a^', b\"");
    }

    #[test]
    fn mailto_keeps_plain_addresses_and_encodes_the_rest() {
        assert_eq!(mailto("alice@example.com"), "mailto:alice@example.com");
        assert_eq!(
            mailto("o'neil+oncall@example.com"),
            "mailto:o'neil+oncall@example.com"
        );
        assert_eq!(
            mailto("a b%c/d?e#f&g=h@ex.com"),
            "mailto:a%20b%25c%2Fd%3Fe%23f%26g%3Dh@ex.com"
        );
        assert_eq!(mailto("jörg@example.com"), "mailto:j%C3%B6rg@example.com");
    }

    #[test]
    fn short_lines_are_not_folded() {
        assert_eq!(folded("SUMMARY:short"), "SUMMARY:short\r\n");
        let exactly = format!("X:{}", "a".repeat(73));
        assert_eq!(folded(&exactly), format!("{exactly}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_with_a_leading_space() {
        let line = format!("X:{}", "a".repeat(200));
        let text = folded(&line);
        let physical: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(physical[0].len(), 75);
        assert!(
            physical[1..]
                .iter()
                .all(|l| l.starts_with(' ') && l.len() <= 75)
        );
        assert_eq!(physical[1].len(), 75);
        // Unfolding (drop CRLF + one space) gives the logical line back.
        assert_eq!(text.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        // "é" is two octets and "😀" four: with an odd offset a naive split would cut one.
        for prefix in ["X:", "XY:", "XYZ:"] {
            let line = format!("{prefix}{}", "é😀".repeat(40));
            let text = folded(&line);
            for physical in text.split_terminator("\r\n") {
                assert!(physical.len() <= 75, "{} octets", physical.len());
            }
            assert_eq!(text.replace("\r\n ", ""), format!("{line}\r\n"));
        }
    }

    #[test]
    fn utc_stamps_are_basic_format_with_z() {
        let at = DateTime::parse_from_rfc3339("2027-01-04T15:00:09Z")
            .map(|d| d.with_timezone(&Utc))
            .expect("valid instant");
        assert_eq!(utc_stamp(at), "20270104T150009Z");
    }
}
