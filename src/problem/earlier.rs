//! The context before the period: seats of earlier schedules (the history files, and the
//! previous schedule of a re-solve) that the rules reach (docs/objective.md, "Across the
//! period's start").
//!
//! They are fixed — nobody solves them again, and their points already count through
//! history — so each becomes a fact of the cells and members it touches, which every
//! rule check and every encoding of the objective already reads: a seat that would
//! overlap an earlier shift of its member, or follow it with less than `min_rest_hours`,
//! is blocked (naming the earlier shift); an after-hours seat within
//! `back_to_back_gap_hours` of an after-hours earlier shift carries the pair
//! (`Cell::earlier_pairs`); and a run of a layer's shifts held up to the period carries
//! into the layer's first shifts (`MemberFacts::earlier_run`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::config::{Config, EarlierSeat, Period};
use crate::time::calendar::MemberCalendar;
use crate::time::classify::classify_days;
use crate::time::local::{day_start, to_local};
use crate::time::shifts::layer_shifts;

use super::{Cell, Exclusion, MemberFacts, Shift};

/// A seat held before the period that reaches into it: its rules or its back-to-back
/// pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    /// As the file records it: the config may no longer have its layer.
    pub seat: EarlierSeat,
    /// The seat's member, as an index into `Problem::members`.
    pub member: usize,
    /// `primary 2027-03-29 10:00`: the start in the layer's zone (the team's, for a
    /// layer the config no longer has), as rule messages name shifts.
    pub label: String,
    /// Shifts of the period that make a back-to-back pair with it when its member
    /// holds them, ascending.
    pub pairs: Vec<usize>,
}

/// How far back a run is looked for, at most: a year covers every run a rule of
/// consecutive weeks can mean.
const MAX_RUN_LOOKBACK_DAYS: i64 = 366;

/// The seats among `seats` that the rules reach into the period of `shifts` from
/// before it; their blocks, pairs and runs written into `cells` and `members`. A seat
/// counts when its member is in the config, it starts before the period (00:00 of
/// `period.start` in the team's zone) and it is not one of the period's own shifts
/// (same layer, same start). Repeated seats (one file listed twice, or the history and
/// `--previous` naming the same schedule) count once, from the first file.
pub(super) fn apply(
    config: &Config,
    shifts: &[Shift],
    calendars: &[MemberCalendar<'_>],
    cells: &mut [Vec<Cell>],
    members: &mut [MemberFacts],
    seats: &[&EarlierSeat],
) -> Vec<Earlier> {
    let team_tz = config.team.timezone;
    let period_start = day_start(team_tz, config.period.start);
    let own: BTreeSet<(&str, DateTime<Utc>)> = shifts
        .iter()
        .map(|s| (config.layers[s.layer].name.as_str(), s.start))
        .collect();
    let mut seen = BTreeSet::new();
    let mut before: Vec<(usize, &EarlierSeat)> = seats
        .iter()
        .filter(|seat| seat.start < period_start && seat.start < seat.end)
        .filter(|seat| !own.contains(&(seat.layer.as_str(), seat.start)))
        .filter_map(|seat| {
            let m = config.members.iter().position(|m| m.id == seat.member)?;
            seen.insert((seat.layer.as_str(), seat.start, m))
                .then_some((m, *seat))
        })
        .collect();
    before.sort_by_key(|(m, seat)| (seat.start, seat.layer.as_str(), *m));

    let mut used = vec![false; before.len()];
    let pairs = seats_near(config, shifts, calendars, cells, &before, &mut used);
    if config.rules.max_consecutive > 0 {
        runs(config, shifts, members, &before, &mut used);
    }

    before
        .iter()
        .zip(used)
        .zip(pairs)
        .filter(|((_, used), _)| *used)
        .map(|((&(m, seat), _), pairs)| Earlier {
            seat: seat.clone(),
            member: m,
            label: label(config, &seat.layer, seat.start),
            pairs,
        })
        .collect()
}

/// Blocks and back-to-back pairs: every shift of the period within `min_rest_hours` or
/// `back_to_back_gap_hours` of an earlier seat, in either order. Per seat, the shifts
/// it pairs with.
fn seats_near(
    config: &Config,
    shifts: &[Shift],
    calendars: &[MemberCalendar<'_>],
    cells: &mut [Vec<Cell>],
    before: &[(usize, &EarlierSeat)],
    used: &mut [bool],
) -> Vec<Vec<usize>> {
    let mut pairs = vec![Vec::new(); before.len()];
    let secs = |hours: f64| (hours.max(0.0) * 3600.0).round() as i64;
    let rest = secs(config.rules.min_rest_hours);
    let gap = secs(config.rules.back_to_back_gap_hours);
    let reach = rest.max(gap);
    for (i, &(m, seat)) in before.iter().enumerate() {
        let (a_start, a_end) = (seat.start.timestamp(), seat.end.timestamp());
        // Only needed when some seat pairs by time; classified once.
        let mut after_hours: Option<bool> = None;
        for (s, shift) in shifts.iter().enumerate() {
            let (b_start, b_end) = (shift.start.timestamp(), shift.end.timestamp());
            if b_start > a_end + reach {
                // Sorted by start: the rest start later still.
                break;
            }
            if b_end + reach < a_start {
                continue;
            }
            // Rest between the two, with which comes first; `None` when they overlap.
            let apart = if b_start >= a_end {
                Some((b_start - a_end, true))
            } else if a_start >= b_end {
                Some((a_start - b_end, false))
            } else {
                None
            };
            let cell = &mut cells[s][m];
            let too_close = apart.is_none_or(|(secs, _)| secs < rest);
            // The closest earlier shift names the block: a rule relaxed (the diagnosis
            // tries less rest) frees the seat only if it frees it from all of them.
            let closer = match &cell.blocked {
                None => true,
                Some(Exclusion::Earlier { gap, .. }) => {
                    gap.is_some_and(|g| apart.is_none_or(|(secs, _)| secs < g))
                }
                Some(_) => false,
            };
            if too_close && closer {
                cell.blocked = Some(Exclusion::Earlier {
                    shift: label(config, &seat.layer, seat.start),
                    source: seat.source.clone(),
                    gap: apart.map(|(secs, _)| secs),
                    after: apart.is_none_or(|(_, after)| after),
                    rest,
                });
            }
            if too_close {
                used[i] = true;
            }
            if apart.is_some_and(|(secs, _)| secs <= gap) && cell.after_hours {
                let earlier_after_hours = *after_hours.get_or_insert_with(|| {
                    let touched = calendars[m].touched(seat.start, seat.end);
                    classify_days(&touched, seat.start, seat.end).after_hours
                });
                if earlier_after_hours {
                    cell.earlier_pairs += 1;
                    pairs[i].push(s);
                    used[i] = true;
                }
            }
        }
    }
    pairs
}

/// Per layer and member: the layer's shifts right before the period that the member
/// held in a row. The layer's own numbering is extended back before the period (the
/// shifts its rotation would have had there), and a seat continues a run when it is one
/// of those shifts (same layer name and start): consecutive means adjacent in that
/// numbering, as within the period.
fn runs(
    config: &Config,
    shifts: &[Shift],
    members: &mut [MemberFacts],
    before: &[(usize, &EarlierSeat)],
    used: &mut [bool],
) {
    let k = i64::from(config.rules.max_consecutive);
    for (l, layer) in config.layers.iter().enumerate() {
        if !shifts.iter().any(|s| s.layer == l) {
            continue;
        }
        // (member, start) → position in `before`.
        let held: BTreeMap<(usize, DateTime<Utc>), usize> = before
            .iter()
            .enumerate()
            .filter(|(_, (_, seat))| seat.layer == layer.name)
            .map(|(i, &(m, seat))| ((m, seat.start), i))
            .collect();
        let Some(earliest) = held.keys().map(|&(_, start)| start).min() else {
            continue;
        };
        // Enough weeks for a run one past any limit the diagnosis tries (a layer has a
        // shift at least weekly, or none), but no further back than the seats go.
        let weeks_back = Duration::days((7 * (k + 9)).min(MAX_RUN_LOOKBACK_DAYS));
        let first_seat_day = to_local(layer.timezone, earliest).date().pred_opt();
        let from = (config.period.start - weeks_back).max(first_seat_day.unwrap_or_default());
        let lookback = layer_shifts(
            l,
            layer,
            Period {
                start: from,
                end: config.period.start,
            },
        );
        for (m, facts) in members.iter_mut().enumerate() {
            let run: Vec<usize> = lookback
                .iter()
                .rev()
                .map_while(|shift| held.get(&(m, shift.start)).copied())
                .collect();
            facts.earlier_run[l] = run.len() as u32;
            for i in run {
                used[i] = true;
            }
        }
    }
}

/// `primary 2027-03-29 10:00` in the layer's zone, or the team's for a layer the
/// config does not have.
fn label(config: &Config, layer: &str, start: DateTime<Utc>) -> String {
    let tz: Tz = config
        .layers
        .iter()
        .find(|l| l.name == layer)
        .map_or(config.team.timezone, |l| l.timezone);
    format!("{layer} {}", to_local(tz, start).format("%Y-%m-%d %H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Rotation, Rules};
    use crate::problem::{Problem, build};
    use crate::testkit::{at, config, layer, member, period, time, weekly};

    const NY: Tz = Tz::America__New_York;

    /// Two weeks from Monday 2024-07-08 of a weekly (Monday 10:00) and a daily (10:00)
    /// layer in New York, for ann, ben and cy.
    fn team(rules: Rules, seats: Vec<EarlierSeat>) -> Config {
        let mut c = config(
            period("2024-07-08", "2024-07-22"),
            vec![
                layer("primary", weekly("10:00"), NY),
                layer(
                    "secondary",
                    Rotation::Daily {
                        handoff: time("10:00"),
                    },
                    NY,
                ),
            ],
            vec![member("ann", NY), member("ben", NY), member("cy", NY)],
        );
        c.rules = rules;
        c.fairness.earlier = seats;
        c
    }

    fn seat(layer: &str, start: &str, end: &str, who: &str) -> EarlierSeat {
        EarlierSeat {
            layer: layer.to_owned(),
            start: at(start),
            end: at(end),
            member: who.to_owned(),
            source: "q2.json".to_owned(),
        }
    }

    /// The last primary week and secondary day before the period: ann and ben.
    fn last_week() -> Vec<EarlierSeat> {
        vec![
            seat(
                "primary",
                "2024-07-01T10:00:00-04:00",
                "2024-07-08T10:00:00-04:00",
                "ann",
            ),
            seat(
                "secondary",
                "2024-07-07T10:00:00-04:00",
                "2024-07-08T10:00:00-04:00",
                "ben",
            ),
        ]
    }

    /// The period's first shift of `layer` (0 primary, 1 secondary), and its second.
    fn first(p: &Problem, layer: usize, nth: usize) -> usize {
        (0..p.shifts.len())
            .filter(|&s| p.shifts[s].layer == layer)
            .nth(nth)
            .expect("shift")
    }

    #[test]
    fn rest_blocks_the_first_shifts_naming_the_earlier_one() {
        let rules = Rules::rest_of(12.0);
        let p = build(&team(rules, last_week())).expect("builds");
        let (primary, secondary) = (first(&p, 0, 0), first(&p, 1, 0));
        let ann = p.cells[primary][0].blocked.clone().expect("ann rests");
        assert_eq!(
            ann,
            Exclusion::Earlier {
                shift: "primary 2024-07-01 10:00".to_owned(),
                source: "q2.json".to_owned(),
                gap: Some(0),
                after: true,
                rest: 12 * 3600,
            }
        );
        assert_eq!(
            ann.to_string(),
            "only 0.0 h of rest after primary 2024-07-01 10:00, which they held before the \
             period (q2.json; min_rest_hours = 12)"
        );
        assert!(p.cells[secondary][0].blocked.is_some());
        assert!(p.cells[primary][1].blocked.is_some());
        // The second secondary day starts a day after ben's ended; cy held nothing.
        assert_eq!(p.cells[first(&p, 1, 1)][1].blocked, None);
        assert!(p.cells.iter().all(|row| row[2].blocked.is_none()));
        let labels: Vec<&str> = p.earlier.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            ["primary 2024-07-01 10:00", "secondary 2024-07-07 10:00"]
        );
    }

    #[test]
    fn the_closest_earlier_shift_names_the_block() {
        let rules = Rules::rest_of(12.0);
        // Ann's "oncall" (a layer since removed) ends four hours before the period's first
        // shifts; her later-starting secondary day ends right as they start.
        let seats = vec![
            seat(
                "oncall",
                "2024-07-07T00:00:00-04:00",
                "2024-07-08T06:00:00-04:00",
                "ann",
            ),
            seat(
                "secondary",
                "2024-07-07T12:00:00-04:00",
                "2024-07-08T10:00:00-04:00",
                "ann",
            ),
        ];
        let p = build(&team(rules, seats)).expect("builds");
        let Some(Exclusion::Earlier { shift, gap, .. }) = &p.cells[first(&p, 0, 0)][0].blocked
        else {
            panic!("ann is blocked by an earlier shift");
        };
        assert_eq!(
            (shift.as_str(), *gap),
            ("secondary 2024-07-07 12:00", Some(0))
        );
        assert_eq!(p.earlier.len(), 2);
    }

    #[test]
    fn after_hours_pairs_count_per_seat_within_the_gap() {
        let p = build(&team(Rules::default(), last_week())).expect("builds");
        assert!(p.cells.iter().flatten().all(|c| c.blocked.is_none()));
        let pairs = |s: usize, m: usize| p.cells[s][m].earlier_pairs;
        // Both layers hand off at 10:00 on the 8th, right when both earlier shifts end.
        for s in [first(&p, 0, 0), first(&p, 1, 0)] {
            assert_eq!((pairs(s, 0), pairs(s, 1), pairs(s, 2)), (1, 1, 0));
        }
        // A day later: beyond back_to_back_gap_hours = 12.
        assert_eq!(pairs(first(&p, 1, 1), 1), 0);
        let wide = Rules {
            back_to_back_gap_hours: 24.0,
            ..Rules::default()
        };
        let p = build(&team(wide, last_week())).expect("builds");
        assert_eq!(p.cells[first(&p, 1, 1)][1].earlier_pairs, 1);
    }

    #[test]
    fn runs_follow_the_layers_numbering_back_before_the_period() {
        let rules = Rules::runs_of(2);
        let mut seats = last_week();
        seats.push(seat(
            "primary",
            "2024-06-24T10:00:00-04:00",
            "2024-07-01T10:00:00-04:00",
            "ann",
        ));
        // Ben's Saturday is missing: his run is the Sunday alone.
        seats.push(seat(
            "secondary",
            "2024-07-05T10:00:00-04:00",
            "2024-07-06T10:00:00-04:00",
            "ben",
        ));
        let p = build(&team(rules, seats)).expect("builds");
        assert_eq!(p.members[0].earlier_run, [2, 0]);
        assert_eq!(p.members[1].earlier_run, [0, 1]);
        assert_eq!(p.members[2].earlier_run, [0, 0]);
        let run: Vec<&str> = p.earlier_run(0, 0).map(|e| e.label.as_str()).collect();
        assert_eq!(
            run,
            ["primary 2024-06-24 10:00", "primary 2024-07-01 10:00"]
        );
        // Ben's Friday reaches nothing.
        assert_eq!(p.earlier.len(), 3);
    }

    #[test]
    fn seats_of_the_period_strangers_and_repeats_are_left_out() {
        let rules = Rules {
            min_rest_hours: 12.0,
            max_consecutive: 1,
            ..Rules::default()
        };
        let mut seats = last_week();
        seats.extend(last_week());
        // A shift of the period itself (a re-solve's own), and someone not in the team.
        seats.push(seat(
            "primary",
            "2024-07-08T10:00:00-04:00",
            "2024-07-15T10:00:00-04:00",
            "cy",
        ));
        seats.push(seat(
            "primary",
            "2024-07-01T10:00:00-04:00",
            "2024-07-08T10:00:00-04:00",
            "zed",
        ));
        let p = build(&team(rules, seats)).expect("builds");
        assert_eq!(p.earlier.len(), 2);
        assert_eq!(p.members[0].earlier_run, [1, 0]);
        assert!(p.cells.iter().all(|row| row[2].blocked.is_none()));
    }

    #[test]
    fn a_pin_against_an_earlier_shift_builds_for_the_solver_to_refuse() {
        let rules = Rules::rest_of(12.0);
        let mut c = team(rules, last_week());
        c.pins.push(crate::config::Pin {
            layer: 0,
            start: crate::config::PinStart::LocalDate(crate::testkit::date("2024-07-08")),
            member: 0,
            line: 9,
            column: 9,
        });
        let p = build(&c).expect("not a config error");
        assert_eq!(p.pins, [(first(&p, 0, 0), 0)]);
    }

    #[test]
    fn the_rule_check_continues_the_run_and_names_where_it_began() {
        let rules = Rules::runs_of(1);
        let p = build(&team(rules, last_week())).expect("builds");
        let mut a = crate::problem::assignment::Assignment::empty(p.shifts.len());
        for s in 0..p.shifts.len() {
            // Ann takes the first primary week, ben every other day from the first.
            let seq = p.shifts[s].seq_in_layer;
            a.members[s] = vec![match p.shifts[s].layer {
                0 => usize::from(seq > 0),
                _ => 1 + seq % 2,
            }];
        }
        let found: Vec<String> = crate::problem::rules::check(&p, &a, None)
            .iter()
            .filter(|v| matches!(v, crate::problem::rules::Violation::Consecutive { .. }))
            .map(|v| v.describe(&p))
            .collect();
        assert_eq!(
            found,
            [
                "ann holds 2 consecutive primary shifts up to primary 2024-07-08 10:00, 1 of \
                 them before the period from primary 2024-07-01 10:00 (q2.json) \
                 (max_consecutive = 1)",
                "ben holds 2 consecutive secondary shifts up to secondary 2024-07-08 10:00, 1 \
                 of them before the period from secondary 2024-07-07 10:00 (q2.json) \
                 (max_consecutive = 1)"
            ]
        );
    }
}
