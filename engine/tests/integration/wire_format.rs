//! Pins the binary log format described in `docs/log-format.md`: golden bytes, the event kind
//! tags, round trips through both encodings, and logs of several blocks.

use std::io::Cursor;
use std::path::Path;

use ccsim_engine::codec::{
    copy_log, create_log, encode_record, open_log, write_jsonl_line, BinaryReader, BinaryWriter,
    EventSink, EventSource, Format, JsonlReader, LogHeader, BLOCK_MAX_RECORDS, FORMAT_VERSION,
    MAGIC,
};
use ccsim_engine::event::{
    Channel, ClosedBy, ClosureReason, Direction, Event, EventKind, HandlerKind, Outcome,
    ParticipantEventReason, ParticipantEventType, ParticipantMode, Sender, TransferTarget, Trigger,
    WorkItemStatus,
};
use ccsim_engine::time::Instant;

fn at(text: &str) -> Instant {
    Instant::parse_rfc3339(text).expect("a valid timestamp")
}

fn golden_header() -> LogHeader {
    LogHeader {
        producer: "ccsim test".into(),
        scenario_hash: Some(0xDEAD_BEEF),
        seed: Some(42),
    }
}

fn golden_events() -> Vec<Event<'static>> {
    vec![
        Event {
            at: at("2021-05-03T09:00:00.250Z"),
            kind: EventKind::AgentLoggedIn { agent: "ana" },
        },
        Event {
            at: at("2021-05-03T09:10:00Z"),
            kind: EventKind::AgentAway {
                agent: "zoë",
                reason: Some("Pause café"),
                trigger: Trigger::Manual,
                last_active_at: None,
            },
        },
        Event {
            at: at("2021-05-03T10:05:00Z"),
            kind: EventKind::AgentLoggedOut {
                agent: "ben",
                trigger: Trigger::Idle,
                last_active_at: Some(at("2021-05-03T09:05:00Z")),
            },
        },
        Event {
            at: at("2021-05-03T10:06:00Z"),
            kind: EventKind::ContactStarted {
                contact: "ct-1",
                conversation: Some("cv-1"),
                customer: None,
                channel: Channel::Sms,
                direction: Direction::Inbound,
                channel_instance: None,
            },
        },
        Event {
            at: at("2021-05-03T10:07:00Z"),
            kind: EventKind::SessionEnded {
                session: "s-1",
                reason: ClosureReason::BotTransferToAgent,
            },
        },
    ]
}

/// The whole file `golden_events` makes, 170 bytes, checked by hand against
/// docs/log-format.md (which shows the same file). Offsets in decimal:
///
/// ```text
///   0  43 43 53 49 4d 4c 4f 47   magic "CCSIMLOG"
///   8  01 00                     format version 1 (u16 LE)
///  10  13 00 00 00               header body length 19 (u32 LE)
///  14  94 68 4d ab               CRC-32 of bytes 18..37 = 0xab4d6894 (u32 LE)
///  18  0a "ccsim test"           producer: varint length 10, then 10 bytes of UTF-8
///  29  01 fc ef be ad de         scenario_hash: Some; varint 0xfc = u32 follows: 0xdeadbeef
///  35  01 2a                     seed: Some; varint 42 (one byte, < 251)
///  37  6d 00 00 00               block frame: payload length 109 (u32 LE)
///  41  05 00 00 00               record count 5 (u32 LE)
///  45  a2 fc 2c a1               CRC-32 of bytes 49..158 = 0xa12cfca2 (u32 LE)
///  49  first record, 14 bytes:
///      fd f4 56 e9 62 f2 02 00 00
///          `at`: 0xfd = u64 follows; 0x0000_02f2_62e9_56f4 = 3_240_064_800_500 is the
///          zigzag form of 1_620_032_400_250 ms (2 × n for n ≥ 0) = 2021-05-03T09:00:00.250Z
///      00  EventKind variant 0 = agent_logged_in (varint)
///      03 61 6e 61
///          `agent`: varint length 3, "ana"
///  63  second record, 30 bytes: `at` (9 bytes), 02 = agent_away,
///      04 7a 6f c3 ab = "zoë" (4 UTF-8 bytes), 01 0b "Pause café" = Some(11 bytes),
///      00 = trigger manual, 00 = last_active_at None
///  93  third record, 25 bytes: `at`, 01 = agent_logged_out, 03 "ben", 01 = trigger idle,
///      01 fd c0 7c f2 62 f2 02 00 00 = Some(2021-05-03T09:05:00Z)
/// 118  fourth record, 25 bytes: `at`, 0c = contact_started (12), 04 "ct-1", 01 04 "cv-1",
///      00 = customer None, 02 = channel sms, 00 = direction inbound, 00 = no channel_instance
/// 143  fifth record, 15 bytes: `at`, 1c = session_ended (28), 03 "s-1",
///      1a = closure reason bot_transfer_to_agent (declaration index 26, not its Dynamics code)
/// 158  end frame, 12 bytes:
///      00 00 00 00  payload length 0 (u32 LE)
///      00 00 00 00  record count 0 (u32 LE): length and count both 0 make it the end frame
///      05 00 00 00  where a block's CRC-32 sits: the log's event count, 5 (u32 LE, mod 2^32)
/// 170  end of file
/// ```
const GOLDEN: &str = concat!(
    "434353494d4c4f47", // magic
    "0100",             // version
    "13000000",         // header body length
    "94684dab",         // header CRC-32
    "0a636373696d2074657374",
    "01fcefbeadde",
    "012a",
    "6d000000", // block: payload length
    "05000000", // record count
    "a2fc2ca1", // payload CRC-32
    "fdf456e962f20200000003616e61",
    "fd80a4fb62f202000002047a6fc3ab010b506175736520636166c3a90000",
    "fdc0596063f2020000010362656e0101fdc07cf262f2020000",
    "fd802e6263f20200000c0463742d31010463762d3100020000",
    "fd40036463f20200001c03732d311a",
    "00000000", // end frame: payload length 0
    "00000000", // record count 0
    "05000000", // event count 5
);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_all(path: &Path, header: &LogHeader, events: &[Event<'_>]) {
    let mut sink: Box<dyn EventSink> =
        Box::new(BinaryWriter::create(path, header).expect("create"));
    for e in events {
        sink.write(e).expect("write");
    }
    sink.finish().expect("finish");
}

#[test]
fn golden_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("golden.ccslog");
    let events = golden_events();
    write_all(&path, &golden_header(), &events);
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(hex(&bytes), GOLDEN);
    assert_eq!(bytes.len(), 170);

    // The constants the doc names.
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(&MAGIC, b"CCSIMLOG");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), FORMAT_VERSION);
    assert_eq!(FORMAT_VERSION, 1);
    // The two checksums are plain CRC-32 (IEEE) of the header body and of the payload.
    assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32fast::hash(&bytes[18..37]).to_le_bytes(), bytes[14..18]);
    assert_eq!(
        crc32fast::hash(&bytes[49..158]).to_le_bytes(),
        bytes[45..49]
    );

    // Each record is `encode_record` of its event, back to back, filling the block's payload.
    let mut records = Vec::new();
    for e in &events {
        records.extend(encode_record(e).expect("encode"));
    }
    assert_eq!(records, bytes[49..158]);
    assert_eq!(records.len(), 0x6d);

    // Then the end frame: no bytes, no records, and the number of events.
    assert_eq!(bytes[158..], [0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]);
    assert_eq!(events.len(), 5);
    assert_eq!(
        hex(&encode_record(&events[0]).expect("encode")),
        "fdf456e962f20200000003616e61"
    );

    // And it reads back as written.
    let mut reader = BinaryReader::open(&path).expect("open");
    assert_eq!(reader.header(), &golden_header());
    let mut back = Vec::new();
    while let Some((place, e)) = reader.next_event().expect("read") {
        back.push((place, format!("{e:?}")));
    }
    let expected: Vec<String> = events.iter().map(|e| format!("{e:?}")).collect();
    let got: Vec<String> = back.iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(got, expected);
    let offsets: Vec<String> = back.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(
        offsets,
        ["byte 49", "byte 63", "byte 93", "byte 118", "byte 143"]
    );
}

#[test]
fn a_header_without_hash_or_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plain.ccslog");
    write_all(&path, &LogHeader::default(), &[]);
    let bytes = std::fs::read(&path).expect("read");
    // Empty producer (length 0), None, None: a three-byte body, no block at all, and the end
    // frame counting 0 events.
    let crc = hex(&crc32fast::hash(&[0, 0, 0]).to_le_bytes());
    assert_eq!(
        hex(&bytes[8..]),
        format!("010003000000{crc}000000{}", "00".repeat(12))
    );
    assert_eq!(bytes.len(), 21 + 12);
    assert!(frames(&bytes).is_empty());
}

fn doc(name: &str) -> String {
    let path = format!("{}/../docs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Every ```json example in docs/events.md, as one JSON Lines text.
fn events_doc_corpus() -> String {
    let mut corpus = String::new();
    let mut inside = false;
    for line in doc("events.md").lines() {
        match (inside, line.trim_end()) {
            (false, "```json") => inside = true,
            (true, "```") => inside = false,
            (true, l) => {
                corpus.push_str(l);
                corpus.push('\n');
            }
            _ => {}
        }
    }
    corpus
}

#[test]
fn the_worked_example_in_the_doc_is_the_golden_file() {
    let text = doc("log-format.md");
    // The events, as JSON Lines.
    let json = text
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```json block");
    let mut lines = Vec::new();
    for e in golden_events() {
        write_jsonl_line(&e, &mut lines).expect("write");
    }
    assert_eq!(json, String::from_utf8(lines).expect("UTF-8"));
    // The xxd dumps: the empty log of the header section, then the golden file.
    let [empty, golden] = xxd_dumps(&text).try_into().expect("two dumps");
    assert_eq!(golden, GOLDEN);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.ccslog");
    write_all(&path, &LogHeader::default(), &[]);
    assert_eq!(empty, hex(&std::fs::read(&path).expect("read")));
}

/// The hex columns of each run of xxd lines (lines that start with an offset) in `text`.
fn xxd_dumps(text: &str) -> Vec<String> {
    let mut dumps = Vec::new();
    let mut current: Option<String> = None;
    for l in text.lines() {
        if l.len() > 10 && l.as_bytes()[8] == b':' && l.starts_with("000000") {
            let hex = l[10..49].replace(' ', "");
            current.get_or_insert_with(String::new).push_str(&hex);
        } else if let Some(dump) = current.take() {
            dumps.push(dump);
        }
    }
    dumps.extend(current);
    dumps
}

#[test]
fn kind_tags_are_declaration_positions() {
    // The variant index follows `at` (9 bytes for any instant after January 1970).
    let corpus = events_doc_corpus();
    let mut reader = JsonlReader::new(Cursor::new(corpus.into_bytes()), "docs/events.md");
    let mut seen = 0;
    while let Some((_, e)) = reader.next_event().expect("read") {
        let bytes = encode_record(&e).expect("encode");
        assert_eq!(bytes[0], 0xfd);
        let index = EventKind::TYPES
            .iter()
            .position(|t| *t == e.type_name())
            .expect("a known type");
        assert_eq!(bytes[9] as usize, index, "{}", e.type_name());
        seen += 1;
    }
    assert_eq!(seen, EventKind::TYPES.len());

    // The table of tags in docs/log-format.md lists the same kinds in the same order.
    let text = doc("log-format.md");
    let rows: Vec<(usize, String)> = text
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let [tag, name] = cells.as_slice() else {
                return None;
            };
            let tag = tag.parse().ok()?;
            Some((tag, name.trim_matches('`').to_string()))
        })
        .collect();
    let expected: Vec<(usize, String)> = EventKind::TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.to_string()))
        .collect();
    assert_eq!(rows, expected);
}

/// Each vocabulary's value names in declaration (tag) order.
fn vocabularies() -> Vec<(&'static str, Vec<&'static str>)> {
    macro_rules! names {
        ($($t:ident),+) => {
            vec![$((stringify!($t), $t::ALL.iter().map(|v| v.name()).collect())),+]
        };
    }
    names!(
        Channel,
        Direction,
        Trigger,
        Outcome,
        ClosedBy,
        Sender,
        HandlerKind,
        TransferTarget,
        WorkItemStatus,
        ParticipantMode,
        ParticipantEventType,
        ParticipantEventReason,
        ClosureReason
    )
}

#[test]
fn vocabulary_tags_are_declaration_positions() {
    let text = doc("log-format.md");
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [name, values] = cells.as_slice() else {
            continue;
        };
        let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) else {
            continue;
        };
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let values: Vec<&str> = values.split(", ").map(|v| v.trim_matches('`')).collect();
        rows.push((name, values));
    }
    assert_eq!(rows, vocabularies());

    // The tag really is the position: encode one value of each position of a vocabulary.
    for (i, &channel) in Channel::ALL.iter().enumerate() {
        let e = Event {
            at: Instant::from_millis(0),
            kind: EventKind::AgentAvailable { agent: "", channel },
        };
        // `at` 0 is one byte, then tag 4, then the empty id (length 0), then the channel.
        assert_eq!(encode_record(&e).expect("encode"), [0, 4, 0, i as u8]);
    }
}

#[test]
fn jsonl_to_binary_to_jsonl_is_byte_identical() {
    let corpus = events_doc_corpus();
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("corpus.jsonl");
    let binary = dir.path().join("corpus.ccslog");
    let again = dir.path().join("again.jsonl");
    std::fs::write(&text, &corpus).expect("write corpus");

    let mut source = open_log(&text, None).expect("open");
    let sink = create_log(&binary, None, &golden_header()).expect("create");
    let n = copy_log(source.as_mut(), sink).expect("to binary");
    assert_eq!(n as usize, EventKind::TYPES.len());
    assert_eq!(Format::detect(&binary).expect("detect"), Format::Binary);

    let mut source = open_log(&binary, None).expect("open");
    let sink = create_log(&again, None, &LogHeader::default()).expect("create");
    assert_eq!(copy_log(source.as_mut(), sink).expect("to JSON Lines"), n);
    assert_eq!(std::fs::read_to_string(&again).expect("read"), corpus);
}

#[test]
fn offsets_are_read_as_utc_instants() {
    let text = concat!(
        r#"{"type":"agent_logged_out","at":"2022-12-21T04:00:00+05:30","agent":"ana","trigger":"idle","last_active_at":"2022-12-21T03:00:00.125+05:30"}"#,
        "\n",
        r#"{"at":"2022-12-21T17:00:00-08:00","type":"bot_session_started","customer":"c","bot_session":"bs","bot":"b","version":"1"}"#,
        "\n",
    );
    let canonical = concat!(
        r#"{"type":"agent_logged_out","at":"2022-12-20T22:30:00Z","agent":"ana","trigger":"idle","last_active_at":"2022-12-20T21:30:00.125Z"}"#,
        "\n",
        r#"{"type":"bot_session_started","at":"2022-12-22T01:00:00Z","bot_session":"bs","bot":"b","version":"1","customer":"c"}"#,
        "\n",
    );
    let expected = [
        Event {
            at: at("2022-12-20T22:30:00Z"),
            kind: EventKind::AgentLoggedOut {
                agent: "ana",
                trigger: Trigger::Idle,
                last_active_at: Some(at("2022-12-20T21:30:00.125Z")),
            },
        },
        Event {
            at: at("2022-12-22T01:00:00Z"),
            kind: EventKind::BotSessionStarted {
                bot_session: "bs",
                bot: "b",
                version: "1",
                customer: "c",
            },
        },
    ];
    assert_eq!(expected[0].at.millis(), 1_671_575_400_000);
    assert_eq!(expected[1].at.millis(), 1_671_670_800_000);

    // Read from text: the same instants, written back in UTC.
    let mut reader = JsonlReader::new(Cursor::new(text.as_bytes().to_vec()), "offsets.jsonl");
    let mut written = Vec::new();
    let mut i = 0;
    while let Some((_, e)) = reader.next_event().expect("read") {
        assert_eq!(e, expected[i]);
        write_jsonl_line(&e, &mut written).expect("write");
        i += 1;
    }
    assert_eq!(i, 2);
    assert_eq!(String::from_utf8(written).expect("UTF-8"), canonical);

    // Through the binary log, the instants survive unchanged.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("offsets.ccslog");
    write_all(&path, &LogHeader::default(), &expected);
    let mut reader = BinaryReader::open(&path).expect("open");
    let mut i = 0;
    while let Some((_, e)) = reader.next_event().expect("read") {
        assert_eq!(e, expected[i]);
        i += 1;
    }
    assert_eq!(i, 2);
}

/// Walks the frames of a well-formed log: (payload length, record count) per block. Stops at
/// the end frame (length and count 0), which must count the blocks' records and end the file.
fn frames(bytes: &[u8]) -> Vec<(usize, usize)> {
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let mut at = 18 + word(10) as usize;
    let mut out = Vec::new();
    loop {
        assert!(at + 12 <= bytes.len(), "a whole frame at byte {at}");
        let (len, records) = (word(at) as usize, word(at + 4) as usize);
        if (len, records) == (0, 0) {
            let events: usize = out.iter().map(|&(_, r)| r).sum();
            assert_eq!(word(at + 8), events as u32, "the end frame's event count");
            assert_eq!(at + 12, bytes.len(), "the end frame ends the file");
            return out;
        }
        assert!(len > 0 && records > 0, "a block has bytes and records");
        assert_eq!(
            crc32fast::hash(&bytes[at + 12..at + 12 + len]),
            word(at + 8),
            "block CRC"
        );
        out.push((len, records));
        at += 12 + len;
    }
}

#[test]
fn a_long_log_spans_several_blocks() {
    const N: usize = 2 * BLOCK_MAX_RECORDS as usize + 7;
    let events: Vec<Event<'static>> = (0..N)
        .map(|i| Event {
            at: Instant::from_millis(1_620_032_400_000 + i as i64),
            kind: if i % 2 == 0 {
                EventKind::FocusStarted { agent: "a" }
            } else {
                EventKind::FocusEnded { agent: "a" }
            },
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("long.ccslog");
    write_all(&path, &golden_header(), &events);

    let bytes = std::fs::read(&path).expect("read");
    let blocks = frames(&bytes);
    // Records are 12 bytes, so the record limit closes the blocks.
    let max = BLOCK_MAX_RECORDS as usize;
    assert_eq!(blocks, [(max * 12, max), (max * 12, max), (7 * 12, 7)]);

    let mut reader = BinaryReader::open(&path).expect("open");
    let mut i = 0;
    while let Some((_, e)) = reader.next_event().expect("read") {
        assert_eq!(e, events[i], "event {i}");
        i += 1;
    }
    assert_eq!(i, N);
}

#[test]
fn big_records_close_blocks_at_the_byte_target() {
    // 1,000-byte ids make 1,013-byte records: a block closes on the record that takes its
    // payload to 65,536 bytes or more, so it holds 65 records (65,845 bytes).
    let id = "x".repeat(1000);
    let events: Vec<Event<'_>> = (0..200)
        .map(|i| Event {
            at: Instant::from_millis(1_620_032_400_000 + i),
            kind: EventKind::AgentLoggedIn { agent: &id },
        })
        .collect();
    assert_eq!(encode_record(&events[0]).expect("encode").len(), 1013);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.ccslog");
    write_all(&path, &LogHeader::default(), &events);
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(
        frames(&bytes),
        [
            (65 * 1013, 65),
            (65 * 1013, 65),
            (65 * 1013, 65),
            (5 * 1013, 5)
        ]
    );
    let mut source = open_log(&path, None).expect("open");
    let mut n = 0;
    while source.next_event().expect("read").is_some() {
        n += 1;
    }
    assert_eq!(n, 200);
}
