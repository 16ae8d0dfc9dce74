//! `rota report` and the HTML report.

mod cli;
mod layout;
mod html;
