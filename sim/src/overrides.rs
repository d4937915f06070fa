//! What-if overrides of scenario values (`--set KEY=VALUE`, and each point of a sweep's
//! `--vary`): parsed, then applied to the TOML document before the loader reads it, so an
//! overridden value goes through every check a written one does.
//!
//! KEY is the value's key path in the file (`groups.agents.agents`,
//! `workstreams.phone.transfers[1].probability`). VALUE is read as a TOML value (number, bool,
//! string, array, inline table) and, when it is not one, as a string. Every table on the way to
//! the key must exist, so a typo in the path is reported with the names that would be valid;
//! the key itself may be new (an optional value left out of the file), and the loader's
//! unknown-key check decides whether it is one. `Scenario::parse_with` reports a problem with
//! an overridden value as the override (`--set groups.agents.agnets=7: unknown field ...`),
//! not as a line of the file.

use std::fmt;

use toml_edit::{Array, ArrayOfTables, DocumentMut, ImDocument, InlineTable, Item, Table, Value};

use crate::locate::{KeyPath, Seg};

/// One override: a key path and the value it gets.
#[derive(Clone, Debug)]
pub struct Override {
    /// The flag it came from (`--set`, `--vary`), for messages.
    pub flag: &'static str,
    /// The key path.
    pub key: KeyPath,
    /// The value as written.
    pub value_text: String,
    /// The value as TOML.
    value: Value,
}

impl PartialEq for Override {
    fn eq(&self, other: &Self) -> bool {
        self.flag == other.flag && self.key == other.key && self.value_text == other.value_text
    }
}

impl fmt::Display for Override {
    /// `--set KEY=VALUE`, as the user would write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}={}", self.flag, self.key, self.value_text)
    }
}

/// An override that cannot be read or applied: which one, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct OverrideError {
    /// The override as written (`--set KEY=VALUE`).
    pub place: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl Override {
    /// Reads `KEY=VALUE` given with `flag`.
    pub fn parse(flag: &'static str, text: &str) -> Result<Override, OverrideError> {
        let error = |message: String| OverrideError {
            place: format!("{flag} {text}"),
            message,
        };
        let Some((key, value)) = text.split_once('=') else {
            return Err(error(
                "no `=`; expected KEY=VALUE, e.g. groups.agents.agents=7".into(),
            ));
        };
        let key = parse_key_path(key.trim()).map_err(error)?;
        Ok(Override::new(flag, key, value.trim()))
    }

    /// The override of `key` by `value_text`, read as TOML or else as a string.
    pub fn new(flag: &'static str, key: KeyPath, value_text: &str) -> Override {
        Override {
            flag,
            key,
            value_text: value_text.to_string(),
            value: toml_value(value_text),
        }
    }
}

/// `text` as a TOML value; as a string when it is not one. A date and time becomes its text:
/// scenario files write instants as strings.
fn toml_value(text: &str) -> Value {
    match text.parse::<Value>() {
        Ok(Value::Datetime(d)) => Value::from(d.value().to_string()),
        Ok(mut value) => {
            value.decor_mut().clear();
            value
        }
        Err(_) => Value::from(text),
    }
}

/// A dotted key path with array indices: `a.b[1].c`; keys are bare (letters, digits, `_`,
/// `-`) or double-quoted.
pub fn parse_key_path(text: &str) -> Result<KeyPath, String> {
    let expected = || {
        format!(
            "`{text}` is not a key path; expected keys joined by dots, with [N] for an entry of an array, e.g. workstreams.phone.transfers[0].probability"
        )
    };
    let mut path = KeyPath::default();
    let mut rest = text;
    loop {
        // A key.
        let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(expected)?;
            (quoted[..end].to_string(), &quoted[end + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if end == 0 {
                return Err(expected());
            }
            (rest[..end].to_string(), &rest[end..])
        };
        path.0.push(Seg::Key(key));
        rest = after;
        // Indices.
        while let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').ok_or_else(expected)?;
            let index = inner[..end]
                .trim()
                .parse::<usize>()
                .map_err(|_| expected())?;
            path.0.push(Seg::Index(index));
            rest = &inner[end + 1..];
        }
        if rest.is_empty() {
            return Ok(path);
        }
        rest = rest.strip_prefix('.').ok_or_else(expected)?;
    }
}

/// `text` with every override applied in order (a later one wins), or the first that cannot
/// be: a table on its path is missing, or is a value.
pub fn apply(text: &str, overrides: &[Override]) -> Result<String, OverrideError> {
    let mut doc = text.parse::<DocumentMut>().map_err(|e| OverrideError {
        place: "scenario".into(),
        message: e.to_string(),
    })?;
    for o in overrides {
        set(doc.as_table_mut(), &o.key, o.value.clone()).map_err(|message| OverrideError {
            place: o.to_string(),
            message,
        })?;
    }
    Ok(doc.to_string())
}

/// A place in the document that holds keys or entries.
enum Place<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
    Array(&'a mut Array),
    Tables(&'a mut ArrayOfTables),
}

/// The path's first `n` segments, as text.
fn prefix(path: &KeyPath, n: usize) -> String {
    KeyPath(path.0[..n].to_vec()).to_string()
}

/// One of `names`, as the message lists them.
fn one_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "it has no keys".into()
    } else {
        format!("expected one of {}", names.join(", "))
    }
}

fn set(root: &mut Table, path: &KeyPath, value: Value) -> Result<(), String> {
    let Some((last, parents)) = path.0.split_last() else {
        return Err("no key; expected a key path".into());
    };
    let mut place = Place::Table(root);
    for (i, seg) in parents.iter().enumerate() {
        let here = prefix(path, i);
        let missing = |keys: String| {
            if i == 0 {
                format!(
                    "no `{}` in the scenario; {keys}",
                    path.0[..=i].iter().map(seg_text).collect::<String>()
                )
            } else {
                format!("no `{}` in `{here}`; {keys}", seg_text(seg))
            }
        };
        place = match (place, seg) {
            (Place::Table(t), Seg::Key(k)) => {
                let keys = one_of(t.iter().map(|(k, _)| k));
                match t.get_mut(k) {
                    Some(Item::Table(t)) => Place::Table(t),
                    Some(Item::ArrayOfTables(a)) => Place::Tables(a),
                    Some(Item::Value(Value::InlineTable(t))) => Place::Inline(t),
                    Some(Item::Value(Value::Array(a))) => Place::Array(a),
                    Some(Item::Value(_)) => return Err(not_a_table(path, i)),
                    Some(Item::None) | None => return Err(missing(keys)),
                }
            }
            (Place::Inline(t), Seg::Key(k)) => {
                let keys = one_of(t.iter().map(|(k, _)| k));
                match t.get_mut(k) {
                    Some(Value::InlineTable(t)) => Place::Inline(t),
                    Some(Value::Array(a)) => Place::Array(a),
                    Some(_) => return Err(not_a_table(path, i)),
                    None => return Err(missing(keys)),
                }
            }
            (Place::Array(a), Seg::Index(n)) => {
                let len = a.len();
                match a.get_mut(*n) {
                    Some(Value::InlineTable(t)) => Place::Inline(t),
                    Some(Value::Array(a)) => Place::Array(a),
                    Some(_) => return Err(not_a_table(path, i)),
                    None => return Err(out_of_range(path, i, *n, len)),
                }
            }
            (Place::Tables(a), Seg::Index(n)) => {
                let len = a.len();
                match a.get_mut(*n) {
                    Some(t) => Place::Table(t),
                    None => return Err(out_of_range(path, i, *n, len)),
                }
            }
            (_, seg) => return Err(wrong_step(path, i, seg)),
        };
    }
    match (place, last) {
        (Place::Table(t), Seg::Key(k)) => match t.get_mut(k) {
            Some(Item::Value(old)) => replace(old, value),
            Some(item) => *item = Item::Value(value),
            None => {
                t.insert(k, Item::Value(value));
            }
        },
        (Place::Inline(t), Seg::Key(k)) => match t.get_mut(k) {
            Some(old) => replace(old, value),
            None => {
                t.insert(k, value);
            }
        },
        (Place::Array(a), Seg::Index(n)) => {
            let len = a.len();
            match a.get_mut(*n) {
                Some(old) => replace(old, value),
                None => return Err(out_of_range(path, parents.len(), *n, len)),
            }
        }
        (_, seg) => return Err(wrong_step(path, parents.len(), seg)),
    }
    Ok(())
}

/// Puts `value` where `old` was, keeping the spacing around it.
fn replace(old: &mut Value, mut value: Value) {
    *value.decor_mut() = old.decor().clone();
    *old = value;
}

fn seg_text(seg: &Seg) -> String {
    match seg {
        Seg::Key(k) => k.clone(),
        Seg::Index(n) => format!("[{n}]"),
    }
}

fn not_a_table(path: &KeyPath, i: usize) -> String {
    format!(
        "`{}` is a value, not a table; expected a key path to a value",
        prefix(path, i + 1)
    )
}

fn out_of_range(path: &KeyPath, i: usize, n: usize, len: usize) -> String {
    format!(
        "`{}` has {len} entries; expected an index below {len}, not {n}",
        prefix(path, i)
    )
}

fn wrong_step(path: &KeyPath, i: usize, seg: &Seg) -> String {
    let here = prefix(path, i);
    match seg {
        Seg::Key(_) => format!("`{here}` is an array; expected an index [N] after it"),
        Seg::Index(_) => format!("`{here}` is not an array; expected a key after it, not an index"),
    }
}

/// The key path of the value or table header at byte `offset` of `text`: the deepest one
/// whose key or value holds it.
pub fn path_at(text: &str, offset: usize) -> Option<KeyPath> {
    let doc = ImDocument::parse(text).ok()?;
    in_table(doc.as_table(), offset, &KeyPath::default())
}

fn contains(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.contains(&offset))
}

fn in_table(table: &Table, offset: usize, path: &KeyPath) -> Option<KeyPath> {
    for (name, item) in table.iter() {
        let here = path.key(name);
        let key_span = table.key(name).and_then(|k| k.span());
        match item {
            Item::Value(value) => {
                let start = key_span.as_ref().map_or(usize::MAX, |s| s.start);
                let end = value.span().map_or(0, |s| s.end);
                if contains(Some(start.min(end)..end), offset) || contains(key_span, offset) {
                    return Some(in_value(value, offset, &here).unwrap_or(here));
                }
            }
            Item::Table(inner) => {
                if let Some(found) = in_table(inner, offset, &here) {
                    return Some(found);
                }
                if contains(inner.span(), offset) {
                    return Some(here);
                }
            }
            Item::ArrayOfTables(tables) => {
                for (i, inner) in tables.iter().enumerate() {
                    let entry = here.index(i);
                    if let Some(found) = in_table(inner, offset, &entry) {
                        return Some(found);
                    }
                    if contains(inner.span(), offset) {
                        return Some(entry);
                    }
                }
            }
            Item::None => {}
        }
    }
    None
}

fn in_value(value: &Value, offset: usize, path: &KeyPath) -> Option<KeyPath> {
    match value {
        Value::InlineTable(table) => table.iter().find_map(|(name, inner)| {
            let key_span = table.key(name).and_then(|k| k.span());
            let start = key_span.as_ref().map_or(usize::MAX, |s| s.start);
            let end = inner.span().map_or(0, |s| s.end);
            let here = path.key(name);
            (contains(Some(start.min(end)..end), offset) || contains(key_span, offset))
                .then(|| in_value(inner, offset, &here).unwrap_or(here))
        }),
        Value::Array(array) => array.iter().enumerate().find_map(|(i, inner)| {
            let here = path.index(i);
            contains(inner.span(), offset).then(|| in_value(inner, offset, &here).unwrap_or(here))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name = \"x\"\n\n[groups.agents]\nagents = 6 # head count\ncapacity = { phone = 1 }\nshifts = [\n  { name = \"early\", agents = 3 },\n]\n\n[[queues.calls.rules]]\nx = 1\n";

    fn set_one(text: &str) -> Result<String, OverrideError> {
        apply(DOC, &[Override::parse("--set", text)?])
    }

    #[test]
    fn values_replace_in_place_and_new_keys_join_their_table() {
        let out = set_one("groups.agents.agents=7").unwrap();
        assert!(out.contains("agents = 7 # head count\n"), "{out}");
        let out = set_one("groups.agents.capacity.chat=2").unwrap();
        assert!(out.contains("capacity = { phone = 1 , chat = 2 }"), "{out}");
        let out = set_one("groups.agents.shifts[0].agents=5").unwrap();
        assert!(out.contains("{ name = \"early\", agents = 5 }"), "{out}");
        let out = set_one("queues.calls.rules[0].x=2").unwrap();
        assert!(out.contains("x = 2"), "{out}");
        // Not TOML: a string.
        let out = set_one("name=Night shift what-if").unwrap();
        assert!(out.starts_with("name = \"Night shift what-if\"\n"), "{out}");
        // A new optional key of an existing table.
        let out = set_one("groups.agents.profile_views=false").unwrap();
        assert!(out.contains("profile_views = false"), "{out}");
    }

    #[test]
    fn a_missing_table_on_the_path_is_named_with_what_exists() {
        let e = set_one("groups.agnets.agents=7").unwrap_err();
        assert_eq!(e.place, "--set groups.agnets.agents=7");
        assert!(
            e.message.contains("no `agnets` in `groups`") && e.message.contains("`agents`"),
            "{e}"
        );
        let e = set_one("grups.a.agents=7").unwrap_err();
        assert!(e.message.contains("no `grups` in the scenario"), "{e}");
        let e = set_one("groups.agents.shifts[3].agents=7").unwrap_err();
        assert!(e.message.contains("has 1 entries"), "{e}");
        let e = set_one("groups.agents.agents.x=7").unwrap_err();
        assert!(e.message.contains("is a value, not a table"), "{e}");
        assert!(Override::parse("--set", "groups.agents.agents").is_err());
        assert!(Override::parse("--set", "groups..agents=1").is_err());
        assert!(Override::parse("--set", "groups.a[x]=1").is_err());
    }

    #[test]
    fn offsets_map_back_to_key_paths() {
        let at = |needle: &str| path_at(DOC, DOC.find(needle).unwrap()).map(|p| p.to_string());
        assert_eq!(at("6 #").as_deref(), Some("groups.agents.agents"));
        assert_eq!(at("phone").as_deref(), Some("groups.agents.capacity.phone"));
        assert_eq!(at("3 }").as_deref(), Some("groups.agents.shifts[0].agents"));
        assert_eq!(at("x = 1").as_deref(), Some("queues.calls.rules[0].x"));
    }
}
