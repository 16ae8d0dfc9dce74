//! What changed between two schedules, grouped by member.

use crate::schedule::Schedule;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScheduleDiff {
    /// Number of shift seats whose assignee or time changed.
    pub changed: usize,
}

pub fn diff(old: &Schedule, new: &Schedule) -> ScheduleDiff {
    let _ = (old, new);
    ScheduleDiff::default()
}

impl ScheduleDiff {
    /// `ana: loses primary 2027-02-08, gains secondary 2027-03-01`, one line per member.
    pub fn render(&self) -> String {
        String::new()
    }
}
