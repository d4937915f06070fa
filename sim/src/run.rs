//! Running scenarios: to log files (`ccsim simulate`), or straight into the engine's fold and
//! report builders with no log in between (`ccsim run`), one replication or several in
//! parallel. Replication `i` runs with a seed derived from the base seed and `i` alone, so the
//! output is the same at any thread count.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};

use ccsim_engine::codec::{create_log, Format, LogHeader};
use ccsim_engine::relay;
use ccsim_engine::report::{ReportRequest, RequestError, SectionBuilders, SectionReport};
use rayon::prelude::*;

use crate::dist::replication_seed;
use crate::model::{Sim, SimStats};
use crate::output::{FoldOutput, LogOutput, SimError, Tee};
use crate::scenario::{Scenario, ScenarioError};

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The scenario does not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A report setting is wrong.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The simulation failed (a log could not be written).
    #[error(transparent)]
    Sim(#[from] SimError),
    /// Something about the run itself is wrong.
    #[error("{0}")]
    Usage(String),
}

/// Reports the progress of simulated time, in milliseconds simulated since the last call,
/// from any thread.
pub type Progress<'a> = dyn Fn(i64) + Sync + 'a;

/// The path of replication `i` (0-based) of `n`: the path itself for a single run, else the
/// file stem with `-1`, `-2`, ... before the extension.
pub fn replication_path(path: &Path, i: usize, n: usize) -> PathBuf {
    if n <= 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{}.{}", i + 1, ext.to_string_lossy()),
        None => format!("{stem}-{}", i + 1),
    };
    path.with_file_name(name)
}

/// The header of a simulated binary log. The producer names the scenario's overrides
/// (`ccsim 0.1.0 simulate --set groups.agents.agents=7`): the header's fields are fixed by the
/// format version, and the producer is free text.
pub fn header(sc: &Scenario, seed: u64) -> LogHeader {
    let mut producer = format!("ccsim {} simulate", env!("CARGO_PKG_VERSION"));
    for o in &sc.overrides {
        producer.push(' ');
        producer.push_str(o);
    }
    LogHeader {
        producer,
        scenario_hash: Some(sc.hash),
        seed: Some(seed),
    }
}

/// One replication written to a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The log.
    pub path: PathBuf,
    /// The seed it ran with.
    pub seed: u64,
    /// What was simulated.
    pub stats: SimStats,
}

pub(crate) fn check_replications(n: usize) -> Result<(), RunError> {
    if n == 0 {
        return Err(RunError::Usage(
            "--replications: 0; expected at least 1".into(),
        ));
    }
    Ok(())
}

/// How to run a scenario: the base seed, how many replications, where their logs go, and
/// whom to tell how far simulated time has come.
#[derive(Clone, Copy)]
pub struct RunConfig<'a> {
    /// The base seed; replication `i` runs with a seed derived from it and `i`.
    pub seed: u64,
    /// Independent replications, run in parallel (at least 1).
    pub replications: usize,
    /// The log to write (one per replication, see [`replication_path`]); `ccsim run` writes
    /// none unless asked.
    pub log: Option<LogTarget<'a>>,
    /// Told of simulated time's progress, from any thread.
    pub progress: Option<&'a Progress<'a>>,
}

impl<'a> RunConfig<'a> {
    /// One replication with `seed`, no log, no progress.
    pub fn new(seed: u64) -> Self {
        RunConfig {
            seed,
            replications: 1,
            log: None,
            progress: None,
        }
    }

    /// With `replications` replications.
    pub fn replications(self, replications: usize) -> Self {
        RunConfig {
            replications,
            ..self
        }
    }

    /// Writing a log to `path`, in the format its extension names.
    pub fn log(self, path: &'a Path) -> Self {
        RunConfig {
            log: Some(LogTarget { path, format: None }),
            ..self
        }
    }

    /// Writing a log to `target`, if given.
    pub fn log_to(self, target: Option<LogTarget<'a>>) -> Self {
        RunConfig {
            log: target,
            ..self
        }
    }

    /// Telling `progress` how far simulated time has come, if given.
    pub fn progress(self, progress: Option<&'a Progress<'a>>) -> Self {
        RunConfig { progress, ..self }
    }
}

/// Where a simulated log is written.
#[derive(Clone, Copy, Debug)]
pub struct LogTarget<'a> {
    /// The path (with several replications, the pattern of their paths).
    pub path: &'a Path,
    /// The format, or `None` for the one the extension names.
    pub format: Option<Format>,
}

/// Simulates the replications of `sc` that `config` asks for into logs (see
/// [`replication_path`]), in parallel.
pub fn simulate(sc: &Scenario, config: &RunConfig<'_>) -> Result<Vec<Written>, RunError> {
    check_replications(config.replications)?;
    let Some(log) = config.log else {
        return Err(RunError::Usage(
            "simulate: no log to write; expected a path".into(),
        ));
    };
    (0..config.replications)
        .into_par_iter()
        .map(|i| {
            let seed = replication_seed(config.seed, i as u64);
            let path = replication_path(log.path, i, config.replications);
            let sink = create_log(&path, log.format, &header(sc, seed)).map_err(SimError::from)?;
            let tracker = Tracker::new(sc, config.progress);
            let report = |t: i64| tracker.at(t);
            let mut sim = Sim::new(sc, seed, LogOutput(sink));
            if config.progress.is_some() {
                sim = sim.with_progress(&report);
            }
            let (out, stats) = sim.run()?;
            out.finish()?;
            tracker.done();
            Ok(Written { path, seed, stats })
        })
        .collect()
}

/// Turns absolute simulated times into increments for a shared progress callback.
struct Tracker<'a> {
    last: AtomicI64,
    end: i64,
    progress: Option<&'a Progress<'a>>,
}

impl<'a> Tracker<'a> {
    fn new(sc: &Scenario, progress: Option<&'a Progress<'a>>) -> Self {
        Tracker {
            last: AtomicI64::new(sc.start.millis()),
            end: sc.end.millis(),
            progress,
        }
    }

    fn at(&self, t: i64) {
        let before = self.last.swap(t, Ordering::Relaxed);
        if let Some(p) = self.progress {
            p(t - before);
        }
    }

    fn done(&self) {
        self.at(self.end);
    }
}

/// The report request of a run: the user's, with the window starting after the warm-up
/// unless the user set one.
pub(crate) fn run_request(sc: &Scenario, request: &ReportRequest) -> ReportRequest {
    let mut r = request.clone();
    if r.from.is_none() && sc.warmup_end > sc.start {
        r.from = Some(sc.warmup_end.to_rfc3339());
    }
    r
}

/// One replication simulated and reported.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Its seed.
    pub seed: u64,
    /// What was simulated.
    pub stats: SimStats,
    /// The report, section by section.
    pub sections: Vec<SectionReport>,
}

/// Simulates `sc` with `seed` and reports on it in one pass: events go from the simulator into
/// the fold and the report builders, and into the log at `log` only when one is given. With
/// `threaded`, the report builders run on a thread of their own beside the simulator and the
/// fold.
pub fn run_once(
    sc: &Scenario,
    seed: u64,
    request: &ReportRequest,
    log: Option<LogTarget<'_>>,
    progress: Option<&Progress<'_>>,
    threaded: bool,
) -> Result<Replication, RunError> {
    let request = run_request(sc, request);
    let sections = request.to_sections(Some(sc.end))?;
    let tracker = Tracker::new(sc, progress);
    let report = |t: i64| tracker.at(t);
    let fold = FoldOutput::for_scenario(SectionBuilders::new(sections, threaded), sc);
    let (fold, stats) = match log {
        None => {
            let mut sim = Sim::new(sc, seed, fold);
            if progress.is_some() {
                sim = sim.with_progress(&report);
            }
            sim.run()?
        }
        Some(log) => {
            let sink =
                create_log(log.path, log.format, &header(sc, seed)).map_err(SimError::from)?;
            let mut sim = Sim::new(sc, seed, Tee(fold, LogOutput(sink)));
            if progress.is_some() {
                sim = sim.with_progress(&report);
            }
            let (Tee(fold, log), stats) = sim.run()?;
            log.finish()?;
            (fold, stats)
        }
    };
    let folded = fold.fold.finish(None);
    tracker.done();
    let mut notes = Vec::new();
    if !sc.overrides.is_empty() {
        notes.push(format!(
            "scenario values overridden: {}",
            sc.overrides.join(", ")
        ));
    }
    if let Some(parts) = folded.open.describe() {
        notes.push(format!(
            "still open when the simulation ended: {parts}; metrics over closed entities leave them out"
        ));
    }
    Ok(Replication {
        seed,
        stats,
        sections: folded.sink.finish(&folded.names, folded.events, notes),
    })
}

/// Runs the replications of `sc` that `config` asks for in parallel, each simulated and
/// reported; the results come back in replication order. With a log in `config`, each
/// replication's log is written too (see [`replication_path`]).
pub fn run(
    sc: &Scenario,
    request: &ReportRequest,
    config: &RunConfig<'_>,
) -> Result<Vec<Replication>, RunError> {
    check_replications(config.replications)?;
    // Check the request once before simulating anything.
    run_request(sc, request).to_sections(Some(sc.end))?;
    // Each replication's report builders get a thread of their own when there are cores to
    // spare for them.
    let threaded = relay::worth_it(config.replications);
    (0..config.replications)
        .into_par_iter()
        .map(|i| {
            let seed = replication_seed(config.seed, i as u64);
            let path = config.log.map(|log| {
                (
                    replication_path(log.path, i, config.replications),
                    log.format,
                )
            });
            let log = path.as_ref().map(|(path, format)| LogTarget {
                path,
                format: *format,
            });
            run_once(sc, seed, request, log, config.progress, threaded)
        })
        .collect()
}
