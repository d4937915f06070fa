//! Queues and routing: a contact enters a queue in a new session, is offered to the best free
//! agent or waits in FIFO order, overflows to another queue, or is abandoned; an agent with
//! room pulls the best waiting contact.

use ccsim_engine::event::{
    Channel, ClosedBy, ClosureReason, EventKind, HandlerKind, Outcome, TransferTarget,
};

use super::agents::{AwayKind, Pending};
use super::contacts::State;
use super::{Ev, Output, Sim, SimError, NONE};

impl<'s, O: Output> Sim<'s, O> {
    /// Puts contact `c` in queue `q` with a new session, arms its timers and routes it.
    pub(super) fn enqueue(&mut self, c: u32, q: u32, first: bool) -> Result<(), SimError> {
        let queue = &self.sc.queues[q as usize];
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        if first {
            self.stats.queued += 1;
        }
        self.emit(EventKind::ContactQueued {
            contact: ct,
            queue: &queue.name,
        })?;
        let session = self.next.session();
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: ct,
            queue: Some(&queue.name),
            handler: HandlerKind::Agent,
        })?;
        let now = self.k.now();
        let ws = self.contacts[c as usize].ws as usize;
        let gen = self.contacts[c as usize].gen;
        {
            let x = &mut self.contacts[c as usize];
            x.session = session;
            x.queue = q;
            x.state = State::Queued;
            x.overflow_at = i64::MAX;
            x.enq_at = now;
        }
        if first {
            if let Some(p) = &self.sc.workstreams[ws].patience {
                let d = p.sample_ms(&mut self.streams.patience[ws]);
                self.k.after(d, Ev::Patience { c, gen });
            }
        }
        if let Some((after, _)) = queue.overflow {
            self.contacts[c as usize].overflow_at = now + after;
            self.k.after(after, Ev::Overflow { c, gen });
        }
        self.route(c, false)
    }

    /// Offers `c` to the best free agent, or leaves it waiting (at the front when it is
    /// coming back from an offer).
    pub(super) fn route(&mut self, c: u32, front: bool) -> Result<(), SimError> {
        let q = self.contacts[c as usize].queue;
        match self.best_agent(c, q, NONE) {
            Some(a) => self.offer(c, a),
            None => {
                let x = &mut self.contacts[c as usize];
                x.token = x.token.wrapping_add(1);
                x.state = State::Queued;
                let entry = (c, x.token);
                if front {
                    self.fifo[q as usize].push_front(entry);
                } else {
                    self.fifo[q as usize].push_back(entry);
                }
                Ok(())
            }
        }
    }

    pub(super) fn routable(&self, a: u32, channel: Channel) -> bool {
        let ag = &self.agents[a as usize];
        ag.logged_in
            && ag.in_shift
            && ag.away == AwayKind::No
            && !ag.focus
            && ag.pending == Pending::None
            && ag.load[channel as usize]
                < self.sc.groups[ag.group as usize].capacity[channel as usize]
    }

    /// The preferred agent when free, else the eligible free agent with the best skill rank,
    /// then the lowest load, then idle longest.
    pub(super) fn best_agent(&self, c: u32, q: u32, except: u32) -> Option<u32> {
        let queue = &self.sc.queues[q as usize];
        let channel = queue.channel;
        let x = &self.contacts[c as usize];
        if x.pref_agent != NONE
            && x.pref_agent != except
            && self.k.now() <= x.pref_until
            && self.routable(x.pref_agent, channel)
            && queue.eligible.iter().any(|(a, _)| *a == x.pref_agent)
        {
            return Some(x.pref_agent);
        }
        let mut best: Option<(u32, u8, i64, u32)> = None;
        for &(a, rank) in &queue.eligible {
            if a == except || !self.routable(a, channel) {
                continue;
            }
            let ag = &self.agents[a as usize];
            let key = (rank, ag.load[channel as usize], ag.free_since, a);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|b| b.3)
    }

    /// The oldest live contact at the head of queue `q`, dropping stale entries.
    pub(super) fn head(&mut self, q: u32) -> Option<u32> {
        let contacts = &self.contacts;
        let fifo = &mut self.fifo[q as usize];
        while let Some(&(c, token)) = fifo.front() {
            let x = &contacts[c as usize];
            if x.token == token && x.state == State::Queued && x.queue == q {
                return Some(c);
            }
            fifo.pop_front();
        }
        None
    }

    /// Agent `a` may have room: give them waiting contacts, highest queue priority first,
    /// then their most preferred skill, then the contact that has waited longest.
    pub(super) fn pull(&mut self, a: u32) -> Result<(), SimError> {
        let sc = self.sc;
        loop {
            // (priority, rank, entered the queue at, contact)
            let mut pick: Option<(i32, u32, i64, u32)> = None;
            for &(q, rank) in &sc.agents[a as usize].queues {
                let queue = &sc.queues[q];
                if let Some((prio, r, _, _)) = pick {
                    // Queues come sorted by priority and rank: a worse tier cannot win.
                    if (prio, r) != (queue.priority, rank) {
                        break;
                    }
                }
                if !self.routable(a, queue.channel) {
                    continue;
                }
                let Some(c) = self.head(q as u32) else {
                    continue;
                };
                let since = self.contacts[c as usize].enq_at;
                if pick.is_none_or(|p| since < p.2) {
                    pick = Some((queue.priority, rank, since, c));
                }
            }
            let Some((_, _, _, c)) = pick else {
                return Ok(());
            };
            let q = self.contacts[c as usize].queue as usize;
            self.fifo[q].pop_front();
            self.offer(c, a)?;
        }
    }

    pub(super) fn overflow(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        if x.state != State::Queued || self.k.now() < x.overflow_at {
            return Ok(());
        }
        let Some((_, to)) = self.sc.queues[x.queue as usize].overflow else {
            return Ok(());
        };
        self.end_session(
            c,
            Some((TransferTarget::Queue, Some(&self.sc.queues[to].name))),
            ClosureReason::InqueueOverflowQueueTransfer,
        )?;
        let x = &mut self.contacts[c as usize];
        x.token = x.token.wrapping_add(1);
        self.enqueue(c, to as u32, false)
    }

    pub(super) fn end_session(
        &mut self,
        c: u32,
        transfer: Option<(TransferTarget, Option<&str>)>,
        reason: ClosureReason,
    ) -> Result<(), SimError> {
        let session = self.contacts[c as usize].session;
        let se = session.as_str();
        if let Some((to, target)) = transfer {
            self.emit(EventKind::SessionTransferred {
                session: se,
                to,
                target,
            })?;
        }
        self.emit(EventKind::SessionEnded {
            session: se,
            reason,
        })
    }

    pub(super) fn abandon(&mut self, c: u32) -> Result<(), SimError> {
        let x = &mut self.contacts[c as usize];
        if !matches!(x.state, State::Queued | State::Offered) {
            return Ok(());
        }
        let offered = (x.state == State::Offered).then_some(x.agent);
        let q = x.queue;
        x.gen = x.gen.wrapping_add(1);
        let contact = x.id;
        let ct = contact.as_str();
        let channel = self.sc.queues[q as usize].channel;
        let reason = if channel == Channel::Phone {
            ClosureReason::CustomerDisconnect
        } else {
            ClosureReason::CustomerEndConversation
        };
        self.end_session(c, None, reason)?;
        self.emit(EventKind::ContactEnded {
            contact: ct,
            outcome: Outcome::Abandoned,
        })?;
        self.close_conversation(c, ClosedBy::System, NONE, false)?;
        self.release_contact(c);
        if let Some(a) = offered {
            self.release_agent(a, channel);
            self.after_release(a)?;
        }
        Ok(())
    }
}
