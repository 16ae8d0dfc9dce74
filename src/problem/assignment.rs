//! Who holds each shift: the solver's answer in problem indices.

/// `members[shift]` = indices of the members holding it, sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    pub members: Vec<Vec<usize>>,
}

impl Assignment {
    pub fn empty(shifts: usize) -> Self {
        Assignment {
            members: vec![Vec::new(); shifts],
        }
    }

    pub fn holds(&self, shift: usize, member: usize) -> bool {
        self.members[shift].contains(&member)
    }

    /// Shifts held by `member`, ascending.
    pub(crate) fn shifts_of(&self, member: usize) -> impl Iterator<Item = usize> + '_ {
        self.members
            .iter()
            .enumerate()
            .filter(move |(_, ms)| ms.contains(&member))
            .map(|(s, _)| s)
    }
}

/// The schedule a re-solve starts from: per shift of the new problem, the members the
/// previous schedule gave it (matched by layer and start), and whether it is frozen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Previous {
    /// `None` where the previous schedule had no such shift.
    pub members: Vec<Option<Vec<usize>>>,
    /// Frozen shifts keep their previous members (hard).
    pub frozen: Vec<bool>,
}
