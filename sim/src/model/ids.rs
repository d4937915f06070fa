//! Ids the simulator gives out: a prefix and a counter, written once into an inline buffer
//! when given out, so that events naming them borrow the text.

use arrayvec::ArrayString;

/// The text of an id: a short prefix and a number, held inline.
type IdText = ArrayString<24>;

/// An id the simulator gave out: its number, and its text written once, when it is given out,
/// so that the events naming it borrow the text rather than write it again.
#[derive(Clone, Copy, Debug)]
pub(super) struct Id {
    /// Its number (unique among ids of its prefix).
    pub(super) number: u64,
    text: IdText,
}

impl Id {
    /// No id (a contact slot not in use).
    pub(super) const NONE: Id = Id {
        number: 0,
        text: IdText::new_const(),
    };

    /// The id numbered `number` after `prefix`.
    pub(super) fn new(prefix: &'static str, number: u64) -> Id {
        let mut text = IdText::new();
        // The prefixes are this file's three-letter constants and a u64 has at most 20 digits,
        // so both fit (a test writes the longest); a longer prefix is a bug here, refused
        // loudly rather than cut to a duplicate id.
        text.push_str(prefix);
        text.push_str(itoa::Buffer::new().format(number));
        Id { number, text }
    }

    /// Its text.
    pub(super) fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

/// The last number given out for each kind of id (ids start at 1).
#[derive(Default)]
pub(super) struct Counters {
    contact: u64,
    session: u64,
    conversation: u64,
    customer: u64,
    bot_session: u64,
    ticket: u64,
}

impl Counters {
    /// The next contact id.
    pub(super) fn contact(&mut self) -> Id {
        bump(&mut self.contact, "ct-")
    }

    /// The next session id.
    pub(super) fn session(&mut self) -> Id {
        bump(&mut self.session, "se-")
    }

    /// The next conversation id.
    pub(super) fn conversation(&mut self) -> Id {
        bump(&mut self.conversation, "cv-")
    }

    /// The next customer id.
    pub(super) fn customer(&mut self) -> Id {
        bump(&mut self.customer, "cu-")
    }

    /// The next bot session id.
    pub(super) fn bot_session(&mut self) -> Id {
        bump(&mut self.bot_session, "bs-")
    }

    /// The next ticket id.
    pub(super) fn ticket(&mut self) -> Id {
        bump(&mut self.ticket, "tk-")
    }
}

/// Advances `counter` and gives out the id it now numbers.
fn bump(counter: &mut u64, prefix: &'static str) -> Id {
    *counter += 1;
    Id::new(prefix, *counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_without_allocating() {
        assert_eq!(Id::new("ct-", 0).as_str(), "ct-0");
        assert_eq!(Id::new("se-", 1234567).as_str(), "se-1234567");
        assert_eq!(Id::new("x", u64::MAX).as_str(), "x18446744073709551615");
        // The longest id the simulator writes fits the buffer.
        assert_eq!(Id::new("ct-", u64::MAX).as_str(), "ct-18446744073709551615");
    }
}
