//! Contacts: where each one is and what it carries, in a slab whose slots are reused (a
//! slot's generation tells a stale timer from a live one).

use super::ids::Id;
use super::{Output, Sim, NONE};

/// Where a contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Free,
    Bot,
    Queued,
    Offered,
    Handling,
    Wrap,
}

/// The outcome drawn for an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OfferOutcome {
    Accept,
    Reject,
    Timeout,
}

/// The next step of a contact's handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    HoldStart,
    HoldEnd,
    ConsultStart { reject: bool },
    ConsultEnd,
    FirstReply,
    Answered,
    OutboundMessage,
    CustomerMessage,
    AgentMessage,
    AsyncReply,
    Finish,
    WrapEnd,
}

/// One contact in the system.
#[derive(Clone, Debug)]
pub(super) struct Contact {
    pub(super) gen: u32,
    pub(super) state: State,
    pub(super) ws: u32,
    /// The campaign of an outbound attempt, or `NONE` for an inbound contact.
    pub(super) campaign: u32,
    pub(super) id: Id,
    pub(super) customer: Id,
    pub(super) conversation: Id,
    pub(super) session: Id,
    pub(super) bot_session: Id,
    pub(super) bot: u32,
    pub(super) queue: u32,
    /// When it entered its current queue (a contact back from an offer keeps its place).
    pub(super) enq_at: i64,
    pub(super) agent: u32,
    pub(super) consultant: u32,
    pub(super) pref_agent: u32,
    pub(super) pref_until: i64,
    pub(super) offer: OfferOutcome,
    /// Position in the queue's FIFO: valid while equal to the entry's token.
    pub(super) token: u32,
    pub(super) overflow_at: i64,
    pub(super) fulfilled: bool,
    pub(super) transferred: bool,
    /// The voice plan: (delay before it, step), and where we are in it.
    pub(super) plan: [(i64, Step); 6],
    pub(super) plan_len: u8,
    pub(super) plan_pos: u8,
    /// The consult's duration (accepted) or time to reject.
    pub(super) consult_ms: i64,
}

impl Contact {
    pub(super) fn empty() -> Contact {
        Contact {
            gen: 0,
            state: State::Free,
            ws: 0,
            campaign: NONE,
            id: Id::NONE,
            customer: Id::NONE,
            conversation: Id::NONE,
            session: Id::NONE,
            bot_session: Id::NONE,
            bot: NONE,
            queue: NONE,
            enq_at: 0,
            agent: NONE,
            consultant: NONE,
            pref_agent: NONE,
            pref_until: 0,
            offer: OfferOutcome::Accept,
            token: 0,
            overflow_at: i64::MAX,
            fulfilled: false,
            transferred: false,
            plan: [(0, Step::Finish); 6],
            plan_len: 0,
            plan_pos: 0,
            consult_ms: 0,
        }
    }
}

impl<'s, O: Output> Sim<'s, O> {
    pub(super) fn alloc(&mut self) -> u32 {
        let c = match self.free.pop() {
            Some(c) => c,
            None => {
                self.contacts.push(Contact::empty());
                (self.contacts.len() - 1) as u32
            }
        };
        let gen = self.contacts[c as usize].gen.wrapping_add(1);
        let token = self.contacts[c as usize].token;
        self.contacts[c as usize] = Contact {
            gen,
            token,
            state: State::Queued,
            ..Contact::empty()
        };
        c
    }

    pub(super) fn release_contact(&mut self, c: u32) {
        let x = &mut self.contacts[c as usize];
        x.gen = x.gen.wrapping_add(1);
        x.token = x.token.wrapping_add(1);
        x.state = State::Free;
        self.free.push(c);
    }
}
