//! The round-robin rotation of common on-call tools, as a baseline for fairness.
//!
//! Per layer, a pointer walks the layer's eligible members in config order; each seat
//! goes to the next member who may take it under the hard rules, and the pointer moves
//! past whoever took it (a skipped member keeps their place in line). Pins are placed
//! first and do not move the pointer, as an override in a paging tool does not. There
//! is no look-ahead and no backtracking: when nobody fits a seat, the rotation fails.

use std::collections::BTreeMap;

use crate::problem::Problem;
use crate::problem::assignment::Assignment;

/// The round-robin assignment of `problem`, or `None` when the rotation dead-ends
/// (a seat that no eligible member can take without breaking a hard rule).
///
/// Whatever it returns passes [`crate::problem::rules::check`] (without a previous schedule).
pub fn round_robin(problem: &Problem) -> Option<Assignment> {
    let mut state = State::new(problem);
    for &(s, m) in &problem.pins {
        if s >= problem.shifts.len() || m >= problem.members() {
            return None;
        }
        if state.assignment.holds(s, m) {
            continue;
        }
        // Two pins may contradict each other; the rotation cannot repair that.
        if !state.fits(s, m) {
            return None;
        }
        state.take(s, m);
    }

    let layers = problem.layers.len();
    let order: Vec<Vec<usize>> = (0..layers)
        .map(|l| {
            (0..problem.members())
                .filter(|&m| problem.members[m].eligible[l])
                .collect()
        })
        .collect();
    let mut next = vec![0usize; layers];

    for s in 0..problem.shifts.len() {
        let layer = problem.shifts[s].layer;
        let line = order.get(layer)?;
        let need = problem.shifts[s].per_shift as usize;
        while state.assignment.members[s].len() < need {
            let pick = (0..line.len())
                .map(|k| (next[layer] + k) % line.len())
                .find(|&i| state.fits(s, line[i]))?;
            state.take(s, line[pick]);
            next[layer] = (pick + 1) % line.len();
        }
    }
    for held in &mut state.assignment.members {
        held.sort_unstable();
    }
    Some(state.assignment)
}

/// The assignment under construction, with per-member indices for the rule checks.
struct State<'a> {
    problem: &'a Problem,
    assignment: Assignment,
    /// Per member: shifts held so far.
    held: Vec<Vec<usize>>,
    /// (layer, seq_in_layer) → shift, to walk a member's run in a layer.
    by_seq: BTreeMap<(usize, usize), usize>,
}

impl<'a> State<'a> {
    fn new(problem: &'a Problem) -> Self {
        let by_seq = problem
            .shifts
            .iter()
            .enumerate()
            .map(|(s, shift)| ((shift.layer, shift.seq_in_layer), s))
            .collect();
        State {
            problem,
            assignment: Assignment::empty(problem.shifts.len()),
            held: vec![Vec::new(); problem.members()],
            by_seq,
        }
    }

    fn take(&mut self, s: usize, m: usize) {
        self.assignment.members[s].push(m);
        self.held[m].push(s);
    }

    /// Whether `m` may take a seat of shift `s` given everything assigned so far.
    fn fits(&self, s: usize, m: usize) -> bool {
        let problem = self.problem;
        if problem.cells[s][m].blocked.is_some() || self.assignment.holds(s, m) {
            return false;
        }
        let member = &problem.members[m];
        if member
            .max_shifts
            .is_some_and(|max| self.held[m].len() >= max as usize)
        {
            return false;
        }
        let rest_secs = (problem.rules.min_rest_hours * 3600.0).round() as i64;
        let shift = &problem.shifts[s];
        for &h in &self.held[m] {
            let other = &problem.shifts[h];
            if shift.overlaps(other) {
                return false;
            }
            // The same measure as `rules::check`: from the end of the earlier-starting
            // shift to the start of the later one.
            let gap = if (other.start, h) < (shift.start, s) {
                (shift.start - other.end).num_seconds()
            } else {
                (other.start - shift.end).num_seconds()
            };
            if gap < rest_secs {
                return false;
            }
        }
        let max_run = problem.rules.max_consecutive;
        max_run == 0 || self.run_through(s, m) <= max_run
    }

    /// Length of `m`'s run of consecutive shifts of `s`'s layer if `m` also took `s`.
    fn run_through(&self, s: usize, m: usize) -> u32 {
        let (layer, seq) = (
            self.problem.shifts[s].layer,
            self.problem.shifts[s].seq_in_layer,
        );
        let held = |q: usize| {
            self.by_seq
                .get(&(layer, q))
                .is_some_and(|&t| self.assignment.holds(t, m))
        };
        let before = (1..=seq).take_while(|&d| held(seq - d)).count();
        let after = (1..).take_while(|&d| held(seq + d)).count();
        // A run from the layer's first shift continues one from before the period.
        let first = self
            .by_seq
            .range((layer, 0)..=(layer, usize::MAX))
            .next()
            .map(|(&(_, q), _)| q);
        let carried = if first == Some(seq - before) {
            self.problem.members[m].earlier_run[layer]
        } else {
            0
        };
        (1 + before + after) as u32 + carried
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use super::*;
    use crate::config::{Config, Rules};
    use crate::problem::rules;
    use crate::problem::{Cell, ClassHours, Exclusion, Shift};
    use crate::testkit::instance::{Spec, generate};

    /// A team of `members` from the generator, with hand-made shifts: `layers` layers of
    /// back-to-back `hours`-long shifts, `count` per layer, everyone free.
    fn problem(members: usize, layers: usize, count: usize, hours: i64, rules: Rules) -> Problem {
        let mut spec = Spec::scaling(members.max(5), 1);
        spec.members = members;
        spec.rules = rules;
        let mut config: Config = generate(&spec);
        let template = config.layers[0].clone();
        config.layers = (0..layers)
            .map(|l| crate::config::Layer {
                name: format!("layer{l}"),
                eligible: Default::default(),
                ..template.clone()
            })
            .collect();
        let t0: DateTime<Utc> = Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap();
        let mut shifts = Vec::new();
        for i in 0..count {
            for layer in 0..layers {
                let start = t0 + Duration::hours(hours * i as i64);
                shifts.push(Shift {
                    layer,
                    start,
                    end: start + Duration::hours(hours),
                    local_start: start.naive_utc(),
                    per_shift: 1,
                    seq_in_layer: i,
                });
            }
        }
        let cell = Cell {
            hours: ClassHours {
                business: hours as f64,
                ..ClassHours::default()
            },
            points: hours as f64,
            after_hours: false,
            prefer_off: false,
            earlier_pairs: 0,
            blocked: None,
        };
        Problem {
            cells: vec![vec![cell; members]; shifts.len()],
            shifts,
            ..Problem::empty(&config)
        }
    }

    fn block(p: &mut Problem, shift: usize, member: usize) {
        p.cells[shift][member].blocked = Some(Exclusion::NotEmployed);
    }

    /// The round-robin schedule of `p`, which `why` says exists; it must keep the rules.
    fn rotated(p: &Problem, why: &str) -> Assignment {
        let a = round_robin(p).expect(why);
        assert!(rules::check(p, &a, None).is_empty(), "{why}");
        a
    }

    fn holders(a: &Assignment) -> Vec<usize> {
        a.members.iter().map(|ms| ms[0]).collect()
    }

    #[test]
    fn rotates_in_config_order() {
        let p = problem(3, 1, 7, 24, Rules::default());
        let a = rotated(&p, "a free team rotates");
        assert_eq!(holders(&a), vec![0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn skips_a_blocked_member_who_keeps_their_place() {
        let mut p = problem(3, 1, 6, 24, Rules::default());
        block(&mut p, 1, 1);
        let a = rotated(&p, "someone else can take shift 1");
        // 1 is skipped at shift 1; 2 takes it and the rotation carries on after 2.
        assert_eq!(holders(&a), vec![0, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn honours_pins_without_moving_the_rotation() {
        let mut p = problem(3, 1, 6, 24, Rules::default());
        p.pins = vec![(2, 1)];
        let a = rotated(&p, "the pin fits");
        // Shift 2 is member 1's by pin; the rotation resumes with member 2 at shift 3.
        assert_eq!(holders(&a), vec![0, 1, 1, 2, 0, 1]);
    }

    #[test]
    fn respects_max_consecutive_around_a_pin() {
        let rules = Rules::runs_of(1);
        let mut p = problem(3, 1, 6, 24, rules);
        // Member 1's turn is shift 1, right before their pinned shift 2: they are skipped.
        p.pins = vec![(2, 1)];
        let a = rotated(&p, "three people can alternate");
        assert_eq!(holders(&a), vec![0, 2, 1, 0, 1, 2]);
    }

    #[test]
    fn respects_min_rest_and_overlap_across_layers() {
        let rules = Rules::rest_of(24.0);
        // Two layers of 12-hour shifts: nobody may hold both layers at once (overlap),
        // nor a shift starting less than a day after their last one ended.
        let p = problem(6, 2, 10, 12, rules);
        let a = rotated(&p, "six people suffice");
        assert_eq!(holders(&a)[..4], [0, 1, 2, 3]);
    }

    #[test]
    fn respects_max_shifts() {
        let mut p = problem(3, 1, 6, 24, Rules::default());
        p.members[0].max_shifts = Some(1);
        let a = rotated(&p, "1 and 2 take the rest");
        assert_eq!(holders(&a), vec![0, 1, 2, 1, 2, 1]);
    }

    #[test]
    fn fills_every_seat_of_a_shift() {
        let mut p = problem(5, 1, 4, 24, Rules::default());
        for s in &mut p.shifts {
            s.per_shift = 2;
        }
        let a = rotated(&p, "five people fill pairs");
        assert_eq!(
            a.members,
            vec![vec![0, 1], vec![2, 3], vec![0, 4], vec![1, 2]]
        );
    }

    #[test]
    fn follows_layer_eligibility() {
        let mut p = problem(4, 1, 4, 24, Rules::default());
        for member in &mut p.members {
            if ["m001", "m003"].contains(&member.id.as_str()) {
                member.eligible[0] = false;
            }
        }
        for s in 0..p.shifts.len() {
            block(&mut p, s, 0);
            block(&mut p, s, 2);
        }
        let a = rotated(&p, "two eligible people alternate");
        assert_eq!(holders(&a), vec![1, 3, 1, 3]);
    }

    #[test]
    fn dead_ends_when_nobody_fits() {
        let rules = Rules::runs_of(1);
        let mut p = problem(2, 1, 4, 24, rules);
        block(&mut p, 2, 0);
        // Shift 1 went to member 1, member 0 is blocked on shift 2, and member 1 may not
        // take two in a row: the rotation has nowhere to go.
        assert_eq!(round_robin(&p), None);
    }

    #[test]
    fn contradictory_pins_dead_end() {
        let mut p = problem(3, 1, 3, 24, Rules::default());
        block(&mut p, 1, 2);
        p.pins = vec![(1, 2)];
        assert_eq!(round_robin(&p), None);
    }

    proptest::proptest! {
        /// Whatever round-robin returns keeps every hard rule.
        #[test]
        fn proptest_round_robin_keeps_the_hard_rules(
            members in 2usize..7,
            layers in 1usize..3,
            count in 1usize..16,
            hours in proptest::sample::select(vec![8i64, 12, 24]),
            min_rest in proptest::sample::select(vec![0.0, 12.0, 24.0]),
            max_consecutive in 0u32..4,
            max_shifts in proptest::option::of(1u32..6),
            blocked in proptest::collection::vec(proptest::bool::weighted(0.2), 64 * 7),
            pin in proptest::option::of((0usize..64, 0usize..7)),
        ) {
            let rules = Rules { min_rest_hours: min_rest, max_consecutive, ..Rules::default() };
            let mut p = problem(members, layers, count, hours, rules);
            p.members[0].max_shifts = max_shifts;
            for s in 0..p.shifts.len() {
                for m in 0..members {
                    if blocked[(s * 7 + m) % blocked.len()] {
                        block(&mut p, s, m);
                    }
                }
            }
            if let Some((s, m)) = pin {
                p.pins = vec![(s % p.shifts.len(), m % members)];
            }
            if let Some(a) = round_robin(&p) {
                let violations = rules::check(&p, &a, None);
                proptest::prop_assert!(violations.is_empty(), "{:?}", violations);
            }
        }
    }
}

/// On the same input and under the same hard rules, rota's schedule is fairer than the
/// round-robin rotation — the bar of docs/objective.md (moved from tests/baseline.rs).
#[cfg(test)]
mod fairer_than_round_robin {
    use std::time::Duration;

    use super::round_robin;
    use crate::config::Config;
    use crate::problem;
    use crate::problem::evaluate::Metrics;
    use crate::problem::evaluate::evaluate;
    use crate::problem::rules;
    use crate::solver::{SolveOptions, solve};
    use crate::testkit::instance::{LayerKind, LayerSpec, Spec, generate};

    /// Solves `config` for at most 2 s and compares the result with round-robin: both keep
    /// every hard rule, rota's objective and imbalance are strictly lower. Returns the metrics
    /// of (rota, round-robin).
    fn compare_with_round_robin(config: Config) -> (Metrics, Metrics) {
        let name = config.team.name.clone();
        let problem = problem::build(&config).expect("the instance builds");

        let rr = round_robin(&problem).expect("round-robin finds a rotation");
        let violations = rules::check(&problem, &rr, None);
        assert!(
            violations.is_empty(),
            "{name}: round-robin breaks {violations:?}"
        );

        let options = SolveOptions {
            time_limit: Duration::from_secs(2),
            ..SolveOptions::default()
        };
        let solution = solve(&problem, None, &options).expect("rota solves");
        let violations = rules::check(&problem, &solution.assignment, None);
        assert!(violations.is_empty(), "{name}: rota breaks {violations:?}");

        let rota = evaluate(&problem, &solution.assignment, None);
        let base = evaluate(&problem, &rr, None);
        assert!(
            rota.objective < base.objective,
            "{name}: objective {} is not below round-robin's {}",
            rota.objective,
            base.objective
        );
        assert!(
            rota.metrics.imbalance < base.metrics.imbalance,
            "{name}: imbalance {} is not below round-robin's {}",
            rota.metrics.imbalance,
            base.metrics.imbalance
        );
        (rota.metrics, base.metrics)
    }

    /// The bar of docs/performance.md in full: lower imbalance and no more back-to-back after-hours pairs.
    fn assert_fairer_than_round_robin(config: Config) {
        let name = config.team.name.clone();
        let (rota, base) = compare_with_round_robin(config);
        assert!(
            rota.back_to_back_after_hours <= base.back_to_back_after_hours,
            "{name}: {} back-to-back after-hours pairs, round-robin has {}",
            rota.back_to_back_after_hours,
            base.back_to_back_after_hours
        );
    }

    fn named(name: &str) -> Spec {
        Spec::named(name).expect("a named bench case")
    }

    #[test]
    fn small_team_over_a_month() {
        // Five people on a daily rotation: round-robin gives each every fifth day, so it has
        // no back-to-back pairs at all. Under the default weights (imbalance 1000, a pair 50)
        // the best schedules found here spend one pair to lower the imbalance from 8 to 7
        // points/FTE (objective 9 963 against 10 913 with pairs forbidden; round-robin's
        // imbalance is 41), so only the imbalance half of the bar is asserted, plus a bound
        // on what fairness may cost in pairs.
        let (rota, base) = compare_with_round_robin(generate(&named("small")));
        assert_eq!(base.back_to_back_after_hours, 0);
        assert!(
            rota.back_to_back_after_hours <= 1,
            "{} back-to-back after-hours pairs",
            rota.back_to_back_after_hours
        );
    }

    /// `name`'s shape with `members` people over one month, to stay within a short test.
    fn one_month(name: &str, members: usize) -> Spec {
        Spec {
            members,
            months: 1,
            ..named(name)
        }
    }

    #[test]
    fn twelve_people_two_weekly_layers_a_quarter() {
        assert_fairer_than_round_robin(generate(&named("team12")));
    }

    #[test]
    fn daily_layers_across_four_zones_with_pto() {
        assert_fairer_than_round_robin(generate(&one_month("team40", 20)));
    }

    #[test]
    fn twelve_hour_follow_the_sun() {
        // fts150's shape, smaller: the nights of one zone are the days of another.
        // Round-robin has no back-to-back pairs here, and the best schedule found holds
        // one, spent on fairness (performance.md, "Iterated trades on mid-size teams"), so
        // whether a solve ends with one depends on where its search lands: as for the
        // small team, the imbalance half of the bar, plus a bound on what fairness may
        // cost in pairs.
        let (rota, base) = compare_with_round_robin(generate(&one_month("fts150", 24)));
        assert_eq!(base.back_to_back_after_hours, 0);
        assert!(
            rota.back_to_back_after_hours <= 1,
            "{} back-to-back after-hours pairs",
            rota.back_to_back_after_hours
        );
    }

    #[test]
    fn regional_windows_and_a_weekly_escalation() {
        let spec = Spec {
            name: "regional".to_string(),
            layers: vec![
                LayerSpec::new("desk", LayerKind::FollowTheSun),
                LayerSpec::tagged("escalation", LayerKind::Weekly, "senior"),
            ],
            ..Spec::scaling(18, 1)
        };
        assert_fairer_than_round_robin(generate(&spec));
    }

    #[test]
    fn the_shipped_example_team() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/example.toml");
        let config = crate::config::load(&path).expect("configs/example.toml loads");
        assert_fairer_than_round_robin(config);
    }
}
