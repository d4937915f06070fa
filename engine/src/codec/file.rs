//! Opening inputs and creating outputs that appear under their final name only when complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::error::{LogError, LogProblem};

/// Opens `path` for reading, telling a missing file apart from other failures.
pub(crate) fn open(path: &Path) -> Result<File, LogError> {
    File::open(path).map_err(|e| {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            LogProblem::Missing
        } else {
            LogProblem::Io(e.to_string())
        };
        LogError::new(path, None, problem)
    })
}

/// An output file written under a temporary name in the target's folder and renamed onto the
/// target by [`AtomicFile::commit`]. Dropped uncommitted, the temporary file is removed.
pub(crate) struct AtomicFile {
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts writing what will become `path`.
    pub(crate) fn create(path: &Path) -> Result<Self, LogError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".ccsim-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io_error(path, e))?;
        Ok(AtomicFile {
            out: BufWriter::with_capacity(1 << 16, tmp),
            path: path.to_path_buf(),
        })
    }

    /// The final path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes bytes.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<(), LogError> {
        self.out
            .write_all(bytes)
            .map_err(|e| io_error(&self.path, e))
    }

    /// Flushes, syncs and renames the temporary file onto the final path.
    pub(crate) fn commit(self) -> Result<(), LogError> {
        let path = self.path;
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| io_error(&path, e.into_error()))?;
        tmp.as_file().sync_all().map_err(|e| io_error(&path, e))?;
        tmp.persist(&path).map_err(|e| io_error(&path, e.error))?;
        Ok(())
    }
}

fn io_error(path: &Path, e: std::io::Error) -> LogError {
    LogError::new(path, None, LogProblem::Io(e.to_string()))
}
