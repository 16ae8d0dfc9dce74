//! Property tests of config loading: no input makes it panic, and every failure is a
//! rendered report with one `error:` block per counted problem.

use std::path::Path;

use proptest::prelude::*;
use rota::config::{ConfigError, parse_with};

const EXAMPLE: &str = include_str!("../../configs/example.toml");

/// Fragments that stress the parsers: bad numbers, dates, times, zones, brackets.
const FRAGMENTS: &[&str] = &[
    "\"",
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "\n",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "0x7fffffffffffffffff",
    "9999999999999999999",
    "\"Europe/Berln\"",
    "2027-13-01",
    "\"2027-02-30\"",
    "0000-01-01",
    "9999-12-31",
    "\"mon 25:00\"",
    "\"24:00-24:00\"",
    "\"23:59-00:00\"",
    "[[layer]]",
    "[[member]]",
    "[[pin]]",
    "{ hours = 0 }",
    "{ hours = 169 }",
    "{ handoffs = [] }",
    "id = \"x\"",
    "\"é日本\"",
    "start = 2027-01-04T10:00:00",
    "\u{0}",
    "\r\n",
    "ics = \"/dev/null\"",
];

fn parse(text: &str) -> Result<rota::config::Config, ConfigError> {
    parse_with(Path::new("configs/example.toml"), text, &|p: &Path, _| {
        if p.ends_with("holidays-de.ics") {
            Ok(include_str!("../../configs/holidays-de.ics").to_string())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not in this test",
            ))
        }
    })
}

fn check_report(result: Result<rota::config::Config, ConfigError>) {
    if let Err(e) = result {
        assert!(e.count >= 1);
        assert!(
            e.rendered.matches("error: ").count() > e.count,
            "{} problems but:\n{}",
            e.count,
            e.rendered
        );
    }
}

/// Byte offset of the `n`-th char boundary (mod the number of boundaries).
fn boundary(text: &str, n: usize) -> usize {
    let count = text.chars().count() + 1;
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .nth(n % count)
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn proptest_arbitrary_text_never_panics(text in "\\PC{0,300}") {
        check_report(parse(&text));
    }

    #[test]
    fn proptest_mutated_example_never_panics(
        edits in prop::collection::vec((any::<usize>(), 0usize..40, 0..FRAGMENTS.len()), 1..4)
    ) {
        let mut text = EXAMPLE.to_string();
        for (at, delete, fragment) in edits {
            let start = boundary(&text, at);
            let end = boundary(&text[start..], delete) + start;
            let end = if end < start { start } else { end };
            text.replace_range(start..end, FRAGMENTS[fragment]);
        }
        check_report(parse(&text));
    }
}

#[test]
fn the_unmutated_example_parses_in_this_harness() {
    assert!(parse(EXAMPLE).is_ok());
}
