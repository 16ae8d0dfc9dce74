//! The crate's shape, read from its source: the stages of the pipeline import only earlier
//! stages, and no two top-level modules import each other, directly or around a loop —
//! test code included, since a stage's tests that reach into a later stage tie the two
//! together as much as its code does.
//!
//! A dependency is any `crate::name` path (in `use` or inline, `crate::{a, b}` groups
//! included) in a file of one top-level module naming another; `crate::Name` re-exported
//! by `lib.rs` counts for the module it comes from. Comments are not code and do not
//! count. `testkit` is left out: it is test scaffolding that builds values of every stage
//! for every stage's tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::root;

/// The pipeline, in order: each may import only those before it.
const PIPELINE: [&str; 8] = [
    "config", "time", "problem", "solver", "schedule", "output", "commands", "cli",
];

/// Left out of the graph (see the module doc).
const SCAFFOLDING: &str = "testkit";

/// Where one module imports another: `file:line`.
type Evidence = BTreeMap<(String, String), Vec<String>>;

#[test]
fn each_stage_imports_only_earlier_stages() {
    let edges = dependencies(&root().join("src"));
    let rank = |m: &str| PIPELINE.iter().position(|p| *p == m);
    let back: Vec<String> = edges
        .iter()
        .filter(|((from, to), _)| matches!((rank(from), rank(to)), (Some(a), Some(b)) if b > a))
        .map(|((from, to), at)| format!("{from} → {to} (later stage) at {}", at.join(", ")))
        .collect();
    assert!(
        back.is_empty(),
        "imports that run back up the pipeline:\n{}",
        back.join("\n")
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let edges = dependencies(&root().join("src"));
    let cycles = cycles(&edges);
    let described: Vec<String> = cycles
        .iter()
        .map(|cycle| {
            let steps: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(1))
                .map(|(a, b)| {
                    format!(
                        "  {a} → {b} at {}",
                        edges[&(a.clone(), b.clone())].join(", ")
                    )
                })
                .collect();
            format!("{}:\n{}", cycle.join(" → "), steps.join("\n"))
        })
        .collect();
    assert!(
        described.is_empty(),
        "import cycles:\n{}",
        described.join("\n")
    );
}

/// The checker itself, on a tree written for it: a cycle through a group import and a
/// re-export is found, a path in a comment is not, and the scaffolding is left out.
#[test]
fn the_checker_finds_a_cycle_hidden_in_a_group_and_a_reexport() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path();
    let write = |rel: &str, text: &str| {
        let path = src.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "lib.rs",
        "pub mod a;\npub mod b;\npub mod c;\npub use c::Thing;\n",
    );
    write("a.rs", "use crate::{b::X, c};\n");
    write("b/mod.rs", "mod inner;\n");
    write(
        "b/inner.rs",
        "fn f() -> crate::Thing { todo!() }\n// crate::a in a comment\n",
    );
    write(
        "c.rs",
        "/// [`crate::a`] in a doc comment\npub struct Thing;\n",
    );
    write("testkit/mod.rs", "use crate::a;\nuse crate::b;\n");
    let edges = dependencies(src);
    let pairs: BTreeSet<(String, String)> = edges.keys().cloned().collect();
    let expected: BTreeSet<(String, String)> = [("a", "b"), ("a", "c"), ("b", "c")]
        .iter()
        .map(|(x, y)| (x.to_string(), y.to_string()))
        .collect();
    assert_eq!(pairs, expected);
    assert!(cycles(&edges).is_empty());

    write("c.rs", "pub struct Thing;\nfn g() { crate::a::f(); }\n");
    let cycles = cycles(&dependencies(src));
    assert_eq!(cycles, vec![vec!["a".to_string(), "c".to_string()]]);
}

/// Every (importer, imported) pair of distinct top-level modules, with where.
fn dependencies(src: &Path) -> Evidence {
    let reexports = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default());
    let modules: BTreeSet<String> = rust_files(src)
        .iter()
        .filter_map(|f| top_module(src, f))
        .collect();
    let mut edges = Evidence::new();
    for file in rust_files(src) {
        let Some(from) = top_module(src, &file) else {
            continue;
        };
        if from == SCAFFOLDING {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in crate_paths(code) {
                let to = if modules.contains(&name) {
                    name
                } else if let Some(m) = reexports.get(&name) {
                    m.clone()
                } else {
                    continue;
                };
                if to != from && to != SCAFFOLDING {
                    let at = format!(
                        "{}:{}",
                        file.strip_prefix(src).unwrap_or(&file).display(),
                        n + 1
                    );
                    edges.entry((from.clone(), to)).or_default().push(at);
                }
            }
        }
    }
    edges
}

/// The first segment of every `crate::` path on a line, groups (`crate::{a, b::c}`)
/// expanded.
fn crate_paths(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `mycrate::`, not `crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            names.extend(
                inner
                    .split(',')
                    .map(|p| ident(p.trim()))
                    .filter(|n| !n.is_empty()),
            );
        } else {
            names.push(ident(rest));
        }
    }
    names
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `pub use module::{A, B};` / `pub use module::A;` in lib.rs: name → module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        let names = names.trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',').map(|n| ident(n.trim())) {
            out.insert(name, module.to_string());
        }
    }
    out
}

/// The top-level module a file belongs to (`src/foo.rs`, `src/foo/…`); `None` for the
/// crate root.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs") {
        Some("lib" | "main") => None,
        Some(name) => Some(name.to_string()),
        None => Some(first.to_string()),
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The strongly connected groups of more than one module (Tarjan), each as the modules
/// of one cycle in order, smallest name first.
fn cycles(edges: &Evidence) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
        graph.entry(to).or_default();
    }
    let mut found = Vec::new();
    for group in strongly_connected(&graph) {
        if group.len() > 1 {
            found.push(one_cycle(&graph, &group));
        }
    }
    found
}

fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<BTreeSet<&'a str>> {
    struct Walk<'a, 'g> {
        graph: &'g BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        groups: Vec<BTreeSet<&'a str>>,
    }
    impl<'a> Walk<'a, '_> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for &w in &self.graph[v] {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    group.insert(w);
                    if w == v {
                        break;
                    }
                }
                self.groups.push(group);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        groups: Vec::new(),
    };
    for &v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.groups
}

/// A shortest cycle through the group's first module, within the group.
fn one_cycle(graph: &BTreeMap<&str, Vec<&str>>, group: &BTreeSet<&str>) -> Vec<String> {
    let start = *group.iter().next().expect("a non-empty group");
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &graph[v] {
            if !group.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                while let Some(&p) = came_from.get(path[path.len() - 1]) {
                    path.push(p);
                }
                path.reverse();
                return path.into_iter().map(str::to_string).collect();
            }
            if !came_from.contains_key(w) && w != start {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start.to_string()]
}
