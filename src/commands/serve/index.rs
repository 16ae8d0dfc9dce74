//! The index page: who is on call now and the next handoff, then every feed with its
//! subscribe links, grouped into the team's, the layers' and the members' (by name) when
//! the directory has its schedule.json.

use std::collections::BTreeSet;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::links::{Links, webcal};
use crate::commands::now::{self, Roster};
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
    render(&IndexPage::new(inputs))
}

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
            webcal: webcal(&http),
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

const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }} — on call</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.sub { color: #59636e; margin-top: 0; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d1d9e0; vertical-align: top; }
th { font-weight: 600; color: #59636e; }
code { font-size: .85rem; word-break: break-all; }
a { color: #0550ae; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="sub">On-call calendars{% if period %} for {{ period }}{% endif %}. Subscribe in your calendar app; it refreshes about every hour.{% if report %} <a href="{{ report }}">Fairness report</a>.{% endif %}</p>
{% if on_call %}
<h2>On call now</h2>
<p class="sub">{{ now }}{% if next_handoff %} · next handoff {{ next_handoff }}{% endif %}{% if now_json %} · <a href="{{ now_json }}">as JSON</a>{% endif %}</p>
<div class="wide"><table>
<tr><th>layer</th><th>on call</th><th>since</th><th>until</th><th>then</th></tr>
{% for row in on_call %}
<tr><td>{{ row.layer }}</td><td>{{ row.holders }}</td><td>{{ row.since }}</td><td>{{ row.until }}</td><td>{{ row.next }}</td></tr>
{% endfor %}
</table></div>
{% endif %}
{% if not groups %}<p>No calendars yet: run <code>rota solve CONFIG -o DIR</code> for the directory this server reads.</p>{% endif %}
{% for group in groups %}
<h2>{{ group.heading }}</h2>
<div class="wide"><table>
<tr><th>calendar</th><th>subscribe</th><th>address</th><th>updated</th></tr>
{% for feed in group.feeds %}
<tr><td><a href="{{ feed.http }}">{{ feed.label }}</a></td><td><a href="{{ feed.webcal }}">webcal</a></td><td><code>{{ feed.http }}</code></td><td>{{ feed.updated }}</td></tr>
{% endfor %}
</table></div>
{% endfor %}
</body>
</html>
"#;

fn render(page: &IndexPage) -> String {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("index.html", TEMPLATE)
        .and_then(|()| env.get_template("index.html"))
        .and_then(|t| t.render(page))
        // The template is fixed and tested; should it fail anyway, say so in the page.
        .unwrap_or_else(|e| {
            format!("<!DOCTYPE html><title>rota</title><p>internal error: {e}</p>\n")
        })
}
