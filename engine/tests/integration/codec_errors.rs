//! Every class of bad input, and what the codecs say about it: which file, exactly where (line
//! or byte offset), what kind of problem, and a message that says what was expected. Readers
//! must hand out every good event before the bad line or frame.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use ccsim_engine::codec::{
    open_log, BinaryReader, BinaryWriter, EventSink, EventSource, JsonlReader, JsonlWriter,
    LogError, LogHeader, LogProblem, Position, BLOCK_MAX_RECORDS, FORMAT_VERSION,
};
use ccsim_engine::event::{Channel, Event, EventKind, Trigger};
use ccsim_engine::time::Instant;

const JSONL_NAME: &str = "day-1.jsonl";

/// Reads `source` to the end or the first error: the `type`s delivered, and the error.
fn drain(source: &mut dyn EventSource) -> (Vec<String>, Option<LogError>) {
    let mut seen = Vec::new();
    loop {
        match source.next_event() {
            Ok(Some((_, event))) => seen.push(event.type_name().to_string()),
            Ok(None) => return (seen, None),
            Err(e) => return (seen, Some(e)),
        }
    }
}

/// Reads a JSON Lines text: the types delivered before the error, and the error.
fn read_jsonl(text: &str) -> (Vec<String>, LogError) {
    let mut reader = JsonlReader::new(Cursor::new(text.as_bytes().to_vec()), JSONL_NAME);
    let (seen, err) = drain(&mut reader);
    (seen, err.expect("the input must be refused"))
}

/// Checks the parts every error shares: file, place, and a message naming both.
fn assert_place(err: &LogError, file: &str, place: Position) {
    assert_eq!(err.file, file, "{err}");
    assert_eq!(err.place, Some(place), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(file),
        "the message names the file: {shown}"
    );
    assert!(
        shown.contains(&place.to_string()),
        "the message names {place}: {shown}"
    );
}

#[test]
fn malformed_json_is_reported_after_the_good_lines() {
    let text = concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"focus_started","at":"2021-05-03T09:01:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"focus_ended","at":"2021-05-03T09:02:00Z","agent":"ana""#,
        "\n",
        r#"{"type":"agent_logged_out","at":"2021-05-03T09:03:00Z","agent":"ana","trigger":"manual"}"#,
        "\n",
    );
    let (seen, err) = read_jsonl(text);
    assert_eq!(seen, ["agent_logged_in", "focus_started"]);
    assert_place(&err, JSONL_NAME, Position::Line(3));
    assert!(matches!(err.problem, LogProblem::MalformedJson(_)), "{err}");
    assert!(
        err.to_string()
            .contains("expected one JSON object per line"),
        "{err}"
    );
}

#[test]
fn blank_lines_count_towards_line_numbers() {
    let text = concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n\n   \n",
        "not json\n",
    );
    let (seen, err) = read_jsonl(text);
    assert_eq!(seen, ["agent_logged_in"]);
    assert_place(&err, JSONL_NAME, Position::Line(4));
    assert!(matches!(err.problem, LogProblem::MalformedJson(_)), "{err}");
}

#[test]
fn unknown_event_type() {
    let text = concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"agent_teleported","at":"2021-05-03T09:01:00Z","agent":"ana"}"#,
        "\n",
    );
    let (seen, err) = read_jsonl(text);
    assert_eq!(seen, ["agent_logged_in"]);
    assert_place(&err, JSONL_NAME, Position::Line(2));
    let LogProblem::UnknownType { found, expected } = &err.problem else {
        panic!("expected UnknownType, got {err}");
    };
    assert_eq!(found, "agent_teleported");
    assert_eq!(expected, &EventKind::TYPES.join(", "));
    let shown = err.to_string();
    assert!(
        shown.contains("unknown event type `agent_teleported`"),
        "{shown}"
    );
    assert!(
        shown.contains("expected one of: agent_logged_in, "),
        "{shown}"
    );
}

#[test]
fn unknown_field() {
    let (seen, err) = read_jsonl(concat!(
        r#"{"type":"agent_available","at":"2021-05-03T09:00:00Z","agent":"ana","channel":"chat","skill":"billing"}"#,
        "\n"
    ));
    assert!(seen.is_empty());
    assert_place(&err, JSONL_NAME, Position::Line(1));
    let LogProblem::InvalidEvent {
        event_type,
        message,
    } = &err.problem
    else {
        panic!("expected InvalidEvent, got {err}");
    };
    assert_eq!(event_type, "agent_available");
    assert!(
        message.contains("unknown field `skill`, expected `agent` or `channel`"),
        "{message}"
    );
    assert!(err.to_string().contains("invalid `agent_available` event"));
}

#[test]
fn missing_required_field() {
    let (_, err) = read_jsonl(concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"contact_started","at":"2021-05-03T09:00:00Z","contact":"ct-1","direction":"inbound"}"#,
        "\n"
    ));
    assert_place(&err, JSONL_NAME, Position::Line(2));
    let LogProblem::InvalidEvent {
        event_type,
        message,
    } = &err.problem
    else {
        panic!("expected InvalidEvent, got {err}");
    };
    assert_eq!(event_type, "contact_started");
    assert!(message.contains("missing field `channel`"), "{message}");
}

#[test]
fn missing_type_and_missing_at() {
    let (_, err) = read_jsonl("{\"at\":\"2021-05-03T09:00:00Z\",\"agent\":\"ana\"}\n");
    assert_place(&err, JSONL_NAME, Position::Line(1));
    assert!(matches!(err.problem, LogProblem::MissingKey(_)), "{err}");
    assert!(err.to_string().contains("missing `type`"), "{err}");

    let (_, err) = read_jsonl("{\"type\":\"focus_started\",\"agent\":\"ana\"}\n");
    assert_place(&err, JSONL_NAME, Position::Line(1));
    assert!(matches!(err.problem, LogProblem::MissingKey(_)), "{err}");
    assert!(err.to_string().contains("RFC 3339"), "{err}");
}

#[test]
fn bad_timestamp_in_at() {
    let (seen, err) = read_jsonl(concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"focus_started","at":"2021-05-03 09:01","agent":"ana"}"#,
        "\n"
    ));
    assert_eq!(seen, ["agent_logged_in"]);
    assert_place(&err, JSONL_NAME, Position::Line(2));
    let LogProblem::BadTimestamp { field, message } = &err.problem else {
        panic!("expected BadTimestamp, got {err}");
    };
    assert_eq!(field, "at");
    assert!(message.contains("`2021-05-03 09:01`"), "{message}");
    assert!(
        message.contains("expected RFC 3339 with an offset"),
        "{message}"
    );
    assert!(err.to_string().contains("bad timestamp in `at`"), "{err}");

    // A timestamp without an offset is refused too: the offset is not guessed.
    let (_, err) = read_jsonl(
        "{\"type\":\"focus_started\",\"at\":\"2021-05-03T09:01:00\",\"agent\":\"ana\"}\n",
    );
    assert!(
        matches!(&err.problem, LogProblem::BadTimestamp { field, .. } if field == "at"),
        "{err}"
    );
    // And so is a number.
    let (_, err) = read_jsonl("{\"type\":\"focus_started\",\"at\":1620032400,\"agent\":\"ana\"}\n");
    assert!(
        matches!(&err.problem, LogProblem::BadTimestamp { field, message }
            if field == "at" && message.contains("expected an RFC 3339 string")),
        "{err}"
    );
}

#[test]
fn bad_timestamp_in_last_active_at() {
    let (seen, err) = read_jsonl(concat!(
        r#"{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}"#,
        "\n",
        r#"{"type":"agent_away","at":"2021-05-03T09:10:00Z","agent":"ana","trigger":"idle","last_active_at":"yesterday"}"#,
        "\n"
    ));
    assert_eq!(seen, ["agent_logged_in"]);
    assert_place(&err, JSONL_NAME, Position::Line(2));
    let LogProblem::BadTimestamp { field, message } = &err.problem else {
        panic!("expected BadTimestamp, got {err}");
    };
    assert_eq!(field, "last_active_at");
    assert!(message.contains("expected RFC 3339"), "{message}");
    assert!(
        err.to_string()
            .contains("bad timestamp in `last_active_at`"),
        "{err}"
    );
}

#[test]
fn wrong_value_type() {
    let (_, err) = read_jsonl(concat!(
        r#"{"type":"session_offered","at":"2021-05-03T11:00:05Z","session":"ses-2","agent":7}"#,
        "\n"
    ));
    assert_place(&err, JSONL_NAME, Position::Line(1));
    let LogProblem::InvalidEvent {
        event_type,
        message,
    } = &err.problem
    else {
        panic!("expected InvalidEvent, got {err}");
    };
    assert_eq!(event_type, "session_offered");
    assert_eq!(
        message,
        "field `agent`: invalid type: integer `7`, expected a string"
    );

    // An enum value that is not in the list names the field and the allowed values.
    let (_, err) = read_jsonl(concat!(
        r#"{"type":"agent_available","at":"2021-05-03T09:25:00Z","agent":"ana","channel":"fax"}"#,
        "\n"
    ));
    let LogProblem::InvalidEvent { message, .. } = &err.problem else {
        panic!("expected InvalidEvent, got {err}");
    };
    assert!(
        message.starts_with("field `channel`: unknown variant `fax`, expected one of `phone`"),
        "{message}"
    );
}

// ---- binary logs ---------------------------------------------------------------------------

fn header() -> LogHeader {
    LogHeader {
        producer: "codec_errors".into(),
        scenario_hash: None,
        seed: Some(7),
    }
}

/// Writes `n` events to `path` as a binary log. Each record is 13 bytes, so blocks close at
/// [`BLOCK_MAX_RECORDS`] records, well before the writer's byte target.
fn write_binary(path: &Path, n: usize) {
    let mut sink: Box<dyn EventSink> =
        Box::new(BinaryWriter::create(path, &header()).expect("create"));
    for i in 0..n {
        let event = Event {
            at: Instant::from_millis(1_620_032_400_000 + i as i64 * 250),
            kind: EventKind::AgentAvailable {
                agent: "a",
                channel: Channel::ALL[i % Channel::ALL.len()],
            },
        };
        sink.write(&event).expect("write");
    }
    sink.finish().expect("finish");
}

/// A frame of a binary log: where it starts, its payload length, record count and CRC-32.
#[derive(Debug, Clone, Copy)]
struct Frame {
    at: usize,
    len: usize,
    records: usize,
    crc: u32,
}

impl Frame {
    fn payload(&self) -> usize {
        self.at + 12
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// Walks a well-formed log's frames, per docs/log-format.md: its blocks, then its end frame
/// (no bytes, no records, the event count where a block's CRC-32 sits), which must be the
/// file's last 12 bytes.
fn frames(bytes: &[u8]) -> (Vec<Frame>, Frame) {
    let mut at = 18 + u32_at(bytes, 10) as usize;
    let mut blocks: Vec<Frame> = Vec::new();
    loop {
        assert!(at + 12 <= bytes.len(), "a whole frame at byte {at}");
        let frame = Frame {
            at,
            len: u32_at(bytes, at) as usize,
            records: u32_at(bytes, at + 4) as usize,
            crc: u32_at(bytes, at + 8),
        };
        if frame.len == 0 && frame.records == 0 {
            let events: usize = blocks.iter().map(|f| f.records).sum();
            assert_eq!(frame.crc, events as u32, "the end frame counts the events");
            assert_eq!(frame.payload(), bytes.len(), "the end frame ends the file");
            return (blocks, frame);
        }
        assert!(frame.len > 0 && frame.records > 0, "{frame:?}");
        let payload = &bytes[frame.payload()..frame.payload() + frame.len];
        assert_eq!(crc32fast::hash(payload), frame.crc, "{frame:?}");
        at = frame.payload() + frame.len;
        blocks.push(frame);
    }
}

/// A multi-block log: its path, bytes, block frames and end frame.
struct MultiBlock {
    _dir: tempfile::TempDir,
    path: PathBuf,
    bytes: Vec<u8>,
    frames: Vec<Frame>,
    end: Frame,
}

const MULTI_EVENTS: usize = 2 * BLOCK_MAX_RECORDS as usize + 100;

fn multi_block() -> MultiBlock {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("many.ccslog");
    write_binary(&path, MULTI_EVENTS);
    let bytes = std::fs::read(&path).expect("read");
    let (frames, end) = frames(&bytes);
    let counts: Vec<usize> = frames.iter().map(|f| f.records).collect();
    assert_eq!(
        counts,
        [BLOCK_MAX_RECORDS as usize, BLOCK_MAX_RECORDS as usize, 100]
    );
    assert_eq!(end.crc as usize, MULTI_EVENTS);
    MultiBlock {
        _dir: dir,
        path,
        bytes,
        frames,
        end,
    }
}

/// Reads binary log bytes as the file `name`: types delivered, and the error if any.
fn read_binary(bytes: &[u8], name: &str) -> Result<(Vec<String>, Option<LogError>), LogError> {
    let mut reader = BinaryReader::new(Cursor::new(bytes.to_vec()), name)?;
    Ok(drain(&mut reader))
}

#[test]
fn truncated_payload_in_the_last_block() {
    let log = multi_block();
    let last = log.frames[2];
    let cut = last.payload() + 10;
    let (seen, err) = read_binary(&log.bytes[..cut], "cut.ccslog").expect("header is fine");
    assert_eq!(
        seen.len(),
        2 * BLOCK_MAX_RECORDS as usize,
        "both whole blocks"
    );
    let err = err.expect("the cut must be reported");
    // The offset is where the missing bytes start: the cut block's payload, after its frame.
    assert_place(&err, "cut.ccslog", Position::Byte(last.payload() as u64));
    assert_eq!(
        err.problem,
        LogProblem::Truncated {
            what: "block payload",
            needed: last.len as u64,
            available: 10,
            events_read: 2 * BLOCK_MAX_RECORDS as u64,
        }
    );
    let shown = err.to_string();
    assert!(
        shown.contains(&format!(
            "truncated block payload: it needs {} bytes but only 10 remain; the 8192 events before it were read",
            last.len
        )),
        "{shown}"
    );
}

#[test]
fn truncated_frame_of_the_last_block() {
    let log = multi_block();
    let last = log.frames[2];
    let (seen, err) = read_binary(&log.bytes[..last.at + 5], "cut.ccslog").expect("header is fine");
    assert_eq!(seen.len(), 2 * BLOCK_MAX_RECORDS as usize);
    let err = err.expect("the cut must be reported");
    assert_place(&err, "cut.ccslog", Position::Byte(last.at as u64));
    assert_eq!(
        err.problem,
        LogProblem::Truncated {
            what: "block frame",
            needed: 12,
            available: 5,
            events_read: 2 * BLOCK_MAX_RECORDS as u64,
        }
    );
}

#[test]
fn truncated_end_frame() {
    // The end frame is a frame: a cut inside it is a truncated frame, after every event.
    let log = multi_block();
    for kept in [1, 8, 11] {
        let cut = log.end.at + kept;
        let (seen, err) = read_binary(&log.bytes[..cut], "cut.ccslog").expect("header is fine");
        assert_eq!(seen.len(), MULTI_EVENTS, "every event, cut after {kept}");
        let err = err.expect("the cut must be reported");
        assert_place(&err, "cut.ccslog", Position::Byte(log.end.at as u64));
        assert_eq!(
            err.problem,
            LogProblem::Truncated {
                what: "block frame",
                needed: 12,
                available: kept as u64,
                events_read: MULTI_EVENTS as u64,
            }
        );
    }
}

#[test]
fn a_log_cut_between_blocks_is_missing_its_end() {
    // A cut exactly at a frame boundary leaves whole blocks and no end frame: the events of
    // the whole blocks are delivered, then the missing end is reported where the next frame
    // would have started. That includes a cut right after the header and one that removes
    // only the end frame.
    let log = multi_block();
    let max = BLOCK_MAX_RECORDS as u64;
    let cuts = [
        (log.frames[0].at, 0),
        (log.frames[1].at, max),
        (log.frames[2].at, 2 * max),
        (log.end.at, MULTI_EVENTS as u64),
    ];
    assert_eq!(
        log.frames[0].at,
        18 + 16,
        "the header of `header()` is 34 bytes"
    );
    for (cut, events) in cuts {
        let (seen, err) = read_binary(&log.bytes[..cut], "short.ccslog").expect("header is fine");
        assert_eq!(seen.len() as u64, events, "cut at byte {cut}");
        assert!(seen.iter().all(|t| t == "agent_available"));
        let err = err.expect("the cut must be reported");
        assert_place(&err, "short.ccslog", Position::Byte(cut as u64));
        assert_eq!(
            err.problem,
            LogProblem::MissingEnd {
                events_read: events
            }
        );
        let shown = err.to_string();
        assert!(
            shown.contains(&format!(
                "the log ends without its end frame: it was cut at a block boundary, or its \
                 writer never finished; the {events} events before the cut were read"
            )),
            "{shown}"
        );
    }
}

#[test]
fn an_end_frame_with_the_wrong_count() {
    let log = multi_block();
    let events = MULTI_EVENTS as u32;
    for count in [events + 1, events - 1, events + (1 << 16), 0, u32::MAX] {
        let mut bytes = log.bytes.clone();
        bytes[log.end.at + 8..log.end.at + 12].copy_from_slice(&count.to_le_bytes());
        let (seen, err) = read_binary(&bytes, "count.ccslog").expect("header is fine");
        assert_eq!(seen.len(), MULTI_EVENTS, "every event before the end frame");
        let err = err.expect("the wrong count must be reported");
        assert_place(&err, "count.ccslog", Position::Byte(log.end.at as u64));
        let LogProblem::CorruptRecord(message) = &err.problem else {
            panic!("expected CorruptRecord, got {err}");
        };
        assert!(
            message.contains(&format!(
                "the end frame counts {count} events but {MULTI_EVENTS} were read"
            )),
            "{message}"
        );
    }
}

#[test]
fn bytes_after_the_end_frame() {
    let log = multi_block();
    let end = log.bytes.len();
    assert_eq!(end, log.end.at + 12);
    let second_end = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let extras: [(&str, &[u8]); 4] = [
        ("one zero byte", &[0]),
        ("a second end frame", &second_end),
        (
            "the last block and end frame again",
            &log.bytes[log.frames[2].at..],
        ),
        ("a whole second log", &log.bytes),
    ];
    for (what, extra) in extras {
        let mut bytes = log.bytes.clone();
        bytes.extend_from_slice(extra);
        let (seen, err) = read_binary(&bytes, "extra.ccslog").expect("header is fine");
        assert_eq!(
            seen.len(),
            MULTI_EVENTS,
            "{what}: every event before the end frame"
        );
        let err = err.expect("the extra bytes must be reported");
        // The offset is the first byte after the end frame.
        assert_place(&err, "extra.ccslog", Position::Byte(end as u64));
        let LogProblem::CorruptRecord(message) = &err.problem else {
            panic!("{what}: expected CorruptRecord, got {err}");
        };
        assert!(
            message.starts_with("bytes after the end frame; expected the file to end there")
                && message.ends_with(&format!("the {MULTI_EVENTS} events before it were read")),
            "{what}: {message}"
        );
    }
}

#[test]
fn a_log_without_events_is_its_header_and_end_frame() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (header, header_bytes) in [(LogHeader::default(), 21), (header(), 34)] {
        let path = dir.path().join("empty.ccslog");
        let sink: Box<dyn EventSink> =
            Box::new(BinaryWriter::create(&path, &header).expect("create"));
        sink.finish().expect("finish");
        let bytes = std::fs::read(&path).expect("read");
        // No block at all: the header, then the end frame counting 0 events.
        assert_eq!(bytes.len(), header_bytes + 12);
        assert_eq!(bytes[header_bytes..], [0u8; 12]);
        let (blocks, end) = frames(&bytes);
        assert!(blocks.is_empty());
        assert_eq!((end.at, end.crc), (header_bytes, 0));

        let (seen, err) = read_binary(&bytes, "empty.ccslog").expect("header is fine");
        assert!(seen.is_empty());
        assert!(err.is_none(), "{err:?}");
        let mut source = open_log(&path, None).expect("open");
        let (seen, err) = drain(source.as_mut());
        assert!(seen.is_empty());
        assert!(err.is_none(), "{err:?}");
    }
}

#[test]
fn the_end_is_reported_again_when_asked_again() {
    // After the end, a reader keeps saying so rather than reading past it.
    let log = multi_block();
    let mut reader =
        BinaryReader::new(Cursor::new(log.bytes.clone()), "again.ccslog").expect("header");
    let (seen, err) = drain(&mut reader);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(seen.len(), MULTI_EVENTS);
    for _ in 0..3 {
        assert!(reader.next_event().expect("still the end").is_none());
    }
}

#[test]
fn truncated_header() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("one.ccslog");
    write_binary(&path, 1);
    let bytes = std::fs::read(&path).expect("read");

    // Inside the fixed prefix: 8 magic bytes, then only 4 of the 10 prefix bytes.
    let err = read_binary(&bytes[..12], "head.ccslog").expect_err("refused");
    assert_place(&err, "head.ccslog", Position::Byte(8));
    assert_eq!(
        err.problem,
        LogProblem::Truncated {
            what: "header",
            needed: 10,
            available: 4,
            events_read: 0,
        }
    );

    // Inside the header body.
    let body_len = u32_at(&bytes, 10) as u64;
    let err = read_binary(&bytes[..20], "head.ccslog").expect_err("refused");
    assert_place(&err, "head.ccslog", Position::Byte(18));
    assert_eq!(
        err.problem,
        LogProblem::Truncated {
            what: "header",
            needed: body_len,
            available: 2,
            events_read: 0,
        }
    );

    // Inside the magic itself.
    let err = read_binary(&bytes[..5], "head.ccslog").expect_err("refused");
    assert_place(&err, "head.ccslog", Position::Byte(0));
    assert!(
        matches!(
            err.problem,
            LogProblem::Truncated {
                what: "header",
                needed: 8,
                available: 5,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("truncated header"), "{err}");
}

#[test]
fn flipped_byte_in_a_block_payload() {
    let log = multi_block();
    let second = log.frames[1];
    let mut bytes = log.bytes.clone();
    bytes[second.payload() + 100] ^= 0x40;
    let (seen, err) = read_binary(&bytes, "flip.ccslog").expect("header is fine");
    assert_eq!(
        seen.len(),
        BLOCK_MAX_RECORDS as usize,
        "the first block only"
    );
    let err = err.expect("the flip must be reported");
    // The checksum error names the frame, not the flipped byte (which it cannot know).
    assert_place(&err, "flip.ccslog", Position::Byte(second.at as u64));
    let computed = crc32fast::hash(&bytes[second.payload()..second.payload() + second.len]);
    assert_eq!(
        err.problem,
        LogProblem::Checksum {
            what: "block",
            stored: second.crc,
            computed,
            events_read: BLOCK_MAX_RECORDS as u64,
        }
    );
    let shown = err.to_string();
    assert!(shown.contains("checksum mismatch in block"), "{shown}");
    assert!(
        shown.contains(&format!("stored {:#010x}", second.crc)),
        "{shown}"
    );
}

#[test]
fn flipped_byte_in_the_header_body() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("one.ccslog");
    write_binary(&path, 1);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[19] ^= 0x01;
    let err = read_binary(&bytes, "hdr.ccslog").expect_err("refused");
    assert_place(&err, "hdr.ccslog", Position::Byte(18));
    assert!(
        matches!(
            err.problem,
            LogProblem::Checksum {
                what: "header",
                events_read: 0,
                ..
            }
        ),
        "{err}"
    );
}

/// A log with the given frames after a header without producer, hash or seed (21 bytes), then
/// an end frame counting all their records. Each frame is (record count, payload), with the
/// payload's true length and CRC-32.
fn crafted_log(blocks: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.ccslog");
    let sink: Box<dyn EventSink> =
        Box::new(BinaryWriter::create(&path, &LogHeader::default()).expect("create"));
    sink.finish().expect("finish");
    let mut bytes = std::fs::read(&path).expect("read");
    // The writer's empty log: the header, then the end frame counting 0 events.
    assert_eq!(bytes.len(), 21 + 12);
    bytes.truncate(21);
    let mut events = 0u32;
    for (records, payload) in blocks {
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&records.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        bytes.extend_from_slice(payload);
        events += records;
    }
    bytes.extend_from_slice(&[0; 8]);
    bytes.extend_from_slice(&events.to_le_bytes());
    bytes
}

fn focus_record() -> Vec<u8> {
    let event = Event {
        at: Instant::from_millis(1_620_032_400_000),
        kind: EventKind::FocusStarted { agent: "a" },
    };
    let bytes = ccsim_engine::codec::encode_record(&event).expect("encode");
    assert_eq!(bytes.len(), 12);
    bytes
}

#[test]
fn a_record_of_a_kind_from_a_newer_build() {
    // A second record whose kind tag is one past the last known kind.
    let mut payload = focus_record();
    let mut unknown = focus_record();
    unknown[9] = EventKind::TYPES.len() as u8;
    payload.extend_from_slice(&unknown);
    let bytes = crafted_log(&[(2, payload)]);
    let (seen, err) = read_binary(&bytes, "newer.ccslog").expect("header is fine");
    assert_eq!(seen, ["focus_started"]);
    let err = err.expect("refused");
    // Header 21 bytes, frame 12, first record 12: the bad record starts at byte 45.
    assert_place(&err, "newer.ccslog", Position::Byte(45));
    let LogProblem::CorruptRecord(message) = &err.problem else {
        panic!("expected CorruptRecord, got {err}");
    };
    assert!(
        message.ends_with("the 1 events before it were read"),
        "{message}"
    );
}

#[test]
fn undecodable_records() {
    // An option byte that is neither 0 nor 1: agent_active's `reason` follows the 1-byte id.
    let mut bad_option = focus_record();
    bad_option[9] = 3; // agent_active
    bad_option.push(7);
    // Invalid UTF-8 in an id.
    let mut bad_text = focus_record();
    bad_text[11] = 0xff;
    // A string that runs past the end of the payload.
    let mut too_long = focus_record();
    too_long[10] = 200;
    for (what, record) in [
        ("option byte", bad_option),
        ("UTF-8", bad_text),
        ("length", too_long),
    ] {
        let mut payload = focus_record();
        payload.extend_from_slice(&record);
        let bytes = crafted_log(&[(2, payload)]);
        let (seen, err) = read_binary(&bytes, "bad.ccslog").expect("header is fine");
        assert_eq!(seen, ["focus_started"], "{what}");
        let err = err.expect("refused");
        assert_place(&err, "bad.ccslog", Position::Byte(45));
        assert!(
            matches!(&err.problem, LogProblem::CorruptRecord(_)),
            "{what}: {err}"
        );
    }
}

#[test]
fn bytes_left_over_after_the_last_record_of_a_block() {
    let mut payload = focus_record();
    payload.extend_from_slice(&[0, 0]);
    let bytes = crafted_log(&[(1, payload)]);
    let (seen, err) = read_binary(&bytes, "extra.ccslog").expect("header is fine");
    assert_eq!(seen, ["focus_started"]);
    let err = err.expect("refused");
    assert_place(&err, "extra.ccslog", Position::Byte(21 + 12 + 12));
    assert!(
        matches!(&err.problem, LogProblem::CorruptRecord(m) if m.contains("left over")),
        "{err}"
    );
}

#[test]
fn implausible_frames() {
    // Records without bytes.
    let bytes = crafted_log(&[(1, focus_record()), (3, Vec::new())]);
    let (seen, err) = read_binary(&bytes, "frame.ccslog").expect("header is fine");
    assert_eq!(seen, ["focus_started"]);
    let err = err.expect("refused");
    assert_place(&err, "frame.ccslog", Position::Byte(21 + 12 + 12));
    assert!(
        matches!(&err.problem, LogProblem::CorruptRecord(m) if m.contains("the frame is corrupt")),
        "{err}"
    );

    // A length over the 64 MiB limit.
    let mut bytes = crafted_log(&[(1, focus_record())]);
    bytes[21..25].copy_from_slice(&((1u32 << 26) + 1).to_le_bytes());
    let (_, err) = read_binary(&bytes, "frame.ccslog").expect("header is fine");
    let err = err.expect("refused");
    assert_place(&err, "frame.ccslog", Position::Byte(21));
    assert!(
        matches!(&err.problem, LogProblem::CorruptRecord(_)),
        "{err}"
    );

    // A damaged end frame: bytes without records, or records without bytes.
    let log = crafted_log(&[(1, focus_record())]);
    let end = 21 + 12 + 12;
    assert_eq!(log.len(), end + 12);
    for word in [0, 4] {
        let mut bytes = log.clone();
        bytes[end + word] = 1;
        let (seen, err) = read_binary(&bytes, "frame.ccslog").expect("header is fine");
        assert_eq!(seen, ["focus_started"]);
        let err = err.expect("refused");
        assert_place(&err, "frame.ccslog", Position::Byte(end as u64));
        assert!(
            matches!(&err.problem, LogProblem::CorruptRecord(m) if m.contains("the frame is corrupt")),
            "{err}"
        );
    }

    // With both words damaged, the end frame reads as the frame of a block whose payload is
    // missing.
    let mut bytes = log.clone();
    bytes[end] = 3;
    bytes[end + 4] = 1;
    let (seen, err) = read_binary(&bytes, "frame.ccslog").expect("header is fine");
    assert_eq!(seen, ["focus_started"]);
    let err = err.expect("refused");
    assert_place(&err, "frame.ccslog", Position::Byte(end as u64 + 12));
    assert_eq!(
        err.problem,
        LogProblem::Truncated {
            what: "block payload",
            needed: 3,
            available: 0,
            events_read: 1,
        }
    );

    // There is no empty block: a frame of no records and no bytes is the end frame (its CRC-32
    // of no bytes, 0, reads as a count of 0), so the block after it is refused.
    let bytes = crafted_log(&[(0, Vec::new()), (1, focus_record())]);
    assert_eq!(bytes[21..33], [0u8; 12]);
    let (seen, err) = read_binary(&bytes, "frame.ccslog").expect("header is fine");
    assert!(seen.is_empty());
    let err = err.expect("refused");
    assert_place(&err, "frame.ccslog", Position::Byte(33));
    assert!(
        matches!(&err.problem, LogProblem::CorruptRecord(m) if m.starts_with("bytes after the end frame")),
        "{err}"
    );
}

#[test]
fn wrong_magic() {
    let mut bytes = b"NOTALOG!".to_vec();
    bytes.extend_from_slice(&[0u8; 32]);
    let err = read_binary(&bytes, "other.bin").expect_err("refused");
    assert_place(&err, "other.bin", Position::Byte(0));
    assert_eq!(
        err.problem,
        LogProblem::BadMagic {
            found: "\"NOTALOG!\"".into()
        }
    );
    assert!(
        err.to_string()
            .contains("expected the magic bytes \"CCSIMLOG\""),
        "{err}"
    );

    // An empty file is not a log either.
    let err = read_binary(&[], "empty.ccslog").expect_err("refused");
    assert_place(&err, "empty.ccslog", Position::Byte(0));
    assert!(matches!(err.problem, LogProblem::BadMagic { .. }), "{err}");
}

#[test]
fn unsupported_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("one.ccslog");
    write_binary(&path, 1);
    let mut bytes = std::fs::read(&path).expect("read");
    let newer = FORMAT_VERSION + 1;
    bytes[8..10].copy_from_slice(&newer.to_le_bytes());
    let err = read_binary(&bytes, "new.ccslog").expect_err("refused");
    assert_place(&err, "new.ccslog", Position::Byte(8));
    assert_eq!(
        err.problem,
        LogProblem::UnsupportedVersion {
            found: newer,
            supported: FORMAT_VERSION,
        }
    );
    assert!(
        err.to_string()
            .contains(&format!("this build reads version {FORMAT_VERSION}")),
        "{err}"
    );
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["absent.ccslog", "absent.jsonl", "absent"] {
        let path = dir.path().join(name);
        let err = match open_log(&path, None) {
            Ok(_) => panic!("{name} does not exist"),
            Err(e) => e,
        };
        assert_eq!(err.file, path.display().to_string());
        assert_eq!(err.place, None);
        assert_eq!(err.problem, LogProblem::Missing);
        let shown = err.to_string();
        assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        assert!(
            shown.contains("no such file; expected the path of an event log"),
            "{shown}"
        );
    }
}

#[test]
fn an_intact_multi_block_log_reads_completely() {
    // Sanity check of the fixtures above: the untouched multi-block log reads completely.
    let log = multi_block();
    let mut source = open_log(&log.path, None).expect("open");
    let (seen, err) = drain(source.as_mut());
    assert!(err.is_none(), "{err:?}");
    assert_eq!(seen.len(), MULTI_EVENTS);
}

// ---- writers -------------------------------------------------------------------------------

fn sample() -> Event<'static> {
    Event {
        at: Instant::from_millis(1_620_032_400_000),
        kind: EventKind::AgentLoggedOut {
            agent: "ana",
            trigger: Trigger::Manual,
            last_active_at: None,
        },
    }
}

fn folder_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_writer_dropped_without_finish_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = dir.path().join("out.ccslog");
    let jsonl = dir.path().join("out.jsonl");
    {
        let mut b = BinaryWriter::create(&binary, &header()).expect("create");
        let mut j = JsonlWriter::create(&jsonl).expect("create");
        for _ in 0..10 {
            b.write(&sample()).expect("write");
            j.write(&sample()).expect("write");
        }
        // The temporary files exist while writing, beside the targets.
        assert_eq!(folder_entries(dir.path()).len(), 2);
        assert!(!binary.exists() && !jsonl.exists());
    }
    assert!(!binary.exists());
    assert!(!jsonl.exists());
    assert_eq!(folder_entries(dir.path()), Vec::<String>::new());
}

#[test]
fn what_an_unfinished_writer_has_written_never_reads_as_complete() {
    // A process killed mid-write leaves its temporary file: whatever reached the disk by then
    // lacks the end frame, so reading it ends in an error, never in a clean, shorter log.
    // Blocks reach the file from a writer thread, so the file is read at several moments
    // while writing, and once more after waiting for the thread to write something.
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out.ccslog");
    let mut writer = BinaryWriter::create(&target, &header()).expect("create");
    let temporary = || -> std::path::PathBuf {
        let [tmp] = folder_entries(dir.path())
            .try_into()
            .expect("one temporary file");
        dir.path().join(tmp)
    };
    let check = |bytes: &[u8], written: usize| {
        let (seen, err) = read_binary(bytes, "partial.ccslog").expect("the header is there");
        let err = err.expect("an unfinished log is refused");
        assert!(
            matches!(err.problem,
                LogProblem::Truncated { events_read, .. } | LogProblem::MissingEnd { events_read }
                    if events_read == seen.len() as u64),
            "{err}"
        );
        assert!(seen.len() <= written);
        seen.len()
    };
    let total = 4 * BLOCK_MAX_RECORDS as usize;
    for i in 0..total {
        let event = Event {
            at: Instant::from_millis(1_620_032_400_000 + i as i64),
            kind: EventKind::AgentAvailable {
                agent: "a",
                channel: Channel::Chat,
            },
        };
        writer.write(&event).expect("write");
        if (i + 1) % 1000 == 0 {
            let bytes = std::fs::read(temporary()).expect("read");
            if bytes.len() >= 8 {
                check(&bytes, i + 1);
            }
        }
    }
    // Four blocks' worth were handed over: wait (at most a minute) until the first of them is
    // in the file, then it must still read as unfinished.
    let mut events_in_file = 0;
    for _ in 0..6000 {
        let bytes = std::fs::read(temporary()).expect("read");
        if bytes.len() >= 8 && read_binary(&bytes, "partial.ccslog").is_ok() {
            events_in_file = check(&bytes, total);
            if events_in_file > 0 {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        events_in_file > 0,
        "some of the log reached the temporary file"
    );
    assert!(!target.exists());
    drop(writer);
    assert_eq!(folder_entries(dir.path()), Vec::<String>::new());
}

#[test]
fn a_finished_writer_replaces_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["out.ccslog", "out.jsonl"] {
        let target = dir.path().join(name);
        std::fs::write(&target, b"the previous log\n").expect("write old");
        let mut sink: Box<dyn EventSink> = if name.ends_with(".ccslog") {
            Box::new(BinaryWriter::create(&target, &header()).expect("create"))
        } else {
            Box::new(JsonlWriter::create(&target).expect("create"))
        };
        sink.write(&sample()).expect("write");
        // Until finish, the old file is untouched.
        assert_eq!(std::fs::read(&target).expect("read"), b"the previous log\n");
        sink.finish().expect("finish");
        let mut source = open_log(&target, None).expect("open");
        let (seen, err) = drain(source.as_mut());
        assert!(err.is_none(), "{err:?}");
        assert_eq!(seen, ["agent_logged_out"]);
    }
    assert_eq!(folder_entries(dir.path()), ["out.ccslog", "out.jsonl"]);
}
