//! The benchmark (docs/performance.md): rota's solver against the best known objective and against
//! round-robin, on generated teams, printed as markdown tables for docs/performance.md.
//!
//! `cargo run --release --example bench [-- --cases small,team12 --long 120 --max 60 --seeds 7 --scaling --tiny --tiny-offset 5000]`
//!
//! Per instance: size (members, shifts, binaries = (shift, member) pairs not blocked,
//! variables and constraints of the whole MILP), problem build time, the objective
//! after separate solves limited to 1 s, 10 s and 60 s, the bound, gap and status of
//! the longest of them, a long run whose objective serves as the best known, the
//! distance of each solve to it, round-robin's objective, imbalance and back-to-back
//! after-hours pairs, and the peak resident memory of the whole instance. `--seeds N`
//! solves again with N other seeds (at limits up to `--seeds-max`) and prints the best,
//! median and worst: how much of a figure is the search's luck. `--tiny` solves the
//! teams of 3-5 people over a month with a 1 s limit and counts the proven ones;
//! `--tiny-offset N` solves other teams of the same shapes instead.
//! `--scaling` adds the time to come within 1 % of the best known along the scaling
//! series (5..300 members × 1..12 months), and the gap proven at 10 s and 60 s. Each
//! solve's line on stderr also shows the objective's weighted terms. `--resolve` edits
//! the example and `team40` five ways (a PTO week, a sick day, a new hire mid-period,
//! someone leaving, a stricter `min_rest_hours`) and re-solves each from the first
//! schedule: moves (forced / optional), seconds to the answer and in all, against a
//! fresh solve of the same edit.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use rota::problem::assignment::Assignment;
use rota::problem::evaluate::Metrics;
use rota::problem::evaluate::evaluate;
use rota::problem::rules;
use rota::problem::{self, Problem};
use rota::solver::{self, SolveOptions};
use rota::testkit::baseline::round_robin;
use rota::testkit::instance::{
    LayerKind, LayerSpec, NAMED, Spec, generate, scaling_series, tiny_series,
};

#[derive(Debug, Parser)]
#[command(about = "rota's solver on generated teams, against round-robin and the best known")]
struct Args {
    /// Instances to run, comma-separated: small, team12, team40, fts150, fts24, fts500,
    /// or a scaling instance such as scale-40x3. Default: every named case.
    #[arg(long, value_delimiter = ',')]
    cases: Vec<String>,
    /// Seconds of the long run whose objective is the best known (0: no long run; the
    /// best of the limited solves stands in).
    #[arg(long, default_value_t = 120.0)]
    long: f64,
    /// Skip the 1 s / 10 s / 60 s limits above this many seconds.
    #[arg(long, default_value_t = 60.0)]
    max: f64,
    /// Also measure the scaling curve: time to come within 1 % of the best known.
    #[arg(long)]
    scaling: bool,
    /// Also solve the tiny series (3–5 people over a month, to be proven optimal
    /// within 1 s) and print, per team, whether the 1 s solve proved its optimum.
    #[arg(long)]
    tiny: bool,
    /// Adds this to the tiny teams' seeds: other teams of the same shapes (named
    /// `tiny-4-2zones-1+5000`), to check the class beyond the bench's own teams.
    #[arg(long, default_value_t = 0)]
    tiny_offset: u64,
    /// Only scaling instances with at most this many members.
    #[arg(long, default_value_t = 300)]
    scaling_upto: usize,
    /// Seconds of the long run of each scaling instance.
    #[arg(long, default_value_t = 60.0)]
    scaling_long: f64,
    /// Solver threads (one heuristic search each). The bench measures on 2 cores.
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// Also solve with this many other seeds at each limit up to --seeds-max, and print
    /// the spread: how much of a result is the search's luck.
    #[arg(long, default_value_t = 0)]
    seeds: u64,
    /// Highest limit (seconds) the seeds are run at.
    #[arg(long, default_value_t = 10.0)]
    seeds_max: f64,
    /// Only the time-limit overrun grid: every rotation kind × team size × period
    /// length, solved once at `--overrun-limit`, printed with the seconds taken.
    #[arg(long)]
    overrun: bool,
    /// The limit asked of every solve of the overrun grid, in seconds.
    #[arg(long, default_value_t = 1.0)]
    overrun_limit: f64,
    /// Team sizes of the overrun grid.
    #[arg(long, value_delimiter = ',', default_values_t = [3, 10, 40, 150, 500])]
    overrun_members: Vec<usize>,
    /// The solver's stage log on stderr (as `rota solve -v`), to see where time goes.
    #[arg(long)]
    verbose: bool,
    /// HiGHS's own log of every MILP of the overrun grid, on stdout.
    #[arg(long)]
    highs_log: bool,
    /// Period lengths of the overrun grid, in days.
    #[arg(long, value_delimiter = ',', default_values_t = [7, 30, 91, 365, 730])]
    overrun_days: Vec<u64>,
    /// Only the re-solve benchmark (the example and team40, five edits each).
    #[arg(long)]
    resolve: bool,
    /// Only the counted bound, alone (without the searches) for 1 s and 10 s per case.
    #[arg(long)]
    bounds: bool,
}

/// The time limits of the main table.
const LIMITS: [f64; 3] = [1.0, 10.0, 60.0];
/// The time limits tried, in order, for the scaling curve.
const LADDER: [f64; 6] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0];
/// "Within 1 %" of the best known.
const NEAR: f64 = 0.01;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.verbose {
        log::set_max_level(log::LevelFilter::Debug);
        let _ = log::set_logger(&StderrLog);
    }
    if args.overrun {
        print_overrun(&overrun_grid(&args), args.overrun_limit);
        return ExitCode::SUCCESS;
    }
    if args.resolve {
        return resolve_bench::run(args.threads);
    }
    let names = if args.cases.is_empty() {
        NAMED.iter().map(|n| n.to_string()).collect()
    } else {
        args.cases.clone()
    };
    let mut specs = Vec::new();
    for name in &names {
        match find(name) {
            Some(spec) => specs.push(spec),
            None => {
                eprintln!(
                    "error: unknown case {name:?} (known: {})",
                    known().join(", ")
                );
                return ExitCode::from(2);
            }
        }
    }

    if args.bounds {
        print_bounds(&specs);
        return ExitCode::SUCCESS;
    }
    let rows = run_all(&specs, |spec| run_case(spec, &args));
    print_cases(&rows, &args);
    print_spread(&rows);

    if args.tiny {
        let series: Vec<Spec> = tiny_series()
            .into_iter()
            .map(|spec| with_offset(spec, args.tiny_offset))
            .collect();
        let tiny = run_all(&series, |spec| run_tiny(spec, &args));
        print_tiny(&tiny);
    }

    if args.scaling {
        let series: Vec<Spec> = scaling_series()
            .into_iter()
            .filter(|s| s.members <= args.scaling_upto)
            .collect();
        let points = run_all(&series, |spec| run_scaling(spec, &args));
        print_scaling(&points, &args);
    }
    ExitCode::SUCCESS
}

/// The counted bound alone per case: what it proves in a second and in ten, and how long
/// it took ("–" where it does not run: its model is above the size it may have).
fn print_bounds(specs: &[Spec]) {
    println!("| case | counted bound @1 s | seconds | counted bound @10 s | seconds |");
    println!("|---|--:|--:|--:|--:|");
    for spec in specs {
        let Ok(problem) = problem::build(&generate(spec)) else {
            eprintln!("{}: cannot build", spec.name);
            continue;
        };
        print!("| {} |", spec.name);
        for seconds in [1.0, 10.0] {
            let began = Instant::now();
            let found = solver::counted_bound_alone(&problem, seconds);
            let took = began.elapsed().as_secs_f64();
            match found {
                Some(bound) => print!(" {bound:.1} | {took:.2} |"),
                None => print!(" – | {took:.2} |"),
            }
        }
        println!();
    }
}

/// Runs every spec; one that cannot be built or solved is reported and left out.
fn run_all<T>(specs: &[Spec], run: impl Fn(&Spec) -> Result<T, String>) -> Vec<T> {
    specs
        .iter()
        .filter_map(|spec| run(spec).map_err(|e| eprintln!("{}: {e}", spec.name)).ok())
        .collect()
}

fn known() -> Vec<String> {
    NAMED
        .iter()
        .map(|n| n.to_string())
        .chain(scaling_series().into_iter().map(|s| s.name))
        .chain(tiny_series().into_iter().map(|s| s.name))
        .collect()
}

/// A named, scaling or tiny instance; `tiny-4-2zones-1+5000` is that tiny team with
/// the seed offset `--tiny-offset 5000` gives it.
fn find(name: &str) -> Option<Spec> {
    if let Some((base, offset)) = name.split_once('+') {
        let offset: u64 = offset.parse().ok()?;
        return tiny_series()
            .into_iter()
            .find(|s| s.name == base)
            .map(|spec| with_offset(spec, offset));
    }
    Spec::named(name).or_else(|| {
        scaling_series()
            .into_iter()
            .chain(tiny_series())
            .find(|s| s.name == name)
    })
}

/// Another team of the same shape: the seed moved by `offset`, named for it.
fn with_offset(mut spec: Spec, offset: u64) -> Spec {
    if offset > 0 {
        spec.seed += offset;
        spec.name = format!("{}+{offset}", spec.name);
    }
    spec
}

/// One solve: what it returned, or why it returned nothing.
#[derive(Debug, Clone)]
struct Run {
    limit: f64,
    /// The long run that sets the best known, not one of the table's limits.
    long: bool,
    outcome: Result<Solved, String>,
}

#[derive(Debug, Clone)]
struct Solved {
    status: &'static str,
    objective: f64,
    bound: f64,
    gap: f64,
    seconds: f64,
    metrics: Metrics,
    violations: usize,
}

impl Run {
    fn objective(&self) -> Option<f64> {
        self.outcome.as_ref().ok().map(|s| s.objective)
    }
}

/// The instance as built, with its round-robin evaluation.
struct Built {
    problem: Problem,
    build_seconds: f64,
    binaries: usize,
    /// Of the whole MILP.
    size: solver::ModelSize,
    /// `None` when the rotation dead-ends.
    round_robin: Option<RoundRobin>,
}

struct RoundRobin {
    objective: f64,
    metrics: Metrics,
    violations: usize,
}

/// (shift, member) pairs not blocked: the size the solver's plan goes by.
fn binaries(problem: &Problem) -> usize {
    problem
        .cells
        .iter()
        .flatten()
        .filter(|c| c.blocked.is_none())
        .count()
}

fn build(spec: &Spec) -> Result<Built, String> {
    let config = generate(spec);
    let started = Instant::now();
    let problem = problem::build(&config).map_err(|e| format!("cannot build: {e}"))?;
    let build_seconds = started.elapsed().as_secs_f64();
    let binaries = binaries(&problem);
    let round_robin = round_robin(&problem).map(|a| {
        let eval = evaluate(&problem, &a, None);
        let violations = rules::check(&problem, &a, None).len();
        RoundRobin {
            objective: eval.objective,
            metrics: eval.metrics,
            violations,
        }
    });
    let size = solver::model_size(&problem);
    Ok(Built {
        problem,
        build_seconds,
        binaries,
        size,
        round_robin,
    })
}

fn solve(problem: &Problem, limit: f64, threads: u32, seed: u64) -> Run {
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(limit),
        threads,
        seed,
        ..SolveOptions::default()
    };
    let outcome = solver::solve(problem, None, &options)
        .map(|solution| {
            let assignment: &Assignment = &solution.assignment;
            Solved {
                status: solution.status.as_str(),
                objective: solution.objective,
                bound: solution.bound,
                gap: solution.gap,
                seconds: solution.seconds,
                metrics: evaluate(problem, assignment, None).metrics,
                violations: rules::check(problem, assignment, None).len(),
            }
        })
        .map_err(|e| e.to_string());
    eprintln!("  {limit:>5} s (seed {seed}): {}", describe(&outcome));
    if let Ok(s) = &outcome {
        eprintln!("          {}", terms(problem, &s.metrics));
    }
    Run {
        limit,
        long: false,
        outcome,
    }
}

fn describe(outcome: &Result<Solved, String>) -> String {
    match outcome {
        Ok(s) => format!(
            "{} objective {:.1} bound {} gap {} in {:.2} s",
            s.status,
            s.objective,
            number(s.bound),
            percent(s.gap),
            s.seconds
        ),
        Err(e) => format!("no schedule: {}", e.lines().next().unwrap_or("")),
    }
}

/// The objective's weighted terms: what a bound has to reach.
fn terms(problem: &Problem, m: &Metrics) -> String {
    let w = problem.objective;
    format!(
        "imbalance {:.1} × {} + deviation {:.1} × {} + b2b {} × {} + total load {:.1} × {} + prefer-off {} × {}",
        m.imbalance,
        w.imbalance,
        m.deviation,
        w.deviation,
        m.back_to_back_after_hours,
        w.back_to_back_after_hours,
        m.total_load,
        w.total_load,
        m.prefer_off_violations,
        w.prefer_off
    )
}

struct CaseRow {
    name: String,
    members: usize,
    shifts: usize,
    built: Built,
    runs: Vec<Run>,
    /// Objectives of the other seeds, per limit.
    spread: Vec<(f64, Vec<f64>)>,
    best_known: Option<f64>,
    peak_mib: Option<f64>,
}

fn run_case(spec: &Spec, args: &Args) -> Result<CaseRow, String> {
    reset_peak_memory();
    eprintln!("{}: building", spec.name);
    let built = build(spec)?;
    let problem = &built.problem;
    eprintln!(
        "{}: {} members, {} shifts, {} binaries, MILP {} × {}, built in {:.3} s",
        spec.name,
        problem.members(),
        problem.shifts.len(),
        built.binaries,
        built.size.variables,
        built.size.constraints,
        built.build_seconds
    );
    let mut runs: Vec<Run> = LIMITS
        .iter()
        .filter(|&&l| l <= args.max)
        .map(|&l| solve(problem, l, args.threads, 0))
        .collect();
    let long = (args.long > 0.0).then(|| Run {
        long: true,
        ..solve(problem, args.long, args.threads, 0)
    });
    // Other seeds: (limit, objectives).
    let spread: Vec<(f64, Vec<f64>)> = LIMITS
        .iter()
        .filter(|&&l| l <= args.max.min(args.seeds_max) && args.seeds > 0)
        .map(|&l| {
            let objectives = (1..=args.seeds)
                .filter_map(|seed| solve(problem, l, args.threads, seed).objective())
                .collect();
            (l, objectives)
        })
        .collect();
    let best_known = runs
        .iter()
        .chain(long.iter())
        .filter_map(Run::objective)
        .chain(spread.iter().flat_map(|(_, o)| o.iter().copied()))
        .min_by(f64::total_cmp);
    runs.extend(long);
    Ok(CaseRow {
        name: spec.name.clone(),
        members: problem.members(),
        shifts: problem.shifts.len(),
        runs,
        spread,
        best_known,
        peak_mib: peak_memory_mib(),
        built,
    })
}

/// Per case and limit: the best, median and worst objective over seed 0 and the other
/// seeds, against the best known.
fn print_spread(rows: &[CaseRow]) {
    if rows.iter().all(|r| r.spread.is_empty()) {
        return;
    }
    println!();
    println!("| case | limit s | seeds | best (vs best known) | median | worst |");
    println!("|---|--:|--:|--:|--:|--:|");
    for row in rows {
        let Some(best) = row.best_known else { continue };
        for (limit, others) in &row.spread {
            let mut all: Vec<f64> = row
                .runs
                .iter()
                .filter(|r| !r.long && r.limit == *limit)
                .filter_map(Run::objective)
                .chain(others.iter().copied())
                .collect();
            all.sort_by(f64::total_cmp);
            let Some((&low, &high)) = all.first().zip(all.last()) else {
                continue;
            };
            let median = all[all.len() / 2];
            let cell = |x: f64| format!("{x:.1} (+{:.2} %)", distance(x, best));
            println!(
                "| {} | {limit} | {} | {} | {} | {} |",
                row.name,
                all.len(),
                cell(low),
                cell(median),
                cell(high)
            );
        }
    }
}

/// A bound with one decimal; "–" when the solver had none (±∞ or NaN).
fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "–".to_string()
    }
}

/// A relative gap in percent; "–" when there is no finite gap.
fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2} %", 100.0 * x)
    } else {
        "–".to_string()
    }
}

/// How far `objective` is above the best known, in percent.
fn distance(objective: f64, best: f64) -> f64 {
    100.0 * (objective - best) / best.abs().max(1e-9)
}

fn print_cases(rows: &[CaseRow], args: &Args) {
    let limits: Vec<f64> = LIMITS.iter().copied().filter(|&l| l <= args.max).collect();
    println!();
    print!("| case | members | shifts | binaries | variables | constraints | build s |");
    for l in &limits {
        print!(" objective @{l} s (vs best) |");
    }
    println!(
        " bound | gap | status | best known | imbalance rota / RR | b2b after-hours rota / RR | RR objective | peak MiB |"
    );
    print!("|---|--:|--:|--:|--:|--:|--:|");
    for _ in &limits {
        print!("--:|");
    }
    println!("--:|--:|---|--:|--:|--:|--:|--:|");

    for row in rows {
        let limited: Vec<&Run> = row.runs.iter().filter(|r| !r.long).collect();
        print!(
            "| {} | {} | {} | {} | {} | {} | {:.3} |",
            row.name,
            row.members,
            row.shifts,
            row.built.binaries,
            row.built.size.variables,
            row.built.size.constraints,
            row.built.build_seconds
        );
        for run in &limited {
            match (&run.outcome, row.best_known) {
                (Ok(s), Some(best)) => {
                    print!(
                        " {:.1} (+{:.2} %) |",
                        s.objective,
                        distance(s.objective, best)
                    )
                }
                _ => print!(" none |"),
            }
        }
        let last = limited.last().and_then(|r| r.outcome.as_ref().ok());
        match last {
            Some(s) => print!(" {} | {} | {} |", number(s.bound), percent(s.gap), s.status),
            None => print!(" – | – | none |"),
        }
        match row.best_known {
            Some(best) => print!(" {best:.1} |"),
            None => print!(" – |"),
        }
        let rr = row.built.round_robin.as_ref();
        let rota = last.map(|s| s.metrics);
        print!(
            " {} / {} |",
            rota.map_or("–".into(), |m| format!("{:.1}", m.imbalance)),
            rr.map_or("dead end".into(), |r| format!("{:.1}", r.metrics.imbalance))
        );
        print!(
            " {} / {} |",
            rota.map_or("–".into(), |m| m.back_to_back_after_hours.to_string()),
            rr.map_or("–".into(), |r| r
                .metrics
                .back_to_back_after_hours
                .to_string())
        );
        print!(
            " {} |",
            rr.map_or("–".into(), |r| format!("{:.1}", r.objective))
        );
        println!(
            " {} |",
            row.peak_mib.map_or("–".into(), |m| format!("{m:.0}"))
        );
    }

    println!();
    println!(
        "| case | limit s | status | objective | bound | gap | seconds | vs best known | rule violations |"
    );
    println!("|---|--:|---|--:|--:|--:|--:|--:|--:|");
    for row in rows {
        for run in &row.runs {
            let limit = if run.long {
                format!("{} (long)", run.limit)
            } else {
                run.limit.to_string()
            };
            match &run.outcome {
                Ok(s) => println!(
                    "| {} | {} | {} | {:.1} | {} | {} | {:.2} | +{:.2} % | {} |",
                    row.name,
                    limit,
                    s.status,
                    s.objective,
                    number(s.bound),
                    percent(s.gap),
                    s.seconds,
                    row.best_known
                        .map_or(f64::NAN, |b| distance(s.objective, b)),
                    s.violations
                ),
                Err(e) => println!(
                    "| {} | {} | {} | – | – | – | – | – | – |",
                    row.name,
                    limit,
                    e.lines().next().unwrap_or("error")
                ),
            }
        }
        if let Some(rr) = &row.built.round_robin {
            println!(
                "| {} | round-robin | – | {:.1} | – | – | – | +{:.2} % | {} |",
                row.name,
                rr.objective,
                row.best_known
                    .map_or(f64::NAN, |b| distance(rr.objective, b)),
                rr.violations
            );
        }
    }
}

struct ScalePoint {
    name: String,
    members: usize,
    shifts: usize,
    binaries: usize,
    best_known: Option<f64>,
    /// The first limit of the ladder whose solve came within 1 %, and its solve.
    reached: Option<(f64, Solved)>,
    /// The gap proven at each of [`GAP_LIMITS`] (within `--max`).
    gaps: Vec<(f64, Option<f64>)>,
}

/// The limits at which the scaling curve reports the proven gap.
const GAP_LIMITS: [f64; 2] = [10.0, 60.0];

fn run_scaling(spec: &Spec, args: &Args) -> Result<ScalePoint, String> {
    eprintln!("{}: building", spec.name);
    let built = build(spec)?;
    let problem = &built.problem;
    let long =
        (args.scaling_long > 0.0).then(|| solve(problem, args.scaling_long, args.threads, 0));
    let mut best_known = long.as_ref().and_then(Run::objective);
    let mut reached = None;
    let mut ladder = Vec::new();
    for &limit in LADDER.iter().filter(|&&l| l <= args.max) {
        let run = solve(problem, limit, args.threads, 0);
        if let Ok(s) = &run.outcome {
            // A limited solve may beat the long run; then it is the best known.
            best_known = Some(best_known.map_or(s.objective, |b: f64| b.min(s.objective)));
        }
        ladder.push(run);
        let best = best_known.unwrap_or(f64::INFINITY);
        reached = ladder.iter().find_map(|r| match &r.outcome {
            Ok(s) if distance(s.objective, best) <= 100.0 * NEAR => Some((r.limit, s.clone())),
            _ => None,
        });
        if reached.is_some() {
            break;
        }
    }
    // The gap at the limits the curve reports, from the ladder where it got there.
    let gaps = GAP_LIMITS
        .iter()
        .filter(|&&l| l <= args.max)
        .map(|&limit| {
            let run = match ladder.iter().find(|r| r.limit == limit) {
                Some(r) => r.outcome.clone(),
                None => solve(problem, limit, args.threads, 0).outcome,
            };
            (limit, run.ok().map(|s| s.gap))
        })
        .collect();
    Ok(ScalePoint {
        name: spec.name.clone(),
        members: problem.members(),
        shifts: problem.shifts.len(),
        binaries: built.binaries,
        best_known,
        reached,
        gaps,
    })
}

fn print_scaling(points: &[ScalePoint], args: &Args) {
    println!();
    println!(
        "Time to come within 1 % of the best known ({} s run; limits tried: {}):",
        args.scaling_long,
        LADDER
            .iter()
            .filter(|&&l| l <= args.max)
            .map(|l| format!("{l} s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
    let gap_limits: Vec<f64> = GAP_LIMITS
        .iter()
        .copied()
        .filter(|&l| l <= args.max)
        .collect();
    println!(
        "| instance | members | shifts | members × shifts | binaries | best known | within 1 % at limit | solve seconds | status |{}",
        gap_limits
            .iter()
            .map(|l| format!(" gap @{l} s |"))
            .collect::<String>()
    );
    println!(
        "|---|--:|--:|--:|--:|--:|--:|--:|---|{}",
        "--:|".repeat(gap_limits.len())
    );
    for p in points {
        let (limit, seconds, status) = match &p.reached {
            Some((limit, s)) => (
                format!("{limit} s"),
                format!("{:.2}", s.seconds),
                s.status.to_string(),
            ),
            None => (format!("> {} s", args.max), "–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |{}",
            p.name,
            p.members,
            p.shifts,
            p.members * p.shifts,
            p.binaries,
            p.best_known.map_or("–".into(), |b| format!("{b:.1}")),
            limit,
            seconds,
            status,
            p.gaps
                .iter()
                .map(|(_, gap)| format!(" {} |", gap.map_or("–".into(), percent)))
                .collect::<String>()
        );
    }
}

/// The time limit within which teams of up to 5 people over a month are to be proven.
const TINY_LIMIT: f64 = 1.0;
/// The second try for the teams the first does not prove: how long a proof takes.
const TINY_RETRY: f64 = 10.0;

struct TinyPoint {
    name: String,
    members: usize,
    shifts: usize,
    binaries: usize,
    /// The solve at `TINY_LIMIT`, and its wall time (an infeasible one has none else).
    run: Run,
    wall: f64,
    /// At `TINY_RETRY`, when the first did not prove its schedule optimal.
    retry: Option<Run>,
}

fn run_tiny(spec: &Spec, args: &Args) -> Result<TinyPoint, String> {
    let built = build(spec)?;
    let problem = &built.problem;
    eprintln!(
        "{}: {} members, {} shifts, {} binaries",
        spec.name,
        problem.members(),
        problem.shifts.len(),
        built.binaries
    );
    let began = Instant::now();
    let run = solve(problem, TINY_LIMIT, args.threads, 0);
    let wall = began.elapsed().as_secs_f64();
    let retry = match &run.outcome {
        Ok(s) if s.status != "optimal" => Some(solve(problem, TINY_RETRY, args.threads, 0)),
        _ => None,
    };
    Ok(TinyPoint {
        name: spec.name.clone(),
        members: problem.members(),
        shifts: problem.shifts.len(),
        binaries: built.binaries,
        run,
        wall,
        retry,
    })
}

fn print_tiny(points: &[TinyPoint]) {
    println!();
    println!(
        "Teams of up to 5 people over a month, solved with a {TINY_LIMIT} s limit (and again \
         with {TINY_RETRY} s when that did not prove the optimum):"
    );
    println!();
    println!(
        "| instance | members | shifts | binaries | status @{TINY_LIMIT} s | seconds | objective | gap | proven optimum | proof seconds |"
    );
    println!("|---|--:|--:|--:|---|--:|--:|--:|--:|--:|");
    let (mut proven, mut later, mut infeasible, mut feasible) = (0, 0, 0, 0);
    let mut behind: Vec<f64> = Vec::new();
    for p in points {
        let head = format!(
            "| {} | {} | {} | {} |",
            p.name, p.members, p.shifts, p.binaries
        );
        let s = match &p.run.outcome {
            Ok(s) => s,
            Err(e) => {
                let infeasible_input = e.starts_with("no schedule");
                infeasible += usize::from(infeasible_input);
                let what = if infeasible_input {
                    "infeasible"
                } else {
                    "error"
                };
                println!("{head} {what} | {:.2} | – | – | – | – |", p.wall);
                continue;
            }
        };
        feasible += 1;
        let (optimum, proof) = if s.status == "optimal" {
            proven += 1;
            (Some(s.objective), format!("{:.2}", s.seconds))
        } else {
            match p.retry.as_ref().and_then(|r| r.outcome.as_ref().ok()) {
                Some(r) if r.status == "optimal" => {
                    later += 1;
                    behind.push(distance(s.objective, r.objective));
                    (Some(r.objective), format!("{:.2}", r.seconds))
                }
                _ => (None, format!("> {TINY_RETRY}")),
            }
        };
        println!(
            "{head} {} | {:.2} | {:.1} | {} | {} | {proof} |",
            s.status,
            s.seconds,
            s.objective,
            percent(s.gap),
            optimum.map_or("–".into(), |o| format!("{o:.1}"))
        );
    }
    behind.sort_by(f64::total_cmp);
    println!();
    println!(
        "{proven} of {feasible} feasible teams proven optimal within {TINY_LIMIT} s, {later} more \
         within {TINY_RETRY} s; {infeasible} infeasible (diagnosed, exit 3)."
    );
    if let Some(&worst) = behind.last() {
        println!(
            "Of those proven later, the {TINY_LIMIT} s schedule was at the optimum in {} and \
             at most {worst:.2} % above it.",
            behind.iter().filter(|&&d| d < 1e-6).count()
        );
    }
}

/// Resets the kernel's peak-RSS mark so the next reading covers one instance only.
fn reset_peak_memory() {
    // Linux ≥ 4.0; elsewhere the peak is the whole process's, which is still an upper bound.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// VmHWM from /proc/self/status, in MiB.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The rotation kinds of the overrun grid, as the bench generates them.
const OVERRUN_KINDS: [(&str, LayerKind); 5] = [
    ("weekly", LayerKind::Weekly),
    ("daily", LayerKind::Daily),
    ("12-hour", LayerKind::TwelveHour),
    ("handoffs", LayerKind::Handoffs),
    ("window", LayerKind::FollowTheSun),
];

/// One solve of the overrun grid.
struct OverrunPoint {
    shape: String,
    members: usize,
    days: u64,
    shifts: usize,
    binaries: usize,
    build_seconds: f64,
    /// Wall time of `solver::solve`, from the call to its return.
    seconds: f64,
    outcome: String,
}

/// Every kind × size × length, and the team of issue 29's report (four people, one
/// daily layer in UTC, no PTO) over the lengths it was slow on.
fn overrun_grid(args: &Args) -> Vec<OverrunPoint> {
    let mut points = Vec::new();
    for (kind_name, kind) in OVERRUN_KINDS {
        for &members in &args.overrun_members {
            for &days in &args.overrun_days {
                let spec = Spec {
                    name: format!("{kind_name}-{members}x{days}d"),
                    seed: 0x0ff5_0000 + members as u64 * 1000 + days,
                    members,
                    months: (days.div_ceil(30) as u32).max(1),
                    zones: members.div_ceil(10).clamp(1, 4),
                    layers: vec![LayerSpec::new("primary", kind)],
                    pto_per_month: 0.25,
                    part_time: 0.1,
                    senior: 0.5,
                    holidays: true,
                    turnover: false,
                    rules: rota::config::Rules {
                        max_consecutive: 3,
                        ..rota::config::Rules::default()
                    },
                };
                points.push(overrun_point(&spec, kind_name, days, args));
            }
        }
    }
    for days in [181u64, 304, 365, 730] {
        let spec = Spec {
            name: format!("issue29-4x{days}d"),
            seed: 29,
            members: 4,
            months: days.div_ceil(30) as u32,
            zones: 1,
            layers: vec![LayerSpec::new("daily", LayerKind::Daily)],
            pto_per_month: 0.0,
            part_time: 0.0,
            senior: 0.0,
            holidays: false,
            turnover: false,
            rules: rota::config::Rules::default(),
        };
        points.push(overrun_point(&spec, "issue 29: daily, UTC", days, args));
    }
    points
}

fn overrun_point(spec: &Spec, shape: &str, days: u64, args: &Args) -> OverrunPoint {
    let mut config = generate(spec);
    config.period.end = config.period.start + chrono::Days::new(days);
    if spec.seed == 29 {
        config.team.timezone = chrono_tz::UTC;
        for layer in &mut config.layers {
            layer.timezone = chrono_tz::UTC;
        }
        for member in &mut config.members {
            member.timezone = chrono_tz::UTC;
        }
    }
    let started = Instant::now();
    let built = problem::build(&config);
    let build_seconds = started.elapsed().as_secs_f64();
    let point = |shifts, binaries, seconds, outcome| OverrunPoint {
        shape: shape.to_string(),
        members: spec.members,
        days,
        shifts,
        binaries,
        build_seconds,
        seconds,
        outcome,
    };
    let problem = match built {
        Ok(p) => p,
        Err(e) => return point(0, 0, 0.0, format!("cannot build: {e}")),
    };
    let binaries = binaries(&problem);
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(args.overrun_limit),
        threads: args.threads,
        highs_log: args.highs_log,
        ..SolveOptions::default()
    };
    let began = Instant::now();
    let solved = solver::solve(&problem, None, &options);
    let seconds = began.elapsed().as_secs_f64();
    let outcome = match solved {
        Ok(s) => s.status.as_str().to_string(),
        Err(solver::SolveError::Infeasible(_)) => "infeasible".to_string(),
        Err(solver::SolveError::NoSolution(_)) => "no schedule in time".to_string(),
        Err(solver::SolveError::Internal(e)) => format!("error: {e}"),
    };
    eprintln!(
        "{}: {} shifts, {binaries} binaries, built in {build_seconds:.2} s, {outcome} in {seconds:.2} s",
        spec.name,
        problem.shifts.len()
    );
    point(problem.shifts.len(), binaries, seconds, outcome)
}

fn print_overrun(points: &[OverrunPoint], limit: f64) {
    println!();
    println!("Every solve asked for a {limit} s limit; seconds are the solver's wall time.");
    println!();
    println!(
        "| rotation | members | days | shifts | binaries | build s | limit s | solve s | overrun s | status |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
    for p in points {
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {limit} | {:.2} | {:+.2} | {} |",
            p.shape,
            p.members,
            p.days,
            p.shifts,
            p.binaries,
            p.build_seconds,
            p.seconds,
            p.seconds - limit,
            p.outcome
        );
    }
    if let Some(worst) = points.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds)) {
        println!();
        println!(
            "Worst overrun: {:+.2} s ({}, {} members, {} days: {:.2} s for a {limit} s limit).",
            worst.seconds - limit,
            worst.shape,
            worst.members,
            worst.days,
            worst.seconds
        );
    }
}

/// The solver's log lines on stderr, for `--verbose`.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("rota")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{}", record.args());
        }
    }

    fn flush(&self) {}
}
/// Re-solving after an edit against a fresh solve of the same edit (`--resolve`).
mod resolve_bench {
    use std::process::ExitCode;
    use std::time::Duration;

    use chrono::{DateTime, Days, NaiveDate, Utc};
    use rota::config::{Config, DateRule};
    use rota::problem;
    use rota::schedule::Schedule;
    use rota::solver::{self, SolveOptions};
    use rota::testkit::instance::{Spec, generate};
    use rota::testkit::resolve;

    /// The limit of every solve: the CLI's default.
    const LIMIT: f64 = 10.0;
    const EDITS: [&str; 5] = [
        "PTO week",
        "sick day",
        "new hire",
        "leaves",
        "min_rest +4 h",
    ];

    pub fn run(threads: u32) -> ExitCode {
        let options = SolveOptions {
            time_limit: Duration::from_secs_f64(LIMIT),
            threads,
            ..SolveOptions::default()
        };
        let example = match rota::config::load(std::path::Path::new("configs/example.toml")) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        let team40 = generate(&Spec::named("team40").expect("a named case"));
        println!(
            "| team | edit | forced | optional | imbalance first → re-solve | re-solve: answer s | re-solve: all s | status | fresh: moves | fresh: s | fresh imbalance | frontier (budget: moves → imbalance) |"
        );
        println!("|---|---|--:|--:|---|--:|--:|---|--:|--:|--:|---|");
        for (name, config) in [("example", example), ("team40", team40)] {
            if let Err(e) = team(name, &config, &options) {
                eprintln!("{name}: {e}");
            }
        }
        ExitCode::SUCCESS
    }

    fn team(name: &str, config: &Config, options: &SolveOptions) -> Result<(), String> {
        let problem = problem::build(config).map_err(|e| e.to_string())?;
        let first = solver::solve(&problem, None, options).map_err(|e| e.to_string())?;
        let old = resolve::schedule(config, &problem, &first);
        let first_imbalance = old.metrics.imbalance;
        let days = (config.period.end - config.period.start).num_days() as u64;
        let mid = config.period.start + Days::new(days / 2);
        let freeze = midnight(mid - Days::new(14));
        for edit in EDITS {
            let edited = edited(config, &old, edit, mid);
            let p = problem::build(&edited).map_err(|e| e.to_string())?;
            let r = resolve::resolve(&edited, &p, &old, freeze, options);
            let fresh = solver::solve(&p, None, options);
            let frontier = r.as_ref().map_or(String::new(), |r| {
                r.frontier
                    .iter()
                    .map(|(b, m, i)| {
                        let b = b.map_or("∞".to_string(), |b| b.to_string());
                        format!("{b}: {m} → {i:.1}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            match (r, fresh) {
                (Ok(r), Ok(f)) => println!(
                    "| {name} | {edit} | {} | {} | {first_imbalance:.1} → {:.1} | {:.2} | {:.2} | {} | {} | {:.2} | {:.1} | {frontier} |",
                    r.forced,
                    r.optional,
                    r.imbalance,
                    r.chosen_seconds,
                    r.seconds,
                    r.status,
                    resolve::moves(&p, &old, freeze, &f.assignment),
                    f.seconds,
                    rota::problem::evaluate::evaluate(&p, &f.assignment, None)
                        .metrics
                        .imbalance,
                ),
                (r, f) => println!(
                    "| {name} | {edit} | {:?} | | | | | | {:?} | | | |",
                    r.err(),
                    f.err()
                ),
            }
        }
        Ok(())
    }

    fn midnight(date: NaiveDate) -> DateTime<Utc> {
        date.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
    }

    /// `config` with one edit, made to whoever holds the first shift starting at `mid`.
    fn edited(config: &Config, old: &Schedule, edit: &str, mid: NaiveDate) -> Config {
        let mut c = config.clone();
        // Another config than the first schedule's, as an edited file's hash would say: a
        // re-solve of an unchanged config makes no optional move.
        c.sha256 = format!("{} + {edit}", c.sha256);
        let seat = old
            .shifts
            .iter()
            .find(|s| s.start >= midnight(mid))
            .or(old.shifts.last())
            .expect("the first schedule has shifts");
        let m = c
            .members
            .iter()
            .position(|m| m.id == seat.member)
            .expect("a member of the config");
        let local = seat
            .start
            .with_timezone(&c.members[m].timezone)
            .date_naive();
        match edit {
            "PTO week" => c.members[m].unavailable.push(DateRule::Range {
                from: local,
                to: local + Days::new(6),
                reason: Some("PTO".into()),
            }),
            "sick day" => c.members[m].unavailable.push(DateRule::Date {
                date: local,
                reason: Some("sick".into()),
            }),
            "new hire" => {
                let mut hire = c.members[m].clone();
                hire.id = "newhire".into();
                hire.name = "New Hire".into();
                hire.email = None;
                hire.joins = Some(mid);
                hire.leaves = None;
                hire.unavailable.clear();
                hire.prefer_off.clear();
                c.members.push(hire);
            }
            "leaves" => c.members[m].leaves = Some(mid),
            _ => c.rules.min_rest_hours += 4.0,
        }
        c
    }
}
