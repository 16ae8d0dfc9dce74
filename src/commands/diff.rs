//! `rota diff OLD NEW [--json] [--timezone ZONE]`: what changed between two schedules,
//! grouped by member.
//!
//! Seats (one member on one shift) are compared. Identical seats cancel out; the rest
//! are paired into changes, most specific first:
//! 1. same layer, start and end, another member — *reassigned*;
//! 2. same layer and member, the times moved but the seats overlap by more than half of
//!    each — *retimed* (a handoff time changed);
//! 3. same layer, another member, overlapping by more than half of each — reassigned and
//!    retimed at once;
//! 4. whatever is left was *removed* (only in the old schedule) or *added*.
//!
//! [`ScheduleDiff::render_in`] shows the dates of the shift starts in a time zone of your
//! choice (by default the team's, which schedule.json names; UTC for files that do not).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::suggest::{did_you_mean, zone_names};
use crate::error::Error;
use crate::schedule::Schedule;

pub(crate) fn run(old: &Path, new: &Path, json: bool, timezone: Option<&str>) -> Result<(), Error> {
    let old = Schedule::read(old)?;
    let new = Schedule::read(new)?;
    // The team's zone, as solve's own diff shows it; UTC for files that do not name it.
    let zone = match timezone {
        Some(name) => parse_zone(name)?,
        None => [&new, &old]
            .iter()
            .find_map(|s| s.zone())
            .unwrap_or(chrono_tz::UTC),
    };
    let d = diff(&old, &new);
    if json {
        // Instants in JSON stay RFC 3339 UTC: unambiguous for programs.
        let text = serde_json::to_string_pretty(&d)
            .map_err(|e| Error::Internal(format!("cannot serialize the diff: {e}")))?;
        super::print(&format!("{text}\n"))
    } else {
        super::print(&d.render_in(zone))
    }
}

fn parse_zone(name: &str) -> Result<Tz, Error> {
    name.parse::<Tz>().map_err(|_| {
        let close = did_you_mean(name, zone_names()).map_or_else(
            || " — use an IANA name such as \"America/New_York\"".to_string(),
            |hint| format!(" — {hint}"),
        );
        Error::Usage(format!("--timezone: unknown time zone {name:?}{close}"))
    })
}

/// One member on one shift.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Seat {
    pub layer: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub member: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChangeKind {
    /// Another member holds it (its times may have moved as well).
    Reassigned,
    /// Same member, other times.
    Retimed,
    /// Only in the new schedule.
    Added,
    /// Only in the old schedule.
    Removed,
}

/// One seat that differs between the two schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Change {
    pub kind: ChangeKind,
    pub before: Option<Seat>,
    pub after: Option<Seat>,
}

/// A seat a member keeps, with other times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Move {
    pub before: Seat,
    pub after: Seat,
}

/// Everything that changed for one member, each list sorted by start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct MemberChanges {
    pub member: String,
    pub loses: Vec<Seat>,
    pub gains: Vec<Seat>,
    pub moves: Vec<Move>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct ScheduleDiff {
    /// Number of shift seats whose assignee or time changed.
    pub changed: usize,
    /// Sorted by (layer, start) of the seat.
    pub changes: Vec<Change>,
    /// Members with any change, sorted by id.
    pub members: Vec<MemberChanges>,
    /// Layers with two shifts starting on one UTC date: their labels need a time of day.
    #[serde(skip)]
    pub timed_layers: BTreeSet<String>,
}

pub(crate) fn diff(old: &Schedule, new: &Schedule) -> ScheduleDiff {
    let seats = |s: &Schedule| -> Vec<Seat> {
        let mut v: Vec<Seat> = s
            .shifts
            .iter()
            .map(|x| Seat {
                layer: x.layer.clone(),
                start: x.start,
                end: x.end,
                member: x.member.clone(),
            })
            .collect();
        v.sort();
        v
    };
    let (mut old_left, mut new_left) = cancel_identical(seats(old), seats(new));
    let mut changes = Vec::new();

    // 1. Same shift, another member.
    pair(&mut old_left, &mut new_left, &mut changes, |o, n| {
        o.layer == n.layer && o.start == n.start && o.end == n.end
    });
    // 2. Same member, moved times.
    pair(&mut old_left, &mut new_left, &mut changes, |o, n| {
        o.layer == n.layer && o.member == n.member && mostly_overlap(o, n)
    });
    // 3. Moved and reassigned.
    pair(&mut old_left, &mut new_left, &mut changes, |o, n| {
        o.layer == n.layer && mostly_overlap(o, n)
    });
    changes.extend(old_left.into_iter().map(|o| Change {
        kind: ChangeKind::Removed,
        before: Some(o),
        after: None,
    }));
    changes.extend(new_left.into_iter().map(|n| Change {
        kind: ChangeKind::Added,
        before: None,
        after: Some(n),
    }));
    changes.sort_by(|a, b| change_key(a).cmp(&change_key(b)));

    let members = group_by_member(&changes);
    ScheduleDiff {
        changed: changes.len(),
        changes,
        members,
        timed_layers: timed_layers(old, new),
    }
}

impl ScheduleDiff {
    /// A summary line, then under each member one line per change
    /// (`  loses primary 2027-02-08`), with dates and times in `zone` (the team's, or UTC).
    pub(crate) fn render_in(&self, zone: Tz) -> String {
        if self.changed == 0 {
            return "no changes\n".to_string();
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut out = format!(
            "{} shift{} changed for {} member{} (times in {}):\n",
            self.changed,
            plural(self.changed),
            self.members.len(),
            plural(self.members.len()),
            zone.name()
        );
        for m in &self.members {
            // One timeline per member: every item in order of its start.
            let mut items: Vec<(DateTime<Utc>, &str, String)> = Vec::new();
            for s in &m.loses {
                items.push((s.start, "loses", self.label(s, zone)));
            }
            for s in &m.gains {
                items.push((s.start, "gains", self.label(s, zone)));
            }
            for mv in &m.moves {
                let span = |s: &Seat| {
                    format!(
                        "{}–{}",
                        s.start.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                        s.end.with_timezone(&zone).format("%Y-%m-%d %H:%M")
                    )
                };
                items.push((
                    mv.before.start.min(mv.after.start),
                    "moves",
                    format!(
                        "{} {} to {}",
                        mv.before.layer,
                        span(&mv.before),
                        span(&mv.after)
                    ),
                ));
            }
            items.sort();
            out.push_str(&format!("{}:\n", m.member));
            for (_, verb, what) in items {
                out.push_str(&format!("  {verb} {what}\n"));
            }
        }
        out
    }

    /// `primary 2027-02-08`, with the time when the layer has several shifts a day.
    fn label(&self, seat: &Seat, zone: Tz) -> String {
        let local = seat.start.with_timezone(&zone);
        if self.timed_layers.contains(&seat.layer) {
            format!("{} {}", seat.layer, local.format("%Y-%m-%d %H:%M"))
        } else {
            format!("{} {}", seat.layer, local.format("%Y-%m-%d"))
        }
    }
}

fn timed_layers(old: &Schedule, new: &Schedule) -> BTreeSet<String> {
    let mut starts: BTreeMap<(&str, chrono::NaiveDate), BTreeSet<DateTime<Utc>>> = BTreeMap::new();
    for seat in old.shifts.iter().chain(&new.shifts) {
        starts
            .entry((seat.layer.as_str(), seat.start.date_naive()))
            .or_default()
            .insert(seat.start);
    }
    starts
        .into_iter()
        .filter(|(_, s)| s.len() > 1)
        .map(|((layer, _), _)| layer.to_string())
        .collect()
}

/// Removes seats present in both (as multisets); both inputs sorted.
fn cancel_identical(old: Vec<Seat>, new: Vec<Seat>) -> (Vec<Seat>, Vec<Seat>) {
    let (mut old_left, mut new_left) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(o), Some(n)) if o == n => {
                i += 1;
                j += 1;
            }
            (Some(o), Some(n)) if o < n => {
                old_left.push(o.clone());
                i += 1;
            }
            (Some(o), None) => {
                old_left.push(o.clone());
                i += 1;
            }
            (_, Some(n)) => {
                new_left.push(n.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    (old_left, new_left)
}

/// Pairs each remaining old seat with the first remaining new seat that `fits`, in order.
fn pair(
    old_left: &mut Vec<Seat>,
    new_left: &mut Vec<Seat>,
    changes: &mut Vec<Change>,
    fits: impl Fn(&Seat, &Seat) -> bool,
) {
    let mut unpaired = Vec::with_capacity(old_left.len());
    for o in old_left.drain(..) {
        match new_left.iter().position(|n| fits(&o, n)) {
            Some(j) => {
                let n = new_left.remove(j);
                let kind = if o.member == n.member {
                    ChangeKind::Retimed
                } else {
                    ChangeKind::Reassigned
                };
                changes.push(Change {
                    kind,
                    before: Some(o),
                    after: Some(n),
                });
            }
            None => unpaired.push(o),
        }
    }
    *old_left = unpaired;
}

/// Overlap longer than half of each seat: the same shift with its handoffs moved.
fn mostly_overlap(a: &Seat, b: &Seat) -> bool {
    let overlap = (a.end.min(b.end) - a.start.max(b.start)).num_seconds();
    let len = |s: &Seat| (s.end - s.start).num_seconds();
    overlap > 0 && 2 * overlap > len(a) && 2 * overlap > len(b)
}

fn change_key(c: &Change) -> (&str, DateTime<Utc>, DateTime<Utc>, &str, &str) {
    let seat = c.after.as_ref().or(c.before.as_ref());
    let (layer, start) = seat.map_or(("", DateTime::<Utc>::MIN_UTC), |s| (&s.layer, s.start));
    let before = c.before.as_ref().map_or("", |s| s.member.as_str());
    let after = c.after.as_ref().map_or("", |s| s.member.as_str());
    let old_start = c.before.as_ref().map_or(start, |s| s.start);
    (layer, start, old_start, before, after)
}

fn group_by_member(changes: &[Change]) -> Vec<MemberChanges> {
    let mut by: BTreeMap<String, MemberChanges> = BTreeMap::new();
    fn entry<'a>(by: &'a mut BTreeMap<String, MemberChanges>, id: &str) -> &'a mut MemberChanges {
        by.entry(id.to_string()).or_insert_with(|| MemberChanges {
            member: id.to_string(),
            ..MemberChanges::default()
        })
    }
    for c in changes {
        match (&c.before, &c.after) {
            (Some(b), Some(a)) if b.member == a.member => {
                entry(&mut by, &b.member).moves.push(Move {
                    before: b.clone(),
                    after: a.clone(),
                })
            }
            (before, after) => {
                if let Some(b) = before {
                    entry(&mut by, &b.member).loses.push(b.clone());
                }
                if let Some(a) = after {
                    entry(&mut by, &a.member).gains.push(a.clone());
                }
            }
        }
    }
    by.into_values()
        .map(|mut m| {
            m.loses.sort_by_key(|s| (s.start, s.layer.clone()));
            m.gains.sort_by_key(|s| (s.start, s.layer.clone()));
            m.moves
                .sort_by_key(|mv| (mv.before.start, mv.before.layer.clone()));
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::testkit::weeks::{schedule_of, seat, t0};

    fn week(w: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = t0() + Duration::weeks(w);
        (start, start + Duration::weeks(1))
    }

    fn sched(seats: &[(&str, i64, &str)]) -> Schedule {
        schedule_of(
            seats
                .iter()
                .map(|&(layer, w, m)| {
                    let (start, end) = week(w);
                    seat(layer, start, end, m)
                })
                .collect(),
        )
    }

    #[test]
    fn identical_schedules_have_no_changes() {
        let a = sched(&[("primary", 0, "ana"), ("primary", 1, "bob")]);
        let d = diff(&a, &a);
        assert_eq!(d.changed, 0);
        assert!(d.changes.is_empty() && d.members.is_empty());
        assert_eq!(d.render_in(chrono_tz::UTC), "no changes\n");
    }

    #[test]
    fn order_of_seats_in_the_file_does_not_matter() {
        let a = sched(&[("primary", 0, "ana"), ("secondary", 0, "bob")]);
        let b = sched(&[("secondary", 0, "bob"), ("primary", 0, "ana")]);
        assert_eq!(diff(&a, &b).changed, 0);
    }

    #[test]
    fn a_reassignment_is_one_change_and_one_loss_and_one_gain() {
        let old = sched(&[
            ("primary", 0, "ana"),
            ("primary", 5, "bob"),
            ("secondary", 8, "bob"),
        ]);
        let new = sched(&[
            ("primary", 0, "ana"),
            ("primary", 5, "ana"),
            ("secondary", 8, "cy"),
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.changed, 2);
        assert!(d.changes.iter().all(|c| c.kind == ChangeKind::Reassigned));
        let ids: Vec<&str> = d.members.iter().map(|m| m.member.as_str()).collect();
        assert_eq!(ids, ["ana", "bob", "cy"]);
        // t0 is 2027-01-04: week 5 starts 2027-02-08, week 8 on 2027-03-01.
        assert_eq!(
            d.render_in(chrono_tz::UTC),
            "2 shifts changed for 3 members (times in UTC):\n\
             ana:\n  gains primary 2027-02-08\n\
             bob:\n  loses primary 2027-02-08\n  loses secondary 2027-03-01\n\
             cy:\n  gains secondary 2027-03-01\n"
        );
    }

    #[test]
    fn a_moved_handoff_is_a_retime_for_the_same_member() {
        let (start, end) = week(2);
        let old = schedule_of(vec![seat("primary", start, end, "ana")]);
        let new = schedule_of(vec![seat(
            "primary",
            start - Duration::hours(1),
            end - Duration::hours(1),
            "ana",
        )]);
        let d = diff(&old, &new);
        assert_eq!(d.changed, 1);
        assert_eq!(d.changes[0].kind, ChangeKind::Retimed);
        assert_eq!(d.members[0].moves.len(), 1);
        assert_eq!(
            d.render_in(chrono_tz::UTC),
            "1 shift changed for 1 member (times in UTC):\n\
             ana:\n  moves primary 2027-01-18 10:00–2027-01-25 10:00 to 2027-01-18 09:00–2027-01-25 09:00\n"
        );
    }

    #[test]
    fn a_moved_and_reassigned_shift_pairs_with_the_one_it_mostly_overlaps() {
        // Every handoff moves an hour earlier; ana's next week in the new schedule
        // overlaps her old week by only an hour and must not count as the same shift.
        let shift = |w: i64, m: &str| {
            let (s, e) = week(w);
            seat("primary", s - Duration::hours(1), e - Duration::hours(1), m)
        };
        let old = sched(&[("primary", 0, "ana"), ("primary", 1, "bob")]);
        let new = schedule_of(vec![shift(0, "bob"), shift(1, "ana")]);
        let d = diff(&old, &new);
        assert_eq!(d.changed, 2);
        for c in &d.changes {
            assert_eq!(c.kind, ChangeKind::Reassigned);
            let (b, a) = (c.before.as_ref().unwrap(), c.after.as_ref().unwrap());
            assert_eq!(a.start, b.start - Duration::hours(1));
        }
    }

    #[test]
    fn shifts_only_in_one_schedule_are_added_or_removed() {
        let old = sched(&[("primary", 0, "ana"), ("primary", 1, "bob")]);
        let new = sched(&[("primary", 1, "bob"), ("primary", 2, "cy")]);
        let d = diff(&old, &new);
        let kinds: Vec<ChangeKind> = d.changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChangeKind::Removed, ChangeKind::Added]);
        assert_eq!(d.members[0].loses.len(), 1);
        assert_eq!(d.members[1].gains.len(), 1);
    }

    #[test]
    fn shared_shifts_pair_only_the_seats_that_changed() {
        let old = sched(&[("primary", 0, "ana"), ("primary", 0, "bob")]);
        let new = sched(&[("primary", 0, "bob"), ("primary", 0, "cy")]);
        let d = diff(&old, &new);
        assert_eq!(d.changed, 1);
        let c = &d.changes[0];
        assert_eq!(c.before.as_ref().unwrap().member, "ana");
        assert_eq!(c.after.as_ref().unwrap().member, "cy");
    }

    #[test]
    fn layers_with_several_shifts_a_day_show_the_time() {
        let s = t0();
        let h = Duration::hours(12);
        let old = schedule_of(vec![
            seat("fts", s, s + h, "ana"),
            seat("fts", s + h, s + h + h, "bob"),
        ]);
        let new = schedule_of(vec![
            seat("fts", s, s + h, "bob"),
            seat("fts", s + h, s + h + h, "bob"),
        ]);
        let d = diff(&old, &new);
        assert_eq!(
            d.render_in(chrono_tz::UTC),
            "1 shift changed for 2 members (times in UTC):\nana:\n  loses fts 2027-01-04 10:00\nbob:\n  gains fts 2027-01-04 10:00\n"
        );
        // In Sydney (UTC+11 in January) the same start is the evening of that day.
        assert!(
            d.render_in(chrono_tz::Australia::Sydney)
                .contains("ana:\n  loses fts 2027-01-04 21:00")
        );
    }

    proptest::proptest! {
        /// Over the same shifts, every seat whose holder differs is one reassignment, and
        /// each member's gains minus losses is the change in their number of shifts.
        #[test]
        fn proptest_reassignments_are_counted_once_and_balance_per_member(
            pairs in proptest::collection::vec((0usize..4, 0usize..4), 1..30)
        ) {
            let ids = ["ana", "bob", "cy", "dee"];
            let old = sched_ids(&pairs.iter().map(|p| ids[p.0]).collect::<Vec<_>>());
            let new = sched_ids(&pairs.iter().map(|p| ids[p.1]).collect::<Vec<_>>());
            let d = diff(&old, &new);
            let differing = pairs.iter().filter(|p| p.0 != p.1).count();
            proptest::prop_assert_eq!(d.changed, differing);
            proptest::prop_assert!(d.changes.iter().all(|c| c.kind == ChangeKind::Reassigned));
            for (i, id) in ids.iter().enumerate() {
                let before = pairs.iter().filter(|p| p.0 == i).count() as i64;
                let after = pairs.iter().filter(|p| p.1 == i).count() as i64;
                let (gains, loses) = d
                    .members
                    .iter()
                    .find(|m| m.member == *id)
                    .map_or((0, 0), |m| (m.gains.len() as i64, m.loses.len() as i64));
                proptest::prop_assert_eq!(gains - loses, after - before);
            }
            proptest::prop_assert_eq!(diff(&new, &old).changed, differing);
        }
    }

    /// One weekly seat per member in `ids`, week after week.
    fn sched_ids(ids: &[&str]) -> Schedule {
        let seats: Vec<(&str, i64, &str)> = ids
            .iter()
            .enumerate()
            .map(|(w, m)| ("primary", w as i64, *m))
            .collect();
        sched(&seats)
    }

    #[test]
    fn json_names_kinds_and_seats() {
        let old = sched(&[("primary", 0, "ana")]);
        let new = sched(&[("primary", 0, "bob")]);
        let v = serde_json::to_value(diff(&old, &new)).unwrap();
        assert_eq!(v["changed"], 1);
        assert_eq!(v["changes"][0]["kind"], "reassigned");
        assert_eq!(v["changes"][0]["before"]["member"], "ana");
        assert_eq!(v["changes"][0]["after"]["start"], "2027-01-04T10:00:00Z");
        assert_eq!(v["members"][1]["gains"][0]["layer"], "primary");
        assert!(v.get("timed_layers").is_none());
    }
}
