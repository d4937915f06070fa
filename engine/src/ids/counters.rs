//! Ids that are a prefix and a counter (`ct-1042`, `agents-7`, `T-100234`): most platforms
//! number their contacts, sessions and tickets, and the simulator does too.
//!
//! Such an id needs no table at all: its symbol is computed from the number of its prefix
//! (prefixes are numbered as they are first seen) and its counter, and its text is written back
//! from the two when a report needs it. So interning it costs a scan of its digits and a look
//! through a few prefixes, and remembering it costs nothing. Ids that do not fit (no counter, a
//! counter with a leading zero or over nine digits, or a prefix beyond the
//! [`MAX_PREFIXES`] first ones) go to the interner's hash table; a given string always goes the
//! same way, so it always has the same symbol.

/// The longest counter: nine digits, so that every counter fits a `u32`.
const MAX_DIGITS: usize = 9;
/// How many prefixes are numbered; ids with other prefixes go to the table.
pub(super) const MAX_PREFIXES: usize = 256;

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

/// The prefixes of counter ids, numbered in the order they were first seen.
#[derive(Default)]
pub(super) struct Prefixes {
    /// Each prefix's key (compared first) and text.
    list: Vec<((usize, u64), Box<str>)>,
    /// The prefix found last: ids of one kind tend to come in runs.
    last: usize,
}

impl Prefixes {
    /// The number of `prefix`, numbering it if it is new and there is room; `None` when all
    /// [`MAX_PREFIXES`] numbers are taken by other prefixes.
    pub(super) fn number(&mut self, prefix: &str) -> Option<usize> {
        let key = key(prefix);
        let is = |(k, text): &((usize, u64), Box<str>)| {
            *k == key && (prefix.len() <= 8 || &**text == prefix)
        };
        if self.list.get(self.last).is_some_and(is) {
            return Some(self.last);
        }
        let p = match self.list.iter().position(is) {
            Some(p) => p,
            None if self.list.len() < MAX_PREFIXES => {
                self.list.push((key, prefix.into()));
                self.list.len() - 1
            }
            None => return None,
        };
        self.last = p;
        Some(p)
    }

    /// The text of prefix number `p`.
    pub(super) fn text(&self, p: usize) -> Option<&str> {
        self.list.get(p).map(|(_, text)| &**text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn prefixes_keep_their_numbers_and_run_out_cleanly() {
        let mut p = Prefixes::default();
        assert_eq!(p.number("ct-"), Some(0));
        assert_eq!(p.number("se-"), Some(1));
        assert_eq!(p.number("ct-"), Some(0));
        // Long prefixes that share their first eight bytes are told apart.
        assert_eq!(p.number("queue-east-"), Some(2));
        assert_eq!(p.number("queue-west-"), Some(3));
        assert_eq!(p.number("queue-east-"), Some(2));
        assert_eq!(p.text(3), Some("queue-west-"));
        for i in 4..MAX_PREFIXES {
            assert_eq!(p.number(&format!("p{i}-")), Some(i));
        }
        // Full: a new prefix has no number, now or later; the old ones keep theirs.
        assert_eq!(p.number("late-"), None);
        assert_eq!(p.number("late-"), None);
        assert_eq!(p.number("se-"), Some(1));
        assert_eq!(p.text(MAX_PREFIXES), None);
    }
}
