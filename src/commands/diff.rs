//! `rota diff OLD NEW [--json] [--timezone ZONE]`: shifts whose assignee or time changed,
//! grouped by member.

use std::path::Path;

use chrono_tz::Tz;

use crate::error::Error;
use crate::schedule::Schedule;

pub fn run(old: &Path, new: &Path, json: bool, timezone: Option<&str>) -> Result<(), Error> {
    let zone = timezone
        .map(parse_zone)
        .transpose()?
        .unwrap_or(chrono_tz::UTC);
    let old = Schedule::read(old)?;
    let new = Schedule::read(new)?;
    let d = crate::diff::diff(&old, &new);
    if json {
        // Instants in JSON stay RFC 3339 UTC: unambiguous for programs.
        let text = serde_json::to_string_pretty(&d)
            .map_err(|e| Error::Internal(format!("cannot serialize the diff: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", d.render_in(zone));
    }
    Ok(())
}

fn parse_zone(name: &str) -> Result<Tz, Error> {
    name.parse::<Tz>().map_err(|_| {
        let close = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| (strsim::jaro_winkler(name, z.name()), z.name()))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, z)| format!(" — did you mean {z:?}?"))
            .unwrap_or_else(|| " — use an IANA name such as \"America/New_York\"".into());
        Error::Usage(format!("--timezone: unknown time zone {name:?}{close}"))
    })
}
