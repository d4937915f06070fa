//! The agent state machine: logged out → active ⇄ away → logged out, plus per-channel
//! availability and Focus mode while logged in.

use super::{sorted_keys, EntityKind, Fold, FoldError};
use crate::event::{Channel, Trigger};
use crate::facts::{
    AgentState, AvailabilityInterval, Fact, FactSink, FocusInterval, StatusEnd, StatusInterval,
};
use crate::ids::Sym;
use crate::time::{Instant, Span};

/// One agent: the status interval under way, and what they are available on.
#[derive(Default)]
pub(super) struct AgentSlot {
    current: Option<Current>,
    /// When availability began, per channel (indexed by `Channel as usize`).
    available: [Option<Instant>; CHANNELS],
    focus: Option<Instant>,
    logged_out_at: Option<Instant>,
}

const CHANNELS: usize = Channel::ALL.len();

/// The status interval under way.
#[derive(Clone, Copy)]
struct Current {
    state: AgentState,
    since: Instant,
    reason: Option<Sym>,
    trigger: Trigger,
    last_active_at: Option<Instant>,
}

impl<S: FactSink> Fold<S> {
    /// The agent's slot, if they are logged in; otherwise the error naming what is expected.
    fn logged_in(&mut self, event: &'static str, agent: &str) -> Result<Sym, FoldError> {
        let sym = self.names.intern(agent);
        match self.agents.get(&sym) {
            Some(slot) if slot.current.is_some() => Ok(sym),
            Some(slot) => Err(agent_error(
                event,
                agent,
                match slot.logged_out_at {
                    Some(t) => format!("logged out since {t}"),
                    None => "logged out".into(),
                },
                "`agent_logged_in` first",
            )),
            None => Err(FoldError::UnknownEntity {
                event,
                kind: EntityKind::Agent,
                id: agent.to_string(),
                expected: "agent_logged_in",
            }),
        }
    }

    /// Closes the interval under way at `at` and replaces it with `next` (None: logged out).
    fn switch(&mut self, agent: Sym, at: Instant, ended_by: StatusEnd, next: Option<Current>) {
        let Some(slot) = self.agents.get_mut(&agent) else {
            return;
        };
        let Some(cur) = slot.current.take() else {
            return;
        };
        slot.current = next;
        let fact = StatusInterval {
            agent,
            state: cur.state,
            reason: cur.reason,
            trigger: cur.trigger,
            last_active_at: cur.last_active_at,
            span: Span::new(cur.since, at),
            ended_by,
        };
        self.emit(Fact::Status(fact));
    }

    pub(super) fn login(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
    ) -> Result<(), FoldError> {
        let sym = self.names.intern(agent);
        let slot = self.agents.entry(sym).or_default();
        if let Some(cur) = slot.current {
            return Err(agent_error(
                event,
                agent,
                format!("logged in since {}", cur.since),
                "`agent_logged_out` before logging in again",
            ));
        }
        slot.current = Some(Current {
            state: AgentState::Active,
            since: at,
            reason: None,
            trigger: Trigger::Manual,
            last_active_at: None,
        });
        Ok(())
    }

    pub(super) fn logout(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        trigger: Trigger,
        last_active_at: Option<Instant>,
    ) -> Result<(), FoldError> {
        check_last_active(event, at, last_active_at)?;
        let sym = self.logged_in(event, agent)?;
        self.switch(sym, at, StatusEnd::Logout(trigger), None);
        // Logging out ends availability on every channel and Focus mode.
        let (available, focus) = match self.agents.get_mut(&sym) {
            Some(slot) => {
                slot.logged_out_at = Some(at);
                (std::mem::take(&mut slot.available), slot.focus.take())
            }
            None => return Ok(()),
        };
        self.end_presence(sym, available, focus, at, false);
        Ok(())
    }

    pub(super) fn away(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        reason: Option<&str>,
        trigger: Trigger,
        last_active_at: Option<Instant>,
    ) -> Result<(), FoldError> {
        check_last_active(event, at, last_active_at)?;
        let sym = self.logged_in(event, agent)?;
        let reason = reason.map(|r| self.names.intern(r));
        let next = Current {
            state: AgentState::Away,
            since: at,
            reason,
            trigger,
            last_active_at,
        };
        self.switch(sym, at, StatusEnd::Away, Some(next));
        Ok(())
    }

    pub(super) fn back(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        reason: Option<&str>,
    ) -> Result<(), FoldError> {
        let sym = self.logged_in(event, agent)?;
        let reason = reason.map(|r| self.names.intern(r));
        let next = Current {
            state: AgentState::Active,
            since: at,
            reason,
            trigger: Trigger::Manual,
            last_active_at: None,
        };
        self.switch(sym, at, StatusEnd::Active, Some(next));
        Ok(())
    }

    pub(super) fn available(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        channel: Channel,
    ) -> Result<(), FoldError> {
        let sym = self.logged_in(event, agent)?;
        let Some(slot) = self.agents.get_mut(&sym) else {
            return Ok(());
        };
        let cell = &mut slot.available[channel as usize];
        if let Some(since) = *cell {
            return Err(agent_error(
                event,
                agent,
                format!("available on {channel} since {since}"),
                "`agent_unavailable` on that channel first",
            ));
        }
        *cell = Some(at);
        Ok(())
    }

    pub(super) fn unavailable(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        channel: Channel,
    ) -> Result<(), FoldError> {
        let sym = self.logged_in(event, agent)?;
        let Some(slot) = self.agents.get_mut(&sym) else {
            return Ok(());
        };
        let Some(since) = slot.available[channel as usize].take() else {
            return Err(agent_error(
                event,
                agent,
                format!("not available on {channel}"),
                "`agent_available` on that channel first",
            ));
        };
        self.emit(Fact::Availability(AvailabilityInterval {
            agent: sym,
            channel,
            span: Span::new(since, at),
            open: false,
        }));
        Ok(())
    }

    pub(super) fn focus_started(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
    ) -> Result<(), FoldError> {
        let sym = self.logged_in(event, agent)?;
        let Some(slot) = self.agents.get_mut(&sym) else {
            return Ok(());
        };
        if let Some(since) = slot.focus {
            return Err(agent_error(
                event,
                agent,
                format!("in Focus mode since {since}"),
                "`focus_ended` first",
            ));
        }
        slot.focus = Some(at);
        Ok(())
    }

    pub(super) fn focus_ended(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
    ) -> Result<(), FoldError> {
        let sym = self.logged_in(event, agent)?;
        let Some(slot) = self.agents.get_mut(&sym) else {
            return Ok(());
        };
        let Some(since) = slot.focus.take() else {
            return Err(agent_error(
                event,
                agent,
                "not in Focus mode".into(),
                "`focus_started` first",
            ));
        };
        self.emit(Fact::Focus(FocusInterval {
            agent: sym,
            span: Span::new(since, at),
            open: false,
        }));
        Ok(())
    }

    /// Emits or counts what is still open for every agent; returns the logged-in count.
    /// Emits the availability and Focus stretches of `agent` that end at `end` (a logout, or
    /// the cut-off when `open`).
    fn end_presence(
        &mut self,
        agent: Sym,
        available: [Option<Instant>; CHANNELS],
        focus: Option<Instant>,
        end: Instant,
        open: bool,
    ) {
        for (i, since) in available.iter().enumerate() {
            if let Some(since) = since {
                self.emit(Fact::Availability(AvailabilityInterval {
                    agent,
                    channel: Channel::ALL[i],
                    span: Span::new(*since, end),
                    open,
                }));
            }
        }
        if let Some(since) = focus {
            self.emit(Fact::Focus(FocusInterval {
                agent,
                span: Span::new(since, end),
                open,
            }));
        }
    }

    pub(super) fn finish_agents(&mut self, as_of: Option<Instant>) -> u64 {
        let mut open = 0;
        for sym in sorted_keys(&self.agents) {
            let Some(slot) = self.agents.get_mut(&sym) else {
                continue;
            };
            let Some(cur) = slot.current.take() else {
                continue;
            };
            open += 1;
            let Some(cut) = as_of else { continue };
            let available = std::mem::take(&mut slot.available);
            let focus = slot.focus.take();
            self.emit(Fact::Status(StatusInterval {
                agent: sym,
                state: cur.state,
                reason: cur.reason,
                trigger: cur.trigger,
                last_active_at: cur.last_active_at,
                span: Span::new(cur.since, cut),
                ended_by: StatusEnd::Open,
            }));
            self.end_presence(sym, available, focus, cut, true);
        }
        open
    }
}

/// An agent event that does not fit the agent's state.
fn agent_error(
    event: &'static str,
    agent: &str,
    state: String,
    expected: &'static str,
) -> FoldError {
    FoldError::WrongState {
        event,
        kind: EntityKind::Agent,
        id: agent.to_string(),
        state,
        expected,
    }
}

/// An idle timer cannot have started after the event it triggered.
fn check_last_active(
    event: &'static str,
    at: Instant,
    last_active_at: Option<Instant>,
) -> Result<(), FoldError> {
    match last_active_at {
        Some(t) if t > at => Err(FoldError::Inconsistent {
            event,
            problem: format!("`last_active_at` {t} is after the event itself ({at}); expected a time at or before it"),
        }),
        _ => Ok(()),
    }
}
