//! Reading and writing event logs: JSON Lines for people and other tools, a framed binary log
//! for speed. Both stream one event at a time; both writers write to a temporary file beside
//! the target and rename it into place only when the log is complete.

mod binary;
mod error;
mod file;
mod jsonl;

use std::path::Path;

pub use binary::{
    encode_record, BinaryReader, BinaryWriter, LogHeader, BLOCK_MAX_RECORDS, FORMAT_VERSION, MAGIC,
};
pub use error::{EncodeError, LogError, LogProblem, Position};
pub(crate) use file::AtomicFile;
pub use jsonl::{write_jsonl_line, JsonlReader, JsonlWriter};

use crate::event::Event;

/// The two encodings of an event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, tagged by `type` (`.jsonl`, `.ndjson`, `.json`).
    Jsonl,
    /// bincode records in checksummed blocks (`.ccslog`).
    Binary,
}

impl Format {
    /// The format a file name's extension implies, if it implies one.
    pub fn from_extension(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "ccslog" | "bin" => Some(Format::Binary),
            _ => None,
        }
    }

    /// The format of an existing log: the extension if it names one, else the first bytes
    /// (the binary magic, or anything else as JSON Lines).
    pub fn detect(path: &Path) -> Result<Format, LogError> {
        if let Some(f) = Format::from_extension(path) {
            return Ok(f);
        }
        let mut head = [0u8; 8];
        let mut file = file::open(path)?;
        let n = std::io::Read::read(&mut file, &mut head)
            .map_err(|e| LogError::new(path, None, LogProblem::Io(e.to_string())))?;
        Ok(if n == head.len() && head == MAGIC {
            Format::Binary
        } else {
            Format::Jsonl
        })
    }
}

/// A stream of events read from a log, one at a time.
pub trait EventSource {
    /// The next event and where it was found, or `None` at the clean end of the log. The event
    /// borrows the reader's buffer, so it lives until the next call.
    fn next_event(&mut self) -> Result<Option<(Position, Event<'_>)>, LogError>;

    /// The file being read, as given by the caller (for error messages).
    fn file(&self) -> &str;
}

/// A destination for events: a log being written.
pub trait EventSink {
    /// Appends one event.
    fn write(&mut self, event: &Event<'_>) -> Result<(), LogError>;

    /// Completes the log and moves it to its final name. Until this returns, the final name
    /// holds whatever was there before (or nothing).
    fn finish(self: Box<Self>) -> Result<(), LogError>;
}

/// Opens a log for reading, in `format` or the format [`Format::detect`] finds.
pub fn open_log(path: &Path, format: Option<Format>) -> Result<Box<dyn EventSource>, LogError> {
    let format = match format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    Ok(match format {
        Format::Jsonl => Box::new(JsonlReader::open(path)?),
        Format::Binary => Box::new(BinaryReader::open(path)?),
    })
}

/// Creates a log for writing in `format`, or the format its extension names.
pub fn create_log(
    path: &Path,
    format: Option<Format>,
    header: &LogHeader,
) -> Result<Box<dyn EventSink>, LogError> {
    let format = format
        .or_else(|| Format::from_extension(path))
        .ok_or_else(|| {
            LogError::new(
            path,
            None,
            LogProblem::UnknownFormat(
                "the extension does not name a log format; use .jsonl or .ccslog, or pass a format"
                    .into(),
            ),
        )
        })?;
    Ok(match format {
        Format::Jsonl => Box::new(JsonlWriter::create(path)?),
        Format::Binary => Box::new(BinaryWriter::create(path, header)?),
    })
}

/// Copies every event of `source` into `sink` and finishes it; returns the number of events.
/// On any error the destination is left as it was.
pub fn copy_log(
    source: &mut dyn EventSource,
    mut sink: Box<dyn EventSink>,
) -> Result<u64, LogError> {
    let mut n = 0u64;
    while let Some((_, event)) = source.next_event()? {
        sink.write(&event)?;
        n += 1;
    }
    sink.finish()?;
    Ok(n)
}
