//! The index page at `/`: every feed of `DIR/calendars` with its subscribe links, grouped
//! into the team's, the layers' and the members' when the directory has its schedule.json.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use super::route::is_feed_name;
use crate::schedule::Schedule;

/// The page for the feeds in `calendars`; `host` (`name:port`, already checked to be safe
/// in a link) makes the absolute http and webcal addresses.
pub(super) fn page(
    calendars: &Path,
    schedule: Option<&Schedule>,
    host: &str,
    report: bool,
) -> String {
    render_index(&IndexPage::new(
        &list_feeds(calendars),
        schedule,
        host,
        report,
    ))
}

/// The feed files of `dir` (plain names only), sorted; none when it cannot be read.
fn list_feeds(dir: &Path) -> Vec<Feed> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut feeds: Vec<Feed> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let meta = entry.metadata().ok()?;
            (is_feed_name(&name) && meta.is_file()).then(|| Feed {
                name,
                modified: meta.modified().ok(),
            })
        })
        .collect();
    feeds.sort_by(|a, b| a.name.cmp(&b.name));
    feeds
}

#[derive(Debug, Clone)]
struct Feed {
    name: String,
    modified: Option<SystemTime>,
}

#[derive(Debug, Serialize)]
struct IndexPage {
    title: String,
    period: Option<String>,
    /// Groups in order: team, layers, members, other; empty groups are left out.
    groups: Vec<FeedGroup>,
    report: bool,
    base: String,
}

#[derive(Debug, Serialize)]
struct FeedGroup {
    heading: &'static str,
    feeds: Vec<FeedRow>,
}

#[derive(Debug, Serialize)]
struct FeedRow {
    name: String,
    path: String,
    http: String,
    webcal: String,
    updated: String,
}

impl IndexPage {
    /// With the directory's schedule.json, feeds are grouped into the team's, the layers'
    /// and the members'; without it they are one list.
    fn new(feeds: &[Feed], schedule: Option<&Schedule>, host: &str, report: bool) -> IndexPage {
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
        for feed in feeds {
            let stem = feed.name.trim_end_matches(".ics");
            let group = if schedule.is_none() {
                3
            } else if stem == "team" {
                0
            } else if layers.contains(stem) {
                1
            } else if members.contains(stem) {
                2
            } else {
                3
            };
            groups[group].feeds.push(FeedRow {
                name: stem.to_string(),
                path: format!("/{}", feed.name),
                http: format!("http://{host}/{}", feed.name),
                webcal: format!("webcal://{host}/{}", feed.name),
                updated: feed
                    .modified
                    .map(|t| {
                        DateTime::<Utc>::from(t)
                            .format("%Y-%m-%d %H:%M UTC")
                            .to_string()
                    })
                    .unwrap_or_default(),
            });
        }
        IndexPage {
            title: schedule.map_or_else(|| "rota".to_string(), |s| s.team.clone()),
            period: schedule.map(|s| format!("{} until {}", s.period.start, s.period.end)),
            groups: groups.into_iter().filter(|g| !g.feeds.is_empty()).collect(),
            report,
            base: format!("http://{host}/"),
        }
    }
}

impl FeedGroup {
    fn new(heading: &'static str) -> FeedGroup {
        FeedGroup {
            heading,
            feeds: Vec::new(),
        }
    }
}

const INDEX_TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — on-call calendars</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.sub { color: #59636e; margin-top: 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th:nth-child(1) { width: 20%; } th:nth-child(2) { width: 12%; } th:nth-child(4) { width: 22%; }
td, th { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { font-weight: 600; color: #59636e; }
code { font-size: .85rem; }
a { color: #0550ae; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="sub">On-call calendars{% if period %} for {{ period }}{% endif %}. Subscribe in your calendar app; it refreshes about every hour.{% if report %} <a href="/report.html">Fairness report</a>.{% endif %}</p>
{% if not groups %}<p>No calendars yet: run <code>rota solve CONFIG -o DIR</code> for the directory this server reads.</p>{% endif %}
{% for group in groups %}
<h2>{{ group.heading }}</h2>
<table>
<tr><th>calendar</th><th>subscribe</th><th>address</th><th>updated</th></tr>
{% for feed in group.feeds %}
<tr><td><a href="{{ feed.path }}">{{ feed.name }}</a></td><td><a href="{{ feed.webcal }}">webcal</a></td><td><code>{{ feed.http }}</code></td><td>{{ feed.updated }}</td></tr>
{% endfor %}
</table>
{% endfor %}
</body>
</html>
"#;

fn render_index(page: &IndexPage) -> String {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("index.html", INDEX_TEMPLATE)
        .and_then(|()| env.get_template("index.html"))
        .and_then(|t| t.render(page))
        // The template is fixed and tested; should it fail anyway, say so in the page.
        .unwrap_or_else(|e| {
            format!("<!DOCTYPE html><title>rota</title><p>internal error: {e}</p>\n")
        })
}
