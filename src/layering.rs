//! The layering of the crate's top-level modules, checked on the source (tests only).
//!
//! A top-level module is a file or directory directly under `src/` (`schema`, `data`,
//! `analysis`, `cmd`, …). Module `a` depends on module `b` when code anywhere under `a`
//! names `crate::b` (in a `use` line or a path, `crate::{b::…}` included) or climbs to it
//! with `super::`; comments and string literals do not count. The rules:
//!
//! - `schema` depends on no other module of the crate, `notes` on `schema` alone, and
//!   `analysis` on `schema` and `notes` alone;
//! - `data` and `analysis` depend on neither each other nor `output`, `render`, `report`,
//!   `chart`, `cmd`, `cli`, `config` and `pipeline`;
//! - no cycle runs between top-level modules;
//!
//! except for the edges in [`ALLOWED`] (none today), each with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Edges that break a rule and are kept for now: (from, to, why).
const ALLOWED: &[(&str, &str, &str)] = &[];

/// Modules that `data` and `analysis` must not depend on (besides each other).
const ABOVE_DATA: [&str; 8] = [
    "output", "render", "report", "chart", "cmd", "cli", "config", "pipeline",
];

/// The whole of what some modules may use: the analyses compute on the canonical frame
/// ([`crate::schema`]) and say what they found in notes, nothing more; figures and SQL
/// tables come from results, never from the command line or the run.
const ONLY: [(&str, &[&str]); 5] = [
    ("schema", &[]),
    ("notes", &["schema"]),
    ("analysis", &["schema", "notes"]),
    // Figures and SQL tables are drawn from results, below the command line and the run.
    ("chart", &["analysis", "data", "schema"]),
    ("sql", &["analysis", "data", "output", "schema", "notes"]),
];

#[test]
fn modules_are_layered() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    let shown = show(&graph);
    for needed in ["schema", "data", "analysis", "cmd"] {
        assert!(
            graph.contains_key(needed),
            "no module {needed} under src/: update the layering rules\n{shown}"
        );
    }
    let allowed = |from: &str, to: &str| ALLOWED.iter().any(|(f, t, _)| *f == from && *t == to);
    for (from, to, _) in ALLOWED {
        assert!(
            graph[*from].contains(*to),
            "{from} no longer depends on {to}: remove the edge from ALLOWED\n{shown}"
        );
    }

    let schema = &graph["schema"];
    assert!(
        schema.is_empty(),
        "schema must depend on no other module, but uses {schema:?}\n{shown}"
    );
    for (layer, other) in [("data", "analysis"), ("analysis", "data")] {
        for above in std::iter::once(other).chain(ABOVE_DATA) {
            assert!(
                !graph[layer].contains(above) || allowed(layer, above),
                "{layer} must not depend on {above} (see src/layering.rs)\n{shown}"
            );
        }
    }

    for (module, may) in ONLY {
        let extra: Vec<&String> = graph[module]
            .iter()
            .filter(|m| !may.contains(&m.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{module} may depend on {may:?} only, but uses {extra:?}\n{shown}"
        );
    }

    let mut kept = graph.clone();
    for (from, to, _) in ALLOWED {
        kept.get_mut(*from).map(|deps| deps.remove(*to));
    }
    if let Some(cycle) = find_cycle(&kept) {
        panic!(
            "cycle between top-level modules: {}\n{shown}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn references_skip_comments_and_strings_and_resolve_super() {
    let code = r##"
        use crate::data::{Dataset, YEAR}; // crate::cmd in a comment
        use crate::{output::Table, render::{self, Format}};
        /* crate::report /* nested */ crate::chart */
        let s = "crate::cli \" crate::cli";
        let r = r#"crate::cli " crate::cli"#;
        let c = '"'; let q = '\''; let l: &'static str = "x";
        let p = crate::progress::mark("crate::cleanup");
        mod tests {
            use super::super::panic;
            use super::Cli;
        }
        use super::schema::X;
        let m = data::modes_frame();
    "##;
    let found = references(code, 1);
    let names: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    // At depth 1 `super::schema` is the crate root's schema; inside `mod tests`,
    // `super::super::panic` climbs to the root too, while `super::Cli` stays in the module.
    assert_eq!(
        names,
        BTreeSet::from(["data", "output", "panic", "progress", "render", "schema"])
    );
}

/// Each top-level module under `src` and the other top-level modules it references.
fn graph(src: &Path) -> Graph {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(src).expect("src/ is readable") {
        let path = entry.expect("src/ is readable").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir()
            || (path.extension().is_some_and(|e| e == "rs")
                && !["lib", "main"].contains(&name.as_str()))
        {
            modules.push((name, path));
        }
    }
    let names: BTreeSet<String> = modules.iter().map(|(n, _)| n.clone()).collect();
    let mut graph = Graph::new();
    for (name, path) in modules {
        let mut deps = BTreeSet::new();
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        for file in files {
            let depth = depth(&file.strip_prefix(src).unwrap().to_string_lossy());
            let code = std::fs::read_to_string(&file).expect("source is readable");
            deps.extend(
                references(&code, depth)
                    .into_iter()
                    .filter(|d| *d != name && names.contains(d)),
            );
        }
        graph.insert(name, deps);
    }
    graph
}

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("source directory is readable") {
            rust_files(&entry.expect("source directory is readable").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// Module depth of a file relative to `src/`: `cli.rs` and `data/mod.rs` are 1,
/// `data/parse.rs` is 2.
fn depth(relative: &str) -> usize {
    let parts: Vec<&str> = relative.split(['/', '\\']).collect();
    match parts.last() {
        Some(&"mod.rs") => parts.len() - 1,
        _ => parts.len(),
    }
}

/// The first path segment after `crate::` (each item of a `crate::{…}` group) and after a
/// `super::` chain that climbs to the crate root, in `code` (a file at module `depth`)
/// without its comments and literals.
fn references(code: &str, depth: usize) -> Vec<String> {
    let code: Vec<char> = strip(code).chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let word_at = |i: usize| -> String { code[i..].iter().take_while(|c| ident(**c)).collect() };
    let starts = |i: usize, s: &str| code[i..].iter().take(s.len()).copied().eq(s.chars());
    let mut found = Vec::new();
    // Depth in braces, and the brace depths at which inline `mod name {` blocks opened.
    let (mut braces, mut inline_mods, mut mod_pending) = (0usize, Vec::new(), false);
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        let boundary = i == 0 || !(ident(code[i - 1]) || code[i - 1] == '$' || code[i - 1] == ':');
        if c == '{' {
            braces += 1;
            if mod_pending {
                inline_mods.push(braces);
                mod_pending = false;
            }
        } else if c == '}' {
            if inline_mods.last() == Some(&braces) {
                inline_mods.pop();
            }
            braces = braces.saturating_sub(1);
        } else if c == ';' {
            mod_pending = false;
        } else if boundary && ident(c) {
            let word = word_at(i);
            let after = i + word.len();
            if word == "mod" {
                mod_pending = true;
            } else if word == "crate" && starts(after, "::") {
                found.extend(first_segments(&code, after + 2));
            } else if word == "super" && starts(after, "::") {
                let mut climbs = 0;
                let mut j = i;
                while word_at(j) == "super" && starts(j + 5, "::") {
                    climbs += 1;
                    j += 7;
                }
                if climbs >= depth + inline_mods.len() {
                    found.extend(first_segments(&code, j));
                }
                i = j;
                continue;
            }
            i = after;
            continue;
        }
        i += 1;
    }
    found
}

/// The path segment at `i`, or each item's first segment of a `{…}` group there.
fn first_segments(code: &[char], mut i: usize) -> Vec<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < code.len() && code[i].is_whitespace() {
        i += 1;
    }
    if code.get(i) != Some(&'{') {
        return vec![code[i..].iter().take_while(|c| ident(**c)).collect()];
    }
    // Split the group at its own commas, not those of nested groups.
    let (mut items, mut item, mut level) = (Vec::new(), String::new(), 0);
    for &c in &code[i..] {
        match c {
            '{' => level += 1,
            '}' => level -= 1,
            _ => {}
        }
        if level == 0 || (level == 1 && c == ',') {
            items.push(std::mem::take(&mut item));
            if level == 0 {
                break;
            }
        } else if level > 1 || c != '{' {
            item.push(c);
        }
    }
    items
        .iter()
        .map(|item| {
            item.trim_start()
                .chars()
                .take_while(|c| ident(*c))
                .collect()
        })
        .collect()
}

/// `code` with comments and the contents of string and character literals blanked out
/// (newlines kept).
fn strip(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut level = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    level += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_at(&chars, i) {
            i += 2 + hashes;
            out.push('"');
            let close: Vec<char> = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            while i < chars.len() && !chars[i..].starts_with(&close) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            i += close.len();
            out.push('"');
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal: '\n', '\'', '\u{7f}'.
            i += 3;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else {
            // Anything else, lifetimes included.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At a raw string literal (`r"`, `r#"`, `br#"`…) starting at `i`: its number of `#`.
fn raw_string_at(chars: &[char], i: usize) -> Option<usize> {
    let ident = |at: usize| chars[at].is_alphanumeric() || chars[at] == '_';
    let starts_token = match i {
        0 => true,
        1 => !ident(0) || chars[0] == 'b',
        _ => !ident(i - 1) || (chars[i - 1] == 'b' && !ident(i - 2)),
    };
    if chars[i] != 'r' || !starts_token {
        return None;
    }
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// A cycle in `graph` as its modules, the first repeated at the end, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn show(graph: &Graph) -> String {
    let mut lines = vec!["top-level module dependencies:".to_string()];
    for (module, deps) in graph {
        let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
        lines.push(format!("  {module} -> {}", deps.join(", ")));
    }
    lines.join("\n")
}
