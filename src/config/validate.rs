//! `RawConfig` → `Config`: defaults applied, slugs and uniqueness checked, references
//! (holiday sets, members, layers) resolved, and referenced files (.ics, history) read.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Weekday};

use super::diagnostic::{Diagnostic, line_col};
use super::fields::Sp;
use super::model::{
    Config, Eligibility, Fairness, Layer, Member, Period, Pin, Team, TimeWindow, WeekdaySet,
};
use super::raw::{HolidaySource, RawConfig, RawEligible, RawHolidaySet};
use super::{history, holidays, suggest};

/// Reads a file the config refers to; the edge where validation touches the disk.
pub(crate) type ReadFile<'a> = &'a dyn Fn(&Path) -> io::Result<String>;

/// Everything `validate` needs besides the raw config.
pub(crate) struct Context<'a> {
    pub(crate) path: &'a Path,
    pub(crate) source: &'a str,
    pub(crate) sha256: String,
    pub(crate) read: ReadFile<'a>,
}

impl Context<'_> {
    /// A path written in the config, relative to the config's folder.
    fn resolve(&self, relative: &str) -> PathBuf {
        let rel = Path::new(relative);
        if rel.is_absolute() {
            return rel.to_path_buf();
        }
        match self.path.parent() {
            Some(dir) => dir.join(rel),
            None => rel.to_path_buf(),
        }
    }
}

/// Lower-case ASCII letters and digits, everything else folded into single `-`.
pub(crate) fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Checks a slug against its alphabet (`extra` = allowed punctuation besides `a-z0-9`).
fn check_slug(value: &Sp<String>, what: &str, extra: &str, diags: &mut Vec<Diagnostic>) -> bool {
    let s = value.get_ref();
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c));
    if !ok {
        let pattern = format!("[a-z0-9{extra}]+");
        let fixed = slugify(s);
        let help = if fixed.is_empty() {
            format!("a {what} uses only {pattern}")
        } else {
            format!("a {what} uses only {pattern}: try \"{fixed}\"")
        };
        diags.push(
            Diagnostic::new(value.span(), format!("\"{s}\" is not a valid {what}"))
                .label(format!("expected {pattern}"))
                .help(help),
        );
    }
    ok
}

/// Reports the second and later uses of a name; returns the names seen first, in order.
fn check_unique<'a>(
    names: impl IntoIterator<Item = &'a Sp<String>>,
    what: &str,
    source: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<&str, Range<usize>> = BTreeMap::new();
    for name in names {
        if let Some(first) = seen.get(name.get_ref().as_str()) {
            let line = line_col(source, first.start).0;
            diags.push(
                Diagnostic::new(
                    name.span(),
                    format!("duplicate {what} \"{}\"", name.get_ref()),
                )
                .label("used before")
                .help(format!(
                    "{what}s must be unique; \"{}\" is first defined on line {line}",
                    name.get_ref()
                )),
            );
        } else {
            seen.insert(name.get_ref(), name.span());
        }
    }
}

/// Known names of one kind; `complete` is false when some entry had no readable name,
/// so a reference that matches none of them may just be that entry's.
struct Names<'a> {
    what: &'static str,
    names: Vec<&'a str>,
    complete: bool,
}

impl Names<'_> {
    /// Index of `value` among the names, or `None` (reported when surely unknown).
    fn find(&self, value: &Sp<String>, diags: &mut Vec<Diagnostic>) -> Option<usize> {
        let found = self.names.iter().position(|n| *n == value.get_ref());
        if found.is_none() && self.complete {
            unknown(value, self.what, &self.names, diags);
        }
        found
    }
}

/// An unknown reference, with the closest known name as the fix.
fn unknown(value: &Sp<String>, what: &str, known: &[&str], diags: &mut Vec<Diagnostic>) {
    let help = suggest::did_you_mean(value.get_ref(), known.iter().copied()).unwrap_or_else(|| {
        if known.is_empty() {
            format!("no {what} is defined")
        } else {
            format!("known {what}s: {}", known.join(", "))
        }
    });
    diags.push(
        Diagnostic::new(
            value.span(),
            format!("unknown {what} \"{}\"", value.get_ref()),
        )
        .label(format!("no such {what}"))
        .help(help),
    );
}

/// Loads every holiday set: dates written in the config, or the events of an .ics file.
fn holiday_sets(
    sets: Vec<RawHolidaySet>,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, BTreeSet<NaiveDate>> {
    let mut out = BTreeMap::new();
    for set in sets {
        let dates = match set.source {
            HolidaySource::Dates(d) => d,
            HolidaySource::Ics(file) => {
                let path = ctx.resolve(file.get_ref());
                match (ctx.read)(&path) {
                    Err(e) => {
                        diags.push(
                            Diagnostic::new(
                                file.span(),
                                format!("cannot read holiday file {}: {e}", path.display()),
                            )
                            .label("cannot read this file")
                            .help("the path is relative to the config file's folder"),
                        );
                        // Keep the name so references to it are not reported as unknown too.
                        BTreeSet::new()
                    }
                    Ok(text) => match holidays::parse_ics(&text) {
                        Ok(d) => d,
                        Err(e) => {
                            diags.push(
                                Diagnostic::new(
                                    file.span(),
                                    format!("{}: {}", path.display(), e.message),
                                )
                                .label("here")
                                .maybe_help(e.help)
                                .in_file(&path, text, e.span),
                            );
                            BTreeSet::new()
                        }
                    },
                }
            }
        };
        out.insert(set.name.into_inner(), dates);
    }
    out
}

/// The named holiday sets exist; returns their names as given.
fn check_sets(
    names: &[Sp<String>],
    sets: &BTreeMap<String, BTreeSet<NaiveDate>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let known: Vec<&str> = sets.keys().map(String::as_str).collect();
    for name in names {
        if !sets.contains_key(name.get_ref()) {
            unknown(name, "holiday set", &known, diags);
        }
    }
    names.iter().map(|n| n.get_ref().clone()).collect()
}

fn eligibility(raw: &RawEligible, ids: &Names<'_>, diags: &mut Vec<Diagnostic>) -> Eligibility {
    for id in raw.members.iter().chain(&raw.exclude) {
        ids.find(id, diags);
    }
    let plain = |v: &[Sp<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
    Eligibility {
        any_tags: raw.any_tags.clone(),
        all_tags: raw.all_tags.clone(),
        members: plain(&raw.members),
        exclude: plain(&raw.exclude),
    }
}

/// Σ points per member of every history file, then the manual adjustments.
fn history_points(
    files: &[Sp<String>],
    adjust: &[(Sp<String>, f64)],
    ids: &Names<'_>,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<PathBuf>, BTreeMap<String, f64>) {
    let mut paths = Vec::new();
    let mut points: BTreeMap<String, f64> = BTreeMap::new();
    for file in files {
        let path = ctx.resolve(file.get_ref());
        match (ctx.read)(&path) {
            Err(e) => diags.push(
                Diagnostic::new(file.span(), format!("cannot read history file {}: {e}", path.display()))
                    .label("cannot read this file")
                    .help("history files are earlier schedule.json files; the path is relative to the config file's folder"),
            ),
            Ok(text) => match history::points_per_member(&text) {
                Ok(p) => {
                    for (id, x) in p {
                        *points.entry(id).or_insert(0.0) += x;
                    }
                }
                Err(e) => diags.push(
                    Diagnostic::new(file.span(), format!("{}: {}", path.display(), e.message))
                        .label("here")
                        .help("history files must be schedule.json files written by `rota solve`")
                        .in_file(&path, text, e.span),
                ),
            },
        }
        paths.push(path);
    }
    for (member, x) in adjust {
        if ids.find(member, diags).is_some() {
            *points.entry(member.get_ref().clone()).or_insert(0.0) += x;
        }
    }
    (paths, points)
}

/// Builds the validated config, or pushes what is wrong and returns `None`.
pub(crate) fn validate(
    raw: RawConfig,
    ctx: &Context<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    let sets = holiday_sets(raw.holidays, ctx, diags);
    let default_sets = raw
        .defaults
        .holidays
        .as_deref()
        .map(|names| check_sets(names, &sets, diags))
        .unwrap_or_default();
    let team_zone = raw.team.as_ref().and_then(|t| t.timezone);

    // Members first: layers, pins and adjustments refer to their ids.
    let member_ids: Vec<&Sp<String>> = raw.members.iter().filter_map(|m| m.id.as_ref()).collect();
    for id in &member_ids {
        check_slug(id, "member id", "._-", diags);
    }
    check_unique(member_ids.iter().copied(), "member id", ctx.source, diags);
    let ids = Names {
        what: "member",
        names: member_ids.iter().map(|s| s.get_ref().as_str()).collect(),
        complete: raw.members_complete && raw.members.iter().all(|m| m.id.is_some()),
    };

    let default_hours = raw.defaults.working_hours.unwrap_or(TimeWindow {
        start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
        end: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
    });
    let default_days = raw.defaults.working_days.unwrap_or_else(|| {
        WeekdaySet::from_days([
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ])
    });
    let mut members = Vec::new();
    for m in &raw.members {
        let holiday_sets = match &m.holidays {
            Some(names) => check_sets(names, &sets, diags),
            None => default_sets.clone(),
        };
        let holidays = holiday_sets
            .iter()
            .filter_map(|name| sets.get(name))
            .flatten()
            .copied()
            .collect();
        let (Some(id), Some(timezone)) = (&m.id, m.timezone.or(team_zone)) else {
            continue;
        };
        members.push(Member {
            id: id.get_ref().clone(),
            name: m.name.clone().unwrap_or_else(|| id.get_ref().clone()),
            email: m.email.clone(),
            timezone,
            working_hours: m.working_hours.unwrap_or(default_hours),
            working_days: m.working_days.unwrap_or(default_days),
            holidays,
            holiday_sets,
            tags: m.tags.clone(),
            fte: m.fte,
            joins: m.joins,
            leaves: m.leaves,
            max_shifts: m.max_shifts,
            unavailable: m.unavailable.clone(),
            prefer_off: m.prefer_off.clone(),
        });
    }

    let layer_names: Vec<&Sp<String>> = raw.layers.iter().filter_map(|l| l.name.as_ref()).collect();
    for name in &layer_names {
        check_slug(name, "layer name", "_-", diags);
    }
    check_unique(layer_names.iter().copied(), "layer name", ctx.source, diags);
    let names = Names {
        what: "layer",
        names: layer_names.iter().map(|s| s.get_ref().as_str()).collect(),
        complete: raw.layers_complete && raw.layers.iter().all(|l| l.name.is_some()),
    };
    let mut layers = Vec::new();
    for l in &raw.layers {
        let eligible = eligibility(&l.eligible, &ids, diags);
        let (Some(name), Some(rotation), Some(timezone)) =
            (&l.name, &l.rotation, l.timezone.or(team_zone))
        else {
            continue;
        };
        layers.push(Layer {
            name: name.get_ref().clone(),
            rotation: rotation.clone(),
            timezone,
            days: l.days,
            eligible,
            per_shift: l.per_shift,
        });
    }

    let mut pins = Vec::new();
    for p in raw.pins {
        let layer = p.layer.as_ref().and_then(|l| names.find(l, diags));
        let member = p.member.as_ref().and_then(|m| ids.find(m, diags));
        if let (Some(layer), Some(member), Some(start)) = (layer, member, p.start) {
            pins.push(Pin {
                layer,
                start,
                member,
                line: p.line,
            });
        }
    }

    let (history, history_points) = history_points(
        &raw.fairness.history,
        &raw.fairness.adjust,
        &ids,
        ctx,
        diags,
    );

    if !diags.is_empty() {
        return None;
    }
    let team = raw.team?;
    let name = team.name?.into_inner();
    let uid_domain = match team.uid_domain {
        Some(d) => d.into_inner(),
        None => {
            let slug = slugify(&name);
            format!("{}.rota", if slug.is_empty() { "team" } else { &slug })
        }
    };
    let period = raw.period?;
    Some(Config {
        path: ctx.path.to_path_buf(),
        sha256: ctx.sha256.clone(),
        team: Team {
            name,
            timezone: team.timezone?,
            uid_domain,
        },
        period: Period {
            start: period.start,
            end: period.end,
        },
        layers,
        members,
        rules: raw.rules,
        fairness: Fairness {
            weights: raw.fairness.weights,
            capacity: raw.fairness.capacity,
            history,
            history_points,
        },
        objective: raw.objective,
        calendar: raw.calendar,
        pins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_punctuation() {
        assert_eq!(slugify("Payments SRE"), "payments-sre");
        assert_eq!(slugify("  Ops / On-Call!! "), "ops-on-call");
        assert_eq!(slugify("Über"), "ber");
        assert_eq!(slugify("---"), "");
    }
}
