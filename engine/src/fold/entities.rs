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
//! again, so a closed conversation keeps its state. [`Reopenable`] keeps open ones and closed
//! ones apart, so that the table of open ones stays small; when the log's source guarantees a
//! reopen window (the simulator does), closed ones are forgotten once it has passed, and the
//! table of closed ones stops growing too.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::ids::Sym;
use crate::time::Instant;

/// Ids that closed for good: one bit per symbol, and every close in the order it happened
/// (read only to word errors).
#[derive(Default)]
struct ClosedSet {
    bits: Vec<u64>,
    closes: Vec<(Sym, Instant)>,
}

impl ClosedSet {
    fn contains(&self, sym: Sym) -> bool {
        let (word, bit) = bit_of(sym);
        self.bits.get(word).is_some_and(|w| w & bit != 0)
    }

    fn insert(&mut self, sym: Sym, at: Instant) {
        let (word, bit) = bit_of(sym);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= bit;
        self.closes.push((sym, at));
    }

    /// When `sym` closed: a search through every close, for wording an error.
    fn closed_at(&self, sym: Sym) -> Option<Instant> {
        if !self.contains(sym) {
            return None;
        }
        self.closes
            .iter()
            .rev()
            .find(|(s, _)| *s == sym)
            .map(|(_, at)| *at)
    }
}

/// Open entities of one kind, and the ids of those that closed.
pub(super) struct Entities<T> {
    open: FxHashMap<Sym, T>,
    closed: ClosedSet,
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
            closed: ClosedSet::default(),
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
        self.closed.contains(sym)
    }

    /// When the closed entity `sym` closed. A search through every close: for wording an
    /// error, never for deciding one.
    pub(super) fn closed_at(&self, sym: Sym) -> Option<Instant> {
        self.closed.closed_at(sym)
    }

    /// Starts tracking the open entity `sym` (the caller has checked it is new).
    pub(super) fn open(&mut self, sym: Sym, state: T) {
        self.open.insert(sym, state);
    }

    /// Closes the entity `sym` at `at`, handing back its state if it was open.
    pub(super) fn close(&mut self, sym: Sym, at: Instant) -> Option<T> {
        let state = self.open.remove(&sym);
        self.closed.insert(sym, at);
        state
    }

    /// The symbols of the open entities, sorted, so that what the fold emits at its end never
    /// depends on hashing.
    pub(super) fn open_syms(&self) -> Vec<Sym> {
        super::sorted_keys(&self.open)
    }
}

/// Entities that may reopen after closing: open ones, and closed ones with their state, until
/// they can no longer reopen.
pub(super) struct Reopenable<T> {
    open: FxHashMap<Sym, T>,
    /// Closed ones, with when they closed.
    closed: FxHashMap<Sym, (Instant, T)>,
    /// Every close in time order, while closed ones may be forgotten (see
    /// [`forget_closed_before`](Self::forget_closed_before)); entries of entities that reopened
    /// since are skipped when they come up.
    closes: VecDeque<(Instant, Sym)>,
    /// Whether closes are queued for forgetting.
    expires: bool,
    /// Those closed too long ago to reopen, whose state is gone.
    forgotten: ClosedSet,
}

impl<T> Default for Reopenable<T> {
    fn default() -> Self {
        Reopenable {
            open: FxHashMap::default(),
            closed: FxHashMap::default(),
            closes: VecDeque::new(),
            expires: false,
            forgotten: ClosedSet::default(),
        }
    }
}

impl<T> Reopenable<T> {
    /// Entities that will be forgotten some time after they close: the caller calls
    /// [`forget_closed_before`](Self::forget_closed_before) as time passes.
    pub(super) fn expiring() -> Self {
        Reopenable {
            expires: true,
            ..Reopenable::default()
        }
    }

    /// The entity `sym`, open or closed (and not forgotten).
    pub(super) fn get(&self, sym: Sym) -> Option<&T> {
        match self.open.get(&sym) {
            Some(t) => Some(t),
            None => self.closed.get(&sym).map(|(_, t)| t),
        }
    }

    /// The entity `sym`, open or closed (and not forgotten), to change.
    pub(super) fn get_mut(&mut self, sym: Sym) -> Option<&mut T> {
        match self.open.get_mut(&sym) {
            Some(t) => Some(t),
            None => self.closed.get_mut(&sym).map(|(_, t)| t),
        }
    }

    /// The open entity `sym`.
    pub(super) fn get_open(&self, sym: Sym) -> Option<&T> {
        self.open.get(&sym)
    }

    /// When the entity `sym` closed, if it was forgotten for closing too long ago. A search
    /// through every close: for wording an error.
    pub(super) fn forgotten_at(&self, sym: Sym) -> Option<Instant> {
        self.forgotten.closed_at(sym)
    }

    /// Starts tracking the new entity `sym`, open (the caller has checked it is new).
    pub(super) fn open(&mut self, sym: Sym, state: T) {
        self.open.insert(sym, state);
    }

    /// Moves the open entity `sym` to the closed ones at `at`, handing back its state there.
    pub(super) fn close(&mut self, sym: Sym, at: Instant) -> Option<&mut T> {
        let state = self.open.remove(&sym)?;
        if self.expires {
            self.closes.push_back((at, sym));
        }
        let (_, state) = self.closed.entry(sym).or_insert((at, state));
        Some(state)
    }

    /// Moves the closed entity `sym` back to the open ones, handing back its state there.
    pub(super) fn reopen(&mut self, sym: Sym) -> Option<&mut T> {
        let (_, state) = self.closed.remove(&sym)?;
        Some(self.open.entry(sym).or_insert(state))
    }

    /// Forgets the state of every entity that closed before `cutoff` and has not reopened,
    /// handing each to `forget` on its way out: from now on it is only known to have closed,
    /// and when.
    pub(super) fn forget_closed_before(&mut self, cutoff: Instant, mut forget: impl FnMut(Sym, T)) {
        while let Some(&(at, sym)) = self.closes.front() {
            if at >= cutoff {
                break;
            }
            self.closes.pop_front();
            // Still closed since that close (not reopened, or closed again later)?
            if self.closed.get(&sym).is_some_and(|(t, _)| *t == at) {
                if let Some((_, state)) = self.closed.remove(&sym) {
                    forget(sym, state);
                }
                self.forgotten.insert(sym, at);
            }
        }
    }

    /// The symbols of the open entities, sorted (see [`Entities::open_syms`]).
    pub(super) fn open_syms(&self) -> Vec<Sym> {
        super::sorted_keys(&self.open)
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
        let t = Instant::from_millis;
        let mut r: Reopenable<u32> = Reopenable::default();
        r.open(Sym(1), 10);
        r.open(Sym(2), 20);
        *r.close(Sym(1), t(5)).expect("open") += 1;
        assert!(r.close(Sym(1), t(6)).is_none(), "already closed");
        assert_eq!(r.get(Sym(1)), Some(&11));
        assert_eq!(r.get_open(Sym(1)), None);
        assert_eq!(r.open_syms(), vec![Sym(2)]);
        *r.get_mut(Sym(1)).expect("closed, still there") += 1;
        assert_eq!(r.reopen(Sym(1)).copied(), Some(12));
        assert!(r.reopen(Sym(1)).is_none(), "already open");
        assert_eq!(r.get_open(Sym(1)), Some(&12));
        assert_eq!(r.open_syms(), vec![Sym(1), Sym(2)]);
        assert_eq!(r.get(Sym(3)), None);
        // Without expiry nothing is forgotten.
        r.close(Sym(1), t(7));
        r.forget_closed_before(t(1000), |_, _| panic!("nothing expires"));
        assert_eq!(r.get(Sym(1)), Some(&12));
    }

    #[test]
    fn expiring_entities_forget_what_closed_too_long_ago_unless_it_reopened() {
        let t = Instant::from_millis;
        let mut r: Reopenable<&str> = Reopenable::expiring();
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            r.open(Sym(i as u32), name);
        }
        r.close(Sym(0), t(10));
        r.close(Sym(1), t(20));
        // b reopens and closes again later: its first close must not forget it.
        r.reopen(Sym(1));
        r.close(Sym(1), t(40));
        let mut gone = Vec::new();
        r.forget_closed_before(t(30), |sym, state| gone.push((sym, state)));
        assert_eq!(gone, vec![(Sym(0), "a")]);
        assert_eq!(r.get(Sym(0)), None, "closed at 10, before 30");
        assert_eq!(r.forgotten_at(Sym(0)), Some(t(10)));
        assert_eq!(r.get(Sym(1)), Some(&"b"), "closed again at 40");
        assert_eq!(r.get(Sym(2)), Some(&"c"), "still open");
        // A close exactly at the cut-off is kept.
        r.forget_closed_before(t(40), |_, _| panic!("kept at the cut-off"));
        assert_eq!(r.get(Sym(1)), Some(&"b"));
        r.forget_closed_before(t(41), |_, _| {});
        assert_eq!(r.forgotten_at(Sym(2)), None);
        assert_eq!(r.forgotten_at(Sym(1)), Some(t(40)));
    }
}
