//! Gladly handle time, messaging concurrency and occupancy (seed `002_043ce0648a6d9af5.txt`,
//! "Handle Time", "Concurrency" and "Occupancy %").
//!
//! The fold's work-time state machine (`fold/work_time.rs`) has already attributed each
//! moment an agent spent on a customer profile: a [`WorkSpanFact`] says whose profile, which
//! open conversation, which contact (by Gladly's channel order), and whether the time fell
//! during a contact, after one, or neither. A [`WorkSessionFact`] gives an agent's first and
//! last moment of contact handle time on a contact. These measures only pick the spans each
//! metric counts; every metric is keyed by agent and channel, so it can be grouped by both
//! and cut into days or intervals of any reporting zone.
//!
//! One reading is left to the user: whether after-contact time keeps accruing while the agent
//! is unavailable on every channel (the [`AFTER_CONTACT_RULE`]).

use super::def::{Aggregate, Dim, MetricDef, Rule, RuleVersion, Unit, View};
use super::{Amount, Emit, Keys, Part};
use crate::facts::{AvailabilityInterval, Fact, WorkKind, WorkSessionFact, WorkSpanFact};

/// How after-contact time treats an agent who is unavailable on every channel. The seed's
/// definition and its occupancy section disagree; both readings are kept, undated.
pub static AFTER_CONTACT_RULE: Rule = Rule {
    key: "after_contact",
    title: "Whether after-contact time accrues while the agent is unavailable on every channel",
    versions: &[
        RuleVersion {
            name: "while_available",
            from: None,
            until: None,
            summary: "after-contact time accrues only while the agent is available on at least one channel (the After Contact Time definition)",
        },
        RuleVersion {
            name: "unavailable_too",
            from: None,
            until: None,
            summary: "after-contact time also accrues while the agent is unavailable on every channel (the Occupancy % account of agents going unavailable to finish after-contact work)",
        },
    ],
};

fn work<'a>(fact: &'a Fact<'_>) -> Option<&'a WorkSpanFact> {
    match fact {
        Fact::WorkSpan(w) => Some(w),
        _ => None,
    }
}

fn session<'a>(fact: &'a Fact<'_>) -> Option<&'a WorkSessionFact> {
    match fact {
        Fact::WorkSession(s) if s.channel.is_messaging() => Some(s),
        _ => None,
    }
}

fn availability<'a>(fact: &'a Fact<'_>) -> Option<&'a AvailabilityInterval> {
    match fact {
        Fact::Availability(a) => Some(a),
        _ => None,
    }
}

fn keys(w: &WorkSpanFact) -> Keys {
    Keys {
        agent: Some(w.agent),
        channel: w.channel,
        ..Keys::default()
    }
}

/// Whether a span is after-contact time, under the rule version in force.
fn is_after_contact(w: &WorkSpanFact, out: &mut dyn Emit) -> bool {
    let WorkKind::AfterContact { agent_available } = w.kind else {
        return false;
    };
    let version = out.version(&AFTER_CONTACT_RULE, w.span.start);
    agent_available || version == "unavailable_too"
}

/// Whether a span counts towards Total Contact Time (contact handle + after-contact time).
fn is_total_contact(w: &WorkSpanFact, out: &mut dyn Emit) -> bool {
    w.kind == WorkKind::Contact || is_after_contact(w, out)
}

/// Whether a span is contact handle time on a messaging contact.
fn is_messaging_contact(w: &WorkSpanFact) -> bool {
    w.kind == WorkKind::Contact && w.channel.is_some_and(|c| c.is_messaging())
}

/// Customer handle time: every moment on a profile, conversation open or not.
pub fn customer_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        out.span(keys(w), w.span);
    }
}

/// Conversation handle time: moments on a profile while a conversation was open or waiting.
pub fn conversation_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if w.conversation.is_some() {
            out.span(keys(w), w.span);
        }
    }
}

/// Contact handle time: moments on a profile during an active contact, by anyone.
pub fn contact_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if w.kind == WorkKind::Contact {
            out.span(keys(w), w.span);
        }
    }
}

/// Work session handle time: contact handle time after the agent joined or was assigned.
pub fn work_session_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if w.kind == WorkKind::Contact && w.joined {
            out.span(keys(w), w.span);
        }
    }
}

/// After-contact time: moments on a profile after a contact ended, before its conversation
/// closed or another contact began.
pub fn after_contact_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if is_after_contact(w, out) {
            out.span(keys(w), w.span);
        }
    }
}

/// Total contact time: contact handle time plus after-contact time.
pub fn total_contact_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if is_total_contact(w, out) {
            out.span(keys(w), w.span);
        }
    }
}

/// Task handle time: moments on a profile with the task panel open on it.
pub fn task_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if w.task_panel {
            out.span(keys(w), w.span);
        }
    }
}

/// The concurrency numerator: each messaging contact's span from the agent's first to last
/// moment of handle time on it, cut to the window.
pub fn messaging_work_session_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        out.span(session_keys(s), s.span);
    }
}

/// The first concurrency denominator: contact handle time on messaging contacts.
pub fn messaging_contact_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if is_messaging_contact(w) {
            out.span(keys(w), w.span);
        }
    }
}

/// The second concurrency denominator: per agent, the union of the messaging contacts'
/// first-to-last spans.
pub fn messaging_work_session_union(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        let amount = Amount::Covered {
            owner: s.agent,
            span: s.span,
        };
        out.ratio_part(session_keys(s), amount, Part::Numerator);
    }
}

/// Messaging concurrency: the work-session time over messaging contact handle time.
pub fn messaging_concurrency(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        out.ratio_part(session_keys(s), Amount::Span(s.span), Part::Numerator);
    }
    if let Some(w) = work(fact) {
        if is_messaging_contact(w) {
            out.ratio_part(keys(w), Amount::Span(w.span), Part::Denominator);
        }
    }
}

/// Messaging concurrency over the union denominator.
pub fn messaging_concurrency_union(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        out.ratio_part(session_keys(s), Amount::Span(s.span), Part::Numerator);
        let amount = Amount::Covered {
            owner: s.agent,
            span: s.span,
        };
        out.ratio_part(session_keys(s), amount, Part::Denominator);
    }
}

/// Available time: per agent, the time available on at least one channel.
pub fn available_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(a) = availability(fact) {
        out.ratio_part(availability_keys(a), covered(a), Part::Numerator);
    }
}

/// Occupancy: total contact time over available time.
pub fn occupancy(fact: &Fact, out: &mut dyn Emit) {
    if let Some(w) = work(fact) {
        if is_total_contact(w, out) {
            out.ratio_part(keys(w), Amount::Span(w.span), Part::Numerator);
        }
    }
    if let Some(a) = availability(fact) {
        out.ratio_part(availability_keys(a), covered(a), Part::Denominator);
    }
}

fn session_keys(s: &WorkSessionFact) -> Keys {
    Keys {
        agent: Some(s.agent),
        channel: Some(s.channel),
        ..Keys::default()
    }
}

fn availability_keys(a: &AvailabilityInterval) -> Keys {
    Keys {
        agent: Some(a.agent),
        channel: Some(a.channel),
        ..Keys::default()
    }
}

fn covered(a: &AvailabilityInterval) -> Amount {
    Amount::Covered {
        owner: a.agent,
        span: a.span,
    }
}

/// The Gladly seed.
const GLADLY: &str = "002_043ce0648a6d9af5.txt";
/// The family's name.
const FAMILY: &str = "Gladly handle time, concurrency and occupancy";
/// Every metric of the family groups by time, agent and channel.
const DIMS: &[Dim] = &[
    Dim::Day,
    Dim::Interval,
    Dim::Month,
    Dim::Agent,
    Dim::Channel,
];

/// What counts as work, for every handle-time metric.
const WORK: &str = "Work is time an agent views a customer's profile while neither Away nor logged out (the seed: time before the agent is marked Away counts; after it, nothing). With several profiles open (tabs), the one opened last counts, and closing it returns to the one opened before; the seed only says time after opening profile B goes to B, and the alternative (nothing until another view starts) would drop time an agent spends back on the first tab. Other programs and browser tabs leave no trace in a log, so that time counts while the profile stays open. An agent the log never logged in is taken as active (a log may begin mid-shift); a logout ends the agent's views.";
/// How overlapping contacts and conversation status are read.
const CONTACTS: &str = "Of several active contacts of the customer, the first in the seed's channel order (phone, chat, SMS, Instagram, Messenger, WhatsApp, email, voicemail; other channels after) takes the time, then the earliest started. A contact counts only while its conversation is open or waiting (seed: 'Conversation status'). Every viewer counts, joined or not ('regardless of role'); the joined part is Work Session Handle Time.";
/// How joining is read.
const JOINED: &str = "The seed says work-session time counts 'regardless of whether they are assigned or have joined' yet time viewed 'before joining' does not appear; we read it as counting from the earlier of assignment or joining: the agent's response fulfilling the contact, a message the agent sent on it, or a routing session of it offered to, accepted by or joined by the agent. Time before that is contact and conversation handle time only. Alternative: count from joining alone.";
/// How after-contact time is read.
const AFTER: &str = "After-contact time belongs to the last contact of the conversation to end; it stops when another contact of that conversation begins or the conversation closes (a reopened conversation starts without any). The seed's definition counts it only 'while the Agent is available on any Channel', but its Occupancy % section says agents who go unavailable 'continue to accumulate After Contact Time'. Both readings are kept as the `after_contact` rule: `while_available` (the default, the definition) and `unavailable_too` (`--definition after_contact=unavailable_too`). Time it leaves out still counts for the conversation and the customer.";
/// How concurrency is read.
const CONCURRENCY: &str = "Messaging is chat, SMS, Instagram, Messenger and WhatsApp. A contact's span runs from the agent's first to last moment of contact handle time on it and is cut to the window, as in the seed's basic example, where three 12-minute spans fill the 1:00-1:12 PM window; spans of contacts still active at the end of the log count only in real-time reports (--as-of). Grouped by channel, each channel's contacts make their own figures and their own union.";
/// How occupancy is read.
const OCCUPANCY: &str = "The numerator is Total Contact Time (contact handle time plus after-contact time under the `after_contact` rule), as the seed says after-contact time makes it grow. Available time is time available on at least one channel, a union per agent (Focus mode keeps it running); grouped by channel, each channel's own availability. It is what the log's availability events say: the seed does not say whether going Away ends availability, so an agent Away but still available on a channel stays available (a log from a platform that drops availability on Away carries `agent_unavailable`). Shown as a percentage (ratio × 100); undefined when there is no available time.";

/// The Gladly handle-time, concurrency and occupancy metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "gladly.customer_handle_time",
        name: "Customer Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Customer Handle Time; Work; Examples",
        definition: "Time agents spend on a customer's profile, whatever the state of the customer's conversations, including none.",
        choices: WORK,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: customer_handle_time,
    },
    MetricDef {
        id: "gladly.conversation_handle_time",
        name: "Conversation Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Conversation Handle Time; Conversation status",
        definition: "Time on a customer's profile while one of the customer's conversations is open or waiting: contact handle time, after-contact time, and time in the conversation with no contact under way (before the first contact, or after one while the agent is unavailable).",
        choices: WORK,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: conversation_handle_time,
    },
    MetricDef {
        id: "gladly.contact_handle_time",
        name: "Contact Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Contact Handle Time",
        definition: "Time anyone spends on a customer's profile while a contact of the customer is active, attributed to one contact (and its channel) at a time, whatever the viewer's channel availability.",
        choices: CONTACTS,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: contact_handle_time,
    },
    MetricDef {
        id: "gladly.work_session_handle_time",
        name: "Work Session Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Contact Handle Time; Work Session Handle Time; Work",
        definition: "An agent's part of contact handle time on the contacts they joined or were assigned: time on the profile during the contact from that moment on. Viewing before it counts for conversation handle time, not here.",
        choices: JOINED,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: work_session_handle_time,
    },
    MetricDef {
        id: "gladly.after_contact_time",
        name: "After Contact Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > After Contact Time; Occupancy % > Calculation",
        definition: "Time on a customer's profile after a contact ended, until the conversation closes or another of its contacts begins, while the agent is available on some channel (see the rule for the other reading).",
        choices: AFTER,
        rule: Some(&AFTER_CONTACT_RULE),
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: after_contact_time,
    },
    MetricDef {
        id: "gladly.total_contact_time",
        name: "Total Contact Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Total Contact Time",
        definition: "Contact handle time plus after-contact time.",
        choices: AFTER,
        rule: Some(&AFTER_CONTACT_RULE),
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: total_contact_time,
    },
    MetricDef {
        id: "gladly.task_handle_time",
        name: "Task Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Handle Time > Task Handle Time",
        definition: "Time on a customer's profile with the side panel open to a task. The same time also counts for whichever of customer, conversation, contact and after-contact time it falls in.",
        choices: WORK,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: task_handle_time,
    },
    MetricDef {
        id: "gladly.messaging_work_session_time",
        name: "Messaging Work Session Time - Aggregate",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Concurrency > Numerator",
        definition: "The concurrency numerator: for each messaging contact an agent handled, the time from their first to their last moment of handle time on it, within the window, added up.",
        choices: CONCURRENCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: messaging_work_session_time,
    },
    MetricDef {
        id: "gladly.messaging_contact_handle_time",
        name: "Messaging Contact Handle Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Concurrency > Denominator (1)",
        definition: "The first concurrency denominator: contact handle time on messaging contacts within the window.",
        choices: CONCURRENCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: messaging_contact_handle_time,
    },
    MetricDef {
        id: "gladly.messaging_work_session_union",
        name: "Messaging Work Session Time - Union",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Concurrency > Denominator (2); Concurrency with Union Denominator",
        definition: "The second concurrency denominator: per agent, the time covered by at least one of their messaging contacts' first-to-last spans within the window (overlaps counted once), added up over agents.",
        choices: CONCURRENCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: messaging_work_session_union,
    },
    MetricDef {
        id: "gladly.messaging_concurrency",
        name: "Messaging Concurrency",
        family: FAMILY,
        unit: Unit::Ratio,
        aggregate: Aggregate::Ratio,
        seed: GLADLY,
        section: "Concurrency; Concurrency Basic Example; Increasing; Decreasing; Complex Example",
        definition: "Messaging work session time (aggregate) over messaging contact handle time, in the window: how many messaging contacts an agent kept going per unit of work.",
        choices: CONCURRENCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: messaging_concurrency,
    },
    MetricDef {
        id: "gladly.messaging_concurrency_union",
        name: "Messaging Concurrency (Union Denominator)",
        family: FAMILY,
        unit: Unit::Ratio,
        aggregate: Aggregate::Ratio,
        seed: GLADLY,
        section: "Concurrency with Union Denominator",
        definition: "Messaging work session time (aggregate) over messaging work session time (union), in the window: contacts kept going per unit of time with at least one under way.",
        choices: CONCURRENCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: messaging_concurrency_union,
    },
    MetricDef {
        id: "gladly.available_time",
        name: "Available Time",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Occupancy % > Calculation",
        definition: "Time an agent is available on at least one channel, counted once however many channels; Focus mode does not stop it.",
        choices: OCCUPANCY,
        rule: None,
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: available_time,
    },
    MetricDef {
        id: "gladly.occupancy",
        name: "Occupancy %",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Ratio,
        seed: GLADLY,
        section: "Occupancy %",
        definition: "Total contact time over available time, as a percentage. It passes 100 % when contact or after-contact time accrues while the agent is not available.",
        choices: OCCUPANCY,
        rule: Some(&AFTER_CONTACT_RULE),
        dims: DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: occupancy,
    },
];
