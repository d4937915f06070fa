//! Callbacks: a customer who has waited long enough in a queue that offers callbacks is
//! offered one. One who takes it leaves the live queue (the inbound contact ends
//! `callback_requested`; the conversation stays open) but keeps their place in line. When
//! their turn comes, routing gives an agent an outbound call back to them, in the same
//! conversation, which the agent starts as a campaign call is started: it rings, is answered
//! or not, and is talked and wrapped up on the workstream's terms.

use ccsim_engine::event::{ClosureReason, Direction, EventKind, HandlerKind, Outcome};

use super::contacts::{Origin, State, Step};
use super::index::{AgentIdx, ContactIdx, Idx, QueueIdx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};

impl<'s, O: Output> Sim<'s, O> {
    /// Arms the callback offer of `queue`, if it has one, for a customer who has not been
    /// offered one yet.
    pub(super) fn arm_callback(&mut self, contact: ContactIdx, queue: QueueIdx) {
        let Some(callback) = &self.scenario.queues[queue.get()].callback else {
            return;
        };
        let now = self.kernel.now();
        let slot = &mut self.contacts[contact];
        if slot.callback_offered || !matches!(slot.origin, Origin::Inbound(_)) {
            return;
        }
        slot.callback_at_ms = now + callback.after_ms;
        let gen = slot.gen;
        self.kernel.after(
            callback.after_ms,
            Activation::CallbackOffer { contact, gen },
        );
    }

    /// The customer has waited the queue's callback time: they are offered a callback (once
    /// per contact, and not while an offer rings for them) and may take it, when the inbound
    /// contact ends and a callback waits in its place.
    pub(super) fn offer_callback(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let now = self.kernel.now();
        if slot.state != State::Queued || slot.callback_offered || now < slot.callback_at_ms {
            return Ok(());
        }
        let Origin::Inbound(workstream) = slot.origin else {
            return Ok(());
        };
        let queue = slot.queue;
        let Some(callback) = &self.scenario.queues[queue.get()].callback else {
            return Ok(());
        };
        self.contacts[contact].callback_offered = true;
        if !self.contacts[contact]
            .rng
            .chance(callback.accept_probability)
        {
            return Ok(());
        }
        self.request_callback(contact, workstream)
    }

    /// The customer takes the callback: their session and contact end (`callback_requested`),
    /// their timers (patience, overflow) go stale, and the contact's slot, kept in its place
    /// in line, now stands for the call back.
    fn request_callback(
        &mut self,
        contact: ContactIdx,
        workstream: WorkstreamIdx,
    ) -> Result<(), SimError> {
        let id = self.contacts[contact].id;
        self.end_session(contact, ClosureReason::CustomerDisconnect)?;
        self.emit(EventKind::ContactEnded {
            contact: id.as_str(),
            outcome: Outcome::CallbackRequested,
        })?;
        let slot = &mut self.contacts[contact];
        slot.gen = slot.gen.wrapping_add(1);
        slot.origin = Origin::Callback(workstream);
        Ok(())
    }

    /// The customer's turn has come: the agent starts the call back, an outbound contact in
    /// the customer's conversation, in a session the agent has taken (as a campaign call),
    /// with the customer's profile open; the call rings and is answered or not.
    pub(super) fn call_back(
        &mut self,
        contact: ContactIdx,
        agent: AgentIdx,
    ) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (queue, customer, conversation) = (slot.queue, slot.customer, slot.conversation);
        let definition = &self.scenario.queues[queue.get()];
        let channel = definition.channel;
        self.agents[agent].take_capacity(channel);
        let id = self.ids.contact();
        let session = self.ids.session();
        self.stats.contacts += 1;
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
            queue: Some(&definition.name),
            handler: HandlerKind::Agent,
        })?;
        self.emit(EventKind::SessionOffered {
            session: session.as_str(),
            agent: self.agent_id(agent),
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
        slot.session = session;
        slot.fulfilled = false;
        let gen = slot.gen;
        let (step, delay) = match &definition.callback {
            Some(callback) => {
                let stream = &mut self.contacts[contact].rng;
                if stream.chance(callback.answer_probability) {
                    (Step::Answered, callback.ring.sample_ms(stream))
                } else {
                    (Step::Finish, callback.unanswered_ring.sample_ms(stream))
                }
            }
            None => (Step::Answered, 0),
        };
        self.set_step(contact, step);
        self.kernel.after(delay, Activation::Step { contact, gen });
        Ok(())
    }
}
