//! Absences: an agent's recurring episodes (Away with a reason, idle stretches away from the
//! desk that the platform turns into automatic Away and logout, Focus mode), each a Poisson
//! stream of its group's rate.

use ccsim_engine::event::{EventKind, Trigger};
use ccsim_engine::time::Instant;

use super::agents::{AwayKind, Pending};
use super::{Ev, Output, Sim, SimError, Stream};

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules agent `a`'s next episode of `kind` (a Poisson stream of the group's rate,
    /// drawn from that kind's own random stream), when the group has such episodes.
    pub(super) fn schedule_next(&mut self, a: u32, kind: Recurring) {
        let g = self.agents[a as usize].group as usize;
        let group = &self.sc.groups[g];
        let rate = match kind {
            Recurring::Away => group.away.as_ref().map(|e| e.rate),
            Recurring::Idle => group.idle.as_ref().map(|e| e.rate),
            Recurring::Focus => group.focus.as_ref().map(|e| e.rate),
        };
        let Some(rate) = rate else { return };
        let stream = match kind {
            Recurring::Away => &mut self.streams.away[g],
            Recurring::Idle => &mut self.streams.idle[g],
            Recurring::Focus => &mut self.streams.focus[g],
        };
        let d = next_episode(rate, stream);
        let gen = self.agents[a as usize].gen;
        let ev = match kind {
            Recurring::Away => Ev::AwayStart { a, gen },
            Recurring::Idle => Ev::IdleStart { a, gen },
            Recurring::Focus => Ev::FocusStart { a, gen },
        };
        self.k.after(d, ev);
    }

    pub(super) fn away_start(&mut self, a: u32) -> Result<(), SimError> {
        let g = self.agents[a as usize].group as usize;
        if self.sc.groups[g].away.is_none() {
            return Ok(());
        }
        if !self.settled(a) {
            self.schedule_next(a, Recurring::Away);
            return Ok(());
        }
        if self.agents[a as usize].total > 0 {
            self.agents[a as usize].pending = Pending::Away;
            return self.make_unavailable(a);
        }
        self.go_away(a)
    }

    pub(super) fn go_away(&mut self, a: u32) -> Result<(), SimError> {
        let g = self.agents[a as usize].group as usize;
        let Some(e) = &self.sc.groups[g].away else {
            return Ok(());
        };
        self.leave_desk(a)?;
        let agent = self.sc.agents[a as usize].id.as_str();
        let s = &mut self.streams.away[g];
        let reason = if e.reasons.is_empty() {
            None
        } else {
            let i = ((s.uniform() * e.reasons.len() as f64) as usize).min(e.reasons.len() - 1);
            Some(e.reasons[i].as_str())
        };
        let d = e.duration.sample_ms(s);
        self.emit(EventKind::AgentAway {
            agent,
            reason,
            trigger: Trigger::Manual,
            last_active_at: None,
        })?;
        self.agents[a as usize].away = AwayKind::Manual;
        let gen = self.agents[a as usize].gen;
        self.k.after(d, Ev::AwayEnd { a, gen });
        Ok(())
    }

    pub(super) fn away_end(&mut self, a: u32) -> Result<(), SimError> {
        if self.agents[a as usize].away != AwayKind::Manual || !self.agents[a as usize].logged_in {
            return Ok(());
        }
        self.back_at_desk(a, AwayKind::Manual, Recurring::Away)
    }

    pub(super) fn idle_start(&mut self, a: u32) -> Result<(), SimError> {
        let g = self.agents[a as usize].group as usize;
        if self.sc.groups[g].idle.is_none() {
            return Ok(());
        }
        if !self.settled(a) || self.agents[a as usize].focus {
            self.schedule_next(a, Recurring::Idle);
            return Ok(());
        }
        if self.agents[a as usize].total > 0 {
            // They leave once their work is done, taking no new work meanwhile.
            self.agents[a as usize].pending = Pending::Idle;
            return Ok(());
        }
        self.absence(a)
    }

    /// The agent leaves the desk without going Away: offers ring out, and the platform's
    /// idle rules set them Away and then log them out.
    pub(super) fn absence(&mut self, a: u32) -> Result<(), SimError> {
        let g = self.agents[a as usize].group as usize;
        let Some(e) = &self.sc.groups[g].idle else {
            return Ok(());
        };
        let d = e.duration.sample_ms(&mut self.streams.idle[g]);
        let now = self.k.now();
        let ag = &mut self.agents[a as usize];
        ag.absent = true;
        ag.last_active = now;
        ag.absence_gen = ag.absence_gen.wrapping_add(1);
        let gen = ag.absence_gen;
        self.k.after(d, Ev::IdleEnd { a, gen });
        if let Some(t) = self.sc.platform.auto_away_ms {
            self.k.after(t, Ev::AutoAway { a, gen });
        }
        if let Some(t) = self.sc.platform.auto_logout_ms {
            self.k.after(t, Ev::AutoLogout { a, gen });
        }
        Ok(())
    }

    pub(super) fn auto_away(&mut self, a: u32) -> Result<(), SimError> {
        let ag = &self.agents[a as usize];
        if !ag.absent || !ag.logged_in || ag.away != AwayKind::No {
            return Ok(());
        }
        let last = ag.last_active;
        self.leave_desk(a)?;
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::AgentAway {
            agent,
            reason: None,
            trigger: Trigger::Idle,
            last_active_at: Some(Instant::from_millis(last)),
        })?;
        self.agents[a as usize].away = AwayKind::Auto;
        Ok(())
    }

    pub(super) fn auto_logout(&mut self, a: u32) -> Result<(), SimError> {
        let ag = &self.agents[a as usize];
        if !ag.absent || !ag.logged_in {
            return Ok(());
        }
        let last = ag.last_active;
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::AgentLoggedOut {
            agent,
            trigger: Trigger::Idle,
            last_active_at: Some(Instant::from_millis(last)),
        })?;
        self.reset_logged_out(a);
        Ok(())
    }

    pub(super) fn idle_end(&mut self, a: u32) -> Result<(), SimError> {
        if !self.agents[a as usize].absent {
            return Ok(());
        }
        {
            let ag = &mut self.agents[a as usize];
            ag.absent = false;
            ag.absence_gen = ag.absence_gen.wrapping_add(1);
        }
        let ag = &self.agents[a as usize];
        if !ag.logged_in {
            // Logged out by the platform: back at the desk, they log in again if on shift.
            return if ag.in_shift { self.login(a) } else { Ok(()) };
        }
        if !ag.in_shift {
            // The shift ended while they were away from the desk.
            if ag.total == 0 {
                return self.logout(a);
            }
            self.agents[a as usize].pending = Pending::Logout;
            return self.make_unavailable(a);
        }
        self.back_at_desk(a, AwayKind::Auto, Recurring::Idle)
    }

    /// Agent `a` is back at the desk: active again if they were away in the `was` way, free
    /// from now, their next episode of `next` scheduled, available, and offered waiting work.
    pub(super) fn back_at_desk(
        &mut self,
        a: u32,
        was: AwayKind,
        next: Recurring,
    ) -> Result<(), SimError> {
        if self.agents[a as usize].away == was {
            let agent = self.sc.agents[a as usize].id.as_str();
            self.emit(EventKind::AgentActive {
                agent,
                reason: None,
            })?;
            self.agents[a as usize].away = AwayKind::No;
        }
        self.agents[a as usize].free_since = self.k.now();
        self.schedule_next(a, next);
        self.make_available(a)?;
        self.pull(a)
    }

    /// Agent `a` leaves the desk: Focus mode ends with them, and they stop taking work.
    pub(super) fn leave_desk(&mut self, a: u32) -> Result<(), SimError> {
        if self.agents[a as usize].focus {
            self.agents[a as usize].focus = false;
            let agent = self.sc.agents[a as usize].id.as_str();
            self.emit(EventKind::FocusEnded { agent })?;
        }
        self.make_unavailable(a)
    }

    pub(super) fn focus_start(&mut self, a: u32) -> Result<(), SimError> {
        let g = self.agents[a as usize].group as usize;
        let Some(e) = &self.sc.groups[g].focus else {
            return Ok(());
        };
        let gen = self.agents[a as usize].gen;
        if !self.settled(a) || self.agents[a as usize].focus {
            self.schedule_next(a, Recurring::Focus);
            return Ok(());
        }
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::FocusStarted { agent })?;
        self.agents[a as usize].focus = true;
        let d = e.duration.sample_ms(&mut self.streams.focus[g]);
        self.k.after(d, Ev::FocusEnd { a, gen });
        Ok(())
    }

    pub(super) fn focus_end(&mut self, a: u32) -> Result<(), SimError> {
        if !self.agents[a as usize].focus || !self.agents[a as usize].logged_in {
            return Ok(());
        }
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::FocusEnded { agent })?;
        self.agents[a as usize].focus = false;
        self.schedule_next(a, Recurring::Focus);
        self.pull(a)
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
pub(super) fn next_episode(rate: f64, s: &mut Stream) -> i64 {
    if rate <= 0.0 {
        return i64::MAX / 4;
    }
    (s.unit_exp() / rate).round() as i64
}
