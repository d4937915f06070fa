//! Ids that are a prefix and a counter (`ct-1042`, `agents-7`, `T-100234`): most platforms
//! number their contacts, sessions and tickets, and the simulator does too.
//!
//! Such an id finds its symbol by position, in a vector per prefix indexed by the counter,
//! with no hashing and no probe of a table that grows with the log. Ids that do not fit (no
//! counter, a counter with a leading zero or over nine digits, one far beyond the counters
//! seen so far, or more prefixes than are tracked) go to the interner's hash table instead.
//! Each string has one symbol whichever way it went: see [`Counters::slot`].

use super::Sym;

/// The longest counter with a slot: nine digits, so that every counter fits a `u32`.
const MAX_DIGITS: usize = 9;
/// How far past the end of a prefix's vector a new counter may land and still get a slot
/// (the vector grows to it); a counter further out goes to the table.
const REACH: usize = 1 << 16;
/// A vector holds at most this many slots per id it has, plus [`REACH`]: ids spread thinly
/// (ct-1, ct-60000, ct-120000, ...) go to the table rather than grow it without bound.
const SLOTS_PER_ID: usize = 4;
/// How many prefixes get vectors; ids with other prefixes go to the table.
const MAX_PREFIXES: usize = 64;
/// An empty slot.
const NONE: Sym = Sym(u32::MAX);

/// Splits `name` into its prefix and its counter: the run of ASCII digits at its end, written
/// the one way a number is written (no leading zero, at most nine digits).
pub(super) fn split(name: &str) -> Option<(&str, u32)> {
    let bytes = name.as_bytes();
    // One pass from the end: the digits' value, and where they start.
    let (mut n, mut scale, mut start) = (0u32, 1u32, bytes.len());
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        if bytes.len() - start == MAX_DIGITS {
            return None;
        }
        start -= 1;
        n += u32::from(bytes[start] - b'0') * scale;
        scale = scale.wrapping_mul(10);
    }
    let digits = bytes.len() - start;
    if digits == 0 || (digits > 1 && bytes[start] == b'0') {
        return None;
    }
    Some((&name[..start], n))
}

/// The counters of one prefix.
struct Prefix {
    /// The prefix's length and first eight bytes, compared before the text itself.
    key: (usize, u64),
    text: Box<str>,
    /// The counter of `syms[0]`: the first counter seen, rounded down to a multiple of 1024.
    /// Counters below it always go to the table.
    base: u32,
    /// Symbols by counter − `base`; [`NONE`] where no id has been seen.
    syms: Vec<Sym>,
    /// How many slots are filled.
    filled: usize,
    /// The highest counter that went to the table for lying beyond the vector's reach. A slot
    /// at or below it that is empty may still have an id in the table.
    spilled: Option<u32>,
}

/// A prefix's length and its first eight bytes (zero-padded): equal keys mean equal prefixes
/// for prefixes of up to eight bytes.
fn key(prefix: &str) -> (usize, u64) {
    // Built in a register: a copy into a stack buffer read back as one word stalls the load.
    let head = prefix
        .bytes()
        .take(8)
        .enumerate()
        .fold(0u64, |k, (i, b)| k | u64::from(b) << (8 * i));
    (prefix.len(), head)
}

/// Where an id's symbol is kept.
pub(super) enum Slot {
    /// In a vector slot: (prefix, index). The slot may be empty.
    Vector(usize, usize),
    /// In the interner's hash table.
    Table,
}

/// Symbols of prefix-and-counter ids, by prefix and counter.
#[derive(Default)]
pub(super) struct Counters {
    prefixes: Vec<Prefix>,
}

impl Counters {
    /// Where the symbol of the id `prefix` + `n` is kept, making room for it in a vector when
    /// it fits. Repeated calls for one id always answer the same way, except that an id that
    /// went to the table may later get a vector slot as the vector grows; such a slot reports
    /// that it [`may_be_in_table`](Self::may_be_in_table), so the caller looks there first.
    pub(super) fn slot(&mut self, prefix: &str, n: u32) -> Slot {
        let key = key(prefix);
        let found = self
            .prefixes
            .iter()
            .position(|p| p.key == key && (prefix.len() <= 8 || &*p.text == prefix));
        let p = match found {
            Some(p) => p,
            None if self.prefixes.len() < MAX_PREFIXES => {
                self.prefixes.push(Prefix {
                    key,
                    text: prefix.into(),
                    base: n - n % 1024,
                    syms: Vec::new(),
                    filled: 0,
                    spilled: None,
                });
                self.prefixes.len() - 1
            }
            None => return Slot::Table,
        };
        let pre = &mut self.prefixes[p];
        let Some(i) = n.checked_sub(pre.base).map(|i| i as usize) else {
            return Slot::Table;
        };
        if i >= pre.syms.len() {
            if i - pre.syms.len() >= REACH || i >= SLOTS_PER_ID * pre.filled + REACH {
                pre.spilled = Some(pre.spilled.map_or(n, |s| s.max(n)));
                return Slot::Table;
            }
            pre.syms.resize(i + 1, NONE);
        }
        Slot::Vector(p, i)
    }

    /// The symbol in a vector slot, if it has one.
    pub(super) fn get(&self, p: usize, i: usize) -> Option<Sym> {
        let s = self.prefixes[p].syms[i];
        (s != NONE).then_some(s)
    }

    /// Fills a vector slot.
    pub(super) fn set(&mut self, p: usize, i: usize, sym: Sym) {
        let pre = &mut self.prefixes[p];
        if pre.syms[i] == NONE {
            pre.filled += 1;
        }
        pre.syms[i] = sym;
    }

    /// Whether the id of an empty vector slot may have gone to the table before the vector
    /// reached it.
    pub(super) fn may_be_in_table(&self, p: usize, i: usize) -> bool {
        let pre = &self.prefixes[p];
        pre.spilled
            .is_some_and(|s| u64::from(pre.base) + i as u64 <= u64::from(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinly_spread_counters_do_not_grow_a_vector_without_bound() {
        let mut c = Counters::default();
        let mut next = Sym(0);
        // Each id just within reach of the vector's end: without a density limit the vector
        // would grow by REACH slots per id.
        for k in 0..200u32 {
            if let Slot::Vector(p, i) = c.slot("x-", k * 60_000) {
                if c.get(p, i).is_none() {
                    c.set(p, i, next);
                    next.0 += 1;
                }
            }
        }
        let pre = &c.prefixes[0];
        assert!(
            pre.syms.len() <= SLOTS_PER_ID * pre.filled + REACH,
            "{}",
            pre.syms.len()
        );
        assert!(
            pre.spilled.is_some(),
            "the thinly spread ones went to the table"
        );
    }

    #[test]
    fn only_plainly_written_counters_split() {
        assert_eq!(split("ct-1042"), Some(("ct-", 1042)));
        assert_eq!(split("7"), Some(("", 7)));
        assert_eq!(split("a0"), Some(("a", 0)));
        assert_eq!(split("agents-10"), Some(("agents-", 10)));
        assert_eq!(split("999999999"), Some(("", 999_999_999)));
        // No counter, a leading zero, or too many digits: the table's.
        assert_eq!(split("calls"), None);
        assert_eq!(split("ct-007"), None);
        assert_eq!(split("1234567890"), None);
        assert_eq!(split("x1234567890"), None);
        assert_eq!(split(""), None);
        // Only ASCII digits count; the prefix may hold anything.
        assert_eq!(split("é٣4"), Some(("é٣", 4)));
    }
}
