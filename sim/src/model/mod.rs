//! The simulation: customers arriving on workstreams, bots answering first, queues, routing,
//! offers, handling (talk, holds, consults, messages, replies), transfers, after-contact work,
//! conversations closing and reopening, outbound campaigns (attempts that wait for a free
//! agent, who calls or writes a customer), and agents working shifts with Away, idle and Focus
//! stretches. Every process writes events of the engine's schema to an [`Output`] and nothing
//! else: no figure is computed here.
//!
//! Entities live in dense vectors (contacts in a slab whose slots are reused). A contact's ids
//! are written once, into fixed buffers it carries, when they are given out; the events naming
//! them borrow that text, so handling an event allocates and formats nothing.

mod absences;
mod agents;
mod arrivals;
mod bots;
mod campaigns;
mod closing;
mod contacts;
mod handling;
mod ids;
mod offers;
mod queues;

use std::collections::VecDeque;

use ccsim_engine::event::{Event, EventKind};
use ccsim_engine::time::Instant;
use rustc_hash::FxHashMap;

use crate::dist::Stream;
use crate::kernel::Kernel;
use crate::output::{Output, SimError};
use crate::scenario::{ChannelKind, Entry, Scenario, Segment, Transfer, CHANNELS};

use agents::{Agent, AwayKind, Pending};
use arrivals::ReturnInfo;
use bots::BotSess;
use contacts::{Contact, State};
use ids::Counters;

const NONE: u32 = u32::MAX;

/// What the kernel activates.
#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrival { ws: u32 },
    Attempt { k: u32 },
    Expire { c: u32, gen: u32 },
    Return { r: u32 },
    Patience { c: u32, gen: u32 },
    Overflow { c: u32, gen: u32 },
    OfferDone { c: u32, gen: u32 },
    Step { c: u32, gen: u32 },
    BotDone { c: u32, gen: u32 },
    ShiftStart { a: u32 },
    ShiftEnd { a: u32 },
    AwayStart { a: u32, gen: u32 },
    AwayEnd { a: u32, gen: u32 },
    IdleStart { a: u32, gen: u32 },
    IdleEnd { a: u32, gen: u32 },
    AutoAway { a: u32, gen: u32 },
    AutoLogout { a: u32, gen: u32 },
    FocusStart { a: u32, gen: u32 },
    FocusEnd { a: u32, gen: u32 },
    BotSessionEnd { customer: u64 },
}

/// The random-number streams of a run, one per process.
struct Streams {
    pub(super) arrivals: Vec<Stream>,
    pub(super) patience: Vec<Stream>,
    pub(super) handle: Vec<Stream>,
    pub(super) behaviour: Vec<Stream>,
    pub(super) bots: Vec<Stream>,
    pub(super) offers: Vec<Stream>,
    pub(super) away: Vec<Stream>,
    pub(super) idle: Vec<Stream>,
    pub(super) focus: Vec<Stream>,
    /// Per campaign: when attempts are made.
    pub(super) attempts: Vec<Stream>,
    /// Per campaign: whether and when calls are answered.
    pub(super) answer: Vec<Stream>,
    /// Per campaign: talk or writing time, and after-contact work.
    pub(super) campaign_handle: Vec<Stream>,
    /// Per campaign: customers answering back.
    pub(super) reply: Vec<Stream>,
}

/// What a finished simulation reports about itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Events written.
    pub events: u64,
    /// Contacts started (arrivals, returns and outbound campaign contacts).
    pub contacts: u64,
    /// Contacts that entered a queue at least once.
    pub queued: u64,
}

/// A running simulation.
pub struct Sim<'s, O> {
    sc: &'s Scenario,
    k: Kernel<Ev>,
    end: i64,
    out: O,
    stats: SimStats,
    streams: Streams,
    arrival_clock: Vec<f64>,
    arrival_seg: Vec<usize>,
    attempt_clock: Vec<f64>,
    attempt_seg: Vec<usize>,
    contacts: Vec<Contact>,
    free: Vec<u32>,
    agents: Vec<Agent>,
    fifo: Vec<VecDeque<(u32, u32)>>,
    returns: Vec<ReturnInfo>,
    free_returns: Vec<u32>,
    bot_sessions: FxHashMap<u64, BotSess>,
    next: Counters,
    /// Called with the simulated time now and then (progress bars).
    progress: Option<&'s (dyn Fn(i64) + Sync)>,
}

impl<'s, O: Output> Sim<'s, O> {
    /// A simulation of `sc` with `seed`, writing to `out`.
    pub fn new(sc: &'s Scenario, seed: u64, out: O) -> Self {
        let per = |kind: &str, names: Vec<&str>| -> Vec<Stream> {
            names
                .into_iter()
                .map(|n| Stream::new(seed, &format!("{kind}/{n}")))
                .collect()
        };
        let ws: Vec<&str> = sc.workstreams.iter().map(|w| w.name.as_str()).collect();
        let groups: Vec<&str> = sc.groups.iter().map(|g| g.name.as_str()).collect();
        let bots: Vec<&str> = sc.bots.iter().map(|b| b.name.as_str()).collect();
        let campaigns: Vec<&str> = sc.campaigns.iter().map(|k| k.name.as_str()).collect();
        let streams = Streams {
            arrivals: per("arrivals", ws.clone()),
            patience: per("patience", ws.clone()),
            handle: per("handle", ws.clone()),
            behaviour: per("behaviour", ws),
            bots: per("bot", bots),
            offers: per("offer", groups.clone()),
            away: per("away", groups.clone()),
            idle: per("idle", groups.clone()),
            focus: per("focus", groups),
            attempts: per("campaign-attempts", campaigns.clone()),
            answer: per("campaign-answer", campaigns.clone()),
            campaign_handle: per("campaign-handle", campaigns.clone()),
            reply: per("campaign-reply", campaigns),
        };
        let start = sc.start.millis();
        let agents = sc
            .agents
            .iter()
            .map(|a| Agent {
                group: a.group as u32,
                logged_in: false,
                in_shift: false,
                next_shift: 0,
                available: false,
                away: AwayKind::No,
                focus: false,
                absent: false,
                last_active: start,
                pending: Pending::None,
                load: [0; CHANNELS],
                total: 0,
                free_since: start,
                gen: 0,
                absence_gen: 0,
                profiles: Vec::new(),
            })
            .collect();
        Sim {
            sc,
            k: Kernel::new(start),
            end: sc.end.millis(),
            out,
            stats: SimStats::default(),
            streams,
            arrival_clock: vec![start as f64; sc.workstreams.len()],
            arrival_seg: vec![0; sc.workstreams.len()],
            attempt_clock: vec![start as f64; sc.campaigns.len()],
            attempt_seg: vec![0; sc.campaigns.len()],
            contacts: Vec::with_capacity(256),
            free: Vec::new(),
            agents,
            fifo: vec![VecDeque::new(); sc.queues.len()],
            returns: Vec::new(),
            free_returns: Vec::new(),
            bot_sessions: FxHashMap::default(),
            next: Counters::default(),
            progress: None,
        }
    }

    /// Calls `f` with the simulated time every few thousand activations.
    pub fn with_progress(mut self, f: &'s (dyn Fn(i64) + Sync)) -> Self {
        self.progress = Some(f);
        self
    }

    /// Runs to the end of the horizon; returns the output and what was done.
    pub fn run(mut self) -> Result<(O, SimStats), SimError> {
        for w in 0..self.sc.workstreams.len() {
            self.schedule_arrival(w as u32);
        }
        for k in 0..self.sc.campaigns.len() {
            self.schedule_attempt(k as u32);
        }
        for a in 0..self.agents.len() {
            self.schedule_shift(a as u32);
        }
        let mut n: u32 = 0;
        while let Some(ev) = self.k.next_before(self.end) {
            self.dispatch(ev)?;
            n = n.wrapping_add(1);
            if n % 65_536 == 0 {
                if let Some(f) = self.progress {
                    f(self.k.now());
                }
            }
        }
        Ok((self.out, self.stats))
    }

    fn dispatch(&mut self, ev: Ev) -> Result<(), SimError> {
        match ev {
            Ev::Arrival { ws } => self.arrival(ws),
            Ev::Attempt { k } => self.attempt(k),
            Ev::Expire { c, gen } if self.live(c, gen) => {
                self.expire(c);
                Ok(())
            }
            Ev::Return { r } => self.returned(r),
            Ev::Patience { c, gen } if self.live(c, gen) => self.abandon(c),
            Ev::Overflow { c, gen } if self.live(c, gen) => self.overflow(c),
            Ev::OfferDone { c, gen } if self.live(c, gen) => self.offer_done(c),
            Ev::Step { c, gen } if self.live(c, gen) => self.step(c),
            Ev::BotDone { c, gen } if self.live(c, gen) => self.bot_done(c),
            Ev::ShiftStart { a } => self.shift_start(a),
            Ev::ShiftEnd { a } => self.shift_end(a),
            Ev::AwayStart { a, gen } if self.agents[a as usize].gen == gen => self.away_start(a),
            Ev::AwayEnd { a, gen } if self.agents[a as usize].gen == gen => self.away_end(a),
            Ev::IdleStart { a, gen } if self.agents[a as usize].gen == gen => self.idle_start(a),
            Ev::IdleEnd { a, gen } if self.agents[a as usize].absence_gen == gen => {
                self.idle_end(a)
            }
            Ev::AutoAway { a, gen } if self.agents[a as usize].absence_gen == gen => {
                self.auto_away(a)
            }
            Ev::AutoLogout { a, gen } if self.agents[a as usize].absence_gen == gen => {
                self.auto_logout(a)
            }
            Ev::FocusStart { a, gen } if self.agents[a as usize].gen == gen => self.focus_start(a),
            Ev::FocusEnd { a, gen } if self.agents[a as usize].gen == gen => self.focus_end(a),
            Ev::BotSessionEnd { customer } => self.bot_session_end(customer),
            _ => Ok(()),
        }
    }

    fn live(&self, c: u32, gen: u32) -> bool {
        let x = &self.contacts[c as usize];
        x.gen == gen && x.state != State::Free
    }

    fn emit(&mut self, kind: EventKind<'_>) -> Result<(), SimError> {
        self.stats.events += 1;
        self.out.event(&Event {
            at: Instant::from_millis(self.k.now()),
            kind,
        })
    }
}
