//! Work time: which customer, conversation and contact each moment an agent spends on a
//! customer profile counts for (seed `002_043ce0648a6d9af5.txt`, "Handle Time").
//!
//! Gladly's unit of work is the agent viewing a customer's profile. This state machine joins,
//! per agent, what is on screen (the latest profile view still open, and whether the task
//! panel is open on it) with the agent's status (time stops while Away or logged out), their
//! channel availability, and the customer's conversations and contacts. Whenever anything
//! that decides the attribution of an agent's time changes, the stretch under way is closed
//! and emitted as a [`WorkSpanFact`]; when a contact ends, each agent's handle time on it is
//! emitted as a [`WorkSessionFact`] (first to last moment, for concurrency).
//!
//! Attribution of a moment, for an agent viewing customer C's profile:
//! 1. an active contact of C whose conversation is open or waiting (or which has none): the
//!    first by Gladly's channel order (phone, chat, SMS, Instagram, Messenger, WhatsApp,
//!    email, voicemail), then the earliest started — contact handle time;
//! 2. else C's latest-opened open conversation, if a contact of it has ended and no contact
//!    has begun since — after-contact time (the fact says whether the agent was available on
//!    some channel; the measures decide what that means);
//! 3. else that open conversation — conversation time with no contact;
//! 4. else no open conversation — customer handle time only.
//!
//! An agent has joined a contact (for Work Session Handle Time) from the first of: their
//! response fulfilling it, a message they sent on it, or a routing session of it offered to,
//! accepted by or joined by them.
//!
//! It only reads events the other state machines have already accepted, so it refuses
//! nothing and cannot fail. An agent the log has not logged in is taken as active (a log may
//! start mid-shift); a logout ends the agent's views and task panels for this purpose.

use rustc_hash::FxHashMap;

use super::{sorted_keys, Fold};
use crate::event::{Channel, EventKind, HandlerKind, Sender};
use crate::facts::{Fact, FactSink, WorkKind, WorkSessionFact, WorkSpanFact};
use crate::ids::{Interner, Sym};
use crate::time::{Instant, Span};

/// Every agent's and customer's work-time state.
#[derive(Default)]
pub(super) struct WorkTime {
    agents: FxHashMap<Sym, AgentWork>,
    customers: FxHashMap<Sym, CustomerWork>,
    conversations: FxHashMap<Sym, ConversationWork>,
    /// Active contacts (removed when they end).
    contacts: FxHashMap<Sym, ContactWork>,
    /// Open routing sessions, to the contact they route (for joins by session).
    sessions: FxHashMap<Sym, Sym>,
    /// Facts waiting to be handed to the sink (reused, so no allocation per event).
    out: Vec<Fact<'static>>,
}

/// Where an agent's status stands, as far as work time cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Presence {
    /// No status event yet: taken as active.
    #[default]
    Unknown,
    /// Logged in and not Away.
    Active,
    /// Away: time stops.
    Away,
    /// Logged out: time stops, views end.
    LoggedOut,
}

/// One agent.
#[derive(Default)]
struct AgentWork {
    presence: Presence,
    /// Customers whose profile the agent has open, the latest last (the one on screen).
    views: Vec<Sym>,
    /// Customers on whose profile the agent has the task panel open.
    tasks: Vec<Sym>,
    /// Channels the agent is available on, one bit per `Channel as u32`.
    available: u32,
    /// The stretch under way: since when, counted as what.
    current: Option<(Instant, Attribution)>,
}

/// One customer with something going on: viewers, open conversations or active contacts.
#[derive(Default)]
struct CustomerWork {
    /// Agents whose profile on screen is this customer's.
    viewers: Vec<Sym>,
    /// Open (or waiting) conversations, in the order they (re)opened.
    open_conversations: Vec<Sym>,
    /// Active contacts, in start order.
    active: Vec<Sym>,
}

impl CustomerWork {
    /// Whether nothing is going on for the customer (so it can be forgotten).
    fn is_idle(&self) -> bool {
        self.viewers.is_empty() && self.open_conversations.is_empty() && self.active.is_empty()
    }
}

/// One open (or waiting) conversation.
struct ConversationWork {
    customer: Sym,
    /// The contact whose after-contact time runs: the last to end, while no other began.
    after: Option<(Sym, Channel)>,
}

/// One active contact.
struct ContactWork {
    customer: Sym,
    conversation: Option<Sym>,
    channel: Channel,
    started_at: Instant,
    /// Agents who joined it or were assigned it.
    joined: Vec<Sym>,
    /// Each agent's handle time on it so far.
    sessions: Vec<SessionRec>,
}

/// An agent's contact handle time on one contact so far.
struct SessionRec {
    agent: Sym,
    first: Instant,
    last: Instant,
    handle_ms: i64,
    joined_ms: i64,
}

/// What an agent's time counts as: when any of it changes, a new stretch begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Attribution {
    customer: Sym,
    conversation: Option<Sym>,
    contact: Option<Sym>,
    channel: Option<Channel>,
    kind: WorkKind,
    task_panel: bool,
    joined: bool,
}

/// The availability bit of a channel.
fn bit(channel: Channel) -> u32 {
    1u32 << (channel as u32)
}

impl WorkTime {
    /// Takes one event the fold has accepted, and queues the facts it closes. Symbols are
    /// interned in the order the fold interns them, and only for events work time follows.
    fn on_event(&mut self, at: Instant, kind: &EventKind<'_>, names: &mut Interner) {
        use EventKind as K;
        match *kind {
            K::AgentLoggedIn { agent } | K::AgentActive { agent, .. } => {
                self.presence_changed(names.intern(agent), Presence::Active, at)
            }
            K::AgentAway { agent, .. } => {
                self.presence_changed(names.intern(agent), Presence::Away, at)
            }
            K::AgentLoggedOut { agent, .. } => self.logged_out(names.intern(agent), at),
            K::AgentAvailable { agent, channel } => {
                self.available(names.intern(agent), channel, at)
            }
            K::AgentUnavailable { agent, channel } => {
                self.unavailable(names.intern(agent), channel, at)
            }
            K::ConversationOpened {
                conversation,
                customer,
            } => {
                let (v, c) = (names.intern(conversation), names.intern(customer));
                self.opened(v, c, at);
            }
            K::ConversationClosed { conversation, .. } => {
                self.conversation_closed(names.intern(conversation), at)
            }
            K::ContactStarted {
                contact,
                conversation,
                customer,
                channel,
                ..
            } => {
                let k = names.intern(contact);
                let v = conversation.map(|x| names.intern(x));
                let c = customer.map(|x| names.intern(x));
                self.contact_started(k, v, c, channel, at);
            }
            K::ContactEnded { contact, .. } => self.contact_ended(names.intern(contact), at),
            K::ContactFulfilled { contact, agent, .. }
            | K::MessageSent {
                contact,
                sender: Sender::Agent,
                author: Some(agent),
            } => {
                let (k, a) = (names.intern(contact), names.intern(agent));
                self.join(k, a, at);
            }
            K::SessionStarted {
                session, contact, ..
            } => {
                let k = names.intern(contact);
                if self.contacts.contains_key(&k) {
                    self.sessions.insert(names.intern(session), k);
                }
            }
            K::SessionOffered { session, agent }
            | K::SessionAccepted { session, agent }
            | K::ParticipantJoined {
                session,
                participant: agent,
                kind: HandlerKind::Agent,
                ..
            } => self.join_by_session(session, agent, at, names),
            K::SessionEnded { session, .. } => {
                let s = names.intern(session);
                self.sessions.remove(&s);
            }
            K::ProfileViewStarted { agent, customer } => {
                let (a, c) = (names.intern(agent), names.intern(customer));
                self.view_started(a, c, at);
            }
            K::ProfileViewEnded { agent, customer } => {
                let (a, c) = (names.intern(agent), names.intern(customer));
                self.view_ended(a, c, at);
            }
            K::TaskPanelOpened { agent, customer } => {
                let (a, c) = (names.intern(agent), names.intern(customer));
                self.task_panel_opened(a, c, at);
            }
            K::TaskPanelClosed { agent, customer } => {
                let (a, c) = (names.intern(agent), names.intern(customer));
                self.agent(a).tasks.retain(|x| *x != c);
                self.refresh_agent(a, at);
            }
            // A reopen is taken by `Fold::work_time_event`, which knows the customer.
            K::ConversationReopened { .. } => {}
            // Nothing else changes what an agent's time counts as.
            K::FocusStarted { .. }
            | K::FocusEnded { .. }
            | K::ConversationWaiting { .. }
            | K::ContactQueued { .. }
            | K::ContactAnswered { .. }
            | K::ContactNoReplyNeeded { .. }
            | K::WorkItemStatusChanged { .. }
            | K::MessageSent { .. }
            | K::HoldStarted { .. }
            | K::HoldEnded { .. }
            | K::SessionRejected { .. }
            | K::SessionTimedOut { .. }
            | K::SessionTransferred { .. }
            | K::ParticipantJoined { .. }
            | K::ParticipantLeft { .. }
            | K::ParticipantEvent { .. }
            | K::BotSessionStarted { .. }
            | K::BotConversationStarted { .. }
            | K::BotConversationUpdated { .. }
            | K::TicketCreated { .. }
            | K::BotSessionEnded { .. } => {}
        }
    }

    /// The agent logged in, went Away or came back.
    fn presence_changed(&mut self, agent: Sym, presence: Presence, at: Instant) {
        self.agent(agent).presence = presence;
        self.refresh_agent(agent, at);
    }

    /// The agent logged out: time stops, and their views, task panels and availability end.
    fn logged_out(&mut self, agent: Sym, at: Instant) {
        let slot = self.agent(agent);
        slot.presence = Presence::LoggedOut;
        slot.available = 0;
        slot.tasks.clear();
        let old_top = slot.views.last().copied();
        slot.views.clear();
        self.move_viewer(agent, old_top, None);
        self.refresh_agent(agent, at);
    }

    /// The agent became available on `channel`.
    fn available(&mut self, agent: Sym, channel: Channel, at: Instant) {
        self.agent(agent).available |= bit(channel);
        self.refresh_agent(agent, at);
    }

    /// The agent became unavailable on `channel`.
    fn unavailable(&mut self, agent: Sym, channel: Channel, at: Instant) {
        self.agent(agent).available &= !bit(channel);
        self.refresh_agent(agent, at);
    }

    /// Conversation `v` closed: forgotten (a reopen names the customer again, see `opened`).
    fn conversation_closed(&mut self, v: Sym, at: Instant) {
        let Some(conv) = self.conversations.remove(&v) else {
            return;
        };
        let c = conv.customer;
        if let Some(cw) = self.customers.get_mut(&c) {
            cw.open_conversations.retain(|x| *x != v);
        }
        self.refresh_customer(c, at);
        self.tidy(c);
    }

    /// Contact `k` started in conversation `v`, for `customer` (else the conversation's).
    fn contact_started(
        &mut self,
        k: Sym,
        v: Option<Sym>,
        customer: Option<Sym>,
        channel: Channel,
        at: Instant,
    ) {
        let customer =
            customer.or_else(|| v.and_then(|v| self.conversations.get(&v).map(|x| x.customer)));
        // A contact with no known customer has no profile to be viewed on.
        let Some(c) = customer else { return };
        if let Some(conv) = v.and_then(|v| self.conversations.get_mut(&v)) {
            conv.after = None;
        }
        self.contacts.insert(
            k,
            ContactWork {
                customer: c,
                conversation: v,
                channel,
                started_at: at,
                joined: Vec::new(),
                sessions: Vec::new(),
            },
        );
        self.customers.entry(c).or_default().active.push(k);
        self.refresh_customer(c, at);
    }

    /// A routing session was offered to, accepted by or joined by `agent`: they joined its
    /// contact, if the session routes an active one.
    fn join_by_session(&mut self, session: &str, agent: &str, at: Instant, names: &mut Interner) {
        let s = names.intern(session);
        if let Some(&k) = self.sessions.get(&s) {
            let a = names.intern(agent);
            self.join(k, a, at);
        }
    }

    /// The agent put customer `c`'s profile on screen (on top of any other).
    fn view_started(&mut self, agent: Sym, c: Sym, at: Instant) {
        let slot = self.agent(agent);
        let old_top = slot.views.last().copied();
        slot.views.retain(|x| *x != c);
        slot.views.push(c);
        self.move_viewer(agent, old_top, Some(c));
        self.refresh_agent(agent, at);
    }

    /// The agent closed customer `c`'s profile; the one under it, if any, is on screen.
    fn view_ended(&mut self, agent: Sym, c: Sym, at: Instant) {
        let slot = self.agent(agent);
        let old_top = slot.views.last().copied();
        slot.views.retain(|x| *x != c);
        let new_top = slot.views.last().copied();
        self.move_viewer(agent, old_top, new_top);
        self.refresh_agent(agent, at);
    }

    /// The agent opened the task panel on customer `c`'s profile.
    fn task_panel_opened(&mut self, agent: Sym, c: Sym, at: Instant) {
        let slot = self.agent(agent);
        if !slot.tasks.contains(&c) {
            slot.tasks.push(c);
        }
        self.refresh_agent(agent, at);
    }

    /// Conversation `v` of `customer` opened, or opened again.
    fn opened(&mut self, v: Sym, customer: Sym, at: Instant) {
        self.conversations.insert(
            v,
            ConversationWork {
                customer,
                after: None,
            },
        );
        self.customers
            .entry(customer)
            .or_default()
            .open_conversations
            .push(v);
        self.refresh_customer(customer, at);
    }

    /// The agent's state, created on first sight.
    fn agent(&mut self, agent: Sym) -> &mut AgentWork {
        self.agents.entry(agent).or_default()
    }

    /// Moves `agent` from the viewers of `from` to those of `to`.
    fn move_viewer(&mut self, agent: Sym, from: Option<Sym>, to: Option<Sym>) {
        if from == to {
            return;
        }
        if let Some(c) = from {
            if let Some(cw) = self.customers.get_mut(&c) {
                cw.viewers.retain(|x| *x != agent);
            }
            self.tidy(c);
        }
        if let Some(c) = to {
            self.customers.entry(c).or_default().viewers.push(agent);
        }
    }

    /// Forgets a customer with nothing going on.
    fn tidy(&mut self, customer: Sym) {
        if self.customers.get(&customer).is_some_and(|c| c.is_idle()) {
            self.customers.remove(&customer);
        }
    }

    /// Records that `agent` joined or was assigned `contact`.
    fn join(&mut self, contact: Sym, agent: Sym, at: Instant) {
        let Some(k) = self.contacts.get_mut(&contact) else {
            return;
        };
        if !k.joined.contains(&agent) {
            k.joined.push(agent);
            self.refresh_agent(agent, at);
        }
    }

    /// A contact ended: after-contact time may begin, and its work sessions are complete.
    fn contact_ended(&mut self, contact: Sym, at: Instant) {
        let Some(k) = self.contacts.get(&contact) else {
            return;
        };
        let (c, v, channel) = (k.customer, k.conversation, k.channel);
        if let Some(cw) = self.customers.get_mut(&c) {
            cw.active.retain(|x| *x != contact);
        }
        if let Some(conv) = v.and_then(|v| self.conversations.get_mut(&v)) {
            conv.after = Some((contact, channel));
        }
        // Close the stretches under way on it first, so its sessions are complete.
        self.refresh_customer(c, at);
        if let Some(k) = self.contacts.remove(&contact) {
            self.emit_sessions(contact, &k, false);
        }
        self.tidy(c);
    }

    /// Queues one work-session fact per agent with handle time on `contact`.
    fn emit_sessions(&mut self, contact: Sym, k: &ContactWork, open: bool) {
        for s in &k.sessions {
            self.out.push(Fact::WorkSession(WorkSessionFact {
                agent: s.agent,
                contact,
                customer: k.customer,
                conversation: k.conversation,
                channel: k.channel,
                span: Span::new(s.first, s.last),
                handle_ms: s.handle_ms,
                joined_ms: s.joined_ms,
                open,
            }));
        }
    }

    /// Whether the conversation is open or waiting.
    fn is_open(&self, conversation: Sym) -> bool {
        self.conversations.contains_key(&conversation)
    }

    /// What `agent`'s time counts as now; `None` when it does not count.
    fn attribution(&self, agent: Sym) -> Option<Attribution> {
        let a = self.agents.get(&agent)?;
        if matches!(a.presence, Presence::Away | Presence::LoggedOut) {
            return None;
        }
        let customer = *a.views.last()?;
        let task_panel = a.tasks.contains(&customer);
        let cw = self.customers.get(&customer);
        let best = cw.and_then(|cw| {
            cw.active
                .iter()
                .filter_map(|k| self.contacts.get(k).map(|w| (*k, w)))
                .filter(|(_, w)| w.conversation.is_none_or(|v| self.is_open(v)))
                .min_by_key(|(k, w)| (w.channel.gladly_priority(), w.started_at, *k))
        });
        let base = Attribution {
            customer,
            conversation: None,
            contact: None,
            channel: None,
            kind: WorkKind::NoOpenConversation,
            task_panel,
            joined: false,
        };
        if let Some((contact, w)) = best {
            return Some(Attribution {
                conversation: w.conversation,
                contact: Some(contact),
                channel: Some(w.channel),
                kind: WorkKind::Contact,
                joined: w.joined.contains(&agent),
                ..base
            });
        }
        let Some(v) = cw.and_then(|cw| cw.open_conversations.last().copied()) else {
            return Some(base);
        };
        let after = self.conversations.get(&v).and_then(|c| c.after);
        Some(match after {
            Some((contact, channel)) => Attribution {
                conversation: Some(v),
                contact: Some(contact),
                channel: Some(channel),
                kind: WorkKind::AfterContact {
                    agent_available: a.available != 0,
                },
                ..base
            },
            None => Attribution {
                conversation: Some(v),
                kind: WorkKind::OpenConversation,
                ..base
            },
        })
    }

    /// Closes `agent`'s stretch under way at `at` if what it counts as has changed.
    fn refresh_agent(&mut self, agent: Sym, at: Instant) {
        let new = self.attribution(agent);
        let Some(slot) = self.agents.get_mut(&agent) else {
            return;
        };
        if slot.current.map(|(_, a)| a) == new {
            return;
        }
        let old = slot.current.take();
        slot.current = new.map(|n| (at, n));
        if let Some((since, attr)) = old {
            self.close(agent, attr, Span::new(since, at), false);
        }
    }

    /// Refreshes every agent viewing `customer`'s profile. Refreshing never changes who is
    /// viewing, so the list can be walked by index without copying it.
    fn refresh_customer(&mut self, customer: Sym, at: Instant) {
        let viewers = self.customers.get(&customer).map_or(0, |c| c.viewers.len());
        for i in 0..viewers {
            let agent = self
                .customers
                .get(&customer)
                .and_then(|c| c.viewers.get(i).copied());
            if let Some(agent) = agent {
                self.refresh_agent(agent, at);
            }
        }
    }

    /// Emits a finished stretch and adds it to the agent's session on its contact.
    fn close(&mut self, agent: Sym, attr: Attribution, span: Span, open: bool) {
        if span.millis() <= 0 {
            return;
        }
        self.out.push(Fact::WorkSpan(WorkSpanFact {
            agent,
            customer: attr.customer,
            conversation: attr.conversation,
            contact: attr.contact,
            channel: attr.channel,
            kind: attr.kind,
            task_panel: attr.task_panel,
            joined: attr.joined,
            span,
            open,
        }));
        if attr.kind != WorkKind::Contact {
            return;
        }
        let Some(k) = attr.contact.and_then(|k| self.contacts.get_mut(&k)) else {
            return;
        };
        let joined_ms = if attr.joined { span.millis() } else { 0 };
        match k.sessions.iter_mut().find(|s| s.agent == agent) {
            Some(s) => {
                s.first = s.first.min(span.start);
                s.last = s.last.max(span.end);
                s.handle_ms += span.millis();
                s.joined_ms += joined_ms;
            }
            None => k.sessions.push(SessionRec {
                agent,
                first: span.start,
                last: span.end,
                handle_ms: span.millis(),
                joined_ms,
            }),
        }
    }

    /// At the end of the fold: every stretch under way, and every session of a contact still
    /// active, as open facts ending at `cut`.
    fn finish(&mut self, cut: Instant) {
        for agent in sorted_keys(&self.agents) {
            let current = self.agents.get_mut(&agent).and_then(|a| a.current.take());
            if let Some((since, attr)) = current {
                self.close(agent, attr, Span::new(since, cut), true);
            }
        }
        for contact in sorted_keys(&self.contacts) {
            if let Some(k) = self.contacts.remove(&contact) {
                self.emit_sessions(contact, &k, true);
            }
        }
    }
}

impl<S: FactSink> Fold<S> {
    /// Feeds an accepted event to the work-time state machine and emits what it closed.
    pub(super) fn work_time_event(&mut self, at: Instant, kind: &EventKind<'_>) {
        match kind {
            // Work time forgets conversations when they close; the fold's record of the
            // conversation still knows its customer.
            EventKind::ConversationReopened { conversation } => {
                let v = self.names.intern(conversation);
                if let Some(c) = self.conversations.get_open(v) {
                    self.work_time.opened(v, c.customer, at);
                }
            }
            _ => self.work_time.on_event(at, kind, &mut self.names),
        }
        self.flush_work_time();
    }

    /// Emits the stretches and sessions still under way as open facts ending at `cut`.
    pub(super) fn finish_work_time(&mut self, cut: Option<Instant>) {
        if let Some(cut) = cut {
            self.work_time.finish(cut);
            self.flush_work_time();
        }
    }

    /// Hands the queued facts to the sink.
    fn flush_work_time(&mut self) {
        let mut out = std::mem::take(&mut self.work_time.out);
        for fact in out.drain(..) {
            self.emit(fact);
        }
        self.work_time.out = out;
    }
}
