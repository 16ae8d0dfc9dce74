//! The limits every input is held to, in one place so that every command applies the
//! same ones: how large a file rota reads may be, which names can become file names and
//! URLs, how long a string and how large a number may be.
//!
//! Files are read through [`read_text`] / [`read_bytes`], which stop one byte past the
//! limit: `/dev/zero` or a runaway file fails at once instead of filling memory. A file's
//! contents never appear in an error (a config may point at any readable file, and
//! `check` runs on untrusted pull requests); only its path and a position do.

use std::fmt;
use std::io::Read;
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// How large a file of one kind may be, and what it is called in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub what: &'static str,
    pub max_bytes: u64,
}

impl FileKind {
    const fn new(what: &'static str, max_bytes: u64) -> FileKind {
        FileKind { what, max_bytes }
    }
}

/// A team config: a 500-person team with every option is well under 1 MiB.
pub const CONFIG_FILE: FileKind = FileKind::new("config", 4 * MIB);
/// A holiday calendar (.ics): years of public holidays are a few hundred KiB.
pub const ICS_FILE: FileKind = FileKind::new("holiday calendar", 16 * MIB);
/// A schedule.json (history, `--previous`, `verify`, `diff`, `export`, `now`): two years
/// of a 500-person team with several layers is a few tens of MiB.
pub const SCHEDULE_FILE: FileKind = FileKind::new("schedule", 256 * MIB);
/// A small TOML side file (export's user map).
pub const SIDE_FILE: FileKind = FileKind::new("file", 4 * MIB);
/// A secret (serve's `--secret-file`).
pub const SECRET_FILE: FileKind = FileKind::new("secret file", 64 * 1024);

/// Why a file could not be read as text of its kind.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge(FileKind),
    /// The first byte that is not UTF-8, at a 1-based line and column (in characters).
    NotUtf8 {
        line: usize,
        column: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge(kind) => write!(
                f,
                "larger than {}, the most rota reads for a {} (is it the right file?)",
                size(kind.max_bytes),
                kind.what
            ),
            ReadError::NotUtf8 { line, column } => {
                write!(f, "{line}:{column}: not UTF-8 text (an invalid byte here)")
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// `4 MiB`, `64 KiB` or `4 bytes`: a limit as a person reads it, rounded up.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b >= MIB => format!("{} MiB", b.div_ceil(MIB)),
        b if b >= KIB => format!("{} KiB", b.div_ceil(KIB)),
        b => format!("{b} bytes"),
    }
}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> std::io::Error {
        match e {
            ReadError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// The bytes of a file of `kind`, read no further than one byte past its limit.
pub fn read_bytes(path: &Path, kind: FileKind) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(kind.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > kind.max_bytes {
        return Err(ReadError::TooLarge(kind));
    }
    Ok(bytes)
}

/// The UTF-8 text of a file of `kind`; see [`read_bytes`].
pub fn read_text(path: &Path, kind: FileKind) -> Result<String, ReadError> {
    utf8(read_bytes(path, kind)?)
}

/// Bytes as text, or where the first invalid byte is.
pub fn utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, column) = super::diagnostic::line_col(&before, before.len());
        ReadError::NotUtf8 { line, column }
    })
}

/// Longest member id or layer name, in characters: they become file names
/// (`calendars/ID.ics`) and URL path segments, both of which have limits of their own.
pub const MAX_ID_CHARS: usize = 64;
/// Longest team or member name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest string of any other kind (emails, URLs, templates, reasons, paths).
pub const MAX_STRING_CHARS: usize = 2000;
/// Largest magnitude of any number in a config (weights, points, hours): far beyond any
/// real setting, and small enough that every sum the solver forms stays finite and
/// exact enough to compare.
pub const MAX_NUMBER: f64 = 1e6;

/// Whether `id` may name a member or a layer: `[a-z0-9][a-z0-9{extra}]*` of at most
/// [`MAX_ID_CHARS`], without `..`. The rule makes every id a safe file name and URL
/// segment: never `.`, `..`, a hidden file, an option (`-x`) or a path.
/// `Err` says what is wrong, for a message.
pub fn check_id(id: &str, extra: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c);
    let Some(first) = id.chars().next() else {
        return Err("it is empty".into());
    };
    if let Some(bad) = id.chars().find(|&c| !allowed(c)) {
        return Err(format!("{bad:?} is not allowed"));
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err(format!("it starts with {first:?}"));
    }
    if id.contains("..") {
        return Err("it contains \"..\"".into());
    }
    let chars = id.chars().count();
    if chars > MAX_ID_CHARS {
        return Err(format!("it is {chars} characters long"));
    }
    Ok(())
}

/// The pattern of [`check_id`] for messages.
pub fn id_pattern(extra: &str) -> String {
    let dots = if extra.contains('.') {
        ", without \"..\""
    } else {
        ""
    };
    format!("[a-z0-9][a-z0-9{extra}]{{0,{}}}{dots}", MAX_ID_CHARS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_file_names_and_url_segments() {
        for ok in ["a", "ann", "a.b", "a-b_c", "0", &"x".repeat(MAX_ID_CHARS)] {
            assert_eq!(check_id(ok, "._-"), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "-x",
            ".x",
            "_x",
            "a..b",
            "A",
            "a/b",
            "a b",
            "é",
            &"x".repeat(MAX_ID_CHARS + 1),
        ] {
            assert!(check_id(bad, "._-").is_err(), "{bad}");
        }
        assert!(check_id("a.b", "_-").is_err());
    }

    #[test]
    fn a_file_past_its_limit_fails_after_reading_one_byte_more() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x");
        let small = FileKind {
            what: "test",
            max_bytes: 4,
        };
        std::fs::write(&path, "abcd").expect("write");
        assert_eq!(read_text(&path, small).expect("at the limit"), "abcd");
        std::fs::write(&path, "abcde").expect("write");
        let err = read_text(&path, small).expect_err("past the limit");
        assert!(matches!(err, ReadError::TooLarge(_)), "{err}");
        assert!(err.to_string().contains("larger than 4 bytes"), "{err}");
    }

    #[test]
    fn limits_read_in_the_unit_they_are_set_in() {
        assert_eq!(size(CONFIG_FILE.max_bytes), "4 MiB");
        assert_eq!(size(SECRET_FILE.max_bytes), "64 KiB");
        assert_eq!(size(4), "4 bytes");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_file_fails_fast() {
        let err = read_bytes(Path::new("/dev/zero"), ICS_FILE).expect_err("endless");
        assert!(matches!(err, ReadError::TooLarge(_)), "{err}");
    }

    #[test]
    fn invalid_utf8_is_placed_by_line_and_column() {
        let err = utf8(b"ok\nab\xffc".to_vec()).expect_err("not UTF-8");
        assert!(
            matches!(err, ReadError::NotUtf8 { line: 2, column: 3 }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "2:3: not UTF-8 text (an invalid byte here)"
        );
    }
}
