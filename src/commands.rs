//! One function per subcommand. Each returns the exit code (0, or 1 when a check disagrees)
//! or the error that stopped it (exit code 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use ccsim_engine::codec::{copy_log, create_log, open_log, LogHeader};
use ccsim_engine::examples::{example_dirs, run_example};
use ccsim_engine::listing;
use ccsim_engine::replay::{bot_usage_rows, replay_file};
use ccsim_engine::report::{render_rows, render_sections};
use ccsim_sim::overrides::Override;
use ccsim_sim::run::{LogTarget, RunConfig};
use ccsim_sim::scenario::Scenario;
use ccsim_sim::sweep::{Grid, Plan, Vary};

use crate::args::{
    CatalogFormat, Command, ConvertArgs, ErlangModel, ExamplesArgs, ExportArgs, ListFormat,
    MetricsArgs, ReplayArgs, RunArgs, SimulateArgs, SweepArgs,
};
use crate::error::CliError;

/// Runs `command`.
pub fn run(command: Command) -> Result<u8, CliError> {
    match command {
        Command::Replay(a) => replay_cmd(&a),
        Command::Examples(a) => examples_cmd(&a),
        Command::Metrics(a) => metrics_cmd(&a),
        Command::Convert(a) => convert_cmd(&a),
        Command::Export(a) => export_cmd(&a),
        Command::Simulate(a) => simulate_cmd(&a),
        Command::Run(a) => run_cmd(&a),
        Command::Sweep(a) => sweep_cmd(&a),
        Command::Erlang(model) => erlang_cmd(&model),
    }
}

fn print(text: &str) -> Result<u8, CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(0),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(CliError::Stdout(e)),
    }
}

fn erlang_cmd(model: &ErlangModel) -> Result<u8, CliError> {
    let (kind, request) = model.request();
    let calculation = request.to_calculation(kind)?;
    let report = ccsim_engine::queueing::calculate(&calculation)?;
    print(&ccsim_engine::queueing::render_calculator(
        &report,
        model.output(),
    ))
}

fn replay_cmd(a: &ReplayArgs) -> Result<u8, CliError> {
    let request = a.request();
    let format = a.log_format.map(|f| f.engine());
    if a.rows {
        let rows = bot_usage_rows(&a.log, format, &request)?;
        return print(&render_rows(&rows, a.report.output()));
    }
    let sections = replay_file(&a.log, format, &request)?;
    print(&render_sections(&sections, a.report.output()))
}

/// The examples folder: the one given, else `scenarios/examples` here, else in the source tree.
fn examples_root(dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = dir {
        return dir.to_path_buf();
    }
    let here = Path::new("scenarios/examples");
    if here.is_dir() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples")
}

fn examples_cmd(a: &ExamplesArgs) -> Result<u8, CliError> {
    let root = examples_root(a.dir.as_deref());
    let dirs = example_dirs(&root)?;
    if dirs.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no examples found; expected folders holding example.toml",
            root.display()
        )));
    }
    let mut outcomes = Vec::new();
    for dir in dirs {
        let run = run_example(&dir)?;
        outcomes.extend(run.checks);
    }
    let text = match a.format {
        ListFormat::Table => listing::outcomes_table(&outcomes),
        ListFormat::Json => listing::outcomes_json(&outcomes),
    };
    print(&text)?;
    Ok(if outcomes.iter().all(|o| o.ok) { 0 } else { 1 })
}

fn metrics_cmd(a: &MetricsArgs) -> Result<u8, CliError> {
    if a.settings {
        return print(&listing::settings_table());
    }
    print(&match a.format {
        CatalogFormat::Table => listing::catalog_table(),
        CatalogFormat::Json => listing::catalog_json(),
        CatalogFormat::Markdown => listing::catalog_markdown(),
    })
}

fn convert_cmd(a: &ConvertArgs) -> Result<u8, CliError> {
    if a.input == a.output {
        return Err(CliError::Usage(format!(
            "{}: input and output are the same file; expected two paths",
            a.input.display()
        )));
    }
    let mut source = open_log(&a.input, a.from_format.map(|f| f.engine()))?;
    let header = LogHeader {
        producer: format!("ccsim {} convert", env!("CARGO_PKG_VERSION")),
        scenario_hash: None,
        seed: None,
    };
    let sink = create_log(&a.output, a.to_format.map(|f| f.engine()), &header)?;
    let n = copy_log(&mut *source, sink)?;
    eprintln!("ccsim: wrote {n} events to {}", a.output.display());
    Ok(0)
}

fn export_cmd(a: &ExportArgs) -> Result<u8, CliError> {
    let exported = ccsim_engine::export::export_file(
        &a.log,
        a.log_format.map(|f| f.engine()),
        a.tables.engine(),
        &a.dir,
        a.as_of.as_deref(),
    )?;
    for (path, rows) in &exported.tables {
        eprintln!("ccsim: wrote {rows} rows to {}", path.display());
    }
    Ok(0)
}

/// The `--set` overrides, read.
fn overrides(set: &[String]) -> Result<Vec<Override>, CliError> {
    set.iter()
        .map(|text| Override::parse("--set", text).map_err(CliError::from))
        .collect()
}

/// The scenario at `path`, or the embedded default week, with the `--set` overrides `set`.
fn load_scenario(path: Option<&Path>, set: &[String]) -> Result<Scenario, CliError> {
    use ccsim_sim::scenario::{DEFAULT_WEEK, DEFAULT_WEEK_FILE};
    let overrides = overrides(set)?;
    match path {
        Some(p) => Scenario::load_with(p, &overrides),
        None => Scenario::parse_with(DEFAULT_WEEK, DEFAULT_WEEK_FILE, &overrides),
    }
    .map_err(CliError::from)
}

/// A progress bar over simulated time, on a terminal only.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar for `replications` runs of `sc`, if standard error is a terminal.
    fn new(sc: &Scenario, replications: usize) -> Progress {
        let ms = sc.end.millis_since(sc.start) * replications.max(1) as i64;
        Progress::over(ms, "simulating")
    }

    /// A bar over `ms` milliseconds of simulated time, labelled `verb`, if standard error is
    /// a terminal.
    fn over(ms: i64, verb: &str) -> Progress {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new((ms / 1000).max(1) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner}} {verb} [{{bar:40}}] {{percent:>3}}% of simulated time, {{elapsed}} elapsed"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Progress(Some(bar))
    }

    /// `ms` more milliseconds simulated.
    fn tick(&self, ms: i64) {
        if let Some(bar) = &self.0 {
            bar.inc((ms.max(0) / 1000) as u64);
        }
    }

    /// `tick` as the simulator's progress callback, when there is a bar to move.
    fn callback<'a>(
        &self,
        tick: &'a ccsim_sim::run::Progress<'a>,
    ) -> Option<&'a ccsim_sim::run::Progress<'a>> {
        self.0.as_ref().map(|_| tick)
    }

    /// Clears the bar.
    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The one-line summary: events, contacts, and how fast.
fn summary_line(verb: &str, events: u64, contacts: u64, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    format!(
        "ccsim: {verb} {events} events, {contacts} contacts in {secs:.2} s ({:.0} events/s, {:.0} contacts/s)",
        events as f64 / secs,
        contacts as f64 / secs
    )
}

fn simulate_cmd(a: &SimulateArgs) -> Result<u8, CliError> {
    let sc = load_scenario(Some(&a.scenario), &a.set)?;
    let progress = Progress::new(&sc, a.replications);
    let tick = |ms: i64| progress.tick(ms);
    let log = LogTarget {
        path: &a.out,
        format: a.log_format.map(|f| f.engine()),
    };
    let config = RunConfig::new(a.seed)
        .replications(a.replications)
        .log_to(Some(log))
        .progress(progress.callback(&tick));
    let started = std::time::Instant::now();
    let written = ccsim_sim::run::simulate(&sc, &config)?;
    progress.finish();
    let events = written.iter().map(|w| w.stats.events).sum();
    let contacts = written.iter().map(|w| w.stats.contacts).sum();
    let files: Vec<String> = written
        .iter()
        .map(|w| w.path.display().to_string())
        .collect();
    eprintln!(
        "{} to {}",
        summary_line("simulated", events, contacts, started.elapsed()),
        files.join(", ")
    );
    Ok(0)
}

fn run_cmd(a: &RunArgs) -> Result<u8, CliError> {
    let sc = load_scenario(a.scenario.as_deref(), &a.set)?;
    let request = a.request();
    let progress = Progress::new(&sc, a.replications);
    let tick = |ms: i64| progress.tick(ms);
    let log = a.out.as_deref().map(|path| LogTarget {
        path,
        format: a.log_format.map(|f| f.engine()),
    });
    let config = RunConfig::new(a.seed)
        .replications(a.replications)
        .log_to(log)
        .progress(progress.callback(&tick));
    let started = std::time::Instant::now();
    let reps = ccsim_sim::run::run(&sc, &request, &config)?;
    progress.finish();
    let elapsed = started.elapsed();
    let events = reps.iter().map(|r| r.stats.events).sum();
    let contacts = reps.iter().map(|r| r.stats.contacts).sum();
    let text = match reps.as_slice() {
        [one] => render_sections(&one.sections, a.report.output()),
        _ => {
            let mut summary = ccsim_sim::summary::summarize(&reps);
            summary.overrides = sc.overrides.clone();
            ccsim_sim::summary::render_summary(&summary, a.report.output())
        }
    };
    let code = print(&text)?;
    eprintln!(
        "{} ({}, seed {})",
        summary_line("simulated and reported", events, contacts, elapsed),
        sc.name,
        a.seed
    );
    Ok(code)
}

fn sweep_cmd(a: &SweepArgs) -> Result<u8, CliError> {
    let set = overrides(&a.set)?;
    let varies = a
        .vary
        .iter()
        .map(|text| Vary::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = Plan::new(
        Grid::new(varies),
        &set,
        a.baseline.as_deref(),
        |overrides| Scenario::load_with(&a.scenario, overrides),
    )?;
    let progress = Progress::over(plan.simulated_ms(a.replications), "sweeping");
    let tick = |ms: i64| progress.tick(ms);
    let started = std::time::Instant::now();
    let sweep = ccsim_sim::sweep::sweep(
        &plan,
        &a.request(),
        a.seed,
        a.replications,
        progress.callback(&tick),
    )?;
    progress.finish();
    let elapsed = started.elapsed();
    let text = ccsim_sim::sweep::render::render_sweep(&sweep, a.report.output());
    let code = match &a.out {
        Some(path) => {
            write_atomically(path, &text)?;
            0
        }
        None => print(&text)?,
    };
    eprintln!(
        "{} ({}, {} points × {} replications, seed {})",
        summary_line(
            "simulated and reported",
            sweep.events,
            sweep.contacts,
            elapsed
        ),
        sweep.scenario,
        sweep.points.len(),
        sweep.replications,
        a.seed
    );
    Ok(code)
}

/// Writes `text` to a temporary file beside `path`, then renames it into place, so `path`
/// only ever holds a complete output.
fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let error =
        |e: std::io::Error| CliError::Usage(format!("{}: cannot write it: {e}", path.display()));
    std::fs::write(&temp, text).map_err(error)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        error(e)
    })
}
