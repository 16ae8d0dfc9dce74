//! Writers: schedule.json, iCalendar feeds, terminal summary; all files written atomically.

pub mod atomic;
pub mod calendar;
