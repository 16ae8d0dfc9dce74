//! The index page: who is on call now and the next handoff, then every feed with its
//! subscribe links, grouped into the team's, the layers' and the members' (by name) when
//! the directory has its schedule.json.

use std::collections::BTreeSet;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::links::Links;
use crate::commands::now::{self, Roster};
use crate::output::html;
use crate::schedule::Schedule;

pub(super) struct Inputs<'a> {
    /// Feed file names of `DIR/calendars` and when each was written.
    pub feeds: &'a [(String, Option<SystemTime>)],
    pub schedule: Option<&'a Schedule>,
    pub roster: &'a Roster,
    pub links: &'a Links<'a>,
    /// Whether `DIR/report.html` exists.
    pub report: bool,
    pub now: DateTime<Utc>,
}

pub(super) fn page(inputs: &Inputs<'_>) -> String {
    html::render_template(TEMPLATE_NAME, TEMPLATE, &IndexPage::new(inputs))
}

const TEMPLATE_NAME: &str = "index.html.j2";
const TEMPLATE: &str = include_str!("index.html.j2");

#[derive(Debug, Serialize)]
struct IndexPage {
    title: String,
    period: Option<String>,
    now: String,
    on_call: Vec<OnCallRow>,
    next_handoff: Option<String>,
    /// Groups in order: team, layers, members, other; empty groups are left out.
    groups: Vec<FeedGroup>,
    report: Option<String>,
    now_json: Option<String>,
}

#[derive(Debug, Serialize)]
struct OnCallRow {
    layer: String,
    holders: String,
    since: String,
    until: String,
    next: String,
}

#[derive(Debug, Serialize)]
struct FeedGroup {
    heading: &'static str,
    feeds: Vec<FeedRow>,
}

#[derive(Debug, Serialize)]
struct FeedRow {
    label: String,
    http: String,
    webcal: String,
    updated: String,
}

impl IndexPage {
    fn new(inputs: &Inputs<'_>) -> IndexPage {
        let Inputs {
            feeds,
            schedule,
            roster,
            links,
            report,
            now,
        } = inputs;
        let zone = roster.team_zone();
        let on_call = schedule.map(|s| now::on_call(s, roster, *now));
        let when = |t: Option<DateTime<Utc>>, layer: &str| {
            t.map(|t| now::local(t, roster.zone(layer)))
                .unwrap_or_default()
        };
        let rows = on_call
            .iter()
            .flat_map(|n| &n.layers)
            .map(|l| OnCallRow {
                layer: l.layer.clone(),
                holders: if l.holders.is_empty() {
                    "nobody".to_owned()
                } else {
                    now::names(&l.holders)
                },
                since: when(l.since, &l.layer),
                until: when(l.until, &l.layer),
                next: if l.next.is_empty() {
                    String::new()
                } else if l.next_from == l.until {
                    now::names(&l.next)
                } else {
                    format!(
                        "{} from {}",
                        now::names(&l.next),
                        when(l.next_from, &l.layer)
                    )
                },
            })
            .collect();
        // The soonest change of holders in any layer.
        let next_handoff = on_call
            .iter()
            .flat_map(|n| &n.layers)
            .filter_map(|l| l.until.map(|t| (t, l)))
            .min_by_key(|(t, l)| (*t, l.layer.clone()))
            .map(|(t, l)| {
                let who = if l.next_from == Some(t) && !l.next.is_empty() {
                    now::names(&l.next)
                } else {
                    "nobody".to_owned()
                };
                format!(
                    "{}: {who} from {}",
                    l.layer,
                    now::local(t, roster.zone(&l.layer))
                )
            });

        IndexPage {
            title: schedule.map_or_else(|| "rota".to_owned(), |s| s.team.clone()),
            period: schedule.map(|s| format!("{} until {}", s.period.start, s.period.end)),
            now: now::local(*now, zone),
            on_call: rows,
            next_handoff,
            groups: groups(feeds, *schedule, roster, links),
            report: report.then(|| links.url("report.html")),
            now_json: schedule.map(|_| links.url("now.json")),
        }
    }
}

/// With the directory's schedule.json, feeds are grouped into the team's, the layers' and
/// the members'; without it they are one list.
fn groups(
    feeds: &[(String, Option<SystemTime>)],
    schedule: Option<&Schedule>,
    roster: &Roster,
    links: &Links<'_>,
) -> Vec<FeedGroup> {
    let layers: BTreeSet<&str> = schedule
        .iter()
        .flat_map(|s| s.shifts.iter().map(|e| e.layer.as_str()))
        .collect();
    let members: BTreeSet<&str> = schedule
        .iter()
        .flat_map(|s| {
            let ids = s.members.iter().map(|m| m.id.as_str());
            ids.chain(s.shifts.iter().map(|e| e.member.as_str()))
        })
        .collect();
    let mut groups = [
        FeedGroup::new("Team"),
        FeedGroup::new("Layers"),
        FeedGroup::new("Members"),
        FeedGroup::new(if schedule.is_some() { "Other" } else { "Feeds" }),
    ];
    for (file, modified) in feeds {
        let stem = file.trim_end_matches(".ics");
        let (group, label) = if schedule.is_none() {
            (3, stem.to_owned())
        } else if stem == "team" {
            (0, "Whole team".to_owned())
        } else if layers.contains(stem) {
            (1, stem.to_owned())
        } else if members.contains(stem) {
            let name = roster.name(stem);
            let label = if name == stem {
                stem.to_owned()
            } else {
                format!("{name} ({stem})")
            };
            (2, label)
        } else {
            (3, stem.to_owned())
        };
        let http = links.url(file);
        groups[group].feeds.push(FeedRow {
            label,
            // Links are always http(s) (see links.rs), so there is a webcal form.
            webcal: html::webcal(&http).unwrap_or_default(),
            http,
            updated: modified
                .map(|t| {
                    DateTime::<Utc>::from(t)
                        .format("%Y-%m-%d %H:%M UTC")
                        .to_string()
                })
                .unwrap_or_default(),
        });
    }
    groups.into_iter().filter(|g| !g.feeds.is_empty()).collect()
}

impl FeedGroup {
    fn new(heading: &'static str) -> FeedGroup {
        FeedGroup {
            heading,
            feeds: Vec::new(),
        }
    }
}
