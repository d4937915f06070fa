//! What can be wrong with a log, and where. Every codec error is fatal for the read or write
//! in progress: a reader stops at the first bad line or frame, after handing out every event
//! before it; a writer removes its temporary file.

use std::fmt;
use std::path::Path;

/// Where in a log something was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// A 1-based line of a JSON Lines log.
    Line(u64),
    /// A byte offset into a binary log.
    Byte(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// A log that could not be read or written: which file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LogError {
    /// The file, as the caller named it.
    pub file: String,
    /// The line or byte offset, when the problem has one.
    pub place: Option<Position>,
    /// What is wrong.
    pub problem: LogProblem,
}

impl LogError {
    /// An error about `file`, at `place`.
    pub fn new(file: impl AsRef<Path>, place: Option<Position>, problem: LogProblem) -> Self {
        LogError {
            file: file.as_ref().display().to_string(),
            place,
            problem,
        }
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Some(p) => write!(f, "{}, {p}: {}", self.file, self.problem),
            None => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

/// The kinds of problem a log can have. Each message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogProblem {
    /// The file does not exist.
    #[error("no such file; expected the path of an event log (.jsonl or .ccslog)")]
    Missing,
    /// The operating system refused a read or write.
    #[error("{0}")]
    Io(String),
    /// A line is not valid JSON.
    #[error("malformed JSON ({0}); expected one JSON object per line")]
    MalformedJson(String),
    /// A required key is absent or has the wrong JSON type.
    #[error("{0}")]
    MissingKey(String),
    /// The `type` names no event kind.
    #[error("unknown event type `{found}`; expected one of: {expected}")]
    UnknownType {
        /// The type as written.
        found: String,
        /// The known types, comma-separated.
        expected: String,
    },
    /// The event's fields do not fit its type (unknown field, wrong value, missing field).
    #[error("invalid `{event_type}` event: {message}")]
    InvalidEvent {
        /// The event's type.
        event_type: String,
        /// What serde found wrong, naming the field.
        message: String,
    },
    /// A timestamp is not RFC 3339.
    #[error("bad timestamp in `{field}`: {message}")]
    BadTimestamp {
        /// The key holding it.
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The file does not start with the binary log's magic bytes.
    #[error(
        "not a ccsim binary log: it starts with {found}, expected the magic bytes \"CCSIMLOG\""
    )]
    BadMagic {
        /// The first bytes found, escaped.
        found: String,
    },
    /// The binary log was written in a format version this build cannot read.
    #[error(
        "binary log format version {found} is not supported; this build reads version {supported}"
    )]
    UnsupportedVersion {
        /// The version in the header.
        found: u16,
        /// The version this build reads.
        supported: u16,
    },
    /// The file ends inside a header or block.
    #[error("truncated {what}: it needs {needed} bytes but only {available} remain; the {events_read} events before it were read")]
    Truncated {
        /// What was being read (header, block frame, block payload).
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// Bytes that remained.
        available: u64,
        /// Events successfully read before it.
        events_read: u64,
    },
    /// The file ends cleanly between blocks but without the end frame a finished log has.
    #[error("the log ends without its end frame: it was cut at a block boundary, or its writer never finished; the {events_read} events before the cut were read")]
    MissingEnd {
        /// Events successfully read before the cut.
        events_read: u64,
    },
    /// A header or block's bytes do not match its checksum.
    #[error("checksum mismatch in {what}: stored {stored:#010x}, computed {computed:#010x}; the data is corrupt; the {events_read} events before it were read")]
    Checksum {
        /// What was being checked.
        what: &'static str,
        /// The CRC-32 stored in the frame.
        stored: u32,
        /// The CRC-32 of the bytes read.
        computed: u32,
        /// Events successfully read before it.
        events_read: u64,
    },
    /// A record inside a block could not be decoded.
    #[error("corrupt record: {0}")]
    CorruptRecord(String),
    /// No format could be chosen for a file.
    #[error("{0}")]
    UnknownFormat(String),
    /// An event or header could not be encoded for writing.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// An event or a header that could not be encoded. Every event ccsim builds encodes, so this
/// marks a bug rather than bad input; it is fatal for the write in progress, whose temporary
/// file is removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// serde_json or bincode refused the value; their message.
    #[error("{0}")]
    Serialise(String),
    /// An event kind did not serialise to a JSON object.
    #[error("an event kind did not serialise to an object")]
    NotAnObject,
    /// An event kind's JSON object was not `{ "type": { fields } }`.
    #[error("an event kind did not serialise to a tagged object")]
    NotTagged,
}

/// Renders a few leading bytes for an error message.
pub(crate) fn escape_bytes(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}
