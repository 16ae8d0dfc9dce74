//! The exact MILP of `docs/objective.md` in good_lp, solved by HiGHS.
//!
//! Binary `x[s][m]` exists only for unblocked pairs. Its objective is term for term the
//! one of evaluate.rs, so HiGHS's bound is a bound on the reported objective.

use std::time::{Duration, Instant};

use good_lp::solvers::highs::highs;
use good_lp::{
    Constraint, Expression, ProblemVariables, SolverModel, Variable, constraint, variable,
};
use highs::HighsModelStatus;

use super::bounds::{Levels, fairness_bounds};
use super::watch;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::solver::index::Index;
use crate::solver::plan;
use crate::solver::progress::Progress;
use crate::solver::symmetry;

/// HiGHS's `presolve_rule_off` bit of probing.
const PROBING: i32 = 1 << 15;

/// How one MILP run should go.
pub(crate) struct Params<'a> {
    /// Seconds for the whole call, building the model included.
    pub time_limit: f64,
    pub gap: f64,
    /// Only ask whether any schedule exists (no objective).
    pub feasibility_only: bool,
    /// A complete valid assignment to start from.
    pub warm: Option<&'a Assignment>,
    /// Per (shift × members + member): force `x` to this value (large-neighbourhood search).
    pub fix: Option<&'a [Option<bool>]>,
    /// Like `fix`, but for pairs no better schedule than the warm start differs on
    /// (`lagrange`): the whole model keeps its extra rows.
    pub exclude: Option<&'a [Option<bool>]>,
    /// Shown HiGHS's best objective and bound as they improve (whole model only: a
    /// neighbourhood's bound is not a bound on the problem).
    pub progress: Option<&'a Progress<'a>>,
    /// The warm start's objective. In the whole model of a team of at most
    /// [`plan::SMALL_TEAM`] people (and [`plan::SMALL_MODEL_BINARIES`]), a schedule that beats it
    /// keeps its fairness terms within what it leaves above the cheapest seats: a row
    /// that lets HiGHS prune by propagation what its LP bound cannot.
    pub cutoff: Option<f64>,
    /// The least fairness terms any schedule has (`fair_floor`), stated as a row of the
    /// whole model: where the month is a partition question, HiGHS's LP bound cannot
    /// see it and the proof waits on it.
    pub fair_floor: Option<f64>,
    /// HiGHS prints its own log ([`crate::solver::SolveOptions::highs_log`]).
    pub highs_log: bool,
}

impl<'a> Params<'a> {
    /// A run with this limit and gap and nothing else: no warm start, nothing fixed or
    /// excluded, no rows from elsewhere, no progress shown.
    pub fn new(time_limit: f64, gap: f64) -> Params<'a> {
        Params {
            time_limit,
            gap,
            feasibility_only: false,
            warm: None,
            fix: None,
            exclude: None,
            progress: None,
            cutoff: None,
            fair_floor: None,
            highs_log: false,
        }
    }
}

#[derive(Debug)]
pub(crate) enum Outcome {
    Solved {
        assignment: Assignment,
        /// HiGHS proved optimality within the requested gap.
        optimal: bool,
        /// HiGHS's dual bound on the objective.
        bound: f64,
    },
    Infeasible,
    /// Stopped (time limit) without a feasible schedule.
    NoSolution {
        bound: f64,
    },
    Error(String),
}

/// The model's variables and constraints, plus the warm-start value of every column.
struct Built {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    /// `x[s * members + m]`.
    x: Vec<Option<Variable>>,
    /// Column of each `x` in creation order (good_lp keeps variable indices private).
    xcol: Vec<usize>,
    warm: Vec<f64>,
    /// The whole model of a small team (see [`plan::SMALL_MODEL_BINARIES`]).
    small_whole: bool,
}

pub(crate) fn solve(problem: &Problem, index: &Index, params: &Params) -> Outcome {
    let began = Instant::now();
    let built = build(problem, index, params);
    let members = index.members;
    let mut model = match highs_model(built.vars, built.objective, built.constraints) {
        Ok(m) => m,
        Err(e) => return Outcome::Error(e),
    };
    model.make_quiet();
    // HiGHS's own log, for seeing where a proof stalls.
    let _ = model.try_set_option("output_flag", params.highs_log);
    let _ = model.try_set_option("log_to_console", params.highs_log);
    // Building the model (and its cuts) counts against the limit too: on large teams a
    // short solve otherwise overran it noticeably.
    let left = params.time_limit - began.elapsed().as_secs_f64();
    limit(&mut model, left.max(0.01), params.gap.max(0.0));
    // HiGHS reads its clock only between steps of its presolve and its setup, each of
    // which can outlast a short limit on a large model: see `plan::HIGHS_SETUP_SECONDS`.
    let nonzeros = nonzeros(&mut model);
    if params.fix.is_none() {
        if left < plan::HIGHS_SETUP_SECONDS * nonzeros {
            return Outcome::NoSolution {
                bound: f64::NEG_INFINITY,
            };
        }
        if left < plan::HIGHS_PROBING_SECONDS * nonzeros {
            let _ = model.try_set_option("presolve_rule_off", PROBING);
        }
    }
    if built.small_whole && params.warm.is_some() {
        // A small whole model starts from the portfolio's schedule, which HiGHS's own
        // neighbourhood heuristics rarely improve: with them off, small teams are proven
        // sooner (they spent half of the time in sub-MIPs). Larger ones keep them: there
        // the MILP is still a search, and they find most of what it improves.
        for heuristic in [
            "mip_heuristic_run_rins",
            "mip_heuristic_run_rens",
            "mip_heuristic_run_root_reduced_cost",
        ] {
            let _ = model.try_set_option(heuristic, false);
        }
        // Its tree is short, too, and HiGHS's cut rounds at the nodes and its restarts
        // after the root cost more than they prune there: both off, more small teams are
        // proven within a short limit. (Presolving only at the root as well helped the
        // smallest but cost a 12-person quarter its short proof.)
        let _ = model.try_set_option("mip_allow_restart", false);
        let _ = model.try_set_option("mip_allow_cut_separation_at_nodes", false);
    }
    if params.warm.is_some() {
        let _ = model.try_set_solution(Some(&built.warm), None, None, None);
    }
    let decode = |values: &[f64]| schedule_of(values, &built.x, &built.xcol, index.shifts, members);
    let watched = params.progress.map(|progress| watch::Watched {
        progress,
        decode: &decode,
    });
    if let Some(watched) = &watched {
        // SAFETY: `watched` outlives `try_solve` below.
        unsafe { watch::attach(&mut model, watched) };
    }
    let solved = match model.try_solve() {
        Ok(s) => s,
        Err(e) => return Outcome::Error(format!("HiGHS failed: {e:?}")),
    };
    let status = solved.status();
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(f64::NEG_INFINITY);
    match status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Outcome::Infeasible;
        }
        HighsModelStatus::Optimal
        | HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => {}
        other => return Outcome::Error(format!("HiGHS stopped with status {other:?}")),
    }
    if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
        return Outcome::NoSolution { bound };
    }
    let solution = solved.get_solution();
    let assignment = schedule_of(
        solution.columns(),
        &built.x,
        &built.xcol,
        index.shifts,
        members,
    );
    Outcome::Solved {
        assignment,
        optimal: status == HighsModelStatus::Optimal,
        bound,
    }
}

/// The model as HiGHS holds it, before any option is set.
pub(crate) fn highs_model(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
) -> Result<highs::Model, String> {
    let mut lp = vars.minimise(objective).using(highs);
    for c in constraints {
        lp.add_constraint(c);
    }
    lp.try_into_inner().map_err(|e| e.to_string())
}

/// At most `seconds`, proven once within `gap` (relative), on one thread: the tree
/// search gained nothing from a second core (SOLVER-NOTES), and the cores serve the
/// heuristic searches and the bounds beside them instead.
pub(crate) fn limit(model: &mut highs::Model, seconds: f64, gap: f64) {
    let _ = model.try_set_option("time_limit", seconds);
    let _ = model.try_set_option("mip_rel_gap", gap);
    let _ = model.try_set_option("threads", 1);
}

/// The model's nonzeros, which HiGHS's setup and root (where it seldom reads its
/// clock) take time in proportion to.
pub(crate) fn nonzeros(model: &mut highs::Model) -> f64 {
    // SAFETY: the pointer is the model's own.
    unsafe { highs_sys::Highs_getNumNz(model.as_mut_ptr()) }.max(0) as f64
}

/// Columns and rows of the whole model as `solve` would build it (no warm start).
pub(crate) fn size(problem: &Problem, index: &Index) -> (usize, usize) {
    let built = build(
        problem,
        index,
        &Params {
            // The solve's budget row counts too (its value does not matter here); the
            // floor's does not: whether it goes in depends on the floor found.
            cutoff: Some(0.0),
            // Time enough for every bound, whose rows count too.
            ..Params::new(3600.0, 0.0)
        },
    );
    // Every column gets its warm-start value as it is created.
    (built.warm.len(), built.constraints.len())
}

/// The schedule a vector of column values stands for: who holds each shift.
fn schedule_of(
    values: &[f64],
    x: &[Option<Variable>],
    xcol: &[usize],
    shifts: usize,
    members: usize,
) -> Assignment {
    let mut assignment = Assignment::empty(shifts);
    for (s, held) in assignment.members.iter_mut().enumerate() {
        for m in 0..members {
            if x[s * members + m].is_some()
                && values
                    .get(xcol[s * members + m])
                    .is_some_and(|&val| val > 0.5)
            {
                held.push(m);
            }
        }
    }
    assignment
}

fn build(problem: &Problem, index: &Index, params: &Params) -> Built {
    // The bounds' searches over load levels get a share of the run's limit: on a long
    // period they can take longer than HiGHS is given.
    let share = (params.time_limit * plan::BOUNDS_SHARE).clamp(0.0, 1e6);
    let bounds_until = Instant::now() + Duration::from_secs_f64(share);
    let members = index.members;
    let shifts = index.shifts;
    let w = problem.objective;
    // Only the whole model orders interchangeable members: a neighbourhood's fixed
    // seats already tell them apart.
    let groups = if params.fix.is_none() {
        symmetry::interchangeable(problem, index)
    } else {
        Vec::new()
    };
    let canonical_warm = params
        .warm
        .map(|a| symmetry::canonical(a, &groups, members));
    let params = &Params {
        warm: canonical_warm.as_ref(),
        ..*params
    };
    let warm_holds = |s: usize, m: usize| params.warm.is_some_and(|a| a.holds(s, m));

    let mut vars = ProblemVariables::new();
    let mut warm: Vec<f64> = Vec::new();
    let mut constraints: Vec<Constraint> = Vec::new();
    let mut objective = Expression::with_capacity(shifts * members / 2 + members * 2 + 4);

    // x: one binary per unblocked pair; fixed seats at 1, other holders of frozen shifts
    // do not exist.
    let mut x: Vec<Option<Variable>> = vec![None; shifts * members];
    let mut xcol: Vec<usize> = vec![0; shifts * members];
    for s in 0..shifts {
        for &m in &index.cand[s] {
            let fixed = index.fixed[s].binary_search(&m).is_ok();
            if index.frozen[s] && !fixed {
                continue;
            }
            let forced = params
                .fix
                .or(params.exclude)
                .and_then(|f| f[s * members + m]);
            if forced == Some(false) && !fixed {
                // Outside the neighbourhood and not held: the pair does not exist.
                continue;
            }
            let mut def = variable().binary();
            if fixed || forced == Some(true) {
                def = def.min(1.0);
            }
            xcol[s * members + m] = warm.len();
            x[s * members + m] = Some(vars.add(def));
            warm.push(if warm_holds(s, m) { 1.0 } else { 0.0 });
        }
    }
    let xv = |s: usize, m: usize| x[s * members + m];
    // So far the only columns are the binaries.
    let small_whole = params.fix.is_none() && warm.len() <= plan::SMALL_MODEL_BINARIES;

    // Coverage.
    for s in 0..shifts {
        let mut e = Expression::with_capacity(index.cand[s].len());
        for &m in &index.cand[s] {
            if let Some(v) = xv(s, m) {
                e.add_mul(1.0, v);
            }
        }
        constraints.push(constraint!(e == problem.shifts[s].per_shift as f64));
    }

    // No overlap and min_rest: at most one shift of each clique per member. A member's
    // part of a clique that is contained in their previous part adds nothing.
    let mut last: Vec<Vec<usize>> = vec![Vec::new(); members];
    for clique in &index.cliques {
        for (m, last) in last.iter_mut().enumerate() {
            let part: Vec<usize> = clique
                .iter()
                .copied()
                .filter(|&s| xv(s, m).is_some())
                .collect();
            if part.len() < 2 || part.iter().all(|s| last.binary_search(s).is_ok()) {
                continue;
            }
            let mut e = Expression::with_capacity(part.len());
            for &s in &part {
                if let Some(v) = xv(s, m) {
                    e.add_mul(1.0, v);
                }
            }
            constraints.push(constraint!(e <= 1.0));
            *last = part;
        }
    }

    // max_consecutive: every window of K + 1 consecutive shifts of a layer holds ≤ K.
    // A member who held the C shifts right before the period holds at most K − C of the
    // layer's first K − C + 1 (none of the first when C ≥ K).
    let k = index.max_consecutive as usize;
    if k > 0 {
        for (layer, list) in index.layer_shifts.iter().enumerate() {
            let seq = |i: usize| problem.shifts[list[i]].seq_in_layer;
            for m in 0..members {
                let carried = (problem.members[m].earlier_run[layer] as usize).min(k);
                if carried == 0 || list.len() < k - carried + 1 {
                    continue;
                }
                let window = 0..=k - carried;
                if window.clone().skip(1).any(|i| seq(i - 1) + 1 != seq(i))
                    || window.clone().any(|i| xv(list[i], m).is_none())
                {
                    continue;
                }
                let mut e = Expression::with_capacity(k + 1);
                for i in window {
                    if let Some(v) = xv(list[i], m) {
                        e.add_mul(1.0, v);
                    }
                }
                constraints.push(constraint!(e <= (k - carried) as f64));
            }
            for start in 0..list.len().saturating_sub(k) {
                let window = start..=start + k;
                if window.clone().skip(1).any(|i| seq(i - 1) + 1 != seq(i)) {
                    continue;
                }
                for m in 0..members {
                    if window.clone().any(|i| xv(list[i], m).is_none()) {
                        continue;
                    }
                    let mut e = Expression::with_capacity(k + 1);
                    for i in window.clone() {
                        if let Some(v) = xv(list[i], m) {
                            e.add_mul(1.0, v);
                        }
                    }
                    constraints.push(constraint!(e <= k as f64));
                }
            }
        }
    }

    // Interchangeable members hold non-increasing numbers of shifts (any schedule can
    // be relabelled so, without changing its objective).
    for group in &groups {
        for pair in group.windows(2) {
            let mut e = Expression::with_capacity(2 * shifts);
            for s in 0..shifts {
                if let Some(v) = xv(s, pair[0]) {
                    e.add_mul(1.0, v);
                }
                if let Some(v) = xv(s, pair[1]) {
                    e.add_mul(-1.0, v);
                }
            }
            constraints.push(constraint!(e >= 0.0));
        }
    }

    // max_shifts.
    for m in 0..members {
        if let Some(max) = index.max_shifts[m] {
            let mut e = Expression::with_capacity(shifts);
            for s in 0..shifts {
                if let Some(v) = xv(s, m) {
                    e.add_mul(1.0, v);
                }
            }
            constraints.push(constraint!(e <= f64::from(max)));
        }
    }

    if params.feasibility_only {
        return Built {
            vars,
            objective: Expression::with_capacity(0),
            constraints,
            x,
            xcol,
            warm,
            small_whole,
        };
    }

    // Linear per-seat terms: total_load, prefer_off, churn.
    let seat_cost = |s: usize, m: usize| index.seat_cost(problem, s, m);
    // Every shift costs at least its cheapest seat (for the budget below).
    let mut cheapest = 0.0;
    for s in 0..shifts {
        let mut least = f64::INFINITY;
        for m in 0..members {
            let Some(v) = xv(s, m) else { continue };
            let c = seat_cost(s, m);
            least = least.min(c);
            if c != 0.0 {
                objective.add_mul(c, v);
            }
        }
        if least.is_finite() {
            cheapest += f64::from(problem.shifts[s].per_shift) * least;
        }
    }

    // Only for the whole model of small teams: there they prove optimality where the
    // plain model could not; on models of a few thousand binaries HiGHS stalled at the
    // root with them, or overran its time limit.
    if small_whole {
        count_rows(
            problem,
            index,
            &x,
            params.warm,
            &mut vars,
            &mut warm,
            &mut constraints,
        );
    }

    // A schedule better than the warm start keeps its fairness terms within what the
    // start leaves above the cheapest seats (and no back-to-back pair): a row HiGHS
    // propagates from, where its LP bound cannot see that the month is a partition
    // question. Only for the smallest teams: there it shortens the searches that take
    // longest, while the cuts HiGHS derives from it slow the short ones (and a
    // 12-person quarter, which is why larger teams go without).
    let budget = params
        .cutoff
        .filter(|_| small_whole && members <= plan::SMALL_TEAM && w.others_nonnegative());
    let budget = budget.map(|cutoff| cutoff - cheapest + 1e-6 * cutoff.abs().max(1.0));
    let load_expr = |m: usize| {
        let mut e = Expression::with_capacity(index.shifts);
        for s in 0..index.shifts {
            if let Some(v) = x[s * members + m] {
                e.add_mul(problem.cells[s][m].points, v);
            }
        }
        e
    };
    let warm_load = |m: usize| -> f64 {
        params.warm.map_or(0.0, |a| {
            a.shifts_of(m).map(|s| problem.cells[s][m].points).sum()
        })
    };
    fairness(
        problem,
        index,
        Loads {
            of: &load_expr,
            warm: &warm_load,
        },
        params.fix,
        (params.fair_floor, budget),
        bounds_until,
        &mut vars,
        &mut warm,
        &mut constraints,
        &mut objective,
    );

    // Back-to-back after-hours pairs: y ≥ x_a + x_b − 1 with y in [0, 1] (minimised, so
    // y = x_a · x_b at the optimum; with a negative weight also y ≤ x_a, y ≤ x_b).
    let wb = w.back_to_back_after_hours;
    if wb != 0.0 {
        for a in 0..shifts {
            for m in 0..members {
                let Some(va) = xv(a, m) else { continue };
                if !problem.cells[a][m].after_hours {
                    continue;
                }
                for &b in &index.b2b_next[a] {
                    let Some(vb) = xv(b, m) else { continue };
                    if !problem.cells[b][m].after_hours {
                        continue;
                    }
                    let y = vars.add(variable().min(0.0).max(1.0));
                    warm.push(if warm_holds(a, m) && warm_holds(b, m) {
                        1.0
                    } else {
                        0.0
                    });
                    objective.add_mul(wb, y);
                    constraints.push(constraint!(y >= va + vb - 1.0));
                    if wb < 0.0 {
                        constraints.push(constraint!(y <= va));
                        constraints.push(constraint!(y <= vb));
                    }
                }
            }
        }
    }

    Built {
        vars,
        objective,
        constraints,
        x,
        xcol,
        warm,
        small_whole,
    }
}

/// Each member's number of shifts as an integer `c`, and their load `L` between the
/// tangents of the least and the most it can be with `c` shifts: the sum of the `c`
/// smallest free points is convex in `c` (increments sorted up), so every tangent is
/// below it at every whole `c`; the sum of the `c` largest is concave, likewise above.
/// Branching on `c` then splits loads into the bands that a count allows.
fn count_rows(
    problem: &Problem,
    index: &Index,
    x: &[Option<Variable>],
    warm_assignment: Option<&Assignment>,
    vars: &mut ProblemVariables,
    warm: &mut Vec<f64>,
    constraints: &mut Vec<Constraint>,
) {
    let members = index.members;
    for m in 0..members {
        if !index.in_fairness[m] {
            continue;
        }
        let mut base = 0.0;
        let mut fixed = 0.0;
        let mut free: Vec<f64> = Vec::new();
        let mut load = Expression::with_capacity(index.shifts + 1);
        let mut count = Expression::with_capacity(index.shifts + 1);
        for s in 0..index.shifts {
            let Some(v) = x[s * members + m] else {
                continue;
            };
            let p = problem.cells[s][m].points;
            load.add_mul(p, v);
            count.add_mul(1.0, v);
            if index.frozen[s] || index.fixed[s].binary_search(&m).is_ok() {
                base += p;
                fixed += 1.0;
            } else {
                free.push(p);
            }
        }
        if free.len() < 2 {
            continue;
        }
        free.sort_by(f64::total_cmp);
        let (warm_load, warm_count) = warm_assignment.map_or((0.0, 0.0), |a| {
            a.shifts_of(m).fold((0.0, 0.0), |(l, c), s| {
                (l + problem.cells[s][m].points, c + 1.0)
            })
        });
        let l = vars.add(variable());
        warm.push(warm_load);
        let c = vars.add(
            variable()
                .integer()
                .min(fixed)
                .max(fixed + free.len() as f64),
        );
        warm.push(warm_count);
        load.add_mul(-1.0, l);
        count.add_mul(-1.0, c);
        constraints.push(constraint!(load == 0.0));
        constraints.push(constraint!(count == 0.0));
        let n = free.len();
        let (mut low, mut high) = (base, base);
        for k in 0..n {
            // At c = fixed + k: least load `low`, next increment free[k]; most `high`,
            // next increment free[n − 1 − k].
            let at = fixed + k as f64;
            let up = free[k];
            let down = free[n - 1 - k];
            constraints.push(constraint!(l - up * c >= low - up * at));
            constraints.push(constraint!(l - down * c <= high - down * at));
            low += up;
            high += down;
        }
    }
}

/// Each member's load as the model states it, and its value in the warm start.
pub(crate) struct Loads<'a> {
    pub of: &'a dyn Fn(usize) -> Expression,
    pub warm: &'a dyn Fn(usize) -> f64,
}

/// Imbalance (zmax ≥ normalized ≥ zmin) and deviation. Σ (load − fair share) over the
/// members in fairness is 0, so Σ |load − share| = 2 Σ max(0, load − share): one row per
/// member instead of two. Their weighted sum stays at least the `floor` and within the
/// `budget` when given.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fairness(
    problem: &Problem,
    index: &Index,
    loads: Loads<'_>,
    fix: Option<&[Option<bool>]>,
    (floor, budget): (Option<f64>, Option<f64>),
    until: Instant,
    vars: &mut ProblemVariables,
    warm: &mut Vec<f64>,
    constraints: &mut Vec<Constraint>,
    objective: &mut Expression,
) {
    let w = problem.objective;
    let members = index.members;
    let fair: Vec<usize> = (0..members).filter(|&m| index.in_fairness[m]).collect();
    if fair.is_empty() || (w.imbalance == 0.0 && w.deviation == 0.0) {
        return;
    }
    let mut fair_expr = Expression::with_capacity(fair.len() + 2);
    let (load_expr, warm_load) = (loads.of, loads.warm);
    let total_capacity: f64 = fair.iter().map(|&m| problem.capacity[m]).sum();
    let total_history: f64 = fair.iter().map(|&m| problem.history[m]).sum();
    let normalized = |m: usize| (warm_load(m) + problem.history[m]) / problem.capacity[m];

    let bounds = fairness_bounds(problem, index, &fair, fix, until);
    if w.imbalance != 0.0 {
        let zmax = vars.add(variable().min(bounds.zmax_lb));
        warm.push(
            fair.iter()
                .map(|&m| normalized(m))
                .fold(f64::NEG_INFINITY, f64::max),
        );
        let zmin = vars.add(variable().max(bounds.zmin_ub));
        warm.push(
            fair.iter()
                .map(|&m| normalized(m))
                .fold(f64::INFINITY, f64::min),
        );
        objective.add_mul(w.imbalance, zmax);
        objective.add_mul(-w.imbalance, zmin);
        fair_expr.add_mul(w.imbalance, zmax);
        fair_expr.add_mul(-w.imbalance, zmin);
        if bounds.imbalance_lb > 0.0 {
            constraints.push(constraint!(zmax - zmin >= bounds.imbalance_lb));
        }
        for &m in &fair {
            let cap = problem.capacity[m];
            let hist = problem.history[m];
            constraints.push(constraint!(cap * zmax - load_expr(m) >= hist));
            constraints.push(constraint!(cap * zmin - load_expr(m) <= hist));
        }
    }

    if w.deviation != 0.0
        && let Some(total) = bounds.constant_total
    {
        // Fair shares are constants: |load − share| ≥ both sides and the chord of the
        // grid points around the share.
        for &m in &fair {
            let share =
                problem.capacity[m] / total_capacity * (total + total_history) - problem.history[m];
            // d = max(0, load − share) = (|load − share| + load − share) / 2.
            let d = vars.add(variable().min(0.0));
            warm.push((warm_load(m) - share).max(0.0));
            objective.add_mul(2.0 * w.deviation, d);
            fair_expr.add_mul(2.0 * w.deviation, d);
            constraints.push(constraint!(d - load_expr(m) >= -share));
            if let Some(row) = chord(&bounds.levels[m], share, share) {
                // |load − share| ≥ row(load) and |load − share| = 2d − (load − share).
                constraints.push(constraint!(
                    2.0 * d - (row.slope + 1.0) * load_expr(m) >= row.at_zero - share
                ));
            }
        }
    } else if w.deviation != 0.0 {
        let total = vars.add(variable());
        let warm_total: f64 = fair.iter().map(|&m| warm_load(m)).sum();
        warm.push(warm_total);
        let mut sum = Expression::with_capacity(index.shifts * fair.len());
        for &m in &fair {
            sum += load_expr(m);
        }
        constraints.push(constraint!(sum - total == 0.0));
        for &m in &fair {
            let share = problem.capacity[m] / total_capacity;
            let hist = problem.history[m];
            let d = vars.add(variable().min(0.0));
            let warm_excess = warm_load(m) + hist - share * (warm_total + total_history);
            warm.push(warm_excess.max(0.0));
            objective.add_mul(2.0 * w.deviation, d);
            fair_expr.add_mul(2.0 * w.deviation, d);
            // d ≥ load + history − share × (total + history pool)
            constraints.push(constraint!(
                d - load_expr(m) + share * total >= hist - share * total_history
            ));
            // The fair share moves with the total, within the total's range.
            if let Some((low, high)) = bounds.total_range {
                let lo = share * (low + total_history) - hist;
                let hi = share * (high + total_history) - hist;
                if let Some(row) = chord(&bounds.levels[m], lo, hi) {
                    // |e| = 2d − e with e = load + hist − share (total + pool) ≥ row(load).
                    constraints.push(constraint!(
                        2.0 * d - (row.slope + 1.0) * load_expr(m) + share * total
                            >= row.at_zero + hist - share * total_history
                    ));
                }
            }
        }
    }
    // Only where the floor says more than the imbalance row above: where that row
    // already carries most of the floor, the floor's row as well made proofs longer.
    // HiGHS's tolerances are about 1e-9 of these objectives; 1e-6 keeps the row clear
    // of them.
    let news = |floor: f64| floor - w.imbalance * bounds.imbalance_lb > plan::FLOOR_NEWS * floor;
    if let Some(floor) = floor.filter(|&f| fix.is_none() && news(f)) {
        let floor = floor - 1e-6 * floor.abs().max(1.0);
        constraints.push(constraint!(fair_expr.clone() >= floor));
    }
    if let Some(budget) = budget {
        constraints.push(constraint!(fair_expr <= budget));
    }
}

/// `|load − F| ≥ at_zero + slope × load` for every reachable load and every fair share
/// F in `[lo, hi]`.
struct Chord {
    at_zero: f64,
    slope: f64,
}

/// The line through (a, lo − a) and (b, b − hi), with a the highest level ≤ lo and b the
/// lowest ≥ hi. At a and b it is below |load − F|; beyond them |load − F| rises with
/// slope 1 while the line's slope is within [−1, 1], so it stays below at every level.
/// Without a level strictly between lo and hi there is nothing to gain and no row.
fn chord(levels: &Levels, lo: f64, hi: f64) -> Option<Chord> {
    let a = levels.below(lo)?;
    let b = levels.above(hi)?;
    if b - a < 1e-9 || levels.above(lo + 1e-9).is_some_and(|l| l < hi - 1e-9) {
        return None;
    }
    let (fa, fb) = (lo - a, b - hi);
    if fa < 1e-9 && fb < 1e-9 {
        return None;
    }
    let slope = (fb - fa) / (b - a);
    Some(Chord {
        at_zero: fa - slope * a,
        slope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules as ConfigRules;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    /// The bench prints `size` as the MILP's size, and the warm start needs a value for
    /// every column: both counts must be what HiGHS receives, on a model with every
    /// kind of row (cliques, windows, counts, fairness, back-to-back).
    #[test]
    fn size_is_what_highs_receives() {
        let mut shifts: Vec<(usize, i64, i64)> = (0..14).map(|d| (0, d * 12, 12)).collect();
        shifts.extend((0..2).map(|w| (1, w * 84, 84)));
        shifts.sort_by_key(|s| s.1);
        let rules = ConfigRules {
            min_rest_hours: 12.0,
            max_consecutive: 2,
            ..ConfigRules::default()
        };
        let mut problem = testkit::problem(4, &shifts, rules);
        problem.capacity = vec![1.0, 0.5, 1.0, 0.8];
        problem.cells[3][2].blocked = Some(crate::problem::Exclusion::NotEligible);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let (columns, rows) = size(&problem, &index);

        let Built {
            vars,
            objective,
            constraints,
            x,
            small_whole,
            ..
        } = build(
            &problem,
            &index,
            &Params {
                // As `size` builds it: with the budget row, without the floor's.
                cutoff: Some(0.0),
                ..Params::new(1.0, 0.0)
            },
        );
        assert!(small_whole, "the count rows are part of the model");
        let binaries = x.iter().flatten().count();
        assert_eq!(binaries, 16 * 4 - 1, "one binary per unblocked pair");
        let mut model = highs_model(vars, objective, constraints).expect("a valid model");
        // SAFETY: the pointer is the model's own, alive for both calls.
        let (highs_columns, highs_rows) = unsafe {
            (
                highs_sys::Highs_getNumCol(model.as_mut_ptr()),
                highs_sys::Highs_getNumRow(model.as_mut_ptr()),
            )
        };
        assert_eq!(
            (columns, rows),
            (highs_columns as usize, highs_rows as usize)
        );
        assert!(columns > binaries && rows > shifts.len());
    }

    fn whole(warm: Option<&Assignment>, cutoff: Option<f64>) -> Params<'_> {
        Params {
            warm,
            cutoff,
            ..Params::new(20.0, 0.0)
        }
    }

    /// Part-timers (capacities 1, 0.5, 0.8, …) on days of uneven hours, so HiGHS has to
    /// branch; no back-to-back cost.
    fn part_timers(members: usize, days: i64) -> Problem {
        let shifts: Vec<(usize, i64, i64)> = (0..days)
            .map(|i| (0, i * 24, [4, 12, 20, 8, 16][i as usize % 5]))
            .collect();
        let mut problem = testkit::problem(members, &shifts, ConfigRules::default());
        problem.capacity = (0..members).map(|m| [1.0, 0.5, 0.8][m % 3]).collect();
        problem.objective.back_to_back_after_hours = 0.0;
        problem
    }

    /// Rows of the whole model with this fairness floor.
    fn rows_with(problem: &Problem, index: &Index, fair_floor: Option<f64>) -> usize {
        let params = Params {
            fair_floor,
            ..whole(None, None)
        };
        build(problem, index, &params).constraints.len()
    }

    /// The whole model's proven optimum.
    fn best_of(problem: &Problem, index: &Index) -> Assignment {
        match solve(problem, index, &whole(None, None)) {
            Outcome::Solved {
                assignment,
                optimal: true,
                ..
            } => assignment,
            other => panic!("not proven: {other:?}"),
        }
    }

    /// Solves, expects a proof of a schedule worth `optimum`, and returns HiGHS's bound.
    fn proven_at(problem: &Problem, index: &Index, params: &Params, optimum: f64) -> f64 {
        let outcome = solve(problem, index, params);
        let Outcome::Solved {
            assignment,
            optimal: true,
            bound,
        } = outcome
        else {
            panic!("not proven: {outcome:?}");
        };
        let objective = crate::problem::evaluate::evaluate(problem, &assignment, None).objective;
        assert!(
            (objective - optimum).abs() <= 1e-6 * optimum,
            "{objective} vs {optimum}"
        );
        bound
    }

    #[test]
    fn a_floor_at_the_optimum_bounds_it_and_one_above_overshoots() {
        // Only the fairness terms vary (every seat of a shift costs the same points, no
        // back-to-back cost, no rule): at the optimum they sit exactly on the floor. The
        // deviation carries most of them, so the imbalance row does not already say it.
        let mut problem = part_timers(3, 10);
        problem.objective.imbalance = 1.0;
        let index = Index::new(&problem, None, Rules::of(&problem));
        let best = best_of(&problem, &index);
        let evaluated = crate::problem::evaluate::evaluate(&problem, &best, None);
        let floor = crate::problem::evaluate::fairness(&problem.objective, &evaluated.metrics);
        let rows = |fair_floor| rows_with(&problem, &index, fair_floor);
        assert_eq!(rows(Some(floor)), rows(None) + 1, "the row is in the model");
        // With the default weights the imbalance row already states most of the floor
        // here, and the floor's row stays out.
        let plain = part_timers(3, 10);
        let plain_index = Index::new(&plain, None, Rules::of(&plain));
        let best = best_of(&plain, &plain_index);
        let metrics = crate::problem::evaluate::evaluate(&plain, &best, None).metrics;
        let plain_floor = crate::problem::evaluate::fairness(&plain.objective, &metrics);
        let plain_rows = |fair_floor| rows_with(&plain, &plain_index, fair_floor);
        assert_eq!(
            plain_rows(Some(plain_floor)),
            plain_rows(None),
            "no news, no row"
        );
        // The row cuts no schedule off; it lifts the model's value of those below it,
        // so HiGHS's bound is the optimum, and above it once the floor is too high.
        let optimum = evaluated.objective;
        for (fair_floor, valid) in [(floor, true), (floor * 1.001, false)] {
            let params = Params {
                fair_floor: Some(fair_floor),
                ..whole(None, None)
            };
            let bound = proven_at(&problem, &index, &params, optimum);
            assert_eq!(
                bound <= optimum + 1e-6 * optimum,
                valid,
                "floor {fair_floor}: bound {bound} vs {optimum}"
            );
        }
    }

    #[test]
    fn excluded_pairs_are_kept_out_and_forced_ones_in() {
        // The optimum's holder of day 0 left out and another member forced onto day 1:
        // the answer obeys both, keeps the rules, and costs at least the optimum.
        let problem = part_timers(3, 8);
        let index = Index::new(&problem, None, Rules::of(&problem));
        let best = best_of(&problem, &index);
        let optimum = crate::problem::evaluate::evaluate(&problem, &best, None).objective;
        let members = index.members;
        let off = best.members[0][0];
        let on = (best.members[1][0] + 1) % members;
        let mut exclude = vec![None; index.shifts * members];
        exclude[off] = Some(false);
        exclude[members + on] = Some(true);
        let params = Params {
            exclude: Some(&exclude),
            ..whole(None, None)
        };
        let Outcome::Solved { assignment, .. } = solve(&problem, &index, &params) else {
            panic!("no schedule");
        };
        assert!(!assignment.holds(0, off) && assignment.holds(1, on));
        assert!(crate::problem::rules::check(&problem, &assignment, None).is_empty());
        let value = crate::problem::evaluate::evaluate(&problem, &assignment, None).objective;
        assert!(value >= optimum - 1e-6 * optimum, "{value} vs {optimum}");
    }

    #[test]
    fn a_budget_from_the_optimum_keeps_the_optimum() {
        // Part-timers on uneven shifts (HiGHS has to branch). Every seat of a shift
        // costs the same points and nothing else is charged, so at the optimum the
        // fairness terms use the whole budget: a row any tighter cuts it off.
        for members in [2, 3, 4] {
            let problem = part_timers(members, 14);
            let index = Index::new(&problem, None, Rules::of(&problem));
            let best = best_of(&problem, &index);
            let optimum = crate::problem::evaluate::evaluate(&problem, &best, None).objective;
            let params = whole(Some(&best), Some(optimum));
            let bound = proven_at(&problem, &index, &params, optimum);
            assert!(
                (bound - optimum).abs() <= 1e-6 * optimum,
                "{bound} vs {optimum}"
            );
        }
    }
}
