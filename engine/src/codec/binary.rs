//! The binary log: bincode records in framed, checksummed blocks behind a versioned header.
//! This module is the only place that names bincode; `docs/log-format.md` describes the bytes.
//!
//! ```text
//! file   = header block* end
//! header = "CCSIMLOG" (8 bytes) | version u16 LE | length u32 LE | crc32 u32 LE | LogHeader
//! block  = length u32 LE | records u32 LE | crc32 u32 LE | record*      (crc over the records)
//! end    = 0 u32 | 0 u32 | event count u32 LE (modulo 2^32)                (the end frame)
//! record = one Event, bincode 2.0.1 serde encoding, standard config (little endian, varints)
//! ```

use std::io::{BufReader, Read};
use std::path::Path;

use bincode::config::{Configuration, LittleEndian, Varint};
use serde::{Deserialize, Serialize};

use super::error::{escape_bytes, EncodeError, LogError, LogProblem, Position};
use super::file::{open, AtomicFile, BackgroundFile};
use super::{EventSink, EventSource};
use crate::event::Event;

/// The first eight bytes of every binary log.
pub const MAGIC: [u8; 8] = *b"CCSIMLOG";
/// The binary format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// A writer closes a block after this many records (or [`BLOCK_TARGET_BYTES`]), bounding what
/// a cut or flipped byte can cost.
pub const BLOCK_MAX_RECORDS: u32 = 4096;
/// A writer closes a block once its records reach this many bytes.
const BLOCK_TARGET_BYTES: usize = 1 << 16;
/// A frame claiming more than this is corrupt, not large (writers stay far below it).
const BLOCK_LIMIT_BYTES: u32 = 1 << 26;
/// Frame prefix: payload length, record count, CRC-32.
const FRAME_BYTES: usize = 12;
/// Header prefix after the magic: version, header length, CRC-32.
const HEADER_PREFIX_BYTES: usize = 10;

/// The bincode configuration of the wire format. Changing it changes every log: don't.
const WIRE: Configuration<LittleEndian, Varint> = bincode::config::standard();

/// What the header records about where a log came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHeader {
    /// The program and version that wrote the log (`ccsim 0.1.0`).
    pub producer: String,
    /// A hash of the scenario that generated the log, for simulated logs.
    pub scenario_hash: Option<u64>,
    /// The seed the simulator ran with, for simulated logs.
    pub seed: Option<u64>,
}

/// Streams events out of a binary log, one block in memory at a time.
pub struct BinaryReader<R> {
    input: R,
    file: String,
    header: LogHeader,
    /// Byte offset of the next unread byte of `input`.
    offset: u64,
    block: Vec<u8>,
    /// File offset of `block[0]`.
    block_offset: u64,
    cursor: usize,
    records_left: u32,
    events_read: u64,
    /// Set once the end frame has been read and checked: every later call is the end too.
    ended: bool,
}

impl BinaryReader<BufReader<std::fs::File>> {
    /// Opens the log at `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        let f = open(path)?;
        BinaryReader::new(BufReader::with_capacity(1 << 16, f), path)
    }
}

impl<R: Read> BinaryReader<R> {
    /// Reads a log from `input`, starting with its header; `name` is used in error messages.
    pub fn new(input: R, name: impl AsRef<Path>) -> Result<Self, LogError> {
        let mut reader = BinaryReader {
            input,
            file: name.as_ref().display().to_string(),
            header: LogHeader::default(),
            offset: 0,
            block: Vec::new(),
            block_offset: 0,
            cursor: 0,
            records_left: 0,
            events_read: 0,
            ended: false,
        };
        reader.read_header()?;
        Ok(reader)
    }

    /// The log's header.
    pub fn header(&self) -> &LogHeader {
        &self.header
    }

    fn error_at(&self, offset: u64, problem: LogProblem) -> LogError {
        LogError::new(&self.file, Some(Position::Byte(offset)), problem)
    }

    /// Fills `buf` completely, or reports how much was there. `Ok(false)` only when the input
    /// ended before the first byte and `eof_ok` is set.
    fn read_exact_at(
        &mut self,
        buf: &mut [u8],
        what: &'static str,
        eof_ok: bool,
    ) -> Result<bool, LogError> {
        let start = self.offset;
        let mut got = 0usize;
        while got < buf.len() {
            match self.input.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(self.error_at(start + got as u64, LogProblem::Io(e.to_string())))
                }
            }
        }
        self.offset += got as u64;
        if got == buf.len() {
            return Ok(true);
        }
        if got == 0 && eof_ok {
            return Ok(false);
        }
        Err(self.error_at(
            start,
            LogProblem::Truncated {
                what,
                needed: buf.len() as u64,
                available: got as u64,
                events_read: self.events_read,
            },
        ))
    }

    fn read_header(&mut self) -> Result<(), LogError> {
        let mut magic = [0u8; 8];
        let start = self.offset;
        let mut got = 0;
        while got < magic.len() {
            match self.input.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error_at(start, LogProblem::Io(e.to_string()))),
            }
        }
        self.offset += got as u64;
        if magic[..got] != MAGIC[..got] || got == 0 {
            return Err(self.error_at(
                0,
                LogProblem::BadMagic {
                    found: escape_bytes(&magic[..got]),
                },
            ));
        }
        if got < magic.len() {
            return Err(self.error_at(
                0,
                LogProblem::Truncated {
                    what: "header",
                    needed: 8,
                    available: got as u64,
                    events_read: 0,
                },
            ));
        }
        let mut prefix = [0u8; HEADER_PREFIX_BYTES];
        let prefix_at = self.offset;
        self.read_exact_at(&mut prefix, "header", false)?;
        let version = u16::from_le_bytes([prefix[0], prefix[1]]);
        if version != FORMAT_VERSION {
            return Err(self.error_at(
                prefix_at,
                LogProblem::UnsupportedVersion {
                    found: version,
                    supported: FORMAT_VERSION,
                },
            ));
        }
        let len = u32::from_le_bytes([prefix[2], prefix[3], prefix[4], prefix[5]]);
        let stored = u32::from_le_bytes([prefix[6], prefix[7], prefix[8], prefix[9]]);
        if len > BLOCK_LIMIT_BYTES {
            return Err(self.error_at(
                prefix_at + 2,
                LogProblem::CorruptRecord(format!(
                    "header length {len} is implausible; the header is corrupt"
                )),
            ));
        }
        let body_at = self.offset;
        let mut body = vec![0u8; len as usize];
        self.read_exact_at(&mut body, "header", false)?;
        let computed = crc32fast::hash(&body);
        if computed != stored {
            return Err(self.error_at(
                body_at,
                LogProblem::Checksum {
                    what: "header",
                    stored,
                    computed,
                    events_read: 0,
                },
            ));
        }
        let (header, used) = bincode::serde::decode_from_slice::<LogHeader, _>(&body, WIRE)
            .map_err(|e| {
                self.error_at(body_at, LogProblem::CorruptRecord(format!("header: {e}")))
            })?;
        if used != body.len() {
            return Err(self.error_at(
                body_at + used as u64,
                LogProblem::CorruptRecord("header has trailing bytes".into()),
            ));
        }
        self.header = header;
        Ok(())
    }

    /// Checks the end frame (its third word is the log's event count, modulo 2^32) and that
    /// nothing follows it.
    fn end_frame(&mut self, frame_at: u64, count: u32) -> Result<(), LogError> {
        if count != self.events_read as u32 {
            return Err(self.error_at(
                frame_at,
                LogProblem::CorruptRecord(format!(
                    "the end frame counts {count} events but {} were read; the log is corrupt; the events before it were read",
                    self.events_read
                )),
            ));
        }
        let mut extra = [0u8; 1];
        let after = self.offset;
        if self.read_exact_at(&mut extra, "end", true)? {
            return Err(self.error_at(
                after,
                LogProblem::CorruptRecord(format!(
                    "bytes after the end frame; expected the file to end there; the {} events before it were read",
                    self.events_read
                )),
            ));
        }
        Ok(())
    }

    /// Loads the next block; false at the end frame.
    fn next_block(&mut self) -> Result<bool, LogError> {
        if self.ended {
            return Ok(false);
        }
        let frame_at = self.offset;
        let mut frame = [0u8; FRAME_BYTES];
        if !self.read_exact_at(&mut frame, "block frame", true)? {
            return Err(self.error_at(
                frame_at,
                LogProblem::MissingEnd {
                    events_read: self.events_read,
                },
            ));
        }
        let len = u32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]]);
        let records = u32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]);
        let stored = u32::from_le_bytes([frame[8], frame[9], frame[10], frame[11]]);
        if len == 0 && records == 0 {
            self.end_frame(frame_at, stored)?;
            self.ended = true;
            return Ok(false);
        }
        if len > BLOCK_LIMIT_BYTES || (records == 0) != (len == 0) {
            return Err(self.error_at(
                frame_at,
                LogProblem::CorruptRecord(format!(
                    "block frame claims {len} bytes in {records} records; the frame is corrupt; the {} events before it were read",
                    self.events_read
                )),
            ));
        }
        self.block.resize(len as usize, 0);
        self.block_offset = self.offset;
        let mut block = std::mem::take(&mut self.block);
        let read = self.read_exact_at(&mut block, "block payload", false);
        self.block = block;
        read?;
        let computed = crc32fast::hash(&self.block);
        if computed != stored {
            return Err(self.error_at(
                frame_at,
                LogProblem::Checksum {
                    what: "block",
                    stored,
                    computed,
                    events_read: self.events_read,
                },
            ));
        }
        self.cursor = 0;
        self.records_left = records;
        Ok(true)
    }
}

impl<R: Read> EventSource for BinaryReader<R> {
    fn next_event(&mut self) -> Result<Option<(Position, Event<'_>)>, LogError> {
        while self.records_left == 0 {
            if self.cursor != self.block.len() {
                let at = self.block_offset + self.cursor as u64;
                return Err(self.error_at(
                    at,
                    LogProblem::CorruptRecord(
                        "bytes left over after the block's last record".into(),
                    ),
                ));
            }
            if !self.next_block()? {
                return Ok(None);
            }
        }
        let at = self.block_offset + self.cursor as u64;
        let decoded = bincode::serde::borrow_decode_from_slice::<Event<'_>, _>(
            &self.block[self.cursor..],
            WIRE,
        );
        match decoded {
            Ok((event, used)) => {
                self.cursor += used;
                self.records_left -= 1;
                self.events_read += 1;
                Ok(Some((Position::Byte(at), event)))
            }
            Err(e) => Err(LogError::new(
                &self.file,
                Some(Position::Byte(at)),
                LogProblem::CorruptRecord(format!(
                    "{e}; the {} events before it were read",
                    self.events_read
                )),
            )),
        }
    }

    fn file(&self) -> &str {
        &self.file
    }
}

/// Writes a binary log under a temporary name, renamed into place by `finish`.
pub struct BinaryWriter {
    /// The file, written by a thread of its own.
    out: BackgroundFile,
    /// The block being filled: room for its frame, then its records.
    block: Vec<u8>,
    records: u32,
    events: u64,
}

/// A block buffer's capacity: a full block and its frame, with room for the record that
/// fills it.
const BLOCK_CAPACITY: usize = FRAME_BYTES + BLOCK_TARGET_BYTES + 1024;

impl BinaryWriter {
    /// Starts a log that will be at `path`, with `header`.
    pub fn create(path: &Path, header: &LogHeader) -> Result<Self, LogError> {
        let header =
            encode_header(header).map_err(|e| LogError::new(path, None, LogProblem::Encode(e)))?;
        let mut out = BackgroundFile::start(AtomicFile::create(path)?);
        out.send(header)?;
        let block = new_block(&out);
        Ok(BinaryWriter {
            out,
            block,
            records: 0,
            events: 0,
        })
    }

    fn flush_block(&mut self) -> Result<(), LogError> {
        if self.records == 0 {
            return Ok(());
        }
        let (frame, records) = self.block.split_at_mut(FRAME_BYTES);
        frame[0..4].copy_from_slice(&(records.len() as u32).to_le_bytes());
        frame[4..8].copy_from_slice(&self.records.to_le_bytes());
        frame[8..12].copy_from_slice(&crc32fast::hash(records).to_le_bytes());
        let full = std::mem::replace(&mut self.block, new_block(&self.out));
        self.records = 0;
        self.out.send(full)
    }
}

/// An empty block buffer: zeros where its frame will go.
fn new_block(out: &BackgroundFile) -> Vec<u8> {
    let mut block = out.buffer(BLOCK_CAPACITY);
    block.resize(FRAME_BYTES, 0);
    block
}

impl EventSink for BinaryWriter {
    fn write(&mut self, event: &Event<'_>) -> Result<(), LogError> {
        bincode::serde::encode_into_writer(event, BlockWriter(&mut self.block), WIRE)
            .map_err(|e| LogError::new(self.out.path(), None, LogProblem::Io(e.to_string())))?;
        self.records += 1;
        self.events += 1;
        if self.records >= BLOCK_MAX_RECORDS || self.block.len() - FRAME_BYTES >= BLOCK_TARGET_BYTES
        {
            self.flush_block()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), LogError> {
        self.flush_block()?;
        // The end frame: no bytes, no records, and the event count where the CRC would be.
        let mut end = vec![0u8; FRAME_BYTES];
        end[8..12].copy_from_slice(&(self.events as u32).to_le_bytes());
        let BinaryWriter { mut out, .. } = *self;
        out.send(end)?;
        out.commit()
    }
}

/// Appends bincode's output to a block in memory. bincode writes a record a few bytes at a
/// time (a varint, a tag, a short id); a lone byte is pushed rather than copied, which is most
/// of its writes.
struct BlockWriter<'a>(&'a mut Vec<u8>);

impl bincode::enc::write::Writer for BlockWriter<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        match bytes {
            [b] => self.0.push(*b),
            _ => self.0.extend_from_slice(bytes),
        }
        Ok(())
    }
}

/// The header's bytes: magic, version, length, CRC-32, then the bincode body.
fn encode_header(header: &LogHeader) -> Result<Vec<u8>, EncodeError> {
    let body = bincode::serde::encode_to_vec(header, WIRE)
        .map_err(|e| EncodeError::Serialise(e.to_string()))?;
    let mut out = Vec::with_capacity(8 + HEADER_PREFIX_BYTES + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Encodes one event as a binary record (for tests that pin the wire format).
pub fn encode_record(event: &Event<'_>) -> Result<Vec<u8>, EncodeError> {
    bincode::serde::encode_to_vec(event, WIRE).map_err(|e| EncodeError::Serialise(e.to_string()))
}
