//! A fact sink on a thread of its own: the fold (and whatever feeds it, a log reader or the
//! simulator) runs on one core while the report builders take the facts on another.
//!
//! `Relay` is a [`FactSink`] that copies each fact, and each [`FactSink::settled`] call, into
//! a batch, and hands full batches over a bounded channel to a worker thread that feeds them,
//! in the same order, to the sink it owns. The sink sees exactly the calls it would have seen
//! on the fold's thread, so no figure depends on whether a relay is used; batches are recycled,
//! so the relay allocates nothing per fact once it is running.

use std::ops::Range;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use crate::facts::{ConversationFact, Fact, FactSink, ThreadContact};
use crate::handoff::{handoff, Inbox, Producer};
use crate::ids::Sym;
use crate::time::Instant;

/// Facts (and settled ids) per batch: large enough that the channel is touched rarely, small
/// enough that a batch stays in cache on its way between the two cores.
const BATCH: usize = 1024;

/// Batches that may wait for the worker before the fold's thread blocks.
const IN_FLIGHT: usize = 4;

/// Whether a relay would run the report builders beside the fold rather than take a core from
/// other work: true when the machine has at least `2 * busy` cores, `busy` being how many
/// folds (replications, say) run at once.
pub fn worth_it(busy: usize) -> bool {
    thread::available_parallelism().is_ok_and(|n| n.get() >= 2 * busy.max(1))
}

/// A fact sink that passes everything to `S`, on a worker thread when one was asked for and
/// could be started, else directly. Build it with [`Relay::new`], fold into it, then take the
/// sink back with [`Relay::join`].
pub(crate) struct Relay<S> {
    to: To<S>,
    wants_work_time: bool,
}

/// Where a relay's calls go.
enum To<S> {
    /// Straight to the sink, on the caller's thread.
    Direct(S),
    /// To the sink on a worker thread.
    Worker(Worker<S>),
}

/// The fold's end of a worker thread that owns the sink.
struct Worker<S> {
    batch: Batch,
    to_worker: Producer<Batch>,
    handle: JoinHandle<Option<S>>,
}

/// What one fact becomes in a batch.
enum Item {
    /// A fact with no borrowed parts (every kind but a conversation).
    Fact(Fact<'static>),
    /// A conversation fact, its lists moved into the batch's arrays.
    Conversation {
        /// The fact, with empty lists.
        fact: ConversationFact<'static>,
        /// Where its contacts are in [`Batch::contacts`].
        contacts: Range<usize>,
        /// Where its closes are in [`Batch::instants`].
        closes: Range<usize>,
        /// Where its reopens are in [`Batch::instants`].
        reopened: Range<usize>,
    },
}

/// Calls on the relay: the facts in order, with the lists of conversation facts copied beside
/// them, and the settled ids with how many facts came before each (they are many and small, so
/// they do not take a fact-sized item each).
struct Batch {
    items: Vec<Item>,
    settled: Vec<(usize, Sym)>,
    contacts: Vec<ThreadContact>,
    instants: Vec<Instant>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            items: Vec::with_capacity(BATCH),
            settled: Vec::new(),
            contacts: Vec::new(),
            instants: Vec::new(),
        }
    }

    /// How many calls it holds.
    fn len(&self) -> usize {
        self.items.len() + self.settled.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn clear(&mut self) {
        self.items.clear();
        self.settled.clear();
        self.contacts.clear();
        self.instants.clear();
    }

    /// Copies `fact` in.
    fn push(&mut self, fact: &Fact<'_>) {
        let item = match fact {
            Fact::Conversation(c) => {
                let contacts = extend(&mut self.contacts, c.contacts);
                let closes = extend(&mut self.instants, c.closes);
                let reopened = extend(&mut self.instants, c.reopened);
                Item::Conversation {
                    fact: ConversationFact {
                        contacts: &[],
                        closes: &[],
                        reopened: &[],
                        ..*c
                    },
                    contacts,
                    closes,
                    reopened,
                }
            }
            Fact::Status(f) => Item::Fact(Fact::Status(*f)),
            Fact::Availability(f) => Item::Fact(Fact::Availability(*f)),
            Fact::Focus(f) => Item::Fact(Fact::Focus(*f)),
            Fact::Contact(f) => Item::Fact(Fact::Contact(*f)),
            Fact::Session(f) => Item::Fact(Fact::Session(*f)),
            Fact::Participant(f) => Item::Fact(Fact::Participant(*f)),
            Fact::ParticipantEvent(f) => Item::Fact(Fact::ParticipantEvent(*f)),
            Fact::Profile(f) => Item::Fact(Fact::Profile(*f)),
            Fact::BotSession(f) => Item::Fact(Fact::BotSession(*f)),
            Fact::BotConversation(f) => Item::Fact(Fact::BotConversation(*f)),
            Fact::Ticket(f) => Item::Fact(Fact::Ticket(*f)),
            Fact::WorkSpan(f) => Item::Fact(Fact::WorkSpan(*f)),
            Fact::WorkSession(f) => Item::Fact(Fact::WorkSession(*f)),
            Fact::QueueStay(f) => Item::Fact(Fact::QueueStay(*f)),
        };
        self.items.push(item);
    }

    /// Records a settled id.
    fn settle(&mut self, id: Sym) {
        self.settled.push((self.items.len(), id));
    }

    /// Makes every call of the batch on `sink`, in order.
    fn replay_into<S: FactSink>(&self, sink: &mut S) {
        let mut settled = self.settled.iter().peekable();
        for (i, item) in self.items.iter().enumerate() {
            while let Some((_, id)) = settled.next_if(|(before, _)| *before == i) {
                sink.settled(*id);
            }
            match item {
                Item::Fact(f) => sink.fact(f),
                Item::Conversation {
                    fact,
                    contacts,
                    closes,
                    reopened,
                } => sink.fact(&Fact::Conversation(ConversationFact {
                    contacts: &self.contacts[contacts.clone()],
                    closes: &self.instants[closes.clone()],
                    reopened: &self.instants[reopened.clone()],
                    ..*fact
                })),
            }
        }
        for (_, id) in settled {
            sink.settled(*id);
        }
    }
}

/// Appends `items` to `to`, returning where they went.
fn extend<T: Copy>(to: &mut Vec<T>, items: &[T]) -> Range<usize> {
    let start = to.len();
    to.extend_from_slice(items);
    start..to.len()
}

impl<S: FactSink + Send + 'static> Relay<S> {
    /// A relay to `sink`: on a worker thread of its own when `threaded` (see [`worth_it`]) and
    /// the system grants a thread, else on the caller's thread.
    pub fn new(sink: S, threaded: bool) -> Self {
        let wants_work_time = sink.wants_work_time();
        let to = if threaded {
            Worker::start(sink).map_or_else(To::Direct, To::Worker)
        } else {
            To::Direct(sink)
        };
        Relay {
            to,
            wants_work_time,
        }
    }
}

impl<S: FactSink> Relay<S> {
    /// Whether the sink runs on a worker thread (for tests, which must know which path they
    /// cover).
    #[cfg(test)]
    fn is_threaded(&self) -> bool {
        matches!(self.to, To::Worker(_))
    }

    /// Waits for the sink to take every call made so far, and returns it. A panic on the
    /// worker (a bug in a report builder) resumes here.
    pub fn join(self) -> S {
        match self.to {
            To::Direct(sink) => sink,
            To::Worker(w) => w.join(),
        }
    }
}

impl<S: FactSink + Send + 'static> Worker<S> {
    /// Starts the worker thread and hands it `sink`; gives the sink back if either fails.
    fn start(sink: S) -> Result<Self, S> {
        let (give, take) = mpsc::channel::<S>();
        let (to_worker, inbox) = handoff::<Batch>(IN_FLIGHT);
        let spawned = thread::Builder::new()
            .name("ccsim-report".into())
            .spawn(move || take.recv().ok().map(|sink| work(sink, &inbox)));
        let Ok(handle) = spawned else {
            return Err(sink);
        };
        // The worker waits for the sink before anything else, so this only fails if the thread
        // is already gone; the sink comes back with the error.
        give.send(sink).map_err(|e| e.0)?;
        Ok(Worker {
            batch: Batch::new(),
            to_worker,
            handle,
        })
    }
}

impl<S> Worker<S> {
    /// Hands the last batch over, closes the channel (so the worker's loop ends), and waits
    /// for the worker to return the sink.
    fn join(self) -> S {
        let Worker {
            batch,
            to_worker,
            handle,
            ..
        } = self;
        if !batch.is_empty() {
            // Refused only if the worker panicked, which `join` below resumes.
            let _ = to_worker.send(batch);
        }
        drop(to_worker);
        match handle.join() {
            Ok(Some(sink)) => sink,
            Err(panic) => std::panic::resume_unwind(panic),
            // `start` returns a worker only once the worker has been handed the sink.
            Ok(None) => unreachable!("a started worker returns its sink"),
        }
    }

    /// Sends the current batch to the worker and starts a fresh one (a recycled one when the
    /// worker has handed one back).
    fn send(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let fresh = self.to_worker.spare().unwrap_or_else(Batch::new);
        let full = std::mem::replace(&mut self.batch, fresh);
        // The worker stops early only by panicking, and `join` resumes that panic, so a batch
        // refused here is never silently lost.
        let _ = self.to_worker.send(full);
    }

    fn pushed(&mut self) {
        if self.batch.len() >= BATCH {
            self.send();
        }
    }
}

/// The worker's loop: every batch into the sink, then back to the fold's thread for reuse.
fn work<S: FactSink>(mut sink: S, inbox: &Inbox<Batch>) -> S {
    for mut batch in inbox.iter() {
        batch.replay_into(&mut sink);
        batch.clear();
        inbox.give_back(batch);
    }
    sink
}

impl<S: FactSink> FactSink for Relay<S> {
    fn fact(&mut self, fact: &Fact<'_>) {
        match &mut self.to {
            To::Direct(sink) => sink.fact(fact),
            To::Worker(w) => {
                w.batch.push(fact);
                w.pushed();
            }
        }
    }

    fn wants_work_time(&self) -> bool {
        self.wants_work_time
    }

    fn settled(&mut self, id: Sym) {
        match &mut self.to {
            To::Direct(sink) => sink.settled(id),
            To::Worker(w) => {
                w.batch.settle(id);
                w.pushed();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Channel, ClosedBy, Direction};
    use crate::facts::FocusInterval;
    use crate::time::Span;

    /// Writes down every call it gets, in order.
    #[derive(Default)]
    struct Recorder(Vec<String>);

    impl FactSink for Recorder {
        fn fact(&mut self, fact: &Fact<'_>) {
            self.0.push(format!("{fact:?}"));
        }

        fn settled(&mut self, id: Sym) {
            self.0.push(format!("settled {id:?}"));
        }
    }

    fn at(ms: i64) -> Instant {
        Instant::from_millis(ms)
    }

    fn contact(i: u64) -> ThreadContact {
        ThreadContact {
            contact: Sym(i),
            channel: Channel::Chat,
            direction: Direction::Inbound,
            started_at: at(i as i64),
            queued_at: None,
            queue: None,
            fulfilled_at: Some(at(i as i64 + 5)),
            fulfilled_by: Some(Sym(7)),
            fulfilled_via: None,
            no_reply_needed_at: None,
            ended_at: None,
            outcome: None,
        }
    }

    /// How many calls [`feed`] makes: enough to fill several batches.
    const CALLS: u64 = 3 * BATCH as u64 + 17;

    /// Makes the same calls on `sink` for any sink: conversation facts whose three lists have
    /// different lengths and values, Focus facts, and settled ids alone and in runs of two and
    /// three, interleaved and at the very end.
    fn feed(sink: &mut dyn FactSink) {
        for i in 0..CALLS - 2 {
            match i % 7 {
                0 => {
                    let contacts: Vec<ThreadContact> = (0..i % 5).map(|k| contact(i + k)).collect();
                    let closes: Vec<Instant> = (0..i % 4).map(|k| at(1_000 * k as i64)).collect();
                    let reopened: Vec<Instant> = (0..i % 3).map(|k| at(7 + k as i64)).collect();
                    sink.fact(&Fact::Conversation(ConversationFact {
                        conversation: Sym(i),
                        customer: Sym(i / 2),
                        opened_at: at(0),
                        stretch_start: at(1),
                        closed_at: at(i as i64),
                        closed_by: Some(ClosedBy::Agent),
                        reopens: (i % 3) as u32,
                        closed_by_agent: None,
                        contacts: &contacts,
                        closes: &closes,
                        reopened: &reopened,
                        open: false,
                    }));
                }
                1 | 4 => sink.fact(&Fact::Focus(FocusInterval {
                    agent: Sym(i),
                    span: Span::new(at(0), at(i as i64)),
                    open: i % 2 == 0,
                })),
                _ => sink.settled(Sym(i)),
            }
        }
        sink.settled(Sym(CALLS));
        sink.settled(Sym(CALLS + 1));
    }

    #[test]
    fn a_sink_behind_a_relay_gets_the_calls_it_would_get_directly() {
        let mut direct = Recorder::default();
        feed(&mut direct);
        let mut relay = Relay::new(Recorder::default(), true);
        // Otherwise this would compare the direct path with itself.
        assert!(relay.is_threaded(), "no worker thread could be started");
        feed(&mut relay);
        let relayed = relay.join();
        assert_eq!(relayed.0.len() as u64, CALLS);
        assert_eq!(relayed.0, direct.0);
    }

    #[test]
    fn a_relay_reports_whether_its_sink_wants_work_time() {
        struct Plain;
        impl FactSink for Plain {
            fn fact(&mut self, _: &Fact<'_>) {}
            fn wants_work_time(&self) -> bool {
                false
            }
        }
        assert!(!Relay::new(Plain, true).wants_work_time());
        assert!(Relay::new(Recorder::default(), false).wants_work_time());
    }
}
