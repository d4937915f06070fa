//! Finding the line of a key in a TOML document, so every scenario error can name it.

use toml_edit::{ArrayOfTables, ImDocument, Item, Table, Value};

/// One step of a key path: a table key, or an index into an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A dotted key path such as `workstreams.phone.transfers[1].probability`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The path with `key` appended.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }

    /// The path with an index appended.
    pub fn index(&self, i: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// A path of keys.
    pub fn of(keys: &[&str]) -> KeyPath {
        KeyPath(keys.iter().map(|k| Seg::Key(k.to_string())).collect())
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A place in a parsed document.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Array(&'a ArrayOfTables),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Option<Node<'a>> {
        match item {
            Item::Table(t) => Some(Node::Table(t)),
            Item::ArrayOfTables(a) => Some(Node::Array(a)),
            Item::Value(v) => Some(Node::Value(v)),
            Item::None => None,
        }
    }

    /// The child at `seg`, and the span that names it best.
    fn child(self, seg: &Seg) -> Option<(Node<'a>, Option<std::ops::Range<usize>>)> {
        match (self, seg) {
            (Node::Table(t), Seg::Key(k)) => {
                let (key, item) = t.get_key_value(k)?;
                let span = key.span().or_else(|| item.span());
                Some((Node::of_item(item)?, span))
            }
            (Node::Array(a), Seg::Index(i)) => {
                let t = a.get(*i)?;
                Some((Node::Table(t), t.span()))
            }
            (Node::Value(Value::InlineTable(t)), Seg::Key(k)) => {
                let v = t.get(k)?;
                Some((
                    Node::Value(v),
                    t.key(k).and_then(|k| k.span()).or_else(|| v.span()),
                ))
            }
            (Node::Value(Value::Array(a)), Seg::Index(i)) => {
                let v = a.get(*i)?;
                Some((Node::Value(v), v.span()))
            }
            _ => None,
        }
    }
}

/// The 1-based line of the deepest part of `path` found in `text` (the key itself when it is
/// written, else the nearest enclosing key or table).
pub fn line_of(text: &str, path: &KeyPath) -> Option<usize> {
    let doc = ImDocument::parse(text).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut best = None;
    for seg in &path.0 {
        let Some((child, span)) = node.child(seg) else {
            if best.is_none() {
                if let Node::Table(t) = node {
                    best = t.span();
                }
            }
            break;
        };
        if span.is_some() {
            best = span;
        }
        node = child;
    }
    best.map(|s| line_at(text, s.start))
}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[horizon]\nstart = \"x\"\n\n[workstreams.phone]\nchannel = \"phone\"\narrivals = { rate_per_h = -3 }\ntransfers = [\n  { probability = 0.1 },\n  { probability = 2 },\n]\n\n[[groups.a.shifts]]\nname = \"early\"\n\n[[groups.a.shifts]]\nname = \"late\"\nagents = 3\n";

    #[test]
    fn finds_keys_in_tables_inline_tables_and_arrays() {
        let l = |p: KeyPath| line_of(DOC, &p);
        assert_eq!(l(KeyPath::of(&["horizon", "start"])), Some(2));
        assert_eq!(
            l(KeyPath::of(&["workstreams", "phone", "channel"])),
            Some(5)
        );
        assert_eq!(
            l(KeyPath::of(&[
                "workstreams",
                "phone",
                "arrivals",
                "rate_per_h"
            ])),
            Some(6)
        );
        let t = KeyPath::of(&["workstreams", "phone", "transfers"]);
        assert_eq!(l(t.index(1).key("probability")), Some(9));
        let s = KeyPath::of(&["groups", "a", "shifts"]);
        assert_eq!(l(s.index(1).key("agents")), Some(17));
        // A missing key points at its table.
        assert_eq!(l(KeyPath::of(&["horizon", "length_h"])), Some(1));
    }
}
