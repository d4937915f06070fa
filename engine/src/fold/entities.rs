//! The entities of one kind: the open ones with their state, and a compact record of every one
//! that has closed.
//!
//! A contact, session or bot session that closes can never take another event: a later event
//! naming it is an error, and so is a new one with its id. The fold must therefore remember
//! every closed id, but not its state. Open entities live in a hash table that stays as small
//! as the number open at once; a closed entity costs one bit (indexed by its symbol, which the
//! interner hands out densely) plus one entry in an append-only list of (symbol, close time)
//! that is only searched to word an error. So memory and hashing do not grow with the length of
//! the log, and nothing is dropped or rehashed when the fold ends.
//!
//! A conversation is different: it may reopen, and its next close judges its whole history
//! again, so a closed conversation keeps its state. [`Reopenable`] keeps open ones in a small
//! hash table and closed ones in an ordered map, where ids seen in increasing order (as
//! symbols are numbered) are appended at one edge rather than rehashed into a growing table.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::ids::Sym;
use crate::time::Instant;

/// Open entities of one kind, and the ids of those that closed.
pub(super) struct Entities<T> {
    open: FxHashMap<Sym, T>,
    /// One bit per symbol: set once the entity with that id has closed.
    closed_bits: Vec<u64>,
    /// Every close, in the order it happened (read only to word errors).
    closes: Vec<(Sym, Instant)>,
}

/// Where an entity stands.
pub(super) enum Status<'a, T> {
    /// No event has started it.
    Unknown,
    /// Started and not closed.
    Open(&'a T),
    /// Closed (see [`Entities::closed_at`] for when).
    Closed,
}

impl<T> Default for Entities<T> {
    fn default() -> Self {
        Entities {
            open: FxHashMap::default(),
            closed_bits: Vec::new(),
            closes: Vec::new(),
        }
    }
}

impl<T> Entities<T> {
    /// Where the entity `sym` stands.
    pub(super) fn status(&self, sym: Sym) -> Status<'_, T> {
        match self.open.get(&sym) {
            Some(t) => Status::Open(t),
            None if self.is_closed(sym) => Status::Closed,
            None => Status::Unknown,
        }
    }

    /// The open entity `sym`.
    pub(super) fn get(&self, sym: Sym) -> Option<&T> {
        self.open.get(&sym)
    }

    /// The open entity `sym`, to change.
    pub(super) fn get_mut(&mut self, sym: Sym) -> Option<&mut T> {
        self.open.get_mut(&sym)
    }

    /// Whether `sym` has been seen, open or closed.
    pub(super) fn is_known(&self, sym: Sym) -> bool {
        self.open.contains_key(&sym) || self.is_closed(sym)
    }

    /// Whether the entity `sym` has closed.
    pub(super) fn is_closed(&self, sym: Sym) -> bool {
        let (word, bit) = bit_of(sym);
        self.closed_bits.get(word).is_some_and(|w| w & bit != 0)
    }

    /// When the closed entity `sym` closed. A search through every close: for wording an
    /// error, never for deciding one.
    pub(super) fn closed_at(&self, sym: Sym) -> Option<Instant> {
        self.closes
            .iter()
            .rev()
            .find(|(s, _)| *s == sym)
            .map(|(_, at)| *at)
    }

    /// Starts tracking the open entity `sym` (the caller has checked it is new).
    pub(super) fn open(&mut self, sym: Sym, state: T) {
        self.open.insert(sym, state);
    }

    /// Closes the entity `sym` at `at`, handing back its state if it was open.
    pub(super) fn close(&mut self, sym: Sym, at: Instant) -> Option<T> {
        let state = self.open.remove(&sym);
        let (word, bit) = bit_of(sym);
        if self.closed_bits.len() <= word {
            self.closed_bits.resize(word + 1, 0);
        }
        self.closed_bits[word] |= bit;
        self.closes.push((sym, at));
        state
    }

    /// The symbols of the open entities, sorted, so that what the fold emits at its end never
    /// depends on hashing.
    pub(super) fn open_syms(&self) -> Vec<Sym> {
        let mut syms: Vec<Sym> = self.open.keys().copied().collect();
        syms.sort_unstable();
        syms
    }
}

/// Entities that may reopen after closing: open ones, and closed ones with their state.
pub(super) struct Reopenable<T> {
    open: FxHashMap<Sym, T>,
    closed: BTreeMap<Sym, T>,
}

impl<T> Default for Reopenable<T> {
    fn default() -> Self {
        Reopenable {
            open: FxHashMap::default(),
            closed: BTreeMap::new(),
        }
    }
}

impl<T> Reopenable<T> {
    /// The entity `sym`, open or closed.
    pub(super) fn get(&self, sym: Sym) -> Option<&T> {
        self.open.get(&sym).or_else(|| self.closed.get(&sym))
    }

    /// The entity `sym`, open or closed, to change.
    pub(super) fn get_mut(&mut self, sym: Sym) -> Option<&mut T> {
        match self.open.get_mut(&sym) {
            Some(t) => Some(t),
            None => self.closed.get_mut(&sym),
        }
    }

    /// The open entity `sym`.
    pub(super) fn get_open(&self, sym: Sym) -> Option<&T> {
        self.open.get(&sym)
    }

    /// Starts tracking the new entity `sym`, open (the caller has checked it is new).
    pub(super) fn open(&mut self, sym: Sym, state: T) {
        self.open.insert(sym, state);
    }

    /// Moves the open entity `sym` to the closed ones, handing back its state there.
    pub(super) fn close(&mut self, sym: Sym) -> Option<&mut T> {
        let state = self.open.remove(&sym)?;
        Some(self.closed.entry(sym).or_insert(state))
    }

    /// Moves the closed entity `sym` back to the open ones, handing back its state there.
    pub(super) fn reopen(&mut self, sym: Sym) -> Option<&mut T> {
        let state = self.closed.remove(&sym)?;
        Some(self.open.entry(sym).or_insert(state))
    }

    /// The symbols of the open entities, sorted (see [`Entities::open_syms`]).
    pub(super) fn open_syms(&self) -> Vec<Sym> {
        let mut syms: Vec<Sym> = self.open.keys().copied().collect();
        syms.sort_unstable();
        syms
    }
}

/// The word and the bit of `sym` in a bit set.
fn bit_of(sym: Sym) -> (usize, u64) {
    let i = sym.0 as usize;
    (i / 64, 1u64 << (i % 64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_move_from_unknown_to_open_to_closed() {
        let mut e: Entities<&str> = Entities::default();
        let (a, b, far) = (Sym(3), Sym(64), Sym(1000));
        assert!(matches!(e.status(a), Status::Unknown));
        e.open(a, "a");
        e.open(b, "b");
        assert!(matches!(e.status(a), Status::Open(&"a")));
        assert_eq!(e.close(a, Instant::from_millis(5)), Some("a"));
        assert!(matches!(e.status(a), Status::Closed));
        assert_eq!(e.closed_at(a), Some(Instant::from_millis(5)));
        // Bits of neighbouring symbols are untouched.
        assert!(!e.is_closed(Sym(2)) && !e.is_closed(Sym(4)));
        assert!(matches!(e.status(b), Status::Open(_)));
        // Closing an id that was never open still records it (the caller decides if that is valid).
        assert_eq!(e.close(far, Instant::from_millis(9)), None);
        assert!(e.is_closed(far) && e.is_known(far) && !e.is_known(Sym(999)));
        assert_eq!(e.closed_at(far), Some(Instant::from_millis(9)));
        assert_eq!(e.closed_at(b), None);
        assert_eq!(e.open_syms(), vec![b]);
    }

    #[test]
    fn reopenable_entities_keep_their_state_while_closed() {
        let mut r: Reopenable<u32> = Reopenable::default();
        r.open(Sym(1), 10);
        r.open(Sym(2), 20);
        *r.close(Sym(1)).expect("open") += 1;
        assert!(r.close(Sym(1)).is_none(), "already closed");
        assert_eq!(r.get(Sym(1)), Some(&11));
        assert_eq!(r.get_open(Sym(1)), None);
        assert_eq!(r.open_syms(), vec![Sym(2)]);
        *r.get_mut(Sym(1)).expect("closed, still there") += 1;
        assert_eq!(r.reopen(Sym(1)).copied(), Some(12));
        assert!(r.reopen(Sym(1)).is_none(), "already open");
        assert_eq!(r.get_open(Sym(1)), Some(&12));
        assert_eq!(r.open_syms(), vec![Sym(1), Sym(2)]);
        assert_eq!(r.get(Sym(3)), None);
    }
}
