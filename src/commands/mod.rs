//! One file per command: read inputs, call the library, print.

pub mod check;
pub mod diff;
pub mod init;
pub mod solve;
pub mod swap;
pub mod verify;
