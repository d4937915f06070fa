//! JSON Lines: one event per line, `{"type": "...", "at": "<RFC 3339>", ...fields}`.
//!
//! Reading goes through a `serde_json::Value` so that `type` and `at` can sit beside the
//! fields (the flat form people write) while the binary codec keeps serde's compact enum form.
//! Absent optional fields are omitted on write and read back as absent.

use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{EncodeError, LogError, LogProblem, Position};
use super::file::{open, AtomicFile};
use super::{EventSink, EventSource};
use crate::event::{Event, EventKind};
use crate::time::Instant;

/// Reads a JSON Lines log. Blank lines are allowed and skipped; every other line is an event.
pub struct JsonlReader<R> {
    input: R,
    file: String,
    line_no: u64,
    line: String,
    value: Value,
}

impl JsonlReader<BufReader<std::fs::File>> {
    /// Opens the log at `path`.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        let f = open(path)?;
        Ok(JsonlReader::new(BufReader::with_capacity(1 << 16, f), path))
    }
}

impl<R: BufRead> JsonlReader<R> {
    /// Reads a log from `input`; `name` is used in error messages.
    pub fn new(input: R, name: impl AsRef<Path>) -> Self {
        JsonlReader {
            input,
            file: name.as_ref().display().to_string(),
            line_no: 0,
            line: String::new(),
            value: Value::Null,
        }
    }

    fn error(&self, problem: LogProblem) -> LogError {
        LogError::new(&self.file, Some(Position::Line(self.line_no)), problem)
    }

    /// Reads lines until one is not blank; false at end of input.
    fn next_line(&mut self) -> Result<bool, LogError> {
        loop {
            self.line.clear();
            let n = self.input.read_line(&mut self.line).map_err(|e| {
                let problem = if e.kind() == std::io::ErrorKind::InvalidData {
                    LogProblem::MalformedJson("the line is not valid UTF-8".into())
                } else {
                    LogProblem::Io(e.to_string())
                };
                LogError::new(&self.file, Some(Position::Line(self.line_no + 1)), problem)
            })?;
            if n == 0 {
                return Ok(false);
            }
            self.line_no += 1;
            if !self.line.trim().is_empty() {
                return Ok(true);
            }
        }
    }

    /// Parses the current line into `self.value` (the externally tagged form) and its instant.
    fn parse_line(&mut self) -> Result<(Instant, String), LogError> {
        let mut map: Map<String, Value> = serde_json::from_str(self.line.trim_end())
            .map_err(|e| self.error(LogProblem::MalformedJson(e.to_string())))?;
        let type_name = match map.remove("type") {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(self.error(LogProblem::MissingKey(format!(
                    "`type` must be a string naming the event kind, found {other}"
                ))))
            }
            None => {
                return Err(self.error(LogProblem::MissingKey(
                    "missing `type`; every event needs a `type` naming its kind".into(),
                )))
            }
        };
        if !EventKind::TYPES.contains(&type_name.as_str()) {
            return Err(self.error(LogProblem::UnknownType {
                found: type_name,
                expected: EventKind::TYPES.join(", "),
            }));
        }
        let at = match map.remove("at") {
            Some(Value::String(s)) => Instant::parse_rfc3339(&s).map_err(|e| {
                self.error(LogProblem::BadTimestamp {
                    field: "at".into(),
                    message: format!(
                        "{e}; expected RFC 3339 with an offset, e.g. 2021-05-01T09:00:00Z"
                    ),
                })
            })?,
            Some(other) => {
                return Err(self.error(LogProblem::BadTimestamp {
                    field: "at".into(),
                    message: format!(
                    "found {other}; expected an RFC 3339 string such as \"2021-05-01T09:00:00Z\""
                ),
                }))
            }
            None => {
                return Err(self.error(LogProblem::MissingKey(
                    "missing `at`; every event needs an RFC 3339 timestamp".into(),
                )))
            }
        };
        // Other timestamps (`*_at`) are checked here so the error names the field.
        for (key, value) in map.iter_mut() {
            if !key.ends_with("_at") {
                continue;
            }
            if let Value::String(s) = value {
                match Instant::parse_rfc3339(s) {
                    // Normalise to UTC so the event holds one spelling per instant.
                    Ok(t) => *s = t.to_rfc3339(),
                    Err(e) => {
                        return Err(self.error(LogProblem::BadTimestamp {
                            field: key.clone(),
                            message: format!("{e}; expected RFC 3339 with an offset"),
                        }))
                    }
                }
            }
        }
        map.retain(|_, v| !v.is_null());
        let mut tagged = Map::with_capacity(1);
        tagged.insert(type_name.clone(), Value::Object(map));
        self.value = Value::Object(tagged);
        Ok((at, type_name))
    }
}

impl<R: BufRead> EventSource for JsonlReader<R> {
    fn next_event(&mut self) -> Result<Option<(Position, Event<'_>)>, LogError> {
        if !self.next_line()? {
            return Ok(None);
        }
        let (at, type_name) = self.parse_line()?;
        let place = Position::Line(self.line_no);
        match EventKind::deserialize(&self.value) {
            Ok(kind) => Ok(Some((place, Event { at, kind }))),
            Err(e) => {
                // serde names the field for unknown and missing fields, not for a bad value.
                let mut message = e.to_string().replace("a borrowed string", "a string");
                if !message.starts_with("missing field") && !message.starts_with("unknown field") {
                    let fields = self.value.get(&type_name).and_then(Value::as_object);
                    if let Some(key) = fields.and_then(|f| bad_field(&type_name, f)) {
                        message = format!("field `{key}`: {message}");
                    }
                }
                Err(LogError::new(
                    &self.file,
                    Some(place),
                    LogProblem::InvalidEvent {
                        event_type: type_name,
                        message,
                    },
                ))
            }
        }
    }

    fn file(&self) -> &str {
        &self.file
    }
}

/// The first field of `fields` whose value an event of `type_name` refuses. serde stops at the
/// first bad value and reports missing fields only after all present ones, so the first prefix
/// of the fields that fails for another reason ends with the culprit.
fn bad_field(type_name: &str, fields: &Map<String, Value>) -> Option<String> {
    let mut prefix = Map::with_capacity(fields.len());
    for (key, value) in fields {
        prefix.insert(key.clone(), value.clone());
        let mut tagged = Map::with_capacity(1);
        tagged.insert(type_name.to_string(), Value::Object(prefix.clone()));
        if let Err(e) = EventKind::deserialize(&Value::Object(tagged)) {
            if !e.to_string().starts_with("missing field") {
                return Some(key.clone());
            }
        }
    }
    None
}

/// Appends `event` as one JSON line (with its newline) to `out`: `type`, then `at`, then the
/// fields in schema order, absent options left out.
pub fn write_jsonl_line(event: &Event<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let serialise = |e: serde_json::Error| EncodeError::Serialise(e.to_string());
    let value = serde_json::to_value(&event.kind).map_err(serialise)?;
    let Value::Object(tagged) = value else {
        return Err(EncodeError::NotAnObject);
    };
    let Some((type_name, Value::Object(fields))) = tagged.into_iter().next() else {
        return Err(EncodeError::NotTagged);
    };
    let mut line = Map::with_capacity(fields.len() + 2);
    line.insert("type".into(), Value::String(type_name));
    line.insert("at".into(), Value::String(event.at.to_rfc3339()));
    for (k, v) in fields {
        if !v.is_null() {
            line.insert(k, v);
        }
    }
    serde_json::to_writer(&mut *out, &line).map_err(serialise)?;
    out.push(b'\n');
    Ok(())
}

/// Writes a JSON Lines log under a temporary name, renamed into place by `finish`.
pub struct JsonlWriter {
    out: AtomicFile,
    line: Vec<u8>,
}

impl JsonlWriter {
    /// Starts a log that will be at `path`.
    pub fn create(path: &Path) -> Result<Self, LogError> {
        Ok(JsonlWriter {
            out: AtomicFile::create(path)?,
            line: Vec::with_capacity(256),
        })
    }
}

impl EventSink for JsonlWriter {
    fn write(&mut self, event: &Event<'_>) -> Result<(), LogError> {
        self.line.clear();
        write_jsonl_line(event, &mut self.line)
            .map_err(|e| LogError::new(self.out.path(), None, LogProblem::Encode(e)))?;
        self.out.write_all(&self.line)
    }

    fn finish(self: Box<Self>) -> Result<(), LogError> {
        self.out.commit()
    }
}
