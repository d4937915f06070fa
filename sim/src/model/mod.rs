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
mod callbacks;
mod campaigns;
mod closing;
mod contacts;
mod handling;
mod ids;
mod index;
mod offers;
mod queues;

use std::collections::VecDeque;

use ccsim_engine::event::{Event, EventKind};
use ccsim_engine::time::Instant;
use rustc_hash::FxHashMap;

use crate::dist::Stream;
use crate::kernel::Kernel;
use crate::output::{Output, SimError};
use crate::scenario::Scenario;

use agents::Agent;
use arrivals::{RateClock, ReturnInfo};
use bots::BotSession;
use contacts::{Contact, State};
use ids::Counters;
use index::{
    AgentIdx, CampaignIdx, ContactIdx, Idx, QueueIdx, ReturnIdx, Slab, Table, WorkstreamIdx,
};
use queues::Waiting;

/// What the kernel activates. A contact's or an agent's timer carries the generation it was
/// set in: a timer whose generation has moved on since is stale and does nothing.
#[derive(Clone, Copy, Debug)]
enum Activation {
    /// A workstream's next customer arrives.
    Arrival { workstream: WorkstreamIdx },
    /// A campaign's next attempt is made.
    Attempt { campaign: CampaignIdx },
    /// A campaign attempt nobody started expires.
    Expire { contact: ContactIdx, gen: u32 },
    /// A customer comes back.
    Return { pending: ReturnIdx },
    /// A waiting customer's patience runs out.
    Patience { contact: ContactIdx, gen: u32 },
    /// A waiting contact overflows to its queue's overflow queue.
    Overflow { contact: ContactIdx, gen: u32 },
    /// A waiting customer is offered a callback.
    CallbackOffer { contact: ContactIdx, gen: u32 },
    /// An offer is accepted, rejected or times out.
    OfferDone { contact: ContactIdx, gen: u32 },
    /// Routing stops passing over the agent who declined a waiting contact or let it ring out.
    MissedOver { contact: ContactIdx, gen: u32 },
    /// A contact's next handling step comes.
    Step { contact: ContactIdx, gen: u32 },
    /// A bot is done with a contact.
    BotDone { contact: ContactIdx, gen: u32 },
    /// An agent's shift starts.
    ShiftStart { agent: AgentIdx },
    /// An agent's shift ends.
    ShiftEnd { agent: AgentIdx },
    /// An agent's next Away episode is due.
    AwayStart { agent: AgentIdx, gen: u32 },
    /// An agent's Away episode ends.
    AwayEnd { agent: AgentIdx, gen: u32 },
    /// An agent's next idle stretch is due.
    IdleStart { agent: AgentIdx, gen: u32 },
    /// An agent comes back to the desk from an idle stretch (absence generation).
    IdleEnd { agent: AgentIdx, gen: u32 },
    /// The platform sets an absent agent Away (absence generation).
    AutoAway { agent: AgentIdx, gen: u32 },
    /// The platform logs an absent agent out (absence generation).
    AutoLogout { agent: AgentIdx, gen: u32 },
    /// An agent's next Focus episode is due.
    FocusStart { agent: AgentIdx, gen: u32 },
    /// An agent's Focus episode ends.
    FocusEnd { agent: AgentIdx, gen: u32 },
    /// A customer's bot session window may be over (the customer's number).
    BotSessionEnd { customer: u64 },
}

/// The random-number streams of a run, one per process and per workstream, group or
/// campaign, and one per contact (`Contact::rng`, keyed from here), so that what-ifs share
/// their random numbers where they do not differ.
struct Streams {
    /// Per workstream: arrivals.
    arrivals: Vec<Stream>,
    /// Per workstream: the keys of arriving customers' own streams, one per arrival in
    /// arrival order. Everything about a customer (patience, handling, behaviour, bot,
    /// callback, comebacks) is drawn from the contact's own stream, so a knob that changes
    /// the order contacts are served in does not change what each customer draws.
    customers: Vec<Stream>,
    /// Per group: offer outcomes.
    offers: Vec<Stream>,
    /// Per group: Away episodes.
    away: Vec<Stream>,
    /// Per group: idle stretches.
    idle: Vec<Stream>,
    /// Per group: Focus episodes.
    focus: Vec<Stream>,
    /// Per campaign: when attempts are made.
    attempts: Vec<Stream>,
    /// Per campaign: the keys of attempts' own streams, one per attempt.
    attempt_keys: Vec<Stream>,
    /// Per campaign: whether and when calls are answered.
    answer: Vec<Stream>,
    /// Per campaign: talk or writing time, and after-contact work.
    campaign_handle: Vec<Stream>,
    /// Per campaign: customers answering back.
    reply: Vec<Stream>,
}

impl Streams {
    /// The streams of a run of `scenario` with `seed`, each named after its process and its
    /// owner's name.
    fn new(scenario: &Scenario, seed: u64) -> Streams {
        let per = |process: &str, owners: &[&str]| -> Vec<Stream> {
            owners
                .iter()
                .map(|owner| Stream::new(seed, &format!("{process}/{owner}")))
                .collect()
        };
        let workstreams: Vec<&str> = scenario
            .workstreams
            .iter()
            .map(|w| w.name.as_str())
            .collect();
        let groups: Vec<&str> = scenario.groups.iter().map(|g| g.name.as_str()).collect();
        let campaigns: Vec<&str> = scenario.campaigns.iter().map(|c| c.name.as_str()).collect();
        Streams {
            arrivals: per("arrivals", &workstreams),
            customers: per("customers", &workstreams),
            offers: per("offer", &groups),
            away: per("away", &groups),
            idle: per("idle", &groups),
            focus: per("focus", &groups),
            attempts: per("campaign-attempts", &campaigns),
            attempt_keys: per("campaign-contacts", &campaigns),
            answer: per("campaign-answer", &campaigns),
            campaign_handle: per("campaign-handle", &campaigns),
            reply: per("campaign-reply", &campaigns),
        }
    }
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

/// A running simulation. Its state is grouped by the process that owns it; each process's
/// methods live in the module of the same name.
pub struct Sim<'s, O> {
    scenario: &'s Scenario,
    kernel: Kernel<Activation>,
    /// The end of the horizon [ms since the epoch].
    end_ms: i64,
    out: O,
    stats: SimStats,
    streams: Streams,
    /// Arrivals: each workstream's place in its rate function.
    arrivals: Table<WorkstreamIdx, RateClock>,
    /// Campaigns: each campaign's place in its attempt rate function.
    attempts: Table<CampaignIdx, RateClock>,
    /// Contacts in the system (queued, offered, handled, in wrap-up or with a bot).
    contacts: Slab<ContactIdx, Contact>,
    /// Agents' state, beside the scenario's agent definitions.
    agents: Table<AgentIdx, Agent>,
    /// Queues: the contacts waiting in each, oldest first (stale entries dropped lazily).
    waiting: Table<QueueIdx, VecDeque<Waiting>>,
    /// Customers who will come back to a closed conversation.
    returns: Slab<ReturnIdx, ReturnInfo>,
    /// Bots: each customer's open bot session, by the customer's number.
    bot_sessions: FxHashMap<u64, BotSession>,
    /// The counters ids are given out from.
    ids: Counters,
    /// Called with the simulated time now and then (progress bars).
    progress: Option<&'s (dyn Fn(i64) + Sync)>,
}

impl<'s, O: Output> Sim<'s, O> {
    /// A simulation of `scenario` with `seed`, writing to `out`.
    pub fn new(scenario: &'s Scenario, seed: u64, out: O) -> Self {
        let start_ms = scenario.start.millis();
        let agents = scenario
            .agents
            .iter()
            .map(|definition| Agent::new(definition.group, start_ms))
            .collect();
        Sim {
            scenario,
            kernel: Kernel::new(start_ms),
            end_ms: scenario.end.millis(),
            out,
            stats: SimStats::default(),
            streams: Streams::new(scenario, seed),
            arrivals: Table::new(vec![RateClock::new(start_ms); scenario.workstreams.len()]),
            attempts: Table::new(vec![RateClock::new(start_ms); scenario.campaigns.len()]),
            contacts: Slab::with_capacity(256),
            agents: Table::new(agents),
            waiting: Table::new(vec![VecDeque::new(); scenario.queues.len()]),
            returns: Slab::with_capacity(0),
            bot_sessions: FxHashMap::default(),
            ids: Counters::default(),
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
        for workstream in self.arrivals.indices() {
            self.schedule_arrival(workstream);
        }
        for campaign in self.attempts.indices() {
            self.schedule_attempt(campaign);
        }
        for agent in self.agents.indices() {
            self.schedule_shift(agent);
        }
        let mut n_activations: u32 = 0;
        while let Some(activation) = self.kernel.next_before(self.end_ms) {
            self.dispatch(activation)?;
            n_activations = n_activations.wrapping_add(1);
            if n_activations % 65_536 == 0 {
                if let Some(f) = self.progress {
                    f(self.kernel.now());
                }
            }
        }
        Ok((self.out, self.stats))
    }

    /// Hands an activation to its process, unless it is stale.
    fn dispatch(&mut self, activation: Activation) -> Result<(), SimError> {
        use Activation as A;
        match activation {
            A::Arrival { workstream } => self.arrival(workstream),
            A::Attempt { campaign } => self.attempt(campaign),
            A::Expire { contact, gen } if self.live(contact, gen) => {
                self.expire(contact);
                Ok(())
            }
            A::Return { pending } => self.returned(pending),
            A::Patience { contact, gen } if self.live(contact, gen) => self.abandon(contact),
            A::Overflow { contact, gen } if self.live(contact, gen) => self.overflow(contact),
            A::CallbackOffer { contact, gen } if self.live(contact, gen) => {
                self.offer_callback(contact)
            }
            A::OfferDone { contact, gen } if self.live(contact, gen) => self.offer_done(contact),
            A::MissedOver { contact, gen } if self.live(contact, gen) => self.missed_over(contact),
            A::Step { contact, gen } if self.live(contact, gen) => self.step(contact),
            A::BotDone { contact, gen } if self.live(contact, gen) => self.bot_done(contact),
            A::ShiftStart { agent } => self.shift_start(agent),
            A::ShiftEnd { agent } => self.shift_end(agent),
            A::AwayStart { agent, gen } if self.agents[agent].episode_gen == gen => {
                self.away_start(agent)
            }
            A::AwayEnd { agent, gen } if self.agents[agent].episode_gen == gen => {
                self.away_end(agent)
            }
            A::IdleStart { agent, gen } if self.agents[agent].episode_gen == gen => {
                self.idle_start(agent)
            }
            A::IdleEnd { agent, gen } if self.agents[agent].absence_gen == gen => {
                self.idle_end(agent)
            }
            A::AutoAway { agent, gen } if self.agents[agent].absence_gen == gen => {
                self.auto_away(agent)
            }
            A::AutoLogout { agent, gen } if self.agents[agent].absence_gen == gen => {
                self.auto_logout(agent)
            }
            A::FocusStart { agent, gen } if self.agents[agent].episode_gen == gen => {
                self.focus_start(agent)
            }
            A::FocusEnd { agent, gen } if self.agents[agent].episode_gen == gen => {
                self.focus_end(agent)
            }
            A::BotSessionEnd { customer } => self.bot_session_end(customer),
            A::Expire { .. }
            | A::Patience { .. }
            | A::Overflow { .. }
            | A::CallbackOffer { .. }
            | A::OfferDone { .. }
            | A::MissedOver { .. }
            | A::Step { .. }
            | A::BotDone { .. }
            | A::AwayStart { .. }
            | A::AwayEnd { .. }
            | A::IdleStart { .. }
            | A::IdleEnd { .. }
            | A::AutoAway { .. }
            | A::AutoLogout { .. }
            | A::FocusStart { .. }
            | A::FocusEnd { .. } => Ok(()),
        }
    }

    /// Whether a contact timer set in generation `gen` still concerns a contact in the system.
    fn live(&self, contact: ContactIdx, gen: u32) -> bool {
        let slot = &self.contacts[contact];
        slot.gen == gen && slot.state != State::Free
    }

    /// Writes one event, at the simulated time now.
    fn emit(&mut self, kind: EventKind<'_>) -> Result<(), SimError> {
        self.stats.events += 1;
        self.out.event(&Event {
            at: Instant::from_millis(self.kernel.now()),
            kind,
        })
    }

    /// The scenario's id of `agent`.
    fn agent_id(&self, agent: AgentIdx) -> &'s str {
        self.scenario.agents[agent.get()].id.as_str()
    }
}
