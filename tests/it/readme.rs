//! The README cannot rot: its quick start is exactly the two Makefile targets, every command
//! it lists exists, and every `rota` command line in its shell blocks runs.

use std::path::{Path, PathBuf};

use crate::support::{cmd, root};

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md is readable")
}

/// The fenced blocks tagged `sh`, each with the heading it stands under.
fn shell_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut heading = String::new();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        match &mut current {
            Some(lines) if line.trim_start().starts_with("```") => {
                blocks.push((heading.clone(), std::mem::take(lines)));
                current = None;
            }
            Some(lines) => lines.push(line.to_string()),
            None if line.trim() == "```sh" => current = Some(Vec::new()),
            None if line.starts_with('#') => heading = line.trim_start_matches('#').trim().into(),
            None => {}
        }
    }
    blocks
}

#[test]
fn quick_start_is_exactly_the_two_make_targets() {
    let blocks = shell_blocks(&readme());
    let (_, quick) = blocks
        .iter()
        .find(|(h, _)| h == "Quick start")
        .expect("a sh block under ## Quick start");
    let commands: Vec<&str> = quick
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands, ["make demo", "make test"]);

    let makefile = std::fs::read_to_string(root().join("Makefile")).expect("Makefile");
    for target in ["demo:", "test:", "deps:"] {
        assert!(
            makefile.lines().any(|l| l.starts_with(target)),
            "Makefile lacks target {target}"
        );
    }
    // Both commands install what a fresh machine lacks before building.
    assert!(makefile.contains("demo: deps") && makefile.contains("test: deps"));
    assert!(makefile.contains("cmake") && makefile.contains("libclang-dev"));
}

#[test]
fn every_command_in_the_readme_table_exists() {
    let text = readme();
    let mut seen = 0;
    for line in text.lines().filter(|l| l.starts_with("| `rota ")) {
        let sub = line["| `rota ".len()..]
            .split([' ', '`'])
            .next()
            .expect("a subcommand");
        let out = cmd().args([sub, "--help"]).output().expect("rota runs");
        assert!(out.status.success(), "`rota {sub} --help` failed");
        seen += 1;
    }
    assert!(seen >= 6, "the commands table lists {seen} commands");
}

/// Copies `configs/` into a fresh directory, so README commands run as a user would.
fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rota-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let src = root().join("configs");
    copy_dir(&src, &dir.join("configs"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// `rota ARGS…` in `dir`, which must succeed; `line` names it when it does not.
fn run_in(dir: &Path, args: &[&str], line: &str) {
    let out = cmd()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rota runs");
    assert!(
        out.status.success(),
        "`rota {line}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_rota_command_line_in_the_readme_runs() {
    let dir = workspace();
    // What `make demo` leaves behind, which later README commands build on.
    let demo = "solve configs/example.toml -o out --quiet --time-limit 3";
    run_in(&dir, &demo.split(' ').collect::<Vec<_>>(), demo);

    let mut ran = 0;
    for (_, block) in shell_blocks(&readme()) {
        for line in block.iter().map(|l| l.trim()) {
            let Some(args) = line.strip_prefix("rota ") else {
                continue;
            };
            let mut args: Vec<&str> = args.split_whitespace().collect();
            if args.first() == Some(&"solve") && !args.contains(&"--time-limit") {
                args.extend(["--time-limit", "3"]);
            }
            run_in(&dir, &args, line);
            ran += 1;
        }
    }
    assert!(ran >= 1, "no rota command found in the README's sh blocks");
    let _ = std::fs::remove_dir_all(&dir);
}
