//! Bot sessions: a bot's billing unit, which may span several conversations and channels.

use super::{EntityKind, Fold, FoldError};
use crate::event::EventKind;
use crate::facts::{BotConversationFact, BotSessionFact, Fact, FactSink, TicketFact};
use crate::ids::Sym;
use crate::time::Instant;

/// An open bot session.
pub(super) struct BotSessionSlot {
    fact: BotSessionFact,
    conversations: Vec<BotConversationFact>,
    tickets: Vec<Sym>,
}

impl<S: FactSink> Fold<S> {
    pub(super) fn bot_event(
        &mut self,
        event: &'static str,
        at: Instant,
        kind: &EventKind<'_>,
    ) -> Result<(), FoldError> {
        if let EventKind::BotSessionStarted {
            bot_session,
            bot,
            version,
            customer,
        } = kind
        {
            let sym = self.names.intern(bot_session);
            self.bot_sessions
                .check_new(sym, event, EntityKind::BotSession, bot_session, |s| {
                    s.fact.started_at
                })?;
            let fact = BotSessionFact {
                bot_session: sym,
                bot: self.names.intern(bot),
                version: self.names.intern(version),
                customer: self.names.intern(customer),
                started_at: at,
                ended_at: at,
                conversations: 0,
                channels: 0,
                tickets: 0,
                open: true,
            };
            let slot = BotSessionSlot {
                fact,
                conversations: Vec::new(),
                tickets: Vec::new(),
            };
            self.bot_sessions.open(sym, slot);
            return Ok(());
        }
        let (id, other) = match kind {
            EventKind::BotConversationStarted {
                bot_session,
                conversation,
                ..
            }
            | EventKind::BotConversationUpdated {
                bot_session,
                conversation,
            } => (*bot_session, Some(*conversation)),
            EventKind::TicketCreated {
                bot_session,
                ticket,
            } => (*bot_session, Some(*ticket)),
            EventKind::BotSessionEnded { bot_session } => (*bot_session, None),
            _ => return Ok(()),
        };
        let sym = self.names.intern(id);
        let other_sym = other.map(|o| self.names.intern(o));
        let expected = (
            "bot_session_started",
            "a new bot session (`bot_session_started` with a new id)",
        );
        self.bot_sessions
            .check_open(sym, event, EntityKind::BotSession, id, expected)?;
        let Some(slot) = self.bot_sessions.get_mut(sym) else {
            return Ok(());
        };
        let other_name = other.unwrap_or_default();
        match (kind, other_sym) {
            (EventKind::BotConversationStarted { channel, .. }, Some(conv)) => {
                if let Some(c) = slot.conversations.iter().find(|c| c.conversation == conv) {
                    return Err(FoldError::Duplicate {
                        event,
                        kind: EntityKind::BotConversation,
                        id: format!("{other_name} in bot session {id}"),
                        since: c.created_at,
                    });
                }
                slot.conversations.push(BotConversationFact {
                    bot_session: sym,
                    bot: slot.fact.bot,
                    version: slot.fact.version,
                    customer: slot.fact.customer,
                    session_started_at: slot.fact.started_at,
                    conversation: conv,
                    channel: *channel,
                    created_at: at,
                    updated_at: at,
                });
            }
            (EventKind::BotConversationUpdated { .. }, Some(conv)) => {
                let Some(c) = slot
                    .conversations
                    .iter_mut()
                    .find(|c| c.conversation == conv)
                else {
                    return Err(FoldError::UnknownEntity {
                        event,
                        kind: EntityKind::BotConversation,
                        id: format!("{other_name} in bot session {id}"),
                        expected: "bot_conversation_started",
                    });
                };
                c.updated_at = at;
            }
            (EventKind::TicketCreated { .. }, Some(ticket)) => {
                if slot.tickets.contains(&ticket) {
                    return Err(FoldError::Duplicate {
                        event,
                        kind: EntityKind::Ticket,
                        id: format!("{other_name} in bot session {id}"),
                        since: slot.fact.started_at,
                    });
                }
                slot.tickets.push(ticket);
                let fact = TicketFact {
                    bot_session: sym,
                    bot: slot.fact.bot,
                    version: slot.fact.version,
                    session_started_at: slot.fact.started_at,
                    ticket,
                    at,
                };
                self.emit(Fact::Ticket(fact));
            }
            (EventKind::BotSessionEnded { .. }, _) => {
                let Some(slot) = self.bot_sessions.close(sym, at) else {
                    return Ok(());
                };
                self.close_bot_session(slot, at, false);
                // A closed bot session takes no more events: its facts are all out.
                self.sink.settled(sym);
            }
            _ => {}
        }
        Ok(())
    }

    fn close_bot_session(&mut self, slot: BotSessionSlot, end: Instant, open: bool) {
        let mut fact = slot.fact;
        fact.ended_at = end;
        fact.conversations = slot.conversations.len() as u32;
        fact.channels = slot
            .conversations
            .iter()
            .fold(0, |m, c| m | (1 << c.channel as u32));
        fact.tickets = slot.tickets.len() as u32;
        fact.open = open;
        for c in slot.conversations {
            self.emit(Fact::BotConversation(c));
        }
        self.emit(Fact::BotSession(fact));
    }

    pub(super) fn finish_bots(&mut self, as_of: Option<Instant>) -> u64 {
        let mut open = 0;
        for sym in self.bot_sessions.open_syms() {
            open += 1;
            let Some(cut) = as_of else { continue };
            if let Some(slot) = self.bot_sessions.close(sym, cut) {
                self.close_bot_session(slot, cut, true);
            }
        }
        open
    }
}
