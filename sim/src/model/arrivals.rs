//! Arrivals: customers arriving on a workstream (a Poisson process with a piecewise-constant
//! rate), customers coming back to a conversation they closed, and a new contact's first
//! events.

use ccsim_engine::event::{Direction, EventKind, Sender};

use super::ids::Id;
use super::{ChannelKind, Entry, Ev, Output, Segment, Sim, SimError, NONE};

/// A customer coming back: who, to which conversation, from when.
#[derive(Clone, Copy, Debug)]
pub(super) struct ReturnInfo {
    pub(super) customer: Id,
    pub(super) conversation: Id,
    pub(super) closed_at: i64,
    pub(super) ws: u32,
    pub(super) agent: u32,
}

impl<'s, O: Output> Sim<'s, O> {
    /// Schedules workstream `ws`'s next arrival by inverting its cumulative rate function
    /// with a unit exponential, so a rate multiplier moves arrivals without reshuffling them.
    pub(super) fn schedule_arrival(&mut self, ws: u32) {
        let w = ws as usize;
        let e = self.streams.arrivals[w].unit_exp();
        let (clock, seg) = (&mut self.arrival_clock[w], &mut self.arrival_seg[w]);
        if let Some(t) = next_arrival(&self.sc.workstreams[w].arrivals, e, clock, seg) {
            self.k.at(t, Ev::Arrival { ws });
        }
    }

    pub(super) fn arrival(&mut self, ws: u32) -> Result<(), SimError> {
        self.schedule_arrival(ws);
        let customer = self.next.customer();
        self.start_contact(ws, customer, None, NONE, 0)
    }

    pub(super) fn returned(&mut self, r: u32) -> Result<(), SimError> {
        let info = self.returns[r as usize];
        self.free_returns.push(r);
        let now = self.k.now();
        let reopen = now - info.closed_at <= self.sc.platform.reopen_window_ms;
        let pref_until = match self.sc.platform.same_agent_ms {
            Some(limit) if now - info.closed_at <= limit => i64::MAX,
            _ => 0,
        };
        let agent = if pref_until > 0 { info.agent } else { NONE };
        self.start_contact(
            info.ws,
            info.customer,
            reopen.then_some(info.conversation),
            agent,
            pref_until,
        )
    }

    pub(super) fn start_contact(
        &mut self,
        ws: u32,
        customer: Id,
        reopen: Option<Id>,
        pref_agent: u32,
        pref_until: i64,
    ) -> Result<(), SimError> {
        let w = &self.sc.workstreams[ws as usize];
        let cu = customer.as_str();
        let conversation = match reopen {
            Some(conv) => {
                self.emit(EventKind::ConversationReopened {
                    conversation: conv.as_str(),
                })?;
                conv
            }
            None => {
                let conv = self.next.conversation();
                self.emit(EventKind::ConversationOpened {
                    conversation: conv.as_str(),
                    customer: cu,
                })?;
                conv
            }
        };
        self.stats.contacts += 1;
        let contact_id = self.next.contact();
        let (cv, ct) = (conversation.as_str(), contact_id.as_str());
        self.emit(EventKind::ContactStarted {
            contact: ct,
            conversation: Some(cv),
            customer: Some(cu),
            channel: w.channel,
            direction: Direction::Inbound,
            channel_instance: None,
        })?;
        if w.kind != ChannelKind::Voice {
            self.emit(EventKind::MessageSent {
                contact: ct,
                sender: Sender::Customer,
                author: None,
            })?;
        }
        let c = self.alloc();
        {
            let x = &mut self.contacts[c as usize];
            x.ws = ws;
            x.id = contact_id;
            x.customer = customer;
            x.conversation = conversation;
            x.pref_agent = pref_agent;
            x.pref_until = pref_until;
        }
        match w.entry {
            Entry::Queue(q) => self.enqueue(c, q as u32, true),
            Entry::Bot(b) => self.bot_start(c, b as u32),
        }
    }
}

/// The next event of a Poisson process with the piecewise-constant rate `segs`, from a unit
/// exponential `e`: the cumulative rate is inverted from `clock` (the last event, advanced to
/// the new one) in segment `seg`. `None` once the rate function is exhausted.
pub(super) fn next_arrival(
    segs: &[Segment],
    mut e: f64,
    clock: &mut f64,
    seg: &mut usize,
) -> Option<i64> {
    let mut t = *clock;
    let mut i = *seg;
    loop {
        let Some(s) = segs.get(i) else {
            *seg = i;
            return None;
        };
        if t < s.start as f64 {
            t = s.start as f64;
        }
        let room = (s.end as f64 - t) * s.rate;
        if e < room {
            t += e / s.rate;
            break;
        }
        e -= room.max(0.0);
        t = s.end as f64;
        i += 1;
    }
    *seg = i;
    *clock = t;
    Some(t.round() as i64)
}
