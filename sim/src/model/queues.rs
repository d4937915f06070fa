//! Queues and routing: a contact enters a queue in a new session, is offered to the best free
//! agent or waits in FIFO order, overflows to another queue, or is abandoned; an agent with
//! room pulls the best waiting contact.

use ccsim_engine::event::{
    Channel, ClosedBy, ClosureReason, EventKind, HandlerKind, Outcome, TransferTarget,
};

use super::agents::{Agent, AwayKind, Pending};
use super::contacts::State;
use super::index::{AgentIdx, ContactIdx, Idx, QueueIdx};
use super::{Activation, Output, Sim, SimError};

/// A contact's place in a queue's line: valid while the contact's token is still `token`
/// (the token moves on whenever the contact leaves the line, so stale places are skipped).
#[derive(Clone, Copy, Debug)]
pub(super) struct Waiting {
    contact: ContactIdx,
    token: u32,
}

/// The routing key of a free agent: the lowest wins (best skill rank, then the lowest load
/// on the channel, then free longest, then the first listed).
type AgentKey = (u32, u8, i64, AgentIdx);

/// The key of a waiting contact an agent may pull: highest priority tier first (queues come
/// sorted), then the longest wait.
struct Pick {
    priority: i32,
    rank: u32,
    queued_at_ms: i64,
    contact: ContactIdx,
}

impl<'s, O: Output> Sim<'s, O> {
    /// A contact new to the queues (from arrival or a bot) enters `queue`: counted as queued,
    /// its patience armed, then as [`Self::requeue`].
    pub(super) fn enqueue_new(
        &mut self,
        contact: ContactIdx,
        queue: QueueIdx,
    ) -> Result<(), SimError> {
        self.stats.queued += 1;
        self.start_queue_session(contact, queue)?;
        if let Some(workstream) = self.contacts[contact].workstream() {
            if let Some(patience) = &self.scenario.workstreams[workstream.get()].patience {
                let delay = patience.sample_ms(&mut self.contacts[contact].rng);
                let gen = self.contacts[contact].gen;
                self.kernel
                    .after(delay, Activation::Patience { contact, gen });
            }
        }
        self.arm_overflow_and_route(contact, queue)
    }

    /// A contact already in the queues (transferred or overflowing) enters `queue` in a new
    /// session, its overflow armed, and is routed; its patience runs on.
    pub(super) fn requeue(&mut self, contact: ContactIdx, queue: QueueIdx) -> Result<(), SimError> {
        self.start_queue_session(contact, queue)?;
        self.arm_overflow_and_route(contact, queue)
    }

    /// Writes the contact's entry into `queue` and its new session there.
    fn start_queue_session(
        &mut self,
        contact: ContactIdx,
        queue: QueueIdx,
    ) -> Result<(), SimError> {
        let definition = &self.scenario.queues[queue.get()];
        let id = self.contacts[contact].id;
        self.emit(EventKind::ContactQueued {
            contact: id.as_str(),
            queue: &definition.name,
        })?;
        self.start_agent_session(contact, queue)?;
        let now = self.kernel.now();
        let slot = &mut self.contacts[contact];
        slot.queue = queue;
        slot.state = State::Queued;
        slot.overflow_at_ms = i64::MAX;
        slot.callback_at_ms = i64::MAX;
        slot.queued_at_ms = now;
        Ok(())
    }

    /// Starts a new session of the contact for an agent in `queue`, and makes it the
    /// contact's current session.
    pub(super) fn start_agent_session(
        &mut self,
        contact: ContactIdx,
        queue: QueueIdx,
    ) -> Result<(), SimError> {
        let session = self.ids.session();
        let id = self.contacts[contact].id;
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: id.as_str(),
            queue: Some(&self.scenario.queues[queue.get()].name),
            handler: HandlerKind::Agent,
        })?;
        self.contacts[contact].session = session;
        Ok(())
    }

    /// Arms the overflow and the callback offer of `queue`, if it has them, and routes the
    /// contact.
    fn arm_overflow_and_route(
        &mut self,
        contact: ContactIdx,
        queue: QueueIdx,
    ) -> Result<(), SimError> {
        if let Some((after_ms, _)) = self.scenario.queues[queue.get()].overflow {
            let slot = &mut self.contacts[contact];
            slot.overflow_at_ms = self.kernel.now() + after_ms;
            let gen = slot.gen;
            self.kernel
                .after(after_ms, Activation::Overflow { contact, gen });
        }
        self.arm_callback(contact, queue);
        self.route(contact)
    }

    /// Offers the contact to the best free agent, or leaves it waiting at the back of its
    /// queue's line.
    pub(super) fn route(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        if let Some((queue, place)) = self.offer_or_wait(contact)? {
            self.waiting[queue].push_back(place);
        }
        Ok(())
    }

    /// As [`Self::route`], for a contact back from an offer: it keeps its place at the front.
    pub(super) fn route_keeping_place(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        if let Some((queue, place)) = self.offer_or_wait(contact)? {
            self.waiting[queue].push_front(place);
        }
        Ok(())
    }

    /// Offers the contact to the best free agent; with none free, the place it is to wait in.
    fn offer_or_wait(
        &mut self,
        contact: ContactIdx,
    ) -> Result<Option<(QueueIdx, Waiting)>, SimError> {
        match self.best_agent(contact, None) {
            Some(agent) => self.offer(contact, agent).map(|()| None),
            None => Ok(Some(self.wait(contact))),
        }
    }

    /// The contact waits: a new place in its queue's line (the old one goes stale).
    fn wait(&mut self, contact: ContactIdx) -> (QueueIdx, Waiting) {
        let slot = &mut self.contacts[contact];
        slot.token = slot.token.wrapping_add(1);
        slot.state = State::Queued;
        let place = Waiting {
            contact,
            token: slot.token,
        };
        (slot.queue, place)
    }

    /// Whether the agent can take one more contact on `channel` now.
    fn routable(&self, agent: AgentIdx, channel: Channel) -> bool {
        let state = &self.agents[agent];
        state.logged_in
            && state.in_shift
            && state.away == AwayKind::No
            && !state.focus
            && state.pending == Pending::None
            && state.load[channel as usize]
                < self.scenario.groups[state.group].capacity[channel as usize]
    }

    /// The contact's preferred agent when free, else the free agent eligible for its queue
    /// with the best skill rank, then the lowest load, then free longest; never `except`.
    /// Routing sees what the platform sees: an agent away from the desk but not Away is free.
    pub(super) fn best_agent(
        &self,
        contact: ContactIdx,
        except: Option<AgentIdx>,
    ) -> Option<AgentIdx> {
        self.best_agent_where(contact, except, |_| true)
    }

    /// As [`Self::best_agent`], among colleagues at their desk: a consult or a direct
    /// transfer is one agent turning to another, who must be there to take part.
    pub(super) fn best_colleague(&self, contact: ContactIdx, except: AgentIdx) -> Option<AgentIdx> {
        self.best_agent_where(contact, Some(except), |agent| !agent.absent)
    }

    /// The best free eligible agent for the contact that `keep` accepts, never `except`.
    fn best_agent_where(
        &self,
        contact: ContactIdx,
        except: Option<AgentIdx>,
        keep: impl Fn(&Agent) -> bool,
    ) -> Option<AgentIdx> {
        let slot = &self.contacts[contact];
        let queue = &self.scenario.queues[slot.queue.get()];
        let channel = queue.channel;
        let is_eligible = |agent: AgentIdx| {
            queue
                .eligible
                .iter()
                .any(|&(eligible, _)| AgentIdx::new(eligible as usize) == agent)
        };
        let passed_over = self.passed_over(contact);
        let candidate = |agent: AgentIdx| {
            Some(agent) != except
                && Some(agent) != passed_over
                && self.routable(agent, channel)
                && keep(&self.agents[agent])
        };
        if let Some(preferred) = slot.preferred {
            if candidate(preferred) && is_eligible(preferred) {
                return Some(preferred);
            }
        }
        let mut best: Option<AgentKey> = None;
        for &(agent, rank) in &queue.eligible {
            let agent = AgentIdx::new(agent as usize);
            if !candidate(agent) {
                continue;
            }
            let state = &self.agents[agent];
            let key = (
                rank,
                state.load[channel as usize],
                state.free_since_ms,
                agent,
            );
            if best.is_none_or(|best| key < best) {
                best = Some(key);
            }
        }
        best.map(|(_, _, _, agent)| agent)
    }

    /// The agent routing passes over for the contact now: the one who last declined it or
    /// let it ring out, for one offer time-out after.
    fn passed_over(&self, contact: ContactIdx) -> Option<AgentIdx> {
        let slot = &self.contacts[contact];
        slot.missed_by
            .filter(|_| self.kernel.now() < slot.missed_until_ms)
    }

    /// Routing no longer passes anyone over for the waiting contact: it goes to the best
    /// free agent, the one it passed over included, or keeps its place in line.
    pub(super) fn missed_over(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        if self.contacts[contact].state != State::Queued || self.passed_over(contact).is_some() {
            return Ok(());
        }
        match self.best_agent(contact, None) {
            // Offered, its place in line goes stale.
            Some(agent) => self.offer(contact, agent),
            None => Ok(()),
        }
    }

    /// The first contact in the queue's line that routing may give `agent`: the head, unless
    /// routing passes the agent over for it, when the next live one.
    fn head_for(&mut self, queue: QueueIdx, agent: AgentIdx) -> Option<ContactIdx> {
        let head = self.head(queue)?;
        if self.passed_over(head) != Some(agent) {
            return Some(head);
        }
        let contacts = &self.contacts;
        self.waiting[queue].iter().skip(1).find_map(|place| {
            let slot = &contacts[place.contact];
            let live =
                slot.token == place.token && slot.state == State::Queued && slot.queue == queue;
            let passed_over =
                slot.missed_by == Some(agent) && self.kernel.now() < slot.missed_until_ms;
            (live && !passed_over).then_some(place.contact)
        })
    }

    /// The oldest live contact at the head of the queue's line, dropping stale places.
    fn head(&mut self, queue: QueueIdx) -> Option<ContactIdx> {
        let contacts = &self.contacts;
        let line = &mut self.waiting[queue];
        while let Some(&place) = line.front() {
            let slot = &contacts[place.contact];
            if slot.token == place.token && slot.state == State::Queued && slot.queue == queue {
                return Some(place.contact);
            }
            line.pop_front();
        }
        None
    }

    /// The agent may have room: give them waiting contacts, highest queue priority first,
    /// then their most preferred skill, then the contact that has waited longest.
    pub(super) fn pull(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let scenario = self.scenario;
        loop {
            let mut pick: Option<Pick> = None;
            for &(queue, rank) in &scenario.agents[agent.get()].queues {
                let definition = &scenario.queues[queue];
                if let Some(pick) = &pick {
                    // Queues come sorted by priority and rank: a worse tier cannot win.
                    if (pick.priority, pick.rank) != (definition.priority, rank) {
                        break;
                    }
                }
                if !self.routable(agent, definition.channel) {
                    continue;
                }
                let Some(contact) = self.head_for(QueueIdx::new(queue), agent) else {
                    continue;
                };
                let queued_at_ms = self.contacts[contact].queued_at_ms;
                if pick.as_ref().is_none_or(|p| queued_at_ms < p.queued_at_ms) {
                    pick = Some(Pick {
                        priority: definition.priority,
                        rank,
                        queued_at_ms,
                        contact,
                    });
                }
            }
            let Some(Pick { contact, .. }) = pick else {
                return Ok(());
            };
            // Offered, its place in line goes stale (and is dropped when it reaches the head).
            self.offer(contact, agent)?;
        }
    }

    /// The contact has waited its queue's overflow time: it moves to the overflow queue.
    pub(super) fn overflow(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        if slot.state != State::Queued || self.kernel.now() < slot.overflow_at_ms {
            return Ok(());
        }
        let Some((_, to)) = self.scenario.queues[slot.queue.get()].overflow else {
            return Ok(());
        };
        self.transfer_session(
            contact,
            TransferTarget::Queue,
            Some(&self.scenario.queues[to].name),
            ClosureReason::InqueueOverflowQueueTransfer,
        )?;
        let slot = &mut self.contacts[contact];
        slot.token = slot.token.wrapping_add(1);
        self.requeue(contact, QueueIdx::new(to))
    }

    /// Ends the contact's current session for `reason`.
    pub(super) fn end_session(
        &mut self,
        contact: ContactIdx,
        reason: ClosureReason,
    ) -> Result<(), SimError> {
        let session = self.contacts[contact].session;
        self.emit(EventKind::SessionEnded {
            session: session.as_str(),
            reason,
        })
    }

    /// Transfers the contact's current session to `to` (named `target`) and ends it for
    /// `reason`.
    pub(super) fn transfer_session(
        &mut self,
        contact: ContactIdx,
        to: TransferTarget,
        target: Option<&str>,
        reason: ClosureReason,
    ) -> Result<(), SimError> {
        let session = self.contacts[contact].session;
        self.emit(EventKind::SessionTransferred {
            session: session.as_str(),
            to,
            target,
        })?;
        self.end_session(contact, reason)
    }

    /// A waiting (or offered) customer's patience ran out: they hang up or leave, and may
    /// try again later (the workstream's retrials).
    pub(super) fn abandon(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &mut self.contacts[contact];
        if !matches!(slot.state, State::Queued | State::Offered) {
            return Ok(());
        }
        let offered_to = (slot.state == State::Offered).then_some(slot.agent);
        slot.gen = slot.gen.wrapping_add(1);
        let (id, queue) = (slot.id, slot.queue);
        let channel = self.scenario.queues[queue.get()].channel;
        let reason = if channel == Channel::Phone {
            ClosureReason::CustomerDisconnect
        } else {
            ClosureReason::CustomerEndConversation
        };
        self.end_session(contact, reason)?;
        self.emit(EventKind::ContactEnded {
            contact: id.as_str(),
            outcome: Outcome::Abandoned,
        })?;
        self.close_conversation(contact, ClosedBy::System, None)?;
        self.draw_retrial(contact);
        self.release_contact(contact);
        if let Some(agent) = offered_to {
            self.release_agent(agent, channel);
            self.after_release(agent)?;
        }
        Ok(())
    }
}
