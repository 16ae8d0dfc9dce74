//! Writers: schedule.json, iCalendar feeds, HTML report, terminal summary; all files
//! written atomically.

pub mod atomic;
pub mod calendar;
pub mod html;
pub(crate) mod ics;
pub(crate) mod json;
pub(crate) mod progress;
pub(crate) mod terminal;
