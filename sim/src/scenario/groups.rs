//! Agent groups and their agents: capacity, offer behaviour and episodes (Away, idle, Focus);
//! head counts; shifts read as local times of day and turned into each agent's logged-in
//! stretches over the horizon.

use ccsim_engine::time::{HOUR_MS, MINUTE_MS};
use chrono::{Datelike, NaiveDate, TimeZone};

use super::build::{Horizon, DAYS};
use super::check::{dist, non_negative, probability, Problem};
use super::{AgentDef, Away, Episode, Group, Offer, CHANNELS};
use crate::locate::KeyPath;
use crate::spec::{AwaySpec, EpisodeSpec, GroupSpec, ScenarioSpec, ShiftSpec};

/// Logged-in stretches `(start, end)` in ms.
type Stretches = Vec<(i64, i64)>;

/// The most agents a group or a shift may have.
const MAX_AGENTS: u32 = 100_000;

/// `[groups.NAME]`, in name order, and every agent of every group, with the checks across
/// groups: agent ids are distinct, and there is at least one agent.
pub(super) fn groups_and_agents(
    spec: &ScenarioSpec,
    horizon: &Horizon,
) -> Result<(Vec<Group>, Vec<AgentDef>), Problem> {
    let mut groups = Vec::new();
    let mut agents = Vec::new();
    for (name, group_spec) in &spec.groups {
        let at = KeyPath::of(&["groups", name]);
        let group_idx = groups.len();
        groups.push(group(name, group_spec, &at)?);
        for (id, shifts) in group_agents(name, group_spec, &at, horizon)? {
            agents.push(AgentDef {
                id,
                group: group_idx,
                shifts,
                queues: Vec::new(),
            });
        }
    }
    check_agent_ids(&groups, &agents)?;
    if agents.is_empty() {
        return Err(Problem::new(
            KeyPath::of(&["groups"]),
            "no agents; expected at least one group with agents",
        ));
    }
    Ok((groups, agents))
}

/// A problem if two agents get the same id (group and shift names can collide).
fn check_agent_ids(groups: &[Group], agents: &[AgentDef]) -> Result<(), Problem> {
    let mut ids: Vec<(&str, &str)> = agents
        .iter()
        .map(|agent| (agent.id.as_str(), groups[agent.group].name.as_str()))
        .collect();
    ids.sort_unstable();
    match ids.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        Some(pair) => Err(Problem::new(
            KeyPath::of(&["groups", pair[1].1]),
            format!(
                "agent id `{}` is made twice (from group and shift names); expected distinct names",
                pair[0].0
            ),
        )),
        None => Ok(()),
    }
}

/// Checks group `name` and resolves its settings.
fn group(name: &str, group_spec: &GroupSpec, at: &KeyPath) -> Result<Group, Problem> {
    let capacity = capacity(group_spec, at)?;
    let offer_at = at.key("offer");
    let offer_spec = &group_spec.offer;
    let weights = [
        probability(offer_spec.accept, offer_at.key("accept"))?,
        probability(offer_spec.reject, offer_at.key("reject"))?,
        probability(offer_spec.timeout, offer_at.key("timeout"))?,
    ];
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(Problem::new(
            offer_at.key("accept"),
            format!("accept + reject + timeout = {sum}; expected 1"),
        ));
    }
    let away = group_spec
        .away
        .as_ref()
        .map(|away_spec| away(away_spec, &at.key("away")))
        .transpose()?;
    let offer = Offer {
        weights,
        time_to_accept: dist(&offer_spec.time_to_accept, &offer_at.key("time_to_accept"))?,
        time_to_reject: dist(&offer_spec.time_to_reject, &offer_at.key("time_to_reject"))?,
    };
    Ok(Group {
        name: name.to_string(),
        capacity,
        offer,
        away,
        idle: episode(group_spec.idle.as_ref(), &at.key("idle"))?,
        focus: episode(group_spec.focus.as_ref(), &at.key("focus"))?,
        profile_views: group_spec.profile_views,
    })
}

/// `capacity = {...}`: contacts at once per channel, at least one channel above zero.
fn capacity(group_spec: &GroupSpec, at: &KeyPath) -> Result<[u8; CHANNELS], Problem> {
    let mut capacity = [0u8; CHANNELS];
    for (channel, contacts) in &group_spec.capacity {
        if *contacts > 64 {
            return Err(Problem::new(
                at.key("capacity").key(channel.name()),
                format!("{contacts} contacts at once is implausible; expected at most 64"),
            ));
        }
        capacity[*channel as usize] = *contacts as u8;
    }
    if capacity.iter().all(|contacts| *contacts == 0) {
        return Err(Problem::new(
            at.key("capacity"),
            "no channel with capacity; expected e.g. capacity = { phone = 1 }",
        ));
    }
    Ok(capacity)
}

/// `away = {...}`, its rate per millisecond.
fn away(away_spec: &AwaySpec, at: &KeyPath) -> Result<Away, Problem> {
    Ok(Away {
        rate: non_negative(
            away_spec.rate_per_h,
            at.key("rate_per_h"),
            "episodes per hour",
        )? / HOUR_MS as f64,
        duration: dist(&away_spec.duration, &at.key("duration"))?,
        reasons: away_spec.reasons.clone(),
    })
}

/// `idle = {...}` or `focus = {...}`, when given, its rate per millisecond.
fn episode(episode_spec: Option<&EpisodeSpec>, at: &KeyPath) -> Result<Option<Episode>, Problem> {
    episode_spec
        .map(|episode_spec| {
            Ok(Episode {
                rate: non_negative(
                    episode_spec.rate_per_h,
                    at.key("rate_per_h"),
                    "episodes per hour",
                )? / HOUR_MS as f64,
                duration: dist(&episode_spec.duration, &at.key("duration"))?,
            })
        })
        .transpose()
}

/// Each agent of group `name`, with their logged-in stretches over the horizon: the whole
/// horizon for `agents = N`, their shift's stretches for `shifts`.
fn group_agents(
    name: &str,
    group_spec: &GroupSpec,
    at: &KeyPath,
    horizon: &Horizon,
) -> Result<Vec<(String, Stretches)>, Problem> {
    check_head_counts(group_spec, at)?;
    match (group_spec.agents, group_spec.shifts.is_empty()) {
        (Some(n_agents), true) => Ok((1..=n_agents)
            .map(|number| {
                (
                    format!("{name}-{number}"),
                    vec![(horizon.start.millis(), i64::MAX)],
                )
            })
            .collect()),
        (None, false) => {
            let mut agents = Vec::new();
            for (shift_idx, shift) in group_spec.shifts.iter().enumerate() {
                let stretches =
                    shift_stretches(shift, &at.key("shifts").index(shift_idx), horizon)?;
                for number in 1..=shift.agents {
                    agents.push((format!("{name}-{}-{number}", shift.name), stretches.clone()));
                }
            }
            Ok(agents)
        }
        (Some(_), false) => Err(Problem::new(
            at.key("agents"),
            "both `agents` and `shifts` are set; expected `agents` for a group that works the whole horizon, or `shifts`",
        )),
        (None, true) => Err(Problem::new(
            at.clone(),
            "expected `agents = N` or `shifts = [...]`",
        )),
    }
}

/// A problem if the group or one of its shifts has an implausible number of agents.
fn check_head_counts(group_spec: &GroupSpec, at: &KeyPath) -> Result<(), Problem> {
    if let Some(n_agents) = group_spec.agents.filter(|n_agents| *n_agents > MAX_AGENTS) {
        return Err(Problem::new(
            at.key("agents"),
            format!("{n_agents} agents is implausible; expected at most {MAX_AGENTS}"),
        ));
    }
    if let Some(shift_idx) = group_spec
        .shifts
        .iter()
        .position(|shift| shift.agents > MAX_AGENTS)
    {
        return Err(Problem::new(
            at.key("shifts").index(shift_idx).key("agents"),
            format!(
                "{} agents is implausible; expected at most {MAX_AGENTS}",
                group_spec.shifts[shift_idx].agents
            ),
        ));
    }
    Ok(())
}

/// The logged-in stretches of one shift over the horizon, in time order, overlaps merged.
fn shift_stretches(
    shift: &ShiftSpec,
    at: &KeyPath,
    horizon: &Horizon,
) -> Result<Stretches, Problem> {
    let from = minute_of_day(&shift.start, at.key("start"))?;
    let to = minute_of_day(&shift.end, at.key("end"))?;
    if from == to {
        return Err(Problem::new(
            at.key("end"),
            "the shift has no length; expected an end different from the start",
        ));
    }
    if shift.days.is_empty() {
        return Err(Problem::new(
            at.key("days"),
            "no days; expected e.g. [\"mon\", \"tue\"]",
        ));
    }
    let length_ms = i64::from((to + 24 * 60 - from) % (24 * 60)) * MINUTE_MS;
    let mut stretches = Vec::new();
    // Every local day from the day before the horizon to its end.
    let mut date = horizon
        .zone
        .from_utc_datetime(&horizon.start.to_utc().naive_utc())
        .date_naive()
        .pred_opt()
        .unwrap_or_default();
    loop {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        let Some(day_start) = horizon.zone.from_local_datetime(&midnight).earliest() else {
            date = date.succ_opt().unwrap_or(date);
            continue;
        };
        if day_start.timestamp_millis() >= horizon.end.millis() {
            break;
        }
        if let Some(stretch) = stretch_on(date, shift, from, length_ms, horizon) {
            stretches.push(stretch);
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    Ok(merge(stretches))
}

/// The stretch of a shift starting on local `date` at minute `from` and lasting `length_ms`,
/// clipped to the horizon, if the shift works that day and something is left of it.
fn stretch_on(
    date: NaiveDate,
    shift: &ShiftSpec,
    from: u32,
    length_ms: i64,
    horizon: &Horizon,
) -> Option<(i64, i64)> {
    let day = DAYS[date.weekday().num_days_from_monday() as usize];
    if !shift.days.contains(&day) {
        return None;
    }
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = midnight + chrono::Duration::minutes(i64::from(from));
    let start = horizon.zone.from_local_datetime(&local).earliest()?;
    let start_ms = start.timestamp_millis();
    let end_ms = start_ms + length_ms;
    let (start_ms, end_ms) = (
        start_ms.max(horizon.start.millis()),
        end_ms.min(horizon.end.millis()),
    );
    (start_ms < end_ms).then_some((start_ms, end_ms))
}

/// `stretches` sorted, with the overlapping and touching ones merged.
fn merge(mut stretches: Stretches) -> Stretches {
    stretches.sort_unstable();
    let mut merged: Stretches = Vec::new();
    for (start, end) in stretches {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The minute of the day of `text`, a local time `HH:MM`.
fn minute_of_day(text: &str, key: KeyPath) -> Result<u32, Problem> {
    let bad = || {
        Problem::new(
            key.clone(),
            format!("`{text}` is not a time of day; expected HH:MM, e.g. 08:30"),
        )
    };
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    let hours: u32 = hours.parse().map_err(|_| bad())?;
    let minutes: u32 = minutes.parse().map_err(|_| bad())?;
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    Ok(hours * 60 + minutes)
}
