//! `schedule.json`: the solved rotation as written to disk and read back by
//! `verify`, `report`, `diff`, `swap`, `--previous` and `fairness.history`.

pub(crate) mod previous;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{Config, EarlierSeat, limits, team_slug};
use crate::problem::evaluate::{Evaluation, Metrics};
use crate::problem::{ClassHours, Problem, Shift};
use crate::solver::Solution;

pub(crate) const SCHEDULE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub version: u32,
    pub team: String,
    /// The team's IANA zone: `rota diff` shows times in it. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub period: PeriodOut,
    pub generated_at: DateTime<Utc>,
    pub config_sha256: String,
    pub solver: SolverInfo,
    /// Sorted by (start, layer order in the config, slot).
    pub shifts: Vec<ShiftOut>,
    /// Shifts held before the period that its rules reached (docs/objective.md, "Across
    /// the period's start"), sorted by start; absent when none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierOut>,
    /// In config order.
    pub members: Vec<MemberOut>,
    pub metrics: Metrics,
    /// Who the ids are and where the team is, for pages that show the schedule to people.
    #[serde(default, skip_serializing_if = "Directory::is_empty")]
    pub directory: Directory,
    /// What a re-solve moved and what more moves would buy; absent on a fresh solve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve: Option<ResolveOut>,
}

/// Names, zones, layer order and the feeds' address from the config, so that
/// `rota report --html` draws from schedule.json alone the page `rota solve` draws (the
/// team's zone is the schedule's `timezone`).
/// Empty in files written before it: pages fall back to ids and UTC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// Layer names in config order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// In config order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    /// `[calendar] url`: where the feeds are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub timezone: chrono_tz::Tz,
}

impl Directory {
    pub fn of(config: &Config) -> Directory {
        Directory {
            layers: config.layers.iter().map(|l| l.name.clone()).collect(),
            people: config
                .members
                .iter()
                .map(|m| Person {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    timezone: m.timezone,
                })
                .collect(),
            calendar_url: config.calendar.url.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        *self == Directory::default()
    }
}

/// A re-solve's trade-off between moved shifts and fairness (docs/objective.md,
/// "Re-solving"). Moves are seats whose holder changed against the previous schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolveOut {
    /// The schedule.json the re-solve started from, as named on the command line.
    pub previous: String,
    /// The fewest moves of any schedule the re-solve found (the kept repair's, the lost
    /// seats, where its fill does not dead-end): what the edit forces.
    pub forced_moves: u32,
    /// Moves beyond the forced ones that this schedule makes because they pay.
    pub optional_moves: u32,
    /// What one optional move had to buy, in objective units (`[objective] churn`, or
    /// the tie-breaker of `--rebalance` and `--max-moves`).
    pub move_price: f64,
    /// `--max-moves` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_moves: Option<u32>,
    /// How many optional moves the answer could make: 2 after an edit by default, 0 with
    /// the config unchanged, what `--max-moves` leaves; absent for `--rebalance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional_allowed: Option<u32>,
    /// Per move budget (forced, +2, +5, +10, unlimited): the fairest schedule found
    /// within it.
    pub frontier: Vec<FrontierOut>,
}

/// One budget of the frontier: a schedule the solver found and `verify` re-checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierOut {
    /// `None` = unlimited (`--rebalance`).
    pub max_moves: Option<u32>,
    /// Seats whose holder changed.
    pub moves: u32,
    pub imbalance: f64,
    pub deviation: f64,
    pub back_to_back_after_hours: u32,
    /// The objective without churn: fairness and comfort only.
    pub objective: f64,
    /// A proven lower bound on that objective for any schedule within the budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOut {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolverInfo {
    /// `optimal` (proven within the requested gap) or `feasible` (time limit reached).
    pub status: String,
    pub objective: f64,
    /// Best proven lower bound on the objective.
    pub bound: f64,
    /// (objective − bound) / |objective|, 0 when optimal.
    pub gap: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftOut {
    pub layer: String,
    /// RFC 3339 UTC.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub member: String,
    pub points: f64,
    pub uid: String,
    pub sequence: u32,
    /// When the event last changed (its calendar LAST-MODIFIED). Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
}

/// A seat held before the period that its rules reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierOut {
    pub layer: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub member: String,
    /// The history file or previous schedule that records it.
    pub source: String,
    /// Shifts of this schedule held by the same member that make a back-to-back pair
    /// with it; absent when none do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub back_to_back_with: Vec<ShiftRef>,
}

/// A shift named by its layer and start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftRef {
    pub layer: String,
    pub start: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberOut {
    pub id: String,
    pub capacity: f64,
    pub load: f64,
    pub history: f64,
    pub normalized: f64,
    pub fair_share: f64,
    pub shifts: u32,
    pub hours: ClassHours,
    pub back_to_back_after_hours: u32,
    /// Of those, pairs with a shift held before the period (see [`Schedule::earlier`]);
    /// absent when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub back_to_back_earlier: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Schedule {
    /// The team's zone as recorded, `None` in files older than the field (or with a zone
    /// this build does not know): readers then fall back to their own default.
    pub fn zone(&self) -> Option<chrono_tz::Tz> {
        self.timezone.as_deref()?.parse().ok()
    }

    /// Reads a schedule.json; a missing or malformed file is invalid input (exit 2).
    pub fn read(path: &std::path::Path) -> Result<Schedule, crate::Error> {
        let text = limits::read_text(path, limits::SCHEDULE_FILE)
            .map_err(|e| crate::Error::reading(path, e))?;
        let schedule: Schedule =
            serde_json::from_str(&text).map_err(|e| crate::Error::Schedule {
                path: path.to_path_buf(),
                message: format!(
                    "{}:{}: not a rota schedule.json: {}",
                    e.line(),
                    e.column(),
                    crate::config::history::json_problem(&e)
                ),
            })?;
        if schedule.version != SCHEDULE_VERSION {
            return Err(crate::Error::Schedule {
                path: path.to_path_buf(),
                message: format!(
                    "schedule version {} is not supported (expected {SCHEDULE_VERSION})",
                    schedule.version
                ),
            });
        }
        Ok(schedule)
    }
}

impl Schedule {
    /// The seats before the period that it was solved against, as recorded: `verify`
    /// and `swap` hold it to the rules across the period's start with them (a history
    /// file's are also in the config; those of a `--previous` are only here).
    pub(crate) fn earlier_seats(&self) -> Vec<EarlierSeat> {
        self.earlier
            .iter()
            .map(|e| EarlierSeat {
                layer: e.layer.clone(),
                start: e.start,
                end: e.end,
                member: e.member.clone(),
                source: e.source.clone(),
            })
            .collect()
    }

    /// The schedule.json of a solved problem.
    ///
    /// `evaluation` must be `evaluate(problem, &solution.assignment, previous)`: its
    /// objective is what the file records (and `verify` recomputes). With `previous` (the
    /// schedule a re-solve started from), a member who keeps a seat of a multi-person shift
    /// keeps its slot, so its UID, and SEQUENCE grows on events whose holder or time changed.
    pub fn build(
        config: &Config,
        problem: &Problem,
        solution: &Solution,
        evaluation: &Evaluation,
        generated_at: DateTime<Utc>,
        previous: Option<&Schedule>,
    ) -> Schedule {
        let prev = PreviousEvents::new(previous);

        let mut shifts = Vec::new();
        for (s, shift) in problem.shifts.iter().enumerate() {
            let held = solution
                .assignment
                .members
                .get(s)
                .map_or(&[][..], Vec::as_slice);
            let layer = &config.layers[shift.layer].name;
            let slots = assign_slots(config, shift, held, &prev);
            for (slot, m) in slots {
                let member = &config.members[m].id;
                let uid = uid(config, shift, slot);
                let sequence = prev.sequence(&uid, member, shift);
                let modified = prev.modified(&uid, member, shift).unwrap_or(generated_at);
                shifts.push((
                    (shift.start, shift.layer, slot),
                    ShiftOut {
                        layer: layer.clone(),
                        start: shift.start,
                        end: shift.end,
                        member: member.clone(),
                        points: round6(problem.cells[s][m].points),
                        uid,
                        sequence,
                        modified: Some(modified),
                    },
                ));
            }
        }
        shifts.sort_by_key(|(key, _)| *key);
        let shifts = shifts.into_iter().map(|(_, out)| out).collect();

        let members = config
            .members
            .iter()
            .zip(&evaluation.members)
            .map(|(member, e)| MemberOut {
                id: member.id.clone(),
                capacity: round6(e.capacity),
                load: round6(e.load),
                history: round6(e.history),
                normalized: round6(e.normalized),
                fair_share: round6(e.fair_share),
                shifts: e.shifts,
                hours: ClassHours {
                    business: round6(e.hours.business),
                    after_hours: round6(e.hours.after_hours),
                    weekend: round6(e.hours.weekend),
                    holiday: round6(e.hours.holiday),
                },
                back_to_back_after_hours: e.back_to_back_after_hours,
                back_to_back_earlier: e.back_to_back_earlier,
            })
            .collect();
        let earlier = problem
            .earlier
            .iter()
            .map(|e| EarlierOut {
                layer: e.seat.layer.clone(),
                start: e.seat.start,
                end: e.seat.end,
                member: config.members[e.member].id.clone(),
                source: e.seat.source.clone(),
                back_to_back_with: e
                    .pairs
                    .iter()
                    .filter(|&&s| solution.assignment.holds(s, e.member))
                    .map(|&s| ShiftRef {
                        layer: config.layers[problem.shifts[s].layer].name.clone(),
                        start: problem.shifts[s].start,
                    })
                    .collect(),
            })
            .collect();

        // The solver reports an infinite bound (and gap) when it proved nothing; JSON
        // has no infinity. Every objective term and weight is non-negative, so 0 is a
        // valid lower bound, and the gap follows from it.
        let objective = evaluation.objective;
        let bound = if solution.bound.is_finite() {
            solution.bound
        } else {
            0.0
        };
        let gap = if solution.gap.is_finite() {
            solution.gap
        } else {
            crate::solver::relative_gap(objective, bound)
        };

        let m = &evaluation.metrics;
        Schedule {
            version: SCHEDULE_VERSION,
            team: config.team.name.clone(),
            timezone: Some(config.team.timezone.name().to_string()),
            period: PeriodOut {
                start: config.period.start,
                end: config.period.end,
            },
            generated_at,
            config_sha256: config.sha256.clone(),
            solver: SolverInfo {
                status: solution.status.as_str().to_string(),
                objective: round6(objective),
                bound: round6(bound),
                gap: round6(gap),
                seconds: round6(solution.seconds),
            },
            shifts,
            earlier,
            members,
            metrics: Metrics {
                imbalance: round6(m.imbalance),
                deviation: round6(m.deviation),
                back_to_back_after_hours: m.back_to_back_after_hours,
                total_load: round6(m.total_load),
                prefer_off_violations: m.prefer_off_violations,
                churn: m.churn,
            },
            directory: Directory::of(config),
            resolve: None,
        }
    }
}

/// The event UID of one seat of a shift: `{layer}-{start}[-{slot}].{team}@{uid_domain}`.
///
/// Derived from the team, the layer and the start instant (plus the seat for
/// `per_shift > 1`), never from the assignee, so a re-solve that hands the shift to
/// someone else updates the same calendar event instead of creating a new one.
pub fn uid(config: &Config, shift: &Shift, slot: u32) -> String {
    let layer = &config.layers[shift.layer].name;
    let start = shift.start.format("%Y%m%dT%H%M%SZ");
    let seat = if shift.per_shift > 1 {
        format!("-{slot}")
    } else {
        String::new()
    };
    format!(
        "{layer}-{start}{seat}.{}@{}",
        team_slug(&config.team.name),
        config.team.uid_domain
    )
}

/// Rounds to 1e-6 so the bytes of schedule.json do not depend on summation order noise;
/// `-0` becomes `0` and a non-finite value (which JSON cannot hold) becomes 0.
pub(crate) fn round6(x: f64) -> f64 {
    if !x.is_finite() {
        return 0.0;
    }
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }
}

/// The events of the schedule a re-solve started from, by UID and by (layer, start).
struct PreviousEvents<'a> {
    /// When the previous schedule was written.
    generated_at: Option<DateTime<Utc>>,
    by_uid: BTreeMap<&'a str, &'a ShiftOut>,
    by_shift: BTreeMap<(&'a str, DateTime<Utc>), Vec<&'a ShiftOut>>,
}

impl<'a> PreviousEvents<'a> {
    fn new(previous: Option<&'a Schedule>) -> Self {
        let mut by_uid = BTreeMap::new();
        let mut by_shift: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for event in previous.into_iter().flat_map(|p| &p.shifts) {
            by_uid.entry(event.uid.as_str()).or_insert(event);
            by_shift
                .entry((event.layer.as_str(), event.start))
                .or_default()
                .push(event);
        }
        PreviousEvents {
            generated_at: previous.map(|p| p.generated_at),
            by_uid,
            by_shift,
        }
    }

    /// When an event that did not change last did (`None`: it is new or changed now).
    /// Files from before `modified` was recorded stand in with when they were written.
    fn modified(&self, uid: &str, member: &str, shift: &Shift) -> Option<DateTime<Utc>> {
        let old = self.by_uid.get(uid)?;
        let same = old.member == member && old.start == shift.start && old.end == shift.end;
        same.then(|| old.modified.or(self.generated_at)).flatten()
    }

    /// 0 for a new event; else the previous one's, +1 when its holder or time changed.
    fn sequence(&self, uid: &str, member: &str, shift: &Shift) -> u32 {
        match self.by_uid.get(uid) {
            None => 0,
            Some(old) => {
                let changed =
                    old.member != member || old.start != shift.start || old.end != shift.end;
                old.sequence.saturating_add(u32::from(changed))
            }
        }
    }
}

/// Seats `0..` of a shift for the members holding it, as (slot, member) sorted by slot.
///
/// A member who held a seat of the same shift (same layer and start) in the previous
/// schedule keeps it; everyone else fills the free seats in member order.
fn assign_slots(
    config: &Config,
    shift: &Shift,
    held: &[usize],
    prev: &PreviousEvents<'_>,
) -> Vec<(u32, usize)> {
    let mut members = held.to_vec();
    members.sort_unstable();
    if shift.per_shift <= 1 {
        return members.into_iter().map(|m| (0, m)).collect();
    }
    let seats = (shift.per_shift as usize).max(members.len()) as u32;
    let layer = config.layers[shift.layer].name.as_str();
    let mut kept: BTreeMap<usize, u32> = BTreeMap::new();
    if let Some(events) = prev.by_shift.get(&(layer, shift.start)) {
        for (i, event) in events.iter().enumerate() {
            // The seat is the one whose UID the event carries; a UID from another
            // uid_domain or team name falls back to the event's position.
            let slot = (0..seats)
                .find(|&k| uid(config, shift, k) == event.uid)
                .unwrap_or(i as u32);
            let Some(&m) = members
                .iter()
                .find(|&&m| config.members[m].id == event.member)
            else {
                continue;
            };
            if slot < seats && !kept.contains_key(&m) && !kept.values().any(|&s| s == slot) {
                kept.insert(m, slot);
            }
        }
    }
    let mut free = (0..seats).filter(|k| !kept.values().any(|s| s == k));
    let mut out: Vec<(u32, usize)> = members
        .iter()
        .map(|&m| match kept.get(&m) {
            Some(&slot) => (slot, m),
            None => (free.next().unwrap_or(seats), m),
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::fixture;

    fn find<'a>(s: &'a Schedule, layer: &str, day: usize) -> Vec<&'a ShiftOut> {
        s.shifts
            .iter()
            .filter(|e| e.layer == layer && e.start == fixture::start(day))
            .collect()
    }

    #[test]
    fn one_entry_per_seat_sorted_by_start_layer_slot() {
        let s = fixture::solved();
        assert_eq!(s.shifts.len(), fixture::DAYS * 3);
        let keys: Vec<_> = s
            .shifts
            .iter()
            .map(|e| (e.start, e.layer != "primary", e.uid.clone()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let day0: Vec<_> = find(&s, "pair", 0).iter().map(|e| &e.member).collect();
        assert_eq!(day0, ["b", "c"]);
    }

    #[test]
    fn an_event_keeps_its_modified_time_until_its_holder_changes() {
        let p = fixture::problem();
        let old = fixture::solved();
        assert!(
            old.shifts
                .iter()
                .all(|e| e.modified == Some(old.generated_at))
        );
        // Day 0's primary goes from a to d, written a day later.
        let mut a = fixture::assignment();
        a.members[fixture::shift(0, 0)] = vec![3];
        let (solution, evaluation) = fixture::solution(&p, a);
        let later = old.generated_at + chrono::Duration::days(1);
        let new = Schedule::build(
            &fixture::config(),
            &p,
            &solution,
            &evaluation,
            later,
            Some(&old),
        );
        for e in &new.shifts {
            let changed = e.layer == "primary" && e.start == fixture::start(0);
            let want = if changed { later } else { old.generated_at };
            assert_eq!(e.modified, Some(want), "{e:?}");
        }
    }

    #[test]
    fn header_fields_come_from_config_and_solution() {
        let s = fixture::solved();
        assert_eq!(s.version, 1);
        assert_eq!(s.team, "Test Team");
        assert_eq!(s.period.start.to_string(), "2027-01-04");
        assert_eq!(s.period.end.to_string(), "2027-01-08");
        assert_eq!(s.generated_at, fixture::generated_at());
        assert_eq!(s.config_sha256, "ab".repeat(32));
        assert_eq!(s.solver.status, "optimal");
        assert_eq!(s.solver.seconds, 0.123457);
        assert_eq!(s.solver.gap, 0.0);
    }

    /// Expected numbers computed by hand from the fixture (see `fixture::cell`):
    /// per-shift points a 40⅓, b 48⅓, c 48⅓, d 25⅓; each member holds three shifts;
    /// b has 10 points of history; capacities 1, 1, 0.5, 1.
    #[test]
    fn members_and_metrics_match_a_hand_computation() {
        let s = fixture::solved();
        let ids: Vec<_> = s.members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        let load: Vec<_> = s.members.iter().map(|m| m.load).collect();
        assert_eq!(load, [121.0, 145.0, 145.0, 76.0]);
        let fair: Vec<_> = s.members.iter().map(|m| m.fair_share).collect();
        assert_eq!(fair, [142.0, 132.0, 71.0, 142.0]);
        let normalized: Vec<_> = s.members.iter().map(|m| m.normalized).collect();
        assert_eq!(normalized, [121.0, 155.0, 290.0, 76.0]);
        assert_eq!(s.members[1].history, 10.0);
        assert_eq!(s.members[2].capacity, 0.5);
        assert_eq!(s.members[0].shifts, 3);
        assert_eq!(s.members[0].hours.business, 24.0);
        assert_eq!(s.members[0].hours.after_hours, 48.0);
        let b2b: Vec<_> = s
            .members
            .iter()
            .map(|m| m.back_to_back_after_hours)
            .collect();
        assert_eq!(b2b, [1, 1, 2, 2]);
        assert_eq!(s.metrics.imbalance, 214.0);
        assert_eq!(s.metrics.deviation, 174.0);
        assert_eq!(s.metrics.back_to_back_after_hours, 6);
        assert_eq!(s.metrics.total_load, 487.0);
        assert_eq!(s.metrics.prefer_off_violations, 1);
        assert_eq!(s.metrics.churn, 0);
        assert_eq!(
            s.solver.objective,
            1000.0 * 214.0 + 100.0 * 174.0 + 50.0 * 6.0 + 487.0 + 20.0
        );
    }

    #[test]
    fn points_are_rounded_to_micro_points() {
        let s = fixture::solved();
        assert_eq!(find(&s, "primary", 0)[0].points, 40.333333);
        assert_eq!(find(&s, "primary", 3)[0].points, 25.333333);
    }

    #[test]
    fn uids_name_layer_start_slot_and_team() {
        let s = fixture::solved();
        assert_eq!(
            find(&s, "primary", 0)[0].uid,
            "primary-20270104T090000Z.test-team@test-team.rota"
        );
        let pair: Vec<_> = find(&s, "pair", 1).iter().map(|e| e.uid.clone()).collect();
        assert_eq!(
            pair,
            [
                "pair-20270105T090000Z-0.test-team@test-team.rota",
                "pair-20270105T090000Z-1.test-team@test-team.rota"
            ]
        );
        let unique: std::collections::BTreeSet<_> = s.shifts.iter().map(|e| &e.uid).collect();
        assert_eq!(unique.len(), s.shifts.len());
    }

    #[test]
    fn uids_do_not_depend_on_the_assignee() {
        let p = fixture::problem();
        let one = fixture::schedule(&p, fixture::assignment());
        let mut other = fixture::assignment();
        other.members[fixture::shift(0, 0)] = vec![3];
        other.members[fixture::shift(1, 1)] = vec![0, 2];
        let two = fixture::schedule(&p, other);
        let uids = |s: &Schedule| s.shifts.iter().map(|e| e.uid.clone()).collect::<Vec<_>>();
        assert_eq!(uids(&one), uids(&two));
    }

    #[test]
    fn sequence_is_zero_without_previous_and_kept_when_unchanged() {
        let p = fixture::problem();
        let first = fixture::schedule(&p, fixture::assignment());
        assert!(first.shifts.iter().all(|e| e.sequence == 0));
        let again = fixture::resolved(&p, fixture::assignment(), &first);
        assert_eq!(again, first);
    }

    #[test]
    fn sequence_grows_only_on_changed_events() {
        let p = fixture::problem();
        let mut old = fixture::schedule(&p, fixture::assignment());
        for e in &mut old.shifts {
            e.sequence = 3;
        }
        let mut changed = fixture::assignment();
        // primary day 0 goes from a to d; pair day 0 keeps b and c.
        changed.members[fixture::shift(0, 0)] = vec![3];
        let new = fixture::resolved(&p, changed.clone(), &old);
        for e in &new.shifts {
            let moved = e.layer == "primary" && e.start == fixture::start(0);
            assert_eq!(e.sequence, if moved { 4 } else { 3 }, "{}", e.uid);
        }
    }

    #[test]
    fn a_member_who_stays_on_a_shift_keeps_their_seat() {
        let p = fixture::problem();
        let old = fixture::schedule(&p, fixture::assignment());
        // pair day 0 was b (seat 0), c (seat 1); now a and c: c must stay in seat 1 so
        // only seat 0's event changes hands.
        let mut changed = fixture::assignment();
        changed.members[fixture::shift(0, 0)] = vec![1];
        changed.members[fixture::shift(0, 1)] = vec![0, 2];
        let new = fixture::resolved(&p, changed.clone(), &old);
        let seats: Vec<_> = find(&new, "pair", 0)
            .iter()
            .map(|e| (e.uid.clone(), e.member.clone(), e.sequence))
            .collect();
        assert_eq!(
            seats,
            [
                (
                    "pair-20270104T090000Z-0.test-team@test-team.rota".to_string(),
                    "a".to_string(),
                    1
                ),
                (
                    "pair-20270104T090000Z-1.test-team@test-team.rota".to_string(),
                    "c".to_string(),
                    0
                ),
            ]
        );
        // Without the previous schedule, seats follow member order.
        let fresh = fixture::schedule(&p, changed);
        let members: Vec<_> = find(&fresh, "pair", 0).iter().map(|e| &e.member).collect();
        assert_eq!(members, ["a", "c"]);
    }

    #[test]
    fn an_unknown_bound_becomes_zero_and_the_gap_follows() {
        let p = fixture::problem();
        let (mut solution, evaluation) = fixture::solution(&p, fixture::assignment());
        solution.status = crate::solver::SolveStatus::Feasible;
        solution.bound = f64::NEG_INFINITY;
        solution.gap = f64::INFINITY;
        let s = fixture::written(&p, &solution, &evaluation);
        assert_eq!(s.solver.status, "feasible");
        assert_eq!(s.solver.bound, 0.0);
        assert_eq!(s.solver.gap, 1.0);
    }

    proptest::proptest! {
        /// Re-solving from a published schedule: the events (UIDs) stay the same, a
        /// member who stays on a shift keeps their seat, and SEQUENCE grows by one
        /// exactly on the events whose holder changed.
        #[test]
        fn proptest_resolve_keeps_uids_seats_and_bumps_sequence_on_change(
            a in fixture::valid_assignment(),
            b in fixture::valid_assignment(),
        ) {
            let p = fixture::problem();
            let old = fixture::schedule(&p, a);
            let new = fixture::resolved(&p, b, &old);
            proptest::prop_assert_eq!(old.shifts.len(), new.shifts.len());
            for (o, n) in old.shifts.iter().zip(&new.shifts) {
                proptest::prop_assert_eq!(&o.uid, &n.uid);
                let changed = u32::from(o.member != n.member);
                proptest::prop_assert_eq!(n.sequence, o.sequence + changed);
            }
            for o in &old.shifts {
                let stays = new
                    .shifts
                    .iter()
                    .any(|n| n.layer == o.layer && n.start == o.start && n.member == o.member);
                if stays {
                    let n = new.shifts.iter().find(|n| n.uid == o.uid);
                    proptest::prop_assert_eq!(n.map(|n| &n.member), Some(&o.member));
                }
            }
        }
    }

    #[test]
    fn round6_is_stable() {
        assert_eq!(round6(1.0 / 3.0), 0.333333);
        assert_eq!(round6(2.0 / 3.0), 0.666667);
        assert_eq!(round6(-1e-9).to_string(), "0");
        assert_eq!(round6(f64::NAN), 0.0);
        assert_eq!(round6(f64::INFINITY), 0.0);
    }

    /// `fairness.history` reads schedule.json through a view of its own (the config
    /// cannot depend on this stage): it must accept what is written here, sum it, and
    /// keep its seats.
    #[test]
    fn history_reads_the_points_and_seats_of_a_written_schedule() {
        use crate::config::history;
        assert_eq!(history::SCHEDULE_VERSION, SCHEDULE_VERSION);
        let s = fixture::solved();
        let text = serde_json::to_string_pretty(&s).expect("serializes");
        let read = history::read(&text, "q1.json").expect("history reads it");
        assert_eq!(read.period_end, s.period.end);
        assert_eq!(read.seats.len(), s.shifts.len());
        for (seat, shift) in read.seats.iter().zip(&s.shifts) {
            assert_eq!(
                (&seat.layer, seat.start, seat.end, &seat.member),
                (&shift.layer, shift.start, shift.end, &shift.member)
            );
        }
        let points = read.points;
        for member in &s.members {
            let read = points.get(&member.id).copied().unwrap_or(0.0);
            assert!((read - member.load).abs() < 1e-5, "{}: {read}", member.id);
        }
    }
}
