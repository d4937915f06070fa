//! The standard queue metrics of workforce management: offered, answered and abandoned
//! contacts, waits, service level in its common variants, and agent occupancy. They are the
//! figures queueing theory predicts (`crate::queueing`), so the simulator is checked with them.
//!
//! Sources: the queueing reference (`../shared/reference/queueing.md`: Erlang C and Erlang A,
//! and its note that service level has several denominators), and the usual workforce-
//! management conventions (a contact is counted in the interval it was offered; "offered"
//! means it reached a queue; ASA is averaged over answered contacts; service level is quoted
//! with its threshold, 80/20 being the classic target; short abandons are callers who hang up
//! within a few seconds, often left out of service level). Dynamics 365's conversation metrics
//! (seed 000) define the same ideas over conversations; these metrics are our own, vendor
//! neutral, and say where a vendor would differ.
//!
//! A contact takes part when it entered a queue (`contact_queued`). Its wait runs from the
//! first time it entered a queue to its answer — the first time an agent's response fulfilled
//! it (a call: the agent connects; a message: the agent's first reply) — or, if it was never
//! answered, to its end. Every contribution is dated when the contact was first queued and
//! grouped by channel and by the last queue it was in. Contacts still waiting at the end of
//! the log are left out (they are neither answered nor abandoned yet).

use super::def::{Aggregate, Dim, MetricDef, Unit, View};
use super::{Amount, Emit, Keys, Part};
use crate::event::{Direction, HandlerKind, Outcome};
use crate::facts::{ContactFact, Fact};
use crate::time::Instant;

/// The family's name in the catalog.
const FAMILY: &str = "Queue (workforce management)";
/// Where the definitions come from.
const SOURCE: &str = "shared/reference/queueing.md; workforce-management conventions";

/// Queue metrics group by time, channel and queue.
const DIMS: &[Dim] = &[
    Dim::Day,
    Dim::Interval,
    Dim::Month,
    Dim::Channel,
    Dim::Queue,
];
/// Occupancy groups by time, agent and channel.
const AGENT_DIMS: &[Dim] = &[
    Dim::Day,
    Dim::Interval,
    Dim::Month,
    Dim::Agent,
    Dim::Channel,
];

/// What became of a queued contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// An agent answered it after `wait` ms.
    Answered,
    /// The customer left before an answer, after `wait` ms.
    Abandoned,
    /// It ended some other way before an answer (forwarded outside, no reply needed, ...).
    Other,
}

/// A queued, inbound, closed contact: when it was queued, its wait and its fate.
fn queued<'a>(fact: &'a Fact<'_>) -> Option<(&'a ContactFact, Instant, i64, Fate)> {
    let Fact::Contact(c) = fact else { return None };
    if c.direction != Direction::Inbound || c.open {
        return None;
    }
    let queued_at = c.queued_at?;
    let (end, fate) = match c.fulfilled_at {
        Some(f) => (f, Fate::Answered),
        None if c.outcome == Some(Outcome::Abandoned) => (c.ended_at, Fate::Abandoned),
        None => (c.ended_at, Fate::Other),
    };
    Some((c, queued_at, end.millis_since(queued_at).max(0), fate))
}

fn keys(c: &ContactFact) -> Keys {
    Keys {
        channel: Some(c.channel),
        queue: c.queue,
        ..Keys::default()
    }
}

/// Abandoned after a wait shorter than the `short_abandon` setting.
fn is_short_abandon(wait: i64, fate: Fate, out: &dyn Emit) -> bool {
    fate == Fate::Abandoned && wait < out.settings().short_abandon_ms
}

/// Offered: each queued contact, once.
pub fn offered(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, _, _)) = queued(fact) {
        out.point(keys(c), at, 1);
    }
}

/// Answered: queued contacts an agent answered.
pub fn answered(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, _, Fate::Answered)) = queued(fact) {
        out.point(keys(c), at, 1);
    }
}

/// Abandoned: queued contacts whose customer left before an answer.
pub fn abandoned(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, _, Fate::Abandoned)) = queued(fact) {
        out.point(keys(c), at, 1);
    }
}

/// Short abandons: abandoned within the short-abandon limit.
pub fn short_abandoned(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, fate)) = queued(fact) {
        if is_short_abandon(wait, fate, out) {
            out.point(keys(c), at, 1);
        }
    }
}

/// Probability of waiting: 1 for each offered contact that waited at all, else 0.
pub fn wait_probability(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, _)) = queued(fact) {
        out.point(keys(c), at, i64::from(wait > 0));
    }
}

/// ASA: the wait of each answered contact.
pub fn asa(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, Fate::Answered)) = queued(fact) {
        out.point(keys(c), at, wait);
    }
}

/// Average wait: the wait of every offered contact, until answered or gone.
pub fn average_wait(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, _)) = queued(fact) {
        out.point(keys(c), at, wait);
    }
}

/// Time to abandon: the wait of each abandoned contact.
pub fn time_to_abandon(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, Fate::Abandoned)) = queued(fact) {
        out.point(keys(c), at, wait);
    }
}

/// 1 for a contact answered within the `service_level` threshold T, else 0.
fn within(wait: i64, fate: Fate, out: &dyn Emit) -> i64 {
    i64::from(fate == Fate::Answered && wait <= out.settings().service_level_ms)
}

/// Service level over answered: 1 for answered within the threshold, 0 for answered later.
pub fn sl_over_answered(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, Fate::Answered)) = queued(fact) {
        let v = within(wait, Fate::Answered, out);
        out.point(keys(c), at, v);
    }
}

/// Service level over offered: 1 for answered within the threshold, 0 for every other
/// offered contact.
pub fn sl_over_offered(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, fate)) = queued(fact) {
        let v = within(wait, fate, out);
        out.point(keys(c), at, v);
    }
}

/// Service level over offered less short abandons: as over offered, with short abandons
/// left out of the denominator.
pub fn sl_over_offered_less_short(fact: &Fact, out: &mut dyn Emit) {
    if let Some((c, at, wait, fate)) = queued(fact) {
        if !is_short_abandon(wait, fate, out) {
            let v = within(wait, fate, out);
            out.point(keys(c), at, v);
        }
    }
}

/// Occupancy: per agent, time handling at least one session (accepted to closed, wrap-up
/// included) over time available on at least one channel.
pub fn occupancy(fact: &Fact, out: &mut dyn Emit) {
    match fact {
        Fact::Session(s) if s.handler == HandlerKind::Agent => {
            if let (Some(agent), Some(from)) = (s.accepted_by, s.accepted_at) {
                let keys = Keys {
                    agent: Some(agent),
                    channel: Some(s.channel),
                    ..Keys::default()
                };
                let span = crate::time::Span::new(from, s.ended_at);
                let amount = Amount::Covered { owner: agent, span };
                out.ratio_part(keys, amount, Part::Numerator);
            }
        }
        Fact::Availability(a) => {
            let keys = Keys {
                agent: Some(a.agent),
                channel: Some(a.channel),
                ..Keys::default()
            };
            let amount = Amount::Covered {
                owner: a.agent,
                span: a.span,
            };
            out.ratio_part(keys, amount, Part::Denominator);
        }
        _ => {}
    }
}

/// What every contact count of the family shares; each entry sets its id, name, definition,
/// choices and measure.
const QUEUE_COUNT: MetricDef = MetricDef {
    id: "",
    name: "",
    family: FAMILY,
    unit: Unit::Count,
    aggregate: Aggregate::Sum,
    seed: SOURCE,
    section: "Offered, answered, abandoned",
    definition: "",
    choices: "",
    rule: None,
    dims: DIMS,
    measure: no_contribution,
    counts_open: false,
    available_from: None,
    view: View::Any,
};

/// What every mean of the family (a duration, or a share of 0/1 contributions) shares; each
/// entry sets its id, name, unit, section, definition, choices and measure.
const QUEUE_MEAN: MetricDef = MetricDef {
    aggregate: Aggregate::Mean,
    section: "",
    ..QUEUE_COUNT
};

/// The measure of the base entries above, which every metric replaces: it contributes nothing.
fn no_contribution(_: &Fact, _: &mut dyn Emit) {}

/// The queue metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "queue.offered",
        name: "Offered",
        definition: "Inbound contacts that entered a queue, each counted once however often it was queued (overflows, transfers, returns from an offer), on the date it was first queued. Contacts still waiting at the end of the log are not counted yet.",
        choices: "A contact a bot resolved never reached a queue and is not offered; one a bot escalated is offered from its escalation. Dynamics counts a conversation per routing to a queue; here a contact counts once, in the last queue it was in.",
        measure: offered,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.answered",
        name: "Answered",
        definition: "Offered contacts that an agent answered: for a call, the agent connected; for a message or an email, the agent's first reply was sent.",
        choices: "Answer is the contact's first fulfilment, so a chat an agent accepted but never replied to before the customer left is abandoned, not answered.",
        measure: answered,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.abandoned",
        name: "Abandoned",
        definition: "Offered contacts whose customer left before any answer.",
        choices: "A contact that ended unanswered in another way (forwarded outside, marked no reply needed) is offered but neither answered nor abandoned.",
        measure: abandoned,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.short_abandoned",
        name: "Short abandons",
        definition: "Abandoned contacts whose wait was shorter than the short-abandon limit (setting `short_abandon`, 5 s unless set): callers who hung up before anyone could have answered.",
        choices: "5 s is a common limit, others use 10 s; the same limit defines the short abandons left out of queue.service_level.over_offered_less_short_abandons.",
        measure: short_abandoned,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.wait_probability",
        name: "Probability of waiting",
        unit: Unit::Percent,
        section: "Erlang C probability of waiting",
        definition: "Share of offered contacts that waited at all: answered, abandoned or ended with a wait above zero (to the millisecond).",
        choices: "A contact offered to an agent who takes a few seconds to accept has waited; Erlang C's P(wait) assumes an answer the instant an agent is free, so compare with it only when offers are accepted at once.",
        measure: wait_probability,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.asa",
        name: "Average speed of answer",
        unit: Unit::Seconds,
        section: "Erlang C/A average speed of answer",
        definition: "Mean wait of answered contacts, from first queued to answered.",
        choices: "Abandoned contacts are left out (their wait is queue.time_to_abandon); queue.average_wait averages over every offered contact instead. Without abandonment the two agree.",
        measure: asa,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.average_wait",
        name: "Average wait (all offered)",
        unit: Unit::Seconds,
        section: "Erlang A average wait over all arrivals",
        definition: "Mean wait of every offered contact: until answered, or until the customer left or the contact ended.",
        choices: "By Little's law this times the offered rate is the mean number waiting.",
        measure: average_wait,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.time_to_abandon",
        name: "Average time to abandon",
        unit: Unit::Seconds,
        section: "Erlang A waiting time of abandoning callers",
        definition: "Mean wait of abandoned contacts before they left.",
        choices: "",
        measure: time_to_abandon,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.service_level.over_answered",
        name: "Service level (of answered)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of being queued (setting `service_level`, 20 s unless set: the 80/20 convention's 20), as a share of answered contacts.",
        choices: "Abandoned contacts count for nothing, so the figure rises when customers give up; compare the two variants beside it, which count them.",
        measure: sl_over_answered,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.service_level.over_offered",
        name: "Service level (of offered)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of being queued (setting `service_level`, 20 s unless set), as a share of all offered contacts (answered, abandoned or otherwise ended).",
        choices: "The strictest variant: every abandon counts against it, however quick.",
        measure: sl_over_offered,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.service_level.over_offered_less_short_abandons",
        name: "Service level (of offered less short abandons)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of being queued (setting `service_level`, 20 s unless set), as a share of offered contacts less short abandons (see queue.short_abandoned).",
        choices: "The common compromise: callers who hung up before anyone could answer do not count against the center.",
        measure: sl_over_offered_less_short,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.occupancy",
        name: "Agent occupancy",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Ratio,
        seed: SOURCE,
        section: "Erlang C/A occupancy",
        definition: "Per agent, the time with at least one session in hand (from accepting it to its close, after-contact work included) over the time available on at least one channel; summed over agents. Grouped by channel, both times are taken per channel.",
        choices: "Concurrent sessions (several chats) count once, so it never exceeds 100 % however many an agent juggles. Agents still available, and sessions still open, at the end of the log count up to the last event, so a log that ends with agents logged in still has a denominator.",
        rule: None,
        dims: AGENT_DIMS,
        measure: occupancy,
        counts_open: true,
        available_from: None,
        view: View::Any,
    },
];
