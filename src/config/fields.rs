//! Typed, spanned access to a parsed TOML table, reporting wrong types and unknown keys
//! as diagnostics instead of stopping at the first one.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::Diagnostic;
use super::limits::{MAX_NAME_CHARS, MAX_NUMBER, MAX_STRING_CHARS};
use super::suggest;

/// A value parsed from the config with the byte range it came from.
pub(crate) type Sp<T> = Spanned<T>;

/// A TOML value with its span, as the parser gives it.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// "a string", "an integer", … for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date/time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

pub(crate) fn wrong_type(value: &Value<'_>, key: &str, expected: &str) -> Diagnostic {
    let example = match expected {
        "a string" => "\"…\"",
        "a number" => "1.0",
        "an integer" => "1",
        "an array" => "[…]",
        "a table" => "{ … }",
        "true or false" => "true",
        _ => "…",
    };
    let quoted_number = match value.get_ref() {
        DeValue::String(s) if s.trim().parse::<f64>().is_ok() => Some(s.trim().to_string()),
        _ => None,
    };
    let help = match (quoted_number, expected, value.get_ref()) {
        (Some(n), "a number" | "an integer", _) => format!("remove the quotes: {key} = {n}"),
        // One item where a list belongs: show the list.
        (_, "an array", DeValue::String(s)) => format!("put it in a list: {key} = [\"{s}\"]"),
        (_, "an array", DeValue::Datetime(d)) => format!("put it in a list: {key} = [{d}]"),
        (_, "an array", DeValue::Table(_)) => format!("put it in a list: {key} = [{{ … }}]"),
        _ => format!("write it as {key} = {example}"),
    };
    Diagnostic::new(
        value.span(),
        format!(
            "`{key}` must be {expected}, not {}",
            type_name(value.get_ref())
        ),
    )
    .label(format!("expected {expected}"))
    .help(help)
}

/// What `read` finds in `value`; when it finds nothing, a diagnostic that `key` must be
/// `expected` instead.
fn expect<'a, 'i, T>(
    value: &'a Value<'i>,
    key: &str,
    expected: &str,
    diags: &mut Vec<Diagnostic>,
    read: impl FnOnce(&'a DeValue<'i>) -> Option<T>,
) -> Option<T> {
    let found = read(value.get_ref());
    if found.is_none() {
        diags.push(wrong_type(value, key, expected));
    }
    found
}

/// The number read from `value`, with its span; when its digits made none (too large),
/// a diagnostic with this message and label.
fn usable<T>(
    value: &Value<'_>,
    parsed: Option<T>,
    message: String,
    label: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<T>> {
    if parsed.is_none() {
        diags.push(Diagnostic::new(value.span(), message).label(label));
    }
    parsed.map(|n| Spanned::new(value.span(), n))
}

pub(crate) fn as_string(
    value: &Value<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<String>> {
    let s = expect(value, key, "a string", diags, DeValue::as_str)?;
    let chars = s.chars().count();
    if chars > MAX_STRING_CHARS {
        diags.push(
            Diagnostic::new(value.span(), format!("`{key}` is {chars} characters long"))
                .label("too long")
                .help(format!(
                    "strings in a rota config are at most {MAX_STRING_CHARS} characters"
                )),
        );
        return None;
    }
    Some(Spanned::new(value.span(), s.to_string()))
}

pub(crate) fn as_array<'a, 'i>(
    value: &'a Value<'i>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a [Value<'i>]> {
    expect(value, key, "an array", diags, DeValue::as_array).map(|array| &array[..])
}

pub(crate) fn as_table<'a, 'i>(
    value: &'a Value<'i>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a DeTable<'i>> {
    expect(value, key, "a table", diags, DeValue::as_table)
}

/// An array of strings, each with its span.
pub(crate) fn as_strings(
    value: &Value<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sp<Vec<Sp<String>>>> {
    let items = as_array(value, key, diags)?;
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        match as_string(item, key, diags) {
            Some(s) => out.push(s),
            None => ok = false,
        }
    }
    ok.then(|| Spanned::new(value.span(), out))
}

/// One TOML table whose keys have been checked against the keys it may have.
pub(crate) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    /// Span of the table itself, for "missing key" messages.
    pub(crate) span: Range<usize>,
    /// How the table is named in messages: `[team]`, `[[member]]`, `eligible`.
    pub(crate) what: &'static str,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// Reports every key not in `known`, suggesting the closest known key.
    pub(crate) fn new(
        table: &'a DeTable<'i>,
        span: Range<usize>,
        what: &'static str,
        known: &[&'static str],
        diags: &mut Vec<Diagnostic>,
    ) -> Self {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let help = suggest::did_you_mean(name, known.iter().copied())
                    .unwrap_or_else(|| format!("{what} may have: {}", known.join(", ")));
                diags.push(
                    Diagnostic::new(key.span(), format!("unknown key `{name}` in {what}"))
                        .label("unknown key")
                        .help(help),
                );
            }
        }
        Fields { table, span, what }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table.get(key)
    }

    pub(crate) fn missing(&self, key: &str, example: &str) -> Diagnostic {
        Diagnostic::new(
            self.span.clone(),
            format!("missing `{key}` in {}", self.what),
        )
        .label(format!("`{key}` is required here"))
        .help(format!("add a line like: {key} = {example}"))
    }

    /// Reports `key` as missing, with a line to add, when the table lacks it.
    pub(crate) fn require(&self, key: &str, example: &str, diags: &mut Vec<Diagnostic>) {
        if self.get(key).is_none() {
            diags.push(self.missing(key, example));
        }
    }

    pub(crate) fn string(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Sp<String>> {
        self.get(key).and_then(|v| as_string(v, key, diags))
    }

    /// A person's or a team's name: a string of at most [`MAX_NAME_CHARS`] characters,
    /// shown in every calendar event and table row.
    pub(crate) fn name(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Sp<String>> {
        let name = self.string(key, diags)?;
        let chars = name.get_ref().chars().count();
        if chars > MAX_NAME_CHARS {
            diags.push(
                Diagnostic::new(name.span(), format!("`{key}` is {chars} characters long"))
                    .label("too long")
                    .help(format!("a name has at most {MAX_NAME_CHARS} characters")),
            );
            return None;
        }
        Some(name)
    }

    pub(crate) fn integer(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Sp<i64>> {
        let value = self.get(key)?;
        let i = expect(value, key, "an integer", diags, DeValue::as_integer)?;
        let n = i64::from_str_radix(i.as_str(), i.radix()).ok();
        let message = format!("`{key}` is out of range");
        usable(value, n, message, "too large", diags)
    }

    /// A number: TOML floats and integers both count (`fte = 1` is fine).
    pub(crate) fn float(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Sp<f64>> {
        let value = self.get(key)?;
        let parsed = match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            _ => {
                diags.push(wrong_type(value, key, "a number"));
                return None;
            }
        };
        if let Some(x) = parsed.filter(|x| x.is_finite() && x.abs() > MAX_NUMBER) {
            diags.push(
                Diagnostic::new(value.span(), format!("`{key}` = {x:e} is too large"))
                    .label("out of range")
                    .help(format!(
                        "numbers in a rota config are at most {MAX_NUMBER:.0} in size; \
                         scale every weight down alike, the schedule stays the same"
                    )),
            );
            return None;
        }
        let message = format!("`{key}` is not a usable number");
        usable(
            value,
            parsed.filter(|x| x.is_finite()),
            message,
            "out of range",
            diags,
        )
    }

    pub(crate) fn boolean(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Sp<bool>> {
        let value = self.get(key)?;
        let b = expect(value, key, "true or false", diags, DeValue::as_bool)?;
        Some(Spanned::new(value.span(), b))
    }

    pub(crate) fn strings(
        &self,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Sp<Vec<Sp<String>>>> {
        self.get(key).and_then(|v| as_strings(v, key, diags))
    }

    /// A sub-table with its span.
    pub(crate) fn table(
        &self,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let value = self.get(key)?;
        as_table(value, key, diags).map(|t| (t, value.span()))
    }

    /// An array of tables (`[[member]]`), each with its span; anything else is reported.
    pub(crate) fn tables(
        &self,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let Some(items) = as_array(value, key, diags) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| as_table(item, key, diags).map(|t| (t, item.span())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Spanned<DeTable<'_>> {
        DeTable::parse(text).expect("valid TOML")
    }

    /// The document's top table, read as `what` with these keys known.
    fn top<'a, 'i>(
        doc: &'a Spanned<DeTable<'i>>,
        what: &'static str,
        known: &[&'static str],
        diags: &mut Vec<Diagnostic>,
    ) -> Fields<'a, 'i> {
        Fields::new(doc.get_ref(), doc.span(), what, known, diags)
    }

    #[test]
    fn unknown_keys_are_reported_with_a_suggestion() {
        let doc = parse("name = \"x\"\ntimezon = \"UTC\"\n");
        let mut diags = Vec::new();
        let f = top(&doc, "[team]", &["name", "timezone"], &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].help.as_deref(), Some("did you mean \"timezone\"?"));
        assert_eq!(
            &"name = \"x\"\ntimezon = \"UTC\"\n"[diags[0].span.clone()],
            "timezon"
        );
        assert_eq!(
            f.string("name", &mut diags).map(|s| s.into_inner()),
            Some("x".into())
        );
    }

    #[test]
    fn wrong_types_are_reported_and_numbers_widen() {
        let doc = parse("a = 1\nb = \"two\"\nc = 0x10\nd = [\"x\", 3]\n");
        let mut diags = Vec::new();
        let f = top(&doc, "t", &["a", "b", "c", "d"], &mut diags);
        assert_eq!(f.float("a", &mut diags).map(|s| *s.get_ref()), Some(1.0));
        assert_eq!(f.integer("c", &mut diags).map(|s| *s.get_ref()), Some(16));
        assert!(diags.is_empty());
        assert!(f.integer("b", &mut diags).is_none());
        assert!(f.strings("d", &mut diags).is_none());
        assert_eq!(diags.len(), 2);
        assert!(
            diags[0]
                .message
                .contains("must be an integer, not a string")
        );
        assert!(
            diags[1]
                .message
                .contains("must be a string, not an integer")
        );
    }

    #[test]
    fn one_item_where_a_list_belongs_and_quoted_numbers_get_a_precise_fix() {
        let doc = parse("tags = \"senior\"\nfte = \"0.5\"\n");
        let mut diags = Vec::new();
        let f = top(&doc, "t", &["tags", "fte"], &mut diags);
        assert!(f.strings("tags", &mut diags).is_none());
        assert!(f.float("fte", &mut diags).is_none());
        assert_eq!(
            diags[0].help.as_deref(),
            Some("put it in a list: tags = [\"senior\"]")
        );
        assert_eq!(
            diags[1].help.as_deref(),
            Some("remove the quotes: fte = 0.5")
        );
    }
}
