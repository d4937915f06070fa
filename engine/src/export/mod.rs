//! Exports: the facts of a log written out as tables, so a synthetic dataset can be loaded into
//! another tool (a team's own BI model) and its figures compared with ccsim's.
//!
//! A table set names a vendor's entities; `dynamics` writes CSV tables shaped like the
//! Dataverse entities behind the Dynamics 365 session metrics ([`dynamics`]). The whole log is
//! folded before anything is written, so a log that fails writes nothing; every table is then
//! written to a temporary file beside its final name and renamed only when complete.

pub mod dynamics;

use std::path::{Path, PathBuf};

use crate::codec::{open_log, Format, LogError};
use crate::replay::ReplayError;
use crate::time::Instant;

/// A set of tables `ccsim export --tables` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableSet {
    /// The Dataverse entities behind the Dynamics 365 session metrics.
    Dynamics,
}

impl TableSet {
    /// Every table set.
    pub const ALL: &'static [TableSet] = &[TableSet::Dynamics];

    /// The name given to `--tables`.
    pub fn name(self) -> &'static str {
        match self {
            TableSet::Dynamics => "dynamics",
        }
    }

    /// The table set called `name`.
    pub fn from_name(name: &str) -> Option<TableSet> {
        TableSet::ALL.iter().copied().find(|t| t.name() == name)
    }
}

/// Why an export did not happen. Whatever the reason, no table was left half-written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A setting is wrong (the folder, the cut-off).
    #[error("{setting}: {message}")]
    Setting {
        /// The setting at fault.
        setting: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The log is unreadable or inconsistent; nothing was written.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A table could not be written.
    #[error("{path}: {message}")]
    Write {
        /// The table's file.
        path: String,
        /// What went wrong and what is expected.
        message: String,
    },
}

impl From<LogError> for ExportError {
    fn from(e: LogError) -> Self {
        ExportError::Replay(ReplayError::Log(e))
    }
}

/// What an export wrote: each table's file and how many rows it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    /// (file, rows), in the order written.
    pub tables: Vec<(PathBuf, u64)>,
}

/// Reads the `--as-of` cut-off: an RFC 3339 timestamp, or a date or local time taken as UTC.
pub fn parse_as_of(text: &str) -> Result<Instant, ExportError> {
    Instant::parse_flexible(text, chrono_tz::UTC).map_err(|e| ExportError::Setting {
        setting: "--as-of",
        message: e.to_string(),
    })
}

/// Checks that `dir` is an existing folder.
fn check_dir(dir: &Path) -> Result<(), ExportError> {
    if dir.is_dir() {
        return Ok(());
    }
    let what = if dir.exists() {
        "is not a folder"
    } else {
        "no such folder"
    };
    Err(ExportError::Setting {
        setting: "DIR",
        message: format!(
            "{}: {what}; expected an existing folder to write the tables into",
            dir.display()
        ),
    })
}

/// Exports the log at `log` (in `format`, or the one its name or first bytes show) as the
/// tables of `set` into the folder `dir`. With `as_of`, only events up to it are read and
/// entities still open then are written as open rows; without, open rows are as of the last
/// event.
pub fn export_file(
    log: &Path,
    format: Option<Format>,
    set: TableSet,
    dir: &Path,
    as_of: Option<&str>,
) -> Result<Exported, ExportError> {
    let as_of = as_of.map(parse_as_of).transpose()?;
    check_dir(dir)?;
    let mut source = open_log(log, format)?;
    match set {
        TableSet::Dynamics => dynamics::export(&mut *source, dir, as_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sets_are_named_both_ways() {
        for &t in TableSet::ALL {
            assert_eq!(TableSet::from_name(t.name()), Some(t));
        }
        assert_eq!(TableSet::from_name("gladly"), None);
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope");
        let err = export_file(
            Path::new("x.jsonl"),
            None,
            TableSet::Dynamics,
            &missing,
            None,
        )
        .expect_err("no folder");
        assert!(
            err.to_string().starts_with("DIR: ") && err.to_string().contains("no such folder"),
            "{err}"
        );
        let err = export_file(
            Path::new("x.jsonl"),
            None,
            TableSet::Dynamics,
            dir.path(),
            Some("noon"),
        )
        .expect_err("bad time");
        assert!(err.to_string().starts_with("--as-of: "), "{err}");
    }
}
