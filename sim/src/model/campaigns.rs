//! Outbound campaigns: attempts that wait, silently, for a free agent, who then calls or
//! writes a new customer; attempts nobody starts in time expire.

use ccsim_engine::event::{Direction, EventKind, HandlerKind, ParticipantMode};

use super::arrivals::next_arrival;
use super::contacts::{State, Step};
use super::{ChannelKind, Ev, Output, Sim, SimError};

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules campaign `k`'s next attempt, as [`Self::schedule_arrival`] does arrivals.
    pub(super) fn schedule_attempt(&mut self, k: u32) {
        let i = k as usize;
        let e = self.streams.attempts[i].unit_exp();
        let (clock, seg) = (&mut self.attempt_clock[i], &mut self.attempt_seg[i]);
        if let Some(t) = next_arrival(&self.sc.campaigns[i].attempts, e, clock, seg) {
            self.k.at(t, Ev::Attempt { k });
        }
    }

    /// A campaign attempt: it waits, silently, in the campaign's queue for a free agent (or
    /// goes to one at once). Nothing is written until an agent starts it.
    pub(super) fn attempt(&mut self, k: u32) -> Result<(), SimError> {
        self.schedule_attempt(k);
        let camp = &self.sc.campaigns[k as usize];
        let c = self.alloc();
        let now = self.k.now();
        let gen = {
            let x = &mut self.contacts[c as usize];
            x.campaign = k;
            x.queue = camp.queue as u32;
            x.enq_at = now;
            x.gen
        };
        if let Some(d) = camp.expire_ms {
            self.k.after(d, Ev::Expire { c, gen });
        }
        self.route(c, false)
    }

    /// An attempt no agent started in time is dropped.
    pub(super) fn expire(&mut self, c: u32) {
        if self.contacts[c as usize].state == State::Queued {
            self.release_contact(c);
        }
    }

    /// Agent `a` starts campaign attempt `c`: a new customer and conversation, an outbound
    /// contact in a session the agent has accepted, the customer's profile open, and the
    /// call ringing (voice) or the message being written. The agent's capacity on the
    /// channel is taken as for any other contact.
    pub(super) fn dial(&mut self, c: u32, a: u32) -> Result<(), SimError> {
        let k = self.contacts[c as usize].campaign as usize;
        let camp = &self.sc.campaigns[k];
        let channel = camp.channel;
        let g = self.agents[a as usize].group as usize;
        {
            let ag = &mut self.agents[a as usize];
            ag.load[channel as usize] += 1;
            ag.total += 1;
        }
        let customer = self.next.customer();
        let conversation = self.next.conversation();
        let contact_id = self.next.contact();
        let session = self.next.session();
        self.stats.contacts += 1;
        let (cu, cv) = (customer.as_str(), conversation.as_str());
        let (ct, se) = (contact_id.as_str(), session.as_str());
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::ConversationOpened {
            conversation: cv,
            customer: cu,
        })?;
        self.emit(EventKind::ContactStarted {
            contact: ct,
            conversation: Some(cv),
            customer: Some(cu),
            channel,
            direction: Direction::Outbound,
            channel_instance: None,
        })?;
        self.emit(EventKind::SessionStarted {
            session: se,
            contact: ct,
            queue: Some(&self.sc.queues[camp.queue].name),
            handler: HandlerKind::Agent,
        })?;
        self.emit(EventKind::SessionOffered { session: se, agent })?;
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
        let gen = {
            let x = &mut self.contacts[c as usize];
            x.gen = x.gen.wrapping_add(1);
            x.token = x.token.wrapping_add(1);
            x.state = State::Handling;
            x.agent = a;
            x.id = contact_id;
            x.customer = customer;
            x.conversation = conversation;
            x.session = session;
            x.gen
        };
        let (step, d) = if camp.kind == ChannelKind::Voice {
            let s = &mut self.streams.answer[k];
            if s.chance(camp.answer_probability) {
                (Step::Answered, camp.ring.sample_ms(s))
            } else {
                (Step::Finish, camp.unanswered_ring.sample_ms(s))
            }
        } else {
            let d = camp.handle.sample_ms(&mut self.streams.campaign_handle[k]);
            (Step::OutboundMessage, d)
        };
        self.set_step(c, step);
        self.k.after(d, Ev::Step { c, gen });
        Ok(())
    }
}
