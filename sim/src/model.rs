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

use arrayvec::ArrayString;
use std::collections::VecDeque;

use ccsim_engine::event::{
    Channel, ClosedBy, ClosureReason, Direction, Event, EventKind, HandlerKind,
    ParticipantEventReason, ParticipantEventType, ParticipantMode, Sender, TransferTarget, Trigger,
};
use ccsim_engine::time::Instant;
use rustc_hash::FxHashMap;

use crate::dist::Stream;
use crate::kernel::Kernel;
use crate::output::{Output, SimError};
use crate::scenario::{ChannelKind, Entry, Scenario, Segment, Transfer, CHANNELS};

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

/// Where a contact is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Free,
    Bot,
    Queued,
    Offered,
    Handling,
    Wrap,
}

/// The outcome drawn for an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OfferOutcome {
    Accept,
    Reject,
    Timeout,
}

/// The next step of a contact's handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    HoldStart,
    HoldEnd,
    ConsultStart { reject: bool },
    ConsultEnd,
    FirstReply,
    Answered,
    OutboundMessage,
    CustomerMessage,
    AgentMessage,
    AsyncReply,
    Finish,
    WrapEnd,
}

/// One contact in the system.
#[derive(Clone, Debug)]
struct Contact {
    gen: u32,
    state: State,
    ws: u32,
    /// The campaign of an outbound attempt, or `NONE` for an inbound contact.
    campaign: u32,
    id: Id,
    customer: Id,
    conversation: Id,
    session: Id,
    bot_session: Id,
    bot: u32,
    queue: u32,
    /// When it entered its current queue (a contact back from an offer keeps its place).
    enq_at: i64,
    agent: u32,
    consultant: u32,
    pref_agent: u32,
    pref_until: i64,
    offer: OfferOutcome,
    /// Position in the queue's FIFO: valid while equal to the entry's token.
    token: u32,
    overflow_at: i64,
    fulfilled: bool,
    transferred: bool,
    /// The voice plan: (delay before it, step), and where we are in it.
    plan: [(i64, Step); 6],
    plan_len: u8,
    plan_pos: u8,
    /// The consult's duration (accepted) or time to reject.
    consult_ms: i64,
}

impl Contact {
    fn empty() -> Contact {
        Contact {
            gen: 0,
            state: State::Free,
            ws: 0,
            campaign: NONE,
            id: Id::NONE,
            customer: Id::NONE,
            conversation: Id::NONE,
            session: Id::NONE,
            bot_session: Id::NONE,
            bot: NONE,
            queue: NONE,
            enq_at: 0,
            agent: NONE,
            consultant: NONE,
            pref_agent: NONE,
            pref_until: 0,
            offer: OfferOutcome::Accept,
            token: 0,
            overflow_at: i64::MAX,
            fulfilled: false,
            transferred: false,
            plan: [(0, Step::Finish); 6],
            plan_len: 0,
            plan_pos: 0,
            consult_ms: 0,
        }
    }
}

/// What an agent waits to do once their work is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    None,
    Away,
    Idle,
    Logout,
}

/// Away set by the agent, or by the platform after inactivity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AwayKind {
    No,
    Manual,
    Auto,
}

/// One agent.
#[derive(Clone, Debug)]
struct Agent {
    group: u32,
    logged_in: bool,
    in_shift: bool,
    next_shift: u32,
    available: bool,
    away: AwayKind,
    focus: bool,
    absent: bool,
    last_active: i64,
    pending: Pending,
    load: [u8; CHANNELS],
    total: u32,
    free_since: i64,
    /// Generation of episode timers (away, idle, focus starts and ends).
    gen: u32,
    /// Generation of the current absence's timers.
    absence_gen: u32,
    /// Customers whose profile the agent has open, with how many contacts keep it open.
    profiles: Vec<(u64, u32)>,
}

/// A customer coming back: who, to which conversation, from when.
#[derive(Clone, Copy, Debug)]
struct ReturnInfo {
    customer: Id,
    conversation: Id,
    closed_at: i64,
    ws: u32,
    agent: u32,
}

/// An open bot session of a customer.
#[derive(Clone, Debug)]
struct BotSess {
    id: Id,
    bot: u32,
    ends_at: i64,
    conversations: Vec<u64>,
}

/// The random-number streams of a run, one per process.
struct Streams {
    arrivals: Vec<Stream>,
    patience: Vec<Stream>,
    handle: Vec<Stream>,
    behaviour: Vec<Stream>,
    bots: Vec<Stream>,
    offers: Vec<Stream>,
    away: Vec<Stream>,
    idle: Vec<Stream>,
    focus: Vec<Stream>,
    /// Per campaign: when attempts are made.
    attempts: Vec<Stream>,
    /// Per campaign: whether and when calls are answered.
    answer: Vec<Stream>,
    /// Per campaign: talk or writing time, and after-contact work.
    campaign_handle: Vec<Stream>,
    /// Per campaign: customers answering back.
    reply: Vec<Stream>,
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

/// The text of an id: a short prefix and a number, held inline.
type IdText = ArrayString<24>;

/// An id the simulator gave out: its number, and its text written once, when it is given out,
/// so that the events naming it borrow the text rather than write it again.
#[derive(Clone, Copy, Debug)]
struct Id {
    n: u64,
    text: IdText,
}

impl Id {
    /// No id (a contact slot not in use).
    const NONE: Id = Id {
        n: 0,
        text: IdText::new_const(),
    };

    /// The id numbered `n` after `prefix`.
    fn new(prefix: &'static str, n: u64) -> Id {
        let mut text = IdText::new();
        // The prefixes are this file's three-letter constants and a u64 has at most 20 digits,
        // so both fit (a test writes the longest); a longer prefix is a bug here, refused
        // loudly rather than cut to a duplicate id.
        text.push_str(prefix);
        text.push_str(itoa::Buffer::new().format(n));
        Id { n, text }
    }

    /// Its text.
    fn as_str(&self) -> &str {
        self.text.as_str()
    }
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

#[derive(Default)]
struct Counters {
    contact: u64,
    session: u64,
    conversation: u64,
    customer: u64,
    bot_session: u64,
    ticket: u64,
}

impl Counters {
    /// The next contact id.
    fn contact(&mut self) -> Id {
        bump(&mut self.contact, "ct-")
    }

    /// The next session id.
    fn session(&mut self) -> Id {
        bump(&mut self.session, "se-")
    }

    /// The next conversation id.
    fn conversation(&mut self) -> Id {
        bump(&mut self.conversation, "cv-")
    }

    /// The next customer id.
    fn customer(&mut self) -> Id {
        bump(&mut self.customer, "cu-")
    }

    /// The next bot session id.
    fn bot_session(&mut self) -> Id {
        bump(&mut self.bot_session, "bs-")
    }

    /// The next ticket id.
    fn ticket(&mut self) -> Id {
        bump(&mut self.ticket, "tk-")
    }
}

/// Advances `counter` and gives out the id it now numbers.
fn bump(counter: &mut u64, prefix: &'static str) -> Id {
    *counter += 1;
    Id::new(prefix, *counter)
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

    // ---- arrivals -------------------------------------------------------------------------

    /// Schedules workstream `ws`'s next arrival by inverting its cumulative rate function
    /// with a unit exponential, so a rate multiplier moves arrivals without reshuffling them.
    fn schedule_arrival(&mut self, ws: u32) {
        let w = ws as usize;
        let e = self.streams.arrivals[w].unit_exp();
        let (clock, seg) = (&mut self.arrival_clock[w], &mut self.arrival_seg[w]);
        if let Some(t) = next_arrival(&self.sc.workstreams[w].arrivals, e, clock, seg) {
            self.k.at(t, Ev::Arrival { ws });
        }
    }

    /// Schedules campaign `k`'s next attempt, as [`Self::schedule_arrival`] does arrivals.
    fn schedule_attempt(&mut self, k: u32) {
        let i = k as usize;
        let e = self.streams.attempts[i].unit_exp();
        let (clock, seg) = (&mut self.attempt_clock[i], &mut self.attempt_seg[i]);
        if let Some(t) = next_arrival(&self.sc.campaigns[i].attempts, e, clock, seg) {
            self.k.at(t, Ev::Attempt { k });
        }
    }

    /// A campaign attempt: it waits, silently, in the campaign's queue for a free agent (or
    /// goes to one at once). Nothing is written until an agent starts it.
    fn attempt(&mut self, k: u32) -> Result<(), SimError> {
        self.schedule_attempt(k);
        let camp = &self.sc.campaigns[k as usize];
        let c = self.alloc();
        let now = self.k.now();
        let gen = {
            let x = &mut self.contacts[c as usize];
            x.campaign = k;
            x.queue = camp.queue as u32;
            x.enq_at = now;
            x.gen
        };
        if let Some(d) = camp.expire_ms {
            self.k.after(d, Ev::Expire { c, gen });
        }
        self.route(c, false)
    }

    /// An attempt no agent started in time is dropped.
    fn expire(&mut self, c: u32) {
        if self.contacts[c as usize].state == State::Queued {
            self.release_contact(c);
        }
    }

    /// Agent `a` starts campaign attempt `c`: a new customer and conversation, an outbound
    /// contact in a session the agent has accepted, the customer's profile open, and the
    /// call ringing (voice) or the message being written. The agent's capacity on the
    /// channel is taken as for any other contact.
    fn dial(&mut self, c: u32, a: u32) -> Result<(), SimError> {
        let k = self.contacts[c as usize].campaign as usize;
        let camp = &self.sc.campaigns[k];
        let channel = camp.channel;
        let g = self.agents[a as usize].group as usize;
        {
            let ag = &mut self.agents[a as usize];
            ag.load[channel as usize] += 1;
            ag.total += 1;
        }
        let customer = self.next.customer();
        let conversation = self.next.conversation();
        let contact_id = self.next.contact();
        let session = self.next.session();
        self.stats.contacts += 1;
        let (cu, cv) = (customer.as_str(), conversation.as_str());
        let (ct, se) = (contact_id.as_str(), session.as_str());
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::ConversationOpened {
            conversation: cv,
            customer: cu,
        })?;
        self.emit(EventKind::ContactStarted {
            contact: ct,
            conversation: Some(cv),
            customer: Some(cu),
            channel,
            direction: Direction::Outbound,
            channel_instance: None,
        })?;
        self.emit(EventKind::SessionStarted {
            session: se,
            contact: ct,
            queue: Some(&self.sc.queues[camp.queue].name),
            handler: HandlerKind::Agent,
        })?;
        self.emit(EventKind::SessionOffered { session: se, agent })?;
        self.emit(EventKind::SessionAccepted { session: se, agent })?;
        self.emit(EventKind::ParticipantJoined {
            session: se,
            participant: agent,
            kind: HandlerKind::Agent,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        if self.sc.groups[g].profile_views {
            self.open_profile(a, customer)?;
        }
        let gen = {
            let x = &mut self.contacts[c as usize];
            x.gen = x.gen.wrapping_add(1);
            x.token = x.token.wrapping_add(1);
            x.state = State::Handling;
            x.agent = a;
            x.id = contact_id;
            x.customer = customer;
            x.conversation = conversation;
            x.session = session;
            x.gen
        };
        let (step, d) = if camp.kind == ChannelKind::Voice {
            let s = &mut self.streams.answer[k];
            if s.chance(camp.answer_probability) {
                (Step::Answered, camp.ring.sample_ms(s))
            } else {
                (Step::Finish, camp.unanswered_ring.sample_ms(s))
            }
        } else {
            let d = camp.handle.sample_ms(&mut self.streams.campaign_handle[k]);
            (Step::OutboundMessage, d)
        };
        self.set_step(c, step);
        self.k.after(d, Ev::Step { c, gen });
        Ok(())
    }

    fn arrival(&mut self, ws: u32) -> Result<(), SimError> {
        self.schedule_arrival(ws);
        let customer = self.next.customer();
        self.start_contact(ws, customer, None, NONE, 0)
    }

    fn returned(&mut self, r: u32) -> Result<(), SimError> {
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

    fn start_contact(
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

    fn alloc(&mut self) -> u32 {
        let c = match self.free.pop() {
            Some(c) => c,
            None => {
                self.contacts.push(Contact::empty());
                (self.contacts.len() - 1) as u32
            }
        };
        let gen = self.contacts[c as usize].gen.wrapping_add(1);
        let token = self.contacts[c as usize].token;
        self.contacts[c as usize] = Contact {
            gen,
            token,
            state: State::Queued,
            ..Contact::empty()
        };
        c
    }

    fn release_contact(&mut self, c: u32) {
        let x = &mut self.contacts[c as usize];
        x.gen = x.gen.wrapping_add(1);
        x.token = x.token.wrapping_add(1);
        x.state = State::Free;
        self.free.push(c);
    }

    // ---- queues and routing ---------------------------------------------------------------

    /// Puts contact `c` in queue `q` with a new session, arms its timers and routes it.
    fn enqueue(&mut self, c: u32, q: u32, first: bool) -> Result<(), SimError> {
        let queue = &self.sc.queues[q as usize];
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        if first {
            self.stats.queued += 1;
        }
        self.emit(EventKind::ContactQueued {
            contact: ct,
            queue: &queue.name,
        })?;
        let session = self.next.session();
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: ct,
            queue: Some(&queue.name),
            handler: HandlerKind::Agent,
        })?;
        let now = self.k.now();
        let ws = self.contacts[c as usize].ws as usize;
        let gen = self.contacts[c as usize].gen;
        {
            let x = &mut self.contacts[c as usize];
            x.session = session;
            x.queue = q;
            x.state = State::Queued;
            x.overflow_at = i64::MAX;
            x.enq_at = now;
        }
        if first {
            if let Some(p) = &self.sc.workstreams[ws].patience {
                let d = p.sample_ms(&mut self.streams.patience[ws]);
                self.k.after(d, Ev::Patience { c, gen });
            }
        }
        if let Some((after, _)) = queue.overflow {
            self.contacts[c as usize].overflow_at = now + after;
            self.k.after(after, Ev::Overflow { c, gen });
        }
        self.route(c, false)
    }

    /// Offers `c` to the best free agent, or leaves it waiting (at the front when it is
    /// coming back from an offer).
    fn route(&mut self, c: u32, front: bool) -> Result<(), SimError> {
        let q = self.contacts[c as usize].queue;
        match self.best_agent(c, q, NONE) {
            Some(a) => self.offer(c, a),
            None => {
                let x = &mut self.contacts[c as usize];
                x.token = x.token.wrapping_add(1);
                x.state = State::Queued;
                let entry = (c, x.token);
                if front {
                    self.fifo[q as usize].push_front(entry);
                } else {
                    self.fifo[q as usize].push_back(entry);
                }
                Ok(())
            }
        }
    }

    fn routable(&self, a: u32, channel: Channel) -> bool {
        let ag = &self.agents[a as usize];
        ag.logged_in
            && ag.in_shift
            && ag.away == AwayKind::No
            && !ag.focus
            && ag.pending == Pending::None
            && ag.load[channel as usize]
                < self.sc.groups[ag.group as usize].capacity[channel as usize]
    }

    /// The preferred agent when free, else the eligible free agent with the best skill rank,
    /// then the lowest load, then idle longest.
    fn best_agent(&self, c: u32, q: u32, except: u32) -> Option<u32> {
        let queue = &self.sc.queues[q as usize];
        let channel = queue.channel;
        let x = &self.contacts[c as usize];
        if x.pref_agent != NONE
            && x.pref_agent != except
            && self.k.now() <= x.pref_until
            && self.routable(x.pref_agent, channel)
            && queue.eligible.iter().any(|(a, _)| *a == x.pref_agent)
        {
            return Some(x.pref_agent);
        }
        let mut best: Option<(u32, u8, i64, u32)> = None;
        for &(a, rank) in &queue.eligible {
            if a == except || !self.routable(a, channel) {
                continue;
            }
            let ag = &self.agents[a as usize];
            let key = (rank, ag.load[channel as usize], ag.free_since, a);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|b| b.3)
    }

    /// The oldest live contact at the head of queue `q`, dropping stale entries.
    fn head(&mut self, q: u32) -> Option<u32> {
        let contacts = &self.contacts;
        let fifo = &mut self.fifo[q as usize];
        while let Some(&(c, token)) = fifo.front() {
            let x = &contacts[c as usize];
            if x.token == token && x.state == State::Queued && x.queue == q {
                return Some(c);
            }
            fifo.pop_front();
        }
        None
    }

    /// Agent `a` may have room: give them waiting contacts, highest queue priority first,
    /// then their most preferred skill, then the contact that has waited longest.
    fn pull(&mut self, a: u32) -> Result<(), SimError> {
        let sc = self.sc;
        loop {
            // (priority, rank, entered the queue at, contact)
            let mut pick: Option<(i32, u32, i64, u32)> = None;
            for &(q, rank) in &sc.agents[a as usize].queues {
                let queue = &sc.queues[q];
                if let Some((prio, r, _, _)) = pick {
                    // Queues come sorted by priority and rank: a worse tier cannot win.
                    if (prio, r) != (queue.priority, rank) {
                        break;
                    }
                }
                if !self.routable(a, queue.channel) {
                    continue;
                }
                let Some(c) = self.head(q as u32) else {
                    continue;
                };
                let since = self.contacts[c as usize].enq_at;
                if pick.is_none_or(|p| since < p.2) {
                    pick = Some((queue.priority, rank, since, c));
                }
            }
            let Some((_, _, _, c)) = pick else {
                return Ok(());
            };
            let q = self.contacts[c as usize].queue as usize;
            self.fifo[q].pop_front();
            self.offer(c, a)?;
        }
    }

    fn overflow(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        if x.state != State::Queued || self.k.now() < x.overflow_at {
            return Ok(());
        }
        let Some((_, to)) = self.sc.queues[x.queue as usize].overflow else {
            return Ok(());
        };
        self.end_session(
            c,
            Some((TransferTarget::Queue, Some(&self.sc.queues[to].name))),
            ClosureReason::InqueueOverflowQueueTransfer,
        )?;
        let x = &mut self.contacts[c as usize];
        x.token = x.token.wrapping_add(1);
        self.enqueue(c, to as u32, false)
    }

    fn end_session(
        &mut self,
        c: u32,
        transfer: Option<(TransferTarget, Option<&str>)>,
        reason: ClosureReason,
    ) -> Result<(), SimError> {
        let session = self.contacts[c as usize].session;
        let se = session.as_str();
        if let Some((to, target)) = transfer {
            self.emit(EventKind::SessionTransferred {
                session: se,
                to,
                target,
            })?;
        }
        self.emit(EventKind::SessionEnded {
            session: se,
            reason,
        })
    }

    // ---- offers -----------------------------------------------------------------------------

    fn offer(&mut self, c: u32, a: u32) -> Result<(), SimError> {
        if self.contacts[c as usize].campaign != NONE {
            // Outbound work is not offered: the agent routing picked starts it.
            return self.dial(c, a);
        }
        let q = self.contacts[c as usize].queue as usize;
        let channel = self.sc.queues[q].channel;
        let g = self.agents[a as usize].group as usize;
        {
            let ag = &mut self.agents[a as usize];
            ag.load[channel as usize] += 1;
            ag.total += 1;
        }
        let x = &mut self.contacts[c as usize];
        x.state = State::Offered;
        x.agent = a;
        x.token = x.token.wrapping_add(1);
        let session = x.session;
        let se = session.as_str();
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::SessionOffered { session: se, agent })?;
        let group = &self.sc.groups[g];
        let (outcome, delay) = if self.agents[a as usize].absent {
            (OfferOutcome::Timeout, self.sc.platform.offer_timeout_ms)
        } else {
            let s = &mut self.streams.offers[g];
            match s.pick(&group.offer.weights) {
                0 => (
                    OfferOutcome::Accept,
                    group.offer.time_to_accept.sample_ms(s),
                ),
                1 => (
                    OfferOutcome::Reject,
                    group.offer.time_to_reject.sample_ms(s),
                ),
                _ => (OfferOutcome::Timeout, self.sc.platform.offer_timeout_ms),
            }
        };
        self.contacts[c as usize].offer = outcome;
        if outcome == OfferOutcome::Accept && delay == 0 {
            return self.accept(c);
        }
        let gen = self.contacts[c as usize].gen;
        self.k.after(delay, Ev::OfferDone { c, gen });
        Ok(())
    }

    fn offer_done(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        if x.state != State::Offered {
            return Ok(());
        }
        let a = x.agent;
        let session = x.session;
        let se = session.as_str();
        let agent = self.sc.agents[a as usize].id.as_str();
        match x.offer {
            OfferOutcome::Accept => return self.accept(c),
            OfferOutcome::Reject => {
                self.emit(EventKind::SessionRejected { session: se, agent })?;
                self.emit(EventKind::SessionEnded {
                    session: se,
                    reason: ClosureReason::AgentReject,
                })?;
            }
            OfferOutcome::Timeout => {
                self.emit(EventKind::SessionTimedOut { session: se, agent })?;
                self.emit(EventKind::SessionEnded {
                    session: se,
                    reason: ClosureReason::AgentTimeout,
                })?;
            }
        }
        // Back to the queue (in front: it keeps its place) in a new session.
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        self.release_agent(a, channel);
        let session = self.next.session();
        let contact = self.contacts[c as usize].id;
        self.emit(EventKind::SessionStarted {
            session: session.as_str(),
            contact: contact.as_str(),
            queue: Some(&self.sc.queues[q as usize].name),
            handler: HandlerKind::Agent,
        })?;
        {
            let x = &mut self.contacts[c as usize];
            x.session = session;
            x.state = State::Queued;
            x.agent = NONE;
        }
        if self.k.now() >= self.contacts[c as usize].overflow_at {
            self.overflow(c)?;
        } else {
            self.route(c, true)?;
        }
        self.after_release(a)
    }

    fn accept(&mut self, c: u32) -> Result<(), SimError> {
        let a = self.contacts[c as usize].agent;
        let ws = self.contacts[c as usize].ws as usize;
        let w = &self.sc.workstreams[ws];
        let g = self.agents[a as usize].group as usize;
        {
            let x = &mut self.contacts[c as usize];
            x.gen = x.gen.wrapping_add(1);
            x.state = State::Handling;
        }
        let x = &self.contacts[c as usize];
        let (session, contact, customer) = (x.session, x.id, x.customer);
        let (se, ct) = (session.as_str(), contact.as_str());
        let fulfilled = x.fulfilled;
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::SessionAccepted { session: se, agent })?;
        self.emit(EventKind::ParticipantJoined {
            session: se,
            participant: agent,
            kind: HandlerKind::Agent,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        if self.sc.groups[g].profile_views {
            self.open_profile(a, customer)?;
        }
        let gen = self.contacts[c as usize].gen;
        match w.kind {
            ChannelKind::Voice => {
                if !fulfilled {
                    self.contacts[c as usize].fulfilled = true;
                    self.emit(EventKind::ContactFulfilled {
                        contact: ct,
                        agent,
                        via: None,
                    })?;
                }
                self.plan_voice(c);
                let first = self.contacts[c as usize].plan[0].0;
                self.k.after(first, Ev::Step { c, gen });
            }
            ChannelKind::Messaging => {
                let d = w
                    .messages
                    .as_ref()
                    .map_or(0, |m| m.first_reply.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::FirstReply);
                self.k.after(d, Ev::Step { c, gen });
            }
            ChannelKind::Async => {
                let d = w
                    .handle
                    .as_ref()
                    .map_or(0, |h| h.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::AsyncReply);
                self.k.after(d, Ev::Step { c, gen });
            }
        }
        Ok(())
    }

    /// Makes `step` the contact's only pending step.
    fn set_step(&mut self, c: u32, step: Step) {
        let x = &mut self.contacts[c as usize];
        x.plan[0] = (0, step);
        x.plan_len = 1;
        x.plan_pos = 0;
    }

    /// Draws a call's talk time, hold and consult, and lays them out as steps.
    fn plan_voice(&mut self, c: u32) {
        let ws = self.contacts[c as usize].ws as usize;
        let w = &self.sc.workstreams[ws];
        let talk = w
            .handle
            .as_ref()
            .map_or(0, |h| h.sample_ms(&mut self.streams.handle[ws]));
        let s = &mut self.streams.behaviour[ws];
        // Pauses at points of the talk time: (point, start step, end step, length).
        let mut pauses: [(i64, Step, Step, i64); 2] = [(0, Step::Finish, Step::Finish, 0); 2];
        let mut n = 0;
        if let Some((p, d)) = &w.hold {
            if s.chance(*p) {
                let at = (s.uniform() * talk as f64) as i64;
                pauses[n] = (at, Step::HoldStart, Step::HoldEnd, d.sample_ms(s));
                n += 1;
            }
        }
        let mut consult_ms = 0;
        if let Some(k) = &w.consult {
            if s.chance(k.probability) {
                let at = (s.uniform() * talk as f64) as i64;
                let reject = s.chance(k.reject_probability);
                consult_ms = if reject {
                    k.time_to_reject.sample_ms(s)
                } else {
                    k.duration.sample_ms(s)
                };
                pauses[n] = (
                    at,
                    Step::ConsultStart { reject },
                    Step::ConsultEnd,
                    consult_ms,
                );
                n += 1;
            }
        }
        let pauses = &mut pauses[..n];
        pauses.sort_by_key(|p| p.0);
        let mut plan = [(0i64, Step::Finish); 6];
        let mut len = 0;
        let mut prev = 0;
        for &(at, start, end, length) in pauses.iter() {
            plan[len] = (at - prev, start);
            plan[len + 1] = (length, end);
            len += 2;
            prev = at;
        }
        plan[len] = (talk - prev, Step::Finish);
        len += 1;
        let x = &mut self.contacts[c as usize];
        x.plan = plan;
        x.plan_len = len as u8;
        x.plan_pos = 0;
        x.consult_ms = consult_ms;
    }

    /// Runs the contact's next step and schedules the one after.
    fn step(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let (_, step) = x.plan[x.plan_pos as usize];
        let ws = x.ws as usize;
        let a = x.agent;
        let gen = x.gen;
        let (contact, session) = (x.id, x.session);
        let (ct, se) = (contact.as_str(), session.as_str());
        let agent = self.sc.agents[a as usize].id.as_str();
        let w = self.sc.workstreams.get(ws);
        let next_in_plan = |sim: &mut Self| {
            let x = &mut sim.contacts[c as usize];
            x.plan_pos += 1;
            if x.plan_pos < x.plan_len {
                let d = x.plan[x.plan_pos as usize].0;
                sim.k.after(d, Ev::Step { c, gen });
            }
        };
        match step {
            Step::HoldStart => {
                self.emit(EventKind::HoldStarted {
                    contact: ct,
                    session: Some(se),
                })?;
                self.emit(EventKind::ParticipantEvent {
                    session: se,
                    participant: agent,
                    event_type: ParticipantEventType::Hold,
                    reason: ParticipantEventReason::AgentInitiated,
                })?;
                next_in_plan(self);
            }
            Step::HoldEnd => {
                self.emit(EventKind::HoldEnded { contact: ct })?;
                next_in_plan(self);
            }
            Step::ConsultStart { .. } => {
                let q = self.contacts[c as usize].queue;
                if let Some(k) = self.best_agent(c, q, a) {
                    let channel = self.sc.queues[q as usize].channel;
                    {
                        let ag = &mut self.agents[k as usize];
                        ag.load[channel as usize] += 1;
                        ag.total += 1;
                    }
                    self.contacts[c as usize].consultant = k;
                    self.emit(EventKind::HoldStarted {
                        contact: ct,
                        session: Some(se),
                    })?;
                    self.emit(EventKind::ParticipantJoined {
                        session: se,
                        participant: &self.sc.agents[k as usize].id,
                        kind: HandlerKind::Agent,
                        mode: ParticipantMode::Consult,
                        reason: Some("AgentConsult"),
                    })?;
                    next_in_plan(self);
                } else {
                    // Nobody free to consult: the agent carries on alone.
                    let x = &mut self.contacts[c as usize];
                    x.consultant = NONE;
                    x.plan_pos += 1;
                    next_in_plan(self);
                }
            }
            Step::ConsultEnd => {
                let reject = matches!(
                    self.contacts[c as usize].plan[self.contacts[c as usize].plan_pos as usize - 1]
                        .1,
                    Step::ConsultStart { reject: true }
                );
                let k = self.contacts[c as usize].consultant;
                if k != NONE {
                    self.emit(EventKind::ParticipantLeft {
                        session: se,
                        participant: &self.sc.agents[k as usize].id,
                        reason: reject.then_some("AgentReject"),
                    })?;
                    self.emit(EventKind::HoldEnded { contact: ct })?;
                    self.contacts[c as usize].consultant = NONE;
                    let channel = self.sc.queues[self.contacts[c as usize].queue as usize].channel;
                    self.release_agent(k, channel);
                    next_in_plan(self);
                    self.after_release(k)?;
                } else {
                    next_in_plan(self);
                }
            }
            Step::FirstReply | Step::AgentMessage => {
                self.agent_writes(c, ct, agent)?;
                let m = w.and_then(|w| w.messages.as_ref());
                let s = &mut self.streams.handle[ws];
                match m {
                    Some(m) if s.chance(m.more) => {
                        let d = m.customer_reply.sample_ms(s);
                        self.set_step(c, Step::CustomerMessage);
                        self.k.after(d, Ev::Step { c, gen });
                    }
                    _ => return self.finish(c),
                }
            }
            Step::CustomerMessage => {
                self.emit(EventKind::MessageSent {
                    contact: ct,
                    sender: Sender::Customer,
                    author: None,
                })?;
                let d = w
                    .and_then(|w| w.messages.as_ref())
                    .map_or(0, |m| m.agent_reply.sample_ms(&mut self.streams.handle[ws]));
                self.set_step(c, Step::AgentMessage);
                self.k.after(d, Ev::Step { c, gen });
            }
            Step::AsyncReply => {
                self.agent_writes(c, ct, agent)?;
                return self.finish(c);
            }
            Step::Answered => {
                self.emit(EventKind::ContactAnswered { contact: ct })?;
                let k = self.contacts[c as usize].campaign as usize;
                if let Some(camp) = self.sc.campaigns.get(k) {
                    let d = camp.handle.sample_ms(&mut self.streams.campaign_handle[k]);
                    self.set_step(c, Step::Finish);
                    self.k.after(d, Ev::Step { c, gen });
                    return Ok(());
                }
                return self.finish(c);
            }
            Step::OutboundMessage => {
                self.emit(EventKind::MessageSent {
                    contact: ct,
                    sender: Sender::Agent,
                    author: Some(agent),
                })?;
                return self.finish(c);
            }
            Step::Finish => return self.finish(c),
            Step::WrapEnd => return self.wrap_end(c),
        }
        Ok(())
    }

    /// Handling is over: a transfer, or the contact ends (and after-contact work starts).
    /// The agent writes on contact `c`; their first message fulfils it.
    fn agent_writes(&mut self, c: u32, ct: &str, agent: &str) -> Result<(), SimError> {
        self.emit(EventKind::MessageSent {
            contact: ct,
            sender: Sender::Agent,
            author: Some(agent),
        })?;
        if !self.contacts[c as usize].fulfilled {
            self.contacts[c as usize].fulfilled = true;
            self.emit(EventKind::ContactFulfilled {
                contact: ct,
                agent,
                via: None,
            })?;
        }
        Ok(())
    }

    fn finish(&mut self, c: u32) -> Result<(), SimError> {
        let ws = self.contacts[c as usize].ws as usize;
        let k = self.contacts[c as usize].campaign;
        // Campaign contacts are never transferred; their after-contact work is the campaign's.
        let w = self.sc.workstreams.get(ws).filter(|_| k == NONE);
        let transfer = if let Some(w) =
            w.filter(|w| !self.contacts[c as usize].transferred && !w.transfers.is_empty())
        {
            let s = &mut self.streams.behaviour[ws];
            let mut u = s.uniform();
            let mut pick = None;
            for &(p, t) in &w.transfers {
                if u < p {
                    pick = Some(t);
                    break;
                }
                u -= p;
            }
            pick
        } else {
            None
        };
        let a = self.contacts[c as usize].agent;
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        let customer = self.contacts[c as usize].customer;
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        match transfer {
            Some(Transfer::Queue(to)) => {
                self.contacts[c as usize].transferred = true;
                self.end_session(
                    c,
                    Some((TransferTarget::Queue, Some(&self.sc.queues[to].name))),
                    ClosureReason::AgentTransferToQueue,
                )?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                self.enqueue(c, to as u32, false)?;
                self.after_release(a)
            }
            Some(Transfer::Agent) => {
                self.contacts[c as usize].transferred = true;
                let target = self.best_agent(c, q, a);
                let (to, name) = match target {
                    Some(k) => (
                        TransferTarget::Agent,
                        self.sc.agents[k as usize].id.as_str(),
                    ),
                    None => (
                        TransferTarget::Queue,
                        self.sc.queues[q as usize].name.as_str(),
                    ),
                };
                self.end_session(c, Some((to, Some(name))), ClosureReason::AgentTransferred)?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                match target {
                    Some(k) => {
                        let session = self.next.session();
                        self.emit(EventKind::SessionStarted {
                            session: session.as_str(),
                            contact: ct,
                            queue: Some(&self.sc.queues[q as usize].name),
                            handler: HandlerKind::Agent,
                        })?;
                        self.contacts[c as usize].session = session;
                        self.offer(c, k)?;
                    }
                    None => self.enqueue(c, q, false)?,
                }
                self.after_release(a)
            }
            Some(Transfer::Outside) => {
                self.end_session(
                    c,
                    Some((TransferTarget::Outside, None)),
                    ClosureReason::AgentTransferred,
                )?;
                self.emit(EventKind::ContactEnded {
                    contact: ct,
                    outcome: ccsim_engine::event::Outcome::ForwardedOutside,
                })?;
                self.close_profile(a, customer)?;
                self.release_agent(a, channel);
                self.close_conversation(c, ClosedBy::Agent, a, true)?;
                self.release_contact(c);
                self.after_release(a)
            }
            None => {
                self.emit(EventKind::ContactEnded {
                    contact: ct,
                    outcome: ccsim_engine::event::Outcome::Completed,
                })?;
                let wrap = match (w, self.sc.campaigns.get(k as usize)) {
                    (Some(w), _) => w
                        .after_work
                        .as_ref()
                        .map(|d| d.sample_ms(&mut self.streams.handle[ws])),
                    (None, Some(camp)) => camp
                        .after_work
                        .as_ref()
                        .map(|d| d.sample_ms(&mut self.streams.campaign_handle[k as usize])),
                    (None, None) => None,
                };
                match wrap {
                    Some(d) => {
                        let x = &mut self.contacts[c as usize];
                        x.state = State::Wrap;
                        let gen = x.gen;
                        self.set_step(c, Step::WrapEnd);
                        self.k.after(d, Ev::Step { c, gen });
                        Ok(())
                    }
                    None => self.wrap_end(c),
                }
            }
        }
    }

    fn wrap_end(&mut self, c: u32) -> Result<(), SimError> {
        let a = self.contacts[c as usize].agent;
        let q = self.contacts[c as usize].queue;
        let channel = self.sc.queues[q as usize].channel;
        let customer = self.contacts[c as usize].customer;
        self.end_session(c, None, ClosureReason::AgentClosed)?;
        self.close_profile(a, customer)?;
        self.release_agent(a, channel);
        self.close_conversation(c, ClosedBy::Agent, a, true)?;
        self.release_contact(c);
        self.after_release(a)
    }

    /// Closes the contact's conversation; the customer may come back later.
    fn close_conversation(
        &mut self,
        c: u32,
        by: ClosedBy,
        a: u32,
        may_return: bool,
    ) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let (ws, customer, conversation) = (x.ws as usize, x.customer, x.conversation);
        let campaign = x.campaign;
        let agent = (a != NONE).then(|| self.sc.agents[a as usize].id.as_str());
        self.emit(EventKind::ConversationClosed {
            conversation: conversation.as_str(),
            by,
            agent,
        })?;
        if !may_return {
            return Ok(());
        }
        let k = campaign as usize;
        let (returns, s) = if campaign == NONE {
            (
                self.sc.workstreams[ws].returns.as_ref(),
                &mut self.streams.behaviour[ws],
            )
        } else {
            (
                self.sc.campaigns[k].reply.as_ref(),
                &mut self.streams.reply[k],
            )
        };
        let Some(r) = returns else {
            return Ok(());
        };
        if !s.chance(r.probability) {
            return Ok(());
        }
        let delay = r.delay.sample_ms(s);
        let info = ReturnInfo {
            customer,
            conversation,
            closed_at: self.k.now(),
            ws: r.workstream as u32,
            agent: a,
        };
        let slot = match self.free_returns.pop() {
            Some(i) => {
                self.returns[i as usize] = info;
                i
            }
            None => {
                self.returns.push(info);
                (self.returns.len() - 1) as u32
            }
        };
        self.k.after(delay, Ev::Return { r: slot });
        Ok(())
    }

    fn abandon(&mut self, c: u32) -> Result<(), SimError> {
        let x = &mut self.contacts[c as usize];
        if !matches!(x.state, State::Queued | State::Offered) {
            return Ok(());
        }
        let offered = (x.state == State::Offered).then_some(x.agent);
        let q = x.queue;
        x.gen = x.gen.wrapping_add(1);
        let contact = x.id;
        let ct = contact.as_str();
        let channel = self.sc.queues[q as usize].channel;
        let reason = if channel == Channel::Phone {
            ClosureReason::CustomerDisconnect
        } else {
            ClosureReason::CustomerEndConversation
        };
        self.end_session(c, None, reason)?;
        self.emit(EventKind::ContactEnded {
            contact: ct,
            outcome: ccsim_engine::event::Outcome::Abandoned,
        })?;
        self.close_conversation(c, ClosedBy::System, NONE, false)?;
        self.release_contact(c);
        if let Some(a) = offered {
            self.release_agent(a, channel);
            self.after_release(a)?;
        }
        Ok(())
    }

    // ---- bots -------------------------------------------------------------------------------

    fn bot_start(&mut self, c: u32, b: u32) -> Result<(), SimError> {
        let bot = &self.sc.bots[b as usize];
        let x = &self.contacts[c as usize];
        let (cust, conv, ws) = (x.customer, x.conversation, x.ws as usize);
        let (customer, conversation) = (cust.n, conv.n);
        let channel = self.sc.workstreams[ws].channel;
        let (cu, cv) = (cust.as_str(), conv.as_str());
        let open = self
            .bot_sessions
            .get(&customer)
            .filter(|s| s.bot == b)
            .map(|s| s.id);
        let bs_id = match open {
            Some(i) => i,
            None => {
                let i = self.next.bot_session();
                self.emit(EventKind::BotSessionStarted {
                    bot_session: i.as_str(),
                    bot: &bot.name,
                    version: &bot.version,
                    customer: cu,
                })?;
                let ends_at = self.k.now() + bot.session_window_ms;
                if let Some(old) = self.bot_sessions.insert(
                    customer,
                    BotSess {
                        id: i,
                        bot: b,
                        ends_at,
                        conversations: Vec::new(),
                    },
                ) {
                    // A session with another bot ends when this one starts.
                    self.emit(EventKind::BotSessionEnded {
                        bot_session: old.id.as_str(),
                    })?;
                }
                self.k.at(ends_at, Ev::BotSessionEnd { customer });
                i
            }
        };
        let bs = bs_id.as_str();
        let known = self
            .bot_sessions
            .get_mut(&customer)
            .map(|s| {
                let known = s.conversations.contains(&conversation);
                if !known {
                    s.conversations.push(conversation);
                }
                known
            })
            .unwrap_or(true);
        if known {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bs,
                conversation: cv,
            })?;
        } else {
            self.emit(EventKind::BotConversationStarted {
                bot_session: bs,
                conversation: cv,
                channel,
            })?;
        }
        let session = self.next.session();
        let se = session.as_str();
        let contact = self.contacts[c as usize].id;
        let ct = contact.as_str();
        self.emit(EventKind::SessionStarted {
            session: se,
            contact: ct,
            queue: None,
            handler: HandlerKind::Bot,
        })?;
        self.emit(EventKind::ParticipantJoined {
            session: se,
            participant: &bot.name,
            kind: HandlerKind::Bot,
            mode: ParticipantMode::Primary,
            reason: None,
        })?;
        self.emit(EventKind::MessageSent {
            contact: ct,
            sender: Sender::Bot,
            author: Some(&bot.name),
        })?;
        let d = bot.handle.sample_ms(&mut self.streams.bots[b as usize]);
        let x = &mut self.contacts[c as usize];
        x.state = State::Bot;
        x.session = session;
        x.bot_session = bs_id;
        x.bot = b;
        let gen = x.gen;
        self.k.after(d, Ev::BotDone { c, gen });
        Ok(())
    }

    fn bot_done(&mut self, c: u32) -> Result<(), SimError> {
        let x = &self.contacts[c as usize];
        let b = x.bot as usize;
        let bot = &self.sc.bots[b];
        let (contact, conversation, bs_id) = (x.id, x.conversation, x.bot_session);
        let customer = x.customer.n;
        let (ct, cv, bs) = (contact.as_str(), conversation.as_str(), bs_id.as_str());
        let s = &mut self.streams.bots[b];
        let ticket = s.chance(bot.ticket_probability);
        let resolved = s.chance(bot.resolve_probability);
        let session_open = self
            .bot_sessions
            .get(&customer)
            .is_some_and(|s| s.id.n == bs_id.n);
        if session_open {
            self.emit(EventKind::BotConversationUpdated {
                bot_session: bs,
                conversation: cv,
            })?;
            if ticket {
                let tk = self.next.ticket();
                self.emit(EventKind::TicketCreated {
                    bot_session: bs,
                    ticket: tk.as_str(),
                })?;
            }
        }
        if resolved {
            self.emit(EventKind::MessageSent {
                contact: ct,
                sender: Sender::Bot,
                author: Some(&bot.name),
            })?;
            self.end_session(c, None, ClosureReason::BotEndConversation)?;
            self.emit(EventKind::ContactEnded {
                contact: ct,
                outcome: ccsim_engine::event::Outcome::Completed,
            })?;
            self.close_conversation(c, ClosedBy::System, NONE, true)?;
            self.release_contact(c);
            Ok(())
        } else {
            let q = bot.escalate_to;
            self.end_session(
                c,
                Some((TransferTarget::Queue, Some(&self.sc.queues[q].name))),
                ClosureReason::BotTransferToAgent,
            )?;
            self.enqueue(c, q as u32, true)
        }
    }

    /// Ends the customer's bot session if its window is over (a later session of the same
    /// customer has its own, later, activation).
    fn bot_session_end(&mut self, customer: u64) -> Result<(), SimError> {
        let now = self.k.now();
        let Some(id_) = self
            .bot_sessions
            .get(&customer)
            .filter(|s| s.ends_at <= now)
            .map(|s| s.id)
        else {
            return Ok(());
        };
        self.bot_sessions.remove(&customer);
        self.emit(EventKind::BotSessionEnded {
            bot_session: id_.as_str(),
        })
    }

    // ---- agents -----------------------------------------------------------------------------

    fn open_profile(&mut self, a: u32, customer: Id) -> Result<(), SimError> {
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

    fn close_profile(&mut self, a: u32, customer: Id) -> Result<(), SimError> {
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

    fn release_agent(&mut self, a: u32, channel: Channel) {
        let now = self.k.now();
        let ag = &mut self.agents[a as usize];
        ag.load[channel as usize] = ag.load[channel as usize].saturating_sub(1);
        ag.total = ag.total.saturating_sub(1);
        ag.free_since = now;
        ag.last_active = now;
    }

    /// After an agent's load went down: what they waited to do, or more work.
    fn after_release(&mut self, a: u32) -> Result<(), SimError> {
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

    fn schedule_shift(&mut self, a: u32) {
        let ag = &self.agents[a as usize];
        if let Some(&(start, _)) = self.sc.agents[a as usize]
            .shifts
            .get(ag.next_shift as usize)
        {
            self.k.at(start, Ev::ShiftStart { a });
        }
    }

    fn shift_start(&mut self, a: u32) -> Result<(), SimError> {
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

    fn login(&mut self, a: u32) -> Result<(), SimError> {
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

    fn shift_end(&mut self, a: u32) -> Result<(), SimError> {
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

    fn logout(&mut self, a: u32) -> Result<(), SimError> {
        let agent = self.sc.agents[a as usize].id.as_str();
        self.emit(EventKind::AgentLoggedOut {
            agent,
            trigger: Trigger::Manual,
            last_active_at: None,
        })?;
        self.reset_logged_out(a);
        Ok(())
    }

    fn reset_logged_out(&mut self, a: u32) {
        let ag = &mut self.agents[a as usize];
        ag.logged_in = false;
        ag.available = false;
        ag.away = AwayKind::No;
        ag.focus = false;
        ag.pending = Pending::None;
        ag.gen = ag.gen.wrapping_add(1);
    }

    fn make_available(&mut self, a: u32) -> Result<(), SimError> {
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

    fn make_unavailable(&mut self, a: u32) -> Result<(), SimError> {
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
    fn settled(&self, a: u32) -> bool {
        let ag = &self.agents[a as usize];
        ag.logged_in
            && ag.in_shift
            && ag.away == AwayKind::No
            && !ag.absent
            && ag.pending == Pending::None
    }

    /// Schedules agent `a`'s next episode of `kind` (a Poisson stream of the group's rate,
    /// drawn from that kind's own random stream), when the group has such episodes.
    fn schedule_next(&mut self, a: u32, kind: Recurring) {
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

    fn away_start(&mut self, a: u32) -> Result<(), SimError> {
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

    fn go_away(&mut self, a: u32) -> Result<(), SimError> {
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

    fn away_end(&mut self, a: u32) -> Result<(), SimError> {
        if self.agents[a as usize].away != AwayKind::Manual || !self.agents[a as usize].logged_in {
            return Ok(());
        }
        self.back_at_desk(a, AwayKind::Manual, Recurring::Away)
    }

    fn idle_start(&mut self, a: u32) -> Result<(), SimError> {
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
    fn absence(&mut self, a: u32) -> Result<(), SimError> {
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

    fn auto_away(&mut self, a: u32) -> Result<(), SimError> {
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

    fn auto_logout(&mut self, a: u32) -> Result<(), SimError> {
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

    fn idle_end(&mut self, a: u32) -> Result<(), SimError> {
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
    fn back_at_desk(&mut self, a: u32, was: AwayKind, next: Recurring) -> Result<(), SimError> {
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
    fn leave_desk(&mut self, a: u32) -> Result<(), SimError> {
        if self.agents[a as usize].focus {
            self.agents[a as usize].focus = false;
            let agent = self.sc.agents[a as usize].id.as_str();
            self.emit(EventKind::FocusEnded { agent })?;
        }
        self.make_unavailable(a)
    }

    fn focus_start(&mut self, a: u32) -> Result<(), SimError> {
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

    fn focus_end(&mut self, a: u32) -> Result<(), SimError> {
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
enum Recurring {
    /// Away with a reason.
    Away,
    /// Idle at the desk (which may lead to automatic Away and logout).
    Idle,
    /// Focus mode.
    Focus,
}

/// The next event of a Poisson process with the piecewise-constant rate `segs`, from a unit
/// exponential `e`: the cumulative rate is inverted from `clock` (the last event, advanced to
/// the new one) in segment `seg`. `None` once the rate function is exhausted.
fn next_arrival(segs: &[Segment], mut e: f64, clock: &mut f64, seg: &mut usize) -> Option<i64> {
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

/// Milliseconds to the next episode of a Poisson process with `rate` per millisecond (far
/// beyond any horizon when the rate is zero).
fn next_episode(rate: f64, s: &mut Stream) -> i64 {
    if rate <= 0.0 {
        return i64::MAX / 4;
    }
    (s.unit_exp() / rate).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_without_allocating() {
        assert_eq!(Id::new("ct-", 0).as_str(), "ct-0");
        assert_eq!(Id::new("se-", 1234567).as_str(), "se-1234567");
        assert_eq!(Id::new("x", u64::MAX).as_str(), "x18446744073709551615");
        // The longest id the simulator writes fits the buffer.
        assert_eq!(Id::new("ct-", u64::MAX).as_str(), "ct-18446744073709551615");
    }
}
