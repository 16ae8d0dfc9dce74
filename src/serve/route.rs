//! Request target → what it names. The only place a URL path is interpreted, so the only
//! place that decides what can be reached: `/`, `/report.html` and `/NAME.ics` with a plain
//! file name.

/// The longest feed name served; ids and layer names are short slugs.
const MAX_NAME: usize = 200;

/// What a request target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Index,
    /// `NAME.ics` in `DIR/calendars`: a plain file name, checked by [`is_feed_name`].
    Feed(String),
    Report,
    NotFound,
}

/// Routes a request target: the path is percent-decoded once, and only `/`,
/// `/report.html` and `/NAME.ics` with a plain file name match. A slash, backslash, NUL or
/// `..` anywhere in the name — sent plainly or encoded — matches nothing.
pub fn route(target: &str) -> Route {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let Some(path) = percent_decode(path) else {
        return Route::NotFound;
    };
    let Some(rest) = path.strip_prefix('/') else {
        return Route::NotFound;
    };
    match rest {
        "" | "index.html" => Route::Index,
        "report.html" => Route::Report,
        name if is_feed_name(name) => Route::Feed(name.to_string()),
        _ => Route::NotFound,
    }
}

/// `NAME.ics` where NAME is ASCII letters, digits, `.`, `_` and `-`, starts with a letter
/// or digit and holds no `..`: every member id and layer name rota writes, and nothing
/// that a file system could read as another directory.
pub fn is_feed_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".ics") else {
        return false;
    };
    name.len() <= MAX_NAME
        && stem.starts_with(|c: char| c.is_ascii_alphanumeric())
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !stem.contains("..")
}

/// `%XX` decoding of a URL path; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_only_the_three_kinds_of_path() {
        assert_eq!(route("/"), Route::Index);
        assert_eq!(route("/?refresh=1"), Route::Index);
        assert_eq!(route("/report.html"), Route::Report);
        assert_eq!(route("/team.ics"), Route::Feed("team.ics".into()));
        assert_eq!(
            route("/al.ice_b-2.ics?x=1"),
            Route::Feed("al.ice_b-2.ics".into())
        );
        assert_eq!(route("/te%61m.ics"), Route::Feed("team.ics".into()));
        assert_eq!(route("/schedule.json"), Route::NotFound);
        assert_eq!(route("/calendars/team.ics"), Route::NotFound);
        assert_eq!(route("team.ics"), Route::NotFound);
        assert_eq!(route("http://host/team.ics"), Route::NotFound);
        assert_eq!(route(""), Route::NotFound);
    }

    #[test]
    fn traversal_in_any_spelling_is_not_found() {
        for target in [
            "/../schedule.json",
            "/../calendars/team.ics",
            "/..%2fschedule.json",
            "/%2e%2e/schedule.json",
            "/%2E%2E%2Fcalendars%2Fteam.ics",
            "/..ics",
            "/...ics",
            "/a..b.ics",
            "/.team.ics",
            "/%2fetc%2fpasswd.ics",
            "/..%5cteam.ics",
            "/team%00.ics",
            "/team.ics%00",
            "/%252e%252e/team.ics",
            "/%zz.ics",
            "/%c3.ics",
            "//team.ics",
            "/\\team.ics",
        ] {
            assert!(
                !matches!(route(target), Route::Index | Route::Report),
                "{target}"
            );
            if let Route::Feed(name) = route(target) {
                panic!("{target} routed to feed {name:?}");
            }
        }
    }

    #[test]
    fn feed_names_are_plain_file_names() {
        assert!(is_feed_name("team.ics"));
        assert!(is_feed_name("j.doe.ics"));
        assert!(!is_feed_name("team"));
        assert!(!is_feed_name(".ics"));
        assert!(!is_feed_name("-x.ics"));
        assert!(!is_feed_name("a/b.ics"));
        assert!(!is_feed_name("ä.ics"));
        assert!(!is_feed_name(&format!("{}.ics", "a".repeat(MAX_NAME))));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%41%6a").as_deref(), Some("Aj"));
        assert_eq!(percent_decode("100%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    proptest::proptest! {
        /// Whatever a client sends, plainly or percent-encoded, a feed route is one plain
        /// file name: joined to `calendars` it names a file directly inside it.
        #[test]
        fn proptest_a_feed_route_stays_inside_the_calendars(
            middle in "[%./a-z25eEfFcC\\\\]{0,16}",
            suffix in proptest::prop_oneof![
                proptest::strategy::Just(".ics"),
                proptest::strategy::Just("%2eics"),
                proptest::strategy::Just("%2Eics"),
                proptest::strategy::Just(""),
            ],
        ) {
            let target = format!("/{middle}{suffix}");
            if let Route::Feed(name) = route(&target) {
                let dir = std::path::Path::new("calendars");
                let path = dir.join(&name);
                proptest::prop_assert_eq!(path.parent(), Some(dir), "{}", target);
                proptest::prop_assert!(
                    path.components()
                        .all(|c| matches!(c, std::path::Component::Normal(_))),
                    "{}", target
                );
                proptest::prop_assert!(
                    !name.contains(['/', '\\', '\0', '%']) && !name.starts_with('.'),
                    "{}", target
                );
            }
        }
    }
}
