//! Interning: the strings of the log become integers inside the engine.
//!
//! An id that is a prefix and a counter (`ct-1042`) has a symbol computed from the two
//! ([`counters`]): nothing is stored for it, so the ids of a long log cost no memory. Every
//! other distinct string is stored once, in one growing arena, numbered densely in the order it
//! was first seen, and found through a hash table of symbols after a look at the few symbols
//! interned last. Seeing a new id costs no allocation of its own, and seeing a known one a
//! comparison or two.

mod counters;

use std::borrow::Cow;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// An interned string. Symbols order stored strings first, in the order they were first seen,
/// then prefix-and-counter ids by prefix (in the order prefixes were first seen) and counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u64);

/// The bit that marks a computed (prefix-and-counter) symbol.
const COUNTER: u64 = 1 << 63;

impl Sym {
    /// The symbol of counter `n` after prefix number `p`.
    fn of_counter(p: usize, n: u32) -> Sym {
        Sym(COUNTER | (p as u64) << 32 | u64::from(n))
    }

    /// For a prefix-and-counter id, its prefix number and counter.
    pub(crate) fn counter(self) -> Option<(usize, u32)> {
        let prefix = ((self.0 & !COUNTER) >> 32) as usize;
        (self.0 & COUNTER != 0).then_some((prefix, self.0 as u32))
    }
}

/// Maps each distinct string to a [`Sym`].
pub struct Interner {
    /// Every stored string, end to end.
    text: String,
    /// Where each stored symbol's string ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// Stored symbols with a 32-bit hash of their string: growing the table and ruling out
    /// candidates need no trip to the arena.
    table: HashTable<(u32, Sym)>,
    hasher: FxBuildHasher,
    /// The symbols most recently interned through the table, found or created, with their
    /// short hashes: an event names the same id more than once, and the next events name it
    /// again, so a few comparisons against strings still in cache usually save hashing and
    /// probing a table that grows with the log.
    recent: [(u32, Sym); RECENT],
    /// Where the next recent symbol goes (round robin).
    recent_next: usize,
    /// The prefixes of prefix-and-counter ids.
    prefixes: counters::Prefixes,
}

/// How many recent symbols an [`Interner`] checks before its table.
const RECENT: usize = 8;

impl Default for Interner {
    fn default() -> Self {
        Interner {
            text: String::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: FxBuildHasher,
            // A symbol that is never stored: an empty slot never matches.
            recent: [(0, Sym(u64::MAX)); RECENT],
            recent_next: 0,
            prefixes: counters::Prefixes::default(),
        }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("stored", &self.ends.len())
            .finish()
    }
}

/// A string's short hash, and the table hash spread from it (so that every bit the table
/// uses, low bits for the bucket and high bits for its tags, depends on the string).
fn hashes(hasher: &FxBuildHasher, name: &str) -> (u32, u64) {
    let short = (hasher.hash_one(name) >> 32) as u32;
    (short, spread(short))
}

/// The table hash of a short hash.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The string of the stored symbol `sym` in an arena, if the arena has that symbol.
fn slice<'a>(text: &'a str, ends: &[usize], sym: Sym) -> Option<&'a str> {
    let i = usize::try_from(sym.0).ok()?;
    let end = *ends.get(i)?;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    text.get(start..end)
}

impl Interner {
    /// The symbol for `name`, creating it on first sight.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some((prefix, n)) = counters::split(name) {
            if let Some(p) = self.prefixes.number(prefix) {
                return Sym::of_counter(p, n);
            }
        }
        self.intern_stored(name)
    }

    /// The symbol of `name` through the recent symbols and the hash table, storing it on
    /// first sight.
    fn intern_stored(&mut self, name: &str) -> Sym {
        let (short, hash) = hashes(&self.hasher, name);
        // The same short hash and the same string: a recent symbol, found without the table.
        let (text, ends) = (&self.text, &self.ends);
        let mut recent = self.recent.iter();
        if let Some(&(_, sym)) =
            recent.find(|&&(h, s)| h == short && slice(text, ends, s) == Some(name))
        {
            return sym;
        }
        let found = self.table.find(hash, |&(h, s)| {
            h == short && slice(text, ends, s) == Some(name)
        });
        let sym = match found {
            Some(&(_, sym)) => sym,
            None => {
                let sym = Sym(self.ends.len() as u64);
                self.text.push_str(name);
                self.ends.push(self.text.len());
                self.table
                    .insert_unique(hash, (short, sym), |&(h, _)| spread(h));
                sym
            }
        };
        self.recent[self.recent_next] = (short, sym);
        self.recent_next = (self.recent_next + 1) % RECENT;
        sym
    }

    /// The string behind `sym` (`?` for a symbol this interner never gave out). A stored
    /// string is borrowed; a prefix-and-counter id is written out.
    pub fn name(&self, sym: Sym) -> Cow<'_, str> {
        match sym.counter() {
            Some((p, n)) => match self.prefixes.text(p) {
                Some(prefix) => Cow::Owned(format!("{prefix}{n}")),
                None => Cow::Borrowed("?"),
            },
            None => Cow::Borrowed(slice(&self.text, &self.ends, sym).unwrap_or("?")),
        }
    }

    /// How many distinct strings are stored (prefix-and-counter ids are not).
    pub fn stored(&self) -> usize {
        self.ends.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_string_has_one_symbol_and_reads_back() {
        let mut ids = Interner::default();
        let names = ["ana", "", "ben", "anab", "ana", "é-1", "ben"];
        let syms: Vec<Sym> = names.iter().map(|n| ids.intern(n)).collect();
        assert_eq!(syms[0], syms[4]);
        assert_eq!(syms[2], syms[6]);
        // "é-1" is a prefix and a counter: computed, not stored.
        assert_eq!(ids.stored(), 4);
        for (n, s) in names.iter().zip(&syms) {
            assert_eq!(ids.name(*s), *n);
            assert_eq!(ids.intern(n), *s);
        }
        assert_eq!(ids.name(Sym(99)), "?");
        assert_eq!(ids.name(Sym::of_counter(7, 1)), "?");
        // Many strings force the table to grow; every one still reads back.
        let grown: Vec<Sym> = (0..10_000).map(|i| ids.intern(&format!("c{i}x"))).collect();
        for (i, s) in grown.iter().enumerate() {
            assert_eq!(ids.name(*s), format!("c{i}x"));
        }
        // After growing, known strings still find their first symbols, and add nothing.
        assert_eq!(ids.intern("c4242x"), grown[4242]);
        assert_eq!(ids.intern("ana"), syms[0]);
        assert_eq!(ids.stored(), 4 + 10_000);
    }

    #[test]
    fn a_counter_id_has_one_symbol_and_costs_no_storage() {
        let mut ids = Interner::default();
        let first = ids.intern("x-1");
        let far = ids.intern("x-200000");
        let syms: Vec<Sym> = (0..50_000).map(|k| ids.intern(&format!("x-{k}"))).collect();
        assert_eq!(ids.intern("x-200000"), far);
        assert_eq!(ids.intern("x-1"), first);
        assert_eq!(syms[1], first);
        assert_eq!(ids.name(syms[49_999]), "x-49999");
        assert_eq!(ids.stored(), 0);
        // Counters of a prefix order by value; prefixes by first sight, after stored strings.
        assert!(syms[2] < syms[10] && syms[10] < far);
        let y = ids.intern("y-0");
        let stored = ids.intern("calls");
        assert!(far < y && stored < first);
        // Written differently, a different id (a leading zero is not a counter).
        let padded = ids.intern("x-01");
        assert_ne!(padded, first);
        assert_eq!(ids.name(padded), "x-01");
        assert_eq!(ids.stored(), 2);
        // More prefixes than are numbered: the rest are stored, consistently.
        let many: Vec<Sym> = (0..300).map(|p| ids.intern(&format!("p{p}-1"))).collect();
        for (p, s) in many.iter().enumerate() {
            assert_eq!(ids.intern(&format!("p{p}-1")), *s);
            assert_eq!(ids.name(*s), format!("p{p}-1"));
        }
        // x-, y- and 254 of the p-s are numbered; 46 p-s are stored, beside "calls" and "x-01".
        assert_eq!(ids.stored(), 2 + (300 - (counters::MAX_PREFIXES - 2)));
    }
}
