//! Bots: a bot answers a workstream's contacts first, in bot sessions (the Freshworks billing
//! unit) that span a customer's conversations for a window; it resolves a contact or escalates
//! it to a queue.

use ccsim_engine::event::{
    ClosedBy, ClosureReason, EventKind, HandlerKind, Outcome, ParticipantMode, Sender,
    TransferTarget,
};

use super::contacts::State;
use super::ids::Id;
use super::{Ev, Output, Sim, SimError, NONE};

/// An open bot session of a customer.
#[derive(Clone, Debug)]
pub(super) struct BotSess {
    pub(super) id: Id,
    pub(super) bot: u32,
    pub(super) ends_at: i64,
    pub(super) conversations: Vec<u64>,
}

impl<'s, O: Output> Sim<'s, O> {
    pub(super) fn bot_start(&mut self, c: u32, b: u32) -> Result<(), SimError> {
        let bot = &self.sc.bots[b as usize];
        let x = &self.contacts[c as usize];
        let (cust, conv, ws) = (x.customer, x.conversation, x.ws as usize);
        let (customer, conversation) = (cust.n, conv.n);
        let channel = self.sc.workstreams[ws].channel;
        let (cu, cv) = (cust.as_str(), conv.as_str());
        let open = self
            .bot_sessions
            .get(&customer)
            .filter(|s| s.bot == b)
            .map(|s| s.id);
        let bs_id = match open {
            Some(i) => i,
            None => {
                let i = self.next.bot_session();
                self.emit(EventKind::BotSessionStarted {
                    bot_session: i.as_str(),
                    bot: &bot.name,
                    version: &bot.version,
                    customer: cu,
                })?;
                let ends_at = self.k.now() + bot.session_window_ms;
                if let Some(old) = self.bot_sessions.insert(
                    customer,
                    BotSess {
                        id: i,
                        bot: b,
                        ends_at,
                        conversations: Vec::new(),
                    },
                ) {
                    // A session with another bot ends when this one starts.
                    self.emit(EventKind::BotSessionEnded {
                        bot_session: old.id.as_str(),
                    })?;
                }
                self.k.at(ends_at, Ev::BotSessionEnd { customer });
                i
            }
        };
        let bs = bs_id.as_str();
        let known = self
            .bot_sessions
            .get_mut(&customer)
            .map(|s| {
                let known = s.conversations.contains(&conversation);
                if !known {
                    s.conversations.push(conversation);
                }
                known
            })
            .unwrap_or(true);
        if known {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bs,
                conversation: cv,
            })?;
        } else {
            self.emit(EventKind::BotConversationStarted {
                bot_session: bs,
                conversation: cv,
                channel,
            })?;
        }
        let session = self.next.session();
        let se = session.as_str();
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        self.emit(EventKind::SessionStarted {
            session: se,
            contact: ct,
            queue: None,
            handler: HandlerKind::Bot,
        })?;
        self.emit(EventKind::ParticipantJoined {
            session: se,
            participant: &bot.name,
            kind: HandlerKind::Bot,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        self.emit(EventKind::MessageSent {
            contact: ct,
            sender: Sender::Bot,
            author: Some(&bot.name),
        })?;
        let d = bot.handle.sample_ms(&mut self.streams.bots[b as usize]);
        let x = &mut self.contacts[c as usize];
        x.state = State::Bot;
        x.session = session;
        x.bot_session = bs_id;
        x.bot = b;
        let gen = x.gen;
        self.k.after(d, Ev::BotDone { c, gen });
        Ok(())
    }

    pub(super) fn bot_done(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let b = x.bot as usize;
        let bot = &self.sc.bots[b];
        let (contact, conversation, bs_id) = (x.id, x.conversation, x.bot_session);
        let customer = x.customer.n;
        let (ct, cv, bs) = (contact.as_str(), conversation.as_str(), bs_id.as_str());
        let s = &mut self.streams.bots[b];
        let ticket = s.chance(bot.ticket_probability);
        let resolved = s.chance(bot.resolve_probability);
        let session_open = self
            .bot_sessions
            .get(&customer)
            .is_some_and(|s| s.id.n == bs_id.n);
        if session_open {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bs,
                conversation: cv,
            })?;
            if ticket {
                let tk = self.next.ticket();
                self.emit(EventKind::TicketCreated {
                    bot_session: bs,
                    ticket: tk.as_str(),
                })?;
            }
        }
        if resolved {
            self.emit(EventKind::MessageSent {
                contact: ct,
                sender: Sender::Bot,
                author: Some(&bot.name),
            })?;
            self.end_session(c, None, ClosureReason::BotEndConversation)?;
            self.emit(EventKind::ContactEnded {
                contact: ct,
                outcome: Outcome::Completed,
            })?;
            self.close_conversation(c, ClosedBy::System, NONE, true)?;
            self.release_contact(c);
            Ok(())
        } else {
            let q = bot.escalate_to;
            self.end_session(
                c,
                Some((TransferTarget::Queue, Some(&self.sc.queues[q].name))),
                ClosureReason::BotTransferToAgent,
            )?;
            self.enqueue(c, q as u32, true)
        }
    }

    /// Ends the customer's bot session if its window is over (a later session of the same
    /// customer has its own, later, activation).
    pub(super) fn bot_session_end(&mut self, customer: u64) -> Result<(), SimError> {
        let now = self.k.now();
        let Some(id_) = self
            .bot_sessions
            .get(&customer)
            .filter(|s| s.ends_at <= now)
            .map(|s| s.id)
        else {
            return Ok(());
        };
        self.bot_sessions.remove(&customer);
        self.emit(EventKind::BotSessionEnded {
            bot_session: id_.as_str(),
        })
    }
}
