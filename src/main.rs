//! The `ccsim` program: parses the command line and hands each command to the engine.
//! Exit codes: 0 success, 1 a check disagreed (`ccsim examples`), 2 an error (bad flags,
//! bad input), with one message on standard error saying what, where, and what would be right.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("ccsim: {message}");
            ExitCode::from(2)
        }
    }
}
