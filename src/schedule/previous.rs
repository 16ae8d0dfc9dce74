//! Re-solving from a published schedule: match its shifts to the new problem's and
//! decide which are frozen.
//!
//! Shifts are matched by (layer name, start instant), members by id. A matched shift that
//! started before `freeze_until` is *frozen*: the solver keeps its members. Every other
//! matched shift remembers its members so that changing them costs churn.
//!
//! Freezing keeps what already happened, but the config is the newer truth. A past shift
//! is therefore thawed (solved again, with churn still favouring its old holders) when
//! keeping it would contradict the config as it is now:
//! - one of its old members is no longer in the config (unknown id) — nobody can hold a
//!   seat for someone the problem does not know (a member who left should stay in the
//!   config with `leaves = DATE`: their shifts before that date stay frozen);
//! - one of its old members cannot take it any more (`blocked`): someone added PTO or
//!   changed eligibility for a week that has started — usually to record that another
//!   person covered it, and the rest of that shift does need someone else;
//! - its `per_shift` changed, so the old members no longer fill it exactly;
//! - a `[[pin]]` puts someone else on it — a pin is an explicit edit and wins.
//!
//! Without these exceptions a frozen shift would be fixed to a member the solver must
//! not use, and the re-solve would be infeasible for a reason nobody can fix in the
//! config. [`match_schedule`] reports every thawed shift with its reason.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::config::EarlierSeat;
use crate::problem::Problem;
use crate::problem::assignment::Previous;
use crate::schedule::Schedule;

/// The seats of `old` (read from `source`) that can come before a new period: its own
/// shifts, and the earlier ones it was solved against. The problem keeps those that
/// start before its period and reach into it (see [`crate::problem::earlier`]); a
/// re-solve of the same period matches the rest instead.
pub(crate) fn earlier_seats(old: &Schedule, source: &str) -> Vec<EarlierSeat> {
    let own = old.shifts.iter().map(|seat| EarlierSeat {
        layer: seat.layer.clone(),
        start: seat.start,
        end: seat.end,
        member: seat.member.clone(),
        source: source.to_owned(),
    });
    own.chain(old.earlier_seats()).collect()
}

/// Why a shift that started before `freeze_until` is not frozen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ThawReason {
    /// Old member ids that are not in the config any more.
    UnknownMember(Vec<String>),
    /// An old member can no longer take the shift.
    Blocked(usize),
    /// The old schedule had `had` people on it; the shift now needs `need`.
    PerShift { had: usize, need: u32 },
    /// A pin puts this member on the shift.
    Pinned(usize),
}

/// A past shift that the re-solve may change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Thawed {
    /// Index into `Problem::shifts`.
    pub shift: usize,
    pub reason: ThawReason,
}

impl Thawed {
    /// One line a person can read: `primary 2027-02-08 10:00: ana cannot take it any more …`.
    pub(crate) fn describe(&self, problem: &Problem) -> String {
        let label = crate::problem::rules::shift_label(problem, self.shift);
        let who = |m: usize| problem.members[m].id.as_str();
        match &self.reason {
            ThawReason::UnknownMember(ids) => format!(
                "{label}: not kept — {} no longer in the config (keep a member who left with \
                 `leaves = DATE` so their past shifts stay theirs)",
                ids.join(", ")
            ),
            ThawReason::Blocked(m) => {
                let why = problem.cells[self.shift][*m]
                    .blocked
                    .as_ref()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                format!("{label}: not kept — {} cannot take it now ({why})", who(*m))
            }
            ThawReason::PerShift { had, need } => {
                format!("{label}: not kept — it had {had} people and now needs {need} (per_shift)")
            }
            ThawReason::Pinned(m) => {
                format!("{label}: not kept — a [[pin]] puts {} on it", who(*m))
            }
        }
    }
}

/// The full result of matching an old schedule to a new problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Matching {
    pub previous: Previous,
    /// Shifts of the new problem that the old schedule also had.
    pub matched: usize,
    /// Shifts that started before `freeze_until` but are not frozen, in shift order.
    pub thawed: Vec<Thawed>,
    /// Old seats that match no shift of the new problem (the period or the rotation
    /// changed), so the re-solve cannot keep them.
    pub unmatched_old: usize,
}

/// Shifts of `old` starting before `freeze_until` are frozen; the rest cost churn when
/// their assignee changes. Shifts are matched by layer name and start instant. Also says
/// what could not be kept and why.
pub(crate) fn match_schedule(
    problem: &Problem,
    old: &Schedule,
    freeze_until: DateTime<Utc>,
) -> Matching {
    // Old seats grouped by (layer, start): the member ids in file order.
    let mut old_shifts: BTreeMap<(&str, DateTime<Utc>), Vec<&str>> = BTreeMap::new();
    for seat in &old.shifts {
        old_shifts
            .entry((seat.layer.as_str(), seat.start))
            .or_default()
            .push(seat.member.as_str());
    }

    let n = problem.shifts.len();
    let mut previous = Previous {
        members: vec![None; n],
        frozen: vec![false; n],
    };
    let mut matching = Matching::default();
    let mut seats_matched = 0;

    for (s, shift) in problem.shifts.iter().enumerate() {
        let layer = problem.layers[shift.layer].name.as_str();
        let Some(ids) = old_shifts.get(&(layer, shift.start)) else {
            continue;
        };
        matching.matched += 1;
        seats_matched += ids.len();

        let mut known: Vec<usize> = Vec::with_capacity(ids.len());
        let mut unknown: Vec<String> = Vec::new();
        for id in ids {
            match problem.member_index(id) {
                Some(m) => known.push(m),
                None => unknown.push((*id).to_string()),
            }
        }
        known.sort_unstable();
        known.dedup();
        unknown.sort();
        unknown.dedup();

        if shift.start < freeze_until {
            match thaw_reason(problem, s, &known, unknown, ids.len()) {
                None => previous.frozen[s] = true,
                Some(reason) => matching.thawed.push(Thawed { shift: s, reason }),
            }
        }
        previous.members[s] = Some(known);
    }

    matching.unmatched_old = old.shifts.len().saturating_sub(seats_matched);
    matching.previous = previous;
    matching
}

/// Why a past shift with these old members cannot stay as it was, if it cannot.
fn thaw_reason(
    problem: &Problem,
    s: usize,
    known: &[usize],
    unknown: Vec<String>,
    seats: usize,
) -> Option<ThawReason> {
    if !unknown.is_empty() {
        return Some(ThawReason::UnknownMember(unknown));
    }
    if let Some(&m) = known
        .iter()
        .find(|&&m| problem.cells[s][m].blocked.is_some())
    {
        return Some(ThawReason::Blocked(m));
    }
    let need = problem.shifts[s].per_shift;
    // Duplicate ids on one shift also land here: the old file did not fill it properly.
    if known.len() != need as usize || seats != known.len() {
        return Some(ThawReason::PerShift { had: seats, need });
    }
    problem
        .pins
        .iter()
        .find(|&&(ps, pm)| ps == s && !known.contains(&pm))
        .map(|&(_, pm)| ThawReason::Pinned(pm))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::problem::Exclusion;
    use crate::testkit::weeks::{problem, round_robin, schedule, t0};

    const TEAM: [&str; 3] = ["ana", "bob", "cy"];

    #[test]
    fn matches_by_layer_and_start_and_freezes_only_the_past() {
        let p = problem(&TEAM, &["primary", "secondary"], 4);
        let a = round_robin(&p);
        let old = schedule(&p, &a);
        // Shifts of week 0 and 1 start before the freeze instant; weeks 2 and 3 do not.
        let m = match_schedule(&p, &old, t0() + Duration::weeks(2));
        assert_eq!(m.matched, 8);
        assert_eq!(m.unmatched_old, 0);
        assert!(m.thawed.is_empty());
        for s in 0..p.shifts.len() {
            assert_eq!(m.previous.members[s].as_ref(), Some(&a.members[s]));
            assert_eq!(
                m.previous.frozen[s],
                p.shifts[s].start < t0() + Duration::weeks(2)
            );
        }
        assert_eq!(m.previous.frozen.iter().filter(|f| **f).count(), 4);
    }

    #[test]
    fn a_shift_starting_exactly_at_the_freeze_instant_is_not_frozen() {
        let p = problem(&TEAM, &["primary"], 3);
        let old = schedule(&p, &round_robin(&p));
        let prev = match_schedule(&p, &old, t0() + Duration::weeks(1)).previous;
        assert_eq!(prev.frozen, vec![true, false, false]);
    }

    #[test]
    fn shifts_missing_from_the_old_schedule_are_unmatched() {
        let p = problem(&TEAM, &["primary", "secondary"], 2);
        let mut old = schedule(&p, &round_robin(&p));
        // The old schedule had no secondary layer, and one shift at another time.
        old.shifts.retain(|seat| seat.layer == "primary");
        old.shifts[1].start += Duration::hours(1);
        let m = match_schedule(&p, &old, t0() + Duration::weeks(5));
        assert_eq!(m.matched, 1);
        assert_eq!(m.unmatched_old, 1);
        assert_eq!(m.previous.members[0], Some(vec![0]));
        assert!(m.previous.members[1..].iter().all(Option::is_none));
        assert_eq!(m.previous.frozen, vec![true, false, false, false]);
    }

    #[test]
    fn unknown_members_are_ignored_and_thaw_a_past_shift() {
        let p = problem(&TEAM, &["primary"], 3);
        let mut old = schedule(&p, &round_robin(&p));
        old.shifts[0].member = "zed".into();
        old.shifts[2].member = "zed".into();
        let m = match_schedule(&p, &old, t0() + Duration::weeks(1));
        // Past: thawed, no member remembered. Future: not frozen anyway, nobody remembered.
        assert_eq!(m.previous.members[0], Some(vec![]));
        assert_eq!(m.previous.members[2], Some(vec![]));
        assert_eq!(m.previous.frozen, vec![false, false, false]);
        assert_eq!(
            m.thawed,
            vec![Thawed {
                shift: 0,
                reason: ThawReason::UnknownMember(vec!["zed".into()])
            }]
        );
        assert!(
            m.thawed[0]
                .describe(&p)
                .contains("zed no longer in the config")
        );
    }

    #[test]
    fn a_past_shift_whose_member_is_now_blocked_is_thawed_but_remembered() {
        let mut p = problem(&TEAM, &["primary"], 3);
        let old = schedule(&p, &round_robin(&p));
        p.cells[1][1].blocked = Some(Exclusion::Unavailable {
            date: t0().date_naive() + Duration::days(8),
            reason: Some("sick".into()),
        });
        let m = match_schedule(&p, &old, t0() + Duration::weeks(2));
        assert_eq!(m.previous.frozen, vec![true, false, false]);
        assert_eq!(m.previous.members[1], Some(vec![1]));
        assert_eq!(m.thawed[0].reason, ThawReason::Blocked(1));
        let line = m.thawed[0].describe(&p);
        assert!(line.contains("bob cannot take it now"), "{line}");
        assert!(line.contains("sick"), "{line}");
    }

    #[test]
    fn a_pin_to_someone_else_thaws_a_past_shift_and_a_pin_to_the_holder_does_not() {
        let mut p = problem(&TEAM, &["primary"], 3);
        let old = schedule(&p, &round_robin(&p));
        p.pins = vec![(0, 0), (1, 2)];
        let m = match_schedule(&p, &old, t0() + Duration::weeks(3));
        assert_eq!(m.previous.frozen, vec![true, false, true]);
        assert_eq!(m.thawed[0].reason, ThawReason::Pinned(2));
    }

    #[test]
    fn a_changed_per_shift_thaws_a_past_shift() {
        let mut p = problem(&TEAM, &["primary"], 2);
        let old = schedule(&p, &round_robin(&p));
        p.shifts[0].per_shift = 2;
        let m = match_schedule(&p, &old, t0() + Duration::weeks(3));
        assert_eq!(m.previous.frozen, vec![false, true]);
        assert_eq!(m.thawed[0].reason, ThawReason::PerShift { had: 1, need: 2 });
    }

    #[test]
    fn seats_of_a_shared_shift_are_collected_sorted() {
        let mut p = problem(&TEAM, &["primary"], 1);
        p.shifts[0].per_shift = 2;
        let old = schedule(
            &p,
            &crate::problem::assignment::Assignment {
                members: vec![vec![2, 0]],
            },
        );
        let prev = match_schedule(&p, &old, t0() + Duration::weeks(1)).previous;
        assert_eq!(prev.members[0], Some(vec![0, 2]));
        assert_eq!(prev.frozen, vec![true]);
    }

    proptest::proptest! {
        /// Any assignment written as a schedule and matched back gives the same members,
        /// frozen exactly where the shift starts before the freeze instant, and no churn.
        #[test]
        fn proptest_matching_a_written_schedule_gives_back_its_assignment(
            held in proptest::collection::vec(0usize..3, 8),
            freeze_weeks in 0i64..6,
        ) {
            let p = problem(&TEAM, &["primary", "secondary"], 4);
            let a = crate::problem::assignment::Assignment {
                members: held.iter().map(|&m| vec![m]).collect(),
            };
            let freeze = t0() + Duration::weeks(freeze_weeks);
            let m = match_schedule(&p, &schedule(&p, &a), freeze);
            proptest::prop_assert!(m.thawed.is_empty());
            proptest::prop_assert_eq!(m.matched, 8);
            for s in 0..8 {
                proptest::prop_assert_eq!(m.previous.members[s].as_ref(), Some(&a.members[s]));
                proptest::prop_assert_eq!(m.previous.frozen[s], p.shifts[s].start < freeze);
            }
            proptest::prop_assert_eq!(crate::problem::evaluate::churn(&a, &m.previous), 0);
        }
    }

    #[test]
    fn freezing_the_old_assignment_satisfies_the_frozen_rule() {
        let p = problem(&TEAM, &["primary", "secondary"], 4);
        let a = round_robin(&p);
        let prev = match_schedule(&p, &schedule(&p, &a), t0() + Duration::weeks(2)).previous;
        assert!(crate::problem::rules::check(&p, &a, Some(&prev)).is_empty());
        assert_eq!(crate::problem::evaluate::churn(&a, &prev), 0);
        // Moving a frozen shift is a violation; moving an unfrozen one costs churn.
        let mut moved = a.clone();
        moved.members[0] = vec![2];
        moved.members[7] = vec![2];
        let violations = crate::problem::rules::check(&p, &moved, Some(&prev));
        assert_eq!(
            violations,
            vec![crate::problem::rules::Violation::Frozen { shift: 0 }]
        );
        assert_eq!(crate::problem::evaluate::churn(&moved, &prev), 1);
    }
}
