//! The fold: events, in order, through per-entity state machines that emit fact rows.
//!
//! The fold does no I/O. It is handed events one at a time ([`Fold::apply`]), checks each
//! against the state of the entities it names, and sends a [`Fact`] to its sink whenever an
//! entity (or a stretch of one) closes. Memory holds the open entities, the history of closed
//! conversations that may still reopen, and one bit per closed id, so a duplicate or a late
//! event can be recognised (see `entities`).

mod agents;
mod bots;
mod entities;
mod error;
mod profiles;
mod work;
mod work_time;

use rustc_hash::FxHashMap;

pub use error::{EntityKind, FoldError};

use entities::{Entities, Reopenable};

use crate::event::{Event, EventKind};
use crate::facts::{Fact, FactSink};
use crate::ids::{Interner, Sym};
use crate::time::Instant;

/// Folds events into facts for a sink.
pub struct Fold<S> {
    sink: S,
    names: Interner,
    last_at: Option<Instant>,
    events: u64,
    agents: FxHashMap<Sym, agents::AgentSlot>,
    conversations: Reopenable<work::ConversationSlot>,
    contacts: Entities<work::ContactSlot>,
    sessions: Entities<work::SessionSlot>,
    /// How many sessions of each contact are open (contacts with none are absent).
    open_sessions_of: FxHashMap<Sym, u32>,
    views: FxHashMap<(Sym, Sym, profiles::Panel), Instant>,
    bot_sessions: Entities<bots::BotSessionSlot>,
    work_time: work_time::WorkTime,
    /// Whether the sink reads work-time facts (else work time is not followed at all).
    follow_work_time: bool,
}

/// How many entities of each kind were still open when the fold finished.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenEntities {
    /// (kind, count) for every kind with at least one open entity.
    pub counts: Vec<(EntityKind, u64)>,
}

impl OpenEntities {
    fn add(&mut self, kind: EntityKind, n: u64) {
        if n > 0 {
            self.counts.push((kind, n));
        }
    }

    /// Whether nothing was left open.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// What was left open, as `2 agent, 1 contact`; `None` when nothing was.
    pub fn describe(&self) -> Option<String> {
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// What the fold hands back when it is done.
pub struct Folded<S> {
    /// The sink, holding whatever it made of the facts.
    pub sink: S,
    /// The strings behind every [`Sym`] in the facts.
    pub names: Interner,
    /// Events folded.
    pub events: u64,
    /// Entities still open at the end (reported, not emitted, in a historical fold).
    pub open: OpenEntities,
}

impl<S: FactSink> Fold<S> {
    /// A fold that sends its facts to `sink`.
    pub fn new(sink: S) -> Self {
        Fold {
            follow_work_time: sink.wants_work_time(),
            sink,
            names: Interner::default(),
            last_at: None,
            events: 0,
            agents: FxHashMap::default(),
            conversations: Reopenable::default(),
            contacts: Entities::default(),
            sessions: Entities::default(),
            open_sessions_of: FxHashMap::default(),
            views: FxHashMap::default(),
            bot_sessions: Entities::default(),
            work_time: work_time::WorkTime::default(),
        }
    }

    /// A fold for a log whose conversations never reopen more than `window_ms` after they
    /// closed (the simulator's, say): it forgets a conversation's history once the window has
    /// passed, so memory follows the conversations that can still change, not the log's
    /// length. A later event for such a conversation is an error, as a reopen beyond the
    /// window would be on the platform.
    pub fn with_reopen_window(mut self, window_ms: i64) -> Self {
        self.conversations = Reopenable::expiring(window_ms);
        self
    }

    /// Folds one event. On error the fold's state is unchanged by the event (time passing to
    /// the event's instant may still forget conversations that can no longer reopen).
    pub fn apply(&mut self, event: &Event<'_>) -> Result<(), FoldError> {
        let at = event.at;
        if let Some(previous) = self.last_at {
            if at < previous {
                return Err(FoldError::OutOfOrder {
                    event: event.type_name(),
                    at,
                    previous,
                });
            }
        }
        // A forgotten conversation has no more facts, and nor has any of its contacts that has
        // ended with no session still open (no session can start on it any more): sinks may
        // drop what they keep to recognise or replace their contributions.
        let (sink, contacts, open_sessions_of) =
            (&mut self.sink, &self.contacts, &self.open_sessions_of);
        self.conversations.forget_expired(at, |sym, slot| {
            sink.settled(sym);
            for c in slot.contacts() {
                if contacts.is_closed(c.contact) && !open_sessions_of.contains_key(&c.contact) {
                    sink.settled(c.contact);
                }
            }
        });
        let name = event.type_name();
        use EventKind as K;
        match &event.kind {
            K::AgentLoggedIn { agent } => self.login(name, at, agent),
            K::AgentLoggedOut {
                agent,
                trigger,
                last_active_at,
            } => self.logout(name, at, agent, *trigger, *last_active_at),
            K::AgentAway {
                agent,
                reason,
                trigger,
                last_active_at,
            } => self.away(name, at, agent, *reason, *trigger, *last_active_at),
            K::AgentActive { agent, reason } => self.back(name, at, agent, *reason),
            K::AgentAvailable { agent, channel } => {
                self.availability(name, at, agent, *channel, true)
            }
            K::AgentUnavailable { agent, channel } => {
                self.availability(name, at, agent, *channel, false)
            }
            K::FocusStarted { agent } => self.focus(name, at, agent, true),
            K::FocusEnded { agent } => self.focus(name, at, agent, false),
            K::ConversationOpened {
                conversation,
                customer,
            } => self.conversation_opened(name, at, conversation, customer),
            K::ConversationReopened { conversation } => {
                self.conversation_reopened(name, at, conversation)
            }
            K::ConversationWaiting { conversation } => {
                self.conversation_waiting(name, conversation)
            }
            K::ConversationClosed {
                conversation,
                by,
                agent,
            } => self.conversation_closed(name, at, conversation, *by, *agent),
            K::ContactStarted { .. } => self.contact_started(name, at, &event.kind),
            K::ContactQueued { contact, .. }
            | K::ContactFulfilled { contact, .. }
            | K::ContactAnswered { contact }
            | K::ContactNoReplyNeeded { contact, .. }
            | K::MessageSent { contact, .. }
            | K::HoldStarted { contact, .. }
            | K::HoldEnded { contact }
            | K::ContactEnded { contact, .. }
            | K::WorkItemStatusChanged { contact, .. } => {
                self.contact_event(name, at, contact, &event.kind)
            }
            K::SessionStarted {
                session,
                contact,
                queue,
                handler,
            } => self.session_started(name, at, session, contact, *queue, *handler),
            K::SessionOffered { session, .. }
            | K::SessionAccepted { session, .. }
            | K::SessionRejected { session, .. }
            | K::SessionTimedOut { session, .. }
            | K::SessionTransferred { session, .. }
            | K::SessionEnded { session, .. }
            | K::ParticipantJoined { session, .. }
            | K::ParticipantLeft { session, .. }
            | K::ParticipantEvent { session, .. } => {
                self.session_event(name, at, session, &event.kind)
            }
            K::ProfileViewStarted { agent, customer } => {
                self.panel(name, at, agent, customer, profiles::Panel::View, true)
            }
            K::ProfileViewEnded { agent, customer } => {
                self.panel(name, at, agent, customer, profiles::Panel::View, false)
            }
            K::TaskPanelOpened { agent, customer } => {
                self.panel(name, at, agent, customer, profiles::Panel::Task, true)
            }
            K::TaskPanelClosed { agent, customer } => {
                self.panel(name, at, agent, customer, profiles::Panel::Task, false)
            }
            K::BotSessionStarted { .. }
            | K::BotConversationStarted { .. }
            | K::BotConversationUpdated { .. }
            | K::TicketCreated { .. }
            | K::BotSessionEnded { .. } => self.bot_event(name, at, &event.kind),
        }?;
        // Handle time joins what the checks above accepted; it refuses nothing.
        if self.follow_work_time {
            self.work_time_event(at, &event.kind);
        }
        self.last_at = Some(at);
        self.events += 1;
        Ok(())
    }

    /// Ends the fold. Every entity still open is emitted as an open fact ending at the
    /// real-time cut-off `as_of`, or at the last event when there is none; report builders
    /// decide which metrics count open entities. The counts are returned too.
    pub fn finish(mut self, as_of: Option<Instant>) -> Folded<S> {
        let cut = as_of.or(self.last_at);
        if self.follow_work_time {
            self.finish_work_time(cut);
        }
        let mut open = OpenEntities::default();
        open.add(EntityKind::Agent, self.finish_agents(cut));
        open.add(EntityKind::Conversation, self.finish_conversations(cut));
        open.add(EntityKind::Contact, self.finish_contacts(cut));
        open.add(EntityKind::Session, self.finish_sessions(cut));
        let (views, panels) = self.finish_panels(cut);
        open.add(EntityKind::ProfileView, views);
        open.add(EntityKind::TaskPanel, panels);
        open.add(EntityKind::BotSession, self.finish_bots(cut));
        Folded {
            sink: self.sink,
            names: self.names,
            events: self.events,
            open,
        }
    }

    fn emit(&mut self, fact: Fact) {
        self.sink.fact(&fact);
    }
}

/// Sorted keys of a map, so that end-of-fold emission order never depends on hashing.
fn sorted_keys<K: Copy + Ord, V>(map: &FxHashMap<K, V>) -> Vec<K> {
    let mut keys: Vec<K> = map.keys().copied().collect();
    keys.sort_unstable();
    keys
}
