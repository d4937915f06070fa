//! Keeps `docs/events.md` honest: every example parses and is written in canonical form, every
//! event kind is documented exactly once, each field table matches the schema, and every
//! Dynamics code table matches `engine/src/event/codes.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use ccsim_engine::codec::{write_jsonl_line, EventSource, JsonlReader, LogError, LogProblem};
use ccsim_engine::event::{
    Channel, ClosureReason, EventKind, ParticipantEventReason, ParticipantEventType,
    ParticipantMode, WorkItemStatus,
};
use serde_json::{Map, Value};

const DOC_NAME: &str = "docs/events.md";

fn doc_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/events.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// One `### ...` section of the doc: its heading, the `##` group it sits in, and its lines.
struct Section {
    group: String,
    heading: String,
    /// 1-based line number of the heading in the doc.
    line: usize,
    lines: Vec<String>,
}

fn sections(doc: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut group = String::new();
    let mut in_fence = false;
    for (i, line) in doc.lines().enumerate() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(h) = line.strip_prefix("## ") {
                group = h.trim().to_string();
                continue;
            }
            if let Some(h) = line.strip_prefix("### ") {
                out.push(Section {
                    group: group.clone(),
                    heading: h.trim().to_string(),
                    line: i + 1,
                    lines: Vec::new(),
                });
                continue;
            }
        }
        if let Some(s) = out.last_mut() {
            s.lines.push(line.to_string());
        }
    }
    assert!(!in_fence, "{DOC_NAME} ends inside a fenced block");
    out
}

/// The contents of every fenced block whose info string is `json`.
fn json_blocks(lines: &[String]) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in lines {
        match &mut current {
            None if line.trim_end() == "```json" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.extend(current.take()),
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    assert!(current.is_none(), "unclosed ```json block");
    blocks
}

/// The rows of the first markdown table whose header row starts with `first_header`, as cells
/// with surrounding spaces trimmed.
fn table(lines: &[String], first_header: &str) -> Option<Vec<Vec<String>>> {
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let start = lines.iter().position(|l| {
        l.starts_with('|') && cells(l).first().map(String::as_str) == Some(first_header)
    })?;
    let separator = lines.get(start + 1)?;
    assert!(
        separator.starts_with("|---"),
        "table header not followed by a separator row: {separator}"
    );
    Some(
        lines[start + 2..]
            .iter()
            .take_while(|l| l.starts_with('|'))
            .map(|l| cells(l))
            .collect(),
    )
}

/// `` `name` `` → `name`.
fn unquote(cell: &str) -> &str {
    cell.strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or_else(|| panic!("expected a `quoted` name, found {cell:?}"))
}

/// Parses one JSON Lines text into its events' canonical lines, or the first error.
fn read_all(text: &str) -> Result<Vec<String>, LogError> {
    let mut reader = JsonlReader::new(Cursor::new(text.as_bytes().to_vec()), DOC_NAME);
    let mut lines = Vec::new();
    while let Some((_, event)) = reader.next_event()? {
        let mut out = Vec::new();
        write_jsonl_line(&event, &mut out).expect("write back");
        lines.push(String::from_utf8(out).expect("UTF-8"));
    }
    Ok(lines)
}

/// The event sections: heading `` `type_name` `` with one example each.
struct Documented {
    type_name: String,
    group: String,
    heading_line: usize,
    example: String,
    fields: Vec<Vec<String>>,
}

fn documented_events(doc: &str) -> Vec<Documented> {
    sections(doc)
        .into_iter()
        .filter(|s| s.group != "Dynamics option-set codes")
        .map(|s| {
            let type_name = unquote(&s.heading).to_string();
            let blocks = json_blocks(&s.lines);
            assert_eq!(
                blocks.len(),
                1,
                "`{type_name}` (line {}) must have exactly one ```json example",
                s.line
            );
            let fields = table(&s.lines, "field")
                .unwrap_or_else(|| panic!("`{type_name}` has no field table"));
            Documented {
                type_name,
                group: s.group,
                heading_line: s.line,
                example: blocks.into_iter().next().unwrap_or_default(),
                fields,
            }
        })
        .collect()
}

#[test]
fn every_example_parses_and_is_canonical() {
    let doc = doc_text();
    let events = documented_events(&doc);
    assert!(!events.is_empty());
    for d in &events {
        let lines: Vec<&str> = d.example.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "the `{}` example (line {}) must be a single line",
            d.type_name,
            d.heading_line
        );
        let parsed = read_all(&d.example)
            .unwrap_or_else(|e| panic!("the `{}` example does not parse: {e}", d.type_name));
        assert_eq!(parsed.len(), 1, "`{}`: one event per example", d.type_name);
        assert_eq!(
            parsed[0], d.example,
            "the `{}` example is not in canonical form (UTC `Z`, schema field order, no nulls)",
            d.type_name
        );
        let value: Value = serde_json::from_str(&d.example).expect("JSON");
        assert_eq!(
            value.get("type").and_then(Value::as_str),
            Some(d.type_name.as_str()),
            "the example under `{}` is of another type",
            d.type_name
        );
    }
}

#[test]
fn every_event_kind_is_documented_once() {
    let doc = doc_text();
    let events = documented_events(&doc);
    let mut seen = BTreeSet::new();
    for d in &events {
        assert!(
            seen.insert(d.type_name.as_str()),
            "`{}` is documented twice",
            d.type_name
        );
    }
    let schema: BTreeSet<&str> = EventKind::TYPES.iter().copied().collect();
    let missing: Vec<_> = schema.difference(&seen).collect();
    let extra: Vec<_> = seen.difference(&schema).collect();
    assert!(missing.is_empty(), "undocumented event kinds: {missing:?}");
    assert!(
        extra.is_empty(),
        "documented kinds not in the schema: {extra:?}"
    );

    let groups: BTreeSet<&str> = events.iter().map(|d| d.group.as_str()).collect();
    let expected: BTreeSet<&str> = [
        "Agents",
        "Conversations",
        "Contacts and messages",
        "Sessions and participants",
        "Profile views and tasks",
        "Bot sessions",
    ]
    .into_iter()
    .collect();
    assert_eq!(groups, expected);
}

#[test]
fn examples_together_form_a_log_in_time_order() {
    // The examples double as a corpus (wire_format.rs round-trips it), so keep them ordered.
    let doc = doc_text();
    let corpus: String = documented_events(&doc)
        .iter()
        .map(|d| d.example.as_str())
        .collect();
    let mut last = None;
    for line in corpus.lines() {
        let value: Value = serde_json::from_str(line).expect("JSON");
        let at = value["at"].as_str().expect("at").to_string();
        let instant =
            ccsim_engine::time::Instant::parse_rfc3339(&at).expect("the example's `at` parses");
        if let Some(prev) = last {
            assert!(instant >= prev, "example at {at} goes back in time");
        }
        last = Some(instant);
    }
}

/// The schema's field names for an event, learnt from the error serde gives for an unknown
/// field (`unknown field `x`, expected one of `a`, `b``).
fn schema_fields(example: &str) -> Vec<String> {
    let mut value: Map<String, Value> = serde_json::from_str(example).expect("JSON object");
    value.insert("zz_not_a_field".into(), Value::from(1));
    let line = serde_json::to_string(&value).expect("JSON");
    let err = read_all(&line).expect_err("an unknown field must be refused");
    let LogProblem::InvalidEvent { message, .. } = &err.problem else {
        panic!("an unknown field gave {err}, expected an invalid-event error");
    };
    assert!(
        message.contains("unknown field `zz_not_a_field`"),
        "unexpected message: {message}"
    );
    if message.contains("there are no fields") {
        return Vec::new();
    }
    let (_, expected) = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("no list of fields in: {message}"));
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn field_tables_match_the_schema() {
    let doc = doc_text();
    for d in documented_events(&doc) {
        let t = &d.type_name;
        let mut table: BTreeMap<String, bool> = BTreeMap::new();
        let mut order = Vec::new();
        for row in &d.fields {
            assert_eq!(row.len(), 4, "`{t}`: field rows have four cells: {row:?}");
            let name = unquote(&row[0]).to_string();
            let required = match row[2].as_str() {
                "required" => true,
                "optional" => false,
                other => panic!("`{t}`.`{name}`: required or optional, not {other:?}"),
            };
            assert!(!row[3].is_empty(), "`{t}`.`{name}` has no meaning");
            if name.ends_with("_at") {
                assert_eq!(row[1], "timestamp", "`{t}`.`{name}`");
            }
            order.push(name.clone());
            assert!(
                table.insert(name, required).is_none(),
                "`{t}`: a field twice"
            );
        }
        // Same fields, in schema (write) order.
        assert_eq!(
            order,
            schema_fields(&d.example),
            "`{t}`: field table vs schema"
        );

        let example: Map<String, Value> = serde_json::from_str(&d.example).expect("JSON");
        for (name, required) in &table {
            let mut without = example.clone();
            let had = without.remove(name).is_some();
            let line = serde_json::to_string(&without).expect("JSON");
            if *required {
                assert!(had, "`{t}`: the example lacks required field `{name}`");
                let err = read_all(&line).expect_err("dropping a required field must be refused");
                assert!(
                    matches!(&err.problem, LogProblem::InvalidEvent { message, .. }
                        if message.contains(&format!("missing field `{name}`"))),
                    "`{t}` without `{name}`: {err}"
                );
            } else {
                read_all(&line).unwrap_or_else(|e| {
                    panic!("`{t}` without optional `{name}` must still parse: {e}")
                });
            }
        }
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn internal_links_point_at_headings() {
    let doc = doc_text();
    let anchors: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
        .map(slug)
        .collect();
    let mut checked = 0;
    for piece in doc.split("](#").skip(1) {
        let anchor = piece.split(')').next().unwrap_or_default();
        assert!(
            anchors.contains(anchor),
            "link to missing heading #{anchor}"
        );
        checked += 1;
    }
    assert!(checked > 0);
}

/// One vocabulary of `codes.rs`: every value with its code, and the reverse mapping.
struct CodeSet {
    values: Vec<(&'static str, Option<u32>)>,
    from_code: fn(u32) -> Option<&'static str>,
}

macro_rules! code_set {
    ($t:ty) => {
        CodeSet {
            values: <$t>::ALL.iter().map(|v| (v.name(), v.code())).collect(),
            from_code: |c| <$t>::from_code(c).map(|v| v.name()),
        }
    };
}

#[test]
fn dynamics_code_tables_match_codes_rs() {
    let doc = doc_text();
    let mut expected: BTreeMap<&str, CodeSet> = BTreeMap::new();
    expected.insert("Channels", code_set!(Channel));
    expected.insert("Closure reasons", code_set!(ClosureReason));
    expected.insert("Work item status", code_set!(WorkItemStatus));
    expected.insert("Participant modes", code_set!(ParticipantMode));
    expected.insert("Participant event types", code_set!(ParticipantEventType));
    expected.insert(
        "Participant event reasons",
        code_set!(ParticipantEventReason),
    );

    let mut found = BTreeSet::new();
    for s in sections(&doc)
        .into_iter()
        .filter(|s| s.group == "Dynamics option-set codes")
    {
        let set = expected
            .get(s.heading.as_str())
            .unwrap_or_else(|| panic!("no code set for heading {:?}", s.heading));
        let rows = table(&s.lines, "value")
            .unwrap_or_else(|| panic!("{:?} has no `value | code` table", s.heading));
        let mut names = Vec::new();
        for row in &rows {
            assert_eq!(
                row.len(),
                3,
                "{:?}: rows have three cells: {row:?}",
                s.heading
            );
            let name = unquote(&row[0]);
            let code = match row[1].as_str() {
                "—" => None,
                digits => Some(digits.parse::<u32>().unwrap_or_else(|_| {
                    panic!("{:?} `{name}`: code {digits:?} is not a number", s.heading)
                })),
            };
            let schema = set
                .values
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{:?}: `{name}` is not a value", s.heading));
            assert_eq!(schema.1, code, "{:?} `{name}`: code differs", s.heading);
            if let Some(c) = code {
                assert_eq!(
                    (set.from_code)(c),
                    Some(name),
                    "{:?}: from_code({c})",
                    s.heading
                );
            }
            assert!(!row[2].is_empty(), "{:?} `{name}` has no label", s.heading);
            names.push(name);
        }
        let all: Vec<&str> = set.values.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names, all,
            "{:?}: every value, in declaration order",
            s.heading
        );
        found.insert(s.heading.clone());
    }
    let wanted: BTreeSet<String> = expected.keys().map(|k| k.to_string()).collect();
    assert_eq!(found, wanted, "every code table is in the doc");
}
