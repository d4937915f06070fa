//! Queue stays: a contact's time in one queue, from entering it to an agent taking it, the
//! customer leaving, or the contact moving to another queue. The queue metrics are computed
//! from these rows, so a wait is counted in the queue it happened in.
//!
//! An agent takes a contact when they accept an offer of one of its agent sessions; a log
//! without sessions says so with the contact's first response instead. A contact queued again
//! in the queue it is waiting in stays where it is (an offer declined and routed again); one
//! queued elsewhere before an agent took it has flowed out of the first queue.

use super::sessions::Declined;
use super::Fold;
use crate::event::Outcome;
use crate::facts::{Fact, FactSink, QueueStayFact, StayEnd};
use crate::ids::Sym;
use crate::time::Instant;

/// The stay a contact is in, while no agent has taken it.
#[derive(Clone, Copy, Debug)]
pub(super) struct OpenStay {
    queue: Sym,
    entered_at: Instant,
    first_offer_at: Option<Instant>,
    /// The latest offer still ringing (cleared when it is declined).
    ringing_since: Option<Instant>,
    rejected: u32,
    timed_out: u32,
}

impl OpenStay {
    fn new(queue: Sym, entered_at: Instant) -> Self {
        OpenStay {
            queue,
            entered_at,
            first_offer_at: None,
            ringing_since: None,
            rejected: 0,
            timed_out: 0,
        }
    }
}

/// How a contact's end ends the stay it is in.
fn end_of(outcome: Outcome) -> StayEnd {
    match outcome {
        Outcome::Abandoned => StayEnd::Abandoned,
        Outcome::CallbackRequested => StayEnd::Callback,
        Outcome::Completed | Outcome::ForwardedOutside | Outcome::Voicemail => StayEnd::Ended,
    }
}

impl<S: FactSink> Fold<S> {
    /// Contact `contact` entered `queue` at `at`.
    pub(super) fn stay_entered(&mut self, contact: Sym, queue: Sym, at: Instant) {
        let Some(slot) = self.contacts.get_mut(contact) else {
            return;
        };
        if slot.stay.is_some_and(|stay| stay.queue == queue) {
            return;
        }
        let left = slot.stay.replace(OpenStay::new(queue, at));
        if let Some(stay) = left {
            self.close_stay(contact, stay, at, StayEnd::FlowedOut);
        }
    }

    /// An agent session of contact `contact` was offered at `at`.
    pub(super) fn stay_offered(&mut self, contact: Sym, at: Instant) {
        if let Some(stay) = self.open_stay(contact) {
            stay.first_offer_at.get_or_insert(at);
            stay.ringing_since = Some(at);
        }
    }

    /// An offer of an agent session of contact `contact` was declined.
    pub(super) fn stay_declined(&mut self, contact: Sym, how: Declined) {
        if let Some(stay) = self.open_stay(contact) {
            stay.ringing_since = None;
            match how {
                Declined::Rejected => stay.rejected += 1,
                Declined::TimedOut => stay.timed_out += 1,
            }
        }
    }

    /// An agent took contact `contact` at `at`: accepted an offer, or responded first.
    pub(super) fn stay_answered(&mut self, contact: Sym, at: Instant) {
        let Some(slot) = self.contacts.get_mut(contact) else {
            return;
        };
        if let Some(stay) = slot.stay.take() {
            self.close_stay(contact, stay, at, StayEnd::Answered);
        }
    }

    /// Contact `contact` ended at `at` with `outcome`, ending the stay it was in.
    pub(super) fn stay_ended(&mut self, contact: Sym, at: Instant, outcome: Outcome) {
        let Some(slot) = self.contacts.get_mut(contact) else {
            return;
        };
        if let Some(stay) = slot.stay.take() {
            self.close_stay(contact, stay, at, end_of(outcome));
        }
    }

    /// The stays still open at the real-time cut-off `cut`, emitted as open rows.
    pub(super) fn finish_stays(&mut self, cut: Instant) {
        for contact in self.contacts.open_syms() {
            let Some(slot) = self.contacts.get_mut(contact) else {
                continue;
            };
            if let Some(stay) = slot.stay.take() {
                self.close_stay(contact, stay, cut, StayEnd::Open);
            }
        }
    }

    fn open_stay(&mut self, contact: Sym) -> Option<&mut OpenStay> {
        self.contacts.get_mut(contact)?.stay.as_mut()
    }

    /// Emits the row of `stay`, ended at `at` by `end`.
    fn close_stay(&mut self, contact: Sym, stay: OpenStay, at: Instant, end: StayEnd) {
        let Some(slot) = self.contacts.get(contact) else {
            return;
        };
        let answered = end == StayEnd::Answered;
        let fact = QueueStayFact {
            contact,
            channel: slot.fact.channel,
            direction: slot.fact.direction,
            queue: stay.queue,
            entered_at: stay.entered_at,
            // A log without offers: the agent who took the contact was offered it then.
            first_offer_at: stay.first_offer_at.or(answered.then_some(at)),
            accepted_offer_at: if answered { stay.ringing_since } else { None },
            ended_at: at,
            end,
            rejected: stay.rejected,
            timed_out: stay.timed_out,
        };
        self.emit(Fact::QueueStay(fact));
    }
}
