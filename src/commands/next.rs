//! `rota next CONFIG`: the next period's config, from this one and its finished schedule.
//!
//! The config is edited, not rewritten (`toml_edit`), so its comments, order and layout
//! stay: the period moves on by its own length (or to `--until`), the schedule joins
//! `fairness.history`, history files outside `fairness.history_months` leave it, and
//! pins, `unavailable` and `prefer_off` entries that ended before the new period go.
//! Paths stay right when the new config lives in another folder. The result is checked
//! as `rota check` would before anything is written, and never written over a file.

use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use toml_edit::{DocumentMut, Item, Value};

use crate::config::{Config, Period, PinStart, limits};
use crate::error::Error;
use crate::schedule::Schedule;

#[derive(Debug, clap::Args)]
pub struct NextArgs {
    /// The config of the period that just ended.
    pub config: PathBuf,
    /// Its finished schedule: it joins `fairness.history`.
    #[arg(long, default_value = "out/schedule.json")]
    pub schedule: PathBuf,
    /// Where to write the next config (never over a file). Default: beside CONFIG, named
    /// after the new period's start.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
    /// The new period's end (exclusive). Default: as long after its start as this
    /// period is long.
    #[arg(long, value_name = "DATE")]
    pub until: Option<NaiveDate>,
}

pub(crate) fn run(args: &NextArgs) -> Result<(), Error> {
    // One read: the text edited below is the config validated here.
    let source = crate::config::read_source(&args.config)?;
    let config = crate::config::parse_str(&args.config, &source)?;
    let schedule = Schedule::read(&args.schedule)?;
    if schedule.team != config.team.name
        || (schedule.period.start, schedule.period.end) != (config.period.start, config.period.end)
    {
        return Err(Error::Usage(format!(
            "{} is the schedule of {:?} from {} to {}, not of {} ({:?} from {} to {}): give \
             the schedule solved from this config with --schedule",
            args.schedule.display(),
            schedule.team,
            schedule.period.start,
            schedule.period.end,
            args.config.display(),
            config.team.name,
            config.period.start,
            config.period.end,
        )));
    }
    let period = next_period(config.period, args.until)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_path(&args.config, period.start));
    if out.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; not overwriting it (give another path with -o)",
            out.display()
        )));
    }

    let old_dir = folder(&args.config)?;
    let new_dir = folder(&out)?;
    let schedule_path = canonical(&args.schedule)?;
    let listed = config
        .fairness
        .history
        .iter()
        .any(|p| std::fs::canonicalize(p).is_ok_and(|p| p == schedule_path));
    let history_ends = config
        .fairness
        .history
        .iter()
        .map(|path| {
            let text = limits::read_text(path, limits::SCHEDULE_FILE)
                .map_err(|e| Error::reading(path, e))?;
            crate::config::history::read(&text, "")
                .map(|file| file.period_end)
                .map_err(|e| Error::Schedule {
                    path: path.clone(),
                    message: e.message,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let plan = Plan {
        period,
        history_entry: (!listed).then(|| relative(&schedule_path, &new_dir)),
        window_start: crate::config::history_window(period.start, config.fairness.history_months),
        history_ends,
        rebase: (old_dir != new_dir).then_some((old_dir, new_dir)),
    };
    let next = edit(&source, &config, &plan)?;

    // What `rota check` does, on the text about to be written.
    let checked = crate::config::parse_str(&out, &next.text)?;
    crate::problem::build(&checked)?;
    crate::output::atomic::write_new_file(&out, &next.text)?;

    for warning in &next.warnings {
        log::warn!("{warning}");
    }
    super::print(&next.summary(&out))
}

/// From this period's end, as long as this one, or to `until`.
fn next_period(now: Period, until: Option<NaiveDate>) -> Result<Period, Error> {
    let start = now.end;
    let end = until.unwrap_or(start + (now.end - now.start));
    if end <= start {
        return Err(Error::Usage(format!(
            "--until {end} is not after the new period's start {start}"
        )));
    }
    Ok(Period { start, end })
}

/// `configs/team.toml` → `configs/team-2027-04-05.toml`; a date already ending the name
/// is replaced, so quarter after quarter the names stay short.
fn default_path(config: &Path, start: NaiveDate) -> PathBuf {
    let stem = config
        .file_stem()
        .map_or_else(|| "rota".to_owned(), |s| s.to_string_lossy().into_owned());
    let base = stem
        .len()
        .checked_sub(11)
        .filter(|&at| stem.is_char_boundary(at))
        .filter(|&at| {
            stem[at..].starts_with('-')
                && NaiveDate::parse_from_str(&stem[at + 1..], "%Y-%m-%d").is_ok()
        })
        .map_or(stem.as_str(), |at| &stem[..at]);
    config.with_file_name(format!("{base}-{start}.toml"))
}

/// The folder a file is (or will be) in, resolved.
fn folder(file: &Path) -> Result<PathBuf, Error> {
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    canonical(parent)
}

fn canonical(path: &Path) -> Result<PathBuf, Error> {
    std::fs::canonicalize(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `target` as seen from the folder `base`, both absolute, with `/` between parts.
fn relative(target: &Path, base: &Path) -> String {
    let target: Vec<Component> = normalized(target);
    let base: Vec<Component> = normalized(base);
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let ups = (common..base.len()).map(|_| "..".to_owned());
    let downs = target[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let parts: Vec<String> = ups.chain(downs).collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// The components with `.` dropped and `..` applied.
fn normalized(path: &Path) -> Vec<Component<'_>> {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// What the edit needs besides the config's text, worked out from the files around it.
#[derive(Debug, Clone)]
struct Plan {
    period: Period,
    /// The schedule as an entry of `fairness.history` (relative to the new config's
    /// folder), or `None` when the list already has it.
    history_entry: Option<String>,
    /// History files whose period ended on or before this day leave the list.
    window_start: Option<NaiveDate>,
    /// The period end of each `fairness.history` file, in list order.
    history_ends: Vec<NaiveDate>,
    /// The old config's folder and the new one's, when they differ: relative paths are
    /// rewritten to read the same files from there.
    rebase: Option<(PathBuf, PathBuf)>,
}

/// The edited config and what it left out.
#[derive(Debug, Clone, PartialEq)]
struct Next {
    text: String,
    period: Period,
    history_entry: Option<String>,
    /// Entries that ended before the new period, one line each.
    dropped: Vec<String>,
    /// History files that fell out of the window.
    dropped_history: Vec<String>,
    history_months: u32,
    warnings: Vec<String>,
}

impl Next {
    /// What `rota next` prints.
    fn summary(&self, out: &Path) -> String {
        let p = self.period;
        let mut text = format!(
            "wrote {}: {} to {} ({} days)\n",
            out.display(),
            p.start,
            p.end,
            (p.end - p.start).num_days()
        );
        if let Some(entry) = &self.history_entry {
            text.push_str(&format!("  fairness.history gains {entry}\n"));
        }
        for entry in &self.dropped_history {
            text.push_str(&format!(
                "  fairness.history drops {entry}: older than history_months = {}\n",
                self.history_months
            ));
        }
        if !self.dropped.is_empty() {
            text.push_str(&format!("  left out, over before {}:\n", p.start));
            for line in &self.dropped {
                text.push_str(&format!("    {line}\n"));
            }
        }
        text.push_str(&format!(
            "next: rota solve {} -o DIR (a new DIR: this period's schedule is history now)\n",
            out.display()
        ));
        text
    }
}

/// The next period's config text: `source` (the text of `config`) edited by `plan`.
fn edit(source: &str, config: &Config, plan: &Plan) -> Result<Next, Error> {
    let mut doc: DocumentMut = source
        .parse()
        .map_err(|e| Error::Internal(format!("the config parsed once but not again: {e}")))?;
    let start = plan.period.start;
    set_date(&mut doc["period"]["start"], start);
    set_date(&mut doc["period"]["end"], plan.period.end);

    let dropped_history = edit_history(&mut doc, plan);
    if plan.rebase.is_some()
        && let Some(sets) = doc.get_mut("holidays").and_then(Item::as_table_like_mut)
    {
        for (_, set) in sets.iter_mut() {
            if let Some(ics) = set.get_mut("ics") {
                rebase(ics, plan);
            }
        }
    }

    let mut dropped = Vec::new();
    let team_start = crate::time::local::day_start(config.team.timezone, start);
    let pin_over: Vec<bool> = config
        .pins
        .iter()
        .map(|pin| match pin.start {
            PinStart::LocalDate(date) => date < start,
            PinStart::Instant(at) => at < team_start,
        })
        .collect();
    if let Some(pins) = doc.get_mut("pin").and_then(Item::as_array_of_tables_mut)
        && pins.len() == pin_over.len()
    {
        for (pin, _) in config.pins.iter().zip(&pin_over).filter(|(_, over)| **over) {
            let at = match pin.start {
                PinStart::LocalDate(date) => date.to_string(),
                PinStart::Instant(at) => at.to_rfc3339(),
            };
            dropped.push(format!(
                "pin: {} {at} to {}",
                config.layers[pin.layer].name, config.members[pin.member].id
            ));
        }
        let mut over = pin_over.iter();
        pins.retain(|_| !over.next().copied().unwrap_or(false));
    }

    if let Some(members) = doc.get_mut("member").and_then(Item::as_array_of_tables_mut) {
        for (table, member) in members.iter_mut().zip(&config.members) {
            for key in ["unavailable", "prefer_off"] {
                let Some(rules) = table.get_mut(key).and_then(Item::as_array_mut) else {
                    continue;
                };
                let over: Vec<bool> = rules.iter().map(|r| ended(r, start)).collect();
                for (rule, _) in rules.iter().zip(&over).filter(|(_, over)| **over) {
                    dropped.push(format!("{}: {key} {}", member.id, rule.to_string().trim()));
                }
                remove_elements(rules, &over);
                if rules.is_empty() {
                    table.remove(key);
                }
            }
        }
    }

    let warnings = config
        .holiday_sets
        .iter()
        .filter(|(_, dates)| dates.range(start..plan.period.end).next().is_none())
        .map(|(name, _)| {
            format!(
                "holiday set \"{name}\" has no date from {start} to {}: add this period's \
                 holidays to it (nothing to do if it has none)",
                plan.period.end
            )
        })
        .collect();

    Ok(Next {
        text: doc.to_string(),
        period: plan.period,
        history_entry: plan.history_entry.clone(),
        dropped,
        dropped_history,
        history_months: config.fairness.history_months,
        warnings,
    })
}

/// `fairness.history`: files out of the window leave, paths follow the new folder, the
/// schedule joins last. Returns the entries that left.
fn edit_history(doc: &mut DocumentMut, plan: &Plan) -> Vec<String> {
    let mut dropped = Vec::new();
    let fairness = doc
        .entry("fairness")
        .or_insert_with(toml_edit::table)
        .as_table_like_mut();
    let Some(fairness) = fairness else {
        return dropped;
    };
    if fairness.get("history").is_none() && plan.history_entry.is_none() {
        return dropped;
    }
    let history = fairness
        .entry("history")
        .or_insert(Item::Value(Value::Array(toml_edit::Array::new())));
    let Some(list) = history.as_array_mut() else {
        return dropped;
    };
    if list.len() == plan.history_ends.len()
        && let Some(window) = plan.window_start
    {
        let old: Vec<bool> = plan.history_ends.iter().map(|end| *end <= window).collect();
        for (entry, _) in list.iter().zip(&old).filter(|(_, old)| **old) {
            dropped.push(entry.as_str().unwrap_or_default().to_owned());
        }
        remove_elements(list, &old);
    }
    for entry in list.iter_mut() {
        let mut item = Item::Value(entry.clone());
        rebase(&mut item, plan);
        if let Item::Value(value) = item {
            *entry = value;
        }
    }
    if let Some(entry) = &plan.history_entry {
        let mut value = Value::from(entry.as_str());
        // Laid out like the entries before it: one per line (indented as the last, without
        // its comments), or all on one.
        let before = list
            .iter()
            .last()
            .and_then(|v| v.decor().prefix())
            .and_then(|p| p.as_str())
            .map(|p| p.rfind('\n').map_or(" ", |at| &p[at..]).to_owned());
        if let Some(prefix) = before {
            value.decor_mut().set_prefix(prefix);
        }
        list.push_formatted(value);
    }
    dropped
}

/// Removes the elements marked in `gone`. A comment on a removed element's line, which
/// the TOML editor files before the next element, goes with it.
fn remove_elements(list: &mut toml_edit::Array, gone: &[bool]) {
    for i in (0..list.len()).rev() {
        if !gone.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(next) = list.get_mut(i + 1) {
            let own = next
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .and_then(|p| p.find('\n').map(|at| p[at..].to_owned()));
            match own {
                Some(own) => next.decor_mut().set_prefix(own),
                // All on one line: the next one becomes the first, with no space before.
                None if i == 0 => next.decor_mut().set_prefix(""),
                None => {}
            }
        }
        list.remove(i);
    }
}

/// A relative path string of the old config, as read from the new config's folder.
fn rebase(item: &mut Item, plan: &Plan) {
    let Some((from, to)) = &plan.rebase else {
        return;
    };
    let Some(path) = item.as_str() else {
        return;
    };
    if Path::new(path).is_absolute() {
        return;
    }
    let moved = relative(&from.join(path), to);
    set_keeping_decor(item, Value::from(moved));
}

/// `item = date`, keeping the comment and spacing around the old value.
fn set_date(item: &mut Item, date: NaiveDate) {
    match date.format("%Y-%m-%d").to_string().parse::<Value>() {
        Ok(value) => set_keeping_decor(item, value),
        // A date always reads as a TOML date; should it not, a string does too.
        Err(_) => set_keeping_decor(item, Value::from(date.to_string())),
    }
}

fn set_keeping_decor(item: &mut Item, mut value: Value) {
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

/// Whether a date rule (`unavailable`, `prefer_off`) covers no day from `start` on:
/// its `to`, its `date` or the bare date is earlier. Weekday rules never end.
fn ended(rule: &Value, start: NaiveDate) -> bool {
    let last = match rule {
        Value::InlineTable(t) => t.get("to").or_else(|| t.get("date")).and_then(date_of),
        other => date_of(other),
    };
    last.is_some_and(|d| d < start)
}

/// A TOML local date, or a string holding one.
fn date_of(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::Datetime(dt) => {
            let dt = dt.value();
            let d = dt.date.filter(|_| dt.time.is_none())?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        Value::String(s) => NaiveDate::parse_from_str(s.value(), "%Y-%m-%d").ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn the_next_period_is_as_long_unless_told_where_to_end() {
        let q1 = Period {
            start: d("2027-01-04"),
            end: d("2027-04-05"),
        };
        let q2 = next_period(q1, None).expect("next");
        assert_eq!((q2.start, q2.end), (d("2027-04-05"), d("2027-07-05")));
        let short = next_period(q1, Some(d("2027-05-03"))).expect("until");
        assert_eq!(short.end, d("2027-05-03"));
        assert!(next_period(q1, Some(d("2027-04-05"))).is_err());
    }

    #[test]
    fn the_default_name_carries_the_new_start() {
        let start = d("2027-04-05");
        assert_eq!(
            default_path(Path::new("configs/team.toml"), start),
            Path::new("configs/team-2027-04-05.toml")
        );
        assert_eq!(
            default_path(Path::new("team-2027-01-04.toml"), start),
            Path::new("team-2027-04-05.toml")
        );
        assert_eq!(
            default_path(Path::new("q-2027-13-01.toml"), start),
            Path::new("q-2027-13-01-2027-04-05.toml")
        );
    }

    #[test]
    fn paths_are_relative_to_the_new_folder() {
        let r = |t: &str, b: &str| relative(Path::new(t), Path::new(b));
        assert_eq!(
            r("/teams/ops/q1/schedule.json", "/teams/ops"),
            "q1/schedule.json"
        );
        assert_eq!(
            r("/teams/ops/q1/schedule.json", "/teams/next"),
            "../ops/q1/schedule.json"
        );
        assert_eq!(r("/teams/ops/../x.json", "/teams"), "x.json");
        assert_eq!(r("/teams", "/teams"), ".");
    }

    const Q1: &str = r#"# The ops team.
[team]
name = "Ops"
timezone = "UTC"

[period]
start = "2027-01-04"   # a Monday
end = 2027-04-05

[holidays]
here = [2027-01-18]
there = { ics = "days.ics" }

[[layer]]
name = "primary"
rotation = "weekly"
handoff = "mon 09:00"

[[member]]
id = "ann"
unavailable = [
  2027-02-01,
  { from = 2027-03-29, to = 2027-04-06 },   # across the new start: stays
  { weekdays = ["sun"] },
]
prefer_off = [{ date = "2027-03-01" }]

[[member]]
id = "ben"

[fairness]
history = [
  "old.json",   # a year and more ago
  "q4.json",
]

# Ann's first week.
[[pin]]
layer = "primary"
start = 2027-01-04
member = "ann"

[[pin]]
layer = "primary"
start = 2027-04-26T09:00:00Z
member = "ben"
"#;

    fn history(end: &str) -> String {
        format!(
            r#"{{"version": 1, "period": {{"start": "2000-01-03", "end": "{end}"}}, "shifts": []}}"#
        )
    }

    /// Q1 read as `ops/q1.toml`, edited for a Q2 written in `folder`.
    fn q2(folder: &str) -> Next {
        let read = |p: &Path, _| -> std::io::Result<String> {
            match p.to_str() {
                Some("/ops/old.json") => Ok(history("2025-12-29")),
                Some("/ops/q4.json") => Ok(history("2027-01-04")),
                Some("/ops/days.ics") => Ok("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into()),
                _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "none")),
            }
        };
        let config =
            crate::config::parse_with(Path::new("/ops/q1.toml"), Q1, &read).expect("Q1 loads");
        let plan = Plan {
            period: next_period(config.period, None).expect("next"),
            history_entry: Some("q1/schedule.json".into()),
            window_start: crate::config::history_window(d("2027-04-05"), 12),
            history_ends: vec![d("2025-12-29"), d("2027-01-04")],
            rebase: (folder != "/ops").then(|| (PathBuf::from("/ops"), PathBuf::from(folder))),
        };
        edit(Q1, &config, &plan).expect("edits")
    }

    #[test]
    fn the_edit_keeps_comments_and_drops_what_is_over() {
        let next = q2("/ops");
        let text = &next.text;
        assert!(text.starts_with("# The ops team.\n"), "{text}");
        assert!(
            text.contains("start = 2027-04-05   # a Monday\nend = 2027-07-05\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "unavailable = [\n  { from = 2027-03-29, to = 2027-04-06 },   # across the new \
                 start: stays\n  { weekdays = [\"sun\"] },\n]"
            ),
            "{text}"
        );
        assert!(!text.contains("prefer_off"), "{text}");
        assert!(
            text.contains("history = [\n  \"q4.json\",\n  \"q1/schedule.json\",\n]"),
            "{text}"
        );
        assert!(!text.contains("Ann's first week") && text.contains("2027-04-26T09:00:00Z"));
        assert_eq!(
            next.dropped,
            [
                "pin: primary 2027-01-04 to ann",
                "ann: unavailable 2027-02-01",
                "ann: prefer_off { date = \"2027-03-01\" }",
            ]
        );
        assert_eq!(next.dropped_history, ["old.json"]);
        // "here" has a date in Q1 only, "there" none at all.
        assert_eq!(next.warnings.len(), 2, "{:?}", next.warnings);
        assert!(next.warnings[0].starts_with("holiday set \"here\" has no date from 2027-04-05"));
    }

    #[test]
    fn a_config_written_elsewhere_reads_the_same_files() {
        let text = q2("/teams/next").text;
        assert!(
            text.contains("there = { ics = \"../../ops/days.ics\" }"),
            "{text}"
        );
        assert!(text.contains("\"../../ops/q4.json\","), "{text}");
        assert!(text.contains("\"q1/schedule.json\","), "{text}");
    }
}
