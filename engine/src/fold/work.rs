//! Conversations, contacts and sessions: the work a customer brings, and how it is routed.

use super::{EntityKind, Fold, FoldError};
use crate::event::{
    Channel, ClosedBy, Direction, EventKind, HandlerKind, ParticipantEventReason,
    ParticipantEventType, ParticipantMode, Sender,
};
use crate::facts::{
    ContactFact, ConversationFact, Fact, FactSink, ParticipantEventFact, ParticipantFact,
    ReplySpans, SessionFact, ThreadContact,
};
use crate::ids::Sym;
use crate::time::{Instant, Span};

/// A conversation: open or waiting, or closed (and able to reopen). Which of these it is, and
/// when it closed, the `Reopenable` holding it knows.
pub(super) struct ConversationSlot {
    pub(super) customer: Sym,
    opened_at: Instant,
    stretch_start: Instant,
    waiting: bool,
    reopens: u32,
    /// Every contact so far, in start order, kept in step with the contact facts.
    contacts: Vec<ThreadContact>,
    closes: Vec<Instant>,
    reopened: Vec<Instant>,
}

impl ConversationSlot {
    /// Its contacts so far, in start order.
    pub(super) fn contacts(&self) -> &[ThreadContact] {
        &self.contacts
    }
}

/// An open contact.
pub(super) struct ContactSlot {
    fact: ContactFact,
    hold_since: Option<Instant>,
    /// First message of the customer's current run, not yet answered by an agent.
    customer_run: Option<Instant>,
    /// First message of the agent's current run, not yet answered by the customer.
    agent_run: Option<Instant>,
}

/// An open session, with its participants.
pub(super) struct SessionSlot {
    fact: SessionFact,
    participants: Vec<ParticipantFact>,
}

/// Closes the other side's run when one side answers, and starts this side's run. A span
/// counts when its run began at or after the contact was fulfilled.
fn track_reply(slot: &mut ContactSlot, sender: Sender, at: Instant) {
    let fulfilled = slot.fact.fulfilled_at;
    let counts = |start: Instant| fulfilled.is_some_and(|f| start >= f);
    let r = &mut slot.fact.replies;
    match sender {
        Sender::Customer => {
            if let Some(start) = slot.agent_run.take() {
                if counts(start) {
                    r.customer_ms += at.millis_since(start);
                    r.customer += 1;
                }
            }
            slot.customer_run.get_or_insert(at);
        }
        Sender::Agent => {
            if let Some(start) = slot.customer_run.take() {
                if counts(start) {
                    r.agent_ms += at.millis_since(start);
                    r.agent += 1;
                }
            }
            slot.agent_run.get_or_insert(at);
        }
        Sender::Bot => {}
    }
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

/// The fact row of a conversation's stretch ending at `end`: closed by `by` (and `agent`), or
/// still open at a real-time cut-off when `by` is `None`.
fn conversation_fact(
    sym: Sym,
    c: &ConversationSlot,
    end: Instant,
    by: Option<ClosedBy>,
    agent: Option<Sym>,
) -> ConversationFact<'_> {
    ConversationFact {
        conversation: sym,
        customer: c.customer,
        opened_at: c.opened_at,
        stretch_start: c.stretch_start,
        closed_at: end,
        closed_by: by,
        reopens: c.reopens,
        closed_by_agent: agent,
        contacts: &c.contacts,
        closes: &c.closes,
        reopened: &c.reopened,
        open: by.is_none(),
    }
}

impl<S: FactSink> Fold<S> {
    pub(super) fn conversation_opened(
        &mut self,
        event: &'static str,
        at: Instant,
        conversation: &str,
        customer: &str,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(conversation);
        self.conversations
            .check_new(sym, event, EntityKind::Conversation, conversation, |c| {
                c.opened_at
            })?;
        let customer = self.names.intern(customer);
        self.conversations.open(
            sym,
            ConversationSlot {
                customer,
                opened_at: at,
                stretch_start: at,
                waiting: false,
                reopens: 0,
                // Most conversations hold one or two contacts and close once; closed ones are
                // kept (they may reopen), so start small rather than at a Vec's default four.
                contacts: Vec::with_capacity(1),
                closes: Vec::with_capacity(1),
                reopened: Vec::new(),
            },
        );
        Ok(())
    }

    /// Why the fold has no record of conversation `id`: never opened, or forgotten for closing
    /// longer ago than the reopen window.
    fn missing_conversation(&self, event: &'static str, id: &str, sym: Sym) -> FoldError {
        let expected = (
            "conversation_opened",
            "a new conversation: it closed longer ago than the reopen window, so it cannot reopen",
        );
        self.conversations
            .refusal(sym, event, EntityKind::Conversation, id, expected)
    }

    /// The open conversation `id`, or the error saying why it is not.
    fn open_conversation(&mut self, event: &'static str, id: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(id);
        if self.conversations.get_open(sym).is_some() {
            return Ok(sym);
        }
        Err(match self.conversations.closed_at(sym) {
            Some(closed_at) => FoldError::AfterClose {
                event,
                kind: EntityKind::Conversation,
                id: id.to_string(),
                closed_at,
                expected: "`conversation_reopened` first",
            },
            None => self.missing_conversation(event, id, sym),
        })
    }

    pub(super) fn conversation_reopened(
        &mut self,
        event: &'static str,
        at: Instant,
        id: &str,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(id);
        if self.conversations.get_open(sym).is_some() {
            return Err(FoldError::WrongState {
                event,
                kind: EntityKind::Conversation,
                id: id.to_string(),
                state: "open".into(),
                expected: "a closed conversation (`conversation_closed` first)",
            });
        }
        let Some(c) = self.conversations.reopen(sym) else {
            return Err(self.missing_conversation(event, id, sym));
        };
        c.waiting = false;
        c.stretch_start = at;
        c.reopens += 1;
        c.reopened.push(at);
        Ok(())
    }

    pub(super) fn conversation_waiting(
        &mut self,
        event: &'static str,
        id: &str,
    ) -> Result<(), FoldError> {
        let sym = self.open_conversation(event, id)?;
        if let Some(c) = self.conversations.get_mut(sym) {
            c.waiting = true;
        }
        Ok(())
    }

    pub(super) fn conversation_closed(
        &mut self,
        event: &'static str,
        at: Instant,
        id: &str,
        by: ClosedBy,
        agent: Option<&str>,
    ) -> Result<(), FoldError> {
        let sym = self.open_conversation(event, id)?;
        let agent = agent.map(|a| self.names.intern(a));
        let Some(c) = self.conversations.close(sym, at) else {
            return Ok(());
        };
        c.closes.push(at);
        let fact = conversation_fact(sym, c, at, Some(by), agent);
        self.sink.fact(&Fact::Conversation(fact));
        Ok(())
    }

    pub(super) fn contact_started(
        &mut self,
        event: &'static str,
        at: Instant,
        kind: &EventKind<'_>,
    ) -> Result<(), FoldError> {
        let EventKind::ContactStarted {
            contact,
            conversation,
            customer,
            channel,
            direction,
            channel_instance,
        } = kind
        else {
            return Ok(());
        };
        let sym = self.names.intern(contact);
        self.contacts
            .check_new(sym, event, EntityKind::Contact, contact, |c| {
                c.fact.started_at
            })?;
        let conversation = match conversation {
            Some(c) => Some(self.open_conversation(event, c)?),
            None => None,
        };
        let customer = match (customer, conversation) {
            (Some(c), _) => Some(self.names.intern(c)),
            (None, Some(conv)) => self.conversations.get(conv).map(|c| c.customer),
            (None, None) => None,
        };
        let channel_instance = channel_instance.map(|c| self.names.intern(c));
        let fact = ContactFact {
            contact: sym,
            conversation,
            customer,
            channel: *channel,
            direction: *direction,
            channel_instance,
            started_at: at,
            queue: None,
            queued_at: None,
            fulfilled_at: None,
            fulfilled_by: None,
            fulfilled_via: None,
            answered_at: None,
            no_reply_needed_at: None,
            hold_ms: 0,
            holds: 0,
            messages: [0; 3],
            replies: ReplySpans::default(),
            status: None,
            ended_at: at,
            outcome: None,
            open: true,
        };
        self.sync_thread(&fact);
        self.contacts.open(
            sym,
            ContactSlot {
                fact,
                hold_since: None,
                customer_run: None,
                agent_run: None,
            },
        );
        Ok(())
    }

    /// The open contact `id`, or the error saying why it is not.
    fn open_contact(&mut self, event: &'static str, id: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(id);
        let expected = (
            "contact_started",
            "a new contact (`contact_started` with a new id)",
        );
        self.contacts
            .check_open(sym, event, EntityKind::Contact, id, expected)?;
        Ok(sym)
    }

    pub(super) fn contact_event(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        kind: &EventKind<'_>,
    ) -> Result<(), FoldError> {
        // A work item's status may still change after the interaction ended (wrap-up, closed).
        if let EventKind::WorkItemStatusChanged { .. } = kind {
            let sym = self.names.intern(contact);
            if self.contacts.is_closed(sym) {
                return Ok(());
            }
        }
        let sym = self.open_contact(event, contact)?;
        // Resolve names before borrowing the slot mutably.
        let named = match kind {
            EventKind::ContactQueued { queue, .. } => Some(self.names.intern(queue)),
            EventKind::ContactFulfilled { agent, .. } => Some(self.names.intern(agent)),
            _ => None,
        };
        let via = match kind {
            EventKind::ContactFulfilled { via: Some(v), .. } => {
                Some(self.open_or_closed_contact(event, v)?)
            }
            _ => None,
        };
        let Some(slot) = self.contacts.get_mut(sym) else {
            return Ok(());
        };
        let hold_state = |slot: &ContactSlot| match slot.hold_since {
            Some(t) => format!("on hold since {t}"),
            None => "not on hold".to_string(),
        };
        match kind {
            EventKind::ContactQueued { .. } => {
                slot.fact.queue = named;
                slot.fact.queued_at.get_or_insert(at);
            }
            EventKind::ContactFulfilled { .. } if slot.fact.fulfilled_at.is_none() => {
                slot.fact.fulfilled_at = Some(at);
                slot.fact.fulfilled_by = named;
                slot.fact.fulfilled_via = via;
            }
            EventKind::ContactAnswered { .. } => {
                slot.fact.answered_at.get_or_insert(at);
            }
            EventKind::ContactNoReplyNeeded { .. } => {
                slot.fact.no_reply_needed_at.get_or_insert(at);
            }
            EventKind::WorkItemStatusChanged { status, .. } => slot.fact.status = Some(*status),
            EventKind::MessageSent { sender, .. } => {
                let i = match sender {
                    Sender::Customer => 0,
                    Sender::Agent => 1,
                    Sender::Bot => 2,
                };
                slot.fact.messages[i] += 1;
                track_reply(slot, *sender, at);
            }
            EventKind::HoldStarted { .. } => {
                if slot.hold_since.is_some() {
                    return Err(FoldError::WrongState {
                        event,
                        kind: EntityKind::Contact,
                        id: contact.to_string(),
                        state: hold_state(slot),
                        expected: "`hold_ended` before another hold",
                    });
                }
                slot.hold_since = Some(at);
            }
            EventKind::HoldEnded { .. } => {
                let Some(since) = slot.hold_since.take() else {
                    return Err(FoldError::WrongState {
                        event,
                        kind: EntityKind::Contact,
                        id: contact.to_string(),
                        state: hold_state(slot),
                        expected: "`hold_started` first",
                    });
                };
                slot.fact.hold_ms += at.millis_since(since);
                slot.fact.holds += 1;
            }
            EventKind::ContactEnded { outcome, .. } => {
                // A hold still running when the contact ends ends with it.
                if let Some(since) = slot.hold_since.take() {
                    slot.fact.hold_ms += at.millis_since(since);
                    slot.fact.holds += 1;
                }
                slot.fact.ended_at = at;
                slot.fact.outcome = Some(*outcome);
                slot.fact.open = false;
                // The closed slot comes back once, moved out of the table.
                if let Some(ContactSlot { fact, .. }) = self.contacts.close(sym, at) {
                    self.sync_thread(&fact);
                    self.emit(Fact::Contact(fact));
                }
                return Ok(());
            }
            _ => {}
        }
        let (conversation, view) = (slot.fact.conversation, ThreadContact::of(&slot.fact));
        self.sync_view(conversation, view);
        Ok(())
    }

    /// Keeps the conversation's view of a contact in step with the contact.
    fn sync_thread(&mut self, fact: &ContactFact) {
        self.sync_view(fact.conversation, ThreadContact::of(fact));
    }

    /// Puts `view` of a contact in its conversation's list (if it has a conversation).
    fn sync_view(&mut self, conversation: Option<Sym>, view: ThreadContact) {
        let Some(conv) = conversation else {
            return;
        };
        let Some(c) = self.conversations.get_mut(conv) else {
            return;
        };
        match c
            .contacts
            .iter_mut()
            .rev()
            .find(|t| t.contact == view.contact)
        {
            Some(t) => *t = view,
            None => c.contacts.push(view),
        }
    }

    /// A contact that exists (open or ended), for references such as `via`.
    fn open_or_closed_contact(&mut self, event: &'static str, id: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(id);
        if self.contacts.is_known(sym) {
            Ok(sym)
        } else {
            Err(FoldError::UnknownEntity {
                event,
                kind: EntityKind::Contact,
                id: id.to_string(),
                expected: "contact_started",
            })
        }
    }

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

    pub(super) fn session_event(
        &mut self,
        event: &'static str,
        at: Instant,
        session: &str,
        kind: &EventKind<'_>,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(session);
        let expected = (
            "session_started",
            "a new session (`session_started` with a new id)",
        );
        self.sessions
            .check_open(sym, event, EntityKind::Session, session, expected)?;
        let (agent, participant, reason) = match kind {
            EventKind::SessionOffered { agent, .. }
            | EventKind::SessionAccepted { agent, .. }
            | EventKind::SessionRejected { agent, .. }
            | EventKind::SessionTimedOut { agent, .. } => {
                (Some(self.names.intern(agent)), None, None)
            }
            EventKind::ParticipantJoined {
                participant,
                reason,
                ..
            }
            | EventKind::ParticipantLeft {
                participant,
                reason,
                ..
            } => (
                None,
                Some(self.names.intern(participant)),
                reason.map(|r| self.names.intern(r)),
            ),
            EventKind::ParticipantEvent { participant, .. } => {
                (None, Some(self.names.intern(participant)), None)
            }
            _ => (None, None, None),
        };
        let (left_on_reject, left_on_timeout) = match kind {
            EventKind::ParticipantLeft {
                reason: Some(r), ..
            } => (
                r.eq_ignore_ascii_case("AgentReject"),
                r.eq_ignore_ascii_case("AgentTimeout"),
            ),
            _ => (false, false),
        };
        let Some(slot) = self.sessions.get_mut(sym) else {
            return Ok(());
        };
        // The session keeps the last status its contact had while open.
        if let Some(contact) = self.contacts.get(slot.fact.contact) {
            slot.fact.work_item_status = contact.fact.status;
        }
        let f = &mut slot.fact;
        match kind {
            EventKind::SessionOffered { .. } => {
                f.offered_to = agent;
                f.offered_at = Some(at);
            }
            EventKind::SessionAccepted { .. } => {
                f.accepted_at.get_or_insert(at);
                f.accepted_by = agent;
            }
            EventKind::SessionRejected { .. } => {
                f.rejected_at = Some(at);
            }
            EventKind::SessionTimedOut { .. } => {
                f.timed_out_at = Some(at);
            }
            EventKind::SessionTransferred { to, .. } => f.transferred_to = Some(*to),
            EventKind::ParticipantJoined {
                participant: id,
                kind: who,
                mode,
                ..
            } => {
                let Some(p) = participant else { return Ok(()) };
                if let Some(existing) = slot
                    .participants
                    .iter()
                    .find(|x| x.participant == p && x.open)
                {
                    return Err(FoldError::Duplicate {
                        event,
                        kind: EntityKind::Participant,
                        id: format!("{id} in session {session}"),
                        since: existing.span.start,
                    });
                }
                slot.fact.participant_rows += 1;
                slot.participants.push(ParticipantFact {
                    session: sym,
                    participant: p,
                    kind: *who,
                    mode: *mode,
                    join_reason: reason,
                    left_reason: None,
                    left_on_reject: false,
                    left_on_timeout: false,
                    work_item_status: slot.fact.work_item_status,
                    span: Span::new(at, at),
                    open: true,
                });
            }
            EventKind::ParticipantLeft {
                participant: id, ..
            } => {
                let Some(p) = participant else { return Ok(()) };
                let Some(i) = slot
                    .participants
                    .iter()
                    .position(|x| x.participant == p && x.open)
                else {
                    return Err(FoldError::UnknownEntity {
                        event,
                        kind: EntityKind::Participant,
                        id: format!("{id} in session {session}"),
                        expected: "participant_joined",
                    });
                };
                let mut fact = slot.participants.remove(i);
                fact.left_reason = reason;
                fact.left_on_reject = left_on_reject;
                fact.left_on_timeout = left_on_timeout;
                fact.work_item_status = slot.fact.work_item_status;
                fact.span = Span::new(fact.span.start, at);
                fact.open = false;
                add_active_time(&mut slot.fact, &fact);
                self.emit(Fact::Participant(fact));
            }
            EventKind::ParticipantEvent {
                event_type,
                reason: why,
                ..
            } => {
                let Some(p) = participant else { return Ok(()) };
                if *why == ParticipantEventReason::SessionTransferInTransit {
                    slot.fact.transit_records += 1;
                } else if *event_type == ParticipantEventType::Hold {
                    slot.fact.hold_records += 1;
                } else {
                    slot.fact.other_records += 1;
                }
                let fact = ParticipantEventFact {
                    session: sym,
                    participant: p,
                    event_type: *event_type,
                    reason: *why,
                    at,
                };
                self.emit(Fact::ParticipantEvent(fact));
            }
            EventKind::SessionEnded {
                reason: closure, ..
            } => {
                slot.fact.ended_at = at;
                slot.fact.closure_reason = Some(*closure);
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
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn finish_conversations(&mut self, as_of: Option<Instant>) -> u64 {
        let mut open = 0;
        for sym in self.conversations.open_syms() {
            let Some(c) = self.conversations.get_open(sym) else {
                continue;
            };
            open += 1;
            if let Some(cut) = as_of {
                let fact = conversation_fact(sym, c, cut, None, None);
                self.sink.fact(&Fact::Conversation(fact));
            }
        }
        open
    }

    pub(super) fn finish_contacts(&mut self, as_of: Option<Instant>) -> u64 {
        let mut open = 0;
        for sym in self.contacts.open_syms() {
            let Some(slot) = self.contacts.get(sym) else {
                continue;
            };
            open += 1;
            if let Some(cut) = as_of {
                let mut fact = slot.fact;
                if let Some(since) = slot.hold_since {
                    fact.hold_ms += cut.millis_since(since);
                    fact.holds += 1;
                }
                fact.ended_at = cut;
                self.emit(Fact::Contact(fact));
            }
        }
        open
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
