//! Workstreams: where their contacts go first (a queue or a bot), how they are handled on
//! their channel's kind (talk time, messages, holds and consults for voice), their transfers
//! and the customers who come back (after a close, or after abandoning).

use super::arrivals::rate_function;
use super::build::Context;
use super::check::{dist, find, non_negative, optional_dist, probability, Names, Problem};
use super::queues::QueueChannels;
use super::{ChannelKind, Consult, Entry, Messages, Returns, Transfer, Workstream};
use crate::dist::Dist;
use crate::locate::KeyPath;
use crate::spec::{ReturnSpec, TransferTo, WorkstreamSpec};

/// Checks workstream `name` and resolves its names.
pub(super) fn workstream(
    name: &str,
    workstream_spec: &WorkstreamSpec,
    context: &Context<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Workstream, Problem> {
    let at = KeyPath::of(&["workstreams", name]);
    let kind = ChannelKind::of(workstream_spec.channel);
    let arrivals = rate_function(
        &workstream_spec.arrivals,
        &at.key("arrivals"),
        context,
        "arrivals per hour",
    )?;
    let entry = entry(workstream_spec, &at, context, channels)?;
    let patience = optional_dist(workstream_spec.patience.as_ref(), &at.key("patience"))?;
    let handle = optional_dist(workstream_spec.handle.as_ref(), &at.key("handle"))?;
    let after_work = optional_dist(workstream_spec.after_work.as_ref(), &at.key("after_work"))?
        .filter(|after_work| !after_work.is_zero());
    let messages = messages(workstream_spec, kind, &at)?;
    check_handle(workstream_spec, kind, handle.as_ref(), &at)?;
    let hold = hold(workstream_spec, kind, &at)?;
    let consult = consult(workstream_spec, kind, &at)?;
    let transfers = transfers(workstream_spec, &at, context.names, channels)?;
    let come_back = |key: &str, return_spec: Option<&ReturnSpec>| {
        return_spec
            .map(|return_spec| {
                let returns_at = at.key(key);
                let workstream_idx = match &return_spec.workstream {
                    Some(other) => context
                        .names
                        .workstream(other, returns_at.key("workstream"))?,
                    None => find(&context.names.workstreams, name).unwrap_or(0),
                };
                returns(return_spec, workstream_idx, &returns_at)
            })
            .transpose()
    };
    let returns = come_back("returns", workstream_spec.returns.as_ref())?;
    let retrials = come_back("retrials", workstream_spec.retrials.as_ref())?;
    Ok(Workstream {
        name: name.to_string(),
        channel: workstream_spec.channel,
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
        retrials,
    })
}

/// Customers who come back on workstream `workstream_idx` (`returns` of a workstream, `reply`
/// of a campaign), checked at `at`.
pub(super) fn returns(
    return_spec: &ReturnSpec,
    workstream_idx: usize,
    at: &KeyPath,
) -> Result<Returns, Problem> {
    Ok(Returns {
        probability: probability(return_spec.probability, at.key("probability"))?,
        delay: dist(&return_spec.delay, &at.key("delay"))?,
        workstream: workstream_idx,
    })
}

/// Where the workstream's contacts go first: exactly one of `queue` and `bot`.
fn entry(
    workstream_spec: &WorkstreamSpec,
    at: &KeyPath,
    context: &Context<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Entry, Problem> {
    let channel = workstream_spec.channel;
    match (&workstream_spec.queue, &workstream_spec.bot) {
        (Some(queue), None) => {
            let queue_idx = context.names.queue(queue, at.key("queue"))?;
            channels.set(queue_idx, channel, at.key("queue"))?;
            Ok(Entry::Queue(queue_idx))
        }
        (None, Some(bot)) => {
            let bot_idx = context.names.bot(bot, at.key("bot"))?;
            // Every workstream a bot answers is on the channel of its escalation queue.
            channels.set(context.bots[bot_idx].escalate_to, channel, at.key("bot"))?;
            Ok(Entry::Bot(bot_idx))
        }
        (Some(_), Some(_)) => Err(Problem::new(
            at.key("bot"),
            "both `queue` and `bot` are set; expected one (a bot escalates to its own queue)",
        )),
        (None, None) => Err(Problem::new(
            at.clone(),
            "neither `queue` nor `bot` is set; expected where contacts go",
        )),
    }
}

/// `messages = {...}`: required on messaging channels, refused on the others.
fn messages(
    workstream_spec: &WorkstreamSpec,
    kind: ChannelKind,
    at: &KeyPath,
) -> Result<Option<Messages>, Problem> {
    let channel = workstream_spec.channel;
    match (&workstream_spec.messages, kind) {
        (Some(messages_spec), ChannelKind::Messaging) => {
            let messages_at = at.key("messages");
            let exchanges_mean = non_negative(
                messages_spec.exchanges_mean,
                messages_at.key("exchanges_mean"),
                "exchanges",
            )?;
            Ok(Some(Messages {
                first_reply: dist(&messages_spec.first_reply, &messages_at.key("first_reply"))?,
                more: exchanges_mean / (1.0 + exchanges_mean),
                customer_reply: dist(
                    &messages_spec.customer_reply,
                    &messages_at.key("customer_reply"),
                )?,
                agent_reply: dist(&messages_spec.agent_reply, &messages_at.key("agent_reply"))?,
            }))
        }
        (Some(_), _) => Err(Problem::new(
            at.key("messages"),
            format!("{channel} is not a messaging channel; expected `handle` instead"),
        )),
        (None, ChannelKind::Messaging) => Err(Problem::new(
            at.key("messages"),
            format!("missing: {channel} is a messaging channel; expected `messages = {{ first_reply = ..., customer_reply = ..., agent_reply = ... }}`"),
        )),
        (None, _) => Ok(None),
    }
}

/// A problem if `handle` is given on a messaging channel, or missing on another.
fn check_handle(
    workstream_spec: &WorkstreamSpec,
    kind: ChannelKind,
    handle: Option<&Dist>,
    at: &KeyPath,
) -> Result<(), Problem> {
    let channel = workstream_spec.channel;
    match (kind, handle) {
        (ChannelKind::Messaging, Some(_)) => Err(Problem::new(
            at.key("handle"),
            format!("{channel} is a messaging channel: its handling is `messages`; expected no `handle`"),
        )),
        (ChannelKind::Voice | ChannelKind::Async, None) => Err(Problem::new(
            at.key("handle"),
            format!("missing; expected the handling time of {channel} contacts, e.g. {{ dist = \"exponential\", mean_s = 180 }}"),
        )),
        _ => Ok(()),
    }
}

/// `hold = {...}`, for voice channels only: its probability and duration.
fn hold(
    workstream_spec: &WorkstreamSpec,
    kind: ChannelKind,
    at: &KeyPath,
) -> Result<Option<(f64, Dist)>, Problem> {
    match &workstream_spec.hold {
        Some(hold_spec) if kind == ChannelKind::Voice => Ok(Some((
            probability(hold_spec.probability, at.key("hold").key("probability"))?,
            dist(&hold_spec.duration, &at.key("hold").key("duration"))?,
        ))),
        Some(_) => Err(Problem::new(
            at.key("hold"),
            format!(
                "holds are for voice channels, not {}",
                workstream_spec.channel
            ),
        )),
        None => Ok(None),
    }
}

/// `consult = {...}`, for voice channels only.
fn consult(
    workstream_spec: &WorkstreamSpec,
    kind: ChannelKind,
    at: &KeyPath,
) -> Result<Option<Consult>, Problem> {
    match &workstream_spec.consult {
        Some(consult_spec) if kind == ChannelKind::Voice => {
            let consult_at = at.key("consult");
            Ok(Some(Consult {
                probability: probability(consult_spec.probability, consult_at.key("probability"))?,
                duration: dist(&consult_spec.duration, &consult_at.key("duration"))?,
                reject_probability: probability(
                    consult_spec.reject_probability,
                    consult_at.key("reject_probability"),
                )?,
                time_to_reject: dist(
                    &consult_spec.time_to_reject,
                    &consult_at.key("time_to_reject"),
                )?,
            }))
        }
        Some(_) => Err(Problem::new(
            at.key("consult"),
            format!(
                "consults are for voice channels, not {}",
                workstream_spec.channel
            ),
        )),
        None => Ok(None),
    }
}

/// `transfers = [...]`, each with its probability; they add up to at most 1.
fn transfers(
    workstream_spec: &WorkstreamSpec,
    at: &KeyPath,
    names: &Names<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Vec<(f64, Transfer)>, Problem> {
    let mut transfers = Vec::new();
    let mut total = 0.0;
    for (transfer_idx, transfer_spec) in workstream_spec.transfers.iter().enumerate() {
        let transfer_at = at.key("transfers").index(transfer_idx);
        let share = probability(transfer_spec.probability, transfer_at.key("probability"))?;
        total += share;
        let target = match (transfer_spec.to, &transfer_spec.queue) {
            (TransferTo::Queue, Some(queue)) => {
                let queue_idx = names.queue(queue, transfer_at.key("queue"))?;
                channels.set(queue_idx, workstream_spec.channel, transfer_at.key("queue"))?;
                Transfer::Queue(queue_idx)
            }
            (TransferTo::Queue, None) => {
                return Err(Problem::new(
                    transfer_at.key("queue"),
                    "missing; expected the queue to transfer to",
                ))
            }
            (_, Some(_)) => {
                return Err(Problem::new(
                    transfer_at.key("queue"),
                    "only `to = \"queue\"` takes a queue",
                ))
            }
            (TransferTo::Agent, None) => Transfer::Agent,
            (TransferTo::Outside, None) => Transfer::Outside,
        };
        transfers.push((share, target));
    }
    if total > 1.0 + 1e-9 {
        return Err(Problem::new(
            at.key("transfers"),
            format!("the probabilities add up to {total}; expected at most 1"),
        ));
    }
    Ok(transfers)
}
