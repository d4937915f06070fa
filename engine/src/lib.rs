//! ccsim's engine: the event schema and log codecs, the fold of events into facts, the metric
//! catalog, and the reports built from facts.

#![warn(missing_docs)]

pub(crate) mod calendar;
pub mod catalog;
pub mod codec;
pub mod event;
pub mod examples;
pub mod export;
pub mod facts;
pub mod fold;
mod handoff;
pub mod ids;
pub mod listing;
pub mod measure;
pub mod queueing;
pub mod relay;
pub mod replay;
pub mod report;
pub mod time;
