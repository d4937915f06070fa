//! Facts: one row per entity (or per closed stretch of an entity), projected from events by
//! the fold. Every figure ccsim reports is computed from these rows, never from events.
//!
//! A fact whose entity was still open at the real-time cut-off (`--as-of`) is emitted with
//! `open: true` and its span ending at the cut-off; historical reports skip open facts.

use crate::event::{
    Channel, ClosedBy, ClosureReason, Direction, HandlerKind, Outcome, ParticipantEventReason,
    ParticipantEventType, ParticipantMode, TransferTarget, Trigger, WorkItemStatus,
};
use crate::ids::Sym;
use crate::time::{Instant, Span};

/// What an agent was doing during a status interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    /// Logged in and not Away.
    Active,
    /// Logged in and Away (set by the agent or automatically after idle time).
    Away,
}

/// How a status interval ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusEnd {
    /// The agent became (or stayed, with a new reason) active.
    Active,
    /// The agent went Away.
    Away,
    /// The agent logged out, manually or automatically after idle time.
    Logout(Trigger),
    /// Still running at the real-time cut-off.
    Open,
}

/// A stretch of logged-in time in one state: the row behind agent-status metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusInterval {
    /// The agent.
    pub agent: Sym,
    /// Active or Away.
    pub state: AgentState,
    /// The Away (or active) reason, if one was given.
    pub reason: Option<Sym>,
    /// Whether the agent or the idle timer put the agent in this state.
    pub trigger: Trigger,
    /// For an automatic Away: when the agent was last active.
    pub last_active_at: Option<Instant>,
    /// When the state began and ended.
    pub span: Span,
    /// What ended it.
    pub ended_by: StatusEnd,
}

/// A stretch during which an agent was available on one channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvailabilityInterval {
    /// The agent.
    pub agent: Sym,
    /// The channel.
    pub channel: Channel,
    /// When availability began and ended.
    pub span: Span,
    /// Still running at the real-time cut-off.
    pub open: bool,
}

/// A stretch of Focus mode (routing paused, availability kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FocusInterval {
    /// The agent.
    pub agent: Sym,
    /// When Focus began and ended.
    pub span: Span,
    /// Still running at the real-time cut-off.
    pub open: bool,
}

/// A contact as its conversation sees it: enough to judge first contact resolution, sessions
/// and SLAs (Gladly), which look at all of a conversation's contacts together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadContact {
    /// The contact.
    pub contact: Sym,
    /// Its channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// When it started.
    pub started_at: Instant,
    /// When it first entered a queue, and the last queue it entered.
    pub queued_at: Option<Instant>,
    /// The last queue it entered.
    pub queue: Option<Sym>,
    /// When a response first fulfilled it.
    pub fulfilled_at: Option<Instant>,
    /// The agent whose response fulfilled it.
    pub fulfilled_by: Option<Sym>,
    /// The contact the fulfilling response was sent on, when not this one.
    pub fulfilled_via: Option<Sym>,
    /// When it was marked No Reply Needed.
    pub no_reply_needed_at: Option<Instant>,
    /// When it ended, if it has.
    pub ended_at: Option<Instant>,
    /// How it ended, if it has.
    pub outcome: Option<Outcome>,
}

impl ThreadContact {
    /// The contact's conversation-level view, as the contact fact stands now.
    pub fn of(c: &ContactFact) -> Self {
        ThreadContact {
            contact: c.contact,
            channel: c.channel,
            direction: c.direction,
            started_at: c.started_at,
            queued_at: c.queued_at,
            queue: c.queue,
            fulfilled_at: c.fulfilled_at,
            fulfilled_by: c.fulfilled_by,
            fulfilled_via: c.fulfilled_via,
            no_reply_needed_at: c.no_reply_needed_at,
            ended_at: (!c.open).then_some(c.ended_at),
            outcome: c.outcome,
        }
    }
}

/// One open-to-close stretch of a conversation (a conversation that reopens yields a row per
/// close).
///
/// Its history borrows the fold's record of the conversation, so closing one copies nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConversationFact<'a> {
    /// The conversation.
    pub conversation: Sym,
    /// Its customer.
    pub customer: Sym,
    /// When it first opened.
    pub opened_at: Instant,
    /// When this stretch began (the first open, or the latest reopen).
    pub stretch_start: Instant,
    /// When it closed (the cut-off when open).
    pub closed_at: Instant,
    /// Who closed it (absent when open).
    pub closed_by: Option<ClosedBy>,
    /// How many times it had reopened before this close.
    pub reopens: u32,
    /// The agent who closed it, when an agent did.
    pub closed_by_agent: Option<Sym>,
    /// Every contact of the conversation so far, in start order.
    pub contacts: &'a [ThreadContact],
    /// Every close so far, this one included (for an open conversation, the earlier ones).
    pub closes: &'a [Instant],
    /// Every reopen so far.
    pub reopened: &'a [Instant],
    /// Still open at the real-time cut-off.
    pub open: bool,
}

/// One contact (Dynamics: live work item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactFact {
    /// The contact.
    pub contact: Sym,
    /// Its conversation, if any.
    pub conversation: Option<Sym>,
    /// Its customer, if known.
    pub customer: Option<Sym>,
    /// Its channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// Its channel instance (Dynamics), if any.
    pub channel_instance: Option<Sym>,
    /// When it started.
    pub started_at: Instant,
    /// The last queue it entered, and when it first entered a queue.
    pub queue: Option<Sym>,
    /// When it first entered a queue.
    pub queued_at: Option<Instant>,
    /// When an agent's response first fulfilled it, and who.
    pub fulfilled_at: Option<Instant>,
    /// The fulfilling agent.
    pub fulfilled_by: Option<Sym>,
    /// The contact whose response fulfilled it, when not itself.
    pub fulfilled_via: Option<Sym>,
    /// When an outbound call was answered.
    pub answered_at: Option<Instant>,
    /// When it was marked No Reply Needed.
    pub no_reply_needed_at: Option<Instant>,
    /// Total time on hold (ms) and the number of holds.
    pub hold_ms: i64,
    /// Number of holds.
    pub holds: u32,
    /// Messages by sender: customer, agent, bot.
    pub messages: [u32; 3],
    /// Reply spans between customer and agent messages after fulfilment (Gladly reply times).
    pub replies: ReplySpans,
    /// The latest Dynamics work item status.
    pub status: Option<WorkItemStatus>,
    /// When it ended (the cut-off when open).
    pub ended_at: Instant,
    /// How it ended (absent when open).
    pub outcome: Option<Outcome>,
    /// Still open at the real-time cut-off.
    pub open: bool,
}

/// The reply spans of a contact, from the first message of one side's run to the first
/// message of the other side, counting runs that start at or after the contact's fulfilment
/// (seed 002, "Reply Time"). Bot messages take no part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplySpans {
    /// Total ms from a customer run's first message to the agent's first answer.
    pub agent_ms: i64,
    /// How many such agent replies.
    pub agent: u32,
    /// Total ms from an agent run's first message to the customer's first answer.
    pub customer_ms: i64,
    /// How many such customer replies.
    pub customer: u32,
}

/// One routing session of a contact (Dynamics msdyn_ocsession).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionFact {
    /// The session.
    pub session: Sym,
    /// Its contact.
    pub contact: Sym,
    /// The contact's channel and direction, copied for filtering.
    pub channel: Channel,
    /// The contact's direction.
    pub direction: Direction,
    /// Whether the contact had a channel instance (the Dynamics SMS filter).
    pub has_channel_instance: bool,
    /// The queue it started in.
    pub queue: Option<Sym>,
    /// Bot or agent.
    pub handler: HandlerKind,
    /// When it started.
    pub started_at: Instant,
    /// The last agent it was offered to, and when.
    pub offered_to: Option<Sym>,
    /// When it was last offered.
    pub offered_at: Option<Instant>,
    /// When an agent accepted it.
    pub accepted_at: Option<Instant>,
    /// The accepting agent.
    pub accepted_by: Option<Sym>,
    /// When the offer was rejected.
    pub rejected_at: Option<Instant>,
    /// When the offer timed out.
    pub timed_out_at: Option<Instant>,
    /// Where it was transferred, if it was.
    pub transferred_to: Option<TransferTarget>,
    /// When it ended (the cut-off when open).
    pub ended_at: Instant,
    /// Its closure reason (absent when open).
    pub closure_reason: Option<ClosureReason>,
    /// Its contact's latest Dynamics work item status (statuscode) when the row was written.
    pub work_item_status: Option<WorkItemStatus>,
    /// How many participant rows (`participant_joined`, msdyn_sessionparticipant) it had.
    pub participant_rows: u32,
    /// Participant event records marking a transfer in transit (msdyn_eventreason 192350001).
    pub transit_records: u32,
    /// Other participant event records of type hold (msdyn_eventtype 192350001).
    pub hold_records: u32,
    /// Participant event records that are neither in transit nor holds.
    pub other_records: u32,
    /// Time representatives spent in it as primary participants after joining (Dynamics
    /// msdyn_activetime, hold included), up to the cut-off for those still in it; absent when
    /// no representative joined it as primary. A participant that left with `AgentReject` or
    /// `AgentTimeout` never joined.
    pub rep_active_ms: Option<i64>,
    /// Still open at the real-time cut-off.
    pub open: bool,
}

/// One participant's stretch in a session (Dynamics msdyn_sessionparticipant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParticipantFact {
    /// The session.
    pub session: Sym,
    /// The agent or bot.
    pub participant: Sym,
    /// Agent or bot.
    pub kind: HandlerKind,
    /// Primary, consult, monitor, preview.
    pub mode: ParticipantMode,
    /// The assign reason, if given.
    pub join_reason: Option<Sym>,
    /// The left-on reason, if given.
    pub left_reason: Option<Sym>,
    /// Whether the left-on reason is `AgentReject` (any letter case, as DAX compares).
    pub left_on_reject: bool,
    /// Whether the left-on reason is `AgentTimeout` (any letter case).
    pub left_on_timeout: bool,
    /// The session's contact's latest Dynamics work item status when the row was written.
    pub work_item_status: Option<WorkItemStatus>,
    /// When they joined and left (the cut-off when open).
    pub span: Span,
    /// Still in the session at the real-time cut-off.
    pub open: bool,
}

/// A Dynamics session participant event record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParticipantEventFact {
    /// The session.
    pub session: Sym,
    /// The participant.
    pub participant: Sym,
    /// Event type (hold, transcription, none).
    pub event_type: ParticipantEventType,
    /// Event reason (agent initiated, transfer in transit, transfer accepted).
    pub reason: ParticipantEventReason,
    /// When it was recorded.
    pub at: Instant,
}

/// What an agent had open on a customer's profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileActivity {
    /// Viewing the profile.
    View,
    /// The task panel open on the profile.
    TaskPanel,
}

/// A stretch of an agent viewing a customer's profile, or of the task panel open on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileFact {
    /// The agent.
    pub agent: Sym,
    /// The customer.
    pub customer: Sym,
    /// Viewing, or task panel.
    pub activity: ProfileActivity,
    /// When it began and ended (the cut-off when open).
    pub span: Span,
    /// Still running at the real-time cut-off.
    pub open: bool,
}

/// A bot session (Freshworks' billing unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BotSessionFact {
    /// The session.
    pub bot_session: Sym,
    /// The bot's name.
    pub bot: Sym,
    /// The bot's version.
    pub version: Sym,
    /// The customer.
    pub customer: Sym,
    /// When the session started (when it was consumed).
    pub started_at: Instant,
    /// When it ended (the cut-off when open).
    pub ended_at: Instant,
    /// Conversations it spanned.
    pub conversations: u32,
    /// The channels of those conversations, as a set of `1 << (Channel as u32)` bits.
    pub channels: u32,
    /// Tickets created in it.
    pub tickets: u32,
    /// Still running at the real-time cut-off.
    pub open: bool,
}

/// A conversation that was part of a bot session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BotConversationFact {
    /// The bot session.
    pub bot_session: Sym,
    /// The session's bot, version, customer and start, copied so a row stands alone.
    pub bot: Sym,
    /// The bot's version.
    pub version: Sym,
    /// The customer.
    pub customer: Sym,
    /// When the session started.
    pub session_started_at: Instant,
    /// The conversation.
    pub conversation: Sym,
    /// Its channel.
    pub channel: Channel,
    /// When it was created.
    pub created_at: Instant,
    /// When it was last updated.
    pub updated_at: Instant,
}

/// A ticket created in a bot session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketFact {
    /// The bot session.
    pub bot_session: Sym,
    /// The session's bot and version, and when it started (tickets are reported by session).
    pub bot: Sym,
    /// The bot's version.
    pub version: Sym,
    /// When the session started.
    pub session_started_at: Instant,
    /// The ticket.
    pub ticket: Sym,
    /// When it was created.
    pub at: Instant,
}

/// What a stretch of an agent's time on a customer profile counts as (seed 002, "Handle Time").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkKind {
    /// During an active contact of the customer: the one chosen by Gladly's channel order when
    /// several are active.
    Contact,
    /// After a contact ended, before its conversation closed or another contact began.
    AfterContact {
        /// Whether the agent was available on at least one channel meanwhile.
        agent_available: bool,
    },
    /// In an open (or waiting) conversation, neither during nor after a contact.
    OpenConversation,
    /// The customer had no open conversation.
    NoOpenConversation,
}

/// A stretch of an agent's time on one customer's profile during which everything that
/// decides its attribution stayed the same: the rows behind handle time, occupancy and the
/// concurrency denominator. Time counts only while the agent views the profile (the latest
/// one opened) and is neither Away nor logged out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkSpanFact {
    /// The agent.
    pub agent: Sym,
    /// The customer whose profile was on screen.
    pub customer: Sym,
    /// The open conversation the time counts for, if any.
    pub conversation: Option<Sym>,
    /// The active contact (`Contact`) or the contact that ended (`AfterContact`).
    pub contact: Option<Sym>,
    /// That contact's channel.
    pub channel: Option<Channel>,
    /// What the time counts as.
    pub kind: WorkKind,
    /// Whether the task panel was open on the profile.
    pub task_panel: bool,
    /// Whether the agent had joined (or been assigned) the contact (`Contact` only).
    pub joined: bool,
    /// When it began and ended (the cut-off when open).
    pub span: Span,
    /// Still running at the real-time cut-off.
    pub open: bool,
}

/// One agent's contact handle time on one contact (a Gladly work session: agent × contact),
/// emitted when the contact ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkSessionFact {
    /// The agent.
    pub agent: Sym,
    /// The contact.
    pub contact: Sym,
    /// The contact's customer.
    pub customer: Sym,
    /// The contact's conversation, if any.
    pub conversation: Option<Sym>,
    /// The contact's channel.
    pub channel: Channel,
    /// From the first to the last moment of the agent's contact handle time on the contact.
    pub span: Span,
    /// The agent's contact handle time on the contact (ms).
    pub handle_ms: i64,
    /// The part of it after the agent joined or was assigned the contact (ms).
    pub joined_ms: i64,
    /// The contact was still active at the real-time cut-off.
    pub open: bool,
}

/// How a contact's stay in a queue ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StayEnd {
    /// An agent took the contact: accepted an offer of one of its sessions, or (in a log
    /// without sessions) sent the first response.
    Answered,
    /// The customer left.
    Abandoned,
    /// The customer asked to be called back and left the live queue.
    Callback,
    /// The contact entered another queue first (an overflow, or a transfer before any agent
    /// took it).
    FlowedOut,
    /// The contact ended in some other way (forwarded outside, voicemail, ...).
    Ended,
    /// Still waiting at the real-time cut-off.
    Open,
}

/// One stay of a contact in one queue: from entering it to being taken by an agent, leaving,
/// or moving on. A contact queued again in the queue it waits in (an offer declined, a
/// re-route) stays where it was; a contact transferred to a queue after an agent took it
/// starts a new stay. The row behind the queue metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueStayFact {
    /// The contact.
    pub contact: Sym,
    /// Its channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The queue.
    pub queue: Sym,
    /// When the contact entered the queue.
    pub entered_at: Instant,
    /// When it was first offered to an agent during the stay.
    pub first_offer_at: Option<Instant>,
    /// When the offer an agent accepted was made (absent when the answer had no offer).
    pub accepted_offer_at: Option<Instant>,
    /// When the stay ended (the cut-off when open).
    pub ended_at: Instant,
    /// How it ended.
    pub end: StayEnd,
    /// Offers rejected by an agent during the stay.
    pub rejected: u32,
    /// Offers that rang out unanswered during the stay.
    pub timed_out: u32,
}

impl QueueStayFact {
    /// The wait in the queue (ms): entering it to the end of the stay.
    pub fn wait_ms(&self) -> i64 {
        self.ended_at.millis_since(self.entered_at).max(0)
    }

    /// Whether the contact was offered to an agent the instant it entered the queue.
    pub fn offered_at_once(&self) -> bool {
        self.first_offer_at == Some(self.entered_at)
    }
}

/// Any fact row, as handed to a [`FactSink`].
#[derive(Clone, Debug, PartialEq)]
pub enum Fact<'a> {
    /// An agent status interval.
    Status(StatusInterval),
    /// An agent availability interval.
    Availability(AvailabilityInterval),
    /// A Focus mode interval.
    Focus(FocusInterval),
    /// A conversation stretch.
    Conversation(ConversationFact<'a>),
    /// A contact.
    Contact(ContactFact),
    /// A session.
    Session(SessionFact),
    /// A session participant.
    Participant(ParticipantFact),
    /// A session participant event.
    ParticipantEvent(ParticipantEventFact),
    /// A profile view or task panel stretch.
    Profile(ProfileFact),
    /// A bot session.
    BotSession(BotSessionFact),
    /// A conversation of a bot session.
    BotConversation(BotConversationFact),
    /// A ticket of a bot session.
    Ticket(TicketFact),
    /// A stretch of an agent's time on a customer profile, attributed for handle time.
    WorkSpan(WorkSpanFact),
    /// One agent's handle time on one contact (a Gladly work session).
    WorkSession(WorkSessionFact),
    /// A contact's stay in one queue.
    QueueStay(QueueStayFact),
}

impl Fact<'_> {
    /// Whether the fact describes an entity still open at the real-time cut-off.
    pub fn is_open(&self) -> bool {
        match self {
            Fact::Status(f) => f.ended_by == StatusEnd::Open,
            Fact::Availability(f) => f.open,
            Fact::Focus(f) => f.open,
            Fact::Conversation(f) => f.open,
            Fact::Contact(f) => f.open,
            Fact::Session(f) => f.open,
            Fact::Participant(f) => f.open,
            Fact::Profile(f) => f.open,
            Fact::BotSession(f) => f.open,
            Fact::WorkSpan(f) => f.open,
            Fact::WorkSession(f) => f.open,
            Fact::QueueStay(f) => f.end == StayEnd::Open,
            Fact::ParticipantEvent(_) | Fact::BotConversation(_) | Fact::Ticket(_) => false,
        }
    }
}

/// Receives fact rows as the fold emits them.
pub trait FactSink {
    /// Takes one fact row.
    fn fact(&mut self, fact: &Fact<'_>);

    /// Whether the sink reads work-time facts ([`Fact::WorkSpan`], [`Fact::WorkSession`]).
    /// The fold skips the state machine that makes them for a sink that does not: that state
    /// machine refuses nothing, so no check of the log is lost.
    fn wants_work_time(&self) -> bool {
        true
    }

    /// The entity `id` will contribute nothing more: no later fact names it as the entity it
    /// counts or replaces (a session or bot session once closed; a conversation and its
    /// contacts once they can no longer reopen). A sink may drop what it keeps to recognise
    /// or replace its contributions.
    fn settled(&mut self, id: Sym) {
        let _ = id;
    }
}
