//! The shape of the code, kept by a test: no circle of imports between files, and the
//! engine's rooms import only downwards (load → model → chain → policy → report) and
//! never the network or the front ends. It reads the `use` lines and the inline
//! `crate::`/`super::`/`mfgcheck::` paths of every file under `src/` (test modules
//! left out), resolves each to the file that defines it, and looks for circles.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module: which crate (the library, or the binary of `main.rs`) and its path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Module {
    bin: bool,
    path: Vec<String>,
}

impl std::fmt::Display for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let root = if self.bin { "main" } else { "lib" };
        if self.path.is_empty() {
            write!(f, "{root}")
        } else {
            write!(f, "{}", self.path.join("/"))
        }
    }
}

/// The front ends, compiled into the binary (`main.rs` declares them).
const BIN_ROOMS: &[&str] = &["cli", "web"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        path.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        path.pop();
    }
    let bin = rel == Path::new("main")
        || path
            .first()
            .is_some_and(|p| BIN_ROOMS.contains(&p.as_str()));
    Module { bin, path }
}

/// The code of a file without its comments and its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a file names after `crate::`, `super::` or `mfgcheck::`, with the items
/// of a brace group each as its own path: (root word, segments).
fn named_paths(code: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for root in ["crate::", "super::", "mfgcheck::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().last();
            rest = &rest[at + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut segments = Vec::new();
            let mut tail = rest;
            // `super::super::x`
            let mut ups = 0;
            while let Some(t) = tail.strip_prefix("super::") {
                ups += 1;
                tail = t;
            }
            collect(tail, &mut segments, &mut out, root, ups);
        }
    }
    out
}

/// Reads `a::b::{c, d::e}` from `text`, pushing each full path.
fn collect(
    text: &str,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
    root: &str,
    ups: usize,
) {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let after = &text[ident.len()..];
    if ident.is_empty() {
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        collect_item(&group[start..i], prefix, out, root, ups);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        collect_item(&group[start..i], prefix, out, root, ups);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        }
        return;
    }
    prefix.push(ident);
    if let Some(more) = after.strip_prefix("::") {
        collect(more, prefix, out, root, ups);
    } else {
        let mut key = root.trim_end_matches("::").to_owned();
        key.push_str(&"+super".repeat(ups));
        out.push((key, prefix.clone()));
    }
    prefix.pop();
}

fn collect_item(
    item: &str,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
    root: &str,
    ups: usize,
) {
    let item = item.trim();
    if item.is_empty() || item == "self" || item == "*" {
        let mut key = root.trim_end_matches("::").to_owned();
        key.push_str(&"+super".repeat(ups));
        out.push((key, prefix.clone()));
        return;
    }
    collect(item, prefix, out, root, ups);
}

/// The import graph between files.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeMap<Module, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let resolve = |bin: bool, segments: &[String]| -> Option<Module> {
        (1..=segments.len()).rev().find_map(|n| {
            let m = Module {
                bin,
                path: segments[..n].to_vec(),
            };
            modules.contains_key(&m).then_some(m)
        })
    };
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (me, file) in &modules {
        let text = code(&std::fs::read_to_string(file).unwrap());
        let mut targets = BTreeSet::new();
        for (root, segments) in named_paths(&text) {
            // `super` is the parent module whatever the file layout; each further
            // `super::` one more up.
            let ups = root.matches("+super").count();
            let (bin, base) = match root.split('+').next().unwrap() {
                "crate" => (me.bin, Vec::new()),
                "mfgcheck" => (false, Vec::new()),
                "self" => (me.bin, me.path.clone()),
                _ => {
                    let keep = me.path.len().saturating_sub(1 + ups);
                    (me.bin, me.path[..keep].to_vec())
                }
            };
            let full: Vec<String> = base.into_iter().chain(segments).collect();
            if let Some(target) = resolve(bin, &full)
                && &target != me
                && !target.path.is_empty()
            {
                targets.insert(target);
            }
        }
        edges.insert(me.clone(), targets);
    }
    edges
}

/// The circles of `edges` (strongly connected parts of more than one file).
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    // Kosaraju: finish order on the graph, then components on the reversed one.
    fn visit<'a>(
        m: &'a Module,
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        seen: &mut BTreeSet<&'a Module>,
        order: &mut Vec<&'a Module>,
    ) {
        if !seen.insert(m) {
            return;
        }
        for next in edges.get(m).into_iter().flatten() {
            visit(next, edges, seen, order);
        }
        order.push(m);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for m in edges.keys() {
        visit(m, edges, &mut seen, &mut order);
    }
    let mut reversed: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, tos) in edges {
        for to in tos {
            reversed.entry(to.clone()).or_default().insert(from.clone());
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for m in order.into_iter().rev() {
        let mut part = Vec::new();
        visit(m, &reversed, &mut assigned, &mut part);
        if part.len() > 1 {
            let mut part: Vec<Module> = part.into_iter().cloned().collect();
            part.sort();
            out.push(part);
        }
    }
    out
}

fn show(parts: &[Vec<Module>]) -> String {
    parts
        .iter()
        .map(|p| {
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ↔ ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn no_file_imports_in_a_circle() {
    let edges = graph();
    assert!(edges.len() > 50, "read {} files", edges.len());
    let found = circles(&edges);
    assert!(found.is_empty(), "circles of imports: {}", show(&found));
}

#[test]
fn the_circle_finder_finds_circles() {
    let m = |p: &str| Module {
        bin: false,
        path: vec![p.to_owned()],
    };
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b")]));
    edges.insert(m("b"), BTreeSet::from([m("c")]));
    edges.insert(m("c"), BTreeSet::from([m("a")]));
    edges.insert(m("d"), BTreeSet::from([m("a")]));
    assert_eq!(show(&circles(&edges)), "a ↔ b ↔ c");
    // And the reader sees each form of import.
    let text = "use super::{der::element, Problem};\nlet x = crate::model::date::parse_at(t);";
    let paths = named_paths(text);
    assert!(paths.contains(&("super".into(), vec!["der".into(), "element".into()])));
    assert!(paths.contains(&("super".into(), vec!["Problem".into()])));
    assert!(paths.contains(&(
        "crate".into(),
        vec!["model".into(), "date".into(), "parse_at".into()]
    )));
}

#[test]
fn rooms_import_downwards_and_the_engine_never_the_network_or_front_ends() {
    // The engine's rooms in the order data flows through them.
    let order = ["load", "model", "chain", "policy", "report"];
    let network = "network";
    let edges = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &edges {
        if from.bin {
            continue;
        }
        let Some(room) = from.path.first() else {
            continue;
        };
        for to in tos {
            let Some(target) = to.path.first() else {
                continue;
            };
            let engine = order.iter().position(|r| r == room);
            let up = match (engine, order.iter().position(|r| r == target)) {
                (Some(a), Some(b)) => b > a,
                _ => false,
            };
            // Every room of the library but the network's own is the engine here.
            let reaches_out = room != network && (target == network || to.bin);
            if up || reaches_out {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the flow: {wrong:?}");
}
