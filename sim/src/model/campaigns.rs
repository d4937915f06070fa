//! Outbound campaigns: attempts that wait, silently, for a free agent, who then calls or
//! writes a new customer; attempts nobody starts in time expire.

use ccsim_engine::event::{Direction, EventKind, HandlerKind};

use super::contacts::{Origin, State, Step};
use super::index::{AgentIdx, CampaignIdx, ContactIdx, Idx, QueueIdx};
use super::{Activation, Output, Sim, SimError};
use crate::scenario::ChannelKind;

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules the campaign's next attempt, as [`Self::schedule_arrival`] does arrivals.
    pub(super) fn schedule_attempt(&mut self, campaign: CampaignIdx) {
        let e = self.streams.attempts[campaign.get()].unit_exp();
        let segments = &self.scenario.campaigns[campaign.get()].attempts;
        if let Some(at) = self.attempts[campaign].next(segments, e) {
            self.kernel.at(at, Activation::Attempt { campaign });
        }
    }

    /// A campaign attempt: it waits, silently, in the campaign's queue for a free agent (or
    /// goes to one at once). Nothing is written until an agent starts it.
    pub(super) fn attempt(&mut self, campaign: CampaignIdx) -> Result<(), SimError> {
        self.schedule_attempt(campaign);
        let definition = &self.scenario.campaigns[campaign.get()];
        let key = self.streams.attempt_keys[campaign.get()].key();
        let contact = self.alloc_contact(key);
        let now = self.kernel.now();
        let slot = &mut self.contacts[contact];
        slot.origin = Origin::Campaign(campaign);
        slot.queue = QueueIdx::new(definition.queue);
        slot.queued_at_ms = now;
        let gen = slot.gen;
        if let Some(delay) = definition.expire_ms {
            self.kernel
                .after(delay, Activation::Expire { contact, gen });
        }
        self.route(contact)
    }

    /// An attempt no agent started in time is dropped.
    pub(super) fn expire(&mut self, contact: ContactIdx) {
        if self.contacts[contact].state == State::Queued {
            self.release_contact(contact);
        }
    }

    /// The agent starts the campaign's attempt: a new customer and conversation, an outbound
    /// contact in a session the agent has accepted, the customer's profile open, and the
    /// call ringing (voice) or the message being written. The agent's capacity on the
    /// channel is taken as for any other contact.
    pub(super) fn dial(
        &mut self,
        contact: ContactIdx,
        campaign: CampaignIdx,
        agent: AgentIdx,
    ) -> Result<(), SimError> {
        let definition = &self.scenario.campaigns[campaign.get()];
        let channel = definition.channel;
        self.agents[agent].take_capacity(channel);
        let customer = self.ids.customer();
        let conversation = self.ids.conversation();
        let id = self.ids.contact();
        let session = self.ids.session();
        self.stats.contacts += 1;
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::ConversationOpened {
            conversation: conversation.as_str(),
            customer: customer.as_str(),
        })?;
        self.emit(EventKind::ContactStarted {
            contact: id.as_str(),
            conversation: Some(conversation.as_str()),
            customer: Some(customer.as_str()),
            channel,
            direction: Direction::Outbound,
            channel_instance: None,
        })?;
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: id.as_str(),
            queue: Some(&self.scenario.queues[definition.queue].name),
            handler: HandlerKind::Agent,
        })?;
        let se = session.as_str();
        self.emit(EventKind::SessionOffered {
            session: se,
            agent: agent_id,
        })?;
        self.accept_as_primary(session, agent)?;
        if self.group_of(agent).profile_views {
            self.open_profile(agent, customer)?;
        }
        let slot = &mut self.contacts[contact];
        slot.gen = slot.gen.wrapping_add(1);
        slot.token = slot.token.wrapping_add(1);
        slot.state = State::Handling;
        slot.agent = agent;
        slot.id = id;
        slot.customer = customer;
        slot.conversation = conversation;
        slot.session = session;
        let gen = slot.gen;
        let (step, delay) = if definition.kind == ChannelKind::Voice {
            let stream = &mut self.streams.answer[campaign.get()];
            if stream.chance(definition.answer_probability) {
                (Step::Answered, definition.ring.sample_ms(stream))
            } else {
                (Step::Finish, definition.unanswered_ring.sample_ms(stream))
            }
        } else {
            let stream = &mut self.streams.campaign_handle[campaign.get()];
            (Step::OutboundMessage, definition.handle.sample_ms(stream))
        };
        self.set_step(contact, step);
        self.kernel.after(delay, Activation::Step { contact, gen });
        Ok(())
    }
}
