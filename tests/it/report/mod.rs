//! `rota report` and the HTML report.

mod cli;
mod html;
mod layout;
