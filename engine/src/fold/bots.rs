//! Bot sessions: a bot's billing unit, which may span several conversations and channels.

use super::{EntityKind, Fold, FoldError};
use crate::event::Channel;
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
    pub(super) fn bot_session_started(
        &mut self,
        event: &'static str,
        at: Instant,
        bot_session: &str,
        bot: &str,
        version: &str,
        customer: &str,
    ) -> Result<(), FoldError> {
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
        Ok(())
    }

    /// Interns the bot session `id` and the conversation or ticket `part` an event names, then
    /// checks that the session is open (else the error saying why not).
    fn bot_session_part(
        &mut self,
        event: &'static str,
        id: &str,
        part: &str,
    ) -> Result<(Sym, Sym), FoldError> {
        let sym = self.names.intern(id);
        let part_sym = self.names.intern(part);
        self.check_bot_session_open(event, sym, id)?;
        Ok((sym, part_sym))
    }

    /// Whether bot session `sym` (named `id` in the log) is open; else the error saying why not.
    fn check_bot_session_open(
        &self,
        event: &'static str,
        sym: Sym,
        id: &str,
    ) -> Result<(), FoldError> {
        let expected = (
            "bot_session_started",
            "a new bot session (`bot_session_started` with a new id)",
        );
        self.bot_sessions
            .check_open(sym, event, EntityKind::BotSession, id, expected)
    }

    pub(super) fn bot_conversation_started(
        &mut self,
        event: &'static str,
        at: Instant,
        bot_session: &str,
        conversation: &str,
        channel: Channel,
    ) -> Result<(), FoldError> {
        let (sym, conversation_sym) = self.bot_session_part(event, bot_session, conversation)?;
        let Some(slot) = self.bot_sessions.get_mut(sym) else {
            return Ok(());
        };
        if let Some(c) = slot
            .conversations
            .iter()
            .find(|c| c.conversation == conversation_sym)
        {
            return Err(FoldError::Duplicate {
                event,
                kind: EntityKind::BotConversation,
                id: format!("{conversation} in bot session {bot_session}"),
                since: c.created_at,
            });
        }
        slot.conversations.push(BotConversationFact {
            bot_session: sym,
            bot: slot.fact.bot,
            version: slot.fact.version,
            customer: slot.fact.customer,
            session_started_at: slot.fact.started_at,
            conversation: conversation_sym,
            channel,
            created_at: at,
            updated_at: at,
        });
        Ok(())
    }

    pub(super) fn bot_conversation_updated(
        &mut self,
        event: &'static str,
        at: Instant,
        bot_session: &str,
        conversation: &str,
    ) -> Result<(), FoldError> {
        let (sym, conversation_sym) = self.bot_session_part(event, bot_session, conversation)?;
        let Some(slot) = self.bot_sessions.get_mut(sym) else {
            return Ok(());
        };
        let Some(c) = slot
            .conversations
            .iter_mut()
            .find(|c| c.conversation == conversation_sym)
        else {
            return Err(FoldError::UnknownEntity {
                event,
                kind: EntityKind::BotConversation,
                id: format!("{conversation} in bot session {bot_session}"),
                expected: "bot_conversation_started",
            });
        };
        c.updated_at = at;
        Ok(())
    }

    pub(super) fn ticket_created(
        &mut self,
        event: &'static str,
        at: Instant,
        bot_session: &str,
        ticket: &str,
    ) -> Result<(), FoldError> {
        let (sym, ticket_sym) = self.bot_session_part(event, bot_session, ticket)?;
        let Some(slot) = self.bot_sessions.get_mut(sym) else {
            return Ok(());
        };
        if slot.tickets.contains(&ticket_sym) {
            return Err(FoldError::Duplicate {
                event,
                kind: EntityKind::Ticket,
                id: format!("{ticket} in bot session {bot_session}"),
                since: slot.fact.started_at,
            });
        }
        slot.tickets.push(ticket_sym);
        let fact = TicketFact {
            bot_session: sym,
            bot: slot.fact.bot,
            version: slot.fact.version,
            session_started_at: slot.fact.started_at,
            ticket: ticket_sym,
            at,
        };
        self.emit(Fact::Ticket(fact));
        Ok(())
    }

    pub(super) fn bot_session_ended(
        &mut self,
        event: &'static str,
        at: Instant,
        bot_session: &str,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(bot_session);
        self.check_bot_session_open(event, sym, bot_session)?;
        let Some(slot) = self.bot_sessions.close(sym, at) else {
            return Ok(());
        };
        self.close_bot_session(slot, at, false);
        // A closed bot session takes no more events: its facts are all out.
        self.sink.settled(sym);
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
