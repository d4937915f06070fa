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
mod sessions;
mod stays;
mod work;
mod work_time;

use rustc_hash::FxHashMap;

pub use error::{EntityKind, FoldError};

use entities::{Entities, Reopenable};
use profiles::Panel;
use sessions::Declined;
use work::Mark;

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
    sessions: Entities<sessions::SessionSlot>,
    /// How many sessions of each contact are open (contacts with none are absent).
    open_sessions_of: FxHashMap<Sym, u32>,
    views: FxHashMap<(Sym, Sym, Panel), Instant>,
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
        self.forget_expired(at);
        self.dispatch(event.type_name(), at, &event.kind)?;
        // Handle time joins what the checks above accepted; it refuses nothing.
        if self.follow_work_time {
            self.work_time_event(at, &event.kind);
        }
        self.last_at = Some(at);
        self.events += 1;
        Ok(())
    }

    /// Forgets the conversations that can no longer reopen at `at`. A forgotten conversation
    /// has no more facts, and nor has any of its contacts that has ended with no session still
    /// open (no session can start on it any more): sinks may drop what they keep to recognise
    /// or replace their contributions.
    fn forget_expired(&mut self, at: Instant) {
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
    }

    /// Hands event `name` at `at` to the state machine of its kind: one method per kind, so
    /// the compiler checks that every kind is handled.
    fn dispatch(
        &mut self,
        name: &'static str,
        at: Instant,
        kind: &EventKind<'_>,
    ) -> Result<(), FoldError> {
        use EventKind as K;
        match *kind {
            K::AgentLoggedIn { agent } => self.login(name, at, agent),
            K::AgentLoggedOut {
                agent,
                trigger,
                last_active_at,
            } => self.logout(name, at, agent, trigger, last_active_at),
            K::AgentAway {
                agent,
                reason,
                trigger,
                last_active_at,
            } => self.away(name, at, agent, reason, trigger, last_active_at),
            K::AgentActive { agent, reason } => self.back(name, at, agent, reason),
            K::AgentAvailable { agent, channel } => self.available(name, at, agent, channel),
            K::AgentUnavailable { agent, channel } => self.unavailable(name, at, agent, channel),
            K::FocusStarted { agent } => self.focus_started(name, at, agent),
            K::FocusEnded { agent } => self.focus_ended(name, at, agent),
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
            } => self.conversation_closed(name, at, conversation, by, agent),
            K::ContactStarted {
                contact,
                conversation,
                customer,
                channel,
                direction,
                channel_instance,
            } => {
                let start = work::ContactStart {
                    contact,
                    conversation,
                    customer,
                    channel,
                    direction,
                    channel_instance,
                };
                self.contact_started(name, at, start)
            }
            K::ContactQueued { contact, queue } => self.contact_queued(name, at, contact, queue),
            K::ContactFulfilled {
                contact,
                agent,
                via,
            } => self.contact_fulfilled(name, at, contact, agent, via),
            K::ContactAnswered { contact } => {
                self.contact_marked(name, at, contact, Mark::Answered)
            }
            K::ContactEnded { contact, outcome } => self.contact_ended(name, at, contact, outcome),
            K::ContactNoReplyNeeded { contact, .. } => {
                self.contact_marked(name, at, contact, Mark::NoReplyNeeded)
            }
            K::WorkItemStatusChanged { contact, status } => {
                self.work_item_status_changed(name, contact, status)
            }
            K::MessageSent {
                contact, sender, ..
            } => self.message_sent(name, at, contact, sender),
            K::HoldStarted { contact, .. } => self.hold_started(name, at, contact),
            K::HoldEnded { contact } => self.hold_ended(name, at, contact),
            K::SessionStarted {
                session,
                contact,
                queue,
                handler,
            } => self.session_started(name, at, session, contact, queue, handler),
            K::SessionOffered { session, agent } => self.session_offered(name, at, session, agent),
            K::SessionAccepted { session, agent } => {
                self.session_accepted(name, at, session, agent)
            }
            K::SessionRejected { session, agent } => {
                self.offer_declined(name, at, session, agent, Declined::Rejected)
            }
            K::SessionTimedOut { session, agent } => {
                self.offer_declined(name, at, session, agent, Declined::TimedOut)
            }
            K::SessionTransferred { session, to, .. } => {
                self.session_transferred(name, session, to)
            }
            K::SessionEnded { session, reason } => self.session_ended(name, at, session, reason),
            K::ParticipantJoined {
                session,
                participant,
                kind,
                mode,
                reason,
            } => {
                let joining = sessions::Joining {
                    participant,
                    kind,
                    mode,
                    reason,
                };
                self.participant_joined(name, at, session, joining)
            }
            K::ParticipantLeft {
                session,
                participant,
                reason,
            } => self.participant_left(name, at, session, participant, reason),
            K::ParticipantEvent {
                session,
                participant,
                event_type,
                reason,
            } => self.participant_event(name, at, session, participant, event_type, reason),
            K::ProfileViewStarted { agent, customer } => {
                self.panel_opened(name, at, agent, customer, Panel::View)
            }
            K::ProfileViewEnded { agent, customer } => {
                self.panel_closed(name, at, agent, customer, Panel::View)
            }
            K::TaskPanelOpened { agent, customer } => {
                self.panel_opened(name, at, agent, customer, Panel::Task)
            }
            K::TaskPanelClosed { agent, customer } => {
                self.panel_closed(name, at, agent, customer, Panel::Task)
            }
            K::BotSessionStarted {
                bot_session,
                bot,
                version,
                customer,
            } => self.bot_session_started(name, at, bot_session, bot, version, customer),
            K::BotConversationStarted {
                bot_session,
                conversation,
                channel,
            } => self.bot_conversation_started(name, at, bot_session, conversation, channel),
            K::BotConversationUpdated {
                bot_session,
                conversation,
            } => self.bot_conversation_updated(name, at, bot_session, conversation),
            K::TicketCreated {
                bot_session,
                ticket,
            } => self.ticket_created(name, at, bot_session, ticket),
            K::BotSessionEnded { bot_session } => self.bot_session_ended(name, at, bot_session),
        }
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
        if let Some(cut) = cut {
            self.finish_stays(cut);
        }
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
