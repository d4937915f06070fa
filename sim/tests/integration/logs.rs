//! What the simulator writes, read back through the engine: byte-identical logs for a seed
//! at any thread count, common random numbers across what-ifs, conservation of contacts, and
//! Little's law on the queue.

use std::path::Path;

use crate::support::{interval, mmc, seed};
use ccsim_engine::codec::{open_log, BinaryReader, Format};
use ccsim_engine::event::EventKind;
use ccsim_engine::facts::{Fact, FactSink, StayEnd};
use ccsim_engine::queueing::ErlangA;
use ccsim_engine::replay::{fold_log, replay_file};
use ccsim_engine::report::ReportRequest;
use ccsim_sim::run::{run_once, simulate, LogTarget, RunConfig};
use ccsim_sim::scenario::Scenario;

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("the log was written")
}

/// Simulates `replications` logs of the default week (two days of it) in a pool of `threads`.
fn week_logs(dir: &Path, name: &str, threads: usize, replications: usize) -> Vec<Vec<u8>> {
    let mut sc = ccsim_sim::scenario::Scenario::parse(
        ccsim_sim::scenario::DEFAULT_WEEK,
        ccsim_sim::scenario::DEFAULT_WEEK_FILE,
    )
    .expect("the default week loads");
    sc.end = sc.start.plus_millis(2 * ccsim_engine::time::DAY_MS);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let path = dir.join(name);
    let written = pool
        .install(|| {
            simulate(
                &sc,
                &RunConfig::new(7).replications(replications).log(&path),
            )
        })
        .expect("simulated");
    written.iter().map(|w| bytes(&w.path)).collect()
}

#[test]
fn the_same_seed_gives_the_same_bytes_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let one = week_logs(dir.path(), "one.ccslog", 1, 3);
    let two = week_logs(dir.path(), "two.ccslog", 2, 3);
    assert_eq!(one.len(), 3);
    for (a, b) in one.iter().zip(&two) {
        assert!(a == b, "a replication differs between 1 and 2 threads");
    }
    // Replications differ from each other, and JSON Lines is as stable as binary.
    assert!(one[0] != one[1]);
    let j1 = week_logs(dir.path(), "a.jsonl", 2, 1);
    let j2 = week_logs(dir.path(), "b.jsonl", 1, 1);
    assert!(j1 == j2);
    // The header records the scenario's hash and the seed.
    let reader = BinaryReader::new(&one[0][..], "one-1.ccslog").expect("a binary log");
    assert_eq!(reader.header().seed, Some(7));
    assert!(reader.header().scenario_hash.is_some());
    assert!(reader.header().producer.starts_with("ccsim "));
}

/// The instants of every contact_started in a log.
fn arrivals(path: &Path) -> Vec<i64> {
    let mut src = open_log(path, None).expect("the log opens");
    let mut out = Vec::new();
    while let Some((_, e)) = src.next_event().expect("it reads") {
        if let EventKind::ContactStarted { .. } = e.kind {
            out.push(e.at.millis());
        }
    }
    out
}

#[test]
fn what_ifs_share_their_arrivals() {
    // Common random numbers: one more agent changes waits, not who arrives when.
    let dir = tempfile::tempdir().expect("a temp dir");
    let six = mmc(100.0, 180.0, Some(120.0), 6, 50.0, 0.0);
    let seven = mmc(100.0, 180.0, Some(120.0), 7, 50.0, 0.0);
    let a = dir.path().join("six.ccslog");
    let b = dir.path().join("seven.ccslog");
    simulate(&six, &RunConfig::new(3).log(&a)).expect("simulated");
    simulate(&seven, &RunConfig::new(3).log(&b)).expect("simulated");
    let (x, y) = (arrivals(&a), arrivals(&b));
    assert!(x.len() > 4000);
    assert_eq!(x, y);
    assert!(bytes(&a) != bytes(&b));
}

#[test]
fn every_arrival_is_answered_abandoned_or_still_waiting() {
    let dir = tempfile::tempdir().expect("a temp dir");
    // Overloaded (4 agents for 5 Erlangs), so many are still waiting at the end.
    let sc = mmc(100.0, 180.0, Some(600.0), 4, 100.0, 0.0);
    let path = dir.path().join("c.ccslog");
    simulate(&sc, &RunConfig::new(5).log(&path)).expect("simulated");
    let started = arrivals(&path).len() as f64;
    let request = ReportRequest {
        metrics: vec![
            "queue.offered".into(),
            "queue.answered".into(),
            "queue.abandoned".into(),
        ],
        ..ReportRequest::default()
    };
    let report = &replay_file(&path, None, &request).expect("replayed")[0].report;
    let get = |m: &str| report.value(m, &[]).flatten().expect("a figure");
    // The stays still waiting when the log ends: the fold emits them as open rows.
    #[derive(Default)]
    struct Waiting(u64);
    impl FactSink for Waiting {
        fn fact(&mut self, fact: &Fact<'_>) {
            if matches!(fact, Fact::QueueStay(s) if s.end == StayEnd::Open) {
                self.0 += 1;
            }
        }
    }
    let mut src = open_log(&path, Some(Format::Binary)).expect("opens");
    let waiting = fold_log(&mut *src, Waiting::default(), None)
        .expect("folds")
        .sink
        .0 as f64;
    assert!(waiting > 0.0);
    // One queue and no transfers: each call has one stay, taken by an agent, left by its
    // customer, or still waiting.
    assert_eq!(
        get("queue.offered"),
        get("queue.answered") + get("queue.abandoned")
    );
    assert_eq!(started, get("queue.offered") + waiting);
}

/// The time-average number of calls waiting over `[from, to)`, from the log's events alone.
fn mean_waiting(path: &Path, from: i64, to: i64) -> f64 {
    let mut src = open_log(path, None).expect("the log opens");
    let (mut n, mut last, mut area) = (0i64, from, 0f64);
    let mut waiting = std::collections::HashSet::new();
    while let Some((_, e)) = src.next_event().expect("it reads") {
        let t = e.at.millis().clamp(from, to);
        area += n as f64 * (t - last) as f64;
        last = t;
        match e.kind {
            EventKind::ContactQueued { contact, .. } => {
                waiting.insert(contact.to_string());
            }
            EventKind::ContactFulfilled { contact, .. }
            | EventKind::ContactEnded { contact, .. } => {
                waiting.remove(contact);
            }
            _ => continue,
        }
        n = waiting.len() as i64;
    }
    area += n as f64 * (to - last) as f64;
    area / (to - from) as f64
}

#[test]
fn littles_law_on_the_queue() {
    // L = λW: the time-average queue length, measured from the events, against the offered
    // rate times the engine's average wait, and against the Erlang A formula.
    let dir = tempfile::tempdir().expect("a temp dir");
    let sc = mmc(100.0, 180.0, Some(120.0), 6, 210.0, 10.0);
    let path = dir.path().join("little.ccslog");
    let written =
        simulate(&sc, &RunConfig::new(seed(9)).replications(10).log(&path)).expect("simulated");
    let request = ReportRequest {
        metrics: vec!["queue.offered".into(), "queue.average_wait".into()],
        from: Some(sc.warmup_end.to_rfc3339()),
        ..ReportRequest::default()
    };
    let (from, to) = (sc.warmup_end.millis(), sc.end.millis());
    let hours = (to - from) as f64 / 3.6e6;
    let mut measured = Vec::new();
    for w in &written {
        let report = &replay_file(&w.path, None, &request).expect("replayed")[0].report;
        let get = |m: &str| report.value(m, &[]).flatten().expect("a figure");
        let lambda = get("queue.offered") / (hours * 3600.0);
        let little = lambda * get("queue.average_wait");
        let l = mean_waiting(&w.path, from, to);
        // The sample-path identity holds up to calls straddling the window's edges.
        assert!((l - little).abs() / l < 0.02, "L {l} vs λW {little}");
        measured.push(l);
    }
    let q = ErlangA {
        arrival_rate: 100.0 / 3600.0,
        handle_s: 180.0,
        patience_s: 120.0,
        agents: 6,
    };
    let (mean, half, _) = interval(&measured);
    let expected = q.figures(20.0, 5.0).mean_queue;
    eprintln!("Lq formula {expected:.4}, measured {mean:.4} ± {half:.4}");
    assert!((expected - mean).abs() <= half);
}

#[test]
fn a_run_reports_what_replaying_its_own_log_reports() {
    // Half the handled customers come back after about a reopen window (2 h): some reopen their
    // conversation, the others are too late and open a new one, and some come back again.
    // `ccsim run` folds with the scenario's reopen window, forgetting conversations that can no
    // longer reopen; replaying the log it wrote folds without one and forgets nothing. The
    // figures must agree, and an expiring fold must accept every reopen the simulator writes.
    let sc = Scenario::parse(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 48.0

[platform]
reopen_window_h = 2.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 30.0 }
queue = "calls"
handle = { dist = "exponential", mean_s = 300.0 }
returns = { probability = 0.5, delay = { dist = "exponential", mean_s = 7200.0 } }

[queues.calls]

[groups.agents]
agents = 4
capacity = { phone = 1 }
"#,
        "returns.toml",
    )
    .expect("the scenario loads");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("returns.jsonl");
    run_equals_replay(&sc, 11, &path);
    // The log has both kinds of return.
    let mut src = open_log(&path, None).expect("the log opens");
    let (mut reopened, mut opened) = (0, 0);
    while let Some((_, e)) = src.next_event().expect("it reads") {
        match e.kind {
            EventKind::ConversationReopened { .. } => reopened += 1,
            EventKind::ConversationOpened { .. } => opened += 1,
            _ => {}
        }
    }
    let arrivals = 30 * 48;
    assert!(reopened > 100, "{reopened} reopens");
    assert!(
        opened > arrivals + 100,
        "{opened} conversations for ~{arrivals} arrivals"
    );
}

#[test]
fn a_run_of_the_default_week_reports_what_replaying_its_log_reports() {
    // Every process at once (bots, transfers, consults, holds, returns, profile views, shifts):
    // what `ccsim run` forgets and settles along the way changes no figure of any family.
    let mut sc = ccsim_sim::scenario::Scenario::parse(
        ccsim_sim::scenario::DEFAULT_WEEK,
        ccsim_sim::scenario::DEFAULT_WEEK_FILE,
    )
    .expect("the default week loads");
    sc.end = sc.start.plus_millis(3 * ccsim_engine::time::DAY_MS);
    let dir = tempfile::tempdir().expect("a temp dir");
    run_equals_replay(&sc, 5, &dir.path().join("week.ccslog"));
}

/// Runs `sc` with every metric, writing its log to `path`, and checks that replaying the log
/// reports the same figures.
fn run_equals_replay(sc: &Scenario, seed: u64, path: &Path) {
    let mut request = ReportRequest::default();
    if sc.warmup_end > sc.start {
        // A run reports from the end of the warm-up; so must the replay.
        request.from = Some(sc.warmup_end.to_rfc3339());
    }
    let ran = run_once(
        sc,
        seed,
        &request,
        Some(LogTarget { path, format: None }),
        None,
        false,
    )
    .expect("runs");
    let replayed = replay_file(path, None, &request).expect("replays");
    // Run again with the report builders on a thread of their own (a relay), whatever the
    // machine: that may change no figure either.
    let relayed = run_once(sc, seed, &request, None, None, true).expect("runs");
    for run in [ran, relayed] {
        assert_eq!(run.sections.len(), replayed.len());
        let rows: usize = run.sections.iter().map(|s| s.report.rows.len()).sum();
        assert!(rows > 20);
        for (a, b) in run.sections.iter().zip(&replayed) {
            assert_eq!(a.report.rows, b.report.rows);
            assert_eq!(a.report.events, b.report.events);
        }
    }
}
