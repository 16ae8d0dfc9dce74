//! One config problem (where, what, how to fix) and rendering many of them with
//! `annotate-snippets`, so every message shows `file:line:column`, the line and a caret.

use std::ops::Range;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::ConfigError;

/// A problem found while reading the config. `span` is a byte range in the config file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Diagnostic {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
    /// Set when the problem is inside a file the config refers to (.ics, history).
    pub(crate) external: Option<External>,
}

/// A position in a file other than the config. Only the position is kept: that file's
/// text is never shown, since a config may point at any readable file (a secret, say).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct External {
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl Diagnostic {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            label: String::new(),
            help: None,
            external: None,
        }
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Points into another file (at `offset` of its `text`); the message is shown after
    /// that file's `path:line:column` and the config span stays as "referenced here".
    pub(crate) fn in_file(mut self, path: &Path, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        self.external = Some(External {
            path: path.to_path_buf(),
            line,
            column,
        });
        self
    }
}

/// Clamps a span to the text and to char boundaries, so rendering never panics.
fn clamp(text: &str, span: &Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let span = clamp(text, &(offset..offset));
    let before = &text[..span.start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// A TOML syntax error: the parser's first line as the message, the rest as the label.
pub(crate) fn toml_syntax(error: &toml::de::Error) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let mut lines = error.message().lines();
    let title = lines.next().unwrap_or("invalid TOML").trim();
    let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
    Diagnostic::new(span, format!("invalid TOML: {title}"))
        .label(rest.join("; "))
        .help("see https://toml.io for the syntax")
}

/// Renders every diagnostic, sorted by position, followed by a one-line summary.
pub(crate) fn render(path: &Path, source: &str, diags: Vec<Diagnostic>) -> ConfigError {
    render_as(path, source, diags, "a valid rota config")
}

/// [`render`] for another kind of TOML file: its summary line says the file `is not {kind}`.
pub(crate) fn render_as(
    path: &Path,
    source: &str,
    mut diags: Vec<Diagnostic>,
    kind: &str,
) -> ConfigError {
    diags.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.message).cmp(&(b.span.start, b.span.end, &b.message))
    });
    diags.dedup();
    let plain = render_with(&Renderer::plain(), path, source, &diags, kind);
    let styled = render_with(&Renderer::styled(), path, source, &diags, kind);
    ConfigError {
        rendered: plain,
        styled,
        count: diags.len(),
    }
}

fn render_with(
    renderer: &Renderer,
    path: &Path,
    source: &str,
    diags: &[Diagnostic],
    kind: &str,
) -> String {
    let origin = path.display().to_string();
    let mut out = String::new();
    for d in diags {
        let config_span = clamp(source, &d.span);
        let (title, label) = match &d.external {
            None => (d.message.clone(), d.label.as_str()),
            Some(ext) => (
                format!(
                    "{}:{}:{}: {}",
                    ext.path.display(),
                    ext.line,
                    ext.column,
                    d.message
                ),
                "referenced here",
            ),
        };
        let mut group = Group::with_title(Level::ERROR.primary_title(title.as_str())).element(
            Snippet::source(source)
                .path(origin.as_str())
                .annotation(AnnotationKind::Primary.span(config_span).label(label)),
        );
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    let count = diags.len();
    out.push_str(&format!(
        "error: {origin} is not {kind} ({count} problem{})",
        if count == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // "bé = " is 6 bytes but 5 characters.
        assert_eq!(line_col(text, 12), (2, 6));
        assert_eq!(line_col(text, 10_000), (3, 1));
    }

    #[test]
    fn rendering_shows_path_line_caret_and_help() {
        let source = "[team]\ntimezone = \"Europe/Berln\"\n";
        let start = source.find("\"Europe").unwrap();
        let d = Diagnostic::new(start..start + 14, "unknown time zone \"Europe/Berln\"")
            .label("not an IANA time zone")
            .help("did you mean \"Europe/Berlin\"?");
        let err = render(Path::new("rota.toml"), source, vec![d]);
        assert_eq!(err.count, 1);
        assert!(err.rendered.contains("rota.toml:2:12"), "{}", err.rendered);
        assert!(
            err.rendered
                .contains("^^^^^^^^^^^^^^ not an IANA time zone")
        );
        assert!(
            err.rendered
                .contains("help: did you mean \"Europe/Berlin\"?")
        );
    }

    #[test]
    fn the_styled_rendering_is_the_plain_one_in_colour() {
        let d = Diagnostic::new(7..15, "unknown key")
            .label("here")
            .help("remove it");
        let err = render(Path::new("rota.toml"), "[team]\nnmae = 1\n", vec![d]);
        assert!(err.styled.contains('\u{1b}'), "no colour: {}", err.styled);
        assert!(!err.rendered.contains('\u{1b}'));
        let mut stripped = String::new();
        let mut chars = err.styled.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                chars.by_ref().find(|&c| c == 'm');
            } else {
                stripped.push(c);
            }
        }
        assert_eq!(stripped, err.rendered);
    }

    #[test]
    fn a_problem_in_another_file_shows_its_position_never_its_text() {
        let source = "[holidays]\nz = { ics = \"/proc/self/environ\" }\n";
        let start = source.find("\"/proc").unwrap();
        let secret = "TOKEN=hunter2\0HOME=/root";
        let d = Diagnostic::new(start..start + 20, "not an iCalendar file")
            .label("here")
            .in_file(Path::new("/proc/self/environ"), secret, 0);
        let err = render(Path::new("rota.toml"), source, vec![d]);
        assert!(
            err.rendered
                .contains("error: /proc/self/environ:1:1: not an iCalendar file"),
            "{}",
            err.rendered
        );
        assert!(err.rendered.contains("rota.toml:2:13"), "{}", err.rendered);
        assert!(!err.rendered.contains("hunter2"), "{}", err.rendered);
    }

    #[test]
    fn rendering_survives_spans_outside_the_text() {
        let d = Diagnostic::new(50..90, "somewhere past the end");
        let err = render(Path::new("x.toml"), "é", vec![d]);
        assert!(err.rendered.contains("somewhere past the end"));
    }
}
