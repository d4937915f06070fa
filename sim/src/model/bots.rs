//! Bots: a bot answers a workstream's contacts first, in bot sessions (the Freshworks billing
//! unit) that span a customer's conversations for a window; it resolves a contact or escalates
//! it to a queue.

use ccsim_engine::event::{
    ClosedBy, ClosureReason, EventKind, HandlerKind, Outcome, ParticipantMode, Sender,
    TransferTarget,
};

use super::contacts::State;
use super::ids::Id;
use super::index::{BotIdx, ContactIdx, Idx, QueueIdx, WorkstreamIdx};
use super::{Activation, Output, Sim, SimError};

/// An open bot session of a customer.
#[derive(Clone, Debug)]
pub(super) struct BotSession {
    pub(super) id: Id,
    pub(super) bot: BotIdx,
    /// When its window is over [ms].
    pub(super) ends_at_ms: i64,
    /// The conversations it has taken part in (by number).
    pub(super) conversations: Vec<u64>,
}

impl<'s, O: Output> Sim<'s, O> {
    /// The bot takes the contact (from the workstream) in the customer's open session with
    /// it, or a new one, and answers.
    pub(super) fn bot_start(
        &mut self,
        contact: ContactIdx,
        workstream: WorkstreamIdx,
        bot: BotIdx,
    ) -> Result<(), SimError> {
        let definition = &self.scenario.bots[bot.get()];
        let slot = &self.contacts[contact];
        let (id, customer, conversation) = (slot.id, slot.customer, slot.conversation);
        let bot_session = self.bot_session_for(customer, bot)?;
        self.note_bot_conversation(customer, bot_session, conversation, workstream)?;
        let session = self.ids.session();
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: id.as_str(),
            queue: None,
            handler: HandlerKind::Bot,
        })?;
        self.emit(EventKind::ParticipantJoined {
            session: session.as_str(),
            participant: &definition.name,
            kind: HandlerKind::Bot,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        self.emit(EventKind::MessageSent {
            contact: id.as_str(),
            sender: Sender::Bot,
            author: Some(&definition.name),
        })?;
        let delay = definition.handle.sample_ms(&mut self.contacts[contact].rng);
        let slot = &mut self.contacts[contact];
        slot.state = State::Bot;
        slot.session = session;
        slot.bot_session = bot_session;
        slot.bot = bot;
        let gen = slot.gen;
        self.kernel
            .after(delay, Activation::BotDone { contact, gen });
        Ok(())
    }

    /// The customer's open session with the bot, or a new one (which ends a session with
    /// another bot, and whose window's end is scheduled).
    fn bot_session_for(&mut self, customer: Id, bot: BotIdx) -> Result<Id, SimError> {
        let open = self
            .bot_sessions
            .get(&customer.number)
            .filter(|session| session.bot == bot)
            .map(|session| session.id);
        if let Some(id) = open {
            return Ok(id);
        }
        let definition = &self.scenario.bots[bot.get()];
        let id = self.ids.bot_session();
        self.emit(EventKind::BotSessionStarted {
            bot_session: id.as_str(),
            bot: &definition.name,
            version: &definition.version,
            customer: customer.as_str(),
        })?;
        let ends_at_ms = self.kernel.now() + definition.session_window_ms;
        let session = BotSession {
            id,
            bot,
            ends_at_ms,
            conversations: Vec::new(),
        };
        if let Some(old) = self.bot_sessions.insert(customer.number, session) {
            // A session with another bot ends when this one starts.
            self.emit(EventKind::BotSessionEnded {
                bot_session: old.id.as_str(),
            })?;
        }
        self.kernel.at(
            ends_at_ms,
            Activation::BotSessionEnd {
                customer: customer.number,
            },
        );
        Ok(id)
    }

    /// The conversation joins the customer's bot session, or is updated in it if it has
    /// taken part before.
    fn note_bot_conversation(
        &mut self,
        customer: Id,
        bot_session: Id,
        conversation: Id,
        workstream: WorkstreamIdx,
    ) -> Result<(), SimError> {
        let known = self
            .bot_sessions
            .get_mut(&customer.number)
            .map(|session| {
                let known = session.conversations.contains(&conversation.number);
                if !known {
                    session.conversations.push(conversation.number);
                }
                known
            })
            .unwrap_or(true);
        if known {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bot_session.as_str(),
                conversation: conversation.as_str(),
            })
        } else {
            self.emit(EventKind::BotConversationStarted {
                bot_session: bot_session.as_str(),
                conversation: conversation.as_str(),
                channel: self.scenario.workstreams[workstream.get()].channel,
            })
        }
    }

    /// The bot is done with the contact: a ticket may be raised in its session, and it
    /// resolves the contact (which ends, its conversation closing) or escalates it to a queue.
    pub(super) fn bot_done(&mut self, contact: ContactIdx) -> Result<(), SimError> {
        let slot = &self.contacts[contact];
        let bot = slot.bot;
        let definition = &self.scenario.bots[bot.get()];
        let (id, conversation, bot_session) = (slot.id, slot.conversation, slot.bot_session);
        let customer = slot.customer.number;
        let stream = &mut self.contacts[contact].rng;
        let ticket = stream.chance(definition.ticket_probability);
        let resolved = stream.chance(definition.resolve_probability);
        let session_open = self
            .bot_sessions
            .get(&customer)
            .is_some_and(|session| session.id.number == bot_session.number);
        if session_open {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bot_session.as_str(),
                conversation: conversation.as_str(),
            })?;
            if ticket {
                let ticket = self.ids.ticket();
                self.emit(EventKind::TicketCreated {
                    bot_session: bot_session.as_str(),
                    ticket: ticket.as_str(),
                })?;
            }
        }
        if !resolved {
            let queue = definition.escalate_to;
            self.transfer_session(
                contact,
                TransferTarget::Queue,
                Some(&self.scenario.queues[queue].name),
                ClosureReason::BotTransferToAgent,
            )?;
            return self.enqueue_new(contact, QueueIdx::new(queue));
        }
        self.emit(EventKind::MessageSent {
            contact: id.as_str(),
            sender: Sender::Bot,
            author: Some(&definition.name),
        })?;
        self.end_session(contact, ClosureReason::BotEndConversation)?;
        self.emit(EventKind::ContactEnded {
            contact: id.as_str(),
            outcome: Outcome::Completed,
        })?;
        self.close_conversation(contact, ClosedBy::System, None)?;
        self.draw_return(contact, None);
        self.release_contact(contact);
        Ok(())
    }

    /// Ends the customer's bot session if its window is over (a later session of the same
    /// customer has its own, later, activation).
    pub(super) fn bot_session_end(&mut self, customer: u64) -> Result<(), SimError> {
        let now = self.kernel.now();
        let Some(id) = self
            .bot_sessions
            .get(&customer)
            .filter(|session| session.ends_at_ms <= now)
            .map(|session| session.id)
        else {
            return Ok(());
        };
        self.bot_sessions.remove(&customer);
        self.emit(EventKind::BotSessionEnded {
            bot_session: id.as_str(),
        })
    }
}
