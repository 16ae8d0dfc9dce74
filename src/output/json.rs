//! schedule.json as bytes: pretty-printed, fields in the order `Schedule` declares them,
//! one trailing newline.

use crate::error::Error;
use crate::schedule::Schedule;

/// The text of schedule.json. Same schedule, same bytes: every list in the schedule is
/// already sorted and every float rounded by [`Schedule::build`].
pub(crate) fn render(schedule: &Schedule) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(schedule)
        .map_err(|e| Error::Internal(format!("cannot serialize schedule.json: {e}")))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::fixture;

    #[test]
    fn json_round_trips() {
        let s = fixture::solved();
        let text = render(&s).expect("serializes");
        assert!(text.ends_with("}\n"));
        let back: Schedule = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, s);
    }
}
