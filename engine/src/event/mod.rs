//! The event schema: everything ccsim knows happened, and nothing it derived.
//!
//! An [`Event`] is an instant plus an [`EventKind`]. Ids are the strings the source platform
//! used (`&str`, borrowed from the reader's buffer so decoding allocates nothing); the engine
//! interns them into dense integers. Every kind is documented with a JSON example in
//! `docs/events.md`, which a test checks against this enum.

pub mod codes;

use serde::{Deserialize, Serialize};

pub use codes::{
    Channel, ClosedBy, ClosureReason, Direction, HandlerKind, Outcome, ParticipantEventReason,
    ParticipantEventType, ParticipantMode, Sender, TransferTarget, Trigger, WorkItemStatus,
};

use crate::time::Instant;

/// One thing that happened, at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event<'a> {
    /// When it happened (UTC).
    pub at: Instant,
    /// What happened.
    #[serde(borrow)]
    pub kind: EventKind<'a>,
}

/// Declares the event kinds: the enum, and the `type` tag of each kind as a string.
macro_rules! event_kinds {
    (
        $(
            $(#[$vmeta:meta])*
            $variant:ident {
                $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
            }
        ),+ $(,)?
    ) => {
        /// What happened. The serde tag of each variant (snake_case) is the `type` of a JSON
        /// Lines record; the variant's position is its tag in the binary log, so new kinds are
        /// only ever appended.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case", deny_unknown_fields)]
        pub enum EventKind<'a> {
            $(
                $(#[$vmeta])*
                $variant { $( $(#[$fmeta])* $field: $ty ),* }
            ),+
        }

        impl EventKind<'_> {
            /// Every `type` tag, in declaration (binary tag) order.
            pub const TYPES: &'static [&'static str] = &[$(codes::snake!($variant)),+];

            /// This event's `type` tag.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( EventKind::$variant { .. } => codes::snake!($variant) ),+
                }
            }
        }
    };
}

event_kinds! {
    // ---- agents -------------------------------------------------------------------------
    /// An agent logged in; their logged-in time starts now.
    AgentLoggedIn {
        /// The agent.
        agent: &'a str,
    },
    /// An agent logged out, by choice or automatically after being idle.
    AgentLoggedOut {
        /// The agent.
        agent: &'a str,
        /// Manual, or automatic after idle time.
        trigger: Trigger,
        /// For an automatic logout: when the agent last moved the mouse or ended a call.
        last_active_at: Option<Instant>,
    },
    /// An agent went Away, by choice (with a configurable reason) or automatically after idle.
    AgentAway {
        /// The agent.
        agent: &'a str,
        /// The Away reason the agent picked, if any.
        #[serde(borrow)]
        reason: Option<&'a str>,
        /// Manual, or automatic after idle time.
        trigger: Trigger,
        /// For an automatic Away: when the agent was last active.
        last_active_at: Option<Instant>,
    },
    /// An agent returned from Away to active.
    AgentActive {
        /// The agent.
        agent: &'a str,
        /// The active reason, if the platform has them.
        #[serde(borrow)]
        reason: Option<&'a str>,
    },
    /// An agent became available on a channel (routing may push its contacts to them).
    AgentAvailable {
        /// The agent.
        agent: &'a str,
        /// The channel.
        channel: Channel,
    },
    /// An agent became unavailable on a channel.
    AgentUnavailable {
        /// The agent.
        agent: &'a str,
        /// The channel.
        channel: Channel,
    },
    /// An agent turned Focus mode on: routing stops pushing work, availability continues.
    FocusStarted {
        /// The agent.
        agent: &'a str,
    },
    /// An agent turned Focus mode off.
    FocusEnded {
        /// The agent.
        agent: &'a str,
    },

    // ---- conversations ------------------------------------------------------------------
    /// A new conversation (a customer's cross-channel thread) opened.
    ConversationOpened {
        /// The conversation.
        conversation: &'a str,
        /// The customer.
        customer: &'a str,
    },
    /// A closed conversation opened again.
    ConversationReopened {
        /// The conversation.
        conversation: &'a str,
    },
    /// A conversation was set to Waiting.
    ConversationWaiting {
        /// The conversation.
        conversation: &'a str,
    },
    /// A conversation closed.
    ConversationClosed {
        /// The conversation.
        conversation: &'a str,
        /// An agent, a rule or the system.
        by: ClosedBy,
        /// The agent who closed it, when one did.
        #[serde(borrow)]
        agent: Option<&'a str>,
    },

    // ---- contacts -----------------------------------------------------------------------
    /// A contact (one interaction on one channel; Dynamics: a live work item) started.
    ContactStarted {
        /// The contact.
        contact: &'a str,
        /// The conversation it belongs to (Gladly); absent for Dynamics work items.
        #[serde(borrow)]
        conversation: Option<&'a str>,
        /// The customer, when known.
        #[serde(borrow)]
        customer: Option<&'a str>,
        /// The channel.
        channel: Channel,
        /// Inbound or outbound.
        direction: Direction,
        /// The channel instance (Dynamics msdyn_channelinstanceid; set for SMS numbers).
        #[serde(borrow)]
        channel_instance: Option<&'a str>,
    },
    /// A contact entered a queue.
    ContactQueued {
        /// The contact.
        contact: &'a str,
        /// The queue.
        queue: &'a str,
    },
    /// An agent's response fulfilled a contact. One response may fulfil several contacts:
    /// each gets its own event, with `via` naming the contact the response was sent on.
    ContactFulfilled {
        /// The contact.
        contact: &'a str,
        /// The agent.
        agent: &'a str,
        /// The contact the response was sent on, when not this one.
        #[serde(borrow)]
        via: Option<&'a str>,
    },
    /// The customer answered an outbound phone call.
    ContactAnswered {
        /// The contact.
        contact: &'a str,
    },
    /// A contact ended.
    ContactEnded {
        /// The contact.
        contact: &'a str,
        /// How it ended.
        outcome: Outcome,
    },
    /// An agent marked a contact No Reply Needed (stops its SLA clock).
    ContactNoReplyNeeded {
        /// The contact.
        contact: &'a str,
        /// The agent who marked it, if known.
        #[serde(borrow)]
        agent: Option<&'a str>,
    },
    /// A Dynamics live work item changed status (statuscode 1..7).
    WorkItemStatusChanged {
        /// The contact.
        contact: &'a str,
        /// The status it changed to.
        status: WorkItemStatus,
    },
    /// A message on a contact.
    MessageSent {
        /// The contact.
        contact: &'a str,
        /// Who wrote it.
        sender: Sender,
        /// The agent or bot that wrote it (absent for the customer).
        #[serde(borrow)]
        author: Option<&'a str>,
    },
    /// A phone contact was put on hold.
    HoldStarted {
        /// The contact.
        contact: &'a str,
        /// The session whose participant put it on hold (Dynamics), if known.
        #[serde(borrow)]
        session: Option<&'a str>,
    },
    /// A hold ended.
    HoldEnded {
        /// The contact.
        contact: &'a str,
    },

    // ---- sessions (routing segments of a contact) ----------------------------------------
    /// A session started: a routing segment of a contact, for one primary bot or agent.
    SessionStarted {
        /// The session.
        session: &'a str,
        /// The contact.
        contact: &'a str,
        /// The queue it started in, if any.
        #[serde(borrow)]
        queue: Option<&'a str>,
        /// Whether a bot or an agent handles it.
        handler: HandlerKind,
    },
    /// The session was offered (assigned) to an agent (Dynamics msdyn_agentassignedon).
    SessionOffered {
        /// The session.
        session: &'a str,
        /// The agent.
        agent: &'a str,
    },
    /// The agent accepted the offer (Dynamics msdyn_agentacceptedon).
    SessionAccepted {
        /// The session.
        session: &'a str,
        /// The agent.
        agent: &'a str,
    },
    /// The agent declined the offer.
    SessionRejected {
        /// The session.
        session: &'a str,
        /// The agent.
        agent: &'a str,
    },
    /// The offer expired unanswered.
    SessionTimedOut {
        /// The session.
        session: &'a str,
        /// The agent.
        agent: &'a str,
    },
    /// The session was transferred to an agent, a queue, or outside.
    SessionTransferred {
        /// The session.
        session: &'a str,
        /// Where it went.
        to: TransferTarget,
        /// The agent or queue it went to.
        #[serde(borrow)]
        target: Option<&'a str>,
    },
    /// The session closed, with Dynamics' closure reason.
    SessionEnded {
        /// The session.
        session: &'a str,
        /// The reason given.
        reason: ClosureReason,
    },
    /// An agent or bot joined a session in a mode (Dynamics msdyn_sessionparticipant).
    ParticipantJoined {
        /// The session.
        session: &'a str,
        /// The agent or bot taking part.
        participant: &'a str,
        /// Agent or bot.
        kind: HandlerKind,
        /// Primary, consult, monitor or preview.
        mode: ParticipantMode,
        /// Why they were added (Dynamics msdyn_assignreason: AgentConsult, AgentTransfer, ...).
        #[serde(borrow)]
        reason: Option<&'a str>,
    },
    /// A participant left a session (Dynamics msdyn_leftonreason: AgentReject, AgentTimeout, ...).
    ParticipantLeft {
        /// The session.
        session: &'a str,
        /// The agent or bot taking part.
        participant: &'a str,
        /// Why they left (Dynamics msdyn_leftonreason: AgentReject, AgentTimeout, ...).
        #[serde(borrow)]
        reason: Option<&'a str>,
    },
    /// A Dynamics session participant event record (msdyn_ocsessionparticipantevent), such as
    /// a hold or a transfer in transit.
    ParticipantEvent {
        /// The session.
        session: &'a str,
        /// The agent or bot taking part.
        participant: &'a str,
        /// The record type (Dynamics msdyn_eventtype).
        event_type: ParticipantEventType,
        /// The reason given.
        reason: ParticipantEventReason,
    },

    // ---- agent work on customer profiles ------------------------------------------------
    /// An agent started viewing a customer's profile.
    ProfileViewStarted {
        /// The agent.
        agent: &'a str,
        /// The customer.
        customer: &'a str,
    },
    /// An agent stopped viewing a customer's profile.
    ProfileViewEnded {
        /// The agent.
        agent: &'a str,
        /// The customer.
        customer: &'a str,
    },
    /// An agent opened the task panel on a customer's profile.
    TaskPanelOpened {
        /// The agent.
        agent: &'a str,
        /// The customer.
        customer: &'a str,
    },
    /// An agent closed the task panel.
    TaskPanelClosed {
        /// The agent.
        agent: &'a str,
        /// The customer.
        customer: &'a str,
    },

    // ---- bot sessions (the billing unit of a bot) -----------------------------------------
    /// A bot started a session with a customer.
    BotSessionStarted {
        /// The bot session.
        bot_session: &'a str,
        /// The bot's name.
        bot: &'a str,
        /// The bot's version.
        version: &'a str,
        /// The customer.
        customer: &'a str,
    },
    /// A conversation on a channel became part of a bot session.
    BotConversationStarted {
        /// The bot session.
        bot_session: &'a str,
        /// The conversation.
        conversation: &'a str,
        /// The channel.
        channel: Channel,
    },
    /// A bot conversation was updated (its "updated at" moves to now).
    BotConversationUpdated {
        /// The bot session.
        bot_session: &'a str,
        /// The conversation.
        conversation: &'a str,
    },
    /// A ticket was created as part of a bot session.
    TicketCreated {
        /// The bot session.
        bot_session: &'a str,
        /// The ticket.
        ticket: &'a str,
    },
    /// A bot session ended.
    BotSessionEnded {
        /// The bot session.
        bot_session: &'a str,
    },
}

impl Event<'_> {
    /// This event's `type` tag.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}
