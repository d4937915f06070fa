//! The entities of one kind: the open ones with their state, and a compact record of every one
//! that has closed.
//!
//! A contact, session or bot session that closes can never take another event: a later event
//! naming it is an error, and so is a new one with its id. The fold must therefore remember
//! every closed id, but not its state. Open entities live in a hash table that stays as small
//! as the number open at once; a closed entity costs one bit (by its symbol's number, or for a
//! prefix-and-counter id by its counter) plus one entry in an append-only list of (symbol,
//! close time) that is only searched to word an error. So hashing does not grow with the length
//! of the log, memory grows by a few bytes per closed id, and nothing is dropped or rehashed
//! when the fold ends.
//!
//! A conversation is different: it may reopen, and its next close judges its whole history
//! again, so a closed conversation keeps its state. [`Reopenable`] keeps open ones and closed
//! ones apart, so that the table of open ones stays small; when the log's source guarantees a
//! reopen window (the simulator does), closed ones are forgotten once it has passed, and the
//! table of closed ones stops growing too.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{EntityKind, FoldError};
use crate::ids::Sym;
use crate::time::Instant;

/// Ids that closed for good: one bit per id (see [`Bits`]), and every close in the order it
/// happened (read only to word errors), in chunks of [`CLOSES_CHUNK`] so that a long log's
/// list grows without ever being copied.
#[derive(Default)]
struct ClosedSet {
    bits: Bits,
    closes: Vec<Vec<(Sym, Instant)>>,
}

/// Closes per chunk of [`ClosedSet::closes`] (1 MiB).
const CLOSES_CHUNK: usize = 1 << 16;

impl ClosedSet {
    fn contains(&self, sym: Sym) -> bool {
        self.bits.contains(sym)
    }

    fn insert(&mut self, sym: Sym, at: Instant) {
        self.bits.insert(sym);
        match self.closes.last_mut() {
            Some(chunk) if chunk.len() < CLOSES_CHUNK => chunk.push((sym, at)),
            _ => {
                // The first chunk grows as it needs to (most logs close few ids); later ones
                // are made at full size.
                let mut chunk = if self.closes.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(CLOSES_CHUNK)
                };
                chunk.push((sym, at));
                self.closes.push(chunk);
            }
        }
    }

    /// When `sym` closed: a search through every close, for wording an error.
    fn closed_at(&self, sym: Sym) -> Option<Instant> {
        if !self.contains(sym) {
            return None;
        }
        self.closes
            .iter()
            .rev()
            .flat_map(|chunk| chunk.iter().rev())
            .find(|(s, _)| *s == sym)
            .map(|(_, at)| *at)
    }

    /// Why `event` cannot name `id` (symbol `sym`), which has no state: it closed (expected:
    /// `after`), or nothing started it (expected: the event `first`).
    fn refusal(
        &self,
        sym: Sym,
        event: &'static str,
        kind: EntityKind,
        id: &str,
        (first, after): (&'static str, &'static str),
    ) -> FoldError {
        match self.closed_at(sym) {
            Some(closed_at) => FoldError::AfterClose {
                event,
                kind,
                id: id.to_string(),
                closed_at,
                expected: after,
            },
            None => FoldError::UnknownEntity {
                event,
                kind,
                id: id.to_string(),
                expected: first,
            },
        }
    }
}

/// Refuses an event that starts an entity whose id is taken, `since` the entity that has it
/// began (still known) or closed; accepts it when the id is free (`since` is `None`).
fn refuse_taken(
    since: Option<Instant>,
    event: &'static str,
    kind: EntityKind,
    id: &str,
) -> Result<(), FoldError> {
    match since {
        Some(since) => Err(FoldError::Duplicate {
            event,
            kind,
            id: id.to_string(),
            since,
        }),
        None => Ok(()),
    }
}

/// Open entities of one kind, and the ids of those that closed.
pub(super) struct Entities<T> {
    open: FxHashMap<Sym, T>,
    closed: ClosedSet,
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
    /// Refuses `event`, which starts `id` (symbol `sym`), if an entity of this kind already
    /// has that id: an open one (since `started` says) or a closed one (since its close).
    pub(super) fn check_new(
        &self,
        sym: Sym,
        event: &'static str,
        kind: EntityKind,
        id: &str,
        started: impl FnOnce(&T) -> Instant,
    ) -> Result<(), FoldError> {
        let since = self.open.get(&sym).map(started);
        refuse_taken(since.or_else(|| self.closed_at(sym)), event, kind, id)
    }

    /// Refuses `event`, which names `id` (symbol `sym`), unless that entity is open: if it
    /// closed, expecting `after`; if nothing started it, expecting the event `first`.
    pub(super) fn check_open(
        &self,
        sym: Sym,
        event: &'static str,
        kind: EntityKind,
        id: &str,
        expected: (&'static str, &'static str),
    ) -> Result<(), FoldError> {
        if self.open.contains_key(&sym) {
            return Ok(());
        }
        Err(self.closed.refusal(sym, event, kind, id, expected))
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
    /// [`forget_expired`](Self::forget_expired)); entries of entities that reopened since are
    /// skipped when they come up.
    closes: VecDeque<(Instant, Sym)>,
    /// How long after closing one may still reopen (ms), when that is bounded.
    window: Option<i64>,
    /// Those closed too long ago to reopen, whose state is gone.
    forgotten: ClosedSet,
}

impl<T> Default for Reopenable<T> {
    fn default() -> Self {
        Reopenable {
            open: FxHashMap::default(),
            closed: FxHashMap::default(),
            closes: VecDeque::new(),
            window: None,
            forgotten: ClosedSet::default(),
        }
    }
}

impl<T> Reopenable<T> {
    /// Entities that never reopen more than `window_ms` after they close: the caller calls
    /// [`forget_expired`](Self::forget_expired) as time passes.
    pub(super) fn expiring(window_ms: i64) -> Self {
        Reopenable {
            window: Some(window_ms.max(0)),
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

    /// When the entity `sym` closed, while it is closed and still known.
    pub(super) fn closed_at(&self, sym: Sym) -> Option<Instant> {
        self.closed.get(&sym).map(|(at, _)| *at)
    }

    /// Refuses `event`, which starts `id` (symbol `sym`), if an entity of this kind already
    /// has that id: one still known (since `started` says) or one forgotten (since its close).
    pub(super) fn check_new(
        &self,
        sym: Sym,
        event: &'static str,
        kind: EntityKind,
        id: &str,
        started: impl FnOnce(&T) -> Instant,
    ) -> Result<(), FoldError> {
        let since = self.get(sym).map(started);
        refuse_taken(
            since.or_else(|| self.forgotten.closed_at(sym)),
            event,
            kind,
            id,
        )
    }

    /// Why `event` cannot name `id` (symbol `sym`), of which nothing is known: it was forgotten
    /// (expected: `after`), or nothing started it (expected: the event `first`).
    pub(super) fn refusal(
        &self,
        sym: Sym,
        event: &'static str,
        kind: EntityKind,
        id: &str,
        expected: (&'static str, &'static str),
    ) -> FoldError {
        self.forgotten.refusal(sym, event, kind, id, expected)
    }

    /// Starts tracking the new entity `sym`, open (the caller has checked it is new).
    pub(super) fn open(&mut self, sym: Sym, state: T) {
        self.open.insert(sym, state);
    }

    /// Moves the open entity `sym` to the closed ones at `at`, handing back its state there.
    pub(super) fn close(&mut self, sym: Sym, at: Instant) -> Option<&mut T> {
        let state = self.open.remove(&sym)?;
        if self.window.is_some() {
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

    /// Forgets the state of every entity that can no longer reopen at `now` (it closed longer
    /// than the window ago and has not reopened since), handing each to `forget` on its way
    /// out: from now on it is only known to have closed, and when. Nothing expires without a
    /// window.
    pub(super) fn forget_expired(&mut self, now: Instant, mut forget: impl FnMut(Sym, T)) {
        let Some(window) = self.window else { return };
        let cutoff = now.plus_millis(-window);
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

/// A set of symbols, one bit each: stored symbols by their number; prefix-and-counter ids by
/// their counter, in a bit vector per prefix that starts near the first counter seen. A
/// counter far from the others of its prefix (below the vector's start, beyond its reach, or
/// where the vector would be mostly empty) goes to a hash set instead, so thinly spread ids
/// cannot make a vector grow without bound.
#[derive(Default)]
struct Bits {
    /// Stored symbols' bits, by symbol number.
    stored: Vec<u64>,
    /// Counter ids' bits, by prefix number.
    counters: Vec<Option<CounterBits>>,
    /// Counter ids that have no bit in their prefix's vector.
    far: FxHashSet<Sym>,
}

/// The bits of one prefix's counters.
struct CounterBits {
    /// The counter of bit 0: the first counter seen, rounded down to a multiple of
    /// [`BASE_STEP`].
    base: u32,
    words: Vec<u64>,
    /// How many bits are set.
    ones: usize,
}

/// A prefix's bit vector starts at a multiple of this, at or below its first counter.
const BASE_STEP: u32 = 4096;
/// How many words past its end a prefix's bit vector may grow to reach a new counter.
const REACH_WORDS: usize = 1024;
/// A prefix's bit vector holds at most this many bits per bit set, plus [`REACH_WORDS`].
const BITS_PER_ID: usize = 4;

impl Bits {
    fn contains(&self, sym: Sym) -> bool {
        let Some((p, n)) = sym.counter() else {
            return bit(&self.stored, sym.0 as usize);
        };
        let set = self
            .counters
            .get(p)
            .and_then(Option::as_ref)
            .is_some_and(|b| {
                n.checked_sub(b.base)
                    .is_some_and(|i| bit(&b.words, i as usize))
            });
        set || (!self.far.is_empty() && self.far.contains(&sym))
    }

    fn insert(&mut self, sym: Sym) {
        let Some((p, n)) = sym.counter() else {
            let i = sym.0 as usize;
            if self.stored.len() <= i / 64 {
                self.stored.resize(i / 64 + 1, 0);
            }
            set_bit(&mut self.stored, i);
            return;
        };
        if self.counters.len() <= p {
            self.counters.resize_with(p + 1, || None);
        }
        let b = self.counters[p].get_or_insert_with(|| CounterBits {
            base: n - n % BASE_STEP,
            words: Vec::new(),
            ones: 0,
        });
        let Some(i) = n.checked_sub(b.base).map(|i| i as usize) else {
            self.far.insert(sym);
            return;
        };
        let need = i / 64 + 1;
        if need > b.words.len() {
            let reach = b.words.len() + REACH_WORDS;
            if need > reach || need * 64 > BITS_PER_ID * b.ones + REACH_WORDS * 64 {
                self.far.insert(sym);
                return;
            }
            b.words.resize(need, 0);
        }
        if set_bit(&mut b.words, i) {
            b.ones += 1;
        }
    }
}

/// Whether bit `i` of `words` is set (bits past the end are not).
fn bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 != 0)
}

/// Sets bit `i` of `words`, which reach it; whether it was clear before.
fn set_bit(words: &mut [u64], i: usize) -> bool {
    let (word, mask) = (&mut words[i / 64], 1u64 << (i % 64));
    let was_clear = *word & mask == 0;
    *word |= mask;
    was_clear
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: (&str, &str) = ("contact_started", "a new contact");

    #[test]
    fn a_close_is_found_in_whichever_chunk_holds_it() {
        // Two full chunks and a bit: each id closes at its own number of seconds.
        let mut closed = ClosedSet::default();
        let n = 2 * CLOSES_CHUNK as u64 + 10;
        for k in 0..n {
            closed.insert(Sym(k), Instant::from_millis(1_000 * k as i64));
        }
        assert_eq!(closed.closes.len(), 3);
        for k in [0, CLOSES_CHUNK as u64 - 1, CLOSES_CHUNK as u64, n - 1] {
            assert_eq!(
                closed.closed_at(Sym(k)),
                Some(Instant::from_millis(1_000 * k as i64))
            );
        }
        assert_eq!(closed.closed_at(Sym(n)), None);
    }

    #[test]
    fn closed_bits_hold_every_id_however_thinly_spread() {
        let mut ids = crate::ids::Interner::default();
        let mut bits = Bits::default();
        // Dense counters, counters far apart (each within reach of the vector's end, so
        // without the density limit the vector would grow by the whole gap each time), stored
        // strings, and a second prefix; every other one is inserted, and the rest must stay out.
        let mut names: Vec<String> = (0..5_000).map(|k| format!("ct-{k}")).collect();
        names.extend((1..200).map(|k| format!("ct-{}", 5_000 + k * 30_000)));
        names.extend(["ana", "zed", "se-77", "se-78"].map(String::from));
        let mut inserted = std::collections::HashSet::new();
        for name in names.iter().step_by(2) {
            bits.insert(ids.intern(name));
            inserted.insert(name);
        }
        for name in &names {
            assert_eq!(
                bits.contains(ids.intern(name)),
                inserted.contains(name),
                "{name}"
            );
        }
        // The thinly spread ones went to the hash set rather than stretch the vector.
        let ct = bits.counters[0].as_ref().expect("ct- has a vector");
        assert!(ct.words.len() * 64 <= BITS_PER_ID * ct.ones + REACH_WORDS * 64);
        assert!(!bits.far.is_empty());
        // Below the first counter seen for a prefix: still found.
        let mut late = Bits::default();
        late.insert(ids.intern("tk-9000"));
        late.insert(ids.intern("tk-5"));
        assert!(late.contains(ids.intern("tk-5")) && late.contains(ids.intern("tk-9000")));
        assert!(!late.contains(ids.intern("tk-6")));
    }

    /// What `check_open` and `check_new` say of `sym`: (refused as unknown, refused as closed
    /// at, refused as a duplicate since).
    fn verdicts(e: &Entities<Instant>, sym: Sym) -> (bool, Option<Instant>, Option<Instant>) {
        let k = EntityKind::Contact;
        let (unknown, closed) = match e.check_open(sym, "contact_queued", k, "c", EXPECTED) {
            Ok(()) => (false, None),
            Err(FoldError::UnknownEntity { expected, .. }) => {
                assert_eq!(expected, EXPECTED.0);
                (true, None)
            }
            Err(FoldError::AfterClose {
                closed_at,
                expected,
                ..
            }) => {
                assert_eq!(expected, EXPECTED.1);
                (false, Some(closed_at))
            }
            Err(other) => panic!("{other}"),
        };
        let since = match e.check_new(sym, "contact_started", k, "c", |started| *started) {
            Ok(()) => None,
            Err(FoldError::Duplicate { since, .. }) => Some(since),
            Err(other) => panic!("{other}"),
        };
        (unknown, closed, since)
    }

    #[test]
    fn entities_move_from_unknown_to_open_to_closed() {
        let t = Instant::from_millis;
        let mut e: Entities<Instant> = Entities::default();
        let (a, b, far) = (Sym(3), Sym(64), Sym(1000));
        assert_eq!(
            verdicts(&e, a),
            (true, None, None),
            "unknown: new, not open"
        );
        e.open(a, t(1));
        e.open(b, t(2));
        assert_eq!(verdicts(&e, a), (false, None, Some(t(1))), "open since 1");
        assert_eq!(e.close(a, t(5)), Some(t(1)));
        assert_eq!(
            verdicts(&e, a),
            (false, Some(t(5)), Some(t(5))),
            "closed at 5"
        );
        // Bits of neighbouring symbols are untouched.
        assert!(!e.is_closed(Sym(2)) && !e.is_closed(Sym(4)));
        assert_eq!(verdicts(&e, b), (false, None, Some(t(2))));
        // Closing an id that was never open still records it (the caller decides if that is valid).
        assert_eq!(e.close(far, t(9)), None);
        assert!(e.is_closed(far) && e.is_known(far) && !e.is_known(Sym(999)));
        assert_eq!(verdicts(&e, far), (false, Some(t(9)), Some(t(9))));
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
        assert_eq!(r.closed_at(Sym(1)), Some(t(5)));
        assert_eq!(r.open_syms(), vec![Sym(2)]);
        *r.get_mut(Sym(1)).expect("closed, still there") += 1;
        assert_eq!(r.reopen(Sym(1)).copied(), Some(12));
        assert!(r.reopen(Sym(1)).is_none(), "already open");
        assert_eq!(r.get_open(Sym(1)), Some(&12));
        assert_eq!(r.closed_at(Sym(1)), None, "open again");
        assert_eq!(r.open_syms(), vec![Sym(1), Sym(2)]);
        assert_eq!(r.get(Sym(3)), None);
        // Without expiry nothing is forgotten.
        r.close(Sym(1), t(7));
        r.forget_expired(t(1000), |_, _| panic!("nothing expires"));
        assert_eq!(r.get(Sym(1)), Some(&12));
    }

    #[test]
    fn expiring_entities_forget_what_closed_too_long_ago_unless_it_reopened() {
        let t = Instant::from_millis;
        // Reopening is possible up to 20 ms after a close.
        let mut r: Reopenable<&str> = Reopenable::expiring(20);
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            r.open(Sym(i as u64), name);
        }
        r.close(Sym(0), t(10));
        r.close(Sym(1), t(20));
        // b reopens and closes again later: its first close must not forget it.
        r.reopen(Sym(1));
        r.close(Sym(1), t(40));
        let mut gone = Vec::new();
        r.forget_expired(t(50), |sym, state| gone.push((sym, state)));
        assert_eq!(gone, vec![(Sym(0), "a")]);
        assert_eq!(r.get(Sym(0)), None, "closed at 10, more than 20 before 50");
        let refused = |r: &Reopenable<&str>, sym| match r.refusal(
            sym,
            "conversation_reopened",
            EntityKind::Conversation,
            "v",
            EXPECTED,
        ) {
            FoldError::AfterClose { closed_at, .. } => Some(closed_at),
            FoldError::UnknownEntity { .. } => None,
            other => panic!("{other}"),
        };
        assert_eq!(refused(&r, Sym(0)), Some(t(10)));
        // A forgotten id cannot start again: it is a duplicate since its close.
        let again = r.check_new(
            Sym(0),
            "conversation_opened",
            EntityKind::Conversation,
            "v",
            |_| t(0),
        );
        assert!(matches!(again, Err(FoldError::Duplicate { since, .. }) if since == t(10)));
        assert_eq!(r.get(Sym(1)), Some(&"b"), "closed again at 40");
        assert_eq!(r.get(Sym(2)), Some(&"c"), "still open");
        // A close exactly at the cut-off is kept.
        r.forget_expired(t(60), |_, _| {
            panic!("exactly the window after its close: kept")
        });
        assert_eq!(r.get(Sym(1)), Some(&"b"));
        r.forget_expired(t(61), |_, _| {});
        assert_eq!(refused(&r, Sym(2)), None);
        assert_eq!(refused(&r, Sym(1)), Some(t(40)));
    }
}
