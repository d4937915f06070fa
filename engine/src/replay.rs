//! Replaying a log: reading events, folding them, and building a report. This is the only
//! place where a source, the fold and a sink meet.

use std::path::Path;

use crate::codec::{open_log, EventSource, Format, LogError, Position};
use crate::facts::FactSink;
use crate::fold::{Fold, FoldError, Folded};
use crate::relay;
use crate::report::{
    BotUsageRows, Report, ReportRequest, ReportSpec, RequestError, Rows, Section, SectionBuilders,
    SectionReport,
};
use crate::time::Instant;

/// Why a replay stopped. Both kinds are fatal: no figures come from a log that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The log could not be read.
    #[error(transparent)]
    Log(#[from] LogError),
    /// An event contradicts the events before it.
    #[error("{file}, {place}: {error}")]
    Fold {
        /// The log.
        file: String,
        /// Where the event is.
        place: Position,
        /// What is wrong with it.
        error: Box<FoldError>,
    },
}

/// Folds every event of `source` (up to `as_of`, when given) into `sink`.
pub fn fold_log<S: FactSink>(
    source: &mut dyn EventSource,
    sink: S,
    as_of: Option<Instant>,
) -> Result<Folded<S>, ReplayError> {
    let file = source.file().to_string();
    let mut fold = Fold::new(sink);
    while let Some((place, event)) = source.next_event()? {
        if as_of.is_some_and(|cut| event.at > cut) {
            break;
        }
        if let Err(error) = fold.apply(&event) {
            return Err(ReplayError::Fold {
                file,
                place,
                error: Box::new(error),
            });
        }
    }
    Ok(fold.finish(as_of))
}

/// Replays `source` into the report `spec` asks for.
pub fn replay(source: &mut dyn EventSource, spec: ReportSpec) -> Result<Report, ReplayError> {
    let title = None;
    let mut out = replay_sections(source, vec![Section { title, spec }])?;
    Ok(out.remove(0).report)
}

/// Replays `source` once into every section (they share the real-time cut-off of the first).
pub(crate) fn replay_sections(
    source: &mut dyn EventSource,
    sections: Vec<Section>,
) -> Result<Vec<SectionReport>, ReplayError> {
    let as_of = sections.first().and_then(|s| s.spec.as_of);
    // The report builders take the facts on a core of their own when there is one to spare.
    let builders = SectionBuilders::new(sections, relay::worth_it(1));
    let folded = fold_log(source, builders, as_of)?;
    let mut notes = Vec::new();
    if let Some(parts) = folded.open.describe() {
        notes.push(match as_of {
            Some(t) => format!("open at {t} and counted up to it: {parts}"),
            None => format!(
                "still open at the end of the log: {parts}; metrics over closed entities leave them out (use --as-of to count them up to a time)"
            ),
        });
    }
    Ok(folded.sink.finish(&folded.names, folded.events, notes))
}

/// Why a replay of a file could not run: the request, or the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// A setting is wrong.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The log is unreadable or inconsistent.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

impl From<LogError> for RunError {
    fn from(e: LogError) -> Self {
        RunError::Replay(ReplayError::Log(e))
    }
}

/// The instant of the last event in the log at `path` (a quick first pass, for reports whose
/// default window ends on the last event's date).
pub(crate) fn last_event(path: &Path, format: Option<Format>) -> Result<Option<Instant>, LogError> {
    let mut source = open_log(path, format)?;
    let mut last = None;
    while let Some((_, event)) = source.next_event()? {
        last = Some(event.at);
    }
    Ok(last)
}

/// Replays the log at `path` as `request` asks: checks the request, reads the log once more
/// first when a default window needs the last event's date, and builds every section.
pub fn replay_file(
    path: &Path,
    format: Option<Format>,
    request: &ReportRequest,
) -> Result<Vec<SectionReport>, RunError> {
    let sections = sections_for(path, format, request)?;
    let mut source = open_log(path, format)?;
    Ok(replay_sections(&mut *source, sections)?)
}

/// The sections `request` asks for on the log at `path`: the settings are checked before
/// anything is read, and the log is read once first when a default window needs the date of
/// its last event.
fn sections_for(
    path: &Path,
    format: Option<Format>,
    request: &ReportRequest,
) -> Result<Vec<Section>, RunError> {
    request.to_sections(None)?;
    let last = if request.needs_last_event() {
        last_event(path, format)?
    } else {
        None
    };
    Ok(request.to_sections(last)?)
}

/// The bot sessions behind the bot usage report's figures, for `--rows`: the request must
/// name that report.
pub fn bot_usage_rows(
    path: &Path,
    format: Option<Format>,
    request: &ReportRequest,
) -> Result<Rows, RunError> {
    if request.report.as_deref() != Some("bot-usage") {
        return Err(RunError::Request(RequestError {
            setting: "--rows",
            message: "rows are listed for --report bot-usage only".into(),
        }));
    }
    let sections = sections_for(path, format, request)?;
    let Some(first) = sections.first() else {
        return Err(RunError::Request(RequestError {
            setting: "--rows",
            message: "the report has no sections".into(),
        }));
    };
    let as_of = first.spec.as_of;
    let mut source = open_log(path, format)?;
    let folded = fold_log(&mut *source, BotUsageRows::default(), as_of)?;
    Ok(folded.sink.finish(&folded.names, first))
}
