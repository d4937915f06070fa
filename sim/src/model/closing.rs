//! Closing: when handling is over, a transfer (to a queue, an agent or outside) or the
//! contact's end, after-contact work, the conversation's close, and the customer's return
//! drawn.

use ccsim_engine::event::{ClosedBy, ClosureReason, EventKind, Outcome, TransferTarget};

use super::arrivals::ReturnInfo;
use super::contacts::{Origin, State, Step};
use super::index::{AgentIdx, ContactIdx, Idx, QueueIdx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};
use crate::scenario::Transfer;

impl<'s, O: Output> Sim<'s, O> {
    /// Handling is over: a transfer, or the contact ends (and after-contact work starts).
    /// Campaign contacts are never transferred; their after-contact work is the campaign's.
    pub(super) fn finish(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let transfer = match self.contacts[contact].origin {
            Origin::Inbound(workstream) => self.draw_transfer(contact, workstream),
            Origin::Campaign(_) | Origin::Callback(_) => None,
        };
        match transfer {
            Some(Transfer::Queue(to)) => self.transfer_to_queue(contact, QueueIdx::new(to)),
            Some(Transfer::Agent) => self.transfer_to_agent(contact),
            Some(Transfer::Outside) => self.transfer_outside(contact),
            None => self.complete(contact),
        }
    }

    /// Whether the agent transfers the contact, and where: once per contact at most, with the
    /// workstream's transfer probabilities.
    fn draw_transfer(
        &mut self,
        contact: ContactIdx,
        workstream: WorkstreamIdx,
    ) -> Option<Transfer> {
        let transfers = &self.scenario.workstreams[workstream.get()].transfers;
        if self.contacts[contact].transferred || transfers.is_empty() {
            return None;
        }
        let mut u = self.contacts[contact].rng.uniform();
        for &(probability, transfer) in transfers {
            if u < probability {
                return Some(transfer);
            }
            u -= probability;
        }
        None
    }

    /// The agent's part of a contact leaving them: their session ends (transferred to `to`,
    /// named `target`), the customer's profile closes, and their capacity is given back.
    fn hand_over(
        &mut self,
        contact: ContactIdx,
        to: TransferTarget,
        target: Option<&str>,
        reason: ClosureReason,
    ) -> Result<AgentIdx, SimError> {
        let slot = &self.contacts[contact];
        let (agent, customer, queue) = (slot.agent, slot.customer, slot.queue);
        self.transfer_session(contact, to, target, reason)?;
        self.close_profile(agent, customer)?;
        self.release_agent(agent, self.scenario.queues[queue.get()].channel);
        Ok(agent)
    }

    /// The agent transfers the contact to another queue.
    fn transfer_to_queue(&mut self, contact: ContactIdx, to: QueueIdx) -> Result<(), SimError> {
        self.contacts[contact].transferred = true;
        let agent = self.hand_over(
            contact,
            TransferTarget::Queue,
            Some(&self.scenario.queues[to.get()].name),
            ClosureReason::AgentTransferToQueue,
        )?;
        self.requeue(contact, to)?;
        self.after_release(agent)
    }

    /// The agent transfers the contact to the best free colleague at their desk, in a new
    /// session offered to them; with nobody free, back to its queue.
    fn transfer_to_agent(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        self.contacts[contact].transferred = true;
        let slot = &self.contacts[contact];
        let (agent, queue) = (slot.agent, slot.queue);
        let queue_name = self.scenario.queues[queue.get()].name.as_str();
        let colleague = self.best_colleague(contact, agent);
        let (to, target) = match colleague {
            Some(colleague) => (TransferTarget::Agent, self.agent_id(colleague)),
            None => (TransferTarget::Queue, queue_name),
        };
        self.hand_over(contact, to, Some(target), ClosureReason::AgentTransferred)?;
        match colleague {
            Some(colleague) => {
                self.start_agent_session(contact, queue)?;
                self.offer(contact, colleague)?;
            }
            None => self.requeue(contact, queue)?,
        }
        self.after_release(agent)
    }

    /// The agent forwards the contact outside the center: it ends there.
    fn transfer_outside(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let id = self.contacts[contact].id;
        self.transfer_session(
            contact,
            TransferTarget::Outside,
            None,
            ClosureReason::AgentTransferred,
        )?;
        self.emit(EventKind::ContactEnded {
            contact: id.as_str(),
            outcome: Outcome::ForwardedOutside,
        })?;
        self.agent_closes(contact)
    }

    /// The contact ends, completed; the agent's after-contact work follows, if any.
    fn complete(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (id, origin) = (slot.id, slot.origin);
        self.emit(EventKind::ContactEnded {
            contact: id.as_str(),
            outcome: Outcome::Completed,
        })?;
        let after_work_ms = match origin {
            Origin::Inbound(workstream) => self.scenario.workstreams[workstream.get()]
                .after_work
                .as_ref()
                .map(|d| d.sample_ms(&mut self.contacts[contact].rng)),
            Origin::Campaign(campaign) => self.scenario.campaigns[campaign.get()]
                .after_work
                .as_ref()
                .map(|d| d.sample_ms(&mut self.streams.campaign_handle[campaign.get()])),
            Origin::Callback(workstream) => {
                let stream = &mut self.contacts[contact].rng;
                self.scenario.workstreams[workstream.get()]
                    .after_work
                    .as_ref()
                    .map(|d| d.sample_ms(stream))
            }
        };
        match after_work_ms {
            Some(delay) => {
                self.contacts[contact].state = State::Wrap;
                self.schedule_wrap_end(contact, delay);
                Ok(())
            }
            None => self.wrap_end(contact),
        }
    }

    /// Schedules the end of the agent's after-contact work, `delay` [ms] from now.
    fn schedule_wrap_end(&mut self, contact: ContactIdx, delay: i64) {
        let gen = self.contacts[contact].gen;
        self.set_step(contact, Step::WrapEnd);
        self.kernel.after(delay, Activation::Step { contact, gen });
    }

    /// The agent's work on the contact is over: the session and the customer's profile
    /// close, the agent's capacity comes back, and the conversation closes.
    pub(super) fn wrap_end(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        self.end_session(contact, ClosureReason::AgentClosed)?;
        self.agent_closes(contact)
    }

    /// The agent is done with the contact, which has left the system: the customer's profile
    /// closes, the agent's capacity comes back, the agent closes the conversation (the
    /// customer may come back later), and the agent moves on.
    fn agent_closes(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let (agent, customer, queue) = (slot.agent, slot.customer, slot.queue);
        self.close_profile(agent, customer)?;
        self.release_agent(agent, self.scenario.queues[queue.get()].channel);
        self.close_conversation(contact, ClosedBy::Agent, Some(agent))?;
        self.draw_return(contact, Some(agent));
        self.release_contact(contact);
        self.after_release(agent)
    }

    /// Closes the contact's conversation, by `agent` if an agent closes it.
    pub(super) fn close_conversation(
        &mut self,
        contact: ContactIdx,
        by: ClosedBy,
        agent: Option<AgentIdx>,
    ) -> Result<(), SimError> {
        let conversation = self.contacts[contact].conversation;
        self.emit(EventKind::ConversationClosed {
            conversation: conversation.as_str(),
            by,
            agent: agent.map(|agent| self.agent_id(agent)),
        })
    }

    /// Whether, and when, the customer of the contact's just-closed conversation comes back
    /// (the workstream's returns, or the campaign's replies; a callback has neither); `agent`
    /// closed it, if an agent did.
    pub(super) fn draw_return(&mut self, contact: ContactIdx, agent: Option<AgentIdx>) {
        let slot = &mut self.contacts[contact];
        let (returns, stream) = match slot.origin {
            Origin::Inbound(workstream) => (
                self.scenario.workstreams[workstream.get()].returns.as_ref(),
                &mut slot.rng,
            ),
            Origin::Campaign(campaign) => (
                self.scenario.campaigns[campaign.get()].reply.as_ref(),
                &mut self.streams.reply[campaign.get()],
            ),
            Origin::Callback(_) => return,
        };
        let Some(returns) = returns else {
            return;
        };
        if !stream.chance(returns.probability) {
            return;
        }
        let delay = returns.delay.sample_ms(stream);
        self.schedule_return(contact, returns.workstream, delay, agent);
    }

    /// Whether, and when, the customer who just abandoned the contact tries again (the
    /// workstream's retrials, drawn from their own stream): as a customer coming back to the
    /// conversation the abandonment closed.
    pub(super) fn draw_retrial(&mut self, contact: ContactIdx) {
        let Origin::Inbound(workstream) = self.contacts[contact].origin else {
            return;
        };
        let Some(retrials) = &self.scenario.workstreams[workstream.get()].retrials else {
            return;
        };
        let stream = &mut self.contacts[contact].rng;
        if !stream.chance(retrials.probability) {
            return;
        }
        let delay = retrials.delay.sample_ms(stream);
        self.schedule_return(contact, retrials.workstream, delay, None);
    }

    /// The customer of the contact's just-closed conversation comes back on `workstream`,
    /// `delay` [ms] from now; `agent` closed the conversation, if an agent did.
    fn schedule_return(
        &mut self,
        contact: ContactIdx,
        workstream: usize,
        delay: i64,
        agent: Option<AgentIdx>,
    ) {
        let slot = &mut self.contacts[contact];
        let info = ReturnInfo {
            customer: slot.customer,
            conversation: slot.conversation,
            closed_at_ms: self.kernel.now(),
            workstream: WorkstreamIdx::new(workstream),
            agent,
            key: slot.rng.key(),
        };
        let pending = self.returns.take(|| info);
        self.returns[pending] = info;
        self.kernel.after(delay, Activation::Return { pending });
    }
}
