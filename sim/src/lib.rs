//! ccsim's simulator: scenario files ([`scenario`]) become event logs through an
//! event-scheduling [`kernel`] and the contact-center processes of [`model`]. It writes only
//! events, through the engine's codecs or straight into the engine's fold ([`run`]); it never
//! computes a metric.

#![warn(missing_docs)]

pub mod dist;
pub mod kernel;
pub mod locate;
pub mod model;
pub mod output;
pub mod overrides;
pub mod run;
pub mod scenario;
pub mod spec;
pub mod summary;
pub mod sweep;
