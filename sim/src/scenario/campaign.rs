//! Outbound campaigns: their attempt rate, the queue whose agents work them, the voice-only
//! settings (answer probability and ringing), expiry, and the customers who reply on an
//! inbound workstream.

use super::arrivals::rate_function;
use super::build::Context;
use super::check::{dist, optional_dist, positive_minutes, probability, Problem};
use super::queues::QueueChannels;
use super::workstream::returns;
use super::{Campaign, ChannelKind, Returns};
use crate::dist::{Dist, DistSpec};
use crate::locate::KeyPath;
use crate::spec::CampaignSpec;

/// How long an answered call rings when `ring` is not given, in seconds.
pub(super) const DEFAULT_RING_S: f64 = 0.0;

/// How long an unanswered call rings when `unanswered_ring` is not given, in seconds.
pub(super) const DEFAULT_UNANSWERED_RING_S: f64 = 30.0;

/// Checks campaign `name` and resolves its names.
pub(super) fn campaign(
    name: &str,
    campaign_spec: &CampaignSpec,
    context: &Context<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Campaign, Problem> {
    let at = KeyPath::of(&["campaigns", name]);
    let kind = ChannelKind::of(campaign_spec.channel);
    let attempts = rate_function(
        &campaign_spec.attempts,
        &at.key("attempts"),
        context,
        "attempts per hour",
    )?;
    let queue = context.names.queue(&campaign_spec.queue, at.key("queue"))?;
    channels.set(queue, campaign_spec.channel, at.key("queue"))?;
    check_voice_only(campaign_spec, kind, &at)?;
    let answer_probability = probability(
        campaign_spec.answer_probability.unwrap_or(1.0),
        at.key("answer_probability"),
    )?;
    let ring = ring_or(campaign_spec.ring.as_ref(), DEFAULT_RING_S, &at.key("ring"))?;
    let unanswered_ring = ring_or(
        campaign_spec.unanswered_ring.as_ref(),
        DEFAULT_UNANSWERED_RING_S,
        &at.key("unanswered_ring"),
    )?;
    let expire_ms = positive_minutes(campaign_spec.expire_after_min, at.key("expire_after_min"))?;
    let reply = reply(campaign_spec, &at, context)?;
    Ok(Campaign {
        name: name.to_string(),
        channel: campaign_spec.channel,
        kind,
        attempts,
        queue,
        answer_probability,
        ring,
        unanswered_ring,
        handle: dist(&campaign_spec.handle, &at.key("handle"))?,
        after_work: optional_dist(campaign_spec.after_work.as_ref(), &at.key("after_work"))?
            .filter(|after_work| !after_work.is_zero()),
        expire_ms,
        reply,
    })
}

/// A problem if a campaign on a channel other than voice sets a voice-only key.
fn check_voice_only(
    campaign_spec: &CampaignSpec,
    kind: ChannelKind,
    at: &KeyPath,
) -> Result<(), Problem> {
    if kind == ChannelKind::Voice {
        return Ok(());
    }
    let voice_only_keys = [
        (
            "answer_probability",
            campaign_spec.answer_probability.is_some(),
        ),
        ("ring", campaign_spec.ring.is_some()),
        ("unanswered_ring", campaign_spec.unanswered_ring.is_some()),
    ];
    match voice_only_keys.into_iter().find(|(_, set)| *set) {
        Some((key, _)) => Err(Problem::new(
            at.key(key),
            format!(
                "{} is not a voice channel: its contacts are a message, not a call; expected no `{key}`",
                campaign_spec.channel
            ),
        )),
        None => Ok(()),
    }
}

/// A ringing time: `ring` when given, else a constant `default_s` seconds.
pub(super) fn ring_or(
    ring: Option<&DistSpec>,
    default_s: f64,
    at: &KeyPath,
) -> Result<Dist, Problem> {
    match ring {
        Some(ring) => dist(ring, at),
        None => dist(&DistSpec::Constant { value_s: default_s }, at),
    }
}

/// `reply = {...}`: customers who answer back on an inbound workstream, which must be named.
fn reply(
    campaign_spec: &CampaignSpec,
    at: &KeyPath,
    context: &Context<'_>,
) -> Result<Option<Returns>, Problem> {
    let Some(reply_spec) = &campaign_spec.reply else {
        return Ok(None);
    };
    let reply_at = at.key("reply");
    let Some(workstream) = &reply_spec.workstream else {
        return Err(Problem::new(
            reply_at.key("workstream"),
            "missing; expected the inbound workstream replies arrive on",
        ));
    };
    let workstream_idx = context
        .names
        .workstream(workstream, reply_at.key("workstream"))?;
    returns(reply_spec, workstream_idx, &reply_at).map(Some)
}
