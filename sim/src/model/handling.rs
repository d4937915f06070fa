//! Handling: a call's plan of talk, hold and consult steps; a messaging contact's replies back
//! and forth; an async contact's reply; an outbound call answered or a message sent; each step
//! written as events when it comes.

use ccsim_engine::event::{
    EventKind, HandlerKind, ParticipantEventReason, ParticipantEventType, ParticipantMode, Sender,
};

use super::contacts::{Origin, Step, PLAN_STEPS};
use super::index::{ContactIdx, Idx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};

/// A pause in a call's talk time: at what point of the talk [ms], the steps that start and
/// end it, and how long it lasts [ms].
#[derive(Clone, Copy)]
struct Pause {
    at_ms: i64,
    start: Step,
    end: Step,
    length_ms: i64,
}

impl<'s, O: Output> Sim<'s, O> {
    /// Makes `step` the contact's only pending step.
    pub(super) fn set_step(&mut self, contact: ContactIdx, step: Step) {
        let slot = &mut self.contacts[contact];
        slot.plan[0] = (0, step);
        slot.plan_len = 1;
        slot.plan_pos = 0;
    }

    /// Makes `step` the contact's only pending step, `delay` [ms] from now.
    fn schedule_step(&mut self, contact: ContactIdx, step: Step, delay: i64) {
        self.set_step(contact, step);
        let gen = self.contacts[contact].gen;
        self.kernel.after(delay, Activation::Step { contact, gen });
    }

    /// Draws a call's talk time, hold and consult, and lays them out as steps.
    pub(super) fn plan_voice(&mut self, contact: ContactIdx, workstream: WorkstreamIdx) {
        let definition = &self.scenario.workstreams[workstream.get()];
        let stream = &mut self.contacts[contact].rng;
        let talk_ms = definition
            .handle
            .as_ref()
            .map_or(0, |h| h.sample_ms(stream));
        let no_pause = Pause {
            at_ms: 0,
            start: Step::Finish,
            end: Step::Finish,
            length_ms: 0,
        };
        let mut pauses = [no_pause; 2];
        let mut n_pauses = 0;
        if let Some((probability, duration)) = &definition.hold {
            if stream.chance(*probability) {
                let at_ms = (stream.uniform() * talk_ms as f64) as i64;
                pauses[n_pauses] = Pause {
                    at_ms,
                    start: Step::HoldStart,
                    end: Step::HoldEnd,
                    length_ms: duration.sample_ms(stream),
                };
                n_pauses += 1;
            }
        }
        let mut consult_ms = 0;
        if let Some(consult) = &definition.consult {
            if stream.chance(consult.probability) {
                let at_ms = (stream.uniform() * talk_ms as f64) as i64;
                let reject = stream.chance(consult.reject_probability);
                consult_ms = if reject {
                    consult.time_to_reject.sample_ms(stream)
                } else {
                    consult.duration.sample_ms(stream)
                };
                pauses[n_pauses] = Pause {
                    at_ms,
                    start: Step::ConsultStart { reject },
                    end: Step::ConsultEnd,
                    length_ms: consult_ms,
                };
                n_pauses += 1;
            }
        }
        let pauses = &mut pauses[..n_pauses];
        pauses.sort_by_key(|p| p.at_ms);
        let mut plan = [(0i64, Step::Finish); PLAN_STEPS];
        let mut len = 0;
        let mut previous_ms = 0;
        for pause in pauses.iter() {
            plan[len] = (pause.at_ms - previous_ms, pause.start);
            plan[len + 1] = (pause.length_ms, pause.end);
            len += 2;
            previous_ms = pause.at_ms;
        }
        plan[len] = (talk_ms - previous_ms, Step::Finish);
        len += 1;
        let slot = &mut self.contacts[contact];
        slot.plan = plan;
        slot.plan_len = len as u8;
        slot.plan_pos = 0;
        slot.consult_ms = consult_ms;
    }

    /// Moves to the next step of the contact's plan and schedules it, if there is one.
    fn next_in_plan(&mut self, contact: ContactIdx) {
        let slot = &mut self.contacts[contact];
        slot.plan_pos += 1;
        if slot.plan_pos < slot.plan_len {
            let delay = slot.plan[slot.plan_pos as usize].0;
            let gen = slot.gen;
            self.kernel.after(delay, Activation::Step { contact, gen });
        }
    }

    /// Runs the contact's next step, which schedules the one after.
    pub(super) fn step(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (_, step) = slot.plan[slot.plan_pos as usize];
        match step {
            Step::HoldStart => self.hold_start(contact),
            Step::HoldEnd => self.hold_end(contact),
            Step::ConsultStart { .. } => self.consult_start(contact),
            Step::ConsultEnd => self.consult_end(contact),
            Step::FirstReply | Step::AgentMessage => self.agent_message(contact),
            Step::CustomerMessage => self.customer_message(contact),
            Step::AsyncReply => {
                self.agent_writes(contact)?;
                self.finish(contact)
            }
            Step::Answered => self.answered(contact),
            Step::OutboundMessage => self.outbound_message(contact),
            Step::Finish => self.finish(contact),
            Step::WrapEnd => self.wrap_end(contact),
        }
    }

    /// The agent puts the call on hold.
    fn hold_start(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, session, agent) = (slot.id, slot.session, slot.agent);
        self.emit(EventKind::HoldStarted {
            contact: id.as_str(),
            session: Some(session.as_str()),
        })?;
        self.emit(EventKind::ParticipantEvent {
            session: session.as_str(),
            participant: self.agent_id(agent),
            event_type: ParticipantEventType::Hold,
            reason: ParticipantEventReason::AgentInitiated,
        })?;
        self.next_in_plan(contact);
        Ok(())
    }

    /// The agent takes the call off hold.
    fn hold_end(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let id = self.contacts[contact].id;
        self.emit(EventKind::HoldEnded {
            contact: id.as_str(),
        })?;
        self.next_in_plan(contact);
        Ok(())
    }

    /// The agent puts the call on hold and consults the best free colleague at their desk,
    /// whose capacity the consult takes; with nobody free, the agent carries on alone.
    fn consult_start(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, session, agent, queue) = (slot.id, slot.session, slot.agent, slot.queue);
        let Some(consultant) = self.best_colleague(contact, agent) else {
            let slot = &mut self.contacts[contact];
            slot.consultant = None;
            // The consult's end step is skipped with it.
            slot.plan_pos += 1;
            self.next_in_plan(contact);
            return Ok(());
        };
        let channel = self.scenario.queues[queue.get()].channel;
        self.agents[consultant].take_capacity(channel);
        self.contacts[contact].consultant = Some(consultant);
        self.emit(EventKind::HoldStarted {
            contact: id.as_str(),
            session: Some(session.as_str()),
        })?;
        self.emit(EventKind::ParticipantJoined {
            session: session.as_str(),
            participant: self.agent_id(consultant),
            kind: HandlerKind::Agent,
            mode: ParticipantMode::Consult,
            reason: Some("AgentConsult"),
        })?;
        self.next_in_plan(contact);
        Ok(())
    }

    /// The consulted colleague leaves (having rejected the consult, or after it), the call
    /// comes off hold, and the colleague's capacity is given back.
    fn consult_end(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let Some(consultant) = slot.consultant else {
            self.next_in_plan(contact);
            return Ok(());
        };
        let rejected = matches!(
            slot.plan[slot.plan_pos as usize - 1].1,
            Step::ConsultStart { reject: true }
        );
        let (id, session, queue) = (slot.id, slot.session, slot.queue);
        self.emit(EventKind::ParticipantLeft {
            session: session.as_str(),
            participant: self.agent_id(consultant),
            reason: rejected.then_some("AgentReject"),
        })?;
        self.emit(EventKind::HoldEnded {
            contact: id.as_str(),
        })?;
        self.contacts[contact].consultant = None;
        let channel = self.scenario.queues[queue.get()].channel;
        self.release_agent(consultant, channel);
        self.next_in_plan(contact);
        self.after_release(consultant)
    }

    /// The agent replies on a messaging contact; the customer may write back, or the contact
    /// is done.
    fn agent_message(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        self.agent_writes(contact)?;
        let Origin::Inbound(workstream) = self.contacts[contact].origin else {
            return self.finish(contact);
        };
        let messages = self.scenario.workstreams[workstream.get()]
            .messages
            .as_ref();
        let stream = &mut self.contacts[contact].rng;
        match messages {
            Some(messages) if stream.chance(messages.more) => {
                let delay = messages.customer_reply.sample_ms(stream);
                self.schedule_step(contact, Step::CustomerMessage, delay);
                Ok(())
            }
            _ => self.finish(contact),
        }
    }

    /// The customer writes back; the agent's reply comes next.
    fn customer_message(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, origin) = (slot.id, slot.origin);
        self.emit(EventKind::MessageSent {
            contact: id.as_str(),
            sender: Sender::Customer,
            author: None,
        })?;
        let delay = match origin {
            Origin::Inbound(workstream) => self.scenario.workstreams[workstream.get()]
                .messages
                .as_ref()
                .map_or(0, |m| {
                    m.agent_reply.sample_ms(&mut self.contacts[contact].rng)
                }),
            Origin::Campaign(_) | Origin::Callback(_) => 0,
        };
        self.schedule_step(contact, Step::AgentMessage, delay);
        Ok(())
    }

    /// The customer answers an outbound call: the talk starts (the campaign's handle time,
    /// or for a call back the workstream's).
    fn answered(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, origin) = (slot.id, slot.origin);
        self.emit(EventKind::ContactAnswered {
            contact: id.as_str(),
        })?;
        let delay = match origin {
            Origin::Campaign(campaign) => self.scenario.campaigns[campaign.get()]
                .handle
                .sample_ms(&mut self.streams.campaign_handle[campaign.get()]),
            Origin::Callback(workstream) => {
                let stream = &mut self.contacts[contact].rng;
                self.scenario.workstreams[workstream.get()]
                    .handle
                    .as_ref()
                    .map_or(0, |handle| handle.sample_ms(stream))
            }
            Origin::Inbound(_) => return self.finish(contact),
        };
        self.schedule_step(contact, Step::Finish, delay);
        Ok(())
    }

    /// The agent's outbound message is written and sent; the contact is done.
    fn outbound_message(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        self.send_agent_message(contact)?;
        self.finish(contact)
    }

    /// The agent writes on the contact; their first message fulfils it.
    fn agent_writes(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        self.send_agent_message(contact)?;
        self.fulfil(contact)
    }

    /// The contact's agent sends a message on it.
    fn send_agent_message(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, agent) = (slot.id, slot.agent);
        self.emit(EventKind::MessageSent {
            contact: id.as_str(),
            sender: Sender::Agent,
            author: Some(self.agent_id(agent)),
        })
    }

    /// The contact is fulfilled by its agent, unless it was already.
    pub(super) fn fulfil(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &mut self.contacts[contact];
        if slot.fulfilled {
            return Ok(());
        }
        slot.fulfilled = true;
        let (id, agent) = (slot.id, slot.agent);
        self.emit(EventKind::ContactFulfilled {
            contact: id.as_str(),
            agent: self.agent_id(agent),
            via: None,
        })
    }
}
