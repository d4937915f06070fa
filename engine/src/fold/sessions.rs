//! Sessions and their participants: the routing segments of a contact, each for one primary
//! bot or agent, with the offers, answers, transfers and participant records Dynamics keeps.

use super::{EntityKind, Fold, FoldError};
use crate::event::{
    Channel, ClosureReason, Direction, HandlerKind, ParticipantEventReason, ParticipantEventType,
    ParticipantMode, TransferTarget,
};
use crate::facts::{Fact, FactSink, ParticipantEventFact, ParticipantFact, SessionFact};
use crate::ids::Sym;
use crate::time::{Instant, Span};

/// An open session, with its participants.
pub(super) struct SessionSlot {
    fact: SessionFact,
    participants: Vec<ParticipantFact>,
}

/// Who joins a session, and how: the fields of a `participant_joined` event.
pub(super) struct Joining<'a> {
    /// The agent or bot taking part.
    pub(super) participant: &'a str,
    /// Agent or bot.
    pub(super) kind: HandlerKind,
    /// Primary, consult, monitor or preview.
    pub(super) mode: ParticipantMode,
    /// Why they were added.
    pub(super) reason: Option<&'a str>,
}

/// Adds a participant row's time to its session's representative active time (Dynamics
/// msdyn_activetime): representatives in primary mode who joined, that is, did not leave with
/// `AgentReject` or `AgentTimeout`.
fn add_active_time(session: &mut SessionFact, p: &ParticipantFact) {
    if p.kind == HandlerKind::Agent
        && p.mode == ParticipantMode::Primary
        && !p.left_on_reject
        && !p.left_on_timeout
    {
        session.rep_active_ms = Some(session.rep_active_ms.unwrap_or(0) + p.span.millis());
    }
}

/// How an offered agent let a session go.
#[derive(Clone, Copy, Debug)]
pub(super) enum Declined {
    /// `session_rejected`.
    Rejected,
    /// `session_timed_out`.
    TimedOut,
}

impl<S: FactSink> Fold<S> {
    pub(super) fn session_started(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        contact: &str,
        queue: Option<&str>,
        handler: HandlerKind,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(session);
        self.sessions
            .check_new(sym, event, EntityKind::Session, session, |s| {
                s.fact.started_at
            })?;
        let contact_sym = self.open_contact(event, contact)?;
        let (channel, direction, has_instance, status) = match self.contacts.get(contact_sym) {
            Some(c) => (
                c.fact.channel,
                c.fact.direction,
                c.fact.channel_instance.is_some(),
                c.fact.status,
            ),
            _ => (Channel::Custom, Direction::Inbound, false, None),
        };
        let queue = queue.map(|q| self.names.intern(q));
        let fact = SessionFact {
            session: sym,
            contact: contact_sym,
            channel,
            direction,
            has_channel_instance: has_instance,
            queue,
            handler,
            started_at: at,
            offered_to: None,
            offered_at: None,
            accepted_at: None,
            accepted_by: None,
            rejected_at: None,
            timed_out_at: None,
            transferred_to: None,
            ended_at: at,
            closure_reason: None,
            work_item_status: status,
            participant_rows: 0,
            transit_records: 0,
            hold_records: 0,
            other_records: 0,
            rep_active_ms: None,
            open: true,
        };
        self.sessions.open(
            sym,
            SessionSlot {
                fact,
                participants: Vec::new(),
            },
        );
        *self.open_sessions_of.entry(contact_sym).or_insert(0) += 1;
        Ok(())
    }

    /// The open session `id`, or the error saying why it is not open.
    fn open_session(&mut self, event: &'static str, id: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(id);
        let expected = (
            "session_started",
            "a new session (`session_started` with a new id)",
        );
        self.sessions
            .check_open(sym, event, EntityKind::Session, id, expected)?;
        Ok(sym)
    }

    /// The open session `sym` and the agent an offer event names (the agent is interned even
    /// when the event keeps no record of them, so symbols follow the log's order).
    fn offer(
        &mut self,
        event: &'static str,
        session: &str,
        agent: &str,
    ) -> Result<(Sym, Sym), FoldError> {
        let sym = self.open_session(event, session)?;
        Ok((sym, self.names.intern(agent)))
    }

    /// The contact of session `sym`, when it is open and an agent handles it: the sessions
    /// whose offers and answers are a queue stay's.
    fn agent_session_contact(&self, sym: Sym) -> Option<Sym> {
        let slot = self.sessions.get(sym)?;
        (slot.fact.handler == HandlerKind::Agent).then_some(slot.fact.contact)
    }

    /// Session `sym`'s slot, if open, with the last status its contact had while open: every
    /// session event takes it.
    fn refreshed_session(&mut self, sym: Sym) -> Option<&mut SessionSlot> {
        let slot = self.sessions.get_mut(sym)?;
        if let Some(contact) = self.contacts.get(slot.fact.contact) {
            slot.fact.work_item_status = contact.fact.status;
        }
        Some(slot)
    }

    pub(super) fn session_offered(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        agent: &str,
    ) -> Result<(), FoldError> {
        let (sym, agent) = self.offer(event, session, agent)?;
        if let Some(slot) = self.refreshed_session(sym) {
            slot.fact.offered_to = Some(agent);
            slot.fact.offered_at = Some(at);
        }
        if let Some(contact) = self.agent_session_contact(sym) {
            self.stay_offered(contact, at);
        }
        Ok(())
    }

    pub(super) fn session_accepted(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        agent: &str,
    ) -> Result<(), FoldError> {
        let (sym, agent) = self.offer(event, session, agent)?;
        if let Some(slot) = self.refreshed_session(sym) {
            slot.fact.accepted_at.get_or_insert(at);
            slot.fact.accepted_by = Some(agent);
        }
        if let Some(contact) = self.agent_session_contact(sym) {
            self.stay_answered(contact, at);
        }
        Ok(())
    }

    /// The agent offered the session let it go: rejected it, or let it time out.
    pub(super) fn offer_declined(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        agent: &str,
        how: Declined,
    ) -> Result<(), FoldError> {
        let (sym, _) = self.offer(event, session, agent)?;
        if let Some(slot) = self.refreshed_session(sym) {
            match how {
                Declined::Rejected => slot.fact.rejected_at = Some(at),
                Declined::TimedOut => slot.fact.timed_out_at = Some(at),
            }
        }
        if let Some(contact) = self.agent_session_contact(sym) {
            self.stay_declined(contact, how);
        }
        Ok(())
    }

    pub(super) fn session_transferred(
        &mut self,
        event: &'static str,
        session: &str,
        to: TransferTarget,
    ) -> Result<(), FoldError> {
        let sym = self.open_session(event, session)?;
        if let Some(slot) = self.refreshed_session(sym) {
            slot.fact.transferred_to = Some(to);
        }
        Ok(())
    }

    pub(super) fn session_ended(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        reason: ClosureReason,
    ) -> Result<(), FoldError> {
        let sym = self.open_session(event, session)?;
        let Some(slot) = self.refreshed_session(sym) else {
            return Ok(());
        };
        slot.fact.ended_at = at;
        slot.fact.closure_reason = Some(reason);
        slot.fact.open = false;
        // The closed slot comes back once, moved out of the table.
        let Some(SessionSlot {
            mut fact,
            participants,
        }) = self.sessions.close(sym, at)
        else {
            return Ok(());
        };
        if let Some(n) = self.open_sessions_of.get_mut(&fact.contact) {
            *n -= 1;
            if *n == 0 {
                self.open_sessions_of.remove(&fact.contact);
            }
        }
        // Participants still in the session leave when it closes.
        for mut p in participants {
            p.span = Span::new(p.span.start, at);
            p.open = false;
            p.work_item_status = fact.work_item_status;
            add_active_time(&mut fact, &p);
            self.emit(Fact::Participant(p));
        }
        self.emit(Fact::Session(fact));
        // A closed session takes no more events: its facts are all out.
        self.sink.settled(sym);
        Ok(())
    }

    pub(super) fn participant_joined(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        joining: Joining<'_>,
    ) -> Result<(), FoldError> {
        let Joining {
            participant,
            kind,
            mode,
            reason,
        } = joining;
        let sym = self.open_session(event, session)?;
        let participant_sym = self.names.intern(participant);
        let reason = reason.map(|r| self.names.intern(r));
        let Some(slot) = self.refreshed_session(sym) else {
            return Ok(());
        };
        if let Some(existing) = slot
            .participants
            .iter()
            .find(|x| x.participant == participant_sym && x.open)
        {
            return Err(FoldError::Duplicate {
                event,
                kind: EntityKind::Participant,
                id: format!("{participant} in session {session}"),
                since: existing.span.start,
            });
        }
        slot.fact.participant_rows += 1;
        slot.participants.push(ParticipantFact {
            session: sym,
            participant: participant_sym,
            kind,
            mode,
            join_reason: reason,
            left_reason: None,
            left_on_reject: false,
            left_on_timeout: false,
            work_item_status: slot.fact.work_item_status,
            span: Span::new(at, at),
            open: true,
        });
        Ok(())
    }

    pub(super) fn participant_left(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        participant: &str,
        reason: Option<&str>,
    ) -> Result<(), FoldError> {
        let sym = self.open_session(event, session)?;
        let participant_sym = self.names.intern(participant);
        let reason_sym = reason.map(|r| self.names.intern(r));
        let left_on = |what: &str| reason.is_some_and(|r| r.eq_ignore_ascii_case(what));
        let (left_on_reject, left_on_timeout) = (left_on("AgentReject"), left_on("AgentTimeout"));
        let Some(slot) = self.refreshed_session(sym) else {
            return Ok(());
        };
        let Some(i) = slot
            .participants
            .iter()
            .position(|x| x.participant == participant_sym && x.open)
        else {
            return Err(FoldError::UnknownEntity {
                event,
                kind: EntityKind::Participant,
                id: format!("{participant} in session {session}"),
                expected: "participant_joined",
            });
        };
        let mut fact = slot.participants.remove(i);
        fact.left_reason = reason_sym;
        fact.left_on_reject = left_on_reject;
        fact.left_on_timeout = left_on_timeout;
        fact.work_item_status = slot.fact.work_item_status;
        fact.span = Span::new(fact.span.start, at);
        fact.open = false;
        add_active_time(&mut slot.fact, &fact);
        self.emit(Fact::Participant(fact));
        Ok(())
    }

    pub(super) fn participant_event(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        participant: &str,
        event_type: ParticipantEventType,
        reason: ParticipantEventReason,
    ) -> Result<(), FoldError> {
        let sym = self.open_session(event, session)?;
        let participant_sym = self.names.intern(participant);
        let Some(slot) = self.refreshed_session(sym) else {
            return Ok(());
        };
        if reason == ParticipantEventReason::SessionTransferInTransit {
            slot.fact.transit_records += 1;
        } else if event_type == ParticipantEventType::Hold {
            slot.fact.hold_records += 1;
        } else {
            slot.fact.other_records += 1;
        }
        let fact = ParticipantEventFact {
            session: sym,
            participant: participant_sym,
            event_type,
            reason,
            at,
        };
        self.emit(Fact::ParticipantEvent(fact));
        Ok(())
    }

    pub(super) fn finish_sessions(&mut self, as_of: Option<Instant>) -> u64 {
        let mut open = 0;
        for sym in self.sessions.open_syms() {
            open += 1;
            let Some(cut) = as_of else { continue };
            // The fold is ending: the session is cut off at the real-time cut-off.
            let Some(SessionSlot {
                mut fact,
                participants,
            }) = self.sessions.close(sym, cut)
            else {
                continue;
            };
            // As on every session event: the last status its contact had while open.
            if let Some(contact) = self.contacts.get(fact.contact) {
                fact.work_item_status = contact.fact.status;
            }
            fact.ended_at = cut;
            for mut p in participants {
                p.span = Span::new(p.span.start, cut);
                p.work_item_status = fact.work_item_status;
                add_active_time(&mut fact, &p);
                self.emit(Fact::Participant(p));
            }
            self.emit(Fact::Session(fact));
        }
        open
    }
}
