//! Buffers handed to a worker thread and handed back: the producer fills a buffer, sends it
//! over a bounded channel (waiting while the worker is that far behind), and fills the next
//! one with a buffer the worker has emptied, so a steady stream allocates nothing. The binary
//! log's writer thread takes encoded blocks this way, and the relay's worker batches of facts.

use std::sync::mpsc::{self, Receiver, SyncSender};

/// The producer's end.
pub(crate) struct Producer<T> {
    to_worker: SyncSender<T>,
    spare: Receiver<T>,
}

/// The worker's end.
pub(crate) struct Inbox<T> {
    from_producer: Receiver<T>,
    give_back: mpsc::Sender<T>,
}

/// A handoff that lets `queued` buffers wait for the worker before the producer waits.
pub(crate) fn handoff<T>(queued: usize) -> (Producer<T>, Inbox<T>) {
    let (to_worker, from_producer) = mpsc::sync_channel(queued);
    let (give_back, spare) = mpsc::channel();
    (
        Producer { to_worker, spare },
        Inbox {
            from_producer,
            give_back,
        },
    )
}

impl<T> Producer<T> {
    /// A buffer the worker has emptied, if one has come back.
    pub(crate) fn spare(&self) -> Option<T> {
        self.spare.try_recv().ok()
    }

    /// Hands `buf` to the worker, waiting while it is behind; `false` when the worker has
    /// stopped (its own result says why).
    pub(crate) fn send(&self, buf: T) -> bool {
        self.to_worker.send(buf).is_ok()
    }
}

impl<T> Inbox<T> {
    /// Every buffer in the order sent, until the producer is dropped.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.from_producer.iter()
    }

    /// Hands an emptied buffer back for reuse (it is dropped if the producer has finished).
    pub(crate) fn give_back(&self, buf: T) {
        let _ = self.give_back.send(buf);
    }
}
