//! Replaying a log: reading events, folding them, and building a report. This is the only
//! place where a source, the fold and a sink meet.

use crate::codec::{EventSource, LogError, Position};
use crate::facts::FactSink;
use crate::fold::{Fold, FoldError, Folded};
use crate::report::{Aggregator, Report, ReportSpec};
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
    let as_of = spec.as_of;
    let folded = fold_log(source, Aggregator::new(spec), as_of)?;
    let mut notes = Vec::new();
    if !folded.open.is_empty() {
        let parts: Vec<String> = folded
            .open
            .counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let parts = parts.join(", ");
        notes.push(match as_of {
            Some(t) => format!("open at {t} and counted up to it: {parts}"),
            None => format!(
                "still open at the end of the log and left out of this historical report: {parts}; use --as-of to count open entities"
            ),
        });
    }
    Ok(folded.sink.finish(&folded.names, folded.events, notes))
}
