//! No input makes the engine panic: valid logs, damaged in many deterministic ways (bytes
//! flipped, cut short, lines shuffled or garbled), are read, folded and reported; every run
//! must end in figures or in an error, never in a panic.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ccsim_engine::codec::{
    BinaryReader, BinaryWriter, EventSink, EventSource, JsonlReader, LogHeader,
};
use ccsim_engine::replay::replay;
use ccsim_engine::report::ReportRequest;

/// A small deterministic generator (64-bit LCG), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every example log of the repository, as JSON Lines text.
fn corpus() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/examples");
    let mut logs = Vec::new();
    for entry in std::fs::read_dir(root).expect("examples") {
        let path = entry.expect("entry").path().join("log.jsonl");
        if let Ok(text) = std::fs::read_to_string(&path) {
            logs.push(text);
        }
    }
    logs.sort();
    assert!(logs.len() > 50, "expected the example logs");
    logs
}

/// Replays a source into the default report and into a real-time one; errors are fine.
/// Returns how many of the runs ended in an error.
fn replay_all(make: &dyn Fn() -> Option<Box<dyn EventSource>>) -> usize {
    let mut errors = 0;
    for req in [
        ReportRequest::default(),
        ReportRequest {
            as_of: Some("2021-06-14T09:05:00Z".into()),
            group_by: vec!["agent".into(), "day".into()],
            ..Default::default()
        },
    ] {
        match make() {
            Some(mut src) => {
                errors += usize::from(replay(&mut *src, req.to_spec().expect("spec")).is_err())
            }
            None => errors += 1,
        }
    }
    errors
}

fn binary_of(text: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("log.ccslog");
    let mut reader = JsonlReader::new(Cursor::new(text.as_bytes().to_vec()), "log.jsonl");
    let mut sink: Box<dyn EventSink> =
        Box::new(BinaryWriter::create(&path, &LogHeader::default()).ok()?);
    while let Ok(Some((_, event))) = reader.next_event() {
        sink.write(&event).ok()?;
    }
    sink.finish().ok()?;
    std::fs::read(&path).ok()
}

#[test]
fn damaged_json_lines_never_panic() {
    let mut rng = Lcg(7);
    let mut errors = 0;
    for (n, log) in corpus().iter().enumerate() {
        let lines: Vec<&str> = log.lines().collect();
        for round in 0..12 {
            let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            match round % 4 {
                // Swap two lines (time order, unknown entities, after-close).
                0 => {
                    let (a, b) = (rng.below(damaged.len()), rng.below(damaged.len()));
                    damaged.swap(a, b);
                }
                // Drop a line (unknown entities, states that never happened).
                1 => {
                    let i = rng.below(damaged.len());
                    damaged.remove(i);
                }
                // Replace a character with something else.
                2 => {
                    let i = rng.below(damaged.len());
                    let mut chars: Vec<char> = damaged[i].chars().collect();
                    let at = rng.below(chars.len());
                    chars[at] = ['"', '{', '}', ':', ',', '9', 'x', '\u{e9}', ' '][rng.below(9)];
                    damaged[i] = chars.into_iter().collect();
                }
                // Duplicate a line (duplicates).
                _ => {
                    let i = rng.below(damaged.len());
                    let copy = damaged[i].clone();
                    damaged.insert(i, copy);
                }
            }
            let text = damaged.join("\n");
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                replay_all(&|| {
                    Some(Box::new(JsonlReader::new(
                        Cursor::new(text.as_bytes().to_vec()),
                        "x.jsonl",
                    )) as Box<dyn EventSource>)
                })
            }));
            match outcome {
                Ok(refused) => errors += refused,
                Err(_) => panic!("log {n}, round {round} panicked on:\n{text}"),
            }
        }
    }
    // The damage must reach the checks: most damaged logs are refused.
    assert!(errors > 500, "only {errors} damaged runs were refused");
}

#[test]
fn damaged_binary_logs_never_panic() {
    let mut rng = Lcg(11);
    let (mut errors, mut runs) = (0, 0);
    for (n, log) in corpus().iter().enumerate().step_by(3) {
        let Some(bytes) = binary_of(log) else {
            continue;
        };
        for round in 0..16 {
            let mut damaged = bytes.clone();
            match round % 3 {
                0 => {
                    let i = rng.below(damaged.len());
                    damaged[i] ^= 1 << rng.below(8);
                }
                1 => damaged.truncate(rng.below(damaged.len())),
                _ => {
                    // Corrupt a record and repair its block's checksum, so the damage
                    // reaches the record decoder and the fold rather than stopping at the CRC.
                    if damaged.len() > 60 {
                        let i = 45 + rng.below(damaged.len() - 60);
                        damaged[i] = rng.next() as u8;
                        let payload_at = 33 + 12;
                        let len = u32::from_le_bytes([
                            damaged[33],
                            damaged[34],
                            damaged[35],
                            damaged[36],
                        ]) as usize;
                        if payload_at + len <= damaged.len() {
                            let crc = crc32(&damaged[payload_at..payload_at + len]);
                            damaged[41..45].copy_from_slice(&crc.to_le_bytes());
                        }
                    }
                }
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                replay_all(&|| {
                    BinaryReader::new(Cursor::new(damaged.clone()), "x.ccslog")
                        .ok()
                        .map(|r| Box::new(r) as Box<dyn EventSource>)
                })
            }));
            runs += 2;
            match outcome {
                Ok(n) => errors += n,
                Err(_) => panic!("log {n}, round {round} panicked"),
            }
        }
    }
    assert!(
        errors > runs / 2,
        "only {errors} of {runs} damaged runs were refused"
    );
}

/// CRC-32 (IEEE), as the binary log's frames use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
