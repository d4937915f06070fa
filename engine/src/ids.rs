//! Interning: the strings of the log become dense integers inside the engine.
//!
//! Every distinct string is stored once, in one growing arena; a hash table of symbols finds
//! a string's symbol by comparing against the arena, so seeing a new id costs no allocation
//! of its own and seeing a known one costs a hash and a comparison.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// An interned string: an index into an [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// Maps each distinct string to a [`Sym`].
#[derive(Default)]
pub struct Interner {
    /// Every string seen, end to end.
    text: String,
    /// Where each symbol's string ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    /// Symbols with a 32-bit hash of their string: growing the table and ruling out
    /// candidates need no trip to the arena.
    table: HashTable<(u32, Sym)>,
    hasher: FxBuildHasher,
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

/// The string of `sym` in an arena.
fn slice<'a>(text: &'a str, ends: &[usize], sym: Sym) -> &'a str {
    let i = sym.0 as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

impl Interner {
    /// The symbol for `name`, creating it on first sight.
    pub fn intern(&mut self, name: &str) -> Sym {
        let (short, hash) = hashes(&self.hasher, name);
        let Interner {
            text, ends, table, ..
        } = self;
        let found = table.find(hash, |&(h, s)| h == short && slice(text, ends, s) == name);
        if let Some(&(_, sym)) = found {
            return sym;
        }
        let sym = Sym(ends.len() as u32);
        text.push_str(name);
        ends.push(text.len());
        table.insert_unique(hash, (short, sym), |&(h, _)| spread(h));
        sym
    }

    /// The string behind `sym`.
    pub fn name(&self, sym: Sym) -> &str {
        if (sym.0 as usize) < self.ends.len() {
            slice(&self.text, &self.ends, sym)
        } else {
            "?"
        }
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
}
