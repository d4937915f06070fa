//! Interning: the strings of the log become dense integers inside the engine.

use rustc_hash::FxHashMap;

/// An interned string: an index into an [`Interner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// Maps each distinct string to a [`Sym`], allocating only the first time a string is seen.
#[derive(Default, Debug)]
pub struct Interner {
    map: FxHashMap<Box<str>, Sym>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The symbol for `name`, creating it on first sight.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.map.get(name) {
            return s;
        }
        let s = Sym(self.names.len() as u32);
        let boxed: Box<str> = name.into();
        self.names.push(boxed.clone());
        self.map.insert(boxed, s);
        s
    }

    /// The symbol for `name`, if it was ever interned.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.map.get(name).copied()
    }

    /// The string behind `sym`.
    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map_or("?", |s| s)
    }

    /// How many distinct strings have been seen.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no string has been seen.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
