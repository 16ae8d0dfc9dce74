//! `rota completions SHELL` and `rota man`: shell completion scripts (clap_complete) and
//! man pages (clap_mangen), made from the same argument definitions as the parser, so they
//! cannot fall behind it.

use std::path::Path;

use clap_complete::Shell;

use crate::error::Error;
use crate::output::atomic;

/// Prints the completion script for `shell`; `command` is the whole CLI (`Cli::command()`).
pub fn run(mut command: clap::Command, shell: Shell) -> Result<(), Error> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "rota", &mut script);
    super::print(&utf8(script)?)
}

/// Prints rota(1) as roff; with `dir`, writes it and a page per subcommand (`rota-solve.1`,
/// `rota-export-csv.1`, …, which rota(1) refers to) into `dir` instead.
pub fn man(command: clap::Command, dir: Option<&Path>) -> Result<(), Error> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    render_pages(command, &mut pages)?;
    let Some(dir) = dir else {
        // The top page comes first.
        return super::print(pages.first().map_or("", |(_, page)| page.as_str()));
    };
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, page) in &pages {
        atomic::write_file(&dir.join(name), page)?;
    }
    super::print(&format!(
        "wrote {} man pages to {}\n",
        pages.len(),
        dir.display()
    ))
}

/// `(file name, roff)` of `command`'s page, then of each visible subcommand's, depth first.
fn render_pages(command: clap::Command, pages: &mut Vec<(String, String)>) -> Result<(), Error> {
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render(&mut page)
        .map_err(|e| Error::Internal(format!("rendering the man page: {e}")))?;
    pages.push((man.get_filename(), utf8(page)?));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_pages(sub.clone(), pages)?;
    }
    Ok(())
}

fn utf8(bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes)
        .map_err(|e| Error::Internal(format!("generated text is not UTF-8: {e}")))
}
