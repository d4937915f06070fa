//! Building a [`Scenario`] from its spec, one step per part of the file: the horizon, the
//! platform, bots, workstreams, campaigns, the channel of every queue, groups and their agents,
//! then queues and who serves them. The steps run in this order, and each part's checks run
//! in the order of its keys: when a file has several problems, the order decides which one is
//! reported, so it is part of the behaviour.

use std::path::Path;

use ccsim_engine::time::{Instant, HOUR_MS, SECOND_MS};
use chrono_tz::Tz;

use super::check::{
    dist, millis, non_negative, positive, positive_minutes, probability, Names, Problem,
};
use super::queues::{self, QueueChannels};
use super::{campaign, groups, workstream};
use super::{Bot, Campaign, Platform, Scenario, Workstream};
use crate::dist::fnv1a;
use crate::locate::KeyPath;
use crate::spec::{BotSpec, Day, HorizonSpec, PlatformSpec, ScenarioSpec};

/// The days of the week, Monday first, as `chrono`'s `num_days_from_monday` counts them.
pub(super) const DAYS: [Day; 7] = [
    Day::Mon,
    Day::Tue,
    Day::Wed,
    Day::Thu,
    Day::Fri,
    Day::Sat,
    Day::Sun,
];

/// When the simulation runs, and the zone its schedules are written in.
#[derive(Clone, Copy, Debug)]
pub(super) struct Horizon {
    /// First instant.
    pub(super) start: Instant,
    /// First instant after the horizon.
    pub(super) end: Instant,
    /// End of the warm-up.
    pub(super) warmup_end: Instant,
    /// The zone of shifts and profiles.
    pub(super) zone: Tz,
}

/// What workstreams and campaigns are checked against: the file, its horizon, the names it
/// defines and the bots already built.
pub(super) struct Context<'a> {
    /// The whole file.
    pub(super) spec: &'a ScenarioSpec,
    /// When the simulation runs.
    pub(super) horizon: &'a Horizon,
    /// The names the file defines.
    pub(super) names: &'a Names<'a>,
    /// The bots, in name order.
    pub(super) bots: &'a [Bot],
}

/// Checks `spec` (the text of `file`) and builds the scenario it describes.
pub(super) fn build(spec: &ScenarioSpec, text: &str, file: &str) -> Result<Scenario, Problem> {
    let horizon = horizon(&spec.horizon)?;
    let platform = platform(&spec.platform)?;
    let names = Names::of(spec);
    if names.workstreams.is_empty() && spec.campaigns.is_empty() {
        return Err(Problem::new(
            KeyPath::of(&["workstreams"]),
            "no workstreams and no campaigns; expected at least one",
        ));
    }
    // The channel each queue holds is set by what leads into it.
    let mut channels = QueueChannels::new(&names.queues);
    let bots = bots(spec, &names)?;
    let context = Context {
        spec,
        horizon: &horizon,
        names: &names,
        bots: &bots,
    };
    let workstreams = workstreams(&context, &mut channels)?;
    let campaigns = campaigns(&context, &mut channels)?;
    queues::follow_overflows(spec, &names, &mut channels)?;
    let (groups, mut agents) = groups::groups_and_agents(spec, &horizon)?;
    let queues = queues::queues(spec, &names, &channels, &groups, &agents)?;
    queues::give_agents_their_queues(&queues, &mut agents);
    Ok(Scenario {
        name: scenario_name(spec, file),
        file: file.to_string(),
        hash: fnv1a(text.as_bytes()),
        start: horizon.start,
        end: horizon.end,
        warmup_end: horizon.warmup_end,
        zone: horizon.zone,
        platform,
        workstreams,
        campaigns,
        bots,
        queues,
        groups,
        agents,
        overrides: Vec::new(),
    })
}

/// `name`, else the file name without its extension.
fn scenario_name(spec: &ScenarioSpec, file: &str) -> String {
    spec.name.clone().unwrap_or_else(|| {
        Path::new(file).file_stem().map_or_else(
            || file.to_string(),
            |stem| stem.to_string_lossy().into_owned(),
        )
    })
}

/// `[horizon]`: its zone, start, length and warm-up.
fn horizon(horizon_spec: &HorizonSpec) -> Result<Horizon, Problem> {
    let at = KeyPath::of(&["horizon"]);
    let zone: Tz = horizon_spec.time_zone.parse().map_err(|_| {
        Problem::new(
            at.key("time_zone"),
            format!(
                "`{}` is not an IANA time zone; expected a name such as Europe/Paris or UTC",
                horizon_spec.time_zone
            ),
        )
    })?;
    let start = Instant::parse_flexible(&horizon_spec.start, zone).map_err(|error| {
        Problem::new(
            at.key("start"),
            format!("{error}; expected RFC 3339 or a local date and time such as 2024-03-04T00:00"),
        )
    })?;
    let length_h = horizon_spec.length_h;
    if !(length_h.is_finite() && length_h > 0.0 && length_h <= 24.0 * 366.0 * 10.0) {
        return Err(Problem::new(
            at.key("length_h"),
            format!("{length_h} is out of range; expected hours > 0 (at most ten years)"),
        ));
    }
    let warmup_h = non_negative(horizon_spec.warmup_h, at.key("warmup_h"), "hours")?;
    if warmup_h >= length_h {
        return Err(Problem::new(
            at.key("warmup_h"),
            format!("{warmup_h} is not shorter than the horizon ({length_h} h); expected less"),
        ));
    }
    Ok(Horizon {
        start,
        end: start.plus_millis(millis(length_h, HOUR_MS)),
        warmup_end: start.plus_millis(millis(warmup_h, HOUR_MS)),
        zone,
    })
}

/// `[platform]`, in milliseconds.
fn platform(platform_spec: &PlatformSpec) -> Result<Platform, Problem> {
    let at = KeyPath::of(&["platform"]);
    let offer_timeout_s = positive(
        platform_spec.offer_timeout_s,
        at.key("offer_timeout_s"),
        "seconds",
    )?;
    let auto_away_ms = positive_minutes(
        platform_spec.auto_away_after_min,
        at.key("auto_away_after_min"),
    )?;
    let auto_logout_ms = positive_minutes(
        platform_spec.auto_logout_after_min,
        at.key("auto_logout_after_min"),
    )?;
    if let (Some(away_ms), Some(logout_ms)) = (auto_away_ms, auto_logout_ms) {
        if logout_ms <= away_ms {
            return Err(Problem::new(
                at.key("auto_logout_after_min"),
                "is not longer than auto_away_after_min; expected the logout threshold after the Away threshold",
            ));
        }
    }
    let reopen_window_h = non_negative(
        platform_spec.reopen_window_h,
        at.key("reopen_window_h"),
        "hours",
    )?;
    let same_agent_ms = platform_spec
        .same_agent_limit_h
        .map(|hours| {
            non_negative(hours, at.key("same_agent_limit_h"), "hours")
                .map(|hours| millis(hours, HOUR_MS))
        })
        .transpose()?;
    Ok(Platform {
        offer_timeout_ms: millis(offer_timeout_s, SECOND_MS),
        auto_away_ms,
        auto_logout_ms,
        reopen_window_ms: millis(reopen_window_h, HOUR_MS),
        same_agent_ms,
    })
}

/// `[bots.NAME]`, in name order. They come before workstreams, which refer to them.
fn bots(spec: &ScenarioSpec, names: &Names<'_>) -> Result<Vec<Bot>, Problem> {
    spec.bots
        .iter()
        .map(|(name, bot_spec)| bot(name, bot_spec, names))
        .collect()
}

/// Checks bot `name` and resolves the queue it escalates to.
fn bot(name: &str, bot_spec: &BotSpec, names: &Names<'_>) -> Result<Bot, Problem> {
    let at = KeyPath::of(&["bots", name]);
    let escalate_to = names.queue(&bot_spec.escalate_to, at.key("escalate_to"))?;
    let session_window_h = positive(
        bot_spec.session_window_h,
        at.key("session_window_h"),
        "hours",
    )?;
    Ok(Bot {
        name: name.to_string(),
        version: bot_spec.version.clone(),
        handle: dist(&bot_spec.handle, &at.key("handle"))?,
        resolve_probability: probability(
            bot_spec.resolve_probability,
            at.key("resolve_probability"),
        )?,
        escalate_to,
        session_window_ms: millis(session_window_h, HOUR_MS),
        ticket_probability: probability(bot_spec.ticket_probability, at.key("ticket_probability"))?,
    })
}

/// `[workstreams.NAME]`, in name order.
fn workstreams(
    context: &Context<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Vec<Workstream>, Problem> {
    context
        .spec
        .workstreams
        .iter()
        .map(|(name, workstream_spec)| {
            workstream::workstream(name, workstream_spec, context, channels)
        })
        .collect()
}

/// `[campaigns.NAME]`, in name order.
fn campaigns(
    context: &Context<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<Vec<Campaign>, Problem> {
    context
        .spec
        .campaigns
        .iter()
        .map(|(name, campaign_spec)| campaign::campaign(name, campaign_spec, context, channels))
        .collect()
}
