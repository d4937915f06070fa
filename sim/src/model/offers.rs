//! Offers: a contact offered to an agent is accepted, rejected or times out; accepted, its
//! handling starts on its channel's terms.

use ccsim_engine::event::{ClosureReason, EventKind, HandlerKind, ParticipantMode};

use super::contacts::{OfferOutcome, Origin, State, Step};
use super::ids::Id;
use super::index::{AgentIdx, ContactIdx, Idx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};
use crate::scenario::ChannelKind;

impl<'s, O: Output> Sim<'s, O> {
    /// Routing picked the agent for the contact: an inbound contact is offered to them, and
    /// the outcome drawn; a campaign attempt or a callback is not offered, the agent starts it.
    pub(super) fn offer(&mut self, contact: ContactIdx, agent: AgentIdx) -> Result<(), SimError> {
        match self.contacts[contact].origin {
            Origin::Campaign(campaign) => return self.dial(contact, campaign, agent),
            Origin::Callback(_) => return self.call_back(contact, agent),
            Origin::Inbound(_) => {}
        }
        let queue = self.contacts[contact].queue;
        let channel = self.scenario.queues[queue.get()].channel;
        self.agents[agent].take_capacity(channel);
        let slot = &mut self.contacts[contact];
        slot.state = State::Offered;
        slot.agent = agent;
        slot.token = slot.token.wrapping_add(1);
        let session = slot.session;
        self.emit(EventKind::SessionOffered {
            session: session.as_str(),
            agent: self.agent_id(agent),
        })?;
        let (outcome, delay) = self.draw_offer_outcome(agent);
        self.contacts[contact].offer = outcome;
        if outcome == OfferOutcome::Accept && delay == 0 {
            return self.accept(contact);
        }
        let gen = self.contacts[contact].gen;
        self.kernel
            .after(delay, Activation::OfferDone { contact, gen });
        Ok(())
    }

    /// How the agent answers an offer, and after how long [ms]: an agent away from the desk
    /// lets it time out; otherwise their group's weights decide.
    fn draw_offer_outcome(&mut self, agent: AgentIdx) -> (OfferOutcome, i64) {
        let timeout_ms = self.scenario.platform.offer_timeout_ms;
        if self.agents[agent].absent {
            return (OfferOutcome::Timeout, timeout_ms);
        }
        let group = self.agents[agent].group;
        let offer = &self.scenario.groups[group].offer;
        let stream = &mut self.streams.offers[group];
        match stream.pick(&offer.weights) {
            0 => (OfferOutcome::Accept, offer.time_to_accept.sample_ms(stream)),
            1 => (OfferOutcome::Reject, offer.time_to_reject.sample_ms(stream)),
            _ => (OfferOutcome::Timeout, timeout_ms),
        }
    }

    /// The agent answered the offer: accepted, or rejected or timed out, when the contact
    /// goes back to its queue (in front: it keeps its place) in a new session, and routing
    /// passes that agent over for it for one offer time-out: it goes to another free agent,
    /// or waits for one, or for the same agent after that.
    pub(super) fn offer_done(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        if slot.state != State::Offered {
            return Ok(());
        }
        let (agent, session) = (slot.agent, slot.session);
        let (se, agent_id) = (session.as_str(), self.agent_id(agent));
        match slot.offer {
            OfferOutcome::Accept => return self.accept(contact),
            OfferOutcome::Reject => {
                self.emit(EventKind::SessionRejected {
                    session: se,
                    agent: agent_id,
                })?;
                self.end_session(contact, ClosureReason::AgentReject)?;
            }
            OfferOutcome::Timeout => {
                self.emit(EventKind::SessionTimedOut {
                    session: se,
                    agent: agent_id,
                })?;
                self.end_session(contact, ClosureReason::AgentTimeout)?;
            }
        }
        let queue = self.contacts[contact].queue;
        let definition = &self.scenario.queues[queue.get()];
        self.release_agent(agent, definition.channel);
        self.start_agent_session(contact, queue)?;
        let missed_until_ms = self.kernel.now() + self.scenario.platform.offer_timeout_ms;
        let slot = &mut self.contacts[contact];
        slot.state = State::Queued;
        slot.missed_by = Some(agent);
        slot.missed_until_ms = missed_until_ms;
        let gen = slot.gen;
        self.kernel
            .at(missed_until_ms, Activation::MissedOver { contact, gen });
        let slot = &self.contacts[contact];
        if self.kernel.now() >= slot.overflow_at_ms {
            self.overflow(contact)?;
        } else {
            self.route_keeping_place(contact)?;
        }
        self.after_release(agent)
    }

    /// The agent accepts the contact: they join its session, open the customer's profile,
    /// and handling starts on the channel's terms.
    fn accept(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let Origin::Inbound(workstream) = self.contacts[contact].origin else {
            // Campaign attempts are started by `dial`, never offered.
            return Ok(());
        };
        let slot = &mut self.contacts[contact];
        slot.gen = slot.gen.wrapping_add(1);
        slot.state = State::Handling;
        let (agent, session, customer) = (slot.agent, slot.session, slot.customer);
        self.accept_as_primary(session, agent)?;
        if self.group_of(agent).profile_views {
            self.open_profile(agent, customer)?;
        }
        self.start_handling(contact, workstream)
    }

    /// The agent accepts the session and joins it as its primary participant.
    pub(super) fn accept_as_primary(
        &mut self,
        session: Id,
        agent: AgentIdx,
    ) -> Result<(), SimError> {
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::SessionAccepted {
            session: session.as_str(),
            agent: agent_id,
        })?;
        self.emit(EventKind::ParticipantJoined {
            session: session.as_str(),
            participant: agent_id,
            kind: HandlerKind::Agent,
            mode: ParticipantMode::Primary,
            reason: None,
        })
    }

    /// Handling starts: a call is fulfilled and its plan laid out; a messaging contact waits
    /// for the agent's first reply; an async contact for the agent's reply.
    fn start_handling(
        &mut self,
        contact: ContactIdx,
        workstream: WorkstreamIdx,
    ) -> Result<(), SimError> {
        let definition = &self.scenario.workstreams[workstream.get()];
        let gen = self.contacts[contact].gen;
        let (step, delay) = match definition.kind {
            ChannelKind::Voice => {
                self.fulfil(contact)?;
                self.plan_voice(contact, workstream);
                let first = self.contacts[contact].plan[0].0;
                self.kernel.after(first, Activation::Step { contact, gen });
                return Ok(());
            }
            ChannelKind::Messaging => {
                let delay = definition.messages.as_ref().map_or(0, |m| {
                    m.first_reply.sample_ms(&mut self.contacts[contact].rng)
                });
                (Step::FirstReply, delay)
            }
            ChannelKind::Async => {
                let delay = definition
                    .handle
                    .as_ref()
                    .map_or(0, |h| h.sample_ms(&mut self.contacts[contact].rng));
                (Step::AsyncReply, delay)
            }
        };
        self.set_step(contact, step);
        self.kernel.after(delay, Activation::Step { contact, gen });
        Ok(())
    }
}
