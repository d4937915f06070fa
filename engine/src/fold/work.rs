//! Conversations and contacts: the work a customer brings (its sessions are in `sessions`).

use super::stays::OpenStay;
use super::{EntityKind, Fold, FoldError};
use crate::event::{Channel, ClosedBy, Direction, Outcome, Sender, WorkItemStatus};
use crate::facts::{ContactFact, ConversationFact, Fact, FactSink, ReplySpans, ThreadContact};
use crate::ids::Sym;
use crate::time::Instant;

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

/// The fields of a `contact_started` event.
pub(super) struct ContactStart<'a> {
    /// The contact.
    pub(super) contact: &'a str,
    /// The conversation it belongs to, if any.
    pub(super) conversation: Option<&'a str>,
    /// The customer, when known.
    pub(super) customer: Option<&'a str>,
    /// The channel.
    pub(super) channel: Channel,
    /// Inbound or outbound.
    pub(super) direction: Direction,
    /// The channel instance, if any.
    pub(super) channel_instance: Option<&'a str>,
}

/// An open contact.
pub(super) struct ContactSlot {
    pub(super) fact: ContactFact,
    /// The queue stay it is in, until an agent takes it.
    pub(super) stay: Option<OpenStay>,
    hold_since: Option<Instant>,
    /// First message of the customer's current run, not yet answered by an agent.
    customer_run: Option<Instant>,
    /// First message of the agent's current run, not yet answered by the customer.
    agent_run: Option<Instant>,
}

/// Where a contact's hold stands, for an error about it.
fn hold_state(slot: &ContactSlot) -> String {
    match slot.hold_since {
        Some(t) => format!("on hold since {t}"),
        None => "not on hold".to_string(),
    }
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

/// A contact's milestone that only its first occurrence sets.
#[derive(Clone, Copy, Debug)]
pub(super) enum Mark {
    /// `contact_answered`.
    Answered,
    /// `contact_no_reply_needed`.
    NoReplyNeeded,
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
        start: ContactStart<'_>,
    ) -> Result<(), FoldError> {
        let ContactStart {
            contact,
            conversation,
            customer,
            channel,
            direction,
            channel_instance,
        } = start;
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
            channel,
            direction,
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
                stay: None,
                hold_since: None,
                customer_run: None,
                agent_run: None,
            },
        );
        Ok(())
    }

    /// The open contact `id`, or the error saying why it is not.
    pub(super) fn open_contact(&mut self, event: &'static str, id: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(id);
        let expected = (
            "contact_started",
            "a new contact (`contact_started` with a new id)",
        );
        self.contacts
            .check_open(sym, event, EntityKind::Contact, id, expected)?;
        Ok(sym)
    }

    /// Applies `change` to the open contact `sym`, then keeps its conversation's view of the
    /// contact in step; a refused change (an error) leaves the view as it was.
    fn update_contact(
        &mut self,
        sym: Sym,
        change: impl FnOnce(&mut ContactSlot) -> Result<(), FoldError>,
    ) -> Result<(), FoldError> {
        let Some(slot) = self.contacts.get_mut(sym) else {
            return Ok(());
        };
        change(slot)?;
        let (conversation, view) = (slot.fact.conversation, ThreadContact::of(&slot.fact));
        self.sync_view(conversation, view);
        Ok(())
    }

    pub(super) fn contact_queued(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        queue: &str,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        let queue = self.names.intern(queue);
        self.update_contact(sym, |slot| {
            slot.fact.queue = Some(queue);
            slot.fact.queued_at.get_or_insert(at);
            Ok(())
        })?;
        self.stay_entered(sym, queue, at);
        Ok(())
    }

    pub(super) fn contact_fulfilled(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        agent: &str,
        via: Option<&str>,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        let agent = self.names.intern(agent);
        let via = match via {
            Some(v) => Some(self.open_or_closed_contact(event, v)?),
            None => None,
        };
        self.update_contact(sym, |slot| {
            // The first response fulfils it; later ones leave it as it is.
            if slot.fact.fulfilled_at.is_none() {
                slot.fact.fulfilled_at = Some(at);
                slot.fact.fulfilled_by = Some(agent);
                slot.fact.fulfilled_via = via;
            }
            Ok(())
        })?;
        self.stay_answered(sym, at);
        Ok(())
    }

    /// The contact reached a milestone (answered, or marked as needing no reply); the first
    /// time it does counts.
    pub(super) fn contact_marked(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        mark: Mark,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        self.update_contact(sym, |slot| {
            let field = match mark {
                Mark::Answered => &mut slot.fact.answered_at,
                Mark::NoReplyNeeded => &mut slot.fact.no_reply_needed_at,
            };
            field.get_or_insert(at);
            Ok(())
        })
    }

    pub(super) fn work_item_status_changed(
        &mut self,
        event: &'static str,
        contact: &str,
        status: WorkItemStatus,
    ) -> Result<(), FoldError> {
        // A work item's status may still change after the interaction ended (wrap-up, closed).
        if self.contacts.is_closed(self.names.intern(contact)) {
            return Ok(());
        }
        let sym = self.open_contact(event, contact)?;
        self.update_contact(sym, |slot| {
            slot.fact.status = Some(status);
            Ok(())
        })
    }

    pub(super) fn message_sent(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        sender: Sender,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        self.update_contact(sym, |slot| {
            let sender_idx = match sender {
                Sender::Customer => 0,
                Sender::Agent => 1,
                Sender::Bot => 2,
            };
            slot.fact.messages[sender_idx] += 1;
            track_reply(slot, sender, at);
            Ok(())
        })
    }

    pub(super) fn hold_started(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        self.update_contact(sym, |slot| {
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
            Ok(())
        })
    }

    pub(super) fn hold_ended(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        self.update_contact(sym, |slot| {
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
            Ok(())
        })
    }

    pub(super) fn contact_ended(
        &mut self,
        event: &'static str,
        at: Instant,
        contact: &str,
        outcome: Outcome,
    ) -> Result<(), FoldError> {
        let sym = self.open_contact(event, contact)?;
        self.stay_ended(sym, at, outcome);
        let Some(slot) = self.contacts.get_mut(sym) else {
            return Ok(());
        };
        // A hold still running when the contact ends ends with it.
        if let Some(since) = slot.hold_since.take() {
            slot.fact.hold_ms += at.millis_since(since);
            slot.fact.holds += 1;
        }
        slot.fact.ended_at = at;
        slot.fact.outcome = Some(outcome);
        slot.fact.open = false;
        // The closed slot comes back once, moved out of the table.
        if let Some(ContactSlot { fact, .. }) = self.contacts.close(sym, at) {
            self.sync_thread(&fact);
            self.emit(Fact::Contact(fact));
        }
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
}
