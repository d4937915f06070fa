//! Simulator throughput on the benchmark model `scenarios/bench/mm6m.toml` (M/M/6+M, 100 calls
//! an hour, mean handle 180 s, mean patience 120 s, FIFO), on one core unless said:
//!
//! - `kernel`: the event list alone, scheduling and popping activations;
//! - `simulate`: the simulator alone, events discarded;
//! - `log`: the simulator writing the binary log to disk;
//! - `run`: `ccsim run` end to end on one thread: the simulator, the fold and the queue metrics
//!   report;
//! - `run, report on a second thread`: the same with the report builders on a thread of their
//!   own, as `ccsim run` does when a core is free.
//!
//! Run with `cargo bench --bench sim`; criterion reports calls (or activations) per second.

/// The allocator the `ccsim` program uses, so the figures are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ccsim_engine::report::ReportRequest;
use ccsim_sim::kernel::Kernel;
use ccsim_sim::model::Sim;
use ccsim_sim::output::Discard;
use ccsim_sim::run::{run_once, simulate, RunConfig};
use ccsim_sim::scenario::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Hours simulated per iteration: 200,000 calls at 100 an hour.
const HOURS: i64 = 2_000;

fn scenario() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/bench/mm6m.toml");
    let mut sc = Scenario::load(std::path::Path::new(path)).expect("the bench scenario");
    sc.end = sc.start.plus_millis(HOURS * 3_600_000);
    sc.warmup_end = sc.start;
    sc
}

fn kernel(c: &mut Criterion) {
    const N: u64 = 1_000_000;
    let mut g = c.benchmark_group("kernel");
    g.throughput(Throughput::Elements(N));
    g.bench_function("schedule and pop 1M activations, 64 pending", |b| {
        b.iter(|| {
            let mut k: Kernel<u64> = Kernel::new(0);
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            for i in 0..64 {
                k.after(i, i as u64);
            }
            let mut n = 0;
            while let Some(v) = k.next_before(i64::MAX) {
                n += 1;
                if n >= N {
                    break;
                }
                // A cheap pseudo-random delay, as a simulation's timers would be.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                k.after((x % 100_000) as i64, v);
            }
            n
        })
    });
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let sc = scenario();
    let calls = Sim::new(&sc, 1, Discard).run().expect("runs").1.contacts;
    let dir = tempfile::tempdir().expect("a temp dir");
    let log = dir.path().join("mm6m.ccslog");
    let request = ReportRequest {
        metrics: [
            "queue.offered",
            "queue.answered",
            "queue.abandoned",
            "queue.asa",
            "queue.service_level.over_offered",
            "queue.occupancy",
        ]
        .iter()
        .map(|m| m.to_string())
        .collect(),
        ..ReportRequest::default()
    };
    let mut g = c.benchmark_group("mm6m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(calls));
    g.bench_function("simulate", |b| {
        b.iter(|| Sim::new(&sc, 1, Discard).run().expect("runs").1)
    });
    g.bench_function("log", |b| {
        b.iter(|| simulate(&sc, &RunConfig::new(1).log(&log)).expect("writes"))
    });
    for (name, threaded) in [("run", false), ("run, report on a second thread", true)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                run_once(&sc, 1, &request, None, None, threaded)
                    .expect("runs")
                    .stats
            })
        });
    }
    g.finish();
}

criterion_group!(benches, kernel, pipeline);
criterion_main!(benches);
