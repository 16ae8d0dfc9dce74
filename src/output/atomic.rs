//! Writing files so a reader never sees half of one: temp file in the same directory,
//! then rename.
//!
//! A calendar client polling `calendars/NAME.ics` while `rota solve` runs gets either the
//! old feed or the new one. The rename is atomic only within one file system, which is
//! why the temp file lives beside its target.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use tempfile::{NamedTempFile, TempPath};

use crate::Error;

/// Writes every `(relative path, contents)` under `dir`, each atomically, creating
/// directories as needed.
///
/// In three steps, so that a failure replaces as little as possible: every directory is
/// created, then every file's contents go to a temp file beside it (a full disk or a
/// directory in the way fails here, and nothing has been replaced yet), then each temp
/// file is renamed over its target.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    for (relative, _) in files {
        if !is_plain_relative(relative) {
            return Err(Error::Internal(format!(
                "output file {} is not a plain relative path",
                relative.display()
            )));
        }
    }
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
    let mut staged = Vec::with_capacity(files.len());
    for (relative, contents) in files {
        let path = dir.join(relative);
        let temp = stage(&path, contents)?;
        staged.push((temp, path));
    }
    for (temp, path) in staged {
        // On failure the temp file is removed when `e.path` drops.
        temp.persist(&path).map_err(|e| Error::Write {
            path,
            source: e.error,
        })?;
    }
    Ok(())
}

/// Writes one file atomically (`rota report --html FILE`); its directory must exist.
pub(crate) fn write_file(path: &Path, contents: &str) -> Result<(), Error> {
    // A bare file name has the empty path as parent; its temp file goes beside it in ".".
    let in_cwd;
    let path = if path.parent() == Some(Path::new("")) {
        in_cwd = Path::new(".").join(path);
        in_cwd.as_path()
    } else {
        path
    };
    let temp = stage(path, contents)?;
    temp.persist(path).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e.error,
    })
}

/// Writes a new file atomically, never over an existing one (`rota next`): the rename
/// fails if `path` appeared in the meantime.
pub(crate) fn write_new_file(path: &Path, contents: &str) -> Result<(), Error> {
    let temp = stage(path, contents)?;
    temp.persist_noclobber(path)
        .map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
                "{} already exists; not overwriting it (give another path with -o)",
                path.display()
            )),
            _ => Error::Write {
                path: path.to_path_buf(),
                source: e.error,
            },
        })
}

/// No root, prefix, `..` or `.`: the file stays inside the output directory.
fn is_plain_relative(path: &Path) -> bool {
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The contents in a synced temp file in `path`'s directory, ready to be renamed. The
/// file is closed (only its path is kept, and removed on drop) so that a team of any size
/// does not run out of file descriptors.
fn stage(path: &Path, contents: &str) -> Result<TempPath, Error> {
    let fail = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "a directory is in the way",
        )));
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut temp = NamedTempFile::new_in(parent).map_err(fail)?;
    temp.write_all(contents.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    readable_by_others(&temp).map_err(fail)?;
    Ok(temp.into_temp_path())
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
    fn write_file_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.html");
        write_file(&path, "old").expect("first write");
        write_file(&path, "new").expect("second write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["report.html"]);
    }

    #[test]
    fn write_file_into_a_missing_directory_is_a_write_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = write_file(&dir.path().join("no/such/report.html"), "x").expect_err("no dir");
        assert!(matches!(err, Error::Write { .. }), "{err:?}");
        let err = write_file(dir.path(), "x").expect_err("a directory");
        assert!(matches!(err, Error::Write { .. }), "{err:?}");
    }

    #[test]
    fn write_new_file_never_replaces_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("next.toml");
        write_new_file(&path, "first").expect("a new file");
        let err = write_new_file(&path, "second").expect_err("exists");
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "first");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

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
