//! Scenario files: what loads, what is refused (with the key and the line), the pinned
//! random streams, and the default week, whose log must show every process.

use ccsim_sim::dist::{DistSpec, Stream};
use ccsim_sim::model::Sim;
use std::collections::HashMap;

use ccsim_engine::event::{ClosureReason, Event, EventKind, TransferTarget, Trigger};
use ccsim_sim::output::{Counter, FoldOutput, Output, SimError, Tee};
use ccsim_sim::scenario::{Scenario, ScenarioError, DEFAULT_WEEK, DEFAULT_WEEK_FILE};

const BASE: &str = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 10.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 100.0 }
queue = "calls"
handle = { dist = "exponential", mean_s = 180.0 }

[queues.calls]

[groups.agents]
agents = 6
capacity = { phone = 1 }
"#;

fn err(text: &str) -> ScenarioError {
    Scenario::parse(text, "s.toml").expect_err("the scenario is refused")
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn the_base_scenario_loads() {
    let sc = Scenario::parse(BASE, "s.toml").expect("loads");
    assert_eq!(sc.agents.len(), 6);
    assert_eq!(sc.queues[0].eligible.len(), 6);
    assert_eq!(sc.name, "s");
}

#[test]
fn unknown_keys_and_wrong_units_name_the_key_and_line() {
    let text = BASE.replace("mean_s = 180.0", "mean_min = 3.0");
    let e = err(&text);
    assert_eq!(e.line, Some(line(&text, "mean_min")));
    assert!(e.to_string().contains("mean_min"), "{e}");
    assert!(e.to_string().contains("s.toml, line"), "{e}");
    let text = BASE.replace("length_h = 10.0", "length_h = 10.0\nlenght_h = 3");
    let e = err(&text);
    assert_eq!(e.line, Some(line(&text, "lenght_h")));
    assert!(e.message.contains("lenght_h"), "{e}");
    let text = BASE.replace("channel = \"phone\"", "channel = \"fone\"");
    let e = err(&text);
    assert_eq!(e.line, Some(line(&text, "fone")));
    assert!(
        e.message.contains("phone"),
        "the valid values are listed: {e}"
    );
}

#[test]
fn bad_values_name_the_key_and_line() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "rate_per_h = 100.0",
            "rate_per_h = -3.0",
            "workstreams.calls.arrivals.rate_per_h",
            "negative",
        ),
        (
            "mean_s = 180.0",
            "mean_s = 0.0",
            "workstreams.calls.handle.mean_s",
            "out of range",
        ),
        (
            "queue = \"calls\"",
            "queue = \"cals\"",
            "workstreams.calls.queue",
            "unknown queue `cals`",
        ),
        (
            "capacity = { phone = 1 }",
            "capacity = { chat = 1 }",
            "queues.calls.skills",
            "unreachable",
        ),
        (
            "time_zone = \"UTC\"",
            "time_zone = \"Mars/Olympus\"",
            "horizon.time_zone",
            "IANA",
        ),
    ];
    for (from, to, key, words) in cases {
        let base = BASE.replace("length_h = 10.0", "length_h = 10.0\ntime_zone = \"UTC\"");
        let text = base.replace(from, to);
        assert_ne!(text, base, "{from}");
        let e = err(&text);
        assert_eq!(e.key, *key, "{e}");
        assert!(e.message.contains(words), "{e}");
        let needle = if *key == "queues.calls.skills" {
            "[queues.calls]"
        } else {
            to
        };
        assert_eq!(e.line, Some(line(&text, needle)), "{e}");
    }
    // A queue nothing leads to.
    let text = format!("{BASE}\n[queues.orphan]\n");
    let e = err(&text);
    assert_eq!(e.key, "queues.orphan");
    assert_eq!(e.line, Some(line(&text, "[queues.orphan]")));
    // Exactly one of agents and shifts.
    let text = BASE.replace(
        "agents = 6\n",
        "agents = 6\nshifts = [{ name = \"a\", agents = 2, days = [\"mon\"], start = \"08:00\", end = \"16:00\" }]\n",
    );
    assert_eq!(err(&text).key, "groups.agents.agents");
    // A bad time of day names the shift's key.
    let text = BASE.replace(
        "agents = 6\n",
        "shifts = [{ name = \"a\", agents = 2, days = [\"mon\"], start = \"8h\", end = \"16:00\" }]\n",
    );
    let e = err(&text);
    assert_eq!(e.key, "groups.agents.shifts[0].start");
    assert_eq!(e.line, Some(line(&text, "8h")));
    // Retrials: a probability out of range, a workstream that does not exist, an unknown key.
    let retrials = |value: &str| {
        BASE.replace(
            "queue = \"calls\"\n",
            &format!("queue = \"calls\"\nretrials = {value}\n"),
        )
    };
    for (value, key, words) in [
        (
            r#"{ probability = 1.5, delay = { dist = "constant", value_s = 60.0 } }"#,
            "workstreams.calls.retrials.probability",
            "not a probability",
        ),
        (
            r#"{ probability = 0.5, delay = { dist = "constant", value_s = 60.0 }, workstream = "cals" }"#,
            "workstreams.calls.retrials.workstream",
            "unknown workstream `cals`",
        ),
        (
            r#"{ probability = 0.5, delay_s = 60.0 }"#,
            "retrials",
            "unknown field `delay_s`",
        ),
    ] {
        let text = retrials(value);
        let e = err(&text);
        assert!(e.key.ends_with(key), "{e}");
        assert!(e.message.contains(words), "{e}");
        assert_eq!(e.line, Some(line(&text, "retrials =")), "{e}");
    }
    // Callbacks: only on a voice queue, with a probability in range.
    let callback = |value: &str| {
        BASE.replace(
            "[queues.calls]\n",
            &format!("[queues.calls]\ncallback = {value}\n"),
        )
    };
    let text = callback("{ after_s = 60.0, accept_probability = 2.0 }");
    let e = err(&text);
    assert_eq!(e.key, "queues.calls.callback.accept_probability", "{e}");
    assert_eq!(e.line, Some(line(&text, "callback =")), "{e}");
    let text = callback("{ after_s = 60.0, accept_probability = 0.5 }")
        .replace("channel = \"phone\"", "channel = \"email\"")
        .replace("capacity = { phone = 1 }", "capacity = { email = 1 }");
    let e = err(&text);
    assert_eq!(e.key, "queues.calls.callback", "{e}");
    assert!(e.message.contains("voice queue"), "{e}");
    let e = err(&callback(
        "{ after_s = 60.0, accept_probability = 0.5, after_min = 1.0 }",
    ));
    assert!(e.message.contains("unknown field `after_min`"), "{e}");
}

/// [`BASE`] with an outbound phone campaign worked by the same agents.
fn with_campaign() -> String {
    format!(
        r#"{BASE}
[campaigns.callbacks]
channel = "phone"
queue = "outbound"
attempts = {{ rate_per_h = 20.0 }}
answer_probability = 0.5
handle = {{ dist = "exponential", mean_s = 200.0 }}

[queues.outbound]
priority = -1
"#
    )
}

#[test]
fn a_campaign_loads_and_bad_campaign_keys_name_the_key_and_line() {
    let text = with_campaign();
    let sc = Scenario::parse(&text, "s.toml").expect("loads");
    assert_eq!(sc.campaigns.len(), 1);
    assert_eq!(sc.campaigns[0].answer_probability, 0.5);
    assert_eq!(sc.queues[sc.campaigns[0].queue].name, "outbound");
    // An unknown key (a wrong unit is one) is refused by name, at its line.
    for (from, to, bad) in [
        (
            "answer_probability = 0.5",
            "answer_rate = 0.5",
            "answer_rate",
        ),
        (
            "handle = { dist = \"exponential\", mean_s = 200.0 }",
            "handle = { dist = \"exponential\", mean_min = 3.0 }",
            "mean_min",
        ),
        (
            "answer_probability = 0.5",
            "answer_probability = 0.5\nexpire_after_s = 60",
            "expire_after_s",
        ),
    ] {
        let bad_text = text.replace(from, to);
        assert_ne!(bad_text, text, "{from}");
        let e = err(&bad_text);
        assert_eq!(e.line, Some(line(&bad_text, bad)), "{e}");
        assert!(e.to_string().contains(bad), "{e}");
        assert!(e.to_string().starts_with("s.toml, line "), "{e}");
    }
    // Bad values name the key and the line.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "rate_per_h = 20.0",
            "rate_per_h = -20.0",
            "campaigns.callbacks.attempts.rate_per_h",
            "expected attempts per hour ≥ 0",
        ),
        (
            "answer_probability = 0.5",
            "answer_probability = 1.5",
            "campaigns.callbacks.answer_probability",
            "not a probability",
        ),
        (
            "queue = \"outbound\"",
            "queue = \"outbond\"",
            "campaigns.callbacks.queue",
            "unknown queue `outbond`",
        ),
        (
            "attempts = { rate_per_h = 20.0 }",
            "attempts = { profile = \"nope\" }",
            "campaigns.callbacks.attempts.profile",
            "unknown profile",
        ),
        (
            "answer_probability = 0.5",
            "answer_probability = 0.5\nexpire_after_min = 0",
            "campaigns.callbacks.expire_after_min",
            "out of range",
        ),
        (
            "answer_probability = 0.5",
            "answer_probability = 0.5\nreply = { probability = 0.2, delay = { dist = \"constant\", value_s = 60.0 } }",
            "campaigns.callbacks.reply.workstream",
            "missing",
        ),
        (
            "answer_probability = 0.5",
            "answer_probability = 0.5\nreply = { probability = 0.2, delay = { dist = \"constant\", value_s = 60.0 }, workstream = \"calsl\" }",
            "campaigns.callbacks.reply.workstream",
            "unknown workstream `calsl`",
        ),
    ];
    for (from, to, key, words) in cases {
        let bad_text = text.replace(from, to);
        assert_ne!(bad_text, text, "{from}");
        let e = err(&bad_text);
        assert_eq!(e.key, *key, "{e}");
        assert!(e.message.contains(words), "{e}");
        let needle = to.lines().last().unwrap_or(to);
        assert_eq!(e.line, Some(line(&bad_text, needle)), "{e}");
        assert!(e.to_string().starts_with("s.toml, line "), "{e}");
    }
    // Ringing and answers are for calls; an SMS campaign is a message.
    let sms = text
        .replace(
            "channel = \"phone\"\nqueue = \"outbound\"",
            "channel = \"sms\"\nqueue = \"outbound\"",
        )
        .replace(
            "capacity = { phone = 1 }",
            "capacity = { phone = 1, sms = 2 }",
        );
    let e = err(&sms);
    assert_eq!(e.key, "campaigns.callbacks.answer_probability", "{e}");
    assert_eq!(e.line, Some(line(&sms, "answer_probability")), "{e}");
    let sms = sms.replace("answer_probability = 0.5\n", "");
    let sc = Scenario::parse(&sms, "s.toml").expect("an SMS campaign loads");
    assert_eq!(
        sc.queues[sc.campaigns[0].queue].channel,
        ccsim_engine::event::Channel::Sms
    );
    // A campaign's queue holds its channel: an agent without capacity there cannot serve it.
    let e = err(&text
        .replace(
            "channel = \"phone\"\nqueue = \"outbound\"",
            "channel = \"email\"\nqueue = \"outbound\"",
        )
        .replace("answer_probability = 0.5\n", ""));
    assert_eq!(e.key, "queues.outbound.skills", "{e}");
    assert!(e.message.contains("unreachable"), "{e}");
    // A scenario may be campaigns only, but not nothing at all.
    let none = "[horizon]\nstart = \"2024-01-01T00:00:00Z\"\nlength_h = 1.0\n\n[queues.q]\n\n[groups.g]\nagents = 1\ncapacity = { phone = 1 }\n";
    let e = err(none);
    assert_eq!(e.key, "workstreams", "{e}");
    assert!(e.message.contains("no workstreams and no campaigns"), "{e}");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let e = Scenario::load(std::path::Path::new("no/such/scenario.toml")).expect_err("refused");
    assert!(e.to_string().contains("no/such/scenario.toml"));
}

#[test]
fn the_random_streams_are_pinned() {
    // The first draws of every distribution, for seed 42. If these change, every simulated
    // log changes: a rand or rand_distr upgrade, or a lost `std_math` feature, shows up here.
    let golden: [(&str, DistSpec, [f64; 4]); 6] = [
        (
            "exponential",
            DistSpec::Exponential { mean_s: 180.0 },
            [
                141914.406246378,
                158003.59058321448,
                9033.355965393243,
                706039.7054224297,
            ],
        ),
        (
            "lognormal",
            DistSpec::Lognormal {
                mean_s: 300.0,
                sd_s: 200.0,
            },
            [
                107187.59254856136,
                310339.4376993805,
                252131.77388396813,
                349464.9425354041,
            ],
        ),
        (
            "gamma",
            DistSpec::Gamma {
                shape: 2.5,
                mean_s: 240.0,
            },
            [
                54869.24965622302,
                179762.35069647778,
                204561.76050617863,
                210364.70208836245,
            ],
        ),
        (
            "weibull",
            DistSpec::Weibull {
                shape: 0.8,
                scale_s: 420.0,
            },
            [
                659030.5887341569,
                93668.28597921356,
                38476.73269730052,
                2317618.355068697,
            ],
        ),
        (
            "uniform",
            DistSpec::Uniform {
                min_s: 5.0,
                max_s: 15.0,
            },
            [
                10217.473473598704,
                12177.452277052707,
                5786.9684080668185,
                8662.864466864216,
            ],
        ),
        (
            "empirical",
            DistSpec::Empirical {
                quantiles_s: vec![10.0, 60.0, 600.0],
            },
            [
                56345.94649125305,
                398639.93384503725,
                34561.23310930154,
                353730.7358514011,
            ],
        ),
    ];
    for (name, spec, want) in golden {
        let d = spec.build().expect("valid");
        let mut s = Stream::new(42, name);
        let got: Vec<f64> = (0..4).map(|_| d.sample_f64(&mut s)).collect();
        assert_eq!(got, want, "{name}");
    }
    let mut s = Stream::new(42, "uniform01");
    let got: Vec<f64> = (0..4).map(|_| s.uniform()).collect();
    assert_eq!(
        got,
        [
            0.32275700236819715,
            0.7932263022498904,
            0.6485104577053288,
            0.12954941675640108
        ]
    );
}

#[test]
fn the_default_week_shows_every_process() {
    let sc = Scenario::parse(DEFAULT_WEEK, DEFAULT_WEEK_FILE).expect("the default week loads");
    let out = Tee(
        FoldOutput::for_scenario(Vec::<ccsim_engine::report::ReportBuilder>::new(), &sc),
        Tee(Counter::default(), Details::default()),
    );
    // The fold checks every event: an inconsistent log fails here.
    let (Tee(_, Tee(counts, details)), stats) =
        Sim::new(&sc, 1, out).run().expect("a consistent log");
    for (what, n) in details.seen() {
        assert!(n > 0, "the default week has no {what}");
    }
    assert!(stats.contacts > 20_000, "{stats:?}");
    let processes: &[(&str, &[&str])] = &[
        (
            "shifts",
            &[
                "agent_logged_in",
                "agent_logged_out",
                "agent_available",
                "agent_unavailable",
            ],
        ),
        ("away episodes", &["agent_away", "agent_active"]),
        ("Focus mode", &["focus_started", "focus_ended"]),
        (
            "conversations",
            &[
                "conversation_opened",
                "conversation_closed",
                "conversation_reopened",
            ],
        ),
        (
            "arrivals and queues",
            &["contact_started", "contact_queued", "contact_ended"],
        ),
        ("answers", &["contact_fulfilled"]),
        ("messages", &["message_sent"]),
        (
            "holds",
            &["hold_started", "hold_ended", "participant_event"],
        ),
        (
            "routing and offers",
            &[
                "session_started",
                "session_offered",
                "session_accepted",
                "session_ended",
            ],
        ),
        (
            "rejected and unanswered offers",
            &["session_rejected", "session_timed_out"],
        ),
        ("transfers and overflow", &["session_transferred"]),
        (
            "participants and consults",
            &["participant_joined", "participant_left"],
        ),
        (
            "profile viewing",
            &["profile_view_started", "profile_view_ended"],
        ),
        ("outbound campaigns", &["contact_answered"]),
        (
            "bots",
            &[
                "bot_session_started",
                "bot_conversation_started",
                "bot_conversation_updated",
                "ticket_created",
                "bot_session_ended",
            ],
        ),
    ];
    for (process, types) in processes {
        for t in *types {
            assert!(
                counts.count(t) > 0,
                "{process}: no `{t}` in the default week"
            );
        }
    }
}

/// Counts the variants of events that one type alone does not tell apart.
#[derive(Default)]
struct Details {
    idle_away: u64,
    manual_away_with_reason: u64,
    idle_logout: u64,
    consult_rejected: u64,
    consult_joined: u64,
    to_queue: u64,
    to_agent: u64,
    outside: u64,
    overflow: u64,
    bot_escalations: u64,
    bot_conversations: HashMap<String, u32>,
    customer_messages: u64,
    agent_messages: u64,
    outbound_contacts: u64,
}

impl Details {
    fn seen(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("automatic Away after idle time", self.idle_away),
            ("Away with a reason", self.manual_away_with_reason),
            ("automatic logout after idle time", self.idle_logout),
            ("consult", self.consult_joined),
            ("consult rejection", self.consult_rejected),
            ("transfer to a queue", self.to_queue),
            ("transfer to an agent", self.to_agent),
            ("transfer outside", self.outside),
            ("queue overflow", self.overflow),
            ("bot escalation", self.bot_escalations),
            (
                "bot session spanning conversations",
                self.bot_conversations.values().filter(|n| **n > 1).count() as u64,
            ),
            ("customer message", self.customer_messages),
            ("agent message", self.agent_messages),
            ("outbound contact", self.outbound_contacts),
        ]
    }
}

impl Output for Details {
    fn event(&mut self, e: &Event<'_>) -> Result<(), SimError> {
        match &e.kind {
            EventKind::AgentAway {
                trigger: Trigger::Idle,
                last_active_at: Some(_),
                ..
            } => self.idle_away += 1,
            EventKind::AgentAway {
                trigger: Trigger::Manual,
                reason: Some(_),
                ..
            } => self.manual_away_with_reason += 1,
            EventKind::AgentLoggedOut {
                trigger: Trigger::Idle,
                ..
            } => self.idle_logout += 1,
            EventKind::ParticipantJoined {
                reason: Some("AgentConsult"),
                ..
            } => self.consult_joined += 1,
            EventKind::ParticipantLeft {
                reason: Some("AgentReject"),
                ..
            } => self.consult_rejected += 1,
            EventKind::SessionTransferred { to, .. } => match to {
                TransferTarget::Queue => self.to_queue += 1,
                TransferTarget::Agent => self.to_agent += 1,
                TransferTarget::Outside => self.outside += 1,
            },
            EventKind::SessionEnded { reason, .. } => match reason {
                ClosureReason::InqueueOverflowQueueTransfer => self.overflow += 1,
                ClosureReason::BotTransferToAgent => self.bot_escalations += 1,
                _ => {}
            },
            EventKind::BotConversationStarted { bot_session, .. } => {
                *self
                    .bot_conversations
                    .entry(bot_session.to_string())
                    .or_default() += 1
            }
            EventKind::ContactStarted {
                direction: ccsim_engine::event::Direction::Outbound,
                ..
            } => self.outbound_contacts += 1,
            EventKind::MessageSent { sender, .. } => match sender {
                ccsim_engine::event::Sender::Customer => self.customer_messages += 1,
                ccsim_engine::event::Sender::Agent => self.agent_messages += 1,
                ccsim_engine::event::Sender::Bot => {}
            },
            _ => {}
        }
        Ok(())
    }
}

#[test]
fn docs_scenarios_md_documents_every_key() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let spec = std::fs::read_to_string(format!("{root}/sim/src/spec.rs")).expect("spec.rs");
    let dist = std::fs::read_to_string(format!("{root}/sim/src/dist.rs")).expect("dist.rs");
    let doc = std::fs::read_to_string(format!("{root}/docs/scenarios.md")).expect("the doc");
    let mut keys = Vec::new();
    for line in spec.lines().chain(dist.lines()) {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("pub ").filter(|r| r.contains(": ")) {
            let name = rest.split(':').next().unwrap_or_default().trim();
            if !name.contains(' ') && !name.contains('(') {
                keys.push(name.to_string());
            }
        }
    }
    assert!(keys.len() > 50, "{keys:?}");
    for k in keys {
        let documented = [
            format!("`{k}`"),
            format!("[{k}"),
            format!("{k} ="),
            format!(".{k}`"),
            format!("`{k}."),
        ]
        .iter()
        .any(|form| doc.contains(form.as_str()));
        assert!(documented, "docs/scenarios.md does not mention `{k}`");
    }
}
