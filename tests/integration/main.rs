//! The `ccsim` program's integration tests, in one binary, a module per topic.

mod cli;
mod common;
mod erlang;
mod examples;
mod sim_cli;
