//! rota's integration tests in one binary: the real `rota` binary on real configs, and the
//! library's public API where a test builds its input by hand. One module per area;
//! `support` holds what they share.

mod architecture;
mod atomic;
mod calendar;
mod check;
mod config_errors;
mod config_props;
mod configs;
mod diagnosis;
mod diff;
mod fuzz;
mod init;
mod limits;
mod paging;
mod quarters;
mod readme;
mod report;
mod resolve;
mod serve;
mod solve;
mod solver;
mod support;
mod swap;
mod time_properties;
mod verify;
