//! `output::atomic::write_all`: complete files or none, clean errors.

use std::path::PathBuf;

use rota::Error;
use rota::output::atomic::write_all;

use crate::support::dir_entries as entries;

fn files() -> Vec<(PathBuf, String)> {
    vec![
        (PathBuf::from("schedule.json"), "{\"version\": 1}\n".into()),
        (
            PathBuf::from("calendars/team.ics"),
            "BEGIN:VCALENDAR\r\n".repeat(5000),
        ),
        (PathBuf::from("calendars/alice.ics"), "ä,ö;ü\r\n".into()),
    ]
}

#[test]
fn every_file_is_written_complete_and_no_temp_file_is_left() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out/nested");
    write_all(&out, &files()).expect("write");
    for (rel, contents) in files() {
        assert_eq!(
            std::fs::read_to_string(out.join(&rel)).expect("read"),
            contents
        );
    }
    assert_eq!(entries(&out), ["calendars", "schedule.json"]);
    assert_eq!(entries(&out.join("calendars")), ["alice.ics", "team.ics"]);
}

#[test]
fn the_calendars_directory_exists_even_with_no_feed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_all(tmp.path(), &[]).expect("write");
    assert!(tmp.path().join("calendars").is_dir());
}

#[test]
fn rewriting_replaces_old_contents_entirely() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let long = vec![(PathBuf::from("calendars/team.ics"), "x".repeat(10_000))];
    let short = vec![(PathBuf::from("calendars/team.ics"), "short".to_owned())];
    write_all(tmp.path(), &long).expect("first write");
    write_all(tmp.path(), &short).expect("second write");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("calendars/team.ics")).expect("read"),
        "short"
    );
    assert_eq!(entries(&tmp.path().join("calendars")), ["team.ics"]);
}

#[cfg(unix)]
#[test]
fn written_files_are_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    write_all(tmp.path(), &files()).expect("write");
    let mode = std::fs::metadata(tmp.path().join("calendars/team.ics"))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn an_output_dir_under_a_regular_file_is_a_write_error_and_writes_nothing() {
    // A regular file where a directory should be cannot be worked around, even by root
    // (unlike permission bits).
    let tmp = tempfile::tempdir().expect("tempdir");
    let blocker = tmp.path().join("blocker");
    std::fs::write(&blocker, "not a directory").expect("write blocker");
    let err = write_all(&blocker.join("out"), &files()).expect_err("must fail");
    assert!(matches!(err, Error::Output { .. }), "{err:?}");
    assert_eq!(err.exit_code(), rota::error::exit_code::INVALID_INPUT);
    assert!(err.to_string().contains("cannot write"), "{err}");
    assert_eq!(entries(tmp.path()), ["blocker"]);
}

#[test]
fn a_blocked_subdirectory_leaves_no_partial_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // `calendars` exists as a file, so the feeds cannot go anywhere: schedule.json, which
    // could be written, must not be either.
    std::fs::write(tmp.path().join("calendars"), "in the way").expect("write blocker");
    let err = write_all(tmp.path(), &files()).expect_err("must fail");
    match &err {
        Error::Output { path, .. } => assert!(path.ends_with("calendars"), "{err}"),
        other => panic!("expected an output error, got {other:?}"),
    }
    assert_eq!(entries(tmp.path()), ["calendars"]);
}

#[test]
fn paths_escaping_the_output_dir_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut bad = files();
    bad.push((PathBuf::from("../escaped.txt"), "x".into()));
    assert!(write_all(&tmp.path().join("out"), &bad).is_err());
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_directory_in_place_of_a_file_fails_before_anything_is_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("schedule.json"), "old").expect("old schedule");
    std::fs::create_dir_all(tmp.path().join("calendars/team.ics")).expect("dir in the way");
    let err = write_all(tmp.path(), &files()).expect_err("must fail");
    match &err {
        Error::Output { path, .. } => assert!(path.ends_with("calendars/team.ics"), "{err}"),
        other => panic!("expected a write error, got {other:?}"),
    }
    // schedule.json comes first in the list and could have been written: it was not.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("schedule.json")).expect("read"),
        "old"
    );
    assert_eq!(entries(&tmp.path().join("calendars")), ["team.ics"]);
}
