//! Interning: the strings of the log become dense integers inside the engine.
//!
//! Every distinct string is stored once, in one growing arena, and numbered in the order it
//! was first seen. An id that is a prefix and a counter finds its number by position
//! ([`counters`]); any other string through a hash table of symbols, comparing against the
//! arena, after a look at the few symbols interned last. Seeing a new id costs no allocation
//! of its own, and seeing a known one a comparison or two.

mod counters;

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// An interned string: an index into an [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// Maps each distinct string to a [`Sym`].
pub struct Interner {
    /// Every string seen, end to end.
    text: String,
    /// Where each symbol's string ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// Symbols with a 32-bit hash of their string: growing the table and ruling out
    /// candidates need no trip to the arena.
    table: HashTable<(u32, Sym)>,
    hasher: FxBuildHasher,
    /// The symbols most recently interned, found or created, with their short hashes: an event
    /// names the same id more than once, and the next events name it again, so a few
    /// comparisons against strings still in cache usually save hashing and probing a table
    /// that grows with the log.
    recent: [(u32, Sym); RECENT],
    /// Where the next recent symbol goes (round robin).
    recent_next: usize,
    /// Symbols of prefix-and-counter ids, by position.
    counters: counters::Counters,
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
            // A symbol that does not exist: an empty slot never matches.
            recent: [(0, Sym(u32::MAX)); RECENT],
            recent_next: 0,
            counters: counters::Counters::default(),
        }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("strings", &self.ends.len())
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

/// The string of `sym` in an arena, if the arena has that symbol.
fn slice<'a>(text: &'a str, ends: &[usize], sym: Sym) -> Option<&'a str> {
    let i = sym.0 as usize;
    let end = *ends.get(i)?;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    text.get(start..end)
}

impl Interner {
    /// The symbol for `name`, creating it on first sight.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some((prefix, n)) = counters::split(name) {
            if let counters::Slot::Vector(p, i) = self.counters.slot(prefix, n) {
                if let Some(sym) = self.counters.get(p, i) {
                    return sym;
                }
                let found = if self.counters.may_be_in_table(p, i) {
                    self.find(name)
                } else {
                    None
                };
                let sym = found.unwrap_or_else(|| self.push(name));
                self.counters.set(p, i, sym);
                return sym;
            }
        }
        self.intern_hashed(name)
    }

    /// The symbol of `name` through the recent symbols and the hash table, creating it (in
    /// the table) on first sight.
    fn intern_hashed(&mut self, name: &str) -> Sym {
        let (short, hash) = hashes(&self.hasher, name);
        // The same short hash and the same string: a recent symbol, found without the table.
        let (text, ends) = (&self.text, &self.ends);
        let mut recent = self.recent.iter();
        if let Some(&(_, sym)) =
            recent.find(|&&(h, s)| h == short && slice(text, ends, s) == Some(name))
        {
            return sym;
        }
        let sym = match self.find_hashed(short, hash, name) {
            Some(sym) => sym,
            None => {
                let sym = self.push(name);
                self.table
                    .insert_unique(hash, (short, sym), |&(h, _)| spread(h));
                sym
            }
        };
        self.recent[self.recent_next] = (short, sym);
        self.recent_next = (self.recent_next + 1) % RECENT;
        sym
    }

    /// The symbol of `name` in the hash table, if it is there.
    fn find(&self, name: &str) -> Option<Sym> {
        let (short, hash) = hashes(&self.hasher, name);
        self.find_hashed(short, hash, name)
    }

    /// The symbol of `name`, whose hashes are given, in the hash table.
    fn find_hashed(&self, short: u32, hash: u64, name: &str) -> Option<Sym> {
        let (text, ends) = (&self.text, &self.ends);
        self.table
            .find(hash, |&(h, s)| {
                h == short && slice(text, ends, s) == Some(name)
            })
            .map(|&(_, s)| s)
    }

    /// A new symbol for `name`, in the arena only (its caller keeps it in a counter slot).
    fn push(&mut self, name: &str) -> Sym {
        let sym = Sym(self.ends.len() as u32);
        self.text.push_str(name);
        self.ends.push(self.text.len());
        sym
    }

    /// The string behind `sym`.
    pub fn name(&self, sym: Sym) -> &str {
        slice(&self.text, &self.ends, sym).unwrap_or("?")
    }

    /// How many distinct strings have been seen.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no string has been seen.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
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
        assert_eq!(ids.len(), 5);
        for (n, s) in names.iter().zip(&syms) {
            assert_eq!(ids.name(*s), *n);
            assert_eq!(ids.intern(n), *s);
        }
        assert_eq!(ids.name(Sym(99)), "?");
        // Many strings force the table to grow; every one still reads back.
        let grown: Vec<Sym> = (0..10_000).map(|i| ids.intern(&format!("c{i}"))).collect();
        for (i, s) in grown.iter().enumerate() {
            assert_eq!(ids.name(*s), format!("c{i}"));
        }
        // After growing, known strings still find their first symbols, and add nothing.
        assert_eq!(ids.intern("c4242"), grown[4242]);
        assert_eq!(ids.intern("ana"), syms[0]);
        assert_eq!(ids.len(), 5 + 10_000);
    }

    #[test]
    fn a_counter_id_has_one_symbol_whichever_way_it_was_kept() {
        let mut ids = Interner::default();
        let first = ids.intern("x-1");
        // Far beyond the vector's reach: kept in the table.
        let far = ids.intern("x-200000");
        // The vector grows towards it, one id every four counters (dense enough to grow)...
        for k in (4..200_000).step_by(4) {
            ids.intern(&format!("x-{k}"));
        }
        // ... until the far id has a slot, which must find the table's symbol, not a new one.
        assert_eq!(ids.intern("x-200000"), far);
        assert_eq!(ids.intern("x-1"), first);
        // Below the first counter seen for a prefix: the table's, every time.
        let high = ids.intern("y-5000");
        let low = ids.intern("y-3");
        assert_eq!(ids.intern("y-3"), low);
        assert_eq!(ids.intern("y-5000"), high);
        // Written differently, a different id.
        assert_ne!(ids.intern("x-01"), first);
        // Long prefixes that share their first eight bytes are still told apart.
        let (a, b) = (ids.intern("queue-east-1"), ids.intern("queue-west-1"));
        assert_ne!(a, b);
        assert_eq!(ids.intern("queue-east-1"), a);
        assert_eq!(ids.name(b), "queue-west-1");
        // More prefixes than have vectors: the rest go to the table, consistently.
        let many: Vec<Sym> = (0..80).map(|p| ids.intern(&format!("p{p}-1"))).collect();
        for (p, s) in many.iter().enumerate() {
            assert_eq!(ids.intern(&format!("p{p}-1")), *s);
            assert_eq!(ids.name(*s), format!("p{p}-1"));
        }
        // x-1, x-200000, 49,999 steps, y-5000, y-3, x-01, two queues, and 80 prefixes.
        assert_eq!(ids.len(), 2 + 49_999 + 2 + 1 + 2 + 80);
        assert_eq!(ids.name(far), "x-200000");
    }
}
