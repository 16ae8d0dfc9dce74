//! Reading and validating the team's TOML file.
//!
//! `load` reads the file; `parse_str` / `parse_with` do the work on a string: TOML →
//! `raw` (types, unknown keys, self-contained values) → `validate` (defaults,
//! references, referenced files) → [`Config`]. Every problem found on the way is collected
//! and rendered together by `diagnostic` (annotate-snippets).

mod clock;
mod dates;
pub(crate) mod diagnostic;
mod fields;
pub(crate) mod history;
mod holidays;
pub mod limits;
mod model;
mod raw;
pub mod starter;
pub(crate) mod suggest;
mod template;
mod validate;

pub use model::*;
pub use template::{Placeholder, Template, TemplateValues};
pub(crate) use validate::history_window;

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::de::DeTable;

/// Invalid config, already rendered for people: file, line:column, the line, a fix.
#[derive(Debug, thiserror::Error)]
#[error("{rendered}")]
pub struct ConfigError {
    pub rendered: String,
    /// The same with the terminal's colours (ANSI), for a terminal that wants them.
    pub styled: String,
    /// How many problems were found.
    pub count: usize,
}

impl ConfigError {
    /// A problem with the file as a whole (unreadable, not UTF-8), not with a line of it.
    fn whole_file(message: String) -> Self {
        ConfigError {
            styled: message.clone(),
            rendered: message,
            count: 1,
        }
    }
}

/// Reads and validates a config file (and the holiday .ics and history files it names).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    parse_str(path, &read_source(path)?)
}

/// The config file's text, within the config limit: what [`load`] parses, for a caller
/// that also edits the text (`rota next`), so both read the same bytes once.
pub fn read_source(path: &Path) -> Result<String, ConfigError> {
    limits::read_text(path, limits::CONFIG_FILE).map_err(|e| {
        ConfigError::whole_file(match e {
            limits::ReadError::NotUtf8 { .. } => format!("error: config {}:{e}", path.display()),
            _ => format!("error: cannot read config {}: {e}", path.display()),
        })
    })
}

/// Validates config text as if read from `path`; referenced files are read from disk
/// relative to `path`'s folder, each within the limit of its kind.
pub(crate) fn parse_str(path: &Path, source: &str) -> Result<Config, ConfigError> {
    parse_with(path, source, &|p: &Path, kind| {
        limits::read_text(p, kind).map_err(io::Error::from)
    })
}

/// Validates config text, reading referenced files (.ics, history) through `read`.
pub fn parse_with(
    path: &Path,
    source: &str,
    read: &dyn Fn(&Path, limits::FileKind) -> io::Result<String>,
) -> Result<Config, ConfigError> {
    let (doc, errors) = DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        // A document that is not valid TOML cannot be checked further with any confidence,
        // and the parser's recovery after the first error mostly reports echoes of it.
        let diags = errors.iter().take(1).map(diagnostic::toml_syntax).collect();
        return Err(diagnostic::render(path, source, diags));
    }
    let mut diags = Vec::new();
    let raw = raw::read(&doc, source, &mut diags);
    let ctx = validate::Context {
        path,
        source,
        sha256: hex_sha256(source.as_bytes()),
        read,
    };
    match validate::validate(raw, &ctx, &mut diags) {
        Some(config) if diags.is_empty() => Ok(config),
        _ => Err(diagnostic::render(path, source, diags)),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_hex_of_the_bytes() {
        // FIPS 180-2 test vector.
        assert_eq!(
            hex_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_the_first_toml_syntax_error_is_shown() {
        let err = parse_str(
            Path::new("x.toml"),
            "a = { b = 1
c = \"\nd = [\n",
        )
        .unwrap_err();
        assert_eq!(err.count, 1, "{err}");
        assert!(err.rendered.contains("invalid TOML"), "{err}");
    }
}
