//! Local timing probe for the solver on SPEC §6-shaped instances built directly as
//! `Problem` values: `cargo run --release --example solver_probe -- NAME [SECS] [THREADS]`
//! with NAME one of small, quarter12, daily40, sun150.

#[path = "../tests/solver_support/mod.rs"]
mod solver_support;

use std::time::Duration;

use rota::evaluate::evaluate;
use rota::rules::check;
use rota::solver::{SolveOptions, solve};
use solver_support::{Lcg, ShiftSpec, Spec};

/// Business 09–17 Mon–Fri local; `offset` = local − UTC in hours. Returns points per
/// hour (1 business, 2 after hours or weekend) and whether the hour is business.
fn hour_class(utc_hour: i64, offset: i64) -> (f64, bool) {
    // Hour 0 is Monday 2027-01-04 00:00 UTC.
    let local = utc_hour + offset;
    let day = local.div_euclid(24).rem_euclid(7);
    let h = local.rem_euclid(24);
    if day >= 5 {
        (2.0, false)
    } else if (9..17).contains(&h) {
        (1.0, true)
    } else {
        (2.0, false)
    }
}

/// `layers` layers of `hours`-long shifts from `first_h`, members spread over `zones`,
/// `pto` = chance in percent that a member has one week off in each month.
struct Shape {
    members: usize,
    layers: usize,
    hours: i64,
    days: i64,
    first_h: i64,
    zones: &'static [i64],
    pto: u64,
    seed: u64,
}

fn instance(shape: Shape) -> Spec {
    let Shape {
        members,
        layers,
        hours,
        days,
        first_h,
        zones,
        pto,
        seed,
    } = shape;
    let count = (days * 24 / hours) as usize;
    let mut spec = Spec::tiling(members, layers, count, hours);
    for s in &mut spec.shifts {
        s.start_h += first_h;
    }
    let offset: Vec<i64> = (0..members).map(|m| zones[m % zones.len()]).collect();
    let mut rng = Lcg(seed);
    let mut off_days: Vec<Vec<(i64, i64)>> = vec![Vec::new(); members];
    for off in off_days.iter_mut() {
        for month in 0..(days / 30).max(1) {
            if rng.chance(pto) {
                let from = month * 30 + rng.below(23) as i64;
                off.push((from, from + 7));
            }
        }
    }
    for (i, sh) in spec.shifts.clone().iter().enumerate() {
        let ShiftSpec { start_h, hours, .. } = *sh;
        for m in 0..members {
            let mut points = 0.0;
            let mut after = false;
            for h in start_h..start_h + hours {
                let (p, business) = hour_class(h, offset[m]);
                points += p;
                after |= !business;
            }
            spec.points[i][m] = points;
            spec.after_hours[i][m] = after;
            let (d0, d1) = (
                (start_h + offset[m]).div_euclid(24),
                (start_h + hours - 1 + offset[m]).div_euclid(24),
            );
            spec.blocked[i][m] = off_days[m].iter().any(|&(a, b)| d0 < b && a <= d1);
        }
    }
    for (m, off) in off_days.iter().enumerate() {
        let off: i64 = off.iter().map(|(a, b)| b - a).sum();
        spec.capacity[m] = 1.0 - off as f64 / days as f64;
    }
    spec
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(String::as_str).unwrap_or("quarter12");
    let secs: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let threads: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    if let Some(case) = name.strip_prefix("bench:") {
        let Some(spec) = rota::instance::Spec::named(case) else {
            eprintln!("unknown bench case {case}");
            std::process::exit(2);
        };
        let problem = match rota::problem::build(rota::instance::generate(&spec)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        report(name, &problem, secs, threads);
        return;
    }
    let spec = match name {
        // ≤ 5 people, a month of daily shifts handing off at 10:00 New York.
        "small" => instance(Shape {
            members: 5,
            layers: 1,
            hours: 24,
            days: 28,
            first_h: 15,
            zones: &[-5],
            pto: 30,
            seed: 1,
        }),
        // 12 people, primary + secondary weekly (Mon 10:00 New York), a quarter.
        "quarter12" => instance(Shape {
            members: 12,
            layers: 2,
            hours: 168,
            days: 91,
            first_h: 15,
            zones: &[-5],
            pto: 20,
            seed: 2,
        }),
        // 40 people in 4 zones, 2 daily layers, a quarter, PTO.
        "daily40" => instance(Shape {
            members: 40,
            layers: 2,
            hours: 24,
            days: 91,
            first_h: 15,
            zones: &[-5, 0, 1, 8],
            pto: 40,
            seed: 3,
        }),
        // 150 people around the world, 12-hour follow-the-sun, 6 months.
        "sun150" => instance(Shape {
            members: 150,
            layers: 1,
            hours: 12,
            days: 182,
            first_h: 0,
            zones: &[-8, -5, 0, 1, 5, 8, 9, 10],
            pto: 30,
            seed: 4,
        }),
        other => {
            eprintln!("unknown instance {other}");
            std::process::exit(2);
        }
    };
    report(name, &spec.problem(), secs, threads);
}

fn report(name: &str, problem: &rota::problem::Problem, secs: f64, threads: u32) {
    let mut problem = problem.clone();
    // Optional: another back-to-back weight, to see what avoiding pairs costs.
    if let Some(w) = std::env::var("PROBE_B2B").ok().and_then(|v| v.parse().ok()) {
        problem.config.objective.back_to_back_after_hours = w;
    }
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(secs),
        gap: 1e-4,
        threads,
        ..SolveOptions::default()
    };
    let binaries: usize = (0..problem.shifts.len())
        .map(|s| problem.candidates(s).count())
        .sum();
    match solve(&problem, None, &options) {
        Ok(sol) => {
            let exact = evaluate(&problem, &sol.assignment, None);
            if std::env::var_os("PROBE_MEMBERS").is_some() {
                let mut rows: Vec<(f64, usize)> = exact
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.in_fairness)
                    .map(|(m, e)| (e.normalized, m))
                    .collect();
                rows.sort_by(|a, b| a.0.total_cmp(&b.0));
                for &(n, m) in rows.iter().take(3).chain(rows.iter().rev().take(3)) {
                    let e = &exact.members[m];
                    let free = (0..problem.shifts.len())
                        .filter(|&s| problem.cells[s][m].blocked.is_none())
                        .count();
                    println!(
                        "  m{m}: normalized {n:.2} load {:.1} cap {:.3} shifts {} can-take {free}",
                        e.load, e.capacity, e.shifts
                    );
                }
            }
            let violations = check(&problem, &sol.assignment, None).len();
            let exact = evaluate(&problem, &sol.assignment, None);
            println!(
                "{name}: {} members × {} shifts ({binaries} binaries) — {} obj {:.3} bound {:.3} gap {:.4}% in {:.2} s; imbalance {:.2} deviation {:.2} b2b {} violations {violations} (exact obj {:.3})",
                problem.members(),
                problem.shifts.len(),
                sol.status.as_str(),
                sol.objective,
                sol.bound,
                sol.gap * 100.0,
                sol.seconds,
                exact.metrics.imbalance,
                exact.metrics.deviation,
                exact.metrics.back_to_back_after_hours,
                exact.objective,
            );
        }
        Err(e) => println!("{name}: error {e}"),
    }
}
