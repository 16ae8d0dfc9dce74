//! Infeasibility that shows before any search: shifts with too few candidates, and
//! pins or frozen shifts that contradict each other or the candidates.

use std::fmt::Write;

use super::Diagnosis;
use super::elastic;
use super::index::Index;
use crate::problem::Problem;
use crate::problem::rules::shift_label;

/// A diagnosis a person can act on, or `None` when nothing is obviously wrong. Fixed
/// seats that clash also come as relaxations (the later seat of each pair), as the
/// elastic re-solve would name them, for `--json`.
pub(crate) fn precheck(problem: &Problem, index: &Index) -> Option<Diagnosis> {
    let mut out = String::new();
    let mut relaxations = Vec::new();
    let who = |m: usize| problem.members[m].id.as_str();

    for (s, shift) in problem.shifts.iter().enumerate() {
        let have = index.cand[s].len();
        if have >= shift.per_shift as usize {
            continue;
        }
        let _ = writeln!(
            out,
            "{} needs {} but only {have} can take it:",
            shift_label(problem, s),
            people(shift.per_shift as usize),
        );
        for (m, cell) in problem.cells[s].iter().enumerate() {
            match &cell.blocked {
                Some(why) => {
                    let _ = writeln!(out, "  - {}: {why}", who(m));
                }
                None => {
                    let _ = writeln!(out, "  - {}: available", who(m));
                }
            }
        }
    }

    for s in 0..index.shifts {
        let need = problem.shifts[s].per_shift as usize;
        let fixed = &index.fixed[s];
        if index.frozen[s] && fixed.len() != need {
            let _ = writeln!(
                out,
                "{} is frozen with {} but needs {}",
                shift_label(problem, s),
                people(fixed.len()),
                need
            );
        } else if fixed.len() > need {
            let _ = writeln!(
                out,
                "{} has {} pinned but needs only {need}",
                shift_label(problem, s),
                people(fixed.len())
            );
        }
        for &m in fixed.iter().filter(|&&m| !index.is_candidate(s, m)) {
            if let Some(why) = &problem.cells[s][m].blocked {
                let what = if index.frozen[s] { "frozen" } else { "pinned" };
                let _ = writeln!(
                    out,
                    "{}: {what} to {}, who cannot take it ({why})",
                    shift_label(problem, s),
                    who(m)
                );
            }
        }
    }

    // Fixed seats of one member that one person cannot hold together.
    for a in 0..index.shifts {
        for &m in &index.fixed[a] {
            for &b in &index.conflicts[a] {
                if b > a && index.fixed[b].contains(&m) {
                    let sa = &problem.shifts[a];
                    let sb = &problem.shifts[b];
                    let why = if sa.overlaps(sb) {
                        "the shifts overlap".to_string()
                    } else {
                        format!(
                            "less than min_rest_hours = {} between them",
                            problem.rules.min_rest_hours
                        )
                    };
                    // Which kind of fixed seat, so the fix named is the one that applies.
                    let (what, fix) = match (index.frozen[a], index.frozen[b]) {
                        (true, true) => (
                            "frozen",
                            "frozen seats are kept as published: pass an earlier --freeze-until, or keep the earlier rule for this period",
                        ),
                        (false, false) => ("pinned", "remove one of the two pins"),
                        _ => (
                            "pinned or frozen",
                            "remove the pin, or freeze less with an earlier --freeze-until",
                        ),
                    };
                    let _ = writeln!(
                        out,
                        "{} is {what} to both {} and {}: {why} ({fix})",
                        who(m),
                        shift_label(problem, a),
                        shift_label(problem, b)
                    );
                    relaxations.push(elastic::fixed_seat(problem, b, m, index.frozen[b]));
                }
            }
        }
    }

    out.push_str(&fixed_runs(problem, index));

    if out.is_empty() {
        None
    } else {
        Some(Diagnosis {
            text: format!("no schedule satisfies the rules:\n{}", out.trim_end()),
            relaxations,
        })
    }
}

/// Fixed seats at a layer's start that continue a run from before the period past
/// `max_consecutive`, naming the earlier shifts.
fn fixed_runs(problem: &Problem, index: &Index) -> String {
    let mut out = String::new();
    let k = index.max_consecutive;
    if k == 0 {
        return out;
    }
    for (layer, list) in index.layer_shifts.iter().enumerate() {
        let seq = |i: usize| problem.shifts[list[i]].seq_in_layer;
        for m in 0..index.members {
            let carried = problem.members[m].earlier_run[layer];
            if carried == 0 {
                continue;
            }
            let held = (0..list.len())
                .take_while(|&i| i == 0 || seq(i - 1) + 1 == seq(i))
                .take_while(|&i| index.fixed[list[i]].contains(&m))
                .count() as u32;
            if held == 0 || carried + held <= k {
                continue;
            }
            // The first fixed seat past the limit.
            let s = list[(k.saturating_sub(carried)) as usize];
            let what = if index.frozen[s] { "frozen" } else { "pinned" };
            let name = &problem.layers[layer].name;
            let (held_before, from) = if carried == 1 {
                (format!("the {name} shift"), "")
            } else {
                (format!("the {carried} {name} shifts"), "from ")
            };
            let seats = problem
                .earlier_run(m, layer)
                .next()
                .map(|e| format!(" ({from}{} in {})", e.label, e.seat.source))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{}: {what} to {}, who held {held_before} right before the period{seats}: \
                 {} in a row, more than max_consecutive = {k}",
                shift_label(problem, s),
                problem.members[m].id,
                carried.max(k) + 1,
            );
        }
    }
    out
}

fn people(n: usize) -> String {
    if n == 1 {
        "1 person".to_string()
    } else {
        format!("{n} people")
    }
}
