//! Agents: shifts, logging in and out, availability, capacity taken and given back, and the
//! customer profiles they have open.

use ccsim_engine::event::{Channel, EventKind, Trigger};

use super::absences::Recurring;
use super::ids::Id;
use super::{Ev, Output, Sim, SimError, CHANNELS};

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

/// One agent.
#[derive(Clone, Debug)]
pub(super) struct Agent {
    pub(super) group: u32,
    pub(super) logged_in: bool,
    pub(super) in_shift: bool,
    pub(super) next_shift: u32,
    pub(super) available: bool,
    pub(super) away: AwayKind,
    pub(super) focus: bool,
    pub(super) absent: bool,
    pub(super) last_active: i64,
    pub(super) pending: Pending,
    pub(super) load: [u8; CHANNELS],
    pub(super) total: u32,
    pub(super) free_since: i64,
    /// Generation of episode timers (away, idle, focus starts and ends).
    pub(super) gen: u32,
    /// Generation of the current absence's timers.
    pub(super) absence_gen: u32,
    /// Customers whose profile the agent has open, with how many contacts keep it open.
    pub(super) profiles: Vec<(u64, u32)>,
}

impl<'s, O: Output> Sim<'s, O> {
    pub(super) fn open_profile(&mut self, a: u32, customer: Id) -> Result<(), SimError> {
        let p = &mut self.agents[a as usize].profiles;
        if let Some(e) = p.iter_mut().find(|e| e.0 == customer.n) {
            e.1 += 1;
            return Ok(());
        }
        p.push((customer.n, 1));
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::ProfileViewStarted {
            agent,
            customer: customer.as_str(),
        })
    }

    pub(super) fn close_profile(&mut self, a: u32, customer: Id) -> Result<(), SimError> {
        let p = &mut self.agents[a as usize].profiles;
        let Some(i) = p.iter().position(|e| e.0 == customer.n) else {
            return Ok(());
        };
        p[i].1 -= 1;
        if p[i].1 > 0 {
            return Ok(());
        }
        p.swap_remove(i);
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::ProfileViewEnded {
            agent,
            customer: customer.as_str(),
        })
    }

    pub(super) fn release_agent(&mut self, a: u32, channel: Channel) {
        let now = self.k.now();
        let ag = &mut self.agents[a as usize];
        ag.load[channel as usize] = ag.load[channel as usize].saturating_sub(1);
        ag.total = ag.total.saturating_sub(1);
        ag.free_since = now;
        ag.last_active = now;
    }

    /// After an agent's load went down: what they waited to do, or more work.
    pub(super) fn after_release(&mut self, a: u32) -> Result<(), SimError> {
        let ag = &self.agents[a as usize];
        if ag.total == 0 && ag.logged_in {
            match ag.pending {
                Pending::Away => {
                    self.agents[a as usize].pending = Pending::None;
                    return self.go_away(a);
                }
                Pending::Logout => return self.logout(a),
                Pending::Idle => {
                    self.agents[a as usize].pending = Pending::None;
                    return self.absence(a);
                }
                Pending::None => {}
            }
        }
        self.pull(a)
    }

    pub(super) fn schedule_shift(&mut self, a: u32) {
        let ag = &self.agents[a as usize];
        if let Some(&(start, _)) = self.sc.agents[a as usize]
            .shifts
            .get(ag.next_shift as usize)
        {
            self.k.at(start, Ev::ShiftStart { a });
        }
    }

    pub(super) fn shift_start(&mut self, a: u32) -> Result<(), SimError> {
        let i = self.agents[a as usize].next_shift as usize;
        let Some(&(_, end)) = self.sc.agents[a as usize].shifts.get(i) else {
            return Ok(());
        };
        self.agents[a as usize].in_shift = true;
        if end < self.end {
            self.k.at(end, Ev::ShiftEnd { a });
        }
        if self.agents[a as usize].logged_in {
            return self.pull(a);
        }
        if self.agents[a as usize].absent {
            return Ok(());
        }
        self.login(a)
    }

    pub(super) fn login(&mut self, a: u32) -> Result<(), SimError> {
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::AgentLoggedIn { agent })?;
        let now = self.k.now();
        {
            let ag = &mut self.agents[a as usize];
            ag.logged_in = true;
            ag.away = AwayKind::No;
            ag.focus = false;
            ag.pending = Pending::None;
            ag.free_since = now;
            ag.last_active = now;
            ag.gen = ag.gen.wrapping_add(1);
        }
        self.make_available(a)?;
        for kind in [Recurring::Away, Recurring::Idle, Recurring::Focus] {
            self.schedule_next(a, kind);
        }
        self.pull(a)
    }

    pub(super) fn shift_end(&mut self, a: u32) -> Result<(), SimError> {
        {
            let ag = &mut self.agents[a as usize];
            ag.in_shift = false;
            ag.next_shift += 1;
        }
        self.schedule_shift(a);
        let ag = &self.agents[a as usize];
        if !ag.logged_in || ag.absent {
            // Logged out already, or away from the desk: handled when they come back.
            return Ok(());
        }
        if ag.total == 0 {
            return self.logout(a);
        }
        self.agents[a as usize].pending = Pending::Logout;
        self.make_unavailable(a)
    }

    pub(super) fn logout(&mut self, a: u32) -> Result<(), SimError> {
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::AgentLoggedOut {
            agent,
            trigger: Trigger::Manual,
            last_active_at: None,
        })?;
        self.reset_logged_out(a);
        Ok(())
    }

    pub(super) fn reset_logged_out(&mut self, a: u32) {
        let ag = &mut self.agents[a as usize];
        ag.logged_in = false;
        ag.available = false;
        ag.away = AwayKind::No;
        ag.focus = false;
        ag.pending = Pending::None;
        ag.gen = ag.gen.wrapping_add(1);
    }

    pub(super) fn make_available(&mut self, a: u32) -> Result<(), SimError> {
        if self.agents[a as usize].available {
            return Ok(());
        }
        self.agents[a as usize].available = true;
        let g = self.agents[a as usize].group as usize;
        let agent = self.sc.agents[a as usize].id.as_str();
        for &channel in Channel::ALL {
            if self.sc.groups[g].capacity[channel as usize] > 0 {
                self.emit(EventKind::AgentAvailable { agent, channel })?;
            }
        }
        Ok(())
    }

    pub(super) fn make_unavailable(&mut self, a: u32) -> Result<(), SimError> {
        if !self.agents[a as usize].available {
            return Ok(());
        }
        self.agents[a as usize].available = false;
        let g = self.agents[a as usize].group as usize;
        let agent = self.sc.agents[a as usize].id.as_str();
        for &channel in Channel::ALL {
            if self.sc.groups[g].capacity[channel as usize] > 0 {
                self.emit(EventKind::AgentUnavailable { agent, channel })?;
            }
        }
        Ok(())
    }

    /// Whether the agent is at their desk, logged in, active and not waiting to do something.
    pub(super) fn settled(&self, a: u32) -> bool {
        let ag = &self.agents[a as usize];
        ag.logged_in
            && ag.in_shift
            && ag.away == AwayKind::No
            && !ag.absent
            && ag.pending == Pending::None
    }
}
