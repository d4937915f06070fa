//! Absences: an agent's recurring episodes (Away with a reason, idle stretches away from the
//! desk that the platform turns into automatic Away and logout, Focus mode), each a Poisson
//! stream of its group's rate.

use ccsim_engine::event::{EventKind, Trigger};
use ccsim_engine::time::Instant;

use super::agents::{AwayKind, Pending};
use super::index::AgentIdx;
use super::{Activation, Output, Sim, SimError};
use crate::dist::Stream;

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules the agent's next episode of `kind` (a Poisson stream of the group's rate,
    /// drawn from that kind's own random stream), when the group has such episodes.
    pub(super) fn schedule_next(&mut self, agent: AgentIdx, kind: Recurring) {
        let group = self.agents[agent].group;
        let definition = &self.scenario.groups[group];
        let rate = match kind {
            Recurring::Away => definition.away.as_ref().map(|e| e.rate),
            Recurring::Idle => definition.idle.as_ref().map(|e| e.rate),
            Recurring::Focus => definition.focus.as_ref().map(|e| e.rate),
        };
        let Some(rate) = rate else { return };
        let stream = match kind {
            Recurring::Away => &mut self.streams.away[group],
            Recurring::Idle => &mut self.streams.idle[group],
            Recurring::Focus => &mut self.streams.focus[group],
        };
        let delay = next_episode(rate, stream);
        let gen = self.agents[agent].episode_gen;
        let activation = match kind {
            Recurring::Away => Activation::AwayStart { agent, gen },
            Recurring::Idle => Activation::IdleStart { agent, gen },
            Recurring::Focus => Activation::FocusStart { agent, gen },
        };
        self.kernel.after(delay, activation);
    }

    pub(super) fn away_start(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let group = self.agents[agent].group;
        if self.scenario.groups[group].away.is_none() {
            return Ok(());
        }
        if !self.ready_for_episode(agent) {
            self.schedule_next(agent, Recurring::Away);
            return Ok(());
        }
        if self.agents[agent].load_total > 0 {
            self.agents[agent].pending = Pending::Away;
            return self.make_unavailable(agent);
        }
        self.go_away(agent)
    }

    pub(super) fn go_away(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let group = self.agents[agent].group;
        let Some(e) = &self.scenario.groups[group].away else {
            return Ok(());
        };
        self.leave_desk(agent)?;
        let agent_id = self.agent_id(agent);
        let stream = &mut self.streams.away[group];
        let reason = if e.reasons.is_empty() {
            None
        } else {
            let i = ((stream.uniform() * e.reasons.len() as f64) as usize).min(e.reasons.len() - 1);
            Some(e.reasons[i].as_str())
        };
        let delay = e.duration.sample_ms(stream);
        self.emit(EventKind::AgentAway {
            agent: agent_id,
            reason,
            trigger: Trigger::Manual,
            last_active_at: None,
        })?;
        self.agents[agent].away = AwayKind::Manual;
        let gen = self.agents[agent].episode_gen;
        self.kernel.after(delay, Activation::AwayEnd { agent, gen });
        Ok(())
    }

    pub(super) fn away_end(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if self.agents[agent].away != AwayKind::Manual || !self.agents[agent].logged_in {
            return Ok(());
        }
        self.back_at_desk(agent, AwayKind::Manual, Recurring::Away)
    }

    pub(super) fn idle_start(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let group = self.agents[agent].group;
        if self.scenario.groups[group].idle.is_none() {
            return Ok(());
        }
        if !self.ready_for_episode(agent) || self.agents[agent].focus {
            self.schedule_next(agent, Recurring::Idle);
            return Ok(());
        }
        if self.agents[agent].load_total > 0 {
            // They leave once their work is done, taking no new work meanwhile.
            self.agents[agent].pending = Pending::Idle;
            return Ok(());
        }
        self.absence(agent)
    }

    /// The agent leaves the desk without going Away: offers ring out, and the platform's
    /// idle rules set them Away and then log them out.
    pub(super) fn absence(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let group = self.agents[agent].group;
        let Some(e) = &self.scenario.groups[group].idle else {
            return Ok(());
        };
        let delay = e.duration.sample_ms(&mut self.streams.idle[group]);
        let now = self.kernel.now();
        let state = &mut self.agents[agent];
        state.absent = true;
        state.last_active_ms = now;
        state.absence_gen = state.absence_gen.wrapping_add(1);
        let gen = state.absence_gen;
        self.kernel.after(delay, Activation::IdleEnd { agent, gen });
        if let Some(after_ms) = self.scenario.platform.auto_away_ms {
            self.kernel
                .after(after_ms, Activation::AutoAway { agent, gen });
        }
        if let Some(after_ms) = self.scenario.platform.auto_logout_ms {
            self.kernel
                .after(after_ms, Activation::AutoLogout { agent, gen });
        }
        Ok(())
    }

    pub(super) fn auto_away(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let state = &self.agents[agent];
        if !state.absent || !state.logged_in || state.away != AwayKind::No {
            return Ok(());
        }
        let last_active_ms = state.last_active_ms;
        self.leave_desk(agent)?;
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::AgentAway {
            agent: agent_id,
            reason: None,
            trigger: Trigger::Idle,
            last_active_at: Some(Instant::from_millis(last_active_ms)),
        })?;
        self.agents[agent].away = AwayKind::Auto;
        Ok(())
    }

    pub(super) fn auto_logout(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let state = &self.agents[agent];
        if !state.absent || !state.logged_in {
            return Ok(());
        }
        let last_active_ms = state.last_active_ms;
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::AgentLoggedOut {
            agent: agent_id,
            trigger: Trigger::Idle,
            last_active_at: Some(Instant::from_millis(last_active_ms)),
        })?;
        self.reset_logged_out(agent);
        Ok(())
    }

    pub(super) fn idle_end(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if !self.agents[agent].absent {
            return Ok(());
        }
        {
            let state = &mut self.agents[agent];
            state.absent = false;
            state.absence_gen = state.absence_gen.wrapping_add(1);
        }
        let state = &self.agents[agent];
        if !state.logged_in {
            // Logged out by the platform: back at the desk, they log in again if on shift.
            return if state.in_shift {
                self.login(agent)
            } else {
                Ok(())
            };
        }
        if !state.in_shift {
            // The shift ended while they were away from the desk.
            if state.load_total == 0 {
                return self.logout(agent);
            }
            self.agents[agent].pending = Pending::Logout;
            return self.make_unavailable(agent);
        }
        self.back_at_desk(agent, AwayKind::Auto, Recurring::Idle)
    }

    /// The agent is back at the desk: active again if they were away in the `was` way, free
    /// from now, their next episode of `next` scheduled, available, and offered waiting work.
    pub(super) fn back_at_desk(
        &mut self,
        agent: AgentIdx,
        was: AwayKind,
        next: Recurring,
    ) -> Result<(), SimError> {
        if self.agents[agent].away == was {
            let agent_id = self.agent_id(agent);
            self.emit(EventKind::AgentActive {
                agent: agent_id,
                reason: None,
            })?;
            self.agents[agent].away = AwayKind::No;
        }
        self.agents[agent].free_since_ms = self.kernel.now();
        self.schedule_next(agent, next);
        self.make_available(agent)?;
        self.pull(agent)
    }

    /// The agent leaves the desk: Focus mode ends with them, and they stop taking work.
    pub(super) fn leave_desk(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if self.agents[agent].focus {
            self.agents[agent].focus = false;
            let agent_id = self.agent_id(agent);
            self.emit(EventKind::FocusEnded { agent: agent_id })?;
        }
        self.make_unavailable(agent)
    }

    pub(super) fn focus_start(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        let group = self.agents[agent].group;
        let Some(e) = &self.scenario.groups[group].focus else {
            return Ok(());
        };
        let gen = self.agents[agent].episode_gen;
        if !self.ready_for_episode(agent) || self.agents[agent].focus {
            self.schedule_next(agent, Recurring::Focus);
            return Ok(());
        }
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::FocusStarted { agent: agent_id })?;
        self.agents[agent].focus = true;
        let delay = e.duration.sample_ms(&mut self.streams.focus[group]);
        self.kernel
            .after(delay, Activation::FocusEnd { agent, gen });
        Ok(())
    }

    pub(super) fn focus_end(&mut self, agent: AgentIdx) -> Result<(), SimError> {
        if !self.agents[agent].focus || !self.agents[agent].logged_in {
            return Ok(());
        }
        let agent_id = self.agent_id(agent);
        self.emit(EventKind::FocusEnded { agent: agent_id })?;
        self.agents[agent].focus = false;
        self.schedule_next(agent, Recurring::Focus);
        self.pull(agent)
    }
}

/// The recurring episodes of an agent's day, each with its own rate and random stream.
#[derive(Clone, Copy, Debug)]
pub(super) enum Recurring {
    /// Away with a reason.
    Away,
    /// Idle at the desk (which may lead to automatic Away and logout).
    Idle,
    /// Focus mode.
    Focus,
}

/// Milliseconds to the next episode of a Poisson process with `rate` per millisecond (far
/// beyond any horizon when the rate is zero).
fn next_episode(rate: f64, stream: &mut Stream) -> i64 {
    if rate <= 0.0 {
        return i64::MAX / 4;
    }
    (stream.unit_exp() / rate).round() as i64
}
