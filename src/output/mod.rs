//! Writers: schedule.json, iCalendar feeds, terminal summary; all files written atomically.

pub mod atomic;
pub mod calendar;
pub mod json;
pub mod terminal;
