//! Gladly reply times and contact durations (seed `002_043ce0648a6d9af5.txt`, "Reply Time"
//! and "Contact Durations"): per-contact figures averaged over the contacts of a group.
//!
//! Each contact contributes once, dated when it ended (reply times, talk and hold time) or
//! when it was fulfilled (queued-to-fulfilled time), grouped under the agent who fulfilled
//! it, its channel and its last queue.

use super::def::{Aggregate, Dim, MetricDef, Unit, View};
use super::{Emit, Keys};
use crate::event::{Channel, Direction};
use crate::facts::{ContactFact, Fact};

/// The Gladly seed.
const GLADLY: &str = "002_043ce0648a6d9af5.txt";
/// Contact metrics group by time, agent, channel and queue.
const CONTACT_DIMS: &[Dim] = Dim::WORK;

fn contact<'a>(fact: &'a Fact<'_>) -> Option<&'a ContactFact> {
    match fact {
        Fact::Contact(c) => Some(c),
        _ => None,
    }
}

fn keys(c: &ContactFact) -> Keys {
    Keys {
        agent: c.fulfilled_by,
        channel: Some(c.channel),
        queue: c.queue,
        ..Keys::default()
    }
}

/// Average agent reply time: each contact's mean span from a customer run to the agent's
/// first answer.
pub fn agent_reply_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(c) = contact(fact) {
        if c.replies.agent > 0 {
            out.point(
                keys(c),
                c.ended_at,
                c.replies.agent_ms / i64::from(c.replies.agent),
            );
        }
    }
}

/// Average customer reply time: each contact's mean span from an agent run to the
/// customer's first answer.
pub fn customer_reply_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(c) = contact(fact) {
        if c.replies.customer > 0 {
            out.point(
                keys(c),
                c.ended_at,
                c.replies.customer_ms / i64::from(c.replies.customer),
            );
        }
    }
}

/// Queued-to-fulfilled time of each contact that was queued and fulfilled.
pub fn queued_to_fulfilled(fact: &Fact, out: &mut dyn Emit) {
    if let Some(c) = contact(fact) {
        if let (Some(q), Some(f)) = (c.queued_at, c.fulfilled_at) {
            out.point(keys(c), f, f.millis_since(q));
        }
    }
}

/// Talk time of each phone contact: from fulfilment (inbound) or answer (outbound) to its end,
/// less hold time.
pub fn talk_time(fact: &Fact, out: &mut dyn Emit) {
    let Some(c) = contact(fact) else { return };
    if c.channel != Channel::Phone {
        return;
    }
    let start = match c.direction {
        Direction::Inbound => c.fulfilled_at,
        Direction::Outbound => c.answered_at,
    };
    if let Some(start) = start {
        let talk = (c.ended_at.millis_since(start) - c.hold_ms).max(0);
        out.point(keys(c), c.ended_at, talk);
    }
}

/// Hold time of each phone contact that was put on hold: all its holds added up.
pub fn hold_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(c) = contact(fact) {
        if c.channel == Channel::Phone && c.holds > 0 {
            out.point(keys(c), c.ended_at, c.hold_ms);
        }
    }
}

/// The reply-time and contact-duration metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "gladly.agent_reply_time",
        name: "Average Agent Reply Time",
        family: "Gladly contact times",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Reply Time > Average Agent Reply Time",
        definition: "For each contact, the average of its agent reply spans: from the first customer message of a run (a customer message with no agent message since the last one) to the next agent message, over the messages from the contact's fulfilment to its end. The figure is the mean of those per-contact averages.",
        choices: "A span counts when the customer's run began at or after the fulfilment, so the wait before the first response (queued-to-fulfilled territory) is not a reply span; the alternative counts it too. Across contacts each contact's average weighs the same; the alternative pools every span of every contact. Bot messages neither start nor answer a run.",
        rule: None,
        dims: CONTACT_DIMS,
        measure: agent_reply_time,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.customer_reply_time",
        name: "Average Customer Reply Time",
        family: "Gladly contact times",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Reply Time > Average Customer Reply Time",
        definition: "The mirror image of agent reply time: for each contact, the average span from the first agent message of a run to the customer's next message, over the messages from fulfilment to end; the figure is the mean of the per-contact averages.",
        choices: "As for agent reply time: runs starting at or after fulfilment; contacts weigh equally; bot messages take no part.",
        rule: None,
        dims: CONTACT_DIMS,
        measure: customer_reply_time,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.queued_to_fulfilled_time",
        name: "Queued-to-Fulfilled Time",
        family: "Gladly contact times",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Contact Durations > Queued-to-Fulfilled Time",
        definition: "Time from a contact first entering a queue to its first fulfilment, averaged over contacts that were both queued and fulfilled; dated at the fulfilment.",
        choices: "A contact queued more than once is measured from its first queueing.",
        rule: None,
        dims: CONTACT_DIMS,
        measure: queued_to_fulfilled,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.talk_time",
        name: "Talk Time",
        family: "Gladly contact times",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Contact Durations > Talk Time",
        definition: "Phone contacts only: time from fulfilment (inbound) or from the customer answering (outbound) to the end of the call, less its hold time; averaged over calls.",
        choices: "",
        rule: None,
        dims: CONTACT_DIMS,
        measure: talk_time,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
    MetricDef {
        id: "gladly.hold_time",
        name: "Hold Time",
        family: "Gladly contact times",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Contact Durations > Hold Time",
        definition: "Phone contacts only: every hold span of a call, from hold start to hold end, added up into the call's hold time; averaged over calls that were put on hold.",
        choices: "Averaged over calls with at least one hold; the alternative averages over all calls, counting calls never held as zero.",
        rule: None,
        dims: CONTACT_DIMS,
        measure: hold_time,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
];
