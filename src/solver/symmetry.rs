//! Interchangeable members: people the rules and the objective cannot tell apart.
//!
//! Swapping the whole schedules of two such members changes nothing, so a MILP that
//! may put either first explores every ordering of the same answer; where most of a
//! team is interchangeable, HiGHS proves about twice as fast once their shift counts
//! must be non-increasing. The exact program merges states equal up to exchanging them.

use super::index::Index;
use crate::problem::Problem;
use crate::problem::assignment::Assignment;

/// Groups (size ≥ 2, ascending) of members whose schedules may be exchanged: same
/// candidacy, points, after-hours and prefer-off marks and pairs with earlier shifts on
/// every shift, same capacity, history, fairness, `max_shifts` and runs from before the
/// period, and no pin, frozen seat or previous seat (churn)
/// that names one of them.
pub(crate) fn interchangeable(problem: &Problem, index: &Index) -> Vec<Vec<usize>> {
    let named = |m: usize| {
        (0..index.shifts).any(|s| {
            index.fixed[s].contains(&m)
                || index.churn_prev[s]
                    .as_ref()
                    .is_some_and(|before| before.contains(&m))
        })
    };
    let same = |a: usize, b: usize| {
        problem.capacity[a] == problem.capacity[b]
            && problem.history[a] == problem.history[b]
            && index.in_fairness[a] == index.in_fairness[b]
            && index.max_shifts[a] == index.max_shifts[b]
            && problem.members[a].earlier_run == problem.members[b].earlier_run
            && problem.cells.iter().all(|row| {
                let (x, y) = (&row[a], &row[b]);
                x.blocked.is_some() == y.blocked.is_some()
                    && x.points == y.points
                    && x.after_hours == y.after_hours
                    && x.prefer_off == y.prefer_off
                    && x.earlier_pairs == y.earlier_pairs
            })
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for m in (0..index.members).filter(|&m| !named(m)) {
        match groups.iter_mut().find(|g| same(g[0], m)) {
            Some(group) => group.push(m),
            None => groups.push(vec![m]),
        }
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// The same schedule with each group's members relabelled so that their shift counts
/// do not increase along the group (ties keep their order): the form the MILP's
/// symmetry rows admit, so a warm start stays feasible.
pub(crate) fn canonical(
    assignment: &Assignment,
    groups: &[Vec<usize>],
    members: usize,
) -> Assignment {
    let mut count = vec![0usize; members];
    for &m in assignment.members.iter().flatten() {
        count[m] += 1;
    }
    let mut relabel: Vec<usize> = (0..members).collect();
    for group in groups {
        let mut by_count = group.clone();
        by_count.sort_by_key(|&m| std::cmp::Reverse(count[m]));
        // The member with the i-th most shifts becomes the group's i-th member.
        for (&slot, &holder) in group.iter().zip(&by_count) {
            relabel[holder] = slot;
        }
    }
    let members = assignment
        .members
        .iter()
        .map(|held| {
            let mut held: Vec<usize> = held.iter().map(|&m| relabel[m]).collect();
            held.sort_unstable();
            held
        })
        .collect();
    Assignment { members }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::evaluate::evaluate;
    use crate::solver::index::Rules;
    use crate::testkit::hours as testkit;

    #[test]
    fn groups_only_members_nothing_tells_apart() {
        let mut problem = testkit::evenly(5, 6, 24, 24);
        // 1 is part-time, 3 cannot take the first shift: only 0, 2 and 4 are alike.
        problem.capacity[1] = 0.5;
        problem.cells[0][3].blocked = Some(crate::problem::Exclusion::NotEligible);
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert_eq!(interchangeable(&problem, &index), vec![vec![0, 2, 4]]);

        // A prefer-off mark or other points tell 2 apart too.
        problem.cells[4][2].prefer_off = true;
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert_eq!(interchangeable(&problem, &index), vec![vec![0, 4]]);
        problem.cells[5][4].points = 30.0;
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert!(interchangeable(&problem, &index).is_empty());
    }

    #[test]
    fn a_pin_or_a_previous_seat_sets_a_member_apart() {
        let mut problem = testkit::evenly(3, 4, 24, 24);
        problem.pins = vec![(2, 1)];
        let index = Index::new(&problem, None, Rules::of(&problem));
        assert_eq!(interchangeable(&problem, &index), vec![vec![0, 2]]);
        problem.pins.clear();
        let previous = crate::problem::assignment::Previous {
            members: vec![Some(vec![0]), None, None, None],
            frozen: vec![false; 4],
        };
        let index = Index::new(&problem, Some(&previous), Rules::of(&problem));
        assert_eq!(interchangeable(&problem, &index), vec![vec![1, 2]]);
    }

    #[test]
    fn canonical_sorts_counts_and_keeps_the_objective() {
        let problem = testkit::evenly(3, 7, 24, 24);
        let assignment = Assignment {
            members: vec![
                vec![2],
                vec![1],
                vec![2],
                vec![0],
                vec![2],
                vec![1],
                vec![2],
            ],
        };
        let relabelled = canonical(&assignment, &[vec![0, 1, 2]], 3);
        let counts: Vec<usize> = (0..3).map(|m| relabelled.shifts_of(m).count()).collect();
        assert_eq!(counts, vec![4, 2, 1]);
        // The member holding four shifts keeps them together, under another name.
        assert_eq!(
            relabelled.shifts_of(0).collect::<Vec<_>>(),
            vec![0, 2, 4, 6]
        );
        let before = evaluate(&problem, &assignment, None).objective;
        let after = evaluate(&problem, &relabelled, None).objective;
        assert!((before - after).abs() < 1e-9);
    }
}
