//! The fuzz harness of issue 29: the real binary on generated and mutated configs and
//! schedule.json files, and on a fixed corpus of hostile inputs (tests/fixtures/hostile).
//! Whatever the input: no panic, an exit code of the documented ones, a position for
//! every config error, and nothing written when the run fails.
//!
//! 400 cases of each keep a debug run of this module well under a minute (most damaged
//! inputs are refused in milliseconds); `PROPTEST_CASES` sets another count for a longer
//! hunt.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::support::*;

const SMALL: &str = include_str!("../fixtures/solve/small.toml");

/// How a text is damaged: each variant is one of the mutations.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut at a fraction (per mille) of the length.
    Truncate(u16),
    /// The `n`-th value (after an `=` or `:`) becomes another type.
    SwapType(usize, &'static str),
    /// The `n`-th number becomes a huge or non-finite one.
    Number(usize, &'static str),
    /// The `n`-th string becomes a long one.
    LongString(usize, usize),
    /// An invalid byte at a fraction (per mille) of the length.
    BadByte(u16),
}

const TYPES: &[&str] = &[
    "1",
    "-1",
    "[]",
    "{}",
    "true",
    "\"x\"",
    "[1, \"a\"]",
    "2027-01-04",
];
const NUMBERS: &[&str] = &[
    "1e300",
    "-1e300",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "NaN",
    "9223372036854775807",
    "18446744073709551616",
    "4294967295",
    "-0",
    "1e-300",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0u16..1000).prop_map(Mutation::Truncate),
        (0usize..64, prop::sample::select(TYPES)).prop_map(|(n, t)| Mutation::SwapType(n, t)),
        (0usize..64, prop::sample::select(NUMBERS)).prop_map(|(n, x)| Mutation::Number(n, x)),
        (0usize..64, prop::sample::select(&[65usize, 256, 3000][..]))
            .prop_map(|(n, len)| Mutation::LongString(n, len)),
        (0u16..1000).prop_map(Mutation::BadByte),
    ]
}

/// Byte offsets where a value starts: after `= ` (TOML) or `: ` (JSON).
fn value_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for pat in ["= ", ": "] {
        out.extend(text.match_indices(pat).map(|(i, _)| i + pat.len()));
    }
    out.sort_unstable();
    out
}

/// The end of the value starting at `start`: the next `,` `\n` `}` or `]` outside a string.
fn value_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut in_string = false;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => i += 1,
            b',' | b'\n' | b'}' | b']' if !in_string => break,
            _ => {}
        }
        i += 1;
    }
    i.min(bytes.len())
}

fn at_fraction(text: &[u8], per_mille: u16) -> usize {
    text.len() * usize::from(per_mille) / 1000
}

fn apply(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut text = text.to_string();
    let mut bytes: Option<Vec<u8>> = None;
    for m in mutations {
        let starts = value_starts(&text);
        let nth = |n: usize| starts.get(n % starts.len().max(1)).copied();
        match *m {
            Mutation::Truncate(f) => {
                let mut at = at_fraction(text.as_bytes(), f);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.truncate(at);
            }
            Mutation::SwapType(n, t) => {
                if let Some(s) = nth(n) {
                    let e = value_end(&text, s);
                    text.replace_range(s..e, t);
                }
            }
            Mutation::Number(n, x) => {
                let numbers: Vec<usize> = starts
                    .iter()
                    .copied()
                    .filter(|&s| text[s..].starts_with(|c: char| c.is_ascii_digit() || c == '-'))
                    .collect();
                if let Some(&s) = numbers.get(n % numbers.len().max(1)) {
                    let e = value_end(&text, s);
                    text.replace_range(s..e, x);
                }
            }
            Mutation::LongString(n, len) => {
                let strings: Vec<usize> = starts
                    .iter()
                    .copied()
                    .filter(|&s| text[s..].starts_with('"'))
                    .collect();
                if let Some(&s) = strings.get(n % strings.len().max(1)) {
                    let e = value_end(&text, s);
                    text.replace_range(s..e, &format!("\"{}\"", "a".repeat(len)));
                }
            }
            Mutation::BadByte(f) => {
                let mut b = bytes.take().unwrap_or_else(|| text.clone().into_bytes());
                let at = at_fraction(&b, f);
                b.insert(at, 0xff);
                bytes = Some(b);
            }
        }
    }
    match bytes {
        // A bad byte comes last, so later mutations work on text.
        Some(b) => b,
        None => text.into_bytes(),
    }
}

fn code(run: &Output) -> i32 {
    run.status.code().unwrap_or(-1)
}

/// What holds for every run: no panic, and for a config error, a position.
fn sane(run: &Output, codes: &[i32], input: &[u8]) {
    let err = stderr(run);
    let shown = String::from_utf8_lossy(input);
    assert!(
        codes.contains(&code(run)),
        "exit {} for:\n{shown}\nstderr:\n{err}",
        code(run)
    );
    assert!(!err.contains("panicked"), "panic for:\n{shown}\n{err}");
    assert!(!err.contains("internal error"), "for:\n{shown}\n{err}");
}

/// A `path:line:col` of `name` in `text`.
fn has_position(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let rest = &text[i + name.len()..];
        let mut parts = rest.splitn(3, ':');
        parts.next() == Some("")
            && parts
                .next()
                .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            && parts
                .next()
                .is_some_and(|c| c.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Solves the config bytes into a fresh directory with a short limit.
fn solve_config(bytes: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("rota.toml");
    std::fs::write(&config, bytes).expect("write");
    let run = solve_short(&config, &dir.path().join("out"), &[], bytes);
    if code(&run) == 2 {
        let err = stderr(&run);
        assert!(has_position(&err, "rota.toml"), "no position:\n{err}");
    }
}

/// small.toml solved once; its schedule.json text.
fn schedule_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let dir = work_dir("fuzz", "schedule");
        solve(&fixture("small.toml"), &dir, &["--quiet"]);
        std::fs::read_to_string(dir.join("schedule.json")).expect("schedule")
    })
}

/// `verify` and a re-solve from a damaged schedule.json.
fn use_schedule(bytes: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let schedule = dir.path().join("schedule.json");
    std::fs::write(&schedule, bytes).expect("write");
    let small = fixture("small.toml");
    // `verify` exits 1 for a schedule that breaks a rule: its verdict, not a failure.
    let run = rota(&["verify", arg(&small), arg(&schedule)]);
    sane(&run, &[0, 1, 2], bytes);
    let out = dir.path().join("out");
    solve_short(&small, &out, &["--previous", arg(&schedule)], bytes);
}

/// `rota solve` with a short limit into `out`: a clear answer, and no output unless it
/// succeeded. `input` is what was damaged, for messages.
fn solve_short(config: &Path, out: &Path, extra: &[&str], input: &[u8]) -> Output {
    let mut args = vec!["solve", arg(config), "-o", arg(out)];
    args.extend(["--time-limit", "0.3", "--threads", "1", "--quiet"]);
    args.extend(extra);
    let run = rota(&args);
    sane(&run, &[0, 2, 3, 4], input);
    if code(&run) != 0 {
        assert!(!out.exists(), "wrote output on failure");
    }
    run
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn proptest_mutated_configs_get_a_clear_answer(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        solve_config(&apply(SMALL, &mutations));
    }

    #[test]
    fn proptest_mutated_schedules_get_a_clear_answer(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        use_schedule(&apply(schedule_text(), &mutations));
    }
}

/// Every hostile input of issue 29, kept as files: `check` and `solve` both refuse it
/// with exit 2 (3 where a shift cannot be staffed), a position, and no output.
#[test]
fn the_hostile_corpus_is_refused_with_positions() {
    let dir = root().join("tests/fixtures/hostile");
    let corpus: Vec<PathBuf> = toml_files(&dir);
    assert!(corpus.len() >= 15, "{corpus:?}");
    for config in &corpus {
        let name = config.file_name().and_then(|n| n.to_str()).expect("name");
        let run = rota(&["check", arg(config)]);
        let err = stderr(&run);
        assert_eq!(code(&run), 2, "{name}: {err}");
        assert!(has_position(&err, name), "{name}: no position in\n{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let run = rota(&["solve", arg(config), "-o", arg(&out), "--time-limit", "1"]);
        assert_eq!(code(&run), 2, "{name}: {}", stderr(&run));
        assert!(!out.exists(), "{name}: wrote output");
        // A long value is not repeated in full.
        assert!(err.len() < 20_000, "{name}: {} bytes of error", err.len());
    }
}

#[test]
fn the_mutations_do_what_they_say() {
    let text = "a = 1\nb = \"x\"\n";
    assert_eq!(apply(text, &[Mutation::Truncate(500)]), b"a = 1\nb");
    assert_eq!(
        apply(text, &[Mutation::SwapType(1, "[]")]),
        b"a = 1\nb = []\n"
    );
    assert_eq!(
        apply(text, &[Mutation::Number(0, "nan")]),
        b"a = nan\nb = \"x\"\n"
    );
    assert_eq!(
        apply(text, &[Mutation::LongString(0, 3)]),
        b"a = 1\nb = \"aaa\"\n"
    );
    assert_eq!(apply("ab", &[Mutation::BadByte(500)]), b"a\xffb");
    assert!(has_position("x rota.toml:3:15: y", "rota.toml"));
    assert!(!has_position("x rota.toml: y", "rota.toml"));
}
