//! `report.html`: self-contained, complete and escaped; snapshot of the whole page.

use rota::config::Config;
use rota::output::html::render;
use rota::schedule::{Directory, Schedule};

use crate::support::team::{config, schedule};

/// The page `rota solve` writes: the schedule with its config's directory.
fn page(config: &Config, schedule: &Schedule) -> String {
    let mut schedule = schedule.clone();
    schedule.directory = Directory::of(config);
    schedule.timezone = Some(config.team.timezone.name().to_owned());
    render(&schedule)
}

/// `<title>` elements of the timeline blocks (each is `LAYER: NAME`, then the times).
fn block_titles(html: &str) -> Vec<&str> {
    html.split("<g><title>")
        .skip(1)
        .map(|rest| rest.split("</title>").next().unwrap_or_default())
        .collect()
}

#[test]
fn the_page_needs_no_network() {
    let html = page(&config(), &schedule());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "<link", "<img", " src=", "@import", "url(http"] {
        assert!(!html.contains(forbidden), "found {forbidden}");
    }
    // Without a calendar URL there is no absolute link at all.
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn names_are_html_escaped() {
    let mut config = config();
    config.members[0].name = "<b>Alice</b> & \"Co\"".into();
    let html = page(&config, &schedule());
    assert!(!html.contains("<b>Alice"));
    assert!(html.contains("&lt;b&gt;Alice&lt;&#x2f;b&gt; &amp; &quot;Co&quot;"));
}

#[test]
fn every_member_has_a_row_with_load_and_fair_share() {
    let (config, schedule) = (config(), schedule());
    let html = page(&config, &schedule);
    for m in &schedule.members {
        let fair = format!("fair share {:.1} points", m.fair_share);
        let load = format!("load {:.1} points", m.load);
        assert!(html.contains(&fair), "{fair}");
        assert!(html.contains(&load), "{load}");
    }
    // 12 weekly shifts of 296 points over four people: 888 each; alice holds 4 weeks
    // (1184 points, +296), dana none (−888). Worked out by hand from the fixture.
    assert!(html.contains("<td>4</td><td>1184.0</td><td>888.0</td>"));
    assert!(html.contains("<td class=\"over\">+296.0</td>"));
    assert!(html.contains("<td class=\"under\">-888.0</td>"));
}

#[test]
fn the_timeline_draws_every_shift_in_every_week_it_touches() {
    let html = page(&config(), &schedule());
    // Weeks run Monday 00:00 New York; each shift runs Monday 10:00 to Monday 10:00, so
    // it touches two week rows: 12 shifts → 24 blocks, over 7 week rows.
    let titles = block_titles(&html);
    assert_eq!(titles.len(), 24);
    assert_eq!(html.matches("<h3>Week of ").count(), 7);
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.starts_with("primary: Bjørn Ødegård, Jr.; on-call"))
            .count(),
        4
    );
    assert!(titles[0].contains("Mon 2027-01-04 10:00 EST → Mon 2027-01-11 10:00 EST"));
}

#[test]
fn the_calendar_url_lists_every_feed() {
    let mut config = config();
    config.calendar.url = Some("https://oncall.example.org/ops".into());
    let html = page(&config, &schedule());
    for feed in [
        "team",
        "primary",
        "secondary",
        "alice",
        "bjorn",
        "chen",
        "dana",
    ] {
        let link =
            format!("href=\"https:&#x2f;&#x2f;oncall.example.org&#x2f;ops&#x2f;{feed}.ics\"");
        assert!(html.contains(&link), "{link}");
        let subscribe =
            format!("href=\"webcal:&#x2f;&#x2f;oncall.example.org&#x2f;ops&#x2f;{feed}.ics\"");
        assert!(html.contains(&subscribe), "{subscribe}");
    }
}

#[test]
fn a_schedule_alone_renders_with_ids_in_utc() {
    let mut schedule = schedule();
    schedule.timezone = None;
    let html = render(&schedule);
    assert!(html.contains("times in UTC"));
    assert!(html.contains("primary: bjorn"));
    assert_eq!(block_titles(&html).len(), 24);
}

#[test]
fn report_snapshot() {
    let schedule = schedule();
    let html = page(&config(), &schedule);
    let generated_at = schedule.generated_at.to_rfc3339();
    assert!(html.contains(&generated_at));
    insta::assert_snapshot!(html.replace(&generated_at, "[generated_at]"));
}

#[test]
fn the_history_column_shows_only_when_someone_has_history() {
    let mut schedule = schedule();
    assert!(!page(&config(), &schedule).contains(">History</th>"));
    assert!(page(&config(), &schedule).contains("<summary>The solver's figures</summary>"));
    schedule.members[3].history = 500.0;
    let html = page(&config(), &schedule);
    assert!(html.contains(">History</th>"));
    assert!(html.contains("<td>500.0</td>"));
}

#[test]
fn a_layer_with_two_people_per_shift_gets_two_lanes() {
    let plain = page(&config(), &schedule());
    // Header 18 + two layers × one lane × 22 = 62 units high; 840 + 96 wide.
    assert!(plain.contains("viewBox=\"0 0 936.0 62.0\""));

    let mut schedule = schedule();
    let seconds: Vec<_> = schedule
        .shifts
        .iter()
        .filter(|s| s.layer == "primary")
        .map(|s| {
            let mut second = s.clone();
            second.member = "dana".into();
            second.uid = format!("{}-1", s.uid);
            second
        })
        .collect();
    schedule.shifts.extend(seconds);
    let html = page(&config(), &schedule);
    // One more lane: 18 + 3 × 22 = 84.
    assert!(html.contains("viewBox=\"0 0 936.0 84.0\""));
    assert!(!html.contains("viewBox=\"0 0 936.0 62.0\""));
    // The second seat is drawn in the second lane: y = 18 + 22 + 2 = 42.
    let dana_blocks = html
        .split("<g><title>")
        .filter(|g| g.starts_with("primary: Dana"))
        .collect::<Vec<_>>();
    assert_eq!(dana_blocks.len(), 12);
    assert!(dana_blocks.iter().all(|g| g.contains(" y=\"42.0\" ")));
}

#[test]
fn a_schedule_without_shifts_says_so() {
    let mut schedule = schedule();
    schedule.shifts.clear();
    let html = page(&config(), &schedule);
    assert!(html.contains("No shifts."));
}
