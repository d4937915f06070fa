//! What can be inconsistent in a log. Every fold error is fatal: a log that contradicts itself
//! gives no figures, because any figure from it would be wrong in a way nobody could see.

use std::fmt;

use crate::time::Instant;

/// The kinds of entity the fold tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// A person handling contacts.
    Agent,
    /// A customer's cross-channel thread.
    Conversation,
    /// One interaction on one channel.
    Contact,
    /// A routing segment of a contact.
    Session,
    /// An agent or bot in a session.
    Participant,
    /// A hold on a contact.
    Hold,
    /// An agent viewing a customer's profile.
    ProfileView,
    /// The task panel open on a profile.
    TaskPanel,
    /// A bot's billing session.
    BotSession,
    /// A conversation inside a bot session.
    BotConversation,
    /// A ticket created in a bot session.
    Ticket,
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntityKind::Agent => "agent",
            EntityKind::Conversation => "conversation",
            EntityKind::Contact => "contact",
            EntityKind::Session => "session",
            EntityKind::Participant => "participant",
            EntityKind::Hold => "hold",
            EntityKind::ProfileView => "profile view",
            EntityKind::TaskPanel => "task panel",
            EntityKind::BotSession => "bot session",
            EntityKind::BotConversation => "bot conversation",
            EntityKind::Ticket => "ticket",
        })
    }
}

/// An event that does not fit what came before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    /// The event is earlier than the one before it.
    #[error("`{event}` at {at} is earlier than the event before it ({previous}); a log must be in time order")]
    OutOfOrder {
        /// The event's type.
        event: &'static str,
        /// Its time.
        at: Instant,
        /// The previous event's time.
        previous: Instant,
    },
    /// The event names an entity that was never started.
    #[error("`{event}` names unknown {kind} `{id}`; expected `{expected}` for it first")]
    UnknownEntity {
        /// The event's type.
        event: &'static str,
        /// What kind of entity.
        kind: EntityKind,
        /// Its id.
        id: String,
        /// The event that must come first.
        expected: &'static str,
    },
    /// The event names an entity that had already closed.
    #[error("`{event}` names {kind} `{id}`, which closed at {closed_at}; expected {expected}")]
    AfterClose {
        /// The event's type.
        event: &'static str,
        /// What kind of entity.
        kind: EntityKind,
        /// Its id.
        id: String,
        /// When it closed.
        closed_at: Instant,
        /// What would be valid instead.
        expected: &'static str,
    },
    /// The event starts an entity whose id is already taken.
    #[error("`{event}` starts {kind} `{id}`, but that id is already in use since {since}; expected a new id")]
    Duplicate {
        /// The event's type.
        event: &'static str,
        /// What kind of entity.
        kind: EntityKind,
        /// The id.
        id: String,
        /// When the existing entity started.
        since: Instant,
    },
    /// The entity exists but is in a state where this event cannot happen.
    #[error("`{event}` for {kind} `{id}`, which is {state}; expected {expected}")]
    WrongState {
        /// The event's type.
        event: &'static str,
        /// What kind of entity.
        kind: EntityKind,
        /// Its id.
        id: String,
        /// Its current state.
        state: String,
        /// What would be valid.
        expected: &'static str,
    },
    /// A field contradicts the event it is in.
    #[error("`{event}`: {problem}")]
    Inconsistent {
        /// The event's type.
        event: &'static str,
        /// What is contradictory, and what is expected.
        problem: String,
    },
}
