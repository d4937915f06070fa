//! The command line: clap definitions, and the one place their values are checked and turned
//! into the engine's requests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// ccsim: contact-center simulation and metric replay.
#[derive(Debug, Parser)]
#[command(name = "ccsim", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay an event log into metric figures.
    #[command(
        after_help = "Example:\n  ccsim replay day.jsonl --tz Europe/Paris --group-by agent,day --metrics gladly.away_time\n  ccsim replay day.ccslog --as-of 2021-05-01T12:00:00Z --format json"
    )]
    Replay(ReplayArgs),
    /// Check every worked example under scenarios/examples against the figure its seed states.
    #[command(
        after_help = "Example:\n  ccsim examples\n  ccsim examples --format json\n\nExit code 1 when any example disagrees with its seed."
    )]
    Examples(ExamplesArgs),
    /// List the metric catalog.
    #[command(
        after_help = "Example:\n  ccsim metrics\n  ccsim metrics --format markdown > docs/metrics.md"
    )]
    Metrics(MetricsArgs),
    /// Convert an event log between JSON Lines and the binary format.
    #[command(
        after_help = "Example:\n  ccsim convert day.jsonl day.ccslog\n  ccsim convert export.txt day.ccslog --from-format jsonl"
    )]
    Convert(ConvertArgs),
    /// Export the facts of an event log as tables another tool can load.
    #[command(
        after_help = "Example:\n  ccsim export --tables dynamics day.jsonl out/\n  ccsim export --tables dynamics day.ccslog out/ --as-of 2025-06-02T11:00:00Z\n\nWrites msdyn_ocliveworkitem.csv, msdyn_ocsession.csv, msdyn_sessionparticipant.csv,\nmsdyn_ocsessionparticipantevent.csv and systemuser.csv into the existing folder DIR,\neach under its final name only when complete."
    )]
    Export(ExportArgs),
    /// Simulate a scenario into an event log (binary or JSON Lines, by the extension).
    #[command(
        after_help = "Example:\n  ccsim simulate scenarios/default-week.toml --seed 7 --out week.ccslog\n  ccsim simulate scenarios/bench/mm6m.toml --replications 4 --out mm6m.jsonl\n\nWith --replications N > 1, writes one log per replication: mm6m-1.jsonl .. mm6m-4.jsonl.\nScenario files are described in docs/scenarios.md."
    )]
    Simulate(SimulateArgs),
    /// Simulate a scenario and report on it in one pass (no log unless --out).
    #[command(
        after_help = "Example:\n  ccsim run                                   # the embedded default week\n  ccsim run scenarios/bench/mm6m.toml --metrics queue.asa,queue.abandoned\n  ccsim run scenarios/bench/mm6m.toml --replications 10 --group-by day --format csv\n\nWith --replications N > 1, each figure is the mean over the replications with its 95 %\nconfidence half-width. Reports start after the scenario's warm-up unless --from is given."
    )]
    Run(RunArgs),
    /// Run a scenario at every point of a grid of values, replicated with common random
    /// numbers; each figure with its 95 % interval and its paired difference to a baseline.
    #[command(
        after_help = "Example:\n  ccsim sweep scenarios/bench/mm6m.toml --vary groups.agents.agents=6..9 --replications 10 --metrics queue.asa,queue.wait_probability\n  ccsim sweep week.toml --vary groups.digital.agents=10..20/5 --vary workstreams.chat.arrivals.multiplier=1,1.2 --baseline groups.digital.agents=15 --format csv --out sweep.csv\n\nValues: V1,V2,... (TOML values, or text), or whole-number ranges LOW..HIGH (both included) and\nLOW..HIGH/STEP. The grid is every combination, the first --vary changing slowest. Replication r\nof every point runs with the same seed; differences to the baseline (the first point unless\n--baseline) come with the paired 95 % interval of the per-replication differences."
    )]
    Sweep(SweepArgs),
    /// Erlang calculators: service level, waiting, abandonment or blocking, occupancy, and
    /// the fewest agents that meet a target.
    #[command(
        subcommand,
        after_help = "Example:\n  ccsim erlang c --calls 100 --per 30m --handle 3m --target 80/20s --shrinkage 0.3 --max-occupancy 0.85\n  ccsim erlang a --calls 100 --per 30m --handle 3m --patience 2m --agents 12\n  ccsim erlang b --calls 100 --per 30m --handle 3m --target-blocking 0.01\n\nErlang models voice-like work: one contact per agent at a time. Chat or messaging where\nan agent holds several conversations at once (concurrency) is not modelled; simulate it\nwith `ccsim run` and a scenario (docs/scenarios.md) instead."
    )]
    Erlang(ErlangModel),
}

/// `ccsim erlang`: which model.
#[derive(Debug, Subcommand)]
pub enum ErlangModel {
    /// Erlang C (M/M/c): callers wait until answered. Without --agents, solves for the fewest
    /// agents meeting --target (and --max-occupancy).
    #[command(
        after_help = "Example:\n  ccsim erlang c --calls 100 --per 30m --handle 3m --target 80/20s --shrinkage 0.3 --max-occupancy 0.85\n  ccsim erlang c --calls 200 --handle 180s --agents 14 --format json\n\nOne contact per agent at a time: for chat with concurrency, simulate with `ccsim run`."
    )]
    C(ErlangCArgs),
    /// Erlang A (M/M/c+M): callers abandon after an exponential patience with mean
    /// --patience. The service level counts answered-within-target calls over all calls
    /// offered (abandoned ones count against it).
    #[command(
        after_help = "Example:\n  ccsim erlang a --calls 100 --per 30m --handle 3m --patience 2m --target 80/20s\n\nOne contact per agent at a time: for chat with concurrency, simulate with `ccsim run`."
    )]
    A(ErlangAArgs),
    /// Erlang B (M/M/c/c): a call that finds every agent (or trunk) busy is lost. Gives the
    /// blocking of --agents, or solves for the fewest meeting --target-blocking.
    #[command(
        after_help = "Example:\n  ccsim erlang b --calls 100 --per 30m --handle 3m --agents 14\n  ccsim erlang b --calls 100 --per 30m --handle 3m --target-blocking 0.01"
    )]
    B(ErlangBArgs),
}

/// The flags every Erlang calculator takes: the calls, their handle time, the agents, the
/// shrinkage and the output format.
#[derive(Debug, Args)]
pub struct LoadFlags {
    /// Calls offered per --per period, e.g. 100.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub calls: String,
    /// The period --calls are counted over, a duration such as 30m or 1h.
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    pub per: String,
    /// Mean handle time (talk, hold and after-call work), a duration such as 180s or 3m.
    #[arg(long, value_name = "DURATION")]
    pub handle: String,
    /// Agents on the phones; without it, the calculator solves for the fewest meeting the
    /// target.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub agents: Option<String>,
    /// The share of paid time not on the phones (breaks, training, absence), e.g. 0.3 or 30%:
    /// scheduled positions = ceil(agents / (1 - shrinkage)). Default 0.
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    pub shrinkage: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// The service-level flags of Erlang C and A.
#[derive(Debug, Args)]
pub struct ServiceFlags {
    /// The service-level target PERCENT/DURATION: 80/20s is 80 % of calls answered within
    /// 20 seconds. Default 80/20s.
    #[arg(long, value_name = "PERCENT/DURATION")]
    pub target: Option<String>,
    /// The most occupancy to allow when solving for agents, e.g. 0.85 or 85%.
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    pub max_occupancy: Option<String>,
}

/// `ccsim erlang c`.
#[derive(Debug, Args)]
pub struct ErlangCArgs {
    /// Calls, handle time, agents, shrinkage and format.
    #[command(flatten)]
    pub load: LoadFlags,
    /// Target and maximum occupancy.
    #[command(flatten)]
    pub service: ServiceFlags,
}

/// `ccsim erlang a`.
#[derive(Debug, Args)]
pub struct ErlangAArgs {
    /// Calls, handle time, agents, shrinkage and format.
    #[command(flatten)]
    pub load: LoadFlags,
    /// Target and maximum occupancy.
    #[command(flatten)]
    pub service: ServiceFlags,
    /// Mean patience before a waiting caller abandons (exponentially distributed), a
    /// duration such as 120s or 2m.
    #[arg(long, value_name = "DURATION")]
    pub patience: String,
}

/// `ccsim erlang b`.
#[derive(Debug, Args)]
pub struct ErlangBArgs {
    /// Calls, handle time, agents (or trunks), shrinkage and format.
    #[command(flatten)]
    pub load: LoadFlags,
    /// The most blocking to allow when solving for agents (or trunks), e.g. 0.01 or 1%.
    #[arg(long, value_name = "SHARE", allow_hyphen_values = true)]
    pub target_blocking: Option<String>,
}

impl LoadFlags {
    /// The request these flags make, before the model's own flags.
    fn request(&self) -> ccsim_engine::queueing::CalculatorRequest {
        ccsim_engine::queueing::CalculatorRequest {
            calls: self.calls.clone(),
            per: Some(self.per.clone()),
            handle: self.handle.clone(),
            agents: self.agents.clone(),
            shrinkage: self.shrinkage.clone(),
            ..Default::default()
        }
    }
}

impl ErlangModel {
    /// The model and the calculator request these flags make (checked by the engine in one
    /// place).
    pub fn request(
        &self,
    ) -> (
        ccsim_engine::queueing::ModelKind,
        ccsim_engine::queueing::CalculatorRequest,
    ) {
        use ccsim_engine::queueing::{CalculatorRequest, ModelKind};
        match self {
            ErlangModel::C(a) => (
                ModelKind::C,
                CalculatorRequest {
                    target: a.service.target.clone(),
                    max_occupancy: a.service.max_occupancy.clone(),
                    ..a.load.request()
                },
            ),
            ErlangModel::A(a) => (
                ModelKind::A,
                CalculatorRequest {
                    target: a.service.target.clone(),
                    max_occupancy: a.service.max_occupancy.clone(),
                    patience: Some(a.patience.clone()),
                    ..a.load.request()
                },
            ),
            ErlangModel::B(a) => (
                ModelKind::B,
                CalculatorRequest {
                    target_blocking: a.target_blocking.clone(),
                    ..a.load.request()
                },
            ),
        }
    }

    /// The engine's output format.
    pub fn output(&self) -> ccsim_engine::report::OutputFormat {
        let load = match self {
            ErlangModel::C(a) => &a.load,
            ErlangModel::A(a) => &a.load,
            ErlangModel::B(a) => &a.load,
        };
        load.format.engine()
    }
}

/// `ccsim simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The seed; the same scenario and seed give the same log, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Independent replications, run in parallel, each with a seed derived from --seed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replications: usize,
    /// The log to write (.ccslog or .jsonl); written to a temporary file, then renamed.
    #[arg(long, value_name = "LOG")]
    pub out: PathBuf,
    /// Write this format instead of the one the extension names.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Override a scenario value (repeatable): KEY is its TOML key path, e.g.
    /// groups.agents.agents=7 or workstreams.calls.arrivals.multiplier=1.2; VALUE is a TOML
    /// value, or else text.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `ccsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML); without one, the embedded default week
    /// (scenarios/default-week.toml).
    pub scenario: Option<PathBuf>,
    /// The seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Independent replications, run in parallel; figures come with 95 % confidence intervals.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replications: usize,
    /// Also write the simulated log here (one per replication when there are several).
    #[arg(long, value_name = "LOG")]
    pub out: Option<PathBuf>,
    /// Write the log in this format instead of the one the extension names.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Override a scenario value (repeatable): KEY is its TOML key path, e.g.
    /// groups.agents.agents=7 or workstreams.calls.arrivals.multiplier=1.2; VALUE is a TOML
    /// value, or else text.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The report: window, grouping, metrics, definitions, settings and format.
    #[command(flatten)]
    pub report: ReportFlags,
}

/// `ccsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// A key and its values (repeatable): KEY=V1,V2,... or KEY=LOW..HIGH[/STEP], whole numbers,
    /// both ends included.
    #[arg(long = "vary", value_name = "KEY=VALUES", required = true)]
    pub vary: Vec<String>,
    /// Replications per point; replication r of every point runs with the same seed.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub replications: usize,
    /// The point differences are taken against, as KEY=VALUE,... of varied keys (default: the
    /// first point).
    #[arg(long, value_name = "KEY=VALUE,...")]
    pub baseline: Option<String>,
    /// Override a scenario value at every point (repeatable), as for `run`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The base seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the output here instead of standard output (to a temporary file, then renamed).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The report: window, grouping, metrics, definitions, settings and format.
    #[command(flatten)]
    pub report: ReportFlags,
}

impl RunArgs {
    /// The report request these flags make (checked by the engine in one place).
    pub fn request(&self) -> ccsim_engine::report::ReportRequest {
        self.report.request(ReplayOnly::default())
    }
}

impl SweepArgs {
    /// The report request these flags make (checked by the engine in one place).
    pub fn request(&self) -> ccsim_engine::report::ReportRequest {
        self.report.request(ReplayOnly::default())
    }
}

/// The report flags `replay` and `run` share.
#[derive(Debug, Args)]
pub struct ReportFlags {
    /// Reporting time zone, an IANA name.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,
    /// Window start: a date (in the reporting zone) or an RFC 3339 timestamp (default: the
    /// whole log; for `run`, the end of the scenario's warm-up).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Window end: a date (that whole day is included) or an RFC 3339 timestamp (excluded).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Group by these dimensions: day, interval, month, agent, channel, queue, bot, bot_version.
    #[arg(long, value_name = "DIM,...", value_delimiter = ',')]
    pub group_by: Vec<String>,
    /// Interval length in minutes for --group-by interval: 15, 30 or 60.
    #[arg(long, value_name = "MINUTES")]
    pub interval: Option<u32>,
    /// Only these metric ids, or id prefixes such as `queue` for every queue metric (default:
    /// every metric that supports the grouping).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub metrics: Vec<String>,
    /// Fix a versioned definition instead of choosing by the data's date, e.g. idle=legacy.
    #[arg(long = "definition", value_name = "KEY=VERSION")]
    pub definitions: Vec<String>,
    /// A named report, e.g. bot-usage: its metrics in one section per widget, with its own
    /// default window.
    #[arg(long, value_name = "NAME")]
    pub report: Option<String>,
    /// A platform setting some definitions depend on, e.g. sla.phone=30s, reopen_window=7d,
    /// service_level=30s (see `ccsim metrics --settings`).
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// The parts of a report request only `replay` has flags for.
#[derive(Debug, Default)]
pub struct ReplayOnly {
    /// `--as-of`.
    pub as_of: Option<String>,
    /// `--available-from`.
    pub available_from: Option<String>,
}

impl ReportFlags {
    /// The report request these flags make with `replay`'s own (checked by the engine in one
    /// place).
    pub fn request(&self, replay: ReplayOnly) -> ccsim_engine::report::ReportRequest {
        ccsim_engine::report::ReportRequest {
            tz: Some(self.tz.clone()),
            from: self.from.clone(),
            to: self.to.clone(),
            as_of: replay.as_of,
            group_by: self.group_by.clone(),
            interval: self.interval,
            metrics: self.metrics.clone(),
            definitions: self.definitions.clone(),
            available_from: replay.available_from,
            report: self.report.clone(),
            settings: self.settings.clone(),
        }
    }

    /// The engine's output format.
    pub fn output(&self) -> ccsim_engine::report::OutputFormat {
        self.format.engine()
    }
}

/// `ccsim replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The event log (.jsonl or .ccslog).
    pub log: PathBuf,
    /// The report: window, grouping, metrics, definitions, settings and format.
    #[command(flatten)]
    pub report: ReportFlags,
    /// Real-time view: fold events up to this time and count open entities up to it.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// With --report bot-usage: list the sessions behind the figures instead of the figures.
    #[arg(long, requires = "report")]
    pub rows: bool,
    /// Override the date a report's data is available from (earlier data is left out, and
    /// the report says how much).
    #[arg(long, value_name = "DATE")]
    pub available_from: Option<String>,
    /// Read the log as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
}

impl ReplayArgs {
    /// The report request these flags make (checked by the engine in one place).
    pub fn request(&self) -> ccsim_engine::report::ReportRequest {
        self.report.request(ReplayOnly {
            as_of: self.as_of.clone(),
            available_from: self.available_from.clone(),
        })
    }
}

/// `ccsim examples`.
#[derive(Debug, Args)]
pub struct ExamplesArgs {
    /// The folder of examples (default: scenarios/examples here, or in the source tree).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `ccsim metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// List the platform settings (`replay --setting KEY=VALUE`) and their defaults instead.
    #[arg(long)]
    pub settings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

/// `ccsim convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The log to read.
    pub input: PathBuf,
    /// The log to write (written to a temporary file, then renamed).
    pub output: PathBuf,
    /// Read the input as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    pub from_format: Option<LogFormat>,
    /// Write this format instead of the one the output's extension names.
    #[arg(long, value_enum)]
    pub to_format: Option<LogFormat>,
}

/// `ccsim export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which tables to write.
    #[arg(long, value_enum)]
    pub tables: TableSetArg,
    /// The event log (.jsonl or .ccslog).
    pub log: PathBuf,
    /// An existing folder to write the tables into.
    pub dir: PathBuf,
    /// Read events up to this time only; entities open then are written as open rows.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Read the log as this format instead of guessing from its extension.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
}

/// Table sets for `ccsim export --tables`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TableSetArg {
    /// Dynamics 365: live work items, sessions, session participants, participant events
    /// and users, with Dataverse option-set codes.
    Dynamics,
}

impl TableSetArg {
    /// The engine's table set.
    pub fn engine(self) -> ccsim_engine::export::TableSet {
        match self {
            TableSetArg::Dynamics => ccsim_engine::export::TableSet::Dynamics,
        }
    }
}

/// Event log formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// JSON Lines.
    Jsonl,
    /// The binary log.
    Binary,
}

impl LogFormat {
    /// The engine's format.
    pub fn engine(self) -> ccsim_engine::codec::Format {
        match self {
            LogFormat::Jsonl => ccsim_engine::codec::Format::Jsonl,
            LogFormat::Binary => ccsim_engine::codec::Format::Binary,
        }
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text.
    Table,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

impl ReportFormat {
    /// The engine's output format.
    pub fn engine(self) -> ccsim_engine::report::OutputFormat {
        match self {
            ReportFormat::Table => ccsim_engine::report::OutputFormat::Table,
            ReportFormat::Json => ccsim_engine::report::OutputFormat::Json,
            ReportFormat::Csv => ccsim_engine::report::OutputFormat::Csv,
        }
    }
}

/// Formats for lists.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// Aligned text.
    Table,
    /// JSON.
    Json,
}

/// Formats for the catalog.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CatalogFormat {
    /// Aligned text.
    Table,
    /// JSON.
    Json,
    /// Markdown (docs/metrics.md).
    Markdown,
}
