//! A scenario file as written: the TOML tables and keys, each with its default. Units are in
//! the key names (`_s`, `_min`, `_h`, `_per_h`). Unknown keys are refused. `docs/scenarios.md`
//! documents every key; [`crate::scenario`] checks the values and builds a runnable model.

use std::collections::BTreeMap;

use ccsim_engine::event::Channel;
use serde::Deserialize;

use crate::dist::DistSpec;

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// A name for people; defaults to the file name.
    pub name: Option<String>,
    /// When the simulation runs.
    pub horizon: HorizonSpec,
    /// Platform settings: offer timeout, idle thresholds, reopen window, same-agent limit.
    #[serde(default)]
    pub platform: PlatformSpec,
    /// Arrival-rate profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileSpec>,
    /// Workstreams by name: a channel, its arrivals, where they go, how they are handled.
    #[serde(default)]
    pub workstreams: BTreeMap<String, WorkstreamSpec>,
    /// Outbound campaigns by name: contacts the center starts, worked by a queue's agents.
    #[serde(default)]
    pub campaigns: BTreeMap<String, CampaignSpec>,
    /// Bots by name.
    #[serde(default)]
    pub bots: BTreeMap<String, BotSpec>,
    /// Queues by name.
    pub queues: BTreeMap<String, QueueSpec>,
    /// Agent groups by name.
    pub groups: BTreeMap<String, GroupSpec>,
}

/// `[horizon]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HorizonSpec {
    /// First instant: RFC 3339, or a local date and time in `time_zone`.
    pub start: String,
    /// The IANA zone that `start`, shifts and profiles are written in.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// How long the simulation runs, in hours.
    pub length_h: f64,
    /// The first part of the run that reports leave out (the system fills up), in hours.
    #[serde(default)]
    pub warmup_h: f64,
}

fn utc() -> String {
    "UTC".into()
}

/// `[platform]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSpec {
    /// How long an offer rings before it times out, in seconds.
    #[serde(default = "offer_timeout")]
    pub offer_timeout_s: f64,
    /// Minutes without activity before the platform sets an agent Away (absent: never).
    pub auto_away_after_min: Option<f64>,
    /// Minutes without activity before the platform logs an agent out (absent: never).
    pub auto_logout_after_min: Option<f64>,
    /// A customer who comes back within this many hours of a conversation closing reopens it.
    #[serde(default = "reopen_window")]
    pub reopen_window_h: f64,
    /// A returning customer's contact goes first to the agent who last handled them, when
    /// that agent is free, if they come back within this many hours (absent: no preference).
    pub same_agent_limit_h: Option<f64>,
}

fn offer_timeout() -> f64 {
    30.0
}

fn reopen_window() -> f64 {
    24.0
}

impl Default for PlatformSpec {
    fn default() -> Self {
        PlatformSpec {
            offer_timeout_s: offer_timeout(),
            auto_away_after_min: None,
            auto_logout_after_min: None,
            reopen_window_h: reopen_window(),
            same_agent_limit_h: None,
        }
    }
}

/// `[profiles.NAME]`: arrivals per hour in each interval of each weekday (local time).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Interval length in minutes: 15, 30 or 60.
    #[serde(default = "sixty")]
    pub interval_min: u32,
    /// The rates, arrivals per hour, one per interval of the day, by day.
    pub rates_per_h: DayRates,
}

fn sixty() -> u32 {
    60
}

/// Rates by day: a specific day wins over `weekdays`/`weekend`, which win over `every_day`;
/// a day none of them covers has no arrivals.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRates {
    /// Every day.
    pub every_day: Option<Vec<f64>>,
    /// Monday to Friday.
    pub weekdays: Option<Vec<f64>>,
    /// Saturday and Sunday.
    pub weekend: Option<Vec<f64>>,
    /// Monday.
    pub mon: Option<Vec<f64>>,
    /// Tuesday.
    pub tue: Option<Vec<f64>>,
    /// Wednesday.
    pub wed: Option<Vec<f64>>,
    /// Thursday.
    pub thu: Option<Vec<f64>>,
    /// Friday.
    pub fri: Option<Vec<f64>>,
    /// Saturday.
    pub sat: Option<Vec<f64>>,
    /// Sunday.
    pub sun: Option<Vec<f64>>,
}

/// `[workstreams.NAME]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkstreamSpec {
    /// The channel its contacts arrive on.
    pub channel: Channel,
    /// How contacts arrive.
    pub arrivals: ArrivalSpec,
    /// The queue contacts enter (exactly one of `queue` and `bot`).
    pub queue: Option<String>,
    /// The bot that answers first (it escalates to its own queue).
    pub bot: Option<String>,
    /// How long a customer waits in queue before abandoning (absent: forever).
    pub patience: Option<DistSpec>,
    /// Handling time: talk time for voice, time to write the reply for email and other
    /// asynchronous channels. Not for messaging channels (see `messages`).
    pub handle: Option<DistSpec>,
    /// Messaging channels (chat, SMS, social): the exchange of messages that is the handling.
    pub messages: Option<MessagesSpec>,
    /// After-contact work once the contact ends.
    pub after_work: Option<DistSpec>,
    /// Voice only: holds during the call.
    pub hold: Option<HoldSpec>,
    /// Voice only: consults with another agent during the call (the customer is on hold).
    pub consult: Option<ConsultSpec>,
    /// Transfers at the end of handling, each with its probability.
    #[serde(default)]
    pub transfers: Vec<TransferSpec>,
    /// Customers who come back after their conversation closed.
    pub returns: Option<ReturnSpec>,
    /// Customers who abandoned and call again later (absent: none do).
    pub retrials: Option<ReturnSpec>,
}

/// `arrivals = {...}`: exactly one of `rate_per_h` and `profile`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalSpec {
    /// A constant Poisson rate, arrivals per hour.
    pub rate_per_h: Option<f64>,
    /// A time-varying Poisson rate: the name of a profile.
    pub profile: Option<String>,
    /// Scales the rate, for what-ifs.
    #[serde(default = "one")]
    pub multiplier: f64,
}

fn one() -> f64 {
    1.0
}

/// `messages = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesSpec {
    /// The agent's first reply after accepting the contact.
    pub first_reply: DistSpec,
    /// Mean number of further exchanges (a customer message and the agent's answer); the
    /// number is geometric on 0, 1, 2, ... with this mean.
    #[serde(default)]
    pub exchanges_mean: f64,
    /// The customer's time to answer an agent message.
    pub customer_reply: DistSpec,
    /// The agent's time to answer a customer message.
    pub agent_reply: DistSpec,
}

/// `hold = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldSpec {
    /// Share of calls put on hold once.
    pub probability: f64,
    /// How long the hold lasts.
    pub duration: DistSpec,
}

/// `consult = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultSpec {
    /// Share of calls with a consult.
    pub probability: f64,
    /// How long an accepted consult lasts.
    pub duration: DistSpec,
    /// Share of consult requests the consulted agent rejects.
    #[serde(default)]
    pub reject_probability: f64,
    /// How long a rejected request rings before the rejection.
    #[serde(default = "zero_dist")]
    pub time_to_reject: DistSpec,
}

fn zero_dist() -> DistSpec {
    DistSpec::Constant { value_s: 0.0 }
}

/// Where a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTo {
    /// Another queue (`queue` names it).
    Queue,
    /// Another agent who can serve the same queue, when one is free (else the queue).
    Agent,
    /// Outside the platform: the contact ends forwarded.
    Outside,
}

/// One entry of `transfers = [...]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// Share of handled contacts transferred this way.
    pub probability: f64,
    /// Where to.
    pub to: TransferTo,
    /// For `to = "queue"`: the queue.
    pub queue: Option<String>,
}

/// `returns = {...}`, `retrials = {...}` and a campaign's `reply = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnSpec {
    /// Share of handled conversations whose customer comes back.
    pub probability: f64,
    /// How long after the conversation closed.
    pub delay: DistSpec,
    /// The workstream they come back on (default: the same).
    pub workstream: Option<String>,
}

/// `[campaigns.NAME]`: outbound contacts the center starts. Each attempt waits for a free
/// agent who can serve `queue`, who then calls (voice) or writes (other channels) a new
/// customer in a new conversation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSpec {
    /// The channel of its contacts.
    pub channel: Channel,
    /// The queue whose agents work it (routing, skills, priority and capacity as for inbound
    /// contacts).
    pub queue: String,
    /// When attempts are made: `rate_per_h` or `profile`, with `multiplier`, as `arrivals`.
    pub attempts: ArrivalSpec,
    /// Voice: talk time from the customer answering. Other channels: the time to write the
    /// message.
    pub handle: DistSpec,
    /// Voice only: the share of calls the customer answers (default 1).
    pub answer_probability: Option<f64>,
    /// Voice only: how long an answered call rings first (default constant 0).
    pub ring: Option<DistSpec>,
    /// Voice only: how long an unanswered call rings before the agent hangs up (default
    /// constant 30 s).
    pub unanswered_ring: Option<DistSpec>,
    /// After-contact work once the contact ends.
    pub after_work: Option<DistSpec>,
    /// An attempt not started this many minutes after it was made is dropped (absent:
    /// attempts wait for an agent as long as it takes).
    pub expire_after_min: Option<f64>,
    /// Customers who answer back later, as an inbound contact of a workstream.
    pub reply: Option<ReturnSpec>,
}

/// `[bots.NAME]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotSpec {
    /// The bot's version.
    pub version: String,
    /// How long the bot keeps a customer.
    pub handle: DistSpec,
    /// Share of conversations the bot resolves on its own.
    pub resolve_probability: f64,
    /// The queue the rest escalate to.
    pub escalate_to: String,
    /// A bot session covers every conversation of its customer for this many hours after it
    /// started.
    #[serde(default = "day_h")]
    pub session_window_h: f64,
    /// Share of bot conversations in which the bot creates a ticket.
    #[serde(default)]
    pub ticket_probability: f64,
}

fn day_h() -> f64 {
    24.0
}

/// `[queues.NAME]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Skills an agent needs to take its contacts.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Higher goes first when an agent could take from several queues.
    #[serde(default)]
    pub priority: i32,
    /// Contacts waiting this long move to another queue.
    pub overflow: Option<OverflowSpec>,
    /// Voice queues: customers waiting this long are offered a callback (absent: never).
    pub callback: Option<CallbackSpec>,
}

/// `[queues.NAME.callback]`: a callback offered to customers who have waited, and the call
/// back an agent makes when their turn comes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackSpec {
    /// Seconds of waiting in this queue before the callback is offered.
    pub after_s: f64,
    /// Share of customers offered a callback who take it.
    pub accept_probability: f64,
    /// Share of callbacks the customer answers (default 1).
    pub answer_probability: Option<f64>,
    /// How long an answered callback rings first (default constant 0).
    pub ring: Option<DistSpec>,
    /// How long an unanswered callback rings before the agent hangs up (default constant
    /// 30 s).
    pub unanswered_ring: Option<DistSpec>,
}

/// `overflow = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverflowSpec {
    /// Seconds in this queue before moving.
    pub after_s: f64,
    /// The queue they move to.
    pub to: String,
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// `[groups.NAME]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Head count when the group works the whole horizon (exactly one of `agents` and
    /// `shifts`).
    pub agents: Option<u32>,
    /// Shifts, each with its own agents.
    #[serde(default)]
    pub shifts: Vec<ShiftSpec>,
    /// Skills, most preferred first.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Contacts an agent takes at once, per channel; the agent is available on these.
    pub capacity: BTreeMap<Channel, u32>,
    /// How agents answer offers.
    #[serde(default)]
    pub offer: OfferSpec,
    /// Away episodes the agents choose.
    pub away: Option<AwaySpec>,
    /// Stretches when agents leave their desk without going Away.
    pub idle: Option<EpisodeSpec>,
    /// Focus mode stretches.
    pub focus: Option<EpisodeSpec>,
    /// Whether agents open the customer's profile while working on a contact.
    #[serde(default = "yes")]
    pub profile_views: bool,
}

fn yes() -> bool {
    true
}

/// One entry of `shifts = [...]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    /// A name, used in agent ids.
    pub name: String,
    /// Agents working it.
    pub agents: u32,
    /// Days it starts on.
    pub days: Vec<Day>,
    /// Local start time, `HH:MM`.
    pub start: String,
    /// Local end time, `HH:MM` (earlier than `start`: the next day).
    pub end: String,
}

/// `offer = {...}`: shares of offers accepted, rejected and left to time out.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferSpec {
    /// Share accepted.
    #[serde(default = "one")]
    pub accept: f64,
    /// Share rejected.
    #[serde(default)]
    pub reject: f64,
    /// Share left to ring until the platform's offer timeout.
    #[serde(default)]
    pub timeout: f64,
    /// Time from offer to acceptance.
    #[serde(default = "zero_dist")]
    pub time_to_accept: DistSpec,
    /// Time from offer to rejection.
    #[serde(default = "zero_dist")]
    pub time_to_reject: DistSpec,
}

impl Default for OfferSpec {
    fn default() -> Self {
        OfferSpec {
            accept: 1.0,
            reject: 0.0,
            timeout: 0.0,
            time_to_accept: zero_dist(),
            time_to_reject: zero_dist(),
        }
    }
}

/// `away = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwaySpec {
    /// Episodes per logged-in hour (a Poisson process; an episode waits for the agent's work
    /// to finish).
    pub rate_per_h: f64,
    /// How long each lasts.
    pub duration: DistSpec,
    /// Reasons, picked with equal chance.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// `idle = {...}` and `focus = {...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeSpec {
    /// Episodes per logged-in hour (a Poisson process).
    pub rate_per_h: f64,
    /// How long each lasts.
    pub duration: DistSpec,
}
