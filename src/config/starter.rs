//! The commented starter config that `rota init` writes.

/// A small, realistic team; every section explained. Loads without errors.
pub const STARTER: &str = include_str!("starter.toml");
