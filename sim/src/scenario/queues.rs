//! Queues: the channel each one holds, which is set by what leads into it (workstreams, bot
//! escalations, campaigns, transfers, overflow); then each queue resolved with the agents who
//! can serve it, and each agent's list of queues, best first.

use ccsim_engine::event::Channel;
use ccsim_engine::time::SECOND_MS;

use super::campaign::{ring_or, DEFAULT_RING_S, DEFAULT_UNANSWERED_RING_S};
use super::check::{find, millis, non_negative, positive, probability, Names, Problem};
use super::{AgentDef, Callback, ChannelKind, Group, Queue};
use crate::locate::KeyPath;
use crate::spec::{GroupSpec, QueueSpec, ScenarioSpec};

/// The channel each queue holds, set by what leads into it, and the key that first set it.
pub(super) struct QueueChannels<'a> {
    /// Queue names, in name order.
    names: &'a [&'a String],
    /// Per queue: its channel and the key that set it, once something leads into it.
    by_queue: Vec<Option<(Channel, KeyPath)>>,
}

impl<'a> QueueChannels<'a> {
    /// No queue has a channel yet.
    pub(super) fn new(names: &'a [&'a String]) -> QueueChannels<'a> {
        QueueChannels {
            names,
            by_queue: vec![None; names.len()],
        }
    }

    /// Records that `key` sends `channel` contacts to queue `queue_idx`; a problem if the
    /// queue already holds another channel.
    pub(super) fn set(
        &mut self,
        queue_idx: usize,
        channel: Channel,
        key: KeyPath,
    ) -> Result<(), Problem> {
        match &self.by_queue[queue_idx] {
            None => {
                self.by_queue[queue_idx] = Some((channel, key));
                Ok(())
            }
            Some((have, first)) if *have != channel => Err(Problem::new(
                key,
                format!(
                    "queue `{}` would hold {channel} contacts, but `{first}` already sends it {have} contacts; expected one channel per queue",
                    self.names[queue_idx]
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    /// The channel of queue `queue_idx`, once something leads into it.
    pub(super) fn get(&self, queue_idx: usize) -> Option<Channel> {
        self.by_queue[queue_idx]
            .as_ref()
            .map(|(channel, _)| *channel)
    }
}

/// Checks every `overflow` and carries each queue's channel to the queue it overflows into.
pub(super) fn follow_overflows(
    spec: &ScenarioSpec,
    names: &Names<'_>,
    channels: &mut QueueChannels<'_>,
) -> Result<(), Problem> {
    for (from_idx, (name, queue_spec)) in spec.queues.iter().enumerate() {
        let Some(overflow) = &queue_spec.overflow else {
            continue;
        };
        let at = KeyPath::of(&["queues", name, "overflow", "to"]);
        let to_idx = names.queue(&overflow.to, at.clone())?;
        if to_idx == from_idx {
            return Err(Problem::new(
                at,
                "a queue cannot overflow into itself; expected another queue",
            ));
        }
        if let Some(channel) = channels.get(from_idx) {
            channels.set(to_idx, channel, at)?;
        }
    }
    // Overflow chains may set channels in any order: settle them.
    for _ in 0..names.queues.len() {
        for (from_idx, (name, queue_spec)) in spec.queues.iter().enumerate() {
            let Some(overflow) = &queue_spec.overflow else {
                continue;
            };
            let to_idx = find(&names.queues, &overflow.to);
            if let (Some(channel), Some(to_idx)) = (channels.get(from_idx), to_idx) {
                channels.set(
                    to_idx,
                    channel,
                    KeyPath::of(&["queues", name, "overflow", "to"]),
                )?;
            }
        }
    }
    Ok(())
}

/// `[queues.NAME]`, in name order, once every channel is known and every agent made.
pub(super) fn queues(
    spec: &ScenarioSpec,
    names: &Names<'_>,
    channels: &QueueChannels<'_>,
    groups: &[Group],
    agents: &[AgentDef],
) -> Result<Vec<Queue>, Problem> {
    let group_specs: Vec<&GroupSpec> = spec.groups.values().collect();
    let staff = Staff {
        groups,
        group_specs: &group_specs,
        agents,
    };
    spec.queues
        .iter()
        .enumerate()
        .map(|(queue_idx, (name, queue_spec))| {
            let at = KeyPath::of(&["queues", name]);
            let Some(channel) = channels.get(queue_idx) else {
                return Err(Problem::new(
                    at,
                    "nothing leads into this queue (no workstream, bot escalation, campaign, overflow or transfer names it); expected it to be used, or removed",
                ));
            };
            let eligible = staff.eligible(queue_spec, channel);
            if eligible.is_empty() {
                return Err(Problem::new(
                    at.key("skills"),
                    format!(
                        "queue `{name}` is unreachable: no agent group has the skills [{}] and capacity on {channel}; expected at least one",
                        queue_spec.skills.join(", ")
                    ),
                ));
            }
            Ok(Queue {
                name: name.clone(),
                channel,
                priority: queue_spec.priority,
                overflow: overflow(queue_spec, names, &at)?,
                callback: callback(queue_spec, channel, &at)?,
                eligible,
            })
        })
        .collect()
}

/// Adds to each agent the queues they can serve, then orders them: higher queue priority
/// first, then the agent's preference rank, then the queue's position.
pub(super) fn give_agents_their_queues(queues: &[Queue], agents: &mut [AgentDef]) {
    for (queue_idx, queue) in queues.iter().enumerate() {
        for &(agent_idx, rank) in &queue.eligible {
            agents[agent_idx as usize].queues.push((queue_idx, rank));
        }
    }
    for agent in agents {
        agent
            .queues
            .sort_by_key(|&(queue_idx, rank)| (-queues[queue_idx].priority, rank, queue_idx));
    }
}

/// The groups and agents, with each group's spec (for its skills), aligned by index.
struct Staff<'a> {
    groups: &'a [Group],
    group_specs: &'a [&'a GroupSpec],
    agents: &'a [AgentDef],
}

impl Staff<'_> {
    /// The agents who can take `queue_spec`'s contacts on `channel`, with their preference
    /// rank for it: the position of the first of its skills in their group's list.
    fn eligible(&self, queue_spec: &QueueSpec, channel: Channel) -> Vec<(u32, u32)> {
        let mut eligible = Vec::new();
        for (agent_idx, agent) in self.agents.iter().enumerate() {
            let group_spec = self.group_specs[agent.group];
            if self.groups[agent.group].capacity[channel as usize] == 0 {
                continue;
            }
            if !queue_spec
                .skills
                .iter()
                .all(|skill| group_spec.skills.contains(skill))
            {
                continue;
            }
            let rank = queue_spec
                .skills
                .iter()
                .filter_map(|skill| group_spec.skills.iter().position(|have| have == skill))
                .min()
                .unwrap_or(group_spec.skills.len()) as u32;
            eligible.push((agent_idx as u32, rank));
        }
        eligible
    }
}

/// A queue's `callback`: offered after how long, taken how often, and how the call back
/// rings; only on a voice queue.
fn callback(
    queue_spec: &QueueSpec,
    channel: Channel,
    at: &KeyPath,
) -> Result<Option<Callback>, Problem> {
    let Some(callback) = &queue_spec.callback else {
        return Ok(None);
    };
    let at = at.key("callback");
    if ChannelKind::of(channel) != ChannelKind::Voice {
        return Err(Problem::new(
            at,
            format!("this queue holds {channel} contacts; expected a callback only on a voice queue (phone, voice_call, video)"),
        ));
    }
    let after_s = non_negative(callback.after_s, at.key("after_s"), "seconds")?;
    Ok(Some(Callback {
        after_ms: millis(after_s, SECOND_MS),
        accept_probability: probability(callback.accept_probability, at.key("accept_probability"))?,
        answer_probability: probability(
            callback.answer_probability.unwrap_or(1.0),
            at.key("answer_probability"),
        )?,
        ring: ring_or(callback.ring.as_ref(), DEFAULT_RING_S, &at.key("ring"))?,
        unanswered_ring: ring_or(
            callback.unanswered_ring.as_ref(),
            DEFAULT_UNANSWERED_RING_S,
            &at.key("unanswered_ring"),
        )?,
    }))
}

/// A queue's `overflow`: after how long, in milliseconds, and to which queue.
fn overflow(
    queue_spec: &QueueSpec,
    names: &Names<'_>,
    at: &KeyPath,
) -> Result<Option<(i64, usize)>, Problem> {
    let Some(overflow) = &queue_spec.overflow else {
        return Ok(None);
    };
    let after_s = positive(
        overflow.after_s,
        at.key("overflow").key("after_s"),
        "seconds",
    )?;
    // `follow_overflows` has checked the name.
    let to_idx = find(&names.queues, &overflow.to).unwrap_or(0);
    Ok(Some((millis(after_s, SECOND_MS), to_idx)))
}
