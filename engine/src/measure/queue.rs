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
//! The rows are queue stays (`QueueStayFact`): a contact's time in one queue, from entering
//! it to an agent taking it (accepting its offer; in a log without sessions, responding
//! first), the customer leaving, or the contact moving to another queue. So each wait counts
//! in the queue it happened in, and the clock stops when an agent takes the contact, on every
//! channel: the moment Erlang's models call the start of service. How long the agent then took
//! to write is not the customer's wait in the queue (`queue.time_to_first_response` measures
//! it, and Gladly's reply times measure every reply). Every contribution is dated when the
//! stay began and grouped by channel and by its queue. Inbound contacts only; stays still open
//! at the end of the log are left out (they are neither answered nor abandoned yet).

use super::def::{Aggregate, Dim, MetricDef, Unit, View};
use super::{Amount, Emit, Keys, Part};
use crate::event::{Direction, HandlerKind};
use crate::facts::{Fact, QueueStayFact, StayEnd};

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

/// A finished stay of an inbound contact in a queue.
fn stay<'a>(fact: &'a Fact<'_>) -> Option<&'a QueueStayFact> {
    match fact {
        Fact::QueueStay(s) if s.direction == Direction::Inbound && s.end != StayEnd::Open => {
            Some(s)
        }
        _ => None,
    }
}

fn keys(s: &QueueStayFact) -> Keys {
    Keys {
        channel: Some(s.channel),
        queue: Some(s.queue),
        ..Keys::default()
    }
}

/// Adds `value` for every finished inbound stay `pick` chooses.
fn each_stay(
    fact: &Fact,
    out: &mut dyn Emit,
    pick: impl Fn(&QueueStayFact, &dyn Emit) -> Option<i64>,
) {
    if let Some(s) = stay(fact) {
        if let Some(value) = pick(s, out) {
            out.point(keys(s), s.entered_at, value);
        }
    }
}

/// Abandoned after a wait shorter than the `short_abandon` setting.
fn is_short_abandon(s: &QueueStayFact, out: &dyn Emit) -> bool {
    s.end == StayEnd::Abandoned && s.wait_ms() < out.settings().short_abandon_ms
}

/// 1 when `yes`, else 0.
fn one_if(yes: bool) -> i64 {
    i64::from(yes)
}

/// Offered: each stay, once.
pub fn offered(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |_, _| Some(1));
}

/// Answered: stays an agent took.
pub fn answered(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| (s.end == StayEnd::Answered).then_some(1));
}

/// Abandoned: stays whose customer left.
pub fn abandoned(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| (s.end == StayEnd::Abandoned).then_some(1));
}

/// Short abandons: abandoned within the short-abandon limit.
pub fn short_abandoned(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, out| is_short_abandon(s, out).then_some(1));
}

/// Flowed out: stays that ended by the contact entering another queue.
pub fn flowed_out(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| (s.end == StayEnd::FlowedOut).then_some(1));
}

/// Callbacks requested: stays the customer left having asked to be called back.
pub fn callbacks(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| (s.end == StayEnd::Callback).then_some(1));
}

/// Abandonment rate: abandoned stays over offered stays.
pub fn abandon_rate(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = stay(fact) {
        let at = s.entered_at;
        let abandoned = one_if(s.end == StayEnd::Abandoned);
        out.ratio_part(keys(s), Amount::Point(at, abandoned), Part::Numerator);
        out.ratio_part(keys(s), Amount::Point(at, 1), Part::Denominator);
    }
}

/// Abandonment rate less short abandons: both counts without the short abandons.
pub fn abandon_rate_less_short(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = stay(fact) {
        if !is_short_abandon(s, out) {
            let at = s.entered_at;
            let abandoned = one_if(s.end == StayEnd::Abandoned);
            out.ratio_part(keys(s), Amount::Point(at, abandoned), Part::Numerator);
            out.ratio_part(keys(s), Amount::Point(at, 1), Part::Denominator);
        }
    }
}

/// Probability of waiting: 1 for each stay not offered to an agent the instant it began.
pub fn wait_probability(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| Some(one_if(!s.offered_at_once())));
}

/// ASA: the wait of each answered stay.
pub fn asa(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| {
        (s.end == StayEnd::Answered).then(|| s.wait_ms())
    });
}

/// Average wait: the wait of every stay, until answered or over.
pub fn average_wait(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| Some(s.wait_ms()));
}

/// Time to abandon: the wait of each abandoned stay.
pub fn time_to_abandon(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| {
        (s.end == StayEnd::Abandoned).then(|| s.wait_ms())
    });
}

/// Ring time: from the offer an agent accepted to the acceptance.
pub fn ring_time(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| {
        let offer = s.accepted_offer_at.filter(|_| s.end == StayEnd::Answered)?;
        Some(s.ended_at.millis_since(offer).max(0))
    });
}

/// Offers rejected: the rejections of each stay.
pub fn offers_rejected(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| {
        (s.rejected > 0).then_some(i64::from(s.rejected))
    });
}

/// Offers timed out: the offers of each stay that rang out.
pub fn offers_timed_out(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, _| {
        (s.timed_out > 0).then_some(i64::from(s.timed_out))
    });
}

/// 1 for a stay answered within the `service_level` threshold T, else 0.
fn within(s: &QueueStayFact, out: &dyn Emit) -> i64 {
    one_if(s.end == StayEnd::Answered && s.wait_ms() <= out.settings().service_level_for(s.channel))
}

/// Service level over answered: 1 for answered within the threshold, 0 for answered later.
pub fn sl_over_answered(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, out| {
        (s.end == StayEnd::Answered).then(|| within(s, out))
    });
}

/// Service level over offered: 1 for answered within the threshold, 0 for every other stay.
pub fn sl_over_offered(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, out| Some(within(s, out)));
}

/// Service level over offered less short abandons: as over offered, with short abandons
/// left out of the denominator.
pub fn sl_over_offered_less_short(fact: &Fact, out: &mut dyn Emit) {
    each_stay(fact, out, |s, out| {
        (!is_short_abandon(s, out)).then(|| within(s, out))
    });
}

/// Time to first response: per inbound contact that was queued and got a response, from its
/// first queueing to the first agent response that fulfilled it, in its last queue.
pub fn time_to_first_response(fact: &Fact, out: &mut dyn Emit) {
    let Fact::Contact(c) = fact else { return };
    if c.direction != Direction::Inbound || c.open {
        return;
    }
    if let (Some(queued), Some(fulfilled)) = (c.queued_at, c.fulfilled_at) {
        let keys = Keys {
            channel: Some(c.channel),
            queue: c.queue,
            ..Keys::default()
        };
        out.point(keys, queued, fulfilled.millis_since(queued).max(0));
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
        definition: "Stays of inbound contacts in a queue: each time a contact entered a queue it was not already waiting in, counted in that queue on the date it entered. A contact that overflows or is transferred to another queue is offered there too. Stays still waiting at the end of the log are not counted yet.",
        choices: "Read per queue, as routing platforms count a conversation per routing to a queue (Dynamics, seed 000), so that every queue's figures answer to its own staffing. The alternative, until this version ccsim's reading, counts a contact once in the last queue it entered with its wait from its first queueing: the customer's view, which queue.flowed_out and queue.time_to_first_response keep within reach. A contact queued again in the queue it waits in (an offer declined) stays one stay. A contact a bot resolved never reached a queue.",
        measure: offered,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.answered",
        name: "Answered",
        definition: "Offered stays that ended with an agent taking the contact: accepting an offer of one of its sessions, on every channel (a call connects, a chat or message is taken). In a log without sessions, the agent's first response marks it.",
        choices: "The agent's accept, not the first reply, so an agent's writing time is not counted as waiting in the queue (until this version ccsim took the first reply). A chat an agent accepted and the customer left before the reply is answered here.",
        measure: answered,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.abandoned",
        name: "Abandoned",
        definition: "Offered stays that ended with the customer leaving before an agent took the contact.",
        choices: "A stay that ended otherwise unanswered (flowed out to another queue, a callback requested, forwarded outside, voicemail) is offered but neither answered nor abandoned.",
        measure: abandoned,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.short_abandoned",
        name: "Short abandons",
        definition: "Abandoned stays whose wait was shorter than the short-abandon limit (setting `short_abandon`, 5 s unless set): callers who hung up before anyone could have answered.",
        choices: "5 s is a common limit, others use 10 s; the same limit defines the short abandons left out of queue.service_level.over_offered_less_short_abandons and queue.abandon_rate.less_short_abandons.",
        measure: short_abandoned,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.flowed_out",
        name: "Flowed out",
        definition: "Offered stays that ended with the contact entering another queue before an agent took it: an overflow, or a transfer of a waiting contact.",
        choices: "Counted in the queue it left; the queue it entered counts a stay of its own.",
        measure: flowed_out,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.callbacks",
        name: "Callbacks requested",
        definition: "Offered stays that ended with the customer leaving the queue having asked to be called back (outcome callback_requested). The callback itself is a later outbound contact, outside the inbound queue figures.",
        choices: "Read as neither answered nor abandoned, so the service level over offered counts it as not answered within the threshold, and the abandonment rate leaves it out of its numerator. The alternative, which some platforms offer, drops callback requests from the service level's denominator or counts the callback's answer as the stay's: it would hide waits the customer did endure.",
        measure: callbacks,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.abandon_rate",
        name: "Abandonment rate",
        unit: Unit::Percent,
        aggregate: Aggregate::Ratio,
        section: "Erlang A probability of abandoning",
        definition: "Abandoned stays over offered stays.",
        choices: "Short abandons count; queue.abandon_rate.less_short_abandons leaves them out.",
        measure: abandon_rate,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.abandon_rate.less_short_abandons",
        name: "Abandonment rate (less short abandons)",
        unit: Unit::Percent,
        aggregate: Aggregate::Ratio,
        section: "Erlang A probability of abandoning",
        definition: "Abandoned stays less short abandons, over offered stays less short abandons (see queue.short_abandoned).",
        choices: "Short abandons are left out of both counts. The alternative divides every abandon by the offered less short abandons, which counts a short abandon in the numerator only.",
        measure: abandon_rate_less_short,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.wait_probability",
        name: "Probability of waiting",
        unit: Unit::Percent,
        section: "Erlang C probability of waiting",
        definition: "Share of offered stays not offered to an agent the instant they began: the contact found no agent free and waited in the queue, or was never offered at all.",
        choices: "Ringing is not queue time: a contact offered at once to an agent who takes a few seconds to accept has not waited (queue.ring_time measures the ringing). So it compares with Erlang C's P(wait) however long agents take to accept. In a log without offers, the answer is the offer.",
        measure: wait_probability,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.asa",
        name: "Average speed of answer",
        unit: Unit::Seconds,
        section: "Erlang C/A average speed of answer",
        definition: "Mean wait of answered stays, from entering the queue to the agent taking the contact (accepting its offer).",
        choices: "Ringing before the accept is included, as platforms measure speed to answer to the connect. Abandoned stays are left out (their wait is queue.time_to_abandon); queue.average_wait averages over every offered stay instead. Without abandonment the two agree.",
        measure: asa,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.average_wait",
        name: "Average wait (all offered)",
        unit: Unit::Seconds,
        section: "Erlang A average wait over all arrivals",
        definition: "Mean wait of every offered stay: until an agent took the contact, the customer left, or the stay otherwise ended.",
        choices: "By Little's law this times the offered rate is the mean number waiting.",
        measure: average_wait,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.time_to_abandon",
        name: "Average time to abandon",
        unit: Unit::Seconds,
        section: "Erlang A waiting time of abandoning callers",
        definition: "Mean wait of abandoned stays before the customer left.",
        choices: "",
        measure: time_to_abandon,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.ring_time",
        name: "Average ring time",
        unit: Unit::Seconds,
        section: "Offers and ringing",
        definition: "Mean time from the offer an agent accepted to the accept, over answered stays that had an offer.",
        choices: "Offers that were rejected or rang out are counted by queue.offers_rejected and queue.offers_timed_out, not averaged here.",
        measure: ring_time,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.offers_rejected",
        name: "Offers rejected",
        section: "Offers and ringing",
        definition: "Offers of contacts waiting in the queue that an agent rejected, counted in the stay's queue on the date the stay began.",
        choices: "",
        measure: offers_rejected,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.offers_timed_out",
        name: "Offers timed out",
        section: "Offers and ringing",
        definition: "Offers of contacts waiting in the queue that rang out unanswered, counted in the stay's queue on the date the stay began.",
        choices: "",
        measure: offers_timed_out,
        ..QUEUE_COUNT
    },
    MetricDef {
        id: "queue.service_level.over_answered",
        name: "Service level (of answered)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of entering the queue (setting `service_level`, 20 s unless set: the 80/20 convention's 20; `service_level.CHANNEL` sets a channel's own, as `service_level.chat=60s`), as a share of answered stays.",
        choices: "Abandoned stays count for nothing, so the figure rises when customers give up; compare the two variants beside it, which count them.",
        measure: sl_over_answered,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.service_level.over_offered",
        name: "Service level (of offered)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of entering the queue (setting `service_level`, or `service_level.CHANNEL` for the contact's channel), as a share of all offered stays (answered, abandoned, flowed out or otherwise ended).",
        choices: "The strictest variant: every abandon counts against it, however quick, and so does a stay that flowed out to another queue (some platforms leave flow-outs out of the denominator).",
        measure: sl_over_offered,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.service_level.over_offered_less_short_abandons",
        name: "Service level (of offered less short abandons)",
        unit: Unit::Percent,
        section: "Service level: which denominator",
        definition: "Answered within the threshold T of entering the queue (setting `service_level`, or `service_level.CHANNEL` for the contact's channel), as a share of offered stays less short abandons (see queue.short_abandoned).",
        choices: "The common compromise: callers who hung up before anyone could answer do not count against the center.",
        measure: sl_over_offered_less_short,
        ..QUEUE_MEAN
    },
    MetricDef {
        id: "queue.time_to_first_response",
        name: "Time to first response",
        unit: Unit::Seconds,
        section: "Speed of answer and first response",
        definition: "Per inbound contact that was queued and got an agent's response, from its first queueing to the first response that fulfilled it (a call: the agent connected; a message or email: the first reply was sent), counted once, in the last queue it entered, on the date it was first queued.",
        choices: "The customer's view across queues, and on messaging channels the accept plus the agent's writing time: queue.asa stops at the accept. Gladly's reply times (gladly.agent_reply_time) time every later reply from the customer's message instead.",
        measure: time_to_first_response,
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
