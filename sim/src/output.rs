//! Where simulated events go: a log file, the engine's fold (for `ccsim run`), both, or a
//! counter. The simulator hands over each event as it happens and keeps none.

use ccsim_engine::codec::{EventSink, LogError};
use ccsim_engine::event::{Event, EventKind};
use ccsim_engine::facts::FactSink;
use ccsim_engine::fold::{Fold, FoldError};

use crate::scenario::Scenario;

/// Why a simulation stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// The log could not be written.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The simulator wrote an event the fold refused: a bug in the simulator, reported with
    /// the event's position rather than hidden.
    #[error("simulated event {index} (`{event}`) was refused by the fold: {error}")]
    Fold {
        /// 1-based position of the event in the simulated log.
        index: u64,
        /// Its type.
        event: &'static str,
        /// Why it was refused.
        error: Box<FoldError>,
    },
}

/// A destination for simulated events.
pub trait Output {
    /// Takes one event.
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError>;
}

/// Writes events to a log (JSON Lines or binary).
pub struct LogOutput(pub Box<dyn EventSink>);

impl Output for LogOutput {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        Ok(self.0.write(event)?)
    }
}

impl LogOutput {
    /// Completes the log and moves it to its final name.
    pub fn finish(self) -> Result<(), SimError> {
        Ok(self.0.finish()?)
    }
}

/// Folds events straight into facts, for a sink (a report builder), with no log between.
pub struct FoldOutput<S> {
    /// The fold.
    pub fold: Fold<S>,
    events: u64,
}

impl<S: FactSink> FoldOutput<S> {
    /// A fold output for the events of scenario `sc`, whose conversations never reopen later
    /// than its reopen window: the fold forgets a closed conversation's history once that
    /// window has passed, so what it keeps of conversations does not grow with the horizon.
    pub fn for_scenario(sink: S, sc: &Scenario) -> Self {
        FoldOutput {
            fold: Fold::new(sink).with_reopen_window(sc.platform.reopen_window_ms),
            events: 0,
        }
    }
}

impl<S: FactSink> Output for FoldOutput<S> {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        self.events += 1;
        self.fold.apply(event).map_err(|error| SimError::Fold {
            index: self.events,
            event: event.type_name(),
            error: Box::new(error),
        })
    }
}

/// Sends every event to two outputs.
pub struct Tee<A, B>(pub A, pub B);

impl<A: Output, B: Output> Output for Tee<A, B> {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        self.0.event(event)?;
        self.1.event(event)
    }
}

/// Counts events by type (in [`EventKind::TYPES`] order).
#[derive(Clone, Debug)]
pub struct Counter {
    /// Events per type.
    pub counts: Vec<u64>,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            counts: vec![0; EventKind::TYPES.len()],
        }
    }
}

impl Counter {
    /// The count of events of type `name`.
    pub fn count(&self, name: &str) -> u64 {
        EventKind::TYPES
            .iter()
            .position(|t| *t == name)
            .map_or(0, |i| self.counts[i])
    }
}

impl Output for Counter {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        let name = event.type_name();
        if let Some(i) = EventKind::TYPES.iter().position(|t| *t == name) {
            self.counts[i] += 1;
        }
        Ok(())
    }
}

/// Discards events (for measuring the simulator alone).
#[derive(Clone, Copy, Debug, Default)]
pub struct Discard;

impl Output for Discard {
    fn event(&mut self, _: &Event<'_>) -> Result<(), SimError> {
        Ok(())
    }
}
