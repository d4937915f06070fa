//! Loading a scenario: parse the TOML ([`crate::spec`]), check every value, resolve every
//! name, and build the model the simulator runs. Every error names the file, the line and the
//! key, and says what would be valid.

use std::fmt;
use std::path::Path;

use ccsim_engine::event::Channel;
use ccsim_engine::time::{Instant, HOUR_MS, MINUTE_MS, SECOND_MS};
use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::dist::{fnv1a, Dist, DistSpec};
use crate::locate::{line_at, line_of, KeyPath};
use crate::spec::{
    ArrivalSpec, CampaignSpec, Day, DayRates, GroupSpec, ProfileSpec, ScenarioSpec, TransferTo,
    WorkstreamSpec,
};

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
            c if c.is_messaging() => ChannelKind::Messaging,
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
    /// Agents who can take its contacts, with their preference rank for it (0 = first skill).
    pub eligible: Vec<(u32, u32)>,
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
    /// A stable hash of the file's text (FNV-1a), recorded in binary log headers.
    pub hash: u64,
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

/// A problem found while checking: the key path and the message.
type Problem = (KeyPath, String);

/// The channel each queue holds, set by what leads into it (and where that was said).
struct QueueChannels<'a> {
    names: &'a [&'a String],
    set: Vec<Option<(Channel, KeyPath)>>,
}

impl QueueChannels<'_> {
    /// Records that `at` sends `channel` contacts to queue `q`.
    fn set(&mut self, q: usize, channel: Channel, at: KeyPath) -> Result<(), Problem> {
        match &self.set[q] {
            None => {
                self.set[q] = Some((channel, at));
                Ok(())
            }
            Some((have, first)) if *have != channel => Err((
                at,
                format!(
                    "queue `{}` would hold {channel} contacts, but `{first}` already sends it {have} contacts; expected one channel per queue",
                    self.names[q]
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    fn get(&self, q: usize) -> Option<Channel> {
        self.set[q].as_ref().map(|(c, _)| *c)
    }
}

impl Scenario {
    /// Loads the scenario file at `path`.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: file.clone(),
            line: None,
            key: String::new(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "no such file; expected a scenario file (TOML)".into()
            } else {
                format!("cannot read it: {e}")
            },
        })?;
        Scenario::parse(&text, &file)
    }

    /// Parses scenario `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let spec: ScenarioSpec = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(text, s.start));
            let key = line
                .and_then(|l| text.lines().nth(l - 1))
                .and_then(|l| l.split_once('='))
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
                .unwrap_or_default();
            ScenarioError {
                file: file.to_string(),
                line,
                key,
                message: e.message().trim_end().to_string(),
            }
        })?;
        build(&spec, text, file).map_err(|(path, message)| ScenarioError {
            file: file.to_string(),
            line: line_of(text, &path),
            key: path.to_string(),
            message,
        })
    }

    /// The workstream called `name`.
    pub fn workstream(&self, name: &str) -> Option<usize> {
        self.workstreams.iter().position(|w| w.name == name)
    }
}

fn dist(spec: &DistSpec, at: &KeyPath) -> Result<Dist, Problem> {
    spec.build().map_err(|(k, m)| (at.key(&k), m))
}

fn probability(p: f64, at: KeyPath) -> Result<f64, Problem> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err((
            at,
            format!("{p} is not a probability; expected a number from 0 to 1"),
        ))
    }
}

fn non_negative(v: f64, at: KeyPath, what: &str) -> Result<f64, Problem> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err((
            at,
            format!("{v} is negative or not a number; expected {what} ≥ 0"),
        ))
    }
}

fn ms(v: f64, unit: i64) -> i64 {
    (v * unit as f64).round() as i64
}

fn find(names: &[&String], name: &str) -> Option<usize> {
    names.iter().position(|n| n.as_str() == name)
}

fn unknown(kind: &str, name: &str, names: &[&String]) -> String {
    let list: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
    if list.is_empty() {
        format!("unknown {kind} `{name}`; the scenario defines no {kind}s")
    } else {
        format!(
            "unknown {kind} `{name}`; expected one of: {}",
            list.join(", ")
        )
    }
}

fn build(spec: &ScenarioSpec, text: &str, file: &str) -> Result<Scenario, Problem> {
    let h = KeyPath::of(&["horizon"]);
    let zone: Tz = spec.horizon.time_zone.parse().map_err(|_| {
        (
            h.key("time_zone"),
            format!(
                "`{}` is not an IANA time zone; expected a name such as Europe/Paris or UTC",
                spec.horizon.time_zone
            ),
        )
    })?;
    let start = Instant::parse_flexible(&spec.horizon.start, zone).map_err(|e| {
        (
            h.key("start"),
            format!("{e}; expected RFC 3339 or a local date and time such as 2024-03-04T00:00"),
        )
    })?;
    let length = spec.horizon.length_h;
    if !(length.is_finite() && length > 0.0 && length <= 24.0 * 366.0 * 10.0) {
        return Err((
            h.key("length_h"),
            format!("{length} is out of range; expected hours > 0 (at most ten years)"),
        ));
    }
    let warmup = non_negative(spec.horizon.warmup_h, h.key("warmup_h"), "hours")?;
    if warmup >= length {
        return Err((
            h.key("warmup_h"),
            format!("{warmup} is not shorter than the horizon ({length} h); expected less"),
        ));
    }
    let end = start.plus_millis(ms(length, HOUR_MS));
    let warmup_end = start.plus_millis(ms(warmup, HOUR_MS));

    let p = KeyPath::of(&["platform"]);
    let ps = &spec.platform;
    let offer_timeout = ps.offer_timeout_s;
    if !(offer_timeout.is_finite() && offer_timeout > 0.0) {
        return Err((
            p.key("offer_timeout_s"),
            format!("{offer_timeout} is out of range; expected seconds > 0"),
        ));
    }
    let opt_min = |v: Option<f64>, key: &str| -> Result<Option<i64>, Problem> {
        v.map(|v| {
            if v.is_finite() && v > 0.0 {
                Ok(ms(v, MINUTE_MS))
            } else {
                Err((
                    p.key(key),
                    format!("{v} is out of range; expected minutes > 0"),
                ))
            }
        })
        .transpose()
    };
    let auto_away_ms = opt_min(ps.auto_away_after_min, "auto_away_after_min")?;
    let auto_logout_ms = opt_min(ps.auto_logout_after_min, "auto_logout_after_min")?;
    if let (Some(a), Some(l)) = (auto_away_ms, auto_logout_ms) {
        if l <= a {
            return Err((
                p.key("auto_logout_after_min"),
                "is not longer than auto_away_after_min; expected the logout threshold after the Away threshold".into(),
            ));
        }
    }
    let reopen = non_negative(ps.reopen_window_h, p.key("reopen_window_h"), "hours")?;
    let same_agent = ps
        .same_agent_limit_h
        .map(|v| non_negative(v, p.key("same_agent_limit_h"), "hours").map(|v| ms(v, HOUR_MS)))
        .transpose()?;
    let platform = Platform {
        offer_timeout_ms: ms(offer_timeout, SECOND_MS),
        auto_away_ms,
        auto_logout_ms,
        reopen_window_ms: ms(reopen, HOUR_MS),
        same_agent_ms: same_agent,
    };

    let queue_names: Vec<&String> = spec.queues.keys().collect();
    let bot_names: Vec<&String> = spec.bots.keys().collect();
    let ws_names: Vec<&String> = spec.workstreams.keys().collect();
    let profile_names: Vec<&String> = spec.profiles.keys().collect();
    if ws_names.is_empty() && spec.campaigns.is_empty() {
        return Err((
            KeyPath::of(&["workstreams"]),
            "no workstreams and no campaigns; expected at least one".into(),
        ));
    }

    // Queues: the channel each one holds is set by what leads into it.
    let mut channels = QueueChannels {
        names: &queue_names,
        set: vec![None; queue_names.len()],
    };

    // Bots first (workstreams refer to them).
    let mut bots = Vec::new();
    for (name, b) in &spec.bots {
        let at = KeyPath::of(&["bots", name]);
        let escalate_to = find(&queue_names, &b.escalate_to).ok_or_else(|| {
            (
                at.key("escalate_to"),
                unknown("queue", &b.escalate_to, &queue_names),
            )
        })?;
        let window = b.session_window_h;
        if !(window.is_finite() && window > 0.0) {
            return Err((
                at.key("session_window_h"),
                format!("{window} is out of range; expected hours > 0"),
            ));
        }
        bots.push(Bot {
            name: name.clone(),
            version: b.version.clone(),
            handle: dist(&b.handle, &at.key("handle"))?,
            resolve_probability: probability(b.resolve_probability, at.key("resolve_probability"))?,
            escalate_to,
            session_window_ms: ms(window, HOUR_MS),
            ticket_probability: probability(b.ticket_probability, at.key("ticket_probability"))?,
        });
    }

    let mut workstreams = Vec::new();
    for (name, w) in &spec.workstreams {
        let at = KeyPath::of(&["workstreams", name]);
        workstreams.push(workstream(
            name,
            w,
            &at,
            spec,
            start,
            end,
            zone,
            (&queue_names, &bot_names, &ws_names, &profile_names),
            &bots,
            &mut channels,
        )?);
    }
    let mut campaigns = Vec::new();
    for (name, c) in &spec.campaigns {
        let at = KeyPath::of(&["campaigns", name]);
        campaigns.push(campaign(
            name,
            c,
            &at,
            spec,
            (start, end, zone),
            (&queue_names, &ws_names, &profile_names),
            &mut channels,
        )?);
    }
    for (name, q) in &spec.queues {
        let at = KeyPath::of(&["queues", name]);
        if let Some(o) = &q.overflow {
            let to = find(&queue_names, &o.to).ok_or_else(|| {
                (
                    at.key("overflow").key("to"),
                    unknown("queue", &o.to, &queue_names),
                )
            })?;
            let from = find(&queue_names, name).unwrap_or(0);
            if to == from {
                return Err((
                    at.key("overflow").key("to"),
                    "a queue cannot overflow into itself; expected another queue".into(),
                ));
            }
            if let Some(c) = channels.get(from) {
                channels.set(to, c, at.key("overflow").key("to"))?;
            }
        }
    }
    // Overflow chains may set channels in any order: settle them.
    for _ in 0..queue_names.len() {
        for (name, q) in &spec.queues {
            if let Some(o) = &q.overflow {
                let from = find(&queue_names, name).unwrap_or(0);
                if let (Some(c), Some(to)) = (channels.get(from), find(&queue_names, &o.to)) {
                    channels.set(to, c, KeyPath::of(&["queues", name, "overflow", "to"]))?;
                }
            }
        }
    }

    // Groups and agents.
    let mut groups = Vec::new();
    let mut agents = Vec::new();
    for (name, g) in &spec.groups {
        let at = KeyPath::of(&["groups", name]);
        let gi = groups.len();
        groups.push(group(name, g, &at)?);
        for (id, shifts) in group_agents(name, g, &at, start, end, zone)? {
            agents.push(AgentDef {
                id,
                group: gi,
                shifts,
                queues: Vec::new(),
            });
        }
    }
    let mut ids: Vec<(&str, &str)> = agents
        .iter()
        .map(|a| (a.id.as_str(), groups[a.group].name.as_str()))
        .collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err((
            KeyPath::of(&["groups", w[1].1]),
            format!(
                "agent id `{}` is made twice (from group and shift names); expected distinct names",
                w[0].0
            ),
        ));
    }
    if agents.is_empty() {
        return Err((
            KeyPath::of(&["groups"]),
            "no agents; expected at least one group with agents".into(),
        ));
    }

    let mut queues = Vec::new();
    for (qi, (name, q)) in spec.queues.iter().enumerate() {
        let at = KeyPath::of(&["queues", name]);
        let Some(channel) = channels.get(qi) else {
            return Err((
                at,
                "nothing leads into this queue (no workstream, bot escalation, campaign, overflow or transfer names it); expected it to be used, or removed".into(),
            ));
        };
        let mut eligible = Vec::new();
        for (ai, a) in agents.iter().enumerate() {
            let g = &spec.groups[&groups[a.group].name];
            if groups[a.group].capacity[channel as usize] == 0 {
                continue;
            }
            if !q.skills.iter().all(|s| g.skills.contains(s)) {
                continue;
            }
            let rank = q
                .skills
                .iter()
                .filter_map(|s| g.skills.iter().position(|x| x == s))
                .min()
                .unwrap_or(g.skills.len()) as u32;
            eligible.push((ai as u32, rank));
        }
        if eligible.is_empty() {
            return Err((
                at.key("skills"),
                format!(
                    "queue `{name}` is unreachable: no agent group has the skills [{}] and capacity on {channel}; expected at least one",
                    q.skills.join(", ")
                ),
            ));
        }
        let overflow = match &q.overflow {
            Some(o) => {
                let after = o.after_s;
                if !(after.is_finite() && after > 0.0) {
                    return Err((
                        at.key("overflow").key("after_s"),
                        format!("{after} is out of range; expected seconds > 0"),
                    ));
                }
                let to = find(&queue_names, &o.to).unwrap_or(0);
                Some((ms(after, SECOND_MS), to))
            }
            None => None,
        };
        queues.push(Queue {
            name: name.clone(),
            channel,
            priority: q.priority,
            overflow,
            eligible,
        });
    }
    for (qi, q) in queues.iter().enumerate() {
        for &(a, rank) in &q.eligible {
            agents[a as usize].queues.push((qi, rank));
        }
    }
    for a in &mut agents {
        a.queues
            .sort_by_key(|&(q, rank)| (-queues[q].priority, rank, q));
    }
    Ok(Scenario {
        name: spec.name.clone().unwrap_or_else(|| {
            Path::new(file)
                .file_stem()
                .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned())
        }),
        file: file.to_string(),
        hash: fnv1a(text.as_bytes()),
        start,
        end,
        warmup_end,
        zone,
        platform,
        workstreams,
        campaigns,
        bots,
        queues,
        groups,
        agents,
    })
}

/// Checks campaign `name` and resolves its names.
fn campaign(
    name: &str,
    c: &CampaignSpec,
    at: &KeyPath,
    spec: &ScenarioSpec,
    (start, end, zone): (Instant, Instant, Tz),
    (queue_names, ws_names, profile_names): (&[&String], &[&String], &[&String]),
    channels: &mut QueueChannels<'_>,
) -> Result<Campaign, Problem> {
    let kind = ChannelKind::of(c.channel);
    let attempts = arrivals(
        &c.attempts,
        &at.key("attempts"),
        spec,
        profile_names,
        (start, end, zone),
        "attempts per hour",
    )?;
    let queue = find(queue_names, &c.queue)
        .ok_or_else(|| (at.key("queue"), unknown("queue", &c.queue, queue_names)))?;
    channels.set(queue, c.channel, at.key("queue"))?;
    let voice_only = |set: bool, key: &str| -> Result<(), Problem> {
        if set && kind != ChannelKind::Voice {
            Err((
                at.key(key),
                format!(
                    "{} is not a voice channel: its contacts are a message, not a call; expected no `{key}`",
                    c.channel
                ),
            ))
        } else {
            Ok(())
        }
    };
    voice_only(c.answer_probability.is_some(), "answer_probability")?;
    voice_only(c.ring.is_some(), "ring")?;
    voice_only(c.unanswered_ring.is_some(), "unanswered_ring")?;
    let answer_probability = probability(
        c.answer_probability.unwrap_or(1.0),
        at.key("answer_probability"),
    )?;
    let ring = match &c.ring {
        Some(d) => dist(d, &at.key("ring"))?,
        None => dist(&DistSpec::Constant { value_s: 0.0 }, &at.key("ring"))?,
    };
    let unanswered_ring = match &c.unanswered_ring {
        Some(d) => dist(d, &at.key("unanswered_ring"))?,
        None => dist(
            &DistSpec::Constant { value_s: 30.0 },
            &at.key("unanswered_ring"),
        )?,
    };
    let expire_ms = c
        .expire_after_min
        .map(|v| {
            if v.is_finite() && v > 0.0 {
                Ok(ms(v, MINUTE_MS))
            } else {
                Err((
                    at.key("expire_after_min"),
                    format!("{v} is out of range; expected minutes > 0"),
                ))
            }
        })
        .transpose()?;
    let reply = match &c.reply {
        Some(r) => {
            let rk = at.key("reply");
            let workstream = match &r.workstream {
                Some(n) => find(ws_names, n)
                    .ok_or_else(|| (rk.key("workstream"), unknown("workstream", n, ws_names)))?,
                None => {
                    return Err((
                        rk.key("workstream"),
                        "missing; expected the inbound workstream replies arrive on".into(),
                    ))
                }
            };
            Some(Returns {
                probability: probability(r.probability, rk.key("probability"))?,
                delay: dist(&r.delay, &rk.key("delay"))?,
                workstream,
            })
        }
        None => None,
    };
    Ok(Campaign {
        name: name.to_string(),
        channel: c.channel,
        kind,
        attempts,
        queue,
        answer_probability,
        ring,
        unanswered_ring,
        handle: dist(&c.handle, &at.key("handle"))?,
        after_work: c
            .after_work
            .as_ref()
            .map(|d| dist(d, &at.key("after_work")))
            .transpose()?
            .filter(|d| !d.is_zero()),
        expire_ms,
        reply,
    })
}

type Names<'a> = (
    &'a [&'a String],
    &'a [&'a String],
    &'a [&'a String],
    &'a [&'a String],
);

#[allow(clippy::too_many_arguments)]
fn workstream(
    name: &str,
    w: &WorkstreamSpec,
    at: &KeyPath,
    spec: &ScenarioSpec,
    start: Instant,
    end: Instant,
    zone: Tz,
    names: Names<'_>,
    bots: &[Bot],
    channels: &mut QueueChannels<'_>,
) -> Result<Workstream, Problem> {
    let (queue_names, bot_names, ws_names, profile_names) = names;
    let kind = ChannelKind::of(w.channel);
    let arrivals = arrivals(
        &w.arrivals,
        &at.key("arrivals"),
        spec,
        profile_names,
        (start, end, zone),
        "arrivals per hour",
    )?;
    let entry =
        match (&w.queue, &w.bot) {
            (Some(q), None) => {
                let qi = find(queue_names, q)
                    .ok_or_else(|| (at.key("queue"), unknown("queue", q, queue_names)))?;
                channels.set(qi, w.channel, at.key("queue"))?;
                Entry::Queue(qi)
            }
            (None, Some(b)) => {
                let bi = find(bot_names, b)
                    .ok_or_else(|| (at.key("bot"), unknown("bot", b, bot_names)))?;
                // Every workstream a bot answers is on the channel of its escalation queue.
                channels.set(bots[bi].escalate_to, w.channel, at.key("bot"))?;
                Entry::Bot(bi)
            }
            (Some(_), Some(_)) => return Err((
                at.key("bot"),
                "both `queue` and `bot` are set; expected one (a bot escalates to its own queue)"
                    .into(),
            )),
            (None, None) => {
                return Err((
                    at.clone(),
                    "neither `queue` nor `bot` is set; expected where contacts go".into(),
                ))
            }
        };
    let opt =
        |d: &Option<DistSpec>, key: &str| d.as_ref().map(|d| dist(d, &at.key(key))).transpose();
    let patience = opt(&w.patience, "patience")?;
    let handle = opt(&w.handle, "handle")?;
    let after_work = opt(&w.after_work, "after_work")?.filter(|d| !d.is_zero());
    let messages = match (&w.messages, kind) {
        (Some(m), ChannelKind::Messaging) => {
            let mk = at.key("messages");
            let mean = non_negative(m.exchanges_mean, mk.key("exchanges_mean"), "exchanges")?;
            Some(Messages {
                first_reply: dist(&m.first_reply, &mk.key("first_reply"))?,
                more: mean / (1.0 + mean),
                customer_reply: dist(&m.customer_reply, &mk.key("customer_reply"))?,
                agent_reply: dist(&m.agent_reply, &mk.key("agent_reply"))?,
            })
        }
        (Some(_), _) => {
            return Err((
                at.key("messages"),
                format!("{} is not a messaging channel; expected `handle` instead", w.channel),
            ))
        }
        (None, ChannelKind::Messaging) => {
            return Err((
                at.key("messages"),
                format!("missing: {} is a messaging channel; expected `messages = {{ first_reply = ..., customer_reply = ..., agent_reply = ... }}`", w.channel),
            ))
        }
        (None, _) => None,
    };
    match (kind, &handle) {
        (ChannelKind::Messaging, Some(_)) => {
            return Err((
                at.key("handle"),
                format!("{} is a messaging channel: its handling is `messages`; expected no `handle`", w.channel),
            ))
        }
        (ChannelKind::Voice | ChannelKind::Async, None) => {
            return Err((
                at.key("handle"),
                format!("missing; expected the handling time of {} contacts, e.g. {{ dist = \"exponential\", mean_s = 180 }}", w.channel),
            ))
        }
        _ => {}
    }
    let hold = match &w.hold {
        Some(hs) if kind == ChannelKind::Voice => Some((
            probability(hs.probability, at.key("hold").key("probability"))?,
            dist(&hs.duration, &at.key("hold").key("duration"))?,
        )),
        Some(_) => {
            return Err((
                at.key("hold"),
                format!("holds are for voice channels, not {}", w.channel),
            ))
        }
        None => None,
    };
    let consult = match &w.consult {
        Some(c) if kind == ChannelKind::Voice => {
            let ck = at.key("consult");
            Some(Consult {
                probability: probability(c.probability, ck.key("probability"))?,
                duration: dist(&c.duration, &ck.key("duration"))?,
                reject_probability: probability(
                    c.reject_probability,
                    ck.key("reject_probability"),
                )?,
                time_to_reject: dist(&c.time_to_reject, &ck.key("time_to_reject"))?,
            })
        }
        Some(_) => {
            return Err((
                at.key("consult"),
                format!("consults are for voice channels, not {}", w.channel),
            ))
        }
        None => None,
    };
    let mut transfers = Vec::new();
    let mut total = 0.0;
    for (i, t) in w.transfers.iter().enumerate() {
        let tk = at.key("transfers").index(i);
        let p = probability(t.probability, tk.key("probability"))?;
        total += p;
        let target = match (t.to, &t.queue) {
            (TransferTo::Queue, Some(q)) => {
                let qi = find(queue_names, q)
                    .ok_or_else(|| (tk.key("queue"), unknown("queue", q, queue_names)))?;
                channels.set(qi, w.channel, tk.key("queue"))?;
                Transfer::Queue(qi)
            }
            (TransferTo::Queue, None) => {
                return Err((
                    tk.key("queue"),
                    "missing; expected the queue to transfer to".into(),
                ))
            }
            (_, Some(_)) => {
                return Err((
                    tk.key("queue"),
                    "only `to = \"queue\"` takes a queue".into(),
                ))
            }
            (TransferTo::Agent, None) => Transfer::Agent,
            (TransferTo::Outside, None) => Transfer::Outside,
        };
        transfers.push((p, target));
    }
    if total > 1.0 + 1e-9 {
        return Err((
            at.key("transfers"),
            format!("the probabilities add up to {total}; expected at most 1"),
        ));
    }
    let returns = match &w.returns {
        Some(r) => {
            let rk = at.key("returns");
            let workstream = match &r.workstream {
                Some(n) => find(ws_names, n)
                    .ok_or_else(|| (rk.key("workstream"), unknown("workstream", n, ws_names)))?,
                None => find(ws_names, name).unwrap_or(0),
            };
            Some(Returns {
                probability: probability(r.probability, rk.key("probability"))?,
                delay: dist(&r.delay, &rk.key("delay"))?,
                workstream,
            })
        }
        None => None,
    };
    Ok(Workstream {
        name: name.to_string(),
        channel: w.channel,
        kind,
        arrivals,
        entry,
        patience,
        handle,
        messages,
        after_work,
        hold,
        consult,
        transfers,
        returns,
    })
}

fn arrivals(
    a: &ArrivalSpec,
    at: &KeyPath,
    spec: &ScenarioSpec,
    profile_names: &[&String],
    (start, end, zone): (Instant, Instant, Tz),
    what: &str,
) -> Result<Vec<Segment>, Problem> {
    let mult = non_negative(a.multiplier, at.key("multiplier"), "a multiplier")?;
    match (&a.rate_per_h, &a.profile) {
        (Some(r), None) => {
            let r = non_negative(*r, at.key("rate_per_h"), what)?;
            Ok(vec![Segment {
                start: start.millis(),
                end: end.millis(),
                rate: r * mult / HOUR_MS as f64,
            }])
        }
        (None, Some(name)) => {
            let Some(p) = spec.profiles.get(name) else {
                return Err((at.key("profile"), unknown("profile", name, profile_names)));
            };
            profile_segments(p, &KeyPath::of(&["profiles", name]), mult, start, end, zone)
        }
        (Some(_), Some(_)) => Err((
            at.key("profile"),
            "both `rate_per_h` and `profile` are set; expected one".into(),
        )),
        (None, None) => Err((
            at.clone(),
            "expected `rate_per_h` (constant) or `profile` (time-varying)".into(),
        )),
    }
}

fn day_rates(r: &DayRates, day: Day) -> Option<(&Vec<f64>, &'static str)> {
    let (own, own_key, group, group_key) = match day {
        Day::Mon => (&r.mon, "mon", &r.weekdays, "weekdays"),
        Day::Tue => (&r.tue, "tue", &r.weekdays, "weekdays"),
        Day::Wed => (&r.wed, "wed", &r.weekdays, "weekdays"),
        Day::Thu => (&r.thu, "thu", &r.weekdays, "weekdays"),
        Day::Fri => (&r.fri, "fri", &r.weekdays, "weekdays"),
        Day::Sat => (&r.sat, "sat", &r.weekend, "weekend"),
        Day::Sun => (&r.sun, "sun", &r.weekend, "weekend"),
    };
    own.as_ref()
        .map(|v| (v, own_key))
        .or_else(|| group.as_ref().map(|v| (v, group_key)))
        .or_else(|| r.every_day.as_ref().map(|v| (v, "every_day")))
}

const DAYS: [Day; 7] = [
    Day::Mon,
    Day::Tue,
    Day::Wed,
    Day::Thu,
    Day::Fri,
    Day::Sat,
    Day::Sun,
];

fn profile_segments(
    p: &ProfileSpec,
    at: &KeyPath,
    mult: f64,
    start: Instant,
    end: Instant,
    zone: Tz,
) -> Result<Vec<Segment>, Problem> {
    if ![15, 30, 60].contains(&p.interval_min) {
        return Err((
            at.key("interval_min"),
            format!(
                "{} is not an interval length; expected 15, 30 or 60",
                p.interval_min
            ),
        ));
    }
    let per_day = (24 * 60 / p.interval_min) as usize;
    let rk = at.key("rates_per_h");
    let mut any = false;
    for day in DAYS {
        if let Some((v, key)) = day_rates(&p.rates_per_h, day) {
            any = true;
            if v.len() != per_day {
                return Err((
                    rk.key(key),
                    format!(
                        "{} rates; expected {per_day} (one per {}-minute interval of the day)",
                        v.len(),
                        p.interval_min
                    ),
                ));
            }
            for (i, r) in v.iter().enumerate() {
                non_negative(*r, rk.key(key).index(i), "arrivals per hour")?;
            }
        }
    }
    if !any {
        return Err((
            rk,
            "no rates; expected at least `every_day`, `weekdays` or a day".into(),
        ));
    }
    let step = i64::from(p.interval_min) * MINUTE_MS;
    let mut out: Vec<Segment> = Vec::new();
    let mut t = start.millis();
    while t < end.millis() {
        let local = zone.from_utc_datetime(&Instant::from_millis(t).to_utc().naive_utc());
        let minutes = local.hour() * 60 + local.minute();
        let slot = (minutes / p.interval_min) as usize;
        let day = DAYS[local.weekday().num_days_from_monday() as usize];
        let rate = day_rates(&p.rates_per_h, day)
            .and_then(|(v, _)| v.get(slot).copied())
            .unwrap_or(0.0);
        // The next local interval boundary, in UTC.
        let into =
            i64::from(minutes % p.interval_min) * MINUTE_MS + i64::from(local.second()) * SECOND_MS;
        let next = (t - into + step).min(end.millis()).max(t + 1);
        let rate = rate * mult / HOUR_MS as f64;
        match out.last_mut() {
            Some(last) if last.rate == rate && last.end == t => last.end = next,
            _ => out.push(Segment {
                start: t,
                end: next,
                rate,
            }),
        }
        t = next;
    }
    Ok(out)
}

fn group(name: &str, g: &GroupSpec, at: &KeyPath) -> Result<Group, Problem> {
    let mut capacity = [0u8; CHANNELS];
    for (c, n) in &g.capacity {
        if *n > 64 {
            return Err((
                at.key("capacity").key(c.name()),
                format!("{n} contacts at once is implausible; expected at most 64"),
            ));
        }
        capacity[*c as usize] = *n as u8;
    }
    if capacity.iter().all(|c| *c == 0) {
        return Err((
            at.key("capacity"),
            "no channel with capacity; expected e.g. capacity = { phone = 1 }".into(),
        ));
    }
    let ok = at.key("offer");
    let o = &g.offer;
    let weights = [
        probability(o.accept, ok.key("accept"))?,
        probability(o.reject, ok.key("reject"))?,
        probability(o.timeout, ok.key("timeout"))?,
    ];
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err((
            ok.key("accept"),
            format!("accept + reject + timeout = {sum}; expected 1"),
        ));
    }
    let episode =
        |e: &Option<crate::spec::EpisodeSpec>, key: &str| -> Result<Option<Episode>, Problem> {
            e.as_ref()
                .map(|e| {
                    let k = at.key(key);
                    Ok(Episode {
                        rate: non_negative(e.rate_per_h, k.key("rate_per_h"), "episodes per hour")?
                            / HOUR_MS as f64,
                        duration: dist(&e.duration, &k.key("duration"))?,
                    })
                })
                .transpose()
        };
    let away = g
        .away
        .as_ref()
        .map(|a| {
            let k = at.key("away");
            Ok::<_, Problem>(Away {
                rate: non_negative(a.rate_per_h, k.key("rate_per_h"), "episodes per hour")?
                    / HOUR_MS as f64,
                duration: dist(&a.duration, &k.key("duration"))?,
                reasons: a.reasons.clone(),
            })
        })
        .transpose()?;
    Ok(Group {
        name: name.to_string(),
        capacity,
        offer: Offer {
            weights,
            time_to_accept: dist(&o.time_to_accept, &ok.key("time_to_accept"))?,
            time_to_reject: dist(&o.time_to_reject, &ok.key("time_to_reject"))?,
        },
        away,
        idle: episode(&g.idle, "idle")?,
        focus: episode(&g.focus, "focus")?,
        profile_views: g.profile_views,
    })
}

fn clock(text: &str, at: KeyPath) -> Result<u32, Problem> {
    let bad = || {
        (
            at.clone(),
            format!("`{text}` is not a time of day; expected HH:MM, e.g. 08:30"),
        )
    };
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Logged-in stretches `(start, end)` in ms.
type Stretches = Vec<(i64, i64)>;

/// Each agent of a group, with their logged-in stretches over the horizon.
fn group_agents(
    name: &str,
    g: &GroupSpec,
    at: &KeyPath,
    start: Instant,
    end: Instant,
    zone: Tz,
) -> Result<Vec<(String, Stretches)>, Problem> {
    const MAX_AGENTS: u32 = 100_000;
    if let Some(n) = g.agents.filter(|n| *n > MAX_AGENTS) {
        return Err((
            at.key("agents"),
            format!("{n} agents is implausible; expected at most {MAX_AGENTS}"),
        ));
    }
    if let Some(i) = g.shifts.iter().position(|s| s.agents > MAX_AGENTS) {
        return Err((
            at.key("shifts").index(i).key("agents"),
            format!(
                "{} agents is implausible; expected at most {MAX_AGENTS}",
                g.shifts[i].agents
            ),
        ));
    }
    match (g.agents, g.shifts.is_empty()) {
        (Some(n), true) => Ok((1..=n)
            .map(|k| (format!("{name}-{k}"), vec![(start.millis(), i64::MAX)]))
            .collect()),
        (None, false) => {
            let mut out = Vec::new();
            for (i, s) in g.shifts.iter().enumerate() {
                let sk = at.key("shifts").index(i);
                let from = clock(&s.start, sk.key("start"))?;
                let to = clock(&s.end, sk.key("end"))?;
                if from == to {
                    return Err((sk.key("end"), "the shift has no length; expected an end different from the start".into()));
                }
                if s.days.is_empty() {
                    return Err((sk.key("days"), "no days; expected e.g. [\"mon\", \"tue\"]".into()));
                }
                let length = i64::from((to + 24 * 60 - from) % (24 * 60)) * MINUTE_MS;
                let mut stretches = Vec::new();
                // Every local day from the day before the horizon to its end.
                let first = zone
                    .from_utc_datetime(&start.to_utc().naive_utc())
                    .date_naive()
                    .pred_opt()
                    .unwrap_or_default();
                let mut date = first;
                loop {
                    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
                    let Some(day_start) = zone.from_local_datetime(&midnight).earliest() else {
                        date = date.succ_opt().unwrap_or(date);
                        continue;
                    };
                    if day_start.timestamp_millis() >= end.millis() {
                        break;
                    }
                    let day = DAYS[date.weekday().num_days_from_monday() as usize];
                    if s.days.contains(&day) {
                        let local = midnight + chrono::Duration::minutes(i64::from(from));
                        if let Some(t) = zone.from_local_datetime(&local).earliest() {
                            let a = t.timestamp_millis();
                            let b = a + length;
                            let (a, b) = (a.max(start.millis()), b.min(end.millis()));
                            if a < b {
                                stretches.push((a, b));
                            }
                        }
                    }
                    match date.succ_opt() {
                        Some(d) => date = d,
                        None => break,
                    }
                }
                stretches.sort_unstable();
                let mut merged: Vec<(i64, i64)> = Vec::new();
                for (a, b) in stretches {
                    match merged.last_mut() {
                        Some(last) if a <= last.1 => last.1 = last.1.max(b),
                        _ => merged.push((a, b)),
                    }
                }
                let stretches = merged;
                for k in 1..=s.agents {
                    out.push((format!("{name}-{}-{k}", s.name), stretches.clone()));
                }
            }
            Ok(out)
        }
        (Some(_), false) => Err((
            at.key("agents"),
            "both `agents` and `shifts` are set; expected `agents` for a group that works the whole horizon, or `shifts`".into(),
        )),
        (None, true) => Err((
            at.clone(),
            "expected `agents = N` or `shifts = [...]`".into(),
        )),
    }
}

/// The default scenario `ccsim run` runs without one: a week of a mid-size omnichannel
/// center (`scenarios/default-week.toml`, embedded in the program).
pub const DEFAULT_WEEK: &str = include_str!("../../../scenarios/default-week.toml");

/// How the embedded default scenario is named in messages.
pub const DEFAULT_WEEK_FILE: &str = "scenarios/default-week.toml (embedded)";
