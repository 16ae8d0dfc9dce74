//! `[calendar] summary` and `description`: text with `{layer}`, `{id}`, `{name}`, `{email}`
//! and `{team}` filled in for each event.
//!
//! Paging tools that read a calendar match an event to a person by its text: Grafana OnCall
//! maps an event to the user whose username or email is its whole SUMMARY (after an
//! optional `[L1]` priority prefix). A template lets a feed say exactly that, while the
//! default SUMMARY stays the readable `On call: LAYER — NAME`.

use std::ops::Range;

use super::suggest;

/// A value a template can insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Layer,
    Id,
    Name,
    Email,
    Team,
}

impl Placeholder {
    pub const ALL: [Placeholder; 5] = [
        Placeholder::Layer,
        Placeholder::Id,
        Placeholder::Name,
        Placeholder::Email,
        Placeholder::Team,
    ];

    /// The word between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Layer => "layer",
            Placeholder::Id => "id",
            Placeholder::Name => "name",
            Placeholder::Email => "email",
            Placeholder::Team => "team",
        }
    }

    fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Placeholder),
}

/// A parsed template: literal text and placeholders, `{{` and `}}` standing for braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// What one event fills in.
#[derive(Debug, Clone, Copy)]
pub struct TemplateValues<'a> {
    pub layer: &'a str,
    /// The member's id.
    pub id: &'a str,
    pub name: &'a str,
    /// `None` only for someone no longer in the config (a cancelled event of a member who
    /// left): validation makes every member who can be on call have one when `{email}` is
    /// used. Their id stands in.
    pub email: Option<&'a str>,
    pub team: &'a str,
}

/// A mistake in a template, as a byte range of the template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
    pub(crate) label: &'static str,
    pub(crate) help: String,
}

const BRACES_HELP: &str = "write {{ or }} for a literal brace";

impl Template {
    /// Parses `text`, reporting every mistake in it.
    pub(crate) fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            match c {
                '{' if rest.peek().is_some_and(|&(_, n)| n == '{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().is_some_and(|&(_, n)| n == '}') => {
                    rest.next();
                    literal.push('}');
                }
                '}' => errors.push(TemplateError {
                    span: i..i + 1,
                    message: "unmatched `}` in the template".into(),
                    label: "no `{` before it",
                    help: BRACES_HELP.into(),
                }),
                '{' => {
                    // The placeholder runs to the next `}`; another `{` first means this
                    // one was never closed.
                    let close = text[i + 1..]
                        .find(['{', '}'])
                        .filter(|&j| text[i + 1 + j..].starts_with('}'));
                    let Some(j) = close else {
                        errors.push(TemplateError {
                            span: i..i + 1,
                            message: "unclosed `{` in the template".into(),
                            label: "no `}` after it",
                            help: format!("close the placeholder with `}}`, or {BRACES_HELP}"),
                        });
                        continue;
                    };
                    let end = i + 1 + j;
                    let word = &text[i + 1..end];
                    match Placeholder::from_name(word) {
                        Some(p) => {
                            if !literal.is_empty() {
                                parts.push(Part::Text(std::mem::take(&mut literal)));
                            }
                            parts.push(Part::Value(p));
                        }
                        None => errors.push(unknown_placeholder(word, i..end + 1)),
                    }
                    while rest.peek().is_some_and(|&(k, _)| k <= end) {
                        rest.next();
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        if errors.is_empty() {
            Ok(Template { parts })
        } else {
            Err(errors)
        }
    }

    /// Whether the template inserts this value.
    pub fn uses(&self, placeholder: Placeholder) -> bool {
        self.parts.contains(&Part::Value(placeholder))
    }

    pub fn render(&self, values: &TemplateValues<'_>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Value(p) => out.push_str(match p {
                    Placeholder::Layer => values.layer,
                    Placeholder::Id => values.id,
                    Placeholder::Name => values.name,
                    Placeholder::Email => values.email.unwrap_or(values.id),
                    Placeholder::Team => values.team,
                }),
            }
        }
        out
    }
}

fn unknown_placeholder(word: &str, span: Range<usize>) -> TemplateError {
    let names = Placeholder::ALL.map(Placeholder::name);
    let help = match suggest::closest(word, names) {
        Some(close) => format!("did you mean {{{close}}}?"),
        None => format!(
            "the placeholders are {}; {BRACES_HELP}",
            names.map(|n| format!("{{{n}}}")).join(", ")
        ),
    };
    TemplateError {
        span,
        message: format!("unknown placeholder `{{{word}}}` in the template"),
        label: "not a placeholder",
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: TemplateValues<'static> = TemplateValues {
        layer: "primary",
        id: "bjorn",
        name: "Bjørn Ødegård",
        email: Some("bjorn@example.com"),
        team: "Ops",
    };

    fn render(text: &str) -> String {
        Template::parse(text)
            .expect("valid template")
            .render(&VALUES)
    }

    fn errors(text: &str) -> Vec<TemplateError> {
        Template::parse(text).expect_err("invalid template")
    }

    #[test]
    fn fills_in_every_placeholder() {
        assert_eq!(render("{email}"), "bjorn@example.com");
        assert_eq!(render("[L1] {email}"), "[L1] bjorn@example.com");
        assert_eq!(
            render("{team}: {layer} — {name} ({id})"),
            "Ops: primary — Bjørn Ødegård (bjorn)"
        );
        assert_eq!(render("no placeholder"), "no placeholder");
        assert_eq!(render("{id}{id}"), "bjornbjorn");
    }

    #[test]
    fn doubled_braces_are_literal() {
        assert_eq!(
            render("{{email}} is {email}"),
            "{email} is bjorn@example.com"
        );
        assert_eq!(render("}}{{"), "}{");
    }

    #[test]
    fn a_missing_email_shows_the_id() {
        let t = Template::parse("{email}").expect("valid");
        let values = TemplateValues {
            email: None,
            ..VALUES
        };
        assert_eq!(t.render(&values), "bjorn");
    }

    #[test]
    fn knows_which_placeholders_it_uses() {
        let t = Template::parse("[L1] {email} ({layer})").expect("valid");
        assert!(t.uses(Placeholder::Email) && t.uses(Placeholder::Layer));
        assert!(!t.uses(Placeholder::Name));
        assert!(
            !Template::parse("{{email}}")
                .expect("valid")
                .uses(Placeholder::Email)
        );
    }

    #[test]
    fn unknown_placeholders_point_at_themselves_with_a_suggestion() {
        let e = errors("On call: {nmae}");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].span, 9..15);
        assert!(e[0].message.contains("`{nmae}`"), "{e:?}");
        assert_eq!(e[0].help, "did you mean {name}?");
        assert_eq!(errors("{mail}")[0].help, "did you mean {email}?");
        let far = errors("{zzzz}");
        assert!(
            far[0]
                .help
                .contains("{layer}, {id}, {name}, {email}, {team}"),
            "{far:?}"
        );
    }

    #[test]
    fn stray_braces_are_reported_each() {
        let e = errors("a } b { c {email");
        let spans: Vec<_> = e.iter().map(|e| e.span.clone()).collect();
        assert_eq!(spans, [2..3, 6..7, 10..11], "{e:?}");
        assert!(e[0].message.contains("unmatched `}`"));
        assert!(e[1].message.contains("unclosed `{`"));
        // Every mistake is reported, not only the first.
        assert_eq!(errors("{a} {b}").len(), 2);
    }

    #[test]
    fn spans_are_byte_ranges_after_multibyte_text() {
        let e = errors("Ødegård {x}");
        let text = "Ødegård {x}";
        assert_eq!(&text[e[0].span.clone()], "{x}");
    }
}
