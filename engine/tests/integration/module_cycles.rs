//! No two top-level modules of the engine import each other: dependencies between `catalog`,
//! `measure`, `report`, `fold` and the rest point one way, so each layer can be read (and
//! changed) knowing only what is below it.
//!
//! The test reads `engine/src/**/*.rs`, takes every `crate::NAME` a file mentions outside
//! comments and `#[cfg(test)]` modules (in `use` lines and in paths), and records an edge from
//! the file's top-level module (the first path segment under `src/`) to `NAME`. Any pair of
//! modules with an edge each way fails the test, naming a file and line for both directions.
//! To see every edge: `cargo test -p ccsim-engine --test integration module_cycles -- --nocapture`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Where an edge was seen: a file relative to `engine/`, and a 1-based line.
type Place = (String, usize);

/// Edges between top-level modules, each with the first place it was seen.
type Edges = BTreeMap<(String, String), Place>;

#[test]
fn no_two_engine_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_edges(&src);
    for ((from, to), (file, line)) in &edges {
        println!("{from} -> {to}  ({file}:{line})");
    }
    let cycles = two_way_edges(&edges);
    assert!(
        cycles.is_empty(),
        "engine modules that import each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn a_two_way_edge_is_found() {
    let mut edges = Edges::new();
    let place = |file: &str, line| (file.to_string(), line);
    edges.insert(("time".into(), "report".into()), place("src/time.rs", 7));
    edges.insert(
        ("report".into(), "time".into()),
        place("src/report/mod.rs", 3),
    );
    edges.insert(
        ("report".into(), "catalog".into()),
        place("src/report/mod.rs", 4),
    );
    assert_eq!(
        two_way_edges(&edges),
        ["report -> time (src/report/mod.rs:3) and time -> report (src/time.rs:7)"]
    );
    // What is read as an edge, and what is not.
    let text = "use crate::time::Instant;\n\
                use crate::{catalog, measure::def::Dim};\n\
                // crate::comment is not an edge\n\
                fn f() { crate::report::render::number(None); }\n\
                #[cfg(test)]\n\
                mod tests {\n    use crate::fold::Fold;\n}\n\
                use crate::codec;\n";
    let found: Vec<(String, usize)> = crate_paths(text);
    let names: Vec<(&str, usize)> = found.iter().map(|(n, l)| (n.as_str(), *l)).collect();
    assert_eq!(
        names,
        [
            ("time", 1),
            ("catalog", 2),
            ("measure", 2),
            ("report", 4),
            ("codec", 9)
        ]
    );
}

/// Every edge between top-level modules of the crate whose sources are under `src`.
fn module_edges(src: &Path) -> Edges {
    let mut edges = Edges::new();
    for path in rust_files(src) {
        let Ok(relative) = path.strip_prefix(src) else {
            continue;
        };
        let Some(module) = top_level_module(relative) else {
            continue;
        };
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = format!("src/{}", relative.display());
        for (name, line) in crate_paths(&text) {
            if name != module {
                edges
                    .entry((module.clone(), name))
                    .or_insert_with(|| (file.clone(), line));
            }
        }
    }
    edges
}

/// Each pair of modules with an edge both ways, as `a -> b (file:line) and b -> a (file:line)`.
fn two_way_edges(edges: &Edges) -> Vec<String> {
    let mut found = Vec::new();
    for ((from, to), (file, line)) in edges {
        if from >= to {
            continue;
        }
        if let Some((back_file, back_line)) = edges.get(&(to.clone(), from.clone())) {
            found.push(format!(
                "{from} -> {to} ({file}:{line}) and {to} -> {from} ({back_file}:{back_line})"
            ));
        }
    }
    found
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level module a file under `src/` belongs to; `None` for the crate root.
fn top_level_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The first segment of every `crate::` path in `text`, with its 1-based line, outside
/// comments and `#[cfg(test)]` modules. `crate::{a, b::c}` names `a` and `b`.
fn crate_paths(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut test_module_depth: Option<i64> = None;
    let mut pending_cfg_test = false;
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split("//").next().unwrap_or("");
        let trimmed = line.trim();
        if let Some(depth) = test_module_depth.as_mut() {
            *depth += brace_balance(line);
            if *depth <= 0 {
                test_module_depth = None;
            }
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            pending_cfg_test = true;
            continue;
        }
        if pending_cfg_test {
            pending_cfg_test = false;
            if trimmed.starts_with("mod ") && trimmed.ends_with('{') {
                test_module_depth = Some(brace_balance(line));
                continue;
            }
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let preceded_by_identifier = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
            rest = &rest[at + "crate::".len()..];
            if preceded_by_identifier {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inside = group.split('}').next().unwrap_or("");
                for item in inside.split(',') {
                    let name = leading_identifier(item.trim());
                    if !name.is_empty() && name != "self" {
                        found.push((name.to_string(), index + 1));
                    }
                }
            } else {
                let name = leading_identifier(rest);
                if !name.is_empty() {
                    found.push((name.to_string(), index + 1));
                }
            }
        }
    }
    found
}

/// The identifier `text` starts with (possibly empty).
fn leading_identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Opening minus closing braces on a line.
fn brace_balance(line: &str) -> i64 {
    line.chars()
        .map(|c| match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        })
        .sum()
}
