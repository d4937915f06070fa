//! The simulator's integration tests, in one binary (one link of the crates instead of one
//! per file), a module per topic.

mod audit;
mod campaigns;
mod comebacks;
mod logs;
mod overrides;
mod pinned;
mod queueing;
mod scenarios;
mod summary;
mod support;
mod sweep;
mod theory;
