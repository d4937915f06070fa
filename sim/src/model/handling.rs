//! Handling: a call's plan of talk, hold and consult steps; a messaging contact's replies back
//! and forth; an async contact's reply; each step written as events when it comes.

use ccsim_engine::event::{
    EventKind, HandlerKind, ParticipantEventReason, ParticipantEventType, ParticipantMode, Sender,
};

use super::contacts::Step;
use super::{Ev, Output, Sim, SimError, NONE};

impl<'s, O: Output> Sim<'s, O> {
    /// Makes `step` the contact's only pending step.
    pub(super) fn set_step(&mut self, c: u32, step: Step) {
        let x = &mut self.contacts[c as usize];
        x.plan[0] = (0, step);
        x.plan_len = 1;
        x.plan_pos = 0;
    }

    /// Draws a call's talk time, hold and consult, and lays them out as steps.
    pub(super) fn plan_voice(&mut self, c: u32) {
        let ws = self.contacts[c as usize].ws as usize;
        let w = &self.sc.workstreams[ws];
        let talk = w
            .handle
            .as_ref()
            .map_or(0, |h| h.sample_ms(&mut self.streams.handle[ws]));
        let s = &mut self.streams.behaviour[ws];
        // Pauses at points of the talk time: (point, start step, end step, length).
        let mut pauses: [(i64, Step, Step, i64); 2] = [(0, Step::Finish, Step::Finish, 0); 2];
        let mut n = 0;
        if let Some((p, d)) = &w.hold {
            if s.chance(*p) {
                let at = (s.uniform() * talk as f64) as i64;
                pauses[n] = (at, Step::HoldStart, Step::HoldEnd, d.sample_ms(s));
                n += 1;
            }
        }
        let mut consult_ms = 0;
        if let Some(k) = &w.consult {
            if s.chance(k.probability) {
                let at = (s.uniform() * talk as f64) as i64;
                let reject = s.chance(k.reject_probability);
                consult_ms = if reject {
                    k.time_to_reject.sample_ms(s)
                } else {
                    k.duration.sample_ms(s)
                };
                pauses[n] = (
                    at,
                    Step::ConsultStart { reject },
                    Step::ConsultEnd,
                    consult_ms,
                );
                n += 1;
            }
        }
        let pauses = &mut pauses[..n];
        pauses.sort_by_key(|p| p.0);
        let mut plan = [(0i64, Step::Finish); 6];
        let mut len = 0;
        let mut prev = 0;
        for &(at, start, end, length) in pauses.iter() {
            plan[len] = (at - prev, start);
            plan[len + 1] = (length, end);
            len += 2;
            prev = at;
        }
        plan[len] = (talk - prev, Step::Finish);
        len += 1;
        let x = &mut self.contacts[c as usize];
        x.plan = plan;
        x.plan_len = len as u8;
        x.plan_pos = 0;
        x.consult_ms = consult_ms;
    }

    /// Runs the contact's next step and schedules the one after.
    pub(super) fn step(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let (_, step) = x.plan[x.plan_pos as usize];
        let ws = x.ws as usize;
        let a = x.agent;
        let gen = x.gen;
        let (contact, session) = (x.id, x.session);
        let (ct, se) = (contact.as_str(), session.as_str());
        let agent = self.sc.agents[a as usize].id.as_str();
        let w = self.sc.workstreams.get(ws);
        let next_in_plan = |sim: &mut Self| {
            let x = &mut sim.contacts[c as usize];
            x.plan_pos += 1;
            if x.plan_pos < x.plan_len {
                let d = x.plan[x.plan_pos as usize].0;
                sim.k.after(d, Ev::Step { c, gen });
            }
        };
        match step {
            Step::HoldStart => {
                self.emit(EventKind::HoldStarted {
                    contact: ct,
                    session: Some(se),
                })?;
                self.emit(EventKind::ParticipantEvent {
                    session: se,
                    participant: agent,
                    event_type: ParticipantEventType::Hold,
                    reason: ParticipantEventReason::AgentInitiated,
                })?;
                next_in_plan(self);
            }
            Step::HoldEnd => {
                self.emit(EventKind::HoldEnded { contact: ct })?;
                next_in_plan(self);
            }
            Step::ConsultStart { .. } => {
                let q = self.contacts[c as usize].queue;
                if let Some(k) = self.best_agent(c, q, a) {
                    let channel = self.sc.queues[q as usize].channel;
                    {
                        let ag = &mut self.agents[k as usize];
                        ag.load[channel as usize] += 1;
                        ag.total += 1;
                    }
                    self.contacts[c as usize].consultant = k;
                    self.emit(EventKind::HoldStarted {
                        contact: ct,
                        session: Some(se),
                    })?;
                    self.emit(EventKind::ParticipantJoined {
                        session: se,
                        participant: &self.sc.agents[k as usize].id,
                        kind: HandlerKind::Agent,
                        mode: ParticipantMode::Consult,
                        reason: Some("AgentConsult"),
                    })?;
                    next_in_plan(self);
                } else {
                    // Nobody free to consult: the agent carries on alone.
                    let x = &mut self.contacts[c as usize];
                    x.consultant = NONE;
                    x.plan_pos += 1;
                    next_in_plan(self);
                }
            }
            Step::ConsultEnd => {
                let reject = matches!(
                    self.contacts[c as usize].plan[self.contacts[c as usize].plan_pos as usize - 1]
                        .1,
                    Step::ConsultStart { reject: true }
                );
                let k = self.contacts[c as usize].consultant;
                if k != NONE {
                    self.emit(EventKind::ParticipantLeft {
                        session: se,
                        participant: &self.sc.agents[k as usize].id,
                        reason: reject.then_some("AgentReject"),
                    })?;
                    self.emit(EventKind::HoldEnded { contact: ct })?;
                    self.contacts[c as usize].consultant = NONE;
                    let channel = self.sc.queues[self.contacts[c as usize].queue as usize].channel;
                    self.release_agent(k, channel);
                    next_in_plan(self);
                    self.after_release(k)?;
                } else {
                    next_in_plan(self);
                }
            }
            Step::FirstReply | Step::AgentMessage => {
                self.agent_writes(c, ct, agent)?;
                let m = w.and_then(|w| w.messages.as_ref());
                let s = &mut self.streams.handle[ws];
                match m {
                    Some(m) if s.chance(m.more) => {
                        let d = m.customer_reply.sample_ms(s);
                        self.set_step(c, Step::CustomerMessage);
                        self.k.after(d, Ev::Step { c, gen });
                    }
                    _ => return self.finish(c),
                }
            }
            Step::CustomerMessage => {
                self.emit(EventKind::MessageSent {
                    contact: ct,
                    sender: Sender::Customer,
                    author: None,
                })?;
                let d = w
                    .and_then(|w| w.messages.as_ref())
                    .map_or(0, |m| m.agent_reply.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::AgentMessage);
                self.k.after(d, Ev::Step { c, gen });
            }
            Step::AsyncReply => {
                self.agent_writes(c, ct, agent)?;
                return self.finish(c);
            }
            Step::Answered => {
                self.emit(EventKind::ContactAnswered { contact: ct })?;
                let k = self.contacts[c as usize].campaign as usize;
                if let Some(camp) = self.sc.campaigns.get(k) {
                    let d = camp.handle.sample_ms(&mut self.streams.campaign_handle[k]);
                    self.set_step(c, Step::Finish);
                    self.k.after(d, Ev::Step { c, gen });
                    return Ok(());
                }
                return self.finish(c);
            }
            Step::OutboundMessage => {
                self.emit(EventKind::MessageSent {
                    contact: ct,
                    sender: Sender::Agent,
                    author: Some(agent),
                })?;
                return self.finish(c);
            }
            Step::Finish => return self.finish(c),
            Step::WrapEnd => return self.wrap_end(c),
        }
        Ok(())
    }

    /// The agent writes on contact `c`; their first message fulfils it.
    pub(super) fn agent_writes(&mut self, c: u32, ct: &str, agent: &str) -> Result<(), SimError> {
        self.emit(EventKind::MessageSent {
            contact: ct,
            sender: Sender::Agent,
            author: Some(agent),
        })?;
        if !self.contacts[c as usize].fulfilled {
            self.contacts[c as usize].fulfilled = true;
            self.emit(EventKind::ContactFulfilled {
                contact: ct,
                agent,
                via: None,
            })?;
        }
        Ok(())
    }
}
