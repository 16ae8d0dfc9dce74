//! "Did you mean …?": the closest known name to a misspelt one (`strsim`).

/// The candidate most similar to `input`, if any is close enough to be a likely typo.
///
/// Compares case-insensitively with Jaro–Winkler (which rewards a shared prefix, as in
/// most typos) and, for names with a `/` such as time zones, also against the last part
/// so `Berln` finds `Europe/Berlin`.
pub(crate) fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let input = input.trim().to_lowercase();
    if input.is_empty() {
        return None;
    }
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let mut score = strsim::jaro_winkler(&input, &lower);
        if let Some((_, tail)) = lower.rsplit_once('/')
            && !input.contains('/')
        {
            score = score.max(strsim::jaro_winkler(&input, tail) - 0.01);
        }
        // One word of a compound name ("tags" for "any_tags") is a likely intent.
        if lower.split(['_', '-', '.']).any(|part| part == input) {
            score = score.max(0.85);
        }
        // A longer spelling of a short name ("thursday" for "thu") is a likely intent too.
        if lower.len() >= 3 && input.starts_with(&lower) {
            score = score.max(0.9);
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

/// `did you mean "x"?` for [`closest`], ready to use as a help line.
pub(crate) fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(input, candidates).map(|c| format!("did you mean \"{c}\"?"))
}

/// ` — did you mean "x"?` for [`closest`], to append to a one-line error; empty when
/// nothing is close.
pub(crate) fn dash_did_you_mean<'a, I>(input: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(input, candidates).map_or_else(String::new, |hint| format!(" — {hint}"))
}

/// Every IANA zone name chrono-tz knows.
pub(crate) fn zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_misspelt_time_zones() {
        assert_eq!(closest("Europe/Berln", zone_names()), Some("Europe/Berlin"));
        assert_eq!(
            closest("america/new_york", zone_names()),
            Some("America/New_York")
        );
        assert_eq!(closest("Berlin", zone_names()), Some("Europe/Berlin"));
        assert_eq!(
            closest("Asia/Singapur", zone_names()),
            Some("Asia/Singapore")
        );
    }

    #[test]
    fn finds_keys_and_short_names() {
        let keys = ["name", "timezone", "uid_domain"];
        assert_eq!(closest("timezon", keys), Some("timezone"));
        assert_eq!(closest("time_zone", keys), Some("timezone"));
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        assert_eq!(closest("thursday", days), Some("thu"));
        assert_eq!(closest("Tue", days), Some("tue"));
        assert_eq!(closest("weekley", ["weekly", "daily"]), Some("weekly"));
        let eligible = ["any_tags", "all_tags", "members", "exclude"];
        assert_eq!(closest("tags", eligible), Some("any_tags"));
        assert_eq!(closest("excludes", eligible), Some("exclude"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("zzzzzz", ["weekly", "daily"]), None);
        assert_eq!(closest("", ["a"]), None);
        assert_eq!(did_you_mean("qqq", ["alice", "bob"]), None);
        assert_eq!(
            did_you_mean("alcie", ["alice", "bob"]).as_deref(),
            Some("did you mean \"alice\"?")
        );
    }
}
