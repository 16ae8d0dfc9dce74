//! The hard rules (docs/objective.md, "Hard rules"), checked on a whole assignment.
//!
//! Used by `verify`, by the tests of every solver path, and by `swap` to tell which
//! replacements keep the schedule valid.

use crate::problem::Problem;
use crate::problem::assignment::{Assignment, Previous};

#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// A shift with the wrong number of people.
    Coverage {
        shift: usize,
        have: usize,
        need: u32,
    },
    /// A member holds a shift they cannot take.
    Blocked {
        shift: usize,
        member: usize,
    },
    /// One member holds two overlapping shifts.
    Overlap {
        member: usize,
        a: usize,
        b: usize,
    },
    /// Less than `min_rest_hours` between the end of `a` and the start of `b`.
    Rest {
        member: usize,
        a: usize,
        b: usize,
        hours: f64,
    },
    /// More than `max_consecutive` back-to-back shifts of one layer, ending at `last`;
    /// `earlier` of them before the period.
    Consecutive {
        member: usize,
        layer: usize,
        last: usize,
        run: u32,
        earlier: u32,
    },
    MaxShifts {
        member: usize,
        count: u32,
        max: u32,
    },
    /// A pinned shift without its member.
    Pin {
        shift: usize,
        member: usize,
    },
    /// A frozen shift whose members changed.
    Frozen {
        shift: usize,
    },
}

impl Violation {
    /// One line a person can read.
    pub fn describe(&self, problem: &Problem) -> String {
        let who = |m: usize| problem.members[m].id.as_str();
        let shift = |s: usize| shift_label(problem, s);
        match *self {
            Violation::Coverage {
                shift: s,
                have,
                need,
            } => {
                format!("{}: {have} of {need} people assigned", shift(s))
            }
            Violation::Blocked { shift: s, member } => {
                let why = problem.cells[s][member]
                    .blocked
                    .as_ref()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                format!("{}: {} cannot take it ({why})", shift(s), who(member))
            }
            Violation::Overlap { member, a, b } => {
                format!(
                    "{} holds overlapping shifts {} and {}",
                    who(member),
                    shift(a),
                    shift(b)
                )
            }
            Violation::Rest {
                member,
                a,
                b,
                hours,
            } => format!(
                "{} rests only {hours:.1} h between {} and {} (min_rest_hours = {})",
                who(member),
                shift(a),
                shift(b),
                problem.rules.min_rest_hours
            ),
            Violation::Consecutive {
                member,
                layer,
                last,
                run,
                earlier,
            } => format!(
                "{} holds {run} consecutive {} shifts up to {}{} (max_consecutive = {})",
                who(member),
                problem.layers[layer].name,
                shift(last),
                problem
                    .earlier_run(member, layer)
                    .next()
                    .filter(|_| earlier > 0)
                    .map(|first| format!(
                        ", {earlier} of them before the period from {} ({})",
                        first.label, first.seat.source
                    ))
                    .unwrap_or_default(),
                problem.rules.max_consecutive
            ),
            Violation::MaxShifts { member, count, max } => {
                format!("{} holds {count} shifts (max_shifts = {max})", who(member))
            }
            Violation::Pin { shift: s, member } => {
                format!("{}: pinned to {} but not assigned", shift(s), who(member))
            }
            Violation::Frozen { shift: s } => {
                format!("{}: frozen but its assignee changed", shift(s))
            }
        }
    }
}

/// `primary 2027-02-01 10:00` in the layer's local time.
pub(crate) fn shift_label(problem: &Problem, s: usize) -> String {
    let shift = &problem.shifts[s];
    format!(
        "{} {}",
        problem.layers[shift.layer].name,
        shift.local_start.format("%Y-%m-%d %H:%M")
    )
}

pub fn check(
    problem: &Problem,
    assignment: &Assignment,
    previous: Option<&Previous>,
) -> Vec<Violation> {
    let rules = &problem.rules;
    let mut out = Vec::new();

    let mut held: Vec<Vec<usize>> = vec![Vec::new(); problem.members()];
    for (s, members) in assignment.members.iter().enumerate() {
        let need = problem.shifts[s].per_shift;
        let mut unique = members.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != need as usize || unique.len() != members.len() {
            out.push(Violation::Coverage {
                shift: s,
                have: unique.len(),
                need,
            });
        }
        for &m in &unique {
            if problem.cells[s][m].blocked.is_some() {
                out.push(Violation::Blocked {
                    shift: s,
                    member: m,
                });
            }
            held[m].push(s);
        }
    }

    let rest_secs = (rules.min_rest_hours * 3600.0).round() as i64;
    for (m, shifts) in held.iter_mut().enumerate() {
        shifts.sort_by_key(|&s| (problem.shifts[s].start, s));
        for (i, &a) in shifts.iter().enumerate() {
            let sa = &problem.shifts[a];
            for &b in &shifts[i + 1..] {
                let sb = &problem.shifts[b];
                if sa.overlaps(sb) {
                    out.push(Violation::Overlap { member: m, a, b });
                    continue;
                }
                let gap = (sb.start - sa.end).num_seconds();
                if gap >= rest_secs {
                    // Later shifts start later still: none of them is too close to `a`.
                    break;
                }
                out.push(Violation::Rest {
                    member: m,
                    a,
                    b,
                    hours: gap as f64 / 3600.0,
                });
            }
        }
        if let Some(max) = problem.members[m].max_shifts {
            let count = shifts.len() as u32;
            if count > max {
                out.push(Violation::MaxShifts {
                    member: m,
                    count,
                    max,
                });
            }
        }
    }

    if rules.max_consecutive > 0 {
        for layer in 0..problem.layers.len() {
            let mut in_layer: Vec<usize> = (0..problem.shifts.len())
                .filter(|&s| problem.shifts[s].layer == layer)
                .collect();
            in_layer.sort_by_key(|&s| problem.shifts[s].seq_in_layer);
            for m in 0..problem.members() {
                // The layer's first shift continues a run held up to the period.
                let carried = problem.members[m].earlier_run[layer];
                let (mut run, mut earlier) = (0u32, 0u32);
                let mut prev_seq: Option<usize> = None;
                let mut reported = false;
                for (i, &s) in in_layer.iter().enumerate() {
                    let seq = problem.shifts[s].seq_in_layer;
                    if assignment.holds(s, m) {
                        if prev_seq.is_none_or(|p| p + 1 != seq) {
                            earlier = if i == 0 { carried } else { 0 };
                            run = earlier;
                            reported = false;
                        }
                        run += 1;
                        prev_seq = Some(seq);
                        if run > rules.max_consecutive && !reported {
                            reported = true;
                            out.push(Violation::Consecutive {
                                member: m,
                                layer,
                                last: s,
                                run,
                                earlier,
                            });
                        }
                    } else {
                        run = 0;
                        prev_seq = None;
                    }
                }
            }
        }
    }

    for &(s, m) in &problem.pins {
        if !assignment.holds(s, m) {
            out.push(Violation::Pin {
                shift: s,
                member: m,
            });
        }
    }

    if let Some(prev) = previous {
        for (s, members) in assignment.members.iter().enumerate() {
            if !prev.frozen.get(s).copied().unwrap_or(false) {
                continue;
            }
            if let Some(Some(before)) = prev.members.get(s) {
                let mut a = members.clone();
                let mut b = before.clone();
                a.sort_unstable();
                b.sort_unstable();
                if a != b {
                    out.push(Violation::Frozen { shift: s });
                }
            }
        }
    }
    out
}
