//! Writing files so a reader never sees half of one: temp file in the same directory,
//! then rename.
//!
//! A calendar client polling `calendars/NAME.ics` while `rota solve` runs gets either the
//! old feed or the new one. The rename is atomic only within one file system, which is
//! why the temp file lives beside its target.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use tempfile::NamedTempFile;

use crate::Error;

/// Writes every `(relative path, contents)` under `dir`, each atomically, creating
/// directories as needed. Nothing is written if any parent cannot be created.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    for (relative, _) in files {
        if !is_plain_relative(relative) {
            return Err(Error::Internal(format!(
                "output file {} is not a plain relative path",
                relative.display()
            )));
        }
    }
    // Every directory first: a failure here leaves no file written at all.
    let mut dirs = vec![dir.to_path_buf(), dir.join("calendars")];
    for (relative, _) in files {
        if let Some(parent) = dir.join(relative).parent() {
            dirs.push(parent.to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|source| Error::Write {
            path: d.clone(),
            source,
        })?;
    }
    for (relative, contents) in files {
        write_one(&dir.join(relative), contents)?;
    }
    Ok(())
}

/// No root, prefix, `..` or `.`: the file stays inside the output directory.
fn is_plain_relative(path: &Path) -> bool {
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

fn write_one(path: &Path, contents: &str) -> Result<(), Error> {
    let fail = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut temp = NamedTempFile::new_in(parent).map_err(fail)?;
    temp.write_all(contents.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    readable_by_others(&temp).map_err(fail)?;
    // On failure the temp file is removed when `e.file` drops.
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Temp files are created private (0600); published feeds are served by other users'
/// processes (a web server), so they get the usual 0644.
#[cfg(unix)]
fn readable_by_others(temp: &NamedTempFile) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_others(_temp: &NamedTempFile) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_accepted() {
        assert!(is_plain_relative(Path::new("calendars/team.ics")));
        assert!(is_plain_relative(Path::new("schedule.json")));
        assert!(!is_plain_relative(Path::new("/etc/passwd")));
        assert!(!is_plain_relative(Path::new("../x")));
        assert!(!is_plain_relative(Path::new("calendars/../../x")));
        assert!(!is_plain_relative(Path::new("")));
    }
}
