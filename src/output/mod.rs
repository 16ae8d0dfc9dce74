//! Writers: schedule.json, iCalendar feeds, HTML report, terminal summary; all files
//! written atomically.

pub mod atomic;
pub mod calendar;
pub mod html;
pub mod ics;
pub mod json;
pub mod terminal;
