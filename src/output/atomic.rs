//! Writing files so a reader never sees half of one: temp file in the same directory,
//! then rename.
//!
//! A calendar client polling `calendars/NAME.ics` while `rota solve` runs gets either the
//! old feed or the new one. The rename is atomic only within one file system, which is
//! why the temp file lives beside its target. Temp files are named
//! `.rota-tmp-PID-XXXXXX`: a run killed between writing and renaming leaves some behind,
//! and the next run into the same directory removes those whose process is gone.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use tempfile::{NamedTempFile, TempPath};

use crate::Error;

/// What every temp file's name starts with; nothing else in an output directory is ever
/// removed.
const TEMP_PREFIX: &str = ".rota-tmp-";

/// Longest file name most file systems take (`NAME_MAX`), in bytes.
const MAX_FILE_NAME_BYTES: usize = 255;

fn output_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether `dir` can take output, checked before a long solve rather than after it: it
/// is a directory or can be created as one (no file in the way, at any level), and a
/// file can be created in it (or in its nearest existing ancestor).
pub fn check_dir(dir: &Path) -> Result<(), Error> {
    let mut existing = dir;
    while !existing.as_os_str().is_empty() && !existing.exists() {
        existing = existing.parent().unwrap_or(Path::new(""));
    }
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    if !existing.is_dir() {
        let why = if existing == dir {
            "exists and is not a directory"
        } else {
            "is under a file, not a directory"
        };
        return Err(output_error(dir)(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!(
                "{why} ({} is a file); choose another output directory",
                existing.display()
            ),
        )));
    }
    temp_in(existing).map(drop).map_err(output_error(dir))
}

/// An empty temp file of ours in `dir`.
fn temp_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .tempfile_in(dir)
}

/// Removes the temp files a killed run left in `dir`: ours by name, and their process
/// gone. Best effort: a file that cannot be removed is left as it was.
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_none_or(|pid| !running(pid)) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` still runs (its temp files may be in use). Where that cannot be
/// told, it is taken as gone only for files of other processes.
fn running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        false
    }
}

/// Every file name fits the file system: checked before anything is written, since a
/// rename that fails half-way through would leave some files new and some old.
fn check_names(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    for (relative, _) in files {
        if !is_plain_relative(relative) {
            return Err(Error::Internal(format!(
                "output file {} is not a plain relative path",
                relative.display()
            )));
        }
        if let Some(long) = relative
            .components()
            .find(|c| c.as_os_str().len() > MAX_FILE_NAME_BYTES)
        {
            return Err(output_error(&dir.join(relative))(std::io::Error::other(
                format!(
                    "the file name is {} bytes long, more than file systems take ({MAX_FILE_NAME_BYTES})",
                    long.as_os_str().len()
                ),
            )));
        }
    }
    Ok(())
}

/// Writes every `(relative path, contents)` under `dir`, each atomically, creating
/// directories as needed.
///
/// In three steps, so that a failure replaces as little as possible: every directory is
/// created, then every file's contents go to a temp file beside it (a full disk or a
/// directory in the way fails here, and nothing has been replaced yet), then each temp
/// file is renamed over its target.
pub fn write_all(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    check_names(dir, files)?;
    let mut dirs = vec![dir.to_path_buf(), dir.join("calendars")];
    for (relative, _) in files {
        if let Some(parent) = dir.join(relative).parent() {
            dirs.push(parent.to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(output_error(d))?;
        remove_stale(d);
    }
    let mut staged = Vec::with_capacity(files.len());
    for (relative, contents) in files {
        let path = dir.join(relative);
        let temp = stage(&path, contents)?;
        staged.push((temp, path));
    }
    for (temp, path) in staged {
        // On failure the temp file is removed when `e.path` drops.
        temp.persist(&path).map_err(|e| Error::Output {
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
    if let (Some(name), Some(dir)) = (path.file_name(), path.parent()) {
        check_names(dir, &[(PathBuf::from(name), String::new())])?;
    }
    if let Some(parent) = path.parent() {
        remove_stale(parent);
    }
    let temp = stage(path, contents)?;
    temp.persist(path).map_err(|e| Error::Output {
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
            _ => output_error(path)(e.error),
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
    let fail = |source| Error::Output {
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
    let mut temp = temp_in(parent).map_err(fail)?;
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
        assert!(matches!(err, Error::Output { .. }), "{err:?}");
        let err = write_file(dir.path(), "x").expect_err("a directory");
        assert!(matches!(err, Error::Output { .. }), "{err:?}");
    }

    #[test]
    fn stale_temp_files_of_a_gone_process_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("temp dir");
        // No process has pid u32::MAX - 1 (Linux caps pids far lower).
        let stale = dir
            .path()
            .join(format!("{TEMP_PREFIX}{}-abc123", u32::MAX - 1));
        let live = dir
            .path()
            .join(format!("{TEMP_PREFIX}{}-def456", std::process::id()));
        let other = dir.path().join(".tmpXYZ");
        for f in [&stale, &live, &other] {
            std::fs::write(f, "x").expect("write");
        }
        write_all(dir.path(), &[(PathBuf::from("schedule.json"), "{}".into())]).expect("write");
        assert!(!stale.exists());
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn a_file_name_too_long_for_the_file_system_fails_before_any_write() {
        let dir = tempfile::tempdir().expect("temp dir");
        let long = format!("calendars/{}.ics", "x".repeat(300));
        let files = [
            (PathBuf::from("schedule.json"), "{}".to_string()),
            (PathBuf::from(long), String::new()),
        ];
        let err = write_all(dir.path(), &files).expect_err("too long");
        assert!(matches!(err, Error::Output { .. }), "{err:?}");
        assert!(err.to_string().contains("304 bytes long"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }

    #[test]
    fn an_output_dir_is_checked_at_every_level() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("write");
        assert!(check_dir(dir.path()).is_ok());
        assert!(check_dir(&dir.path().join("new/deeper")).is_ok());
        for bad in [file.clone(), file.join("out"), file.join("a/b")] {
            let err = check_dir(&bad).expect_err("a file in the way");
            assert!(matches!(err, Error::Output { .. }), "{err:?}");
        }
        let err = check_dir(&file.join("out")).expect_err("under a file");
        assert!(err.to_string().contains("is under a file"), "{err}");
        // Checking leaves nothing behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(names.len(), 1);
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
