//! The event-scheduling kernel: one binary heap of pending activations ordered by (time,
//! sequence number). Equal times run in the order they were scheduled, so a run never depends
//! on how the heap breaks ties. Cancelling is free: an activation carries the generation of
//! what it acts on, and the handler drops it when the generation has moved on (a patience
//! timer for a call that was answered meanwhile).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A pending activation.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    at: i64,
    seq: u64,
    what: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so the max-heap pops the earliest (time, sequence) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .cmp(&self.at)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The future event list.
#[derive(Debug)]
pub struct Kernel<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    now: i64,
}

impl<E: Copy> Kernel<E> {
    /// An empty kernel whose clock reads `start` (milliseconds).
    pub fn new(start: i64) -> Self {
        Kernel {
            heap: BinaryHeap::with_capacity(1024),
            seq: 0,
            now: start,
        }
    }

    /// The current time.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Schedules `what` at `at` (never before now).
    pub fn at(&mut self, at: i64, what: E) {
        self.seq += 1;
        self.heap.push(Entry {
            at: at.max(self.now),
            seq: self.seq,
            what,
        });
    }

    /// Schedules `what` after `delay` milliseconds.
    pub fn after(&mut self, delay: i64, what: E) {
        self.at(self.now.saturating_add(delay.max(0)), what);
    }

    /// The next activation before `end`, advancing the clock to it; `None` when there is none.
    pub fn next_before(&mut self, end: i64) -> Option<E> {
        let top = self.heap.peek()?;
        if top.at >= end {
            return None;
        }
        let e = self.heap.pop()?;
        self.now = e.at;
        Some(e.what)
    }

    /// Activations still pending.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_schedule_order() {
        let mut k = Kernel::new(0);
        k.at(10, 'c');
        k.at(5, 'a');
        k.at(10, 'd');
        k.at(5, 'b');
        k.at(20, 'e');
        let mut got = String::new();
        while let Some(x) = k.next_before(20) {
            got.push(x);
        }
        assert_eq!(got, "abcd");
        assert_eq!(k.now(), 10);
        assert_eq!(k.pending(), 1);
    }
}
