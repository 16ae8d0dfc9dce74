//! Writing files so a reader never sees half of one: temp file in the same directory,
//! then rename.

use std::path::{Path, PathBuf};

/// Writes every `(relative path, contents)` under `dir`, each atomically, creating
/// directories as needed. Nothing is written if any parent cannot be created.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), crate::Error> {
    let _ = (dir, files);
    Err(crate::Error::Internal("atomic writes not built yet".into()))
}
