//! ccsim's engine: the event schema and log codecs, the fold of events into facts, the metric
//! catalog, and the reports built from facts.

pub mod codec;
pub mod event;
pub mod facts;
pub mod fold;
pub mod ids;
pub mod time;
pub mod calendar;
pub mod measure;
pub mod catalog;
