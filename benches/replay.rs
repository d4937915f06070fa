//! Replay throughput on a binary log of agent-status events.
//!
//! The log is generated here, deterministically: 400 agents working shifts of logins, manual
//! and automatic Away, returns and logouts, one event a second in turn, 1,200,000 events in all.
//! Run with `cargo bench --bench replay`; criterion reports events per second.

/// The allocator the `ccsim` program uses, so the figures are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;

use ccsim_engine::codec::{BinaryReader, BinaryWriter, EventSink, EventSource, LogHeader};
use ccsim_engine::event::{Event, EventKind, Trigger};
use ccsim_engine::replay::replay;
use ccsim_engine::report::ReportRequest;
use ccsim_engine::time::Instant;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const AGENTS: usize = 400;
const EVENTS: u64 = 1_200_000;

/// Writes the synthetic log; returns the number of events written.
fn write_log(path: &Path) -> u64 {
    let names: Vec<String> = (0..AGENTS).map(|i| format!("agent-{i:04}")).collect();
    let reasons = ["Lunch", "Break", "Training", "Meeting"];
    // Per agent: position in a 10-step shift cycle.
    let mut step = vec![0u32; AGENTS];
    let start = Instant::parse_rfc3339("2021-05-03T00:00:00Z").expect("start");
    let mut sink = BinaryWriter::create(
        path,
        &LogHeader {
            producer: "ccsim bench".into(),
            scenario_hash: None,
            seed: None,
        },
    )
    .expect("create bench log");
    for n in 0..EVENTS {
        let a = (n as usize) % AGENTS;
        let at = start.plus_millis(n as i64 * 1_000);
        let agent = names[a].as_str();
        let s = step[a];
        step[a] = (s + 1) % 10;
        let kind = match s {
            0 => EventKind::AgentLoggedIn { agent },
            1 | 5 => EventKind::AgentAway {
                agent,
                reason: Some(reasons[(n as usize / AGENTS) % 4]),
                trigger: Trigger::Manual,
                last_active_at: None,
            },
            3 => EventKind::AgentAway {
                agent,
                reason: None,
                trigger: Trigger::Idle,
                last_active_at: Some(at.plus_millis(-600_000)),
            },
            9 => EventKind::AgentLoggedOut {
                agent,
                trigger: Trigger::Manual,
                last_active_at: None,
            },
            _ => EventKind::AgentActive {
                agent,
                reason: None,
            },
        };
        sink.write(&Event { at, kind }).expect("write");
    }
    Box::new(sink).finish().expect("finish");
    EVENTS
}

/// The agent-status family: the metrics this log is about.
fn agent_status_metrics() -> Vec<String> {
    ccsim_engine::catalog::all()
        .filter(|m| m.family == "Gladly agent status")
        .map(|m| m.id.to_string())
        .collect()
}

fn bench_replay(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("status.ccslog");
    let n = write_log(&path);
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(n));
    group.sample_size(10);
    group.bench_function("decode binary log", |b| {
        b.iter(|| {
            let mut src = BinaryReader::open(&path).expect("open");
            let mut count = 0u64;
            while let Some((_, e)) = src.next_event().expect("read") {
                count += u64::from(matches!(e.kind, EventKind::AgentAway { .. }));
            }
            count
        })
    });
    group.bench_function("agent status report from binary log", |b| {
        b.iter(|| {
            let mut src = BinaryReader::open(&path).expect("open");
            let req = ReportRequest {
                metrics: agent_status_metrics(),
                ..Default::default()
            };
            let spec = req.to_spec().expect("spec");
            replay(&mut src, spec).expect("replay").rows.len()
        })
    });
    group.bench_function("agent status report by agent and day", |b| {
        b.iter(|| {
            let mut src = BinaryReader::open(&path).expect("open");
            let req = ReportRequest {
                group_by: vec!["agent".into(), "day".into()],
                tz: Some("America/New_York".into()),
                ..Default::default()
            };
            replay(&mut src, req.to_spec().expect("spec"))
                .expect("replay")
                .rows
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
