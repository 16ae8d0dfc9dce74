//! `report.html`: one self-contained page (inline CSS and SVG, no network) showing who is
//! on call when, each member's load against their fair share, hours by class, and how the
//! solver did.
//!
//! All numbers and geometry are computed here; the template (report.html.j2) only lays
//! them out, so the page is deterministic and the arithmetic is testable in Rust.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::schedule::{Schedule, ShiftOut};

const TEMPLATE_NAME: &str = "report.html.j2";
const TEMPLATE: &str = include_str!("report.html.j2");

/// Width of the shift timeline of one week, in SVG user units (the SVG scales to the page).
const WEEK_WIDTH: f64 = 840.0;
const LABEL_WIDTH: f64 = 96.0;
const LANE_HEIGHT: f64 = 22.0;
const HEADER_HEIGHT: f64 = 18.0;
/// Width of the bars in the member table.
const BAR_WIDTH: f64 = 220.0;
/// Roughly the advance of one character of the 11-unit label font, to decide how much of a
/// name fits in a block.
const CHAR_WIDTH: f64 = 6.2;
/// The timeline shows at most this many weeks (two years).
const MAX_WEEKS: usize = 106;

/// The HTML report of a schedule: names, the team's zone, layer order and subscribe
/// links come from its `directory`, so `rota solve` and `rota report --html` give the
/// same page.
pub fn render(schedule: &Schedule) -> String {
    render_view(&Report::new(schedule))
}

fn render_view(report: &Report) -> String {
    render_template(TEMPLATE_NAME, TEMPLATE, report)
}

/// Renders one of rota's HTML pages (this report, `rota serve`'s index) from its template
/// with HTML escaping on. The templates are fixed and covered by tests, so this cannot fail
/// on user input; should it fail anyway, the page says so instead of the process panicking.
pub(crate) fn render_template(name: &str, template: &str, view: &impl Serialize) -> String {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    let rendered = env
        .add_template(name, template)
        .and_then(|()| env.get_template(name))
        .and_then(|t| t.render(view));
    rendered.unwrap_or_else(|e| {
        format!(
            "<!DOCTYPE html><meta charset=\"utf-8\"><title>rota</title>\
             <p>internal error: {name} could not be rendered: {}</p>\n",
            escape_html(&e.to_string())
        )
    })
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Debug, Serialize)]
struct Report {
    team: String,
    /// How fair, in words (`fairest possible`), and how the solve ended: the page's lead.
    verdict: String,
    verdict_how: String,
    /// What the verdict means for the people on the rota.
    verdict_note: &'static str,
    period: String,
    generated_at: String,
    timezone: String,
    solver: SolverView,
    metrics: Vec<MetricView>,
    calendar_url: Option<String>,
    feeds: Vec<FeedView>,
    members: Vec<MemberView>,
    /// Whether any member brings points from earlier periods (shows the column).
    has_history: bool,
    /// Back-to-back pairs with shifts held before the period, one line each.
    pairs_across_start: Vec<String>,
    legend: Vec<Swatch>,
    weeks: Vec<WeekView>,
    /// The schedule runs past the weeks shown.
    weeks_cut: bool,
    geometry: Geometry,
    resolve: Option<ResolveView>,
}

/// A re-solve's moves and frontier (`schedule.json`'s `resolve`).
#[derive(Debug, Serialize)]
struct ResolveView {
    previous: String,
    forced: String,
    optional: u32,
    /// `at most 2, ` or empty (`--rebalance`).
    allowed: String,
    price: String,
    frontier: Vec<FrontierView>,
    hint: Option<String>,
}

#[derive(Debug, Serialize)]
struct FrontierView {
    budget: String,
    moves: u32,
    imbalance: String,
    deviation: String,
    back_to_back: u32,
    objective: String,
    bound: String,
    chosen: bool,
}

fn resolve_view(schedule: &Schedule) -> Option<ResolveView> {
    let r = schedule.resolve.as_ref()?;
    let chosen = schedule.metrics.churn;
    let row = super::terminal::chosen_row(r, chosen);
    Some(ResolveView {
        previous: r.previous.clone(),
        forced: format!(
            "{} move{}",
            r.forced_moves,
            if r.forced_moves == 1 { "" } else { "s" }
        ),
        optional: r.optional_moves,
        allowed: r
            .optional_allowed
            .map_or_else(String::new, |n| format!("at most {n}, ")),
        price: fmt2(r.move_price),
        frontier: r
            .frontier
            .iter()
            .enumerate()
            .map(|(i, p)| FrontierView {
                budget: p
                    .max_moves
                    .map_or_else(|| "unlimited".to_string(), |n| n.to_string()),
                moves: p.moves,
                imbalance: fmt2(p.imbalance),
                deviation: fmt1(p.deviation),
                back_to_back: p.back_to_back_after_hours,
                objective: fmt1(p.objective),
                bound: p.bound.map_or_else(|| "–".to_string(), fmt1),
                chosen: Some(i) == row,
            })
            .collect(),
        hint: super::terminal::resolve_hint(r, chosen),
    })
}

#[derive(Debug, Serialize)]
struct SolverView {
    status: String,
    optimal: bool,
    objective: String,
    bound: String,
    gap_percent: String,
    seconds: String,
}

#[derive(Debug, Serialize)]
struct MetricView {
    label: &'static str,
    value: String,
    note: &'static str,
}

#[derive(Debug, Serialize)]
struct FeedView {
    label: String,
    url: String,
    webcal: Option<String>,
}

#[derive(Debug, Serialize)]
struct MemberView {
    id: String,
    name: String,
    /// The member's own zone, when the config is known.
    zone: Option<String>,
    color: String,
    shifts: u32,
    capacity: String,
    business: String,
    after_hours: String,
    weekend: String,
    holiday: String,
    load: String,
    history: String,
    normalized: String,
    fair_share: String,
    difference: String,
    /// `over`, `under` or `even`: for colouring the difference.
    balance: &'static str,
    back_to_back: u32,
    /// Of those, pairs with a shift held before the period.
    back_to_back_earlier: u32,
    /// Zero capacity: not compared with anyone.
    outside_fairness: bool,
    load_bar: f64,
    fair_marker: f64,
    hour_bars: Vec<Segment>,
}

#[derive(Debug, Serialize)]
struct Segment {
    class: &'static str,
    x: f64,
    width: f64,
    title: String,
}

#[derive(Debug, Serialize)]
struct Swatch {
    name: String,
    color: String,
}

#[derive(Debug, Serialize)]
struct Geometry {
    width: f64,
    bar_width: f64,
    /// The load bar's SVG is wider than the bar so the fair-share mark fits at 100 %.
    load_svg_width: f64,
}

/// One week of the timeline: Monday 00:00 to Monday 00:00 in the report's zone.
#[derive(Debug, Serialize)]
struct WeekView {
    label: String,
    height: f64,
    days: Vec<DayView>,
    lanes: Vec<LaneView>,
    blocks: Vec<Block>,
}

#[derive(Debug, Serialize)]
struct DayView {
    x: f64,
    width: f64,
    text_x: f64,
    label: String,
    weekend: bool,
    /// Outside `[period.start, period.end)`.
    outside: bool,
}

#[derive(Debug, Serialize)]
struct LaneView {
    y: f64,
    text_y: f64,
    label: String,
}

/// A shift (or the part of it inside the week) drawn as a coloured bar.
#[derive(Debug, Serialize)]
struct Block {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    text_x: f64,
    text_y: f64,
    color: String,
    text: String,
    title: String,
}

/// Names, colours, zone and layer order: from the schedule's directory, ids and UTC where
/// it has none (a file written before it).
struct Directory {
    zone: Tz,
    names: BTreeMap<String, String>,
    zones: BTreeMap<String, String>,
    colors: BTreeMap<String, String>,
    /// Member ids in display order.
    members: Vec<String>,
    layers: Vec<String>,
}

impl Directory {
    fn new(schedule: &Schedule) -> Self {
        let known = &schedule.directory;
        let mut members: Vec<String> = known.people.iter().map(|p| p.id.clone()).collect();
        let seen = |list: &Vec<String>, id: &str| list.iter().any(|m| m == id);
        for id in schedule
            .members
            .iter()
            .map(|m| &m.id)
            .chain(schedule.shifts.iter().map(|s| &s.member))
        {
            if !seen(&members, id) {
                members.push(id.clone());
            }
        }
        let mut layers = known.layers.clone();
        for shift in &schedule.shifts {
            if !seen(&layers, &shift.layer) {
                layers.push(shift.layer.clone());
            }
        }
        let names = members
            .iter()
            .map(|id| {
                let name = known
                    .people
                    .iter()
                    .find(|p| &p.id == id)
                    .map_or_else(|| id.clone(), |p| p.name.clone());
                (id.clone(), name)
            })
            .collect();
        let zones = known
            .people
            .iter()
            .map(|p| (p.id.clone(), p.timezone.name().to_owned()))
            .collect();
        let colors = members
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), member_color(i)))
            .collect();
        Directory {
            zone: schedule.zone().unwrap_or(Tz::UTC),
            names,
            zones,
            colors,
            members,
            layers,
        }
    }

    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }

    fn color(&self, id: &str) -> String {
        self.colors
            .get(id)
            .cloned()
            .unwrap_or_else(|| member_color(0))
    }
}

/// A light qualitative palette (after ColorBrewer Set3, with its palest colours deepened
/// so bars stand out on white) so dark text stays readable and neighbours in the legend
/// are easy to tell apart; past it, golden-angle hues at two lightness levels.
const PALETTE: [&str; 11] = [
    "#8dd3c7", "#f2d45c", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#f5a9cf",
    "#bc80bd", "#9fd8a4", "#c9b38a",
];

fn member_color(index: usize) -> String {
    match PALETTE.get(index) {
        Some(color) => (*color).to_owned(),
        None => {
            let hue = (index as f64 * 137.508) % 360.0;
            let lightness = if index.is_multiple_of(2) { 78 } else { 68 };
            format!("hsl({hue:.0}, 62%, {lightness}%)")
        }
    }
}

impl Report {
    fn new(schedule: &Schedule) -> Self {
        let dir = Directory::new(schedule);
        let members = member_views(&dir, schedule);
        let legend = dir
            .members
            .iter()
            .filter(|id| schedule.shifts.iter().any(|s| &s.member == *id))
            .map(|id| Swatch {
                name: dir.name(id).to_owned(),
                color: dir.color(id),
            })
            .collect();
        let calendar_url = schedule.directory.calendar_url.clone();
        let (weeks, weeks_cut) = week_views(&dir, schedule);
        let feeds = calendar_url
            .as_deref()
            .map(|url| feed_links(url, &dir, schedule))
            .unwrap_or_default();
        let (verdict, verdict_how) = crate::output::terminal::verdict(schedule);
        let proven_fairest = schedule.solver.status == "optimal"
            && crate::output::terminal::percent(schedule.solver.gap) == "0";
        let verdict_note = if proven_fairest {
            "No schedule spreads the load more evenly under these rules."
        } else if schedule.solver.status == "optimal" {
            "Close enough for the gap the solve was asked for."
        } else if schedule.resolve.is_some() {
            // A re-solve keeps moves few on purpose; more time is not what it lacks.
            "Only what the edit forces moved, and a few moves that pay; the re-solve section shows what more moves would buy (--max-moves N, --rebalance)."
        } else {
            "A fairer schedule may exist: a longer --time-limit may find it."
        };
        Report {
            team: schedule.team.clone(),
            verdict: capitalized(&verdict),
            verdict_how,
            verdict_note,
            period: format!(
                "{} – {} (end exclusive)",
                schedule.period.start, schedule.period.end
            ),
            generated_at: schedule.generated_at.to_rfc3339(),
            timezone: dir.zone.name().to_owned(),
            solver: SolverView {
                status: schedule.solver.status.clone(),
                optimal: schedule.solver.status == "optimal",
                objective: fmt2(schedule.solver.objective),
                bound: fmt2(schedule.solver.bound),
                gap_percent: fmt2(schedule.solver.gap * 100.0),
                seconds: fmt2(schedule.solver.seconds),
            },
            metrics: metric_views(schedule),
            calendar_url,
            feeds,
            has_history: schedule.members.iter().any(|m| m.history != 0.0),
            pairs_across_start: super::terminal::pairs_across_start(schedule, dir.zone),
            members,
            legend,
            weeks,
            weeks_cut,
            geometry: Geometry {
                width: LABEL_WIDTH + WEEK_WIDTH,
                bar_width: BAR_WIDTH,
                load_svg_width: BAR_WIDTH + 4.0,
            },
            resolve: resolve_view(schedule),
        }
    }
}

/// The first letter in upper case: the verdict starts a sentence on the page.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// SVG coordinates to 0.01 units: finer is invisible and only bloats the page.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One decimal, and never `-0.0`.
fn fmt1(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

fn fmt2(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" { "0.00".to_owned() } else { s }
}

fn metric_views(schedule: &Schedule) -> Vec<MetricView> {
    let m = &schedule.metrics;
    vec![
        MetricView {
            label: "Imbalance",
            value: fmt2(m.imbalance),
            note: "points per full capacity: highest minus lowest normalized load",
        },
        MetricView {
            label: "Deviation",
            value: fmt2(m.deviation),
            note: "points: sum over members of |load − fair share|",
        },
        MetricView {
            label: "Back-to-back after-hours",
            value: m.back_to_back_after_hours.to_string(),
            note: "pairs of after-hours shifts of one person with little rest between",
        },
        MetricView {
            label: "Total load",
            value: fmt1(m.total_load),
            note: "points of all shifts",
        },
        MetricView {
            label: "Prefer-off violations",
            value: m.prefer_off_violations.to_string(),
            note: "shifts on days someone asked to keep free",
        },
        MetricView {
            label: "Churn",
            value: m.churn.to_string(),
            note: "shifts reassigned relative to the previous schedule",
        },
    ]
}

fn feed_links(url: &str, dir: &Directory, schedule: &Schedule) -> Vec<FeedView> {
    let base = if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    };
    let mut named = vec![("Whole team".to_owned(), "team".to_owned())];
    for layer in &dir.layers {
        named.push((format!("Layer {layer}"), layer.clone()));
    }
    // Only members of the config have a feed (the calendar writer makes one per member).
    for person in &schedule.directory.people {
        named.push((person.name.clone(), person.id.clone()));
    }
    named
        .into_iter()
        .map(|(label, file)| {
            let url = format!("{base}{file}.ics");
            FeedView {
                label,
                webcal: webcal(&url),
                url,
            }
        })
        .collect()
}

/// The `webcal://` form of an http(s) feed URL: calendar apps open it as a subscription
/// rather than downloading the file once.
pub(crate) fn webcal(url: &str) -> Option<String> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| format!("webcal://{rest}"))
}

fn member_views(dir: &Directory, schedule: &Schedule) -> Vec<MemberView> {
    let scale_points = schedule
        .members
        .iter()
        .map(|m| m.load.max(m.fair_share))
        .fold(0.0_f64, f64::max);
    let scale_hours = schedule
        .members
        .iter()
        .map(|m| m.hours.total())
        .fold(0.0_f64, f64::max);
    let bar = |value: f64, scale: f64| {
        if scale > 0.0 && value > 0.0 {
            value / scale * BAR_WIDTH
        } else {
            0.0
        }
    };
    schedule
        .members
        .iter()
        .map(|m| {
            let difference = m.load - m.fair_share;
            let outside_fairness = m.capacity <= 0.0;
            let balance = match fmt1(difference).as_str() {
                _ if outside_fairness => "even",
                "0.0" => "even",
                _ if difference > 0.0 => "over",
                _ => "under",
            };
            let mut x = 0.0;
            let hour_bars = [
                ("business", "business", m.hours.business),
                ("after-hours", "after_hours", m.hours.after_hours),
                ("weekend", "weekend", m.hours.weekend),
                ("holiday", "holiday", m.hours.holiday),
            ]
            .into_iter()
            .filter(|(_, _, hours)| *hours > 0.0)
            .map(|(label, class, hours)| {
                let width = bar(hours, scale_hours);
                let segment = Segment {
                    class,
                    x: round2(x),
                    width: round2(width),
                    title: format!("{} h {label}", fmt1(hours)),
                };
                x += width;
                segment
            })
            .collect();
            MemberView {
                id: m.id.clone(),
                name: dir.name(&m.id).to_owned(),
                zone: dir.zones.get(&m.id).cloned(),
                color: dir.color(&m.id),
                shifts: m.shifts,
                capacity: fmt2(m.capacity),
                business: fmt1(m.hours.business),
                after_hours: fmt1(m.hours.after_hours),
                weekend: fmt1(m.hours.weekend),
                holiday: fmt1(m.hours.holiday),
                load: fmt1(m.load),
                history: fmt1(m.history),
                normalized: fmt1(m.normalized),
                fair_share: fmt1(m.fair_share),
                difference: if difference > 0.0 && fmt1(difference) != "0.0" {
                    format!("+{}", fmt1(difference))
                } else {
                    fmt1(difference)
                },
                balance,
                back_to_back: m.back_to_back_after_hours,
                back_to_back_earlier: m.back_to_back_earlier,
                outside_fairness,
                load_bar: round2(bar(m.load, scale_points)),
                fair_marker: round2(bar(m.fair_share, scale_points) + 1.0),
                hour_bars,
            }
        })
        .collect()
}

/// Local midnight of `date` in `zone` as an instant. Where midnight falls in a DST gap
/// (some zones change at 00:00) the day starts at the first local time after the gap.
fn local_midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // Gaps are at most a few hours; stepping in quarter hours finds the end of any real one.
    (0..=4 * 24)
        .find_map(|quarter| {
            let local = midnight.checked_add_signed(Duration::minutes(15 * quarter))?;
            zone.from_local_datetime(&local).earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The timeline's weeks, and whether it was cut at [`MAX_WEEKS`].
fn week_views(dir: &Directory, schedule: &Schedule) -> (Vec<WeekView>, bool) {
    if schedule.shifts.is_empty() {
        return (Vec::new(), false);
    }
    let zone = dir.zone;
    let local_date = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
    let first = schedule
        .shifts
        .iter()
        .map(|s| local_date(s.start))
        .min()
        .map_or(schedule.period.start, |d| d.min(schedule.period.start));
    // The last instant drawn is the end of the last shift (coverage may run past the
    // period's end to the next handoff).
    let last = schedule
        .shifts
        .iter()
        .map(|s| {
            local_date(
                s.end
                    .checked_sub_signed(Duration::seconds(1))
                    .unwrap_or(s.end),
            )
        })
        .max()
        .map_or(schedule.period.end, |d| {
            d.max(schedule.period.end.pred_opt().unwrap_or(d))
        });

    let lanes = lanes_per_layer(dir, schedule);
    let lane_count: usize = lanes.iter().map(|(_, n)| n).sum();
    let height = HEADER_HEIGHT + LANE_HEIGHT * lane_count as f64;

    let back = Days::new(u64::from(first.weekday().num_days_from_monday()));
    let mut monday = first.checked_sub_days(back).unwrap_or(first);
    let mut weeks = Vec::new();
    // A schedule.json from elsewhere may span any dates; the page stays a readable size
    // (and date arithmetic far from the chrono range's ends).
    while monday <= last && weeks.len() < MAX_WEEKS {
        let Some(next) = monday.checked_add_days(Days::new(7)) else {
            break;
        };
        weeks.push(week_view(dir, schedule, monday, &lanes, height));
        monday = next;
    }
    let cut = monday <= last;
    (weeks, cut)
}

/// Layers in display order with how many lanes each needs: the most shifts of that layer
/// that share one start (`per_shift`).
fn lanes_per_layer(dir: &Directory, schedule: &Schedule) -> Vec<(String, usize)> {
    let mut together: BTreeMap<(&str, DateTime<Utc>), usize> = BTreeMap::new();
    for s in &schedule.shifts {
        *together.entry((s.layer.as_str(), s.start)).or_default() += 1;
    }
    dir.layers
        .iter()
        .map(|layer| {
            let most = together
                .iter()
                .filter(|((l, _), _)| l == layer)
                .map(|(_, n)| *n)
                .max()
                .unwrap_or(1);
            (layer.clone(), most)
        })
        .collect()
}

fn week_view(
    dir: &Directory,
    schedule: &Schedule,
    monday: NaiveDate,
    lanes: &[(String, usize)],
    height: f64,
) -> WeekView {
    let zone = dir.zone;
    let week_start = local_midnight(zone, monday);
    // The caller checked that `monday` + 7 days is a valid date.
    let week_end = local_midnight(zone, monday + Duration::days(7));
    let span = (week_end - week_start).num_seconds().max(1) as f64;
    let x_of = |t: DateTime<Utc>| {
        let offset = (t - week_start).num_seconds() as f64 / span;
        LABEL_WIDTH + offset.clamp(0.0, 1.0) * WEEK_WIDTH
    };

    let days = (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let x = x_of(local_midnight(zone, date));
            let next = x_of(local_midnight(zone, date + Duration::days(1)));
            DayView {
                x: round2(x),
                width: round2(next - x),
                text_x: round2(x + 4.0),
                label: date.format("%a %d %b").to_string(),
                weekend: matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                outside: date < schedule.period.start || date >= schedule.period.end,
            }
        })
        .collect();

    let mut lane_views = Vec::new();
    let mut blocks = Vec::new();
    let mut y = HEADER_HEIGHT;
    for (layer, count) in lanes {
        lane_views.push(LaneView {
            y: round2(y),
            text_y: round2(y + LANE_HEIGHT - 7.0),
            label: layer.clone(),
        });
        let mut shifts: Vec<&ShiftOut> = schedule
            .shifts
            .iter()
            .filter(|s| &s.layer == layer && s.start < week_end && s.end > week_start)
            .collect();
        shifts.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
        // Shifts with the same start stack in lanes, in UID order (which carries the slot).
        let mut slot = 0;
        for (i, shift) in shifts.iter().enumerate() {
            slot = if i > 0 && shifts[i - 1].start == shift.start {
                slot + 1
            } else {
                0
            };
            blocks.push(block(dir, shift, x_of, y + LANE_HEIGHT * slot as f64));
        }
        y += LANE_HEIGHT * *count as f64;
    }

    WeekView {
        label: format!("Week of {}", monday.format("%a %Y-%m-%d")),
        height,
        days,
        lanes: lane_views,
        blocks,
    }
}

fn block(dir: &Directory, shift: &ShiftOut, x_of: impl Fn(DateTime<Utc>) -> f64, y: f64) -> Block {
    let x = x_of(shift.start);
    let width = (x_of(shift.end) - x).max(1.0);
    let name = dir.name(&shift.member);
    let fits = ((width - 6.0) / CHAR_WIDTH).floor().max(0.0) as usize;
    let text = label_that_fits(name, &shift.member, fits);
    let zone = dir.zone;
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).format("%a %Y-%m-%d %H:%M %Z");
    Block {
        x: round2(x),
        y: round2(y + 2.0),
        width: round2(width),
        height: LANE_HEIGHT - 4.0,
        text_x: round2(x + 4.0),
        text_y: round2(y + LANE_HEIGHT - 7.0),
        color: dir.color(&shift.member),
        text,
        title: format!(
            "{}: {name}\n{} → {}\n{} points",
            shift.layer,
            local(shift.start),
            local(shift.end),
            fmt1(shift.points)
        ),
    }
}

/// The full name if it fits, else the given name, else the id, else the given name cut.
fn label_that_fits(name: &str, id: &str, chars: usize) -> String {
    let given = name.split_whitespace().next().unwrap_or(name);
    [name, given, id]
        .into_iter()
        .find(|candidate| !candidate.is_empty() && candidate.chars().count() <= chars)
        .map_or_else(|| truncate(given, chars), str::to_owned)
}

/// At most `chars` characters, with an ellipsis when cut; empty when not even two fit.
fn truncate(name: &str, chars: usize) -> String {
    let count = name.chars().count();
    if count <= chars {
        name.to_owned()
    } else if chars < 2 {
        String::new()
    } else {
        let mut cut: String = name.chars().take(chars - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_with_an_ellipsis_only_when_too_long() {
        assert_eq!(truncate("Alice", 5), "Alice");
        assert_eq!(truncate("Alice", 4), "Ali…");
        assert_eq!(truncate("Ødegård", 3), "Ød…");
        assert_eq!(truncate("Alice", 1), "");
    }

    #[test]
    fn blocks_fall_back_to_the_given_name_then_the_id() {
        assert_eq!(
            label_that_fits("Alice Liddell", "alice", 20),
            "Alice Liddell"
        );
        assert_eq!(label_that_fits("Alice Liddell", "alice", 6), "Alice");
        assert_eq!(label_that_fits("Maximiliane Mustermann", "max", 6), "max");
        assert_eq!(
            label_that_fits("Maximiliane Mustermann", "maximiliane", 6),
            "Maxim…"
        );
    }

    #[test]
    fn local_midnight_respects_offsets_and_dst_gaps() {
        let ny: Tz = "America/New_York".parse().expect("zone");
        let date = NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
        assert_eq!(
            local_midnight(ny, date).to_rfc3339(),
            "2027-01-04T05:00:00+00:00"
        );
        // Santiago springs forward at 00:00 → 01:00 on 2024-09-08: the day starts at 01:00
        // local, which is 04:00 UTC (−03:00).
        let santiago: Tz = "America/Santiago".parse().expect("zone");
        let gap_day = NaiveDate::from_ymd_opt(2024, 9, 8).expect("date");
        assert_eq!(
            local_midnight(santiago, gap_day).to_rfc3339(),
            "2024-09-08T04:00:00+00:00"
        );
    }

    #[test]
    fn colors_differ_for_neighbours() {
        let colors: Vec<String> = (0..40).map(member_color).collect();
        let mut unique = colors.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), colors.len());
    }

    #[test]
    fn pairs_across_the_start_are_listed_and_counted_per_member() {
        let mut schedule = crate::testkit::fixture::solved();
        let first = schedule.shifts[0].clone();
        schedule.members[0].back_to_back_earlier = 1;
        schedule.earlier = vec![crate::schedule::EarlierOut {
            layer: first.layer.clone(),
            start: first.start - chrono::Duration::days(1),
            end: first.start,
            member: schedule.members[0].id.clone(),
            source: "q1/schedule.json".into(),
            back_to_back_with: vec![crate::schedule::ShiftRef {
                layer: first.layer.clone(),
                start: first.start,
            }],
        }];
        let page = render(&schedule);
        assert!(page.contains("(1 across the start)"), "{page}");
        let line = &crate::output::terminal::pairs_across_start(&schedule, Tz::UTC)[0];
        assert!(line.contains("(q1/schedule.json), then"), "{line}");
        // As minijinja escapes it.
        let escaped = line.replace('/', "&#x2f;");
        assert!(page.contains(&format!("<li>{escaped}</li>")), "{page}");
    }

    #[test]
    fn a_template_that_fails_renders_a_page_that_says_so() {
        let page = render_template("broken.html", "{{ <b> }}", &());
        assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
        assert!(
            page.contains("internal error: broken.html could not be rendered: "),
            "{page}"
        );
        assert!(!page.contains("<b>"), "the error is escaped: {page}");
    }

    #[test]
    fn webcal_links_replace_the_http_scheme_only() {
        assert_eq!(
            webcal("https://oncall.example.org/team.ics").as_deref(),
            Some("webcal://oncall.example.org/team.ics")
        );
        assert_eq!(
            webcal("http://host/x.ics").as_deref(),
            Some("webcal://host/x.ics")
        );
        assert_eq!(webcal("file:///srv/x.ics"), None);
    }

    #[test]
    fn the_timeline_is_cut_at_two_years_for_any_input() {
        let mut schedule = crate::schedule::Schedule {
            version: 1,
            team: "t".into(),
            timezone: None,
            period: crate::schedule::PeriodOut {
                start: NaiveDate::MIN,
                end: NaiveDate::MAX,
            },
            generated_at: DateTime::<Utc>::MIN_UTC,
            config_sha256: String::new(),
            solver: crate::schedule::SolverInfo {
                status: "optimal".into(),
                objective: 0.0,
                bound: 0.0,
                gap: 0.0,
                seconds: 0.0,
            },
            shifts: Vec::new(),
            earlier: Vec::new(),
            members: Vec::new(),
            metrics: crate::problem::evaluate::Metrics::default(),
            directory: Default::default(),
            resolve: None,
        };
        schedule.shifts.push(ShiftOut {
            layer: "p".into(),
            start: DateTime::<Utc>::MIN_UTC,
            end: DateTime::<Utc>::MAX_UTC,
            member: "a".into(),
            points: 1.0,
            uid: "u".into(),
            sequence: 0,
            modified: None,
        });
        let report = Report::new(&schedule);
        assert_eq!(report.weeks.len(), MAX_WEEKS);
        assert!(report.weeks_cut);
        assert!(render(&schedule).contains("first 106 weeks"));
    }

    #[test]
    fn rounding_never_shows_negative_zero() {
        assert_eq!(fmt1(-0.04), "0.0");
        assert_eq!(fmt2(-0.004), "0.00");
        assert_eq!(fmt1(-1.25), "-1.2");
    }
}
