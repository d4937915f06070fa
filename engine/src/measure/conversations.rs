//! Gladly conversation metrics (seed `002_043ce0648a6d9af5.txt`): first contact resolution
//! under both of its definitions, the sessions a conversation's contacts form, and the SLA
//! each inbound session carries.
//!
//! All three look at a conversation's contacts together, so they read the conversation fact,
//! which carries every contact so far and every close and reopen. A conversation's figures
//! are given with [`Emit::latest`]: when it reopens and closes again, its new figures replace
//! the old ones, in the interval of the new close.

use super::def::{Aggregate, Dim, MetricDef, Rule, RuleVersion, Unit, View};
use super::{Emit, Keys, Settings};
use crate::event::{Channel, Direction, Outcome};
use crate::facts::{ConversationFact, Fact, ThreadContact};
use crate::ids::Sym;
use crate::time::Instant;

/// The Gladly seed.
const GLADLY: &str = "002_043ce0648a6d9af5.txt";
/// Conversation metrics group by time, agent, channel and queue.
const CONVERSATION_DIMS: &[Dim] = Dim::WORK;

/// The FCR definition, which Gladly changed for data from 2021-06-10.
pub static FCR_RULE: Rule = Rule {
    key: "fcr",
    title: "First contact resolution definition",
    versions: &[
        RuleVersion {
            name: "legacy",
            from: None,
            until: Some(super::utc_midnight(2021, 6, 10)),
            summary: "FCR when the conversation is one call, one messaging contact, one inbound call or messaging contact after inbound email or voicemail, or inbound email or voicemail answered by one last outbound contact",
        },
        RuleVersion {
            name: "current",
            from: Some(super::utc_midnight(2021, 6, 10)),
            until: None,
            summary: "eligible when a response fulfilled a contact and it did not reopen in the window; FCR when one response fulfilled every fulfilled contact and no outbound contact followed it",
        },
    ],
};

/// A conversation's standing under an FCR definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FcrVerdict {
    /// In the denominator.
    pub eligible: bool,
    /// In the numerator.
    pub success: bool,
}

fn is_mail(c: Channel) -> bool {
    matches!(c, Channel::Email | Channel::Voicemail)
}

/// Whether the conversation reopened within the reopen window of a close.
fn reopened_within_window(c: &ConversationFact, s: &Settings) -> bool {
    c.reopened.iter().any(|&r| {
        c.closes
            .iter()
            .filter(|&&close| close <= r)
            .max()
            .is_some_and(|&close| r.millis_since(close) <= s.reopen_window_ms)
    })
}

/// The current definition (data from 2021-06-10).
pub fn fcr_current(c: &ConversationFact, s: &Settings) -> FcrVerdict {
    let fulfilled = || c.contacts.iter().filter(|t| t.fulfilled_at.is_some());
    let eligible = fulfilled().next().is_some() && !reopened_within_window(c, s);
    if !eligible {
        return FcrVerdict {
            eligible,
            success: false,
        };
    }
    // One response: every fulfilled contact was fulfilled on the same contact (the one the
    // agent answered on), as when a chat answer fulfils an earlier email too.
    let fulfilling = |t: &ThreadContact| t.fulfilled_via.unwrap_or(t.contact);
    let answered_on = fulfilled().next().map(fulfilling);
    let one_response = fulfilled().all(|t| Some(fulfilling(t)) == answered_on);
    let first = fulfilled().filter_map(|t| t.fulfilled_at).min();
    let outbound_after = c
        .contacts
        .iter()
        .any(|t| t.direction == Direction::Outbound && first.is_some_and(|f| t.started_at > f));
    FcrVerdict {
        eligible,
        success: one_response && !outbound_after,
    }
}

/// The definition used before 2021-06-10.
pub fn fcr_legacy(c: &ConversationFact) -> FcrVerdict {
    let contacts = &c.contacts;
    let inbound = || {
        contacts
            .iter()
            .filter(|t| t.direction == Direction::Inbound)
    };
    let any_fulfilled = contacts.iter().any(|t| t.fulfilled_at.is_some());
    // Not eligible: only outbound communications, or only inbound email left unanswered.
    let only_outbound = inbound().next().is_none();
    let unanswered_email = !contacts.is_empty()
        && contacts
            .iter()
            .all(|t| t.direction == Direction::Inbound && t.channel == Channel::Email)
        && !any_fulfilled;
    let eligible = !contacts.is_empty() && !only_outbound && !unanswered_email;
    if !eligible {
        return FcrVerdict {
            eligible,
            success: false,
        };
    }
    let n = contacts.len();
    let last = &contacts[n - 1];
    let before_last = &contacts[..n - 1];
    let live = |ch: Channel| ch == Channel::Phone || ch.is_messaging();
    let one_call = n == 1 && last.channel == Channel::Phone;
    let one_messaging = n == 1 && last.channel.is_messaging();
    let after_mail = n >= 2
        && before_last
            .iter()
            .all(|t| t.direction == Direction::Inbound && is_mail(t.channel))
        && last.direction == Direction::Inbound
        && live(last.channel);
    let answered_by_outbound = n >= 2
        && is_mail(contacts[0].channel)
        && before_last
            .iter()
            .all(|t| t.direction == Direction::Inbound)
        && last.direction == Direction::Outbound
        && (live(last.channel) || last.channel == Channel::Email);
    // The patterns say nothing of answers; an unanswered call or chat is not resolved, so the
    // first three also need a contact fulfilled by a response (the last one is its own answer).
    let success =
        ((one_call || one_messaging || after_mail) && any_fulfilled) || answered_by_outbound;
    FcrVerdict { eligible, success }
}

/// The conversation, when the fact is one.
fn conversation<'a, 'b>(fact: &'a Fact<'b>) -> Option<&'a ConversationFact<'b>> {
    match fact {
        Fact::Conversation(c) => Some(c),
        _ => None,
    }
}

/// Grouping keys of a conversation: the agent whose response first fulfilled a contact (or
/// who closed it), the channel and queue of its first inbound contact (or first contact).
fn conversation_keys(c: &ConversationFact) -> Keys {
    let first_fulfilled = c
        .contacts
        .iter()
        .filter(|t| t.fulfilled_at.is_some())
        .min_by_key(|t| t.fulfilled_at);
    let lead = c
        .contacts
        .iter()
        .find(|t| t.direction == Direction::Inbound)
        .or(c.contacts.first());
    Keys {
        agent: first_fulfilled
            .and_then(|t| t.fulfilled_by)
            .or(c.closed_by_agent),
        channel: lead.map(|t| t.channel),
        queue: c.contacts.iter().find_map(|t| t.queue),
        ..Keys::default()
    }
}

/// The verdict under the definition in force at the conversation's close.
fn verdict(c: &ConversationFact, out: &mut dyn Emit) -> FcrVerdict {
    match out.version(&FCR_RULE, c.closed_at) {
        "legacy" => fcr_legacy(c),
        _ => fcr_current(c, out.settings()),
    }
}

/// Gives the conversation's FCR figure: `pick` turns the verdict into a contribution.
fn fcr_measure(fact: &Fact, out: &mut dyn Emit, pick: fn(FcrVerdict) -> Option<i64>) {
    let Some(c) = conversation(fact) else { return };
    let value = if c.open { None } else { pick(verdict(c, out)) };
    out.latest(conversation_keys(c), c.closed_at, c.conversation, value);
}

/// FCR %: successes over eligible conversations.
pub fn fcr_rate(fact: &Fact, out: &mut dyn Emit) {
    fcr_measure(fact, out, |v| v.eligible.then_some(i64::from(v.success)));
}

/// FCR-eligible conversations.
pub fn fcr_eligible(fact: &Fact, out: &mut dyn Emit) {
    fcr_measure(fact, out, |v| v.eligible.then_some(1));
}

/// FCR conversations.
pub fn fcr_conversations(fact: &Fact, out: &mut dyn Emit) {
    fcr_measure(fact, out, |v| v.success.then_some(1));
}

/// The kind of session a channel forms: a call is its own session; mail and messaging
/// contacts share one while they keep within the same-agent assignment limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Phone,
    Mail,
    Messaging,
    Other,
}

fn group(c: Channel) -> Group {
    match c {
        Channel::Phone | Channel::VoiceCall => Group::Phone,
        Channel::Email | Channel::Voicemail => Group::Mail,
        c if c.is_messaging() => Group::Messaging,
        _ => Group::Other,
    }
}

/// A session derived from a conversation's contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivedSession {
    /// The contact that started it (its id stands for the session's).
    pub first: Sym,
    /// When it started.
    pub start: Instant,
    /// Its channel (the first contact's).
    pub channel: Channel,
    /// Whether it carries an SLA (started by an inbound contact).
    pub carries_sla: bool,
    /// Indices (into the conversation's contacts) of the contacts in it.
    pub contacts: Vec<usize>,
}

/// The sessions of a conversation, per seed 002 "Session" and "Each inbound session contains
/// its own SLA": a new inbound contact starts a session unless it joins the open session of
/// its kind; an outbound contact joins the open session or starts one without an SLA. A
/// session is open to newcomers while the conversation has not closed since it began, the
/// newcomer arrives within the same-agent limit of the session's latest contact, and, for
/// messaging, its latest contact has neither ended (the agent clicked End) nor been marked No
/// Reply Needed. A phone call is always a session of its own.
pub fn derive_sessions(c: &ConversationFact, s: &Settings) -> Vec<DerivedSession> {
    let mut sessions: Vec<DerivedSession> = Vec::new();
    for (i, t) in c.contacts.iter().enumerate() {
        let g = group(t.channel);
        let open = sessions.iter().rposition(|sess| {
            let latest = &c.contacts[sess.contacts[sess.contacts.len() - 1]];
            let same_kind = group(sess.channel) == g && g != Group::Phone && g != Group::Other;
            let no_close = !c
                .closes
                .iter()
                .any(|&x| x >= sess.start && x <= t.started_at);
            let within = s
                .same_agent_limit_ms(t.channel)
                .is_some_and(|limit| t.started_at.millis_since(latest.started_at) <= limit);
            let still_live = g != Group::Messaging
                || (latest.ended_at.is_none_or(|e| e > t.started_at)
                    && latest.no_reply_needed_at.is_none_or(|n| n > t.started_at));
            same_kind && no_close && within && still_live
        });
        match open {
            Some(k) => sessions[k].contacts.push(i),
            None => sessions.push(DerivedSession {
                first: t.contact,
                start: t.started_at,
                channel: t.channel,
                carries_sla: t.direction == Direction::Inbound,
                contacts: vec![i],
            }),
        }
    }
    sessions
}

/// Sessions: each derived session once, dated at its start.
pub fn sessions(fact: &Fact, out: &mut dyn Emit) {
    let Some(c) = conversation(fact) else { return };
    for sess in derive_sessions(c, out.settings()) {
        let lead = &c.contacts[sess.contacts[0]];
        let keys = Keys {
            agent: lead.fulfilled_by,
            channel: Some(sess.channel),
            queue: lead.queue,
            ..Keys::default()
        };
        out.latest(keys, sess.start, sess.first, Some(1));
    }
}

/// When a session's SLA clock starts: for a call, when it leaves the IVR for a queue; for a
/// message or voicemail, when it is received (a voicemail contact starts once it is left).
fn sla_start(t: &ThreadContact) -> Instant {
    match group(t.channel) {
        Group::Phone => t.queued_at.unwrap_or(t.started_at),
        _ => t.started_at,
    }
}

/// When a session's SLA clock stops: the first response to any of its inbound contacts (on
/// any channel), a No Reply Needed mark, or, for a call, its forwarding outside.
fn sla_stop(c: &ConversationFact, sess: &DerivedSession) -> Option<Instant> {
    sess.contacts
        .iter()
        .map(|&i| &c.contacts[i])
        .filter(|t| t.direction == Direction::Inbound)
        .flat_map(|t| {
            let forwarded = (t.outcome == Some(Outcome::ForwardedOutside))
                .then_some(t.ended_at)
                .flatten();
            [t.fulfilled_at, t.no_reply_needed_at, forwarded]
        })
        .flatten()
        .min()
}

/// Each SLA-bearing session's outcome: `Some(true)` met, `Some(false)` missed, `None` still
/// running at the fact's time.
fn sla_outcomes(c: &ConversationFact, s: &Settings) -> Vec<(DerivedSession, Option<bool>)> {
    derive_sessions(c, s)
        .into_iter()
        .filter(|sess| sess.carries_sla)
        .map(|sess| {
            let lead = &c.contacts[sess.contacts[0]];
            let start = sla_start(lead);
            let limit = s.sla_ms[lead.channel as usize];
            let outcome = match sla_stop(c, &sess) {
                Some(stop) => Some(stop.millis_since(start) <= limit),
                // Never answered: missed once the threshold has passed (an abandoned call is
                // missed); still running otherwise.
                None if c.closed_at.millis_since(start) > limit || !c.open => Some(false),
                None => None,
            };
            (sess, outcome)
        })
        .collect()
}

/// Gives each SLA-bearing session's figure: `pick` turns the outcome into a contribution.
fn sla_measure(fact: &Fact, out: &mut dyn Emit, pick: fn(Option<bool>) -> Option<i64>) {
    let Some(c) = conversation(fact) else { return };
    for (sess, outcome) in sla_outcomes(c, out.settings()) {
        let lead = &c.contacts[sess.contacts[0]];
        let keys = Keys {
            agent: lead.fulfilled_by,
            channel: Some(lead.channel),
            queue: lead.queue,
            ..Keys::default()
        };
        out.latest(keys, sla_start(lead), sess.first, pick(outcome));
    }
}

/// SLA achievement: met over decided SLA-bearing sessions.
pub fn sla_achievement(fact: &Fact, out: &mut dyn Emit) {
    sla_measure(fact, out, |o| o.map(i64::from));
}

/// SLA-bearing sessions (inbound contacts that started a session).
pub fn sla_contacts(fact: &Fact, out: &mut dyn Emit) {
    sla_measure(fact, out, |_| Some(1));
}

/// The Gladly conversation metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "gladly.fcr_rate",
        name: "First Contact Resolution %",
        family: "Gladly conversations",
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "First Contact Resolution (FCR) > Calculation, Denominator, Numerator, Notes; Previous definition of FCR",
        definition: "FCR conversations over FCR-eligible conversations, each closed conversation counted in the interval it (last) closed; a conversation that reopens and closes again is judged anew there. The definition in force on the close date applies: before 2021-06-10 the legacy one, from then the current one (see gladly.fcr_eligible and gladly.fcr_conversations).",
        choices: "Current: 'fulfilled by one response' means every fulfilled contact was fulfilled on the same contact, the one the agent answered on; so a chat answered on an earlier SMS is FCR and one answered on the chat itself is not (the seed's second known gap, reproduced), and an outbound contact started after the first fulfilment makes it non-FCR (the first known gap, reproduced). Reading 'one response' as one message at one moment is the alternative; it would make the seed's SMS-then-chat success a failure. Legacy: the seed calls an email followed by a chat fulfilled by one answer 'net new', yet its pattern 'one inbound messaging contact after one or more inbound email contacts' covers it; we follow the pattern (the specific rule over the summary remark). The patterns never mention an answer; we require a fulfilled contact for the single-call, single-messaging and after-mail patterns, since an unanswered call is not a resolution (the literal reading counts an abandoned single call as FCR). The legacy definition lists no reopen exclusion, so reopened conversations stay eligible under it.",
        rule: Some(&FCR_RULE),
        dims: CONVERSATION_DIMS,
        measure: fcr_rate,
        // Open facts withdraw a reopened conversation's earlier verdict.
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.fcr_eligible",
        name: "FCR Eligible Conversations",
        family: "Gladly conversations",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "First Contact Resolution (FCR) > Denominator; Previous definition of FCR > Denominator",
        definition: "Closed conversations in FCR's denominator. Current definition: at least one contact fulfilled by a response, and no reopen within the conversation reopen window (so conversations with only outbound contacts, only unanswered incoming contacts, or only abandoned or forwarded calls drop out). Legacy definition: every closed conversation except those with only outbound contacts and those with only incoming email left unanswered.",
        choices: "A reopen counts as within the window when it comes no later than the reopen window (setting reopen_window) after the close before it.",
        rule: Some(&FCR_RULE),
        dims: CONVERSATION_DIMS,
        measure: fcr_eligible,
        // Open facts withdraw a reopened conversation's earlier verdict.
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.fcr_conversations",
        name: "FCR Conversations",
        family: "Gladly conversations",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "First Contact Resolution (FCR) > Numerator; Previous definition of FCR > Numerator",
        definition: "Eligible conversations resolved at first contact. Current definition: one response fulfilled every fulfilled contact (a single fulfilled contact, or several fulfilled together), and no outbound contact started after it; outbound contacts before it are fine. Legacy definition: the conversation is one phone call, one messaging contact, one inbound call or messaging contact after inbound email or voicemail, or inbound messages starting with email or voicemail answered by one outbound contact that comes last.",
        choices: "See gladly.fcr_rate.",
        rule: Some(&FCR_RULE),
        dims: CONVERSATION_DIMS,
        measure: fcr_conversations,
        // Open facts withdraw a reopened conversation's earlier verdict.
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.sessions",
        name: "Sessions",
        family: "Gladly conversations",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Session; When a session is deemed ended; Session examples; Multiple Sessions",
        definition: "Sessions formed by a conversation's contacts, dated at their start. A call is a session. A mail or messaging contact joins the open session of its kind when it arrives within the same-agent assignment limit of that session's latest contact and the conversation has not closed since the session began; a messaging session also ends when its latest contact ends (the agent clicks End) or is marked No Reply Needed. Otherwise an inbound contact, or an outbound one with no session to join, starts a new session.",
        choices: "The limit is measured from the session's latest contact (the seed says contacts 'occur within the time frame'); measuring from the session's first contact is the alternative. Closing the conversation ends every session, so a contact that reopens it starts a new one.",
        rule: None,
        dims: CONVERSATION_DIMS,
        measure: sessions,
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.sla_achievement",
        name: "SLA Achievement %",
        family: "Gladly conversations",
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Service Level Agreement (SLA); Each inbound session contains its own SLA",
        definition: "Share of SLA-bearing sessions answered within their channel's threshold (setting sla.CHANNEL). Each session started by an inbound contact carries one SLA; inbound replies that join a session and sessions started by outbound contacts carry none. The clock starts when a call leaves the IVR for a queue, or when a message or voicemail is received; it stops at the first response on any channel, at a No Reply Needed mark, or when a call is forwarded outside. Dated at the clock's start.",
        choices: "A session never answered counts as missed once its threshold has passed (an abandoned call is missed); the alternative leaves abandoned calls out. No Reply Needed stops the clock, so a mark within the threshold meets the SLA; the alternative leaves such sessions out. Thresholds default to ccsim's values (sla.* settings), the seed giving none.",
        rule: None,
        dims: CONVERSATION_DIMS,
        measure: sla_achievement,
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.sla_contacts",
        name: "SLA-Bearing Sessions",
        family: "Gladly conversations",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Service Level Agreement (SLA); Each inbound session contains its own SLA",
        definition: "Sessions started by an inbound contact, each carrying an SLA; dated at the SLA clock's start.",
        choices: "See gladly.sla_achievement.",
        rule: None,
        dims: CONVERSATION_DIMS,
        measure: sla_contacts,
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
];
