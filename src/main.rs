//! The `ccsim` program: parses the command line and hands each command to the engine.
//! Exit codes: 0 success, 1 a check disagreed (`ccsim examples`), 2 an error (bad flags,
//! bad input), with one message on standard error saying what, where, and what would be right.

mod args;
mod commands;
mod error;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: the fold opens and closes a few small
/// allocations per simulated call, and glibc's free lists cost a tenth of `ccsim run`'s time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("ccsim: {}", error::chain(&failure));
            ExitCode::from(2)
        }
    }
}
