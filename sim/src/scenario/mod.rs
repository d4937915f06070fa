//! Loading a scenario: parse the TOML ([`crate::spec`]), check every value, resolve every
//! name, and build the model the simulator runs. Every error names the file, the line and the
//! key, and says what would be valid.
//!
//! This file holds the runnable types, [`ScenarioError`] and the entry points. `build` runs
//! the steps in order; `check` holds the checks they share and the name lookups; `arrivals`,
//! `workstream`, `campaign`, `queues` and `groups` each check and resolve one part of the file.

mod arrivals;
mod build;
mod campaign;
mod check;
mod groups;
mod queues;
mod workstream;

use std::fmt;
use std::path::Path;

use ccsim_engine::event::Channel;
use ccsim_engine::time::Instant;
use chrono_tz::Tz;

use crate::dist::Dist;
use crate::locate::{line_at, line_of, KeyPath};
use crate::overrides::{self, path_at, Override};
use crate::spec::ScenarioSpec;

/// A scenario that cannot be loaded: where, and what is wrong.
///
/// It reads `FILE, line LINE: `KEY`: MESSAGE`, leaving out the line when it is not known and
/// the key when it is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: String,
    /// The line of the key at fault, when known.
    pub line: Option<usize>,
    /// The key at fault (`workstreams.phone.arrivals.rate_per_h`), or empty.
    pub key: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// How a channel's contacts are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// Live voice: talk time, holds, consults.
    Voice,
    /// Messaging: an exchange of messages.
    Messaging,
    /// Asynchronous (email and the like): one reply after the handling time.
    Async,
}

impl ChannelKind {
    /// The kind of `channel`.
    pub fn of(channel: Channel) -> ChannelKind {
        match channel {
            Channel::Phone | Channel::VoiceCall | Channel::Video => ChannelKind::Voice,
            channel if channel.is_messaging() => ChannelKind::Messaging,
            Channel::Twitter
            | Channel::Line
            | Channel::Wechat
            | Channel::Teams
            | Channel::AppleMessages
            | Channel::GoogleBusinessMessages
            | Channel::Custom => ChannelKind::Messaging,
            _ => ChannelKind::Async,
        }
    }
}

/// Number of channels in the schema.
pub const CHANNELS: usize = Channel::ALL.len();

/// The platform settings, in milliseconds.
#[derive(Clone, Debug)]
pub struct Platform {
    /// Offer timeout.
    pub offer_timeout_ms: i64,
    /// Inactivity before automatic Away.
    pub auto_away_ms: Option<i64>,
    /// Inactivity before automatic logout.
    pub auto_logout_ms: Option<i64>,
    /// Reopen window.
    pub reopen_window_ms: i64,
    /// Same-agent assignment limit.
    pub same_agent_ms: Option<i64>,
}

/// A piece of an arrival-rate function: `rate` arrivals per millisecond over `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// First instant (ms since the epoch).
    pub start: i64,
    /// First instant after it.
    pub end: i64,
    /// Arrivals per millisecond.
    pub rate: f64,
}

/// Where a workstream's contacts go first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A queue.
    Queue(usize),
    /// A bot.
    Bot(usize),
}

/// Messaging behaviour.
#[derive(Clone, Debug)]
pub struct Messages {
    /// The agent's first reply.
    pub first_reply: Dist,
    /// Probability of one more exchange (geometric number of exchanges).
    pub more: f64,
    /// Customer reply time.
    pub customer_reply: Dist,
    /// Agent reply time.
    pub agent_reply: Dist,
}

/// Consults.
#[derive(Clone, Debug)]
pub struct Consult {
    /// Share of calls.
    pub probability: f64,
    /// Duration of an accepted consult.
    pub duration: Dist,
    /// Share of requests rejected.
    pub reject_probability: f64,
    /// Time to reject.
    pub time_to_reject: Dist,
}

/// A transfer target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// To a queue.
    Queue(usize),
    /// To another agent of the same queue.
    Agent,
    /// Outside.
    Outside,
}

/// Returning customers.
#[derive(Clone, Debug)]
pub struct Returns {
    /// Share of conversations.
    pub probability: f64,
    /// Delay after the conversation closed.
    pub delay: Dist,
    /// The workstream they return on.
    pub workstream: usize,
}

/// A workstream, resolved.
#[derive(Clone, Debug)]
pub struct Workstream {
    /// Its name.
    pub name: String,
    /// Its channel.
    pub channel: Channel,
    /// How its contacts are handled.
    pub kind: ChannelKind,
    /// The arrival-rate function over the horizon.
    pub arrivals: Vec<Segment>,
    /// Where contacts go first.
    pub entry: Entry,
    /// Patience in queue.
    pub patience: Option<Dist>,
    /// Handling time (voice, async).
    pub handle: Option<Dist>,
    /// Messaging behaviour.
    pub messages: Option<Messages>,
    /// After-contact work.
    pub after_work: Option<Dist>,
    /// Holds: probability and duration.
    pub hold: Option<(f64, Dist)>,
    /// Consults.
    pub consult: Option<Consult>,
    /// Transfers with their probabilities.
    pub transfers: Vec<(f64, Transfer)>,
    /// Returning customers.
    pub returns: Option<Returns>,
    /// Abandoning customers who try again (their share, their delay from the abandonment,
    /// the workstream they try on).
    pub retrials: Option<Returns>,
}

/// An outbound campaign, resolved.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Its name.
    pub name: String,
    /// The channel of its contacts.
    pub channel: Channel,
    /// How its contacts are handled: voice calls ring and may be answered; on the other
    /// channels the agent writes one message.
    pub kind: ChannelKind,
    /// The attempt-rate function over the horizon.
    pub attempts: Vec<Segment>,
    /// The queue whose agents work it.
    pub queue: usize,
    /// Voice: share of calls answered.
    pub answer_probability: f64,
    /// Voice: ringing before an answer.
    pub ring: Dist,
    /// Voice: ringing before the agent gives up on an unanswered call.
    pub unanswered_ring: Dist,
    /// Talk time (voice) or the time to write the message.
    pub handle: Dist,
    /// After-contact work.
    pub after_work: Option<Dist>,
    /// Attempts not started within this many milliseconds are dropped.
    pub expire_ms: Option<i64>,
    /// Customers who answer back on an inbound workstream.
    pub reply: Option<Returns>,
}

/// A bot, resolved.
#[derive(Clone, Debug)]
pub struct Bot {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// How long it keeps a customer.
    pub handle: Dist,
    /// Share resolved.
    pub resolve_probability: f64,
    /// The queue it escalates to.
    pub escalate_to: usize,
    /// Session window.
    pub session_window_ms: i64,
    /// Share of conversations with a ticket.
    pub ticket_probability: f64,
}

/// A queue, resolved.
#[derive(Clone, Debug)]
pub struct Queue {
    /// Its name.
    pub name: String,
    /// The channel of every contact it holds.
    pub channel: Channel,
    /// Priority (higher first).
    pub priority: i32,
    /// Overflow: after this long, to that queue.
    pub overflow: Option<(i64, usize)>,
    /// The callback offered to customers who have waited (voice queues).
    pub callback: Option<Callback>,
    /// Agents who can take its contacts, with their preference rank for it (0 = first skill).
    pub eligible: Vec<(u32, u32)>,
}

/// A queue's callback, resolved.
#[derive(Clone, Debug)]
pub struct Callback {
    /// How long a customer waits in the queue before the callback is offered [ms].
    pub after_ms: i64,
    /// Share of customers who take it.
    pub accept_probability: f64,
    /// Share of callbacks the customer answers.
    pub answer_probability: f64,
    /// How long an answered callback rings.
    pub ring: Dist,
    /// How long an unanswered callback rings before the agent hangs up.
    pub unanswered_ring: Dist,
}

/// Offer behaviour.
#[derive(Clone, Debug)]
pub struct Offer {
    /// Weights of accept, reject, timeout.
    pub weights: [f64; 3],
    /// Time to accept.
    pub time_to_accept: Dist,
    /// Time to reject.
    pub time_to_reject: Dist,
}

/// Away episodes.
#[derive(Clone, Debug)]
pub struct Away {
    /// Episodes per millisecond logged in.
    pub rate: f64,
    /// Duration.
    pub duration: Dist,
    /// Reasons.
    pub reasons: Vec<String>,
}

/// Idle or Focus episodes.
#[derive(Clone, Debug)]
pub struct Episode {
    /// Episodes per millisecond logged in.
    pub rate: f64,
    /// Duration.
    pub duration: Dist,
}

/// An agent group, resolved.
#[derive(Clone, Debug)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Capacity per channel (indexed by `Channel as usize`).
    pub capacity: [u8; CHANNELS],
    /// Offer behaviour.
    pub offer: Offer,
    /// Away episodes.
    pub away: Option<Away>,
    /// Idle episodes.
    pub idle: Option<Episode>,
    /// Focus mode episodes.
    pub focus: Option<Episode>,
    /// Whether agents view profiles while working.
    pub profile_views: bool,
}

/// One agent and when they work.
#[derive(Clone, Debug)]
pub struct AgentDef {
    /// The agent's id in the log.
    pub id: String,
    /// Their group.
    pub group: usize,
    /// Logged-in stretches `(start, end)` in ms, in time order.
    pub shifts: Vec<(i64, i64)>,
    /// Queues they can serve, per channel: (queue, preference rank), best first.
    pub queues: Vec<(usize, u32)>,
}

/// A scenario ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// The file it came from.
    pub file: String,
    /// A stable hash of the file's text with its overrides applied (FNV-1a), recorded in
    /// binary log headers.
    pub hash: u64,
    /// The overrides applied to the file, as given (`--set KEY=VALUE`), in order.
    pub overrides: Vec<String>,
    /// First instant.
    pub start: Instant,
    /// First instant after the horizon.
    pub end: Instant,
    /// End of the warm-up (reports start here).
    pub warmup_end: Instant,
    /// The zone schedules are written in.
    pub zone: Tz,
    /// Platform settings.
    pub platform: Platform,
    /// Workstreams, in name order.
    pub workstreams: Vec<Workstream>,
    /// Outbound campaigns, in name order.
    pub campaigns: Vec<Campaign>,
    /// Bots, in name order.
    pub bots: Vec<Bot>,
    /// Queues, in name order.
    pub queues: Vec<Queue>,
    /// Groups, in name order.
    pub groups: Vec<Group>,
    /// Agents.
    pub agents: Vec<AgentDef>,
}

impl Scenario {
    /// Loads the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load_with(path, &[])
    }

    /// Loads the scenario file at `path` with `overrides` applied (see [`crate::overrides`]).
    pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ScenarioError {
            file: file.clone(),
            line: None,
            key: String::new(),
            message: if error.kind() == std::io::ErrorKind::NotFound {
                "no such file; expected a scenario file (TOML)".into()
            } else {
                format!("cannot read it: {error}")
            },
        })?;
        Scenario::parse_with(&text, &file, overrides)
    }

    /// Parses scenario `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse_with(text, file, &[])
    }

    /// Parses scenario `text` with `overrides` applied to it first; `file` names it in errors.
    /// A problem with an overridden value names the override instead of a line of the file;
    /// the scenario's hash covers the overridden text, and [`Scenario::overrides`] lists them.
    pub fn parse_with(
        text: &str,
        file: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        let edited;
        let text_read = if overrides.is_empty() {
            text
        } else {
            edited = overrides::apply(text, overrides).map_err(|error| ScenarioError {
                file: error.place,
                line: None,
                key: String::new(),
                message: error.message,
            })?;
            edited.as_str()
        };
        let located = Located {
            file,
            text,
            edited: text_read,
            overrides,
        };
        let spec: ScenarioSpec = toml::from_str(text_read).map_err(|error| {
            let offset = error.span().map(|span| span.start);
            located.parse_error(offset, error.message().trim_end())
        })?;
        let mut scenario = build::build(&spec, text_read, file)
            .map_err(|problem| located.at_key(&problem.key, problem.message))?;
        scenario.overrides = overrides.iter().map(|o| o.to_string()).collect();
        Ok(scenario)
    }

    /// The workstream called `name`.
    pub fn workstream(&self, name: &str) -> Option<usize> {
        self.workstreams
            .iter()
            .position(|workstream| workstream.name == name)
    }
}

/// Where a loading problem is: in the file's text, or in an override.
struct Located<'a> {
    file: &'a str,
    /// The file's text.
    text: &'a str,
    /// The text the loader read: the file's with the overrides applied.
    edited: &'a str,
    overrides: &'a [Override],
}

impl Located<'_> {
    /// The last override that set `key` or a table holding it.
    fn override_of(&self, key: &KeyPath) -> Option<&Override> {
        self.overrides
            .iter()
            .rev()
            .find(|o| key.0.starts_with(&o.key.0))
    }

    /// A problem with the value at `key`: at the override that set it, else at its line of
    /// the file.
    fn at_key(&self, key: &KeyPath, message: String) -> ScenarioError {
        if let Some(o) = self.override_of(key) {
            return ScenarioError {
                file: o.to_string(),
                line: None,
                key: if *key == o.key {
                    String::new()
                } else {
                    key.to_string()
                },
                message,
            };
        }
        ScenarioError {
            file: self.file.to_string(),
            line: line_of(self.text, key),
            key: key.to_string(),
            message,
        }
    }

    /// A problem the TOML reader found at byte `offset` of the text it read.
    fn parse_error(&self, offset: Option<usize>, message: &str) -> ScenarioError {
        if !self.overrides.is_empty() {
            if let Some(key) = offset.and_then(|offset| path_at(self.edited, offset)) {
                if self.override_of(&key).is_some() {
                    return self.at_key(&key, message.to_string());
                }
                // Elsewhere in the file: its line there, and the key as written on it.
                let line = line_of(self.text, &key);
                return ScenarioError {
                    file: self.file.to_string(),
                    line,
                    key: line.map_or_else(String::new, |line| key_on_line(self.text, line)),
                    message: message.to_string(),
                };
            }
        }
        let line = offset.map(|offset| line_at(self.edited, offset));
        ScenarioError {
            file: self.file.to_string(),
            line,
            key: line.map_or_else(String::new, |line| key_on_line(self.edited, line)),
            message: message.to_string(),
        }
    }
}

/// The key written on `line` of `text`, if it is a `key = value` line.
fn key_on_line(text: &str, line: usize) -> String {
    text.lines()
        .nth(line - 1)
        .and_then(|line_text| line_text.split_once('='))
        .map(|(key, _)| key.trim().trim_matches('"').to_string())
        .unwrap_or_default()
}

/// The default scenario `ccsim run` runs without one: a week of a mid-size omnichannel
/// center (`scenarios/default-week.toml`, embedded in the program).
pub const DEFAULT_WEEK: &str = include_str!("../../../scenarios/default-week.toml");

/// How the embedded default scenario is named in messages.
pub const DEFAULT_WEEK_FILE: &str = "scenarios/default-week.toml (embedded)";
