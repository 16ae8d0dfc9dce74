//! `rota init`: writes a starter config that loads, and never overwrites a file.

use std::path::Path;

use crate::support::cmd;

fn rota_in(dir: &Path, args: &[&str]) -> std::process::Output {
    cmd()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("rota runs")
}

#[test]
fn init_writes_a_config_that_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = rota_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let path = dir.path().join("rota.toml");
    let written = std::fs::read_to_string(&path).expect("rota.toml written");
    assert_eq!(written, rota::config::starter::STARTER);
    let config = match rota::config::load(&path) {
        Ok(c) => c,
        Err(e) => panic!("starter config does not load:\n{e}"),
    };
    assert!(!config.members.is_empty() && !config.layers.is_empty());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(stdout.contains("rota.toml"), "{stdout}");
}

#[test]
fn init_takes_a_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = rota_in(dir.path(), &["init", "team.toml"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(dir.path().join("team.toml").is_file());
    assert!(!dir.path().join("rota.toml").exists());
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rota.toml");
    std::fs::write(&path, "# my precious config\n").expect("write");
    let out = rota_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(stderr.contains("rota.toml already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        "# my precious config\n"
    );
}
