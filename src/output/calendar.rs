//! iCalendar feeds (RFC 5545): team, one per layer, one per member; times in UTC.
//!
//! Subscribers identify an event by its UID and take the highest SEQUENCE as current, so
//! both come from schedule.json (derived from team, layer and start, never the assignee)
//! and DTSTAMP/LAST-MODIFIED are the `now` passed in: the same schedule renders to the
//! same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::{Config, Member, TemplateValues};
use crate::output::ics::{self, IcsWriter};
use crate::schedule::{Schedule, ShiftOut};

const PRODID: &str = "-//rota//rota on-call scheduler//EN";

/// Every feed as `(calendars/NAME.ics, text)`: `team.ics`, one per layer, one per member
/// (empty calendar for a member without shifts). With `previous`, a member's feed keeps
/// shifts that moved away from them as STATUS:CANCELLED with the same UID; a member of
/// `previous` no longer in the config keeps a feed of just those cancellations.
pub fn render_all(
    config: &Config,
    schedule: &Schedule,
    previous: Option<&Schedule>,
    now: DateTime<Utc>,
) -> Vec<(PathBuf, String)> {
    let ctx = Context::new(config, schedule);
    let active: Vec<Event> = schedule.shifts.iter().map(Event::active).collect();
    let moved = moved_away(schedule, previous);

    let mut files = Vec::new();
    let mut push = |file: &str, title: String, events: Vec<Event>| {
        let text = ctx.render_feed(&title, events, now);
        files.push((PathBuf::from("calendars").join(format!("{file}.ics")), text));
    };

    push(
        "team",
        format!("{} — on call", config.team.name),
        active.clone(),
    );
    for layer in &config.layers {
        let events = active
            .iter()
            .filter(|e| e.shift.layer == layer.name)
            .cloned()
            .collect();
        push(
            &layer.name,
            format!("{} — {}", config.team.name, layer.name),
            events,
        );
    }
    for member in &config.members {
        let mut events: Vec<Event> = active
            .iter()
            .filter(|e| e.shift.member == member.id)
            .cloned()
            .collect();
        events.extend(
            moved
                .iter()
                .filter(|e| e.shift.member == member.id)
                .cloned(),
        );
        push(
            &member.id,
            format!("{} — {}", config.team.name, member.name),
            events,
        );
    }
    // Someone who left the team since `previous` still has subscribers: their feed stays,
    // holding only the cancellations, instead of going stale at its last version.
    let taken: BTreeSet<&str> = std::iter::once("team")
        .chain(config.layers.iter().map(|l| l.name.as_str()))
        .chain(config.members.iter().map(|m| m.id.as_str()))
        .collect();
    let departed: BTreeSet<&str> = moved
        .iter()
        .map(|e| e.shift.member.as_str())
        .filter(|id| !taken.contains(id))
        .collect();
    let gone = gone(schedule, previous, &taken, now);
    let departed = departed
        .into_iter()
        .chain(gone.iter().map(|e| e.shift.member.as_str()));
    for id in departed.collect::<BTreeSet<_>>() {
        let events = moved
            .iter()
            .chain(&gone)
            .filter(|e| e.shift.member == id)
            .cloned()
            .collect();
        push(id, format!("{} — {id}", config.team.name), events);
    }
    files
}

/// Shifts of `previous` held by members no longer in the config (`taken` names those
/// still there) that no shift of `schedule` continues and that had not started by `now`:
/// cancelled, so their subscribers' calendars drop them rather than keep them confirmed.
fn gone<'a>(
    schedule: &Schedule,
    previous: Option<&'a Schedule>,
    taken: &BTreeSet<&str>,
    now: DateTime<Utc>,
) -> Vec<Event<'a>> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let uids: BTreeSet<&str> = schedule.shifts.iter().map(|s| s.uid.as_str()).collect();
    previous
        .shifts
        .iter()
        .filter(|old| {
            !taken.contains(old.member.as_str())
                && !uids.contains(old.uid.as_str())
                && old.start >= now
        })
        .map(|old| Event {
            shift: old,
            sequence: old.sequence + 1,
            cancelled: Some(Cancelled::Gone),
        })
        .collect()
}

/// One VEVENT: a shift of the schedule, or a shift of the previous schedule that is now
/// someone else's (cancelled in its former holder's feed).
#[derive(Debug, Clone)]
struct Event<'a> {
    shift: &'a ShiftOut,
    sequence: u32,
    /// Why `shift` is cancelled in `shift.member`'s feed, if it is.
    cancelled: Option<Cancelled<'a>>,
}

#[derive(Debug, Clone, Copy)]
enum Cancelled<'a> {
    /// The member now holding the shift.
    MovedTo(&'a str),
    /// The shift is no longer on the rota (a departed member's, not yet started).
    Gone,
}

impl<'a> Event<'a> {
    fn active(shift: &'a ShiftOut) -> Self {
        Event {
            shift,
            sequence: shift.sequence,
            cancelled: None,
        }
    }
}

/// Shifts of `previous` whose UID now belongs to someone else. Their SEQUENCE is above
/// the previous one and at least the new event's, so clients that imported the old event
/// apply the cancellation.
fn moved_away<'a>(schedule: &'a Schedule, previous: Option<&'a Schedule>) -> Vec<Event<'a>> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let now_held: BTreeMap<&str, &ShiftOut> = schedule
        .shifts
        .iter()
        .map(|s| (s.uid.as_str(), s))
        .collect();
    previous
        .shifts
        .iter()
        .filter_map(|old| {
            let new = now_held.get(old.uid.as_str())?;
            (new.member != old.member).then(|| Event {
                shift: old,
                sequence: (old.sequence + 1).max(new.sequence),
                cancelled: Some(Cancelled::MovedTo(new.member.as_str())),
            })
        })
        .collect()
}

/// What the descriptions need to know besides the event itself.
struct Context<'a> {
    config: &'a Config,
    /// Holders of each layer's shifts by (layer, start) and by (layer, end), for
    /// "takes over from" and "hands over to".
    by_start: BTreeMap<(&'a str, DateTime<Utc>), Vec<&'a str>>,
    by_end: BTreeMap<(&'a str, DateTime<Utc>), Vec<&'a str>>,
}

impl<'a> Context<'a> {
    fn new(config: &'a Config, schedule: &'a Schedule) -> Self {
        let mut by_start: BTreeMap<_, Vec<&str>> = BTreeMap::new();
        let mut by_end: BTreeMap<_, Vec<&str>> = BTreeMap::new();
        for s in &schedule.shifts {
            by_start
                .entry((s.layer.as_str(), s.start))
                .or_default()
                .push(s.member.as_str());
            by_end
                .entry((s.layer.as_str(), s.end))
                .or_default()
                .push(s.member.as_str());
        }
        Context {
            config,
            by_start,
            by_end,
        }
    }

    fn member(&self, id: &str) -> Option<&'a Member> {
        self.config.members.iter().find(|m| m.id == id)
    }

    fn member_name<'s>(&'s self, id: &'s str) -> &'s str {
        self.member(id).map_or(id, |m| m.name.as_str())
    }

    /// What `[calendar]` templates fill in for this shift.
    fn values<'s>(&'s self, shift: &'s ShiftOut) -> TemplateValues<'s> {
        let member = self.member(&shift.member);
        TemplateValues {
            layer: &shift.layer,
            id: &shift.member,
            name: self.member_name(&shift.member),
            email: member.and_then(|m| m.email.as_deref()),
            team: &self.config.team.name,
        }
    }

    /// The `[calendar] summary` template, or `On call: LAYER — NAME`.
    fn summary(&self, shift: &ShiftOut) -> String {
        match &self.config.calendar.summary {
            Some(template) => template.render(&self.values(shift)),
            None => format!(
                "On call: {} — {}",
                shift.layer,
                self.member_name(&shift.member)
            ),
        }
    }

    /// The member's own zone; the team's for an id the config no longer has.
    fn member_zone(&self, id: &str) -> Tz {
        self.member(id)
            .map_or(self.config.team.timezone, |m| m.timezone)
    }

    /// Layers in config order; a layer the config no longer has sorts after, by name.
    fn layer_rank(&self, name: &str) -> usize {
        self.config
            .layers
            .iter()
            .position(|l| l.name == name)
            .unwrap_or(self.config.layers.len())
    }

    fn render_feed(&self, title: &str, mut events: Vec<Event>, now: DateTime<Utc>) -> String {
        events.sort_by(|a, b| {
            (
                a.shift.start,
                self.layer_rank(&a.shift.layer),
                &a.shift.layer,
            )
                .cmp(&(
                    b.shift.start,
                    self.layer_rank(&b.shift.layer),
                    &b.shift.layer,
                ))
                .then_with(|| a.shift.uid.cmp(&b.shift.uid))
                .then_with(|| a.cancelled.is_some().cmp(&b.cancelled.is_some()))
        });
        let mut w = IcsWriter::new();
        w.begin("VCALENDAR");
        w.raw("VERSION", "2.0");
        w.text("PRODID", PRODID);
        w.raw("CALSCALE", "GREGORIAN");
        w.raw("METHOD", "PUBLISH");
        w.text("NAME", title);
        w.text("X-WR-CALNAME", title);
        w.text("X-WR-TIMEZONE", self.config.team.timezone.name());
        w.raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
        w.raw("X-PUBLISHED-TTL", "PT1H");
        for event in &events {
            self.write_event(&mut w, event, now);
        }
        w.end("VCALENDAR");
        w.finish()
    }

    fn write_event(&self, w: &mut IcsWriter, event: &Event, now: DateTime<Utc>) {
        let shift = event.shift;
        w.begin("VEVENT");
        w.text("UID", &shift.uid);
        w.utc("DTSTAMP", now);
        // Only an event that changed was modified now; the others keep when they last did.
        let modified = match event.cancelled {
            None => shift.modified.unwrap_or(now),
            Some(_) => now,
        };
        w.utc("LAST-MODIFIED", modified);
        w.utc("DTSTART", shift.start);
        w.utc("DTEND", shift.end);
        w.raw("SEQUENCE", &event.sequence.to_string());
        let summary = self.summary(shift);
        match event.cancelled {
            // Clients that ignore STATUS would otherwise still show the shift as theirs.
            Some(Cancelled::MovedTo(to)) => w.text(
                "SUMMARY",
                &format!("Cancelled: {summary} (now {})", self.member_name(to)),
            ),
            Some(Cancelled::Gone) => w.text("SUMMARY", &format!("Cancelled: {summary}")),
            None => w.text("SUMMARY", &summary),
        }
        w.text("DESCRIPTION", &self.description(event));
        // The holder as the event's one attendee: calendar apps show who it is, and tools
        // that take a single ATTENDEE as the person on call (as Grafana OnCall does) find it.
        if let Some(member) = self.member(&shift.member)
            && let Some(email) = &member.email
        {
            w.raw(
                &format!("ATTENDEE;CN={}", ics::param_value(&member.name)),
                &ics::mailto(email),
            );
        }
        w.text("CATEGORIES", "On call");
        w.raw(
            "STATUS",
            if event.cancelled.is_some() {
                "CANCELLED"
            } else {
                "CONFIRMED"
            },
        );
        w.raw("TRANSP", "TRANSPARENT");
        let alarm = self.config.calendar.alarm_minutes;
        if alarm > 0 && event.cancelled.is_none() {
            w.begin("VALARM");
            w.raw("ACTION", "DISPLAY");
            w.text("DESCRIPTION", &format!("On call soon: {}", shift.layer));
            w.raw("TRIGGER", &format!("-PT{alarm}M"));
            w.end("VALARM");
        }
        w.end("VEVENT");
    }

    /// The `[calendar] description` template, or who is on call, the handoff times in
    /// both zones and the neighbouring holders. A cancellation always says so first.
    fn description(&self, event: &Event) -> String {
        let shift = event.shift;
        let name = self.member_name(&shift.member);
        let mut lines = Vec::new();
        match event.cancelled {
            Some(Cancelled::MovedTo(to)) => lines.push(format!(
                "Cancelled for {name}: this shift is now {}'s.",
                self.member_name(to)
            )),
            Some(Cancelled::Gone) => {
                lines.push(format!("Cancelled for {name}: no longer on this rota."))
            }
            None => {}
        }
        if let Some(template) = &self.config.calendar.description {
            lines.push(template.render(&self.values(shift)));
            return lines.join("\n");
        }
        if event.cancelled.is_none() {
            lines.push(format!(
                "{name} is on call for {} ({}).",
                shift.layer, self.config.team.name
            ));
        }
        let zone = self.member_zone(&shift.member);
        lines.push(format!("Starts: {}", self.both_zones(shift.start, zone)));
        lines.push(format!("Ends: {}", self.both_zones(shift.end, zone)));
        if event.cancelled.is_none() {
            let key = |at| (shift.layer.as_str(), at);
            lines.push(format!(
                "Takes over from: {}",
                self.names(self.by_end.get(&key(shift.start)))
            ));
            lines.push(format!(
                "Hands over to: {}",
                self.names(self.by_start.get(&key(shift.end)))
            ));
        }
        lines.join("\n")
    }

    /// `Mon 2027-01-04 16:00 CET (Europe/Berlin)`, then the team's zone when it differs.
    fn both_zones(&self, at: DateTime<Utc>, member_zone: Tz) -> String {
        let team = self.config.team.timezone;
        let local = |tz: Tz| {
            format!(
                "{} ({})",
                at.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z"),
                tz.name()
            )
        };
        if member_zone == team {
            local(team)
        } else {
            format!("{} / team: {}", local(member_zone), local(team))
        }
    }

    fn names(&self, holders: Option<&Vec<&str>>) -> String {
        match holders {
            Some(ids) if !ids.is_empty() => ids
                .iter()
                .map(|id| self.member_name(id))
                .collect::<Vec<_>>()
                .join(", "),
            _ => "nobody (no adjoining shift in this schedule)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::config::Template;
    use crate::testkit::weeks::{config, schedule_of, seat, t0};

    /// ann (with an email and a name that needs quoting) holds the first week of
    /// `primary`, ben (no email) the second.
    fn team() -> (Config, Schedule) {
        let mut config = config(&["ann", "ben"], &["primary"], 2);
        config.members[0].name = "Ann Ödegård, Jr.; \"A\"".into();
        config.members[0].email = Some("Ann@Example.com".into());
        let week = Duration::weeks(1);
        let schedule = schedule_of(vec![
            seat("primary", t0(), t0() + week, "ann"),
            seat("primary", t0() + week, t0() + week * 2, "ben"),
        ]);
        (config, schedule)
    }

    /// The logical lines (unfolded) of the feed `calendars/NAME.ics`.
    fn feed(
        config: &Config,
        schedule: &Schedule,
        previous: Option<&Schedule>,
        name: &str,
    ) -> Vec<String> {
        let files = render_all(config, schedule, previous, t0());
        let path = PathBuf::from("calendars").join(format!("{name}.ics"));
        let (_, text) = files.iter().find(|(p, _)| *p == path).expect("the feed");
        text.replace("\r\n ", "")
            .split_terminator("\r\n")
            .map(str::to_owned)
            .collect()
    }

    /// The lines of the feed `name` of [`team`] with its default settings.
    fn team_feed(name: &str) -> Vec<String> {
        let (config, schedule) = team();
        feed(&config, &schedule, None, name)
    }

    fn with_prefix<'l>(lines: &'l [String], prefix: &str) -> Vec<&'l str> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(prefix))
            .collect()
    }

    #[test]
    fn without_templates_the_summary_names_layer_and_member() {
        let lines = team_feed("primary");
        assert_eq!(
            with_prefix(&lines, "SUMMARY:"),
            [
                "On call: primary — Ann Ödegård\\, Jr.\\; \"A\"",
                "On call: primary — ben"
            ]
        );
        assert!(with_prefix(&lines, "DESCRIPTION:")[0].starts_with("Ann Ödegård"));
    }

    #[test]
    fn members_with_an_email_are_the_events_attendee() {
        let lines = team_feed("team");
        // One ATTENDEE, on ann's event only: ben has no email.
        assert_eq!(
            with_prefix(&lines, "ATTENDEE"),
            [";CN=\"Ann Ödegård, Jr.; ^'A^'\":mailto:Ann@Example.com"]
        );
    }

    #[test]
    fn templates_fill_summary_and_description() {
        let (mut config, schedule) = team();
        config.calendar.summary = Some(Template::parse("[L1] {email}").expect("valid"));
        config.calendar.description =
            Some(Template::parse("{name} ({id}) on {layer} of {team}").expect("valid"));
        let lines = feed(&config, &schedule, None, "primary");
        // ben has no email, which validation refuses for a real config: his id stands in.
        assert_eq!(
            with_prefix(&lines, "SUMMARY:"),
            ["[L1] Ann@Example.com", "[L1] ben"]
        );
        assert_eq!(
            with_prefix(&lines, "DESCRIPTION:"),
            [
                "Ann Ödegård\\, Jr.\\; \"A\" (ann) on primary of Test",
                "ben (ben) on primary of Test"
            ]
        );
    }

    #[test]
    fn a_cancelled_event_says_so_around_the_template() {
        let (mut config, schedule) = team();
        config.calendar.summary = Some(Template::parse("{email}").expect("valid"));
        config.calendar.description = Some(Template::parse("{layer}").expect("valid"));
        let mut now = schedule.clone();
        now.shifts[0].member = "ben".into();
        let lines = feed(&config, &now, Some(&schedule), "ann");
        assert_eq!(
            with_prefix(&lines, "SUMMARY:"),
            ["Cancelled: Ann@Example.com (now ben)"]
        );
        assert_eq!(
            with_prefix(&lines, "DESCRIPTION:"),
            ["Cancelled for Ann Ödegård\\, Jr.\\; \"A\": this shift is now ben's.\\nprimary"]
        );
        assert_eq!(with_prefix(&lines, "STATUS:"), ["CANCELLED"]);
    }

    #[test]
    fn a_departed_members_unstarted_shifts_that_are_gone_are_cancelled_in_their_feed() {
        let (config, schedule) = team();
        let week = Duration::weeks(1);
        let previous = schedule_of(vec![
            seat("primary", t0() - week, t0(), "cy"),
            seat("primary", t0(), t0() + week, "ann"),
            seat("primary", t0() + week * 2, t0() + week * 3, "cy"),
        ]);
        let lines = feed(&config, &schedule, Some(&previous), "cy");
        // The shift of the week before now stays as it was; the later one is cancelled.
        assert_eq!(
            with_prefix(&lines, "SUMMARY:"),
            ["Cancelled: On call: primary — cy"]
        );
        assert_eq!(with_prefix(&lines, "STATUS:"), ["CANCELLED"]);
        assert_eq!(with_prefix(&lines, "SEQUENCE:"), ["1"]);
    }

    #[test]
    fn last_modified_is_when_the_event_last_changed() {
        let (config, mut schedule) = team();
        let earlier = t0() - Duration::days(30);
        schedule.shifts[0].modified = Some(earlier);
        let lines = feed(&config, &schedule, None, "primary");
        let stamp = |at: DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
        assert_eq!(
            with_prefix(&lines, "LAST-MODIFIED:"),
            [stamp(earlier), stamp(t0())]
        );
        // DTSTAMP is the time of this rendering for every event.
        assert_eq!(with_prefix(&lines, "DTSTAMP:"), [stamp(t0()), stamp(t0())]);
    }
}
