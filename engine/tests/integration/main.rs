//! The engine's integration tests, in one binary (one link of the crate instead of one per
//! file), a module per topic.

mod agent_status;
mod bot_usage;
mod catalog_doc;
mod codec_errors;
mod conversations;
mod dynamics;
mod events_doc;
mod fold_errors;
mod handle_time;
mod module_cycles;
mod no_panic;
mod wire_format;
