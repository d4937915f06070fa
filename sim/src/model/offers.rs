//! Offers: a contact offered to an agent is accepted, rejected or times out; accepted, its
//! handling starts on its channel's terms.

use ccsim_engine::event::{ClosureReason, EventKind, HandlerKind, ParticipantMode};

use super::contacts::{OfferOutcome, State, Step};
use super::{ChannelKind, Ev, Output, Sim, SimError, NONE};

impl<'s, O: Output> Sim<'s, O> {
    pub(super) fn offer(&mut self, c: u32, a: u32) -> Result<(), SimError> {
        if self.contacts[c as usize].campaign != NONE {
            // Outbound work is not offered: the agent routing picked starts it.
            return self.dial(c, a);
        }
        let q = self.contacts[c as usize].queue as usize;
        let channel = self.sc.queues[q].channel;
        let g = self.agents[a as usize].group as usize;
        {
            let ag = &mut self.agents[a as usize];
            ag.load[channel as usize] += 1;
            ag.total += 1;
        }
        let x = &mut self.contacts[c as usize];
        x.state = State::Offered;
        x.agent = a;
        x.token = x.token.wrapping_add(1);
        let session = x.session;
        let se = session.as_str();
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::SessionOffered { session: se, agent })?;
        let group = &self.sc.groups[g];
        let (outcome, delay) = if self.agents[a as usize].absent {
            (OfferOutcome::Timeout, self.sc.platform.offer_timeout_ms)
        } else {
            let s = &mut self.streams.offers[g];
            match s.pick(&group.offer.weights) {
                0 => (
                    OfferOutcome::Accept,
                    group.offer.time_to_accept.sample_ms(s),
                ),
                1 => (
                    OfferOutcome::Reject,
                    group.offer.time_to_reject.sample_ms(s),
                ),
                _ => (OfferOutcome::Timeout, self.sc.platform.offer_timeout_ms),
            }
        };
        self.contacts[c as usize].offer = outcome;
        if outcome == OfferOutcome::Accept && delay == 0 {
            return self.accept(c);
        }
        let gen = self.contacts[c as usize].gen;
        self.k.after(delay, Ev::OfferDone { c, gen });
        Ok(())
    }

    pub(super) fn offer_done(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        if x.state != State::Offered {
            return Ok(());
        }
        let a = x.agent;
        let session = x.session;
        let se = session.as_str();
        let agent = self.sc.agents[a as usize].id.as_str();
        match x.offer {
            OfferOutcome::Accept => return self.accept(c),
            OfferOutcome::Reject => {
                self.emit(EventKind::SessionRejected { session: se, agent })?;
                self.emit(EventKind::SessionEnded {
                    session: se,
                    reason: ClosureReason::AgentReject,
                })?;
            }
            OfferOutcome::Timeout => {
                self.emit(EventKind::SessionTimedOut { session: se, agent })?;
                self.emit(EventKind::SessionEnded {
                    session: se,
                    reason: ClosureReason::AgentTimeout,
                })?;
            }
        }
        // Back to the queue (in front: it keeps its place) in a new session.
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        self.release_agent(a, channel);
        let session = self.next.session();
        let contact = self.contacts[c as usize].id;
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: contact.as_str(),
            queue: Some(&self.sc.queues[q as usize].name),
            handler: HandlerKind::Agent,
        })?;
        {
            let x = &mut self.contacts[c as usize];
            x.session = session;
            x.state = State::Queued;
            x.agent = NONE;
        }
        if self.k.now() >= self.contacts[c as usize].overflow_at {
            self.overflow(c)?;
        } else {
            self.route(c, true)?;
        }
        self.after_release(a)
    }

    pub(super) fn accept(&mut self, c: u32) -> Result<(), SimError> {
        let a = self.contacts[c as usize].agent;
        let ws = self.contacts[c as usize].ws as usize;
        let w = &self.sc.workstreams[ws];
        let g = self.agents[a as usize].group as usize;
        {
            let x = &mut self.contacts[c as usize];
            x.gen = x.gen.wrapping_add(1);
            x.state = State::Handling;
        }
        let x = &self.contacts[c as usize];
        let (session, contact, customer) = (x.session, x.id, x.customer);
        let (se, ct) = (session.as_str(), contact.as_str());
        let fulfilled = x.fulfilled;
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::SessionAccepted { session: se, agent })?;
        self.emit(EventKind::ParticipantJoined {
            session: se,
            participant: agent,
            kind: HandlerKind::Agent,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        if self.sc.groups[g].profile_views {
            self.open_profile(a, customer)?;
        }
        let gen = self.contacts[c as usize].gen;
        match w.kind {
            ChannelKind::Voice => {
                if !fulfilled {
                    self.contacts[c as usize].fulfilled = true;
                    self.emit(EventKind::ContactFulfilled {
                        contact: ct,
                        agent,
                        via: None,
                    })?;
                }
                self.plan_voice(c);
                let first = self.contacts[c as usize].plan[0].0;
                self.k.after(first, Ev::Step { c, gen });
            }
            ChannelKind::Messaging => {
                let d = w
                    .messages
                    .as_ref()
                    .map_or(0, |m| m.first_reply.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::FirstReply);
                self.k.after(d, Ev::Step { c, gen });
            }
            ChannelKind::Async => {
                let d = w
                    .handle
                    .as_ref()
                    .map_or(0, |h| h.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::AsyncReply);
                self.k.after(d, Ev::Step { c, gen });
            }
        }
        Ok(())
    }
}
