//! Opening inputs and creating outputs that appear under their final name only when complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use tempfile::NamedTempFile;

use super::error::{LogError, LogProblem};
use crate::handoff::{handoff, Producer};

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

    /// Flushes and syncs to disk what has been written so far (data only: [`commit`](Self::commit)
    /// syncs everything before its rename).
    pub(crate) fn sync(&mut self) -> Result<(), LogError> {
        self.out.flush().map_err(|e| io_error(&self.path, e))?;
        self.out
            .get_ref()
            .as_file()
            .sync_data()
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

/// Buffers on their way to the writer thread; the producer waits when this many are queued.
/// With the binary log's 64 KiB blocks that is up to 16 MiB: enough for the producer to go on
/// while the writer waits for a [`SYNC_EVERY`] sync (tens of milliseconds on a local disk).
const QUEUED_BUFFERS: usize = 256;
/// The writer thread syncs the file after every this many bytes, so the disk writes the log
/// while it is produced and the sync at [`BackgroundFile::commit`] has little left to wait for.
const SYNC_EVERY: usize = 8 << 20;

/// An [`AtomicFile`] written by a thread of its own. The producer fills buffers and hands them
/// over ([`send`](Self::send)); the thread writes them in order and hands the emptied buffers
/// back for reuse, syncing the file as it goes. The bytes are exactly those sent, in the order
/// sent; the first write or sync error stops the thread and is returned by the next call.
/// Dropped before [`commit`](Self::commit), it waits for the thread, which removes the
/// temporary file: nothing appears under the final name.
pub(crate) struct BackgroundFile {
    path: PathBuf,
    to_writer: Option<Producer<Vec<u8>>>,
    writer: Option<JoinHandle<Result<AtomicFile, LogError>>>,
}

impl BackgroundFile {
    /// Starts the writer thread of `file`.
    pub(crate) fn start(file: AtomicFile) -> Self {
        let path = file.path().to_path_buf();
        let (to_writer, inbox) = handoff::<Vec<u8>>(QUEUED_BUFFERS);
        let writer = std::thread::spawn(move || {
            let mut file = file;
            let mut unsynced = 0usize;
            for mut buf in inbox.iter() {
                file.write_all(&buf)?;
                unsynced += buf.len();
                buf.clear();
                inbox.give_back(buf);
                if unsynced >= SYNC_EVERY {
                    file.sync()?;
                    unsynced = 0;
                }
            }
            Ok(file)
        });
        BackgroundFile {
            path,
            to_writer: Some(to_writer),
            writer: Some(writer),
        }
    }

    /// The final path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// An empty buffer to fill: one the writer has finished with, or a new one.
    pub(crate) fn buffer(&self, capacity: usize) -> Vec<u8> {
        self.to_writer
            .as_ref()
            .and_then(Producer::spare)
            .unwrap_or_else(|| Vec::with_capacity(capacity))
    }

    /// Hands `buf` to the writer thread, waiting if it is behind.
    pub(crate) fn send(&mut self, buf: Vec<u8>) -> Result<(), LogError> {
        let sent = self.to_writer.as_ref().is_some_and(|tx| tx.send(buf));
        if sent {
            return Ok(());
        }
        // The thread stopped: its result says why.
        self.to_writer = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(io_error(
                &self.path,
                std::io::Error::other("the log's writer stopped early"),
            )),
        }
    }

    /// Waits for every buffer to be written, then syncs and renames the file into place.
    pub(crate) fn commit(mut self) -> Result<(), LogError> {
        self.to_writer = None;
        self.join()?.commit()
    }

    /// Waits for the writer thread and takes back its file (or its error).
    fn join(&mut self) -> Result<AtomicFile, LogError> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io_error(
                &self.path,
                std::io::Error::other("the log's writer thread panicked"),
            )),
            None => Err(io_error(
                &self.path,
                std::io::Error::other("the log's writer has already stopped"),
            )),
        }
    }
}

impl Drop for BackgroundFile {
    fn drop(&mut self) {
        self.to_writer = None;
        if let Some(writer) = self.writer.take() {
            // Dropping the file the thread hands back removes the temporary file.
            let _ = writer.join();
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> LogError {
    LogError::new(path, None, LogProblem::Io(e.to_string()))
}
