//! The only way the server reads the served directory: by plain names below DIR, with no
//! symbolic link anywhere on the way.
//!
//! DIR itself is resolved once per request (it may be a link an operator points at a new
//! release). Below it, every component is a plain name (no `/`, `..` or NUL), no component
//! may be a symbolic link, and the opened file must be the very file that was checked (same
//! device and inode), so a link swapped in between the check and the open is not followed
//! either. What `rota solve` writes is never a link; a link found there was put there by
//! hand, and serving its target could publish anything the server's user can read.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Feeds of years of shifts stay far below this; anything larger is not ours.
const MAX_FILE: u64 = 64 << 20;

/// The served directory.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    dir: PathBuf,
}

/// A file's bytes and modification time, both from the same open handle: a rename between
/// reading one and the other cannot mix an old time with new bytes.
#[derive(Debug, Clone)]
pub(super) struct FileData {
    pub bytes: Vec<u8>,
    pub modified: Option<SystemTime>,
}

/// Identifies a version of a file cheaply, for caching what is parsed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    ino: u64,
}

impl Stamp {
    pub(super) fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            ino: std::os::unix::fs::MetadataExt::ino(meta),
        }
    }
}

/// Why a file is not served. Everything but [`Refused::Failed`] is a plain 404.
#[derive(Debug)]
pub(super) enum Refused {
    /// Missing, not a regular file, a bad name, or a symbolic link on the way.
    NotFound,
    /// The file system failed (out of file descriptors, I/O error): worth a 500 and a log line.
    Failed(io::Error),
}

impl Tree {
    pub(super) fn new(dir: &Path) -> Tree {
        Tree {
            dir: dir.to_path_buf(),
        }
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The regular file at `parts` below DIR (`["calendars", "team.ics"]`).
    pub(super) fn read(&self, parts: &[&str]) -> Result<(FileData, Stamp), Refused> {
        let path = self.checked(parts, false)?;
        let mut file = File::open(&path).map_err(refused)?;
        let meta = file.metadata().map_err(refused)?;
        let linked = std::fs::symlink_metadata(&path).map_err(refused)?;
        if !meta.is_file() || !same_file(&meta, &linked) || meta.len() > MAX_FILE {
            return Err(Refused::NotFound);
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut bytes).map_err(refused)?;
        Ok((
            FileData {
                bytes,
                modified: meta.modified().ok(),
            },
            Stamp::of(&meta),
        ))
    }

    /// The version of the file at `parts`, without reading it.
    pub(super) fn stamp(&self, parts: &[&str]) -> Result<Stamp, Refused> {
        let path = self.checked(parts, false)?;
        Ok(Stamp::of(
            &std::fs::symlink_metadata(path).map_err(refused)?,
        ))
    }

    /// Names and modification times of the regular files (no links) directly in the
    /// directory at `parts`, sorted by name; empty when it does not exist.
    pub(super) fn list(&self, parts: &[&str]) -> Vec<(String, Option<SystemTime>)> {
        let Ok(path) = self.checked(parts, true) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(path) else {
            return Vec::new();
        };
        let mut files: Vec<(String, Option<SystemTime>)> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                Some((name, e.metadata().ok()?.modified().ok()))
            })
            .collect();
        files.sort();
        files
    }

    /// DIR resolved, joined with `parts`, every component below DIR checked to be a plain
    /// name and no symbolic link; the last one a regular file (or a directory, for `dir`).
    fn checked(&self, parts: &[&str], dir: bool) -> Result<PathBuf, Refused> {
        let mut path = self.dir.canonicalize().map_err(refused)?;
        for (i, part) in parts.iter().enumerate() {
            if !is_plain_name(part) {
                return Err(Refused::NotFound);
            }
            path.push(part);
            let meta = std::fs::symlink_metadata(&path).map_err(refused)?;
            let last = i + 1 == parts.len();
            let ok = if last && !dir {
                meta.file_type().is_file()
            } else {
                meta.file_type().is_dir()
            };
            if !ok {
                return Err(Refused::NotFound);
            }
        }
        Ok(path)
    }
}

/// One component of a path: not empty, not `.` or `..`, no separator or NUL.
fn is_plain_name(part: &str) -> bool {
    !part.is_empty() && part != "." && part != ".." && !part.contains(['/', '\\', '\0'])
}

fn refused(e: io::Error) -> Refused {
    match e.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::InvalidInput => {
            Refused::NotFound
        }
        _ => Refused::Failed(e),
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino() && b.file_type().is_file()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    b.file_type().is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, Tree) {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("out");
        std::fs::create_dir_all(dir.join("calendars")).expect("mkdir");
        std::fs::write(dir.join("calendars/team.ics"), "TEAM").expect("write");
        std::fs::write(root.path().join("secret.txt"), "SECRET").expect("write");
        let tree = Tree::new(&dir);
        (root, tree)
    }

    #[test]
    fn plain_files_below_dir_are_read() {
        let (_root, tree) = tree();
        let (data, stamp) = tree.read(&["calendars", "team.ics"]).expect("readable");
        assert_eq!(data.bytes, b"TEAM");
        assert!(data.modified.is_some());
        assert_eq!(tree.stamp(&["calendars", "team.ics"]).ok(), Some(stamp));
        assert_eq!(tree.list(&["calendars"]).len(), 1);
    }

    #[test]
    fn names_that_are_not_plain_are_not_found() {
        let (_root, tree) = tree();
        for parts in [
            &["..", "secret.txt"][..],
            &["calendars", "..", "..", "secret.txt"],
            &["calendars/team.ics"],
            &["", "calendars", "team.ics"],
            &["calendars"],
            &["calendars", "missing.ics"],
        ] {
            assert!(
                matches!(tree.read(parts), Err(Refused::NotFound)),
                "{parts:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn no_symbolic_link_is_followed_inside_or_out() {
        let (root, tree) = tree();
        let dir = tree.dir().to_path_buf();
        let link = |target: &Path, at: &str| {
            std::os::unix::fs::symlink(target, dir.join(at)).expect("symlink");
        };
        link(&root.path().join("secret.txt"), "calendars/leak.ics");
        link(&dir.join("calendars/team.ics"), "calendars/alias.ics");
        link(root.path(), "up");
        link(&dir.join("calendars"), "cals");
        for parts in [
            &["calendars", "leak.ics"][..],
            &["calendars", "alias.ics"],
            &["up", "secret.txt"],
            &["cals", "team.ics"],
        ] {
            assert!(
                matches!(tree.read(parts), Err(Refused::NotFound)),
                "{parts:?}"
            );
        }
        let listed: Vec<String> = tree
            .list(&["calendars"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(listed, ["team.ics"]);
        assert!(tree.list(&["cals"]).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn dir_itself_may_be_a_link() {
        let (root, tree) = tree();
        let alias = root.path().join("current");
        std::os::unix::fs::symlink(tree.dir(), &alias).expect("symlink");
        let via = Tree::new(&alias);
        assert!(via.read(&["calendars", "team.ics"]).is_ok());
    }
}
