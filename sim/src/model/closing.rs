//! Closing: when handling is over, a transfer (to a queue, an agent or outside) or the
//! contact's end, after-contact work, the conversation's close, and the customer's return
//! drawn.

use ccsim_engine::event::{
    ClosedBy, ClosureReason, EventKind, HandlerKind, Outcome, TransferTarget,
};

use super::arrivals::ReturnInfo;
use super::contacts::{State, Step};
use super::{Ev, Output, Sim, SimError, Transfer, NONE};

impl<'s, O: Output> Sim<'s, O> {
    /// Handling is over: a transfer, or the contact ends (and after-contact work starts).
    pub(super) fn finish(&mut self, c: u32) -> Result<(), SimError> {
        let ws = self.contacts[c as usize].ws as usize;
        let k = self.contacts[c as usize].campaign;
        // Campaign contacts are never transferred; their after-contact work is the campaign's.
        let w = self.sc.workstreams.get(ws).filter(|_| k == NONE);
        let transfer = if let Some(w) =
            w.filter(|w| !self.contacts[c as usize].transferred && !w.transfers.is_empty())
        {
            let s = &mut self.streams.behaviour[ws];
            let mut u = s.uniform();
            let mut pick = None;
            for &(p, t) in &w.transfers {
                if u < p {
                    pick = Some(t);
                    break;
                }
                u -= p;
            }
            pick
        } else {
            None
        };
        let a = self.contacts[c as usize].agent;
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        let customer = self.contacts[c as usize].customer;
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        match transfer {
            Some(Transfer::Queue(to)) => {
                self.contacts[c as usize].transferred = true;
                self.end_session(
                    c,
                    Some((TransferTarget::Queue, Some(&self.sc.queues[to].name))),
                    ClosureReason::AgentTransferToQueue,
                )?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                self.enqueue(c, to as u32, false)?;
                self.after_release(a)
            }
            Some(Transfer::Agent) => {
                self.contacts[c as usize].transferred = true;
                let target = self.best_agent(c, q, a);
                let (to, name) = match target {
                    Some(k) => (
                        TransferTarget::Agent,
                        self.sc.agents[k as usize].id.as_str(),
                    ),
                    None => (
                        TransferTarget::Queue,
                        self.sc.queues[q as usize].name.as_str(),
                    ),
                };
                self.end_session(c, Some((to, Some(name))), ClosureReason::AgentTransferred)?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                match target {
                    Some(k) => {
                        let session = self.next.session();
                        self.emit(EventKind::SessionStarted {
                            session: session.as_str(),
                            contact: ct,
                            queue: Some(&self.sc.queues[q as usize].name),
                            handler: HandlerKind::Agent,
                        })?;
                        self.contacts[c as usize].session = session;
                        self.offer(c, k)?;
                    }
                    None => self.enqueue(c, q, false)?,
                }
                self.after_release(a)
            }
            Some(Transfer::Outside) => {
                self.end_session(
                    c,
                    Some((TransferTarget::Outside, None)),
                    ClosureReason::AgentTransferred,
                )?;
                self.emit(EventKind::ContactEnded {
                    contact: ct,
                    outcome: Outcome::ForwardedOutside,
                })?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                self.close_conversation(c, ClosedBy::Agent, a, true)?;
                self.release_contact(c);
                self.after_release(a)
            }
            None => {
                self.emit(EventKind::ContactEnded {
                    contact: ct,
                    outcome: Outcome::Completed,
                })?;
                let wrap = match (w, self.sc.campaigns.get(k as usize)) {
                    (Some(w), _) => w
                        .after_work
                        .as_ref()
                        .map(|d| d.sample_ms(&mut self.streams.handle[ws])),
                    (None, Some(camp)) => camp
                        .after_work
                        .as_ref()
                        .map(|d| d.sample_ms(&mut self.streams.campaign_handle[k as usize])),
                    (None, None) => None,
                };
                match wrap {
                    Some(d) => {
                        let x = &mut self.contacts[c as usize];
                        x.state = State::Wrap;
                        let gen = x.gen;
                        self.set_step(c, Step::WrapEnd);
                        self.k.after(d, Ev::Step { c, gen });
                        Ok(())
                    }
                    None => self.wrap_end(c),
                }
            }
        }
    }

    pub(super) fn wrap_end(&mut self, c: u32) -> Result<(), SimError> {
        let a = self.contacts[c as usize].agent;
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        let customer = self.contacts[c as usize].customer;
        self.end_session(c, None, ClosureReason::AgentClosed)?;
        self.close_profile(a, customer)?;
        self.release_agent(a, channel);
        self.close_conversation(c, ClosedBy::Agent, a, true)?;
        self.release_contact(c);
        self.after_release(a)
    }

    /// Closes the contact's conversation; the customer may come back later.
    pub(super) fn close_conversation(
        &mut self,
        c: u32,
        by: ClosedBy,
        a: u32,
        may_return: bool,
    ) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let (ws, customer, conversation) = (x.ws as usize, x.customer, x.conversation);
        let campaign = x.campaign;
        let agent = (a != NONE).then(|| self.sc.agents[a as usize].id.as_str());
        self.emit(EventKind::ConversationClosed {
            conversation: conversation.as_str(),
            by,
            agent,
        })?;
        if !may_return {
            return Ok(());
        }
        let k = campaign as usize;
        let (returns, s) = if campaign == NONE {
            (
                self.sc.workstreams[ws].returns.as_ref(),
                &mut self.streams.behaviour[ws],
            )
        } else {
            (
                self.sc.campaigns[k].reply.as_ref(),
                &mut self.streams.reply[k],
            )
        };
        let Some(r) = returns else {
            return Ok(());
        };
        if !s.chance(r.probability) {
            return Ok(());
        }
        let delay = r.delay.sample_ms(s);
        let info = ReturnInfo {
            customer,
            conversation,
            closed_at: self.k.now(),
            ws: r.workstream as u32,
            agent: a,
        };
        let slot = match self.free_returns.pop() {
            Some(i) => {
                self.returns[i as usize] = info;
                i
            }
            None => {
                self.returns.push(info);
                (self.returns.len() - 1) as u32
            }
        };
        self.k.after(delay, Ev::Return { r: slot });
        Ok(())
    }
}
