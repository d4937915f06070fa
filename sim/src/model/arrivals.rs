//! Arrivals: customers arriving on a workstream (a Poisson process with a piecewise-constant
//! rate), customers coming back to a conversation they closed, and a new contact's first
//! events.

use ccsim_engine::event::{Direction, EventKind, Sender};

use super::contacts::Origin;
use super::ids::Id;
use super::index::{AgentIdx, BotIdx, Idx, QueueIdx, ReturnIdx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};
use crate::scenario::{ChannelKind, Entry, Segment};

/// A customer coming back: who, to which conversation, from when.
#[derive(Clone, Copy, Debug)]
pub(super) struct ReturnInfo {
    pub(super) customer: Id,
    pub(super) conversation: Id,
    /// When the conversation closed [ms].
    pub(super) closed_at_ms: i64,
    /// The workstream they come back on.
    pub(super) workstream: WorkstreamIdx,
    /// The agent who closed the conversation, if an agent did.
    pub(super) agent: Option<AgentIdx>,
    /// The key of the new contact's random stream, drawn from the closed contact's.
    pub(super) key: u64,
}

/// Where a Poisson process with a piecewise-constant rate is: the instant of its last event
/// [ms, fractional] and the segment of the rate function that instant is in.
#[derive(Clone, Copy, Debug)]
pub(super) struct RateClock {
    clock_ms: f64,
    segment: usize,
}

impl RateClock {
    /// A process that starts at `start_ms`, in its first segment.
    pub(super) fn new(start_ms: i64) -> RateClock {
        RateClock {
            clock_ms: start_ms as f64,
            segment: 0,
        }
    }

    /// The next event of the process with rate function `segments`, from a unit exponential
    /// `e`: the cumulative rate is inverted from the last event, which moves to the new one.
    /// `None` once the rate function is exhausted.
    pub(super) fn next(&mut self, segments: &[Segment], mut e: f64) -> Option<i64> {
        let mut t = self.clock_ms;
        let mut i = self.segment;
        loop {
            let Some(s) = segments.get(i) else {
                self.segment = i;
                return None;
            };
            if t < s.start as f64 {
                t = s.start as f64;
            }
            let room = (s.end as f64 - t) * s.rate;
            if e < room {
                t += e / s.rate;
                break;
            }
            e -= room.max(0.0);
            t = s.end as f64;
            i += 1;
        }
        self.segment = i;
        self.clock_ms = t;
        Some(t.round() as i64)
    }
}

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules the workstream's next arrival by inverting its cumulative rate function
    /// with a unit exponential, so a rate multiplier moves arrivals without reshuffling them.
    pub(super) fn schedule_arrival(&mut self, workstream: WorkstreamIdx) {
        let e = self.streams.arrivals[workstream.get()].unit_exp();
        let segments = &self.scenario.workstreams[workstream.get()].arrivals;
        if let Some(at) = self.arrivals[workstream].next(segments, e) {
            self.kernel.at(at, Activation::Arrival { workstream });
        }
    }

    /// A new customer arrives on the workstream.
    pub(super) fn arrival(&mut self, workstream: WorkstreamIdx) -> Result<(), SimError> {
        self.schedule_arrival(workstream);
        let customer = self.ids.customer();
        let key = self.streams.customers[workstream.get()].key();
        self.start_contact(workstream, customer, None, None, key)
    }

    /// A customer comes back: to the conversation they closed if it is within the reopen
    /// window, else in a new one; to the same agent, when free, within the same-agent limit.
    pub(super) fn returned(&mut self, pending: ReturnIdx) -> Result<(), SimError> {
        let info = self.returns[pending];
        self.returns.give_back(pending);
        let since_close_ms = self.kernel.now() - info.closed_at_ms;
        let platform = &self.scenario.platform;
        let reopen = since_close_ms <= platform.reopen_window_ms;
        let preferred = match platform.same_agent_ms {
            Some(limit) if since_close_ms <= limit => info.agent,
            _ => None,
        };
        self.start_contact(
            info.workstream,
            info.customer,
            reopen.then_some(info.conversation),
            preferred,
            info.key,
        )
    }

    /// A customer starts a contact on the workstream, in a new conversation or in the one
    /// `reopen` names, with the random stream `key` stands for, and goes to the workstream's
    /// queue or bot.
    fn start_contact(
        &mut self,
        workstream: WorkstreamIdx,
        customer: Id,
        reopen: Option<Id>,
        preferred: Option<AgentIdx>,
        key: u64,
    ) -> Result<(), SimError> {
        let definition = &self.scenario.workstreams[workstream.get()];
        let conversation = match reopen {
            Some(conversation) => {
                self.emit(EventKind::ConversationReopened {
                    conversation: conversation.as_str(),
                })?;
                conversation
            }
            None => {
                let conversation = self.ids.conversation();
                self.emit(EventKind::ConversationOpened {
                    conversation: conversation.as_str(),
                    customer: customer.as_str(),
                })?;
                conversation
            }
        };
        self.stats.contacts += 1;
        let id = self.ids.contact();
        self.emit(EventKind::ContactStarted {
            contact: id.as_str(),
            conversation: Some(conversation.as_str()),
            customer: Some(customer.as_str()),
            channel: definition.channel,
            direction: Direction::Inbound,
            channel_instance: None,
        })?;
        if definition.kind != ChannelKind::Voice {
            self.emit(EventKind::MessageSent {
                contact: id.as_str(),
                sender: Sender::Customer,
                author: None,
            })?;
        }
        let contact = self.alloc_contact(key);
        let slot = &mut self.contacts[contact];
        slot.origin = Origin::Inbound(workstream);
        slot.id = id;
        slot.customer = customer;
        slot.conversation = conversation;
        slot.preferred = preferred;
        match definition.entry {
            Entry::Queue(queue) => self.enqueue_new(contact, QueueIdx::new(queue)),
            Entry::Bot(bot) => self.bot_start(contact, workstream, BotIdx::new(bot)),
        }
    }
}
