//! Agents: shifts, logging in and out, availability, capacity taken and given back, and the
//! customer profiles they have open.

use ccsim_engine::event::{Channel, EventKind, Trigger};

use super::absences::Recurring;
use super::ids::Id;
use super::index::{AgentIdx, Idx};
use super::{Activation, Output, Sim, SimError};
use crate::scenario::{Group, CHANNELS};

/// What an agent waits to do once their work is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pending {
    None,
    Away,
    Idle,
    Logout,
}

/// Away set by the agent, or by the platform after inactivity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AwayKind {
    No,
    Manual,
    Auto,
}

/// One agent's state (the scenario holds their definition).
#[derive(Clone, Debug)]
pub(super) struct Agent {
    /// Their group, in the scenario's `groups`.
    pub(super) group: usize,
    pub(super) logged_in: bool,
    pub(super) in_shift: bool,
    /// The shift to come next, in their definition's `shifts`.
    pub(super) next_shift: usize,
    pub(super) available: bool,
    pub(super) away: AwayKind,
    pub(super) focus: bool,
    /// Away from the desk in an idle stretch (not Away in the platform's sense).
    pub(super) absent: bool,
    /// When they were last active [ms]: the start of their current idle stretch (the end of
    /// their last real work), which the platform's idle rules measure from.
    pub(super) last_active_ms: i64,
    pub(super) pending: Pending,
    /// Contacts they handle, per channel.
    pub(super) load: [u8; CHANNELS],
    /// Contacts they handle, all channels.
    pub(super) load_total: u32,
    /// When their load last went down, or they came back [ms]: routing prefers the agent
    /// free longest.
    pub(super) free_since_ms: i64,
    /// Generation of episode timers (away, idle, focus starts and ends).
    pub(super) episode_gen: u32,
    /// Generation of the current absence's timers.
    pub(super) absence_gen: u32,
    /// Customers whose profile the agent has open (by number), with how many contacts keep
    /// it open.
    pub(super) profiles: Vec<(u64, u32)>,
}

impl Agent {
    /// An agent of `group`, logged out, at `start_ms`.
    pub(super) fn new(group: usize, start_ms: i64) -> Agent {
        Agent {
            group,
            logged_in: false,
            in_shift: false,
            next_shift: 0,
            available: false,
            away: AwayKind::No,
            focus: false,
            absent: false,
            last_active_ms: start_ms,
            pending: Pending::None,
            load: [0; CHANNELS],
            load_total: 0,
            free_since_ms: start_ms,
            episode_gen: 0,
            absence_gen: 0,
            profiles: Vec::new(),
        }
    }

    /// One more contact on `channel`.
    pub(super) fn take_capacity(&mut self, channel: Channel) {
        self.load[channel as usize] += 1;
        self.load_total += 1;
    }
}

impl<'s, O: Output> Sim<'s, O> {
    /// The agent's group.
    pub(super) fn group_of(&self, agent: AgentIdx) -> &'s Group {
        &self.scenario.groups[self.agents[agent].group]
    }

    /// The agent opens the customer's profile, or keeps it open for one more contact.
    pub(super) fn open_profile(&mut self, agent: AgentIdx, customer: Id) -> Result<(), SimError> {
        let profiles = &mut self.agents[agent].profiles;
        if let Some(open) = profiles.iter_mut().find(|p| p.0 == customer.number) {
            open.1 += 1;
            return Ok(());
        }
        profiles.push((customer.number, 1));
        self.emit(EventKind::ProfileViewStarted {
            agent: self.agent_id(agent),
            customer: customer.as_str(),
        })
    }

    /// One contact fewer keeps the customer's profile open; the last closes it.
    pub(super) fn close_profile(&mut self, agent: AgentIdx, customer: Id) -> Result<(), SimError> {
        let profiles = &mut self.agents[agent].profiles;
        let Some(i) = profiles.iter().position(|p| p.0 == customer.number) else {
            return Ok(());
        };
        profiles[i].1 -= 1;
        if profiles[i].1 > 0 {
            return Ok(());
        }
        profiles.swap_remove(i);
        self.emit(EventKind::ProfileViewEnded {
            agent: self.agent_id(agent),
            customer: customer.as_str(),
        })
    }

    /// The agent has one contact fewer on `channel`, from now. Their last activity is not
    /// moved: an offer that rang out at an agent away from the desk is no activity, and the
    /// end of real work is where an idle stretch starts ([`Self::absence`] records it).
    pub(super) fn release_agent(&mut self, agent: AgentIdx, channel: Channel) {
        let now = self.kernel.now();
        let state = &mut self.agents[agent];
        state.load[channel as usize] = state.load[channel as usize].saturating_sub(1);
        state.load_total = state.load_total.saturating_sub(1);
        state.free_since_ms = now;
    }

    /// After an agent's load went down: what they waited to do, or more work.
    pub(super) fn after_release(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let state = &self.agents[agent];
        if state.load_total == 0 && state.logged_in {
            match state.pending {
                Pending::Away => {
                    self.agents[agent].pending = Pending::None;
                    return self.go_away(agent);
                }
                Pending::Logout => return self.logout(agent),
                Pending::Idle => {
                    self.agents[agent].pending = Pending::None;
                    return self.absence(agent);
                }
                Pending::None => {}
            }
        }
        self.pull(agent)
    }

    /// Schedules the start of the agent's next shift, if they have one.
    pub(super) fn schedule_shift(&mut self, agent: AgentIdx) {
        let shifts = &self.scenario.agents[agent.get()].shifts;
        if let Some(&(start_ms, _)) = shifts.get(self.agents[agent].next_shift) {
            self.kernel.at(start_ms, Activation::ShiftStart { agent });
        }
    }

    /// The agent's shift starts: they log in, unless they are away from the desk.
    pub(super) fn shift_start(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let shifts = &self.scenario.agents[agent.get()].shifts;
        let Some(&(_, end_ms)) = shifts.get(self.agents[agent].next_shift) else {
            return Ok(());
        };
        self.agents[agent].in_shift = true;
        if end_ms < self.end_ms {
            self.kernel.at(end_ms, Activation::ShiftEnd { agent });
        }
        if self.agents[agent].logged_in {
            return self.pull(agent);
        }
        if self.agents[agent].absent {
            return Ok(());
        }
        self.login(agent)
    }

    /// The agent logs in: available, their episodes scheduled, and offered waiting work.
    pub(super) fn login(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        self.emit(EventKind::AgentLoggedIn {
            agent: self.agent_id(agent),
        })?;
        let now = self.kernel.now();
        let state = &mut self.agents[agent];
        state.logged_in = true;
        state.away = AwayKind::No;
        state.focus = false;
        state.pending = Pending::None;
        state.free_since_ms = now;
        state.last_active_ms = now;
        state.episode_gen = state.episode_gen.wrapping_add(1);
        self.make_available(agent)?;
        for kind in [Recurring::Away, Recurring::Idle, Recurring::Focus] {
            self.schedule_next(agent, kind);
        }
        self.pull(agent)
    }

    /// The agent's shift ends: they log out now, or once their work is done.
    pub(super) fn shift_end(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let state = &mut self.agents[agent];
        state.in_shift = false;
        state.next_shift += 1;
        self.schedule_shift(agent);
        let state = &self.agents[agent];
        if !state.logged_in || state.absent {
            // Logged out already, or away from the desk: handled when they come back.
            return Ok(());
        }
        if state.load_total == 0 {
            return self.logout(agent);
        }
        self.agents[agent].pending = Pending::Logout;
        self.make_unavailable(agent)
    }

    /// The agent logs out.
    pub(super) fn logout(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        self.emit(EventKind::AgentLoggedOut {
            agent: self.agent_id(agent),
            trigger: Trigger::Manual,
            last_active_at: None,
        })?;
        self.reset_logged_out(agent);
        Ok(())
    }

    /// The agent's state once logged out (by themselves or by the platform).
    pub(super) fn reset_logged_out(&mut self, agent: AgentIdx) {
        let state = &mut self.agents[agent];
        state.logged_in = false;
        state.available = false;
        state.away = AwayKind::No;
        state.focus = false;
        state.pending = Pending::None;
        state.episode_gen = state.episode_gen.wrapping_add(1);
    }

    /// The agent becomes available on every channel their group takes.
    pub(super) fn make_available(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if self.agents[agent].available {
            return Ok(());
        }
        self.agents[agent].available = true;
        self.on_each_channel(agent, |agent, channel| EventKind::AgentAvailable {
            agent,
            channel,
        })
    }

    /// The agent becomes unavailable on every channel their group takes.
    pub(super) fn make_unavailable(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if !self.agents[agent].available {
            return Ok(());
        }
        self.agents[agent].available = false;
        self.on_each_channel(agent, |agent, channel| EventKind::AgentUnavailable {
            agent,
            channel,
        })
    }

    /// Writes the event `event` makes of the agent's id and each channel their group takes.
    fn on_each_channel(
        &mut self,
        agent: AgentIdx,
        event: impl for<'e> Fn(&'e str, Channel) -> EventKind<'e>,
    ) -> Result<(), SimError> {
        let (group, agent_id) = (self.group_of(agent), self.agent_id(agent));
        for &channel in Channel::ALL {
            if group.capacity[channel as usize] > 0 {
                self.emit(event(agent_id, channel))?;
            }
        }
        Ok(())
    }

    /// Whether the agent may start an episode (Away, idle, Focus): at their desk, logged in,
    /// in shift, active and not waiting to do something.
    pub(super) fn ready_for_episode(&self, agent: AgentIdx) -> bool {
        let state = &self.agents[agent];
        state.logged_in
            && state.in_shift
            && state.away == AwayKind::No
            && !state.absent
            && state.pending == Pending::None
    }
}
