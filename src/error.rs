//! Why a command failed. Every variant is fatal to the command: `main` prints the error and
//! its chain of causes on one line of standard error and exits with code 2.

use ccsim_engine::codec::LogError;
use ccsim_engine::examples::ExampleError;
use ccsim_engine::export::ExportError;
use ccsim_sim::scenario::ScenarioError;

/// A command's failure, typed by the layer it came from; its message says what, where, and
/// what would be right.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A log could not be read, folded or reported on, or the report's settings are wrong.
    #[error(transparent)]
    Replay(#[from] ccsim_engine::replay::RunError),
    /// A log could not be opened, read or written (`convert`).
    #[error(transparent)]
    Log(#[from] LogError),
    /// A worked example could not be loaded or run.
    #[error(transparent)]
    Example(#[from] ExampleError),
    /// Tables could not be exported; none was left half-written.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A scenario file does not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A `--set` cannot be read.
    #[error(transparent)]
    Override(#[from] ccsim_sim::overrides::OverrideError),
    /// A `--vary` or `--baseline` cannot be read.
    #[error(transparent)]
    Grid(#[from] ccsim_sim::sweep::GridError),
    /// A simulation failed, or its report's settings are wrong.
    #[error(transparent)]
    Run(#[from] ccsim_sim::run::RunError),
    /// An Erlang calculator's flag cannot be used, or its load cannot be calculated (more
    /// traffic than agents under Erlang C, a target no count reaches).
    #[error(transparent)]
    Erlang(#[from] ccsim_engine::queueing::CalculatorError),
    /// The command line asks for what cannot be done (two paths that are one file, a folder
    /// with no examples).
    #[error("{0}")]
    Usage(String),
    /// Standard output could not be written (a closed pipe is not an error).
    #[error("cannot write to standard output")]
    Stdout(#[source] std::io::Error),
}

/// The error and each of its causes, joined by `: `.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_printed_once_after_its_context() {
        let error = CliError::Stdout(std::io::Error::other("disk full"));
        assert_eq!(chain(&error), "cannot write to standard output: disk full");
        // Transparent wrappers add no text of their own.
        let usage = CliError::Usage("no examples".into());
        assert_eq!(chain(&usage), "no examples");
    }
}
