//! Every schedule of a tiny problem, by brute force: the reference the solver's bounds
//! are checked against (one seat per shift, a few members, a few shifts).

use crate::problem::Problem;
use crate::problem::assignment::Assignment;
use crate::problem::evaluate::evaluate;

/// Every schedule the rules allow, with its objective.
pub(crate) fn schedules(problem: &Problem) -> Vec<(Assignment, f64)> {
    fn fill(problem: &Problem, s: usize, a: &mut Assignment, out: &mut Vec<(Assignment, f64)>) {
        if s == problem.shifts.len() {
            if crate::problem::rules::check(problem, a, None).is_empty() {
                out.push((a.clone(), evaluate(problem, a, None).objective));
            }
            return;
        }
        for m in problem.candidates(s) {
            a.members[s] = vec![m];
            fill(problem, s + 1, a, out);
        }
    }
    let mut out = Vec::new();
    let mut a = Assignment::empty(problem.shifts.len());
    fill(problem, 0, &mut a, &mut out);
    out
}

/// The least objective of any schedule (∞ where none keeps the rules).
pub(crate) fn optimum(problem: &Problem) -> f64 {
    schedules(problem)
        .iter()
        .map(|s| s.1)
        .fold(f64::INFINITY, f64::min)
}
