//! The commented starter config that `rota init` writes.

/// A small, realistic team with every section explained; loads without errors.
pub const STARTER: &str = include_str!("starter.toml");

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::STARTER;

    #[test]
    fn starter_loads_and_uses_every_section() {
        let config = crate::config::parse_with(Path::new("rota.toml"), STARTER, &|p: &Path, _| {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                p.display().to_string(),
            ))
        });
        let config = match config {
            Ok(c) => c,
            Err(e) => panic!("starter does not load:\n{e}"),
        };
        assert_eq!(config.layers.len(), 2);
        assert_eq!(config.members.len(), 5);
        assert_eq!(config.team.uid_domain, "example-team.rota");
        for section in [
            "[team]",
            "[period]",
            "[defaults]",
            "[holidays]",
            "[[layer]]",
            "[[member]]",
            "[rules]",
            "[fairness]",
            "[objective]",
            "[calendar]",
            "[[pin]]",
        ] {
            assert!(STARTER.contains(section), "{section}");
        }
    }
}
