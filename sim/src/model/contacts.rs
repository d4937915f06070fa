//! Contacts: where each one is and what it carries, in a slab whose slots are reused (a
//! slot's generation tells a stale timer from a live one).

use super::ids::Id;
use super::index::{AgentIdx, BotIdx, CampaignIdx, ContactIdx, Idx, QueueIdx, WorkstreamIdx};
use super::{Output, Sim};
use crate::dist::Stream;

/// Where a contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// The slot is not in use.
    Free,
    /// A bot is handling it.
    Bot,
    /// Waiting in a queue (or, for a campaign attempt, for a free agent).
    Queued,
    /// Offered to an agent, who has not answered yet.
    Offered,
    /// An agent is handling it.
    Handling,
    /// Its agent is in after-contact work.
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

/// Where a contact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    /// A customer on a workstream (arrived, or come back).
    Inbound(WorkstreamIdx),
    /// An outbound campaign's attempt.
    Campaign(CampaignIdx),
    /// A call back to a customer of the workstream who asked for one in a queue.
    Callback(WorkstreamIdx),
}

/// The most steps a call's plan has: a hold and a consult (each a start and an end), then the
/// rest of the talk.
pub(super) const PLAN_STEPS: usize = 6;

/// One contact in the system.
#[derive(Clone, Debug)]
pub(super) struct Contact {
    /// Bumped whenever the contact's timers must no longer fire (accepted, closed, freed).
    pub(super) gen: u32,
    pub(super) state: State,
    pub(super) origin: Origin,
    pub(super) id: Id,
    pub(super) customer: Id,
    pub(super) conversation: Id,
    /// Its current session.
    pub(super) session: Id,
    pub(super) bot_session: Id,
    /// The bot handling it (meaningful while with a bot).
    pub(super) bot: BotIdx,
    /// Its current queue (meaningful once queued).
    pub(super) queue: QueueIdx,
    /// When it entered its current queue [ms] (a contact back from an offer keeps its place).
    pub(super) queued_at_ms: i64,
    /// The agent offered or handling it (meaningful from the first offer on).
    pub(super) agent: AgentIdx,
    /// The agent consulted, while a consult goes on.
    pub(super) consultant: Option<AgentIdx>,
    /// The agent a returning customer goes back to when that agent is free.
    pub(super) preferred: Option<AgentIdx>,
    /// The outcome drawn for its current offer.
    pub(super) offer: OfferOutcome,
    /// The agent who last declined it or let it ring out: routing passes them over for it
    /// until `missed_until_ms`.
    pub(super) missed_by: Option<AgentIdx>,
    /// Until when [ms] routing passes over `missed_by` for it.
    pub(super) missed_until_ms: i64,
    /// Position in the queue's FIFO: valid while equal to the entry's token.
    pub(super) token: u32,
    /// When it overflows from its queue [ms], if its queue overflows.
    pub(super) overflow_at_ms: i64,
    /// When its queue offers it a callback [ms], if its queue offers callbacks.
    pub(super) callback_at_ms: i64,
    /// Whether the customer has been offered a callback (once per contact).
    pub(super) callback_offered: bool,
    pub(super) fulfilled: bool,
    pub(super) transferred: bool,
    /// The voice plan: (delay before it [ms], step), and where we are in it.
    pub(super) plan: [(i64, Step); PLAN_STEPS],
    pub(super) plan_len: u8,
    pub(super) plan_pos: u8,
    /// The consult's duration (accepted) or time to reject [ms].
    pub(super) consult_ms: i64,
    /// The contact's own random numbers: its customer's patience, handling, behaviour and
    /// comebacks. Its key comes from the contact's origin in an order staffing cannot change
    /// (the workstream's arrivals, or the contact it came back from), so the same customer
    /// draws the same figures at every point of a sweep (common random numbers).
    pub(super) rng: Stream,
}

impl Contact {
    /// A slot with nothing in it.
    pub(super) fn empty() -> Contact {
        Contact {
            gen: 0,
            state: State::Free,
            origin: Origin::Inbound(WorkstreamIdx::new(0)),
            id: Id::NONE,
            customer: Id::NONE,
            conversation: Id::NONE,
            session: Id::NONE,
            bot_session: Id::NONE,
            bot: BotIdx::new(0),
            queue: QueueIdx::new(0),
            queued_at_ms: 0,
            agent: AgentIdx::new(0),
            consultant: None,
            preferred: None,
            offer: OfferOutcome::Accept,
            missed_by: None,
            missed_until_ms: 0,
            token: 0,
            overflow_at_ms: i64::MAX,
            callback_at_ms: i64::MAX,
            callback_offered: false,
            fulfilled: false,
            transferred: false,
            plan: [(0, Step::Finish); PLAN_STEPS],
            plan_len: 0,
            plan_pos: 0,
            consult_ms: 0,
            rng: Stream::from_key(0),
        }
    }

    /// The workstream it came on (or whose customer it calls back), unless it is a campaign's.
    pub(super) fn workstream(&self) -> Option<WorkstreamIdx> {
        match self.origin {
            Origin::Inbound(workstream) | Origin::Callback(workstream) => Some(workstream),
            Origin::Campaign(_) => None,
        }
    }
}

impl<'s, O: Output> Sim<'s, O> {
    /// A slot for a new contact, queued, with a new generation and the random stream `key`
    /// stands for; its FIFO token carries on from the slot's last use, so old queue entries
    /// stay stale.
    pub(super) fn alloc_contact(&mut self, key: u64) -> ContactIdx {
        let contact = self.contacts.take(Contact::empty);
        let slot = &mut self.contacts[contact];
        *slot = Contact {
            gen: slot.gen.wrapping_add(1),
            token: slot.token,
            state: State::Queued,
            rng: Stream::from_key(key),
            ..Contact::empty()
        };
        contact
    }

    /// The contact has left the system: its timers and queue entries go stale, its slot free.
    pub(super) fn release_contact(&mut self, contact: ContactIdx) {
        let slot = &mut self.contacts[contact];
        slot.gen = slot.gen.wrapping_add(1);
        slot.token = slot.token.wrapping_add(1);
        slot.state = State::Free;
        self.contacts.give_back(contact);
    }
}
