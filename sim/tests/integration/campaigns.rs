//! Outbound campaigns: the log they make replays through the engine, the engine's talk time of
//! outbound calls agrees with the configured talk time, campaign work takes agents' capacity
//! like inbound work, adding a campaign leaves inbound arrivals alone (common random numbers),
//! and the same seed gives the same bytes.

use std::collections::HashMap;
use std::path::Path;

use crate::support::{check, interval, seed};
use ccsim_engine::codec::open_log;
use ccsim_engine::event::{Direction, EventKind, Sender};
use ccsim_engine::replay::replay_file;
use ccsim_engine::report::{ReportBuilder, ReportRequest};
use ccsim_sim::model::Sim;
use ccsim_sim::output::{Counter, FoldOutput, Tee};
use ccsim_sim::run::{simulate, RunConfig};
use ccsim_sim::scenario::Scenario;

/// The configured mean talk time of the campaign-only scenario, in seconds.
const TALK_MEAN_S: f64 = 240.0;
/// Its share of answered calls.
const ANSWER: f64 = 0.4;

/// A day of a collections campaign and nothing else: 60 attempts an hour for 23 hours (the
/// last hour is quiet, so that every call has ended by the end), 8 agents.
fn campaign_only() -> Scenario {
    let rates = format!("[{}0]", "60, ".repeat(23));
    let text = format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 24.0

[profiles.dialling.rates_per_h]
every_day = {rates}

[campaigns.collections]
channel = "phone"
queue = "collections"
attempts = {{ profile = "dialling" }}
answer_probability = {ANSWER}
ring = {{ dist = "uniform", min_s = 5.0, max_s = 25.0 }}
handle = {{ dist = "lognormal", mean_s = {TALK_MEAN_S}, sd_s = 150.0 }}
after_work = {{ dist = "constant", value_s = 20.0 }}

[queues.collections]

[groups.dialers]
agents = 8
capacity = {{ phone = 1 }}
"#
    );
    Scenario::parse(&text, "campaign-only.toml").expect("the test scenario loads")
}

/// Inbound phone calls and SMS, a phone campaign dialled by the phone agents when no call
/// waits, and an SMS campaign whose customers answer back on the inbound SMS workstream.
/// Without `campaigns`, the same scenario with no campaign at all.
fn mixed(campaigns: bool) -> Scenario {
    let mut text = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 12.0

[platform]
reopen_window_h = 4.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 60.0 }
queue = "calls"
patience = { dist = "exponential", mean_s = 300.0 }
handle = { dist = "exponential", mean_s = 180.0 }

[workstreams.texts]
channel = "sms"
arrivals = { rate_per_h = 20.0 }
queue = "texts"
messages = { first_reply = { dist = "exponential", mean_s = 30.0 }, exchanges_mean = 1.0, customer_reply = { dist = "exponential", mean_s = 60.0 }, agent_reply = { dist = "exponential", mean_s = 30.0 } }

[queues.calls]
priority = 1

[queues.texts]

[groups.agents]
agents = 5
capacity = { phone = 1, sms = 2 }
"#
    .to_string();
    if campaigns {
        text.push_str(
            r#"
[campaigns.callbacks]
channel = "phone"
queue = "outbound"
attempts = { rate_per_h = 30.0 }
answer_probability = 0.6
ring = { dist = "uniform", min_s = 3.0, max_s = 20.0 }
handle = { dist = "exponential", mean_s = 150.0 }
after_work = { dist = "constant", value_s = 15.0 }
expire_after_min = 60.0

[campaigns.reminders]
channel = "sms"
queue = "outbound-sms"
attempts = { rate_per_h = 15.0 }
handle = { dist = "uniform", min_s = 20.0, max_s = 60.0 }
reply = { probability = 0.5, delay = { dist = "exponential", mean_s = 1800.0 }, workstream = "texts" }

[queues.outbound]
priority = 0

[queues.outbound-sms]
"#,
        );
    }
    Scenario::parse(&text, "mixed.toml").expect("the test scenario loads")
}

/// What a log shows about outbound work and about capacity.
#[derive(Default)]
struct Scan {
    inbound: Vec<i64>,
    outbound: u64,
    answered: u64,
    outbound_messages: u64,
    reopened: u64,
    /// The most sessions any agent held at once, per channel.
    most_at_once: HashMap<String, u32>,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} inbound, {} outbound ({} answered, {} messages), {} reopened, at once {:?}",
            self.inbound.len(),
            self.outbound,
            self.answered,
            self.outbound_messages,
            self.reopened,
            self.most_at_once
        )
    }
}

/// Reads a log and scans it.
fn scan(path: &Path) -> Scan {
    let mut src = open_log(path, None).expect("the log opens");
    let mut s = Scan::default();
    let mut channel_of: HashMap<String, String> = HashMap::new();
    let mut outbound: HashMap<String, bool> = HashMap::new();
    let mut session: HashMap<String, (String, String)> = HashMap::new();
    let mut held: HashMap<(String, String), u32> = HashMap::new();
    while let Some((_, e)) = src.next_event().expect("it reads") {
        match e.kind {
            EventKind::ContactStarted {
                contact,
                channel,
                direction,
                ..
            } => {
                channel_of.insert(contact.to_string(), channel.name().to_string());
                outbound.insert(contact.to_string(), direction == Direction::Outbound);
                match direction {
                    Direction::Inbound => s.inbound.push(e.at.millis()),
                    Direction::Outbound => s.outbound += 1,
                }
            }
            EventKind::ContactAnswered { contact } => {
                assert_eq!(outbound.get(contact), Some(&true), "{contact}");
                s.answered += 1;
            }
            EventKind::MessageSent {
                contact,
                sender: Sender::Agent,
                ..
            } if outbound.get(contact) == Some(&true) => s.outbound_messages += 1,
            EventKind::ConversationReopened { .. } => s.reopened += 1,
            EventKind::SessionStarted {
                session: se,
                contact,
                ..
            } => {
                let channel = channel_of.get(contact).cloned().unwrap_or_default();
                session.insert(se.to_string(), (channel, String::new()));
            }
            // An offer takes one unit of the agent's capacity until the session ends.
            EventKind::SessionOffered { session: se, agent } => {
                if let Some((channel, who)) = session.get_mut(se) {
                    *who = agent.to_string();
                    let n = held
                        .entry((agent.to_string(), channel.clone()))
                        .or_default();
                    *n += 1;
                    let most = s.most_at_once.entry(channel.clone()).or_default();
                    *most = (*most).max(*n);
                }
            }
            EventKind::SessionEnded { session: se, .. } => {
                if let Some((channel, who)) = session.remove(se) {
                    if let Some(n) = held.get_mut(&(who, channel)) {
                        *n -= 1;
                    }
                }
            }
            _ => {}
        }
    }
    s
}

#[test]
fn outbound_talk_time_replays_to_the_configured_mean() {
    let sc = campaign_only();
    let dir = tempfile::tempdir().expect("a temp dir");
    let written = simulate(
        &sc,
        &RunConfig::new(seed(21))
            .replications(20)
            .log(&dir.path().join("out.ccslog")),
    )
    .expect("simulated");
    let request = ReportRequest {
        metrics: vec!["gladly.talk_time".into()],
        ..ReportRequest::default()
    };
    let (mut talk, mut answered) = (Vec::new(), Vec::new());
    for w in &written {
        // The engine reads the log back: a fold error fails here.
        let report = &replay_file(&w.path, None, &request).expect("the log replays")[0].report;
        let s = scan(&w.path);
        assert!(s.inbound.is_empty(), "only outbound contacts");
        assert!(s.outbound > 1000, "{s:?}");
        answered.push(s.answered as f64 / s.outbound as f64);
        // Every phone contact is outbound, so the figure is the outbound calls' talk time.
        talk.push(
            report
                .value("gladly.talk_time", &[])
                .flatten()
                .expect("a talk time"),
        );
    }
    let talk = interval(&talk);
    assert!(
        talk.1 < 15.0,
        "a tight interval (6 % of the mean): {talk:?}"
    );
    assert!(
        check("outbound talk time (s)", TALK_MEAN_S, &talk),
        "{talk:?}"
    );
    let answered = interval(&answered);
    assert!(
        check("share of calls answered", ANSWER, &answered),
        "{answered:?}"
    );
}

#[test]
fn campaign_work_takes_capacity_and_replies_come_back_inbound() {
    let sc = mixed(true);
    // The fold checks every event as it is simulated.
    let out = Tee(
        FoldOutput::for_scenario(Vec::<ReportBuilder>::new(), &sc),
        Counter::default(),
    );
    let (Tee(_, counts), _) = Sim::new(&sc, 4, out).run().expect("a consistent log");
    assert!(counts.count("contact_answered") > 50);
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("mixed.jsonl");
    simulate(&sc, &RunConfig::new(4).log(&path)).expect("simulated");
    let s = scan(&path);
    assert!(s.outbound > 300, "{s:?}");
    assert!(s.outbound_messages > 100, "{s:?}");
    // SMS customers answering back reopen their conversation with an inbound contact.
    assert!(s.reopened > 30, "{s:?}");
    // Nobody ever holds more than their capacity: one call (campaign or inbound), two SMS.
    assert_eq!(s.most_at_once.get("phone"), Some(&1), "{s:?}");
    assert!(s.most_at_once.get("sms").is_some_and(|n| *n <= 2), "{s:?}");
}

#[test]
fn adding_campaigns_leaves_inbound_arrivals_alone() {
    // Common random numbers: the campaigns draw from streams of their own. The phone and SMS
    // workstreams' first contacts come at the same instants; with campaigns there are more
    // inbound contacts (SMS replies), never fewer or moved ones.
    let dir = tempfile::tempdir().expect("a temp dir");
    let (a, b) = (dir.path().join("a.ccslog"), dir.path().join("b.ccslog"));
    simulate(&mixed(false), &RunConfig::new(8).log(&a)).expect("simulated");
    simulate(&mixed(true), &RunConfig::new(8).log(&b)).expect("simulated");
    let (without, with) = (scan(&a), scan(&b));
    assert!(without.inbound.len() > 800);
    let mut rest = with.inbound.clone();
    for t in &without.inbound {
        let i = rest
            .iter()
            .position(|x| x == t)
            .unwrap_or_else(|| panic!("the arrival at {t} moved"));
        rest.swap_remove(i);
    }
    assert!(!rest.is_empty(), "replies add inbound contacts");
    assert_eq!(without.outbound, 0);
}

#[test]
fn the_same_seed_gives_the_same_log_with_campaigns() {
    let sc = mixed(true);
    let dir = tempfile::tempdir().expect("a temp dir");
    let logs = |name: &str, threads: usize| -> Vec<Vec<u8>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let path = dir.path().join(name);
        pool.install(|| simulate(&sc, &RunConfig::new(13).replications(3).log(&path)))
            .expect("simulated")
            .iter()
            .map(|w| std::fs::read(&w.path).expect("the log was written"))
            .collect()
    };
    let one = logs("one.jsonl", 1);
    let two = logs("two.jsonl", 3);
    assert_eq!(one.len(), 3);
    for (a, b) in one.iter().zip(&two) {
        assert!(a == b, "a replication differs between 1 and 3 threads");
    }
    assert!(one[0] != one[1], "replications differ");
    let again = logs("again.jsonl", 2);
    assert!(one == again, "the same seed gives the same bytes");
    let text = String::from_utf8(one[0].clone()).expect("JSON Lines");
    assert!(text.contains(r#""direction":"outbound""#));
}
