//! Customers who try again: abandoning customers who call back later (`retrials`), and
//! customers who accept a queue's offer of a callback (`callback`), each checked on the log.

use std::collections::HashMap;

use crate::audit::{record, text};
use crate::support::{check, interval, seed};
use ccsim_sim::scenario::Scenario;

/// The share of abandoning customers who try again.
const RETRIAL_PROBABILITY: f64 = 0.4;
/// The mean delay of a retrial after the abandonment [s].
const RETRIAL_DELAY_S: f64 = 600.0;

/// Twelve hours of an overloaded phone queue (60 calls an hour of 5 min mean on 4 agents:
/// 5 Erlangs offered to 4 servers) whose impatient customers (2 min mean) abandon often and
/// come back with [`RETRIAL_PROBABILITY`] after an exponential delay.
fn retrying() -> Scenario {
    let text = format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 12.0

[workstreams.calls]
channel = "phone"
arrivals = {{ rate_per_h = 60.0 }}
queue = "calls"
patience = {{ dist = "exponential", mean_s = 120.0 }}
handle = {{ dist = "exponential", mean_s = 300.0 }}
retrials = {{ probability = {RETRIAL_PROBABILITY}, delay = {{ dist = "exponential", mean_s = {RETRIAL_DELAY_S} }} }}

[queues.calls]

[groups.agents]
agents = 4
capacity = {{ phone = 1 }}
profile_views = false
"#
    );
    Scenario::parse(&text, "retrying.toml").expect("the test scenario loads")
}

/// Per abandonment at least two hours before the end (a retrial is then due before the end
/// but with probability e^-12): whether the customer started another contact after it, in
/// the conversation the abandonment closed. Returns (abandonments, retried).
fn retrials(log: &[(i64, serde_json::Value)], end_ms: i64) -> (u32, u32) {
    let mut customer_of: HashMap<String, String> = HashMap::new();
    let mut conversation_of: HashMap<String, String> = HashMap::new();
    // Customer → the conversation their last counted abandonment closed.
    let mut abandoned: HashMap<String, String> = HashMap::new();
    let (mut n_abandoned, mut n_retried) = (0, 0);
    for (at, event) in log {
        match text(event, "type") {
            "contact_started" => {
                let (contact, customer) = (text(event, "contact"), text(event, "customer"));
                if let Some(conversation) = abandoned.remove(customer) {
                    assert_eq!(conversation, text(event, "conversation"), "{event}");
                    n_retried += 1;
                }
                customer_of.insert(contact.into(), customer.into());
                conversation_of.insert(contact.into(), text(event, "conversation").into());
            }
            "contact_ended" if text(event, "outcome") == "abandoned" => {
                let contact = text(event, "contact");
                if *at <= end_ms - 2 * 3_600_000 {
                    n_abandoned += 1;
                    abandoned.insert(
                        customer_of[contact].clone(),
                        conversation_of[contact].clone(),
                    );
                }
            }
            _ => {}
        }
    }
    (n_abandoned, n_retried)
}

#[test]
fn a_set_share_of_abandoning_customers_try_again() {
    let sc = retrying();
    let end_ms = sc.end.millis();
    // Ten independent runs; each abandonment is retried with probability 0.4, independently
    // of everything else (its own random stream), so the share retried has mean 0.4.
    let shares: Vec<f64> = (0..10)
        .map(|i| {
            let (n_abandoned, n_retried) = retrials(&record(&sc, seed(1300) + i), end_ms);
            assert!(n_abandoned > 100, "only {n_abandoned} abandonments");
            f64::from(n_retried) / f64::from(n_abandoned)
        })
        .collect();
    assert!(check(
        "share of abandoning customers who try again",
        RETRIAL_PROBABILITY,
        &interval(&shares)
    ));
}

/// How long a customer waits before the callback is offered [s].
const CALLBACK_AFTER_S: f64 = 60.0;

/// Twelve hours of the overloaded phone queue of [`retrying`] (no retrials), whose queue
/// offers a callback after [`CALLBACK_AFTER_S`]: half the customers take it; four in five
/// answer the call back.
fn calling_back() -> Scenario {
    let text = format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 12.0

[workstreams.calls]
channel = "phone"
arrivals = {{ rate_per_h = 60.0 }}
queue = "calls"
patience = {{ dist = "exponential", mean_s = 600.0 }}
handle = {{ dist = "exponential", mean_s = 300.0 }}
after_work = {{ dist = "constant", value_s = 20.0 }}

[queues.calls]
callback = {{ after_s = {CALLBACK_AFTER_S}, accept_probability = 0.5, answer_probability = 0.8, ring = {{ dist = "uniform", min_s = 5.0, max_s = 20.0 }} }}

[groups.agents]
agents = 4
capacity = {{ phone = 1 }}
"#
    );
    Scenario::parse(&text, "calling-back.toml").expect("the test scenario loads")
}

#[test]
fn a_callback_calls_the_same_customer_back_after_the_request() {
    let sc = calling_back();
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("callbacks.ccslog");
    ccsim_sim::run::simulate(&sc, &ccsim_sim::run::RunConfig::new(seed(31)).log(&path))
        .expect("simulated");
    // The engine folds the log (contacts ending `callback_requested` included) without error.
    let request = ccsim_engine::report::ReportRequest {
        metrics: vec!["gladly.talk_time".into()],
        ..Default::default()
    };
    ccsim_engine::replay::replay_file(&path, None, &request).expect("the log replays");

    let log = record(&sc, seed(31));
    // Contact → (customer, conversation, when first queued [ms]).
    let mut contacts: HashMap<String, (String, String, i64)> = HashMap::new();
    // (customer, conversation) → when the callback was requested [ms], while it waits.
    let mut requested: HashMap<(String, String), i64> = HashMap::new();
    let (mut n_requested, mut n_called, mut n_answered) = (0, 0, 0);
    let mut outbound: Vec<String> = Vec::new();
    for (at, event) in &log {
        let contact = text(event, "contact").to_string();
        match text(event, "type") {
            "contact_started" => {
                let key = (
                    text(event, "customer").to_string(),
                    text(event, "conversation").to_string(),
                );
                if text(event, "direction") == "outbound" {
                    // Every outbound contact is a call back, after its request, in the
                    // customer's conversation; one per request.
                    let requested_at = requested.remove(&key).unwrap_or_else(|| panic!("{event}"));
                    assert!(requested_at <= *at, "{event}");
                    n_called += 1;
                    outbound.push(contact.clone());
                }
                contacts.insert(contact, (key.0, key.1, i64::MAX));
            }
            "contact_queued" => {
                let first = &mut contacts.get_mut(&contact).expect("started").2;
                *first = (*first).min(*at);
            }
            "contact_answered" if outbound.contains(&contact) => n_answered += 1,
            "contact_ended" if text(event, "outcome") == "callback_requested" => {
                let (customer, conversation, queued_at) = contacts[&contact].clone();
                // One queue, no overflow: the callback is offered exactly `after_s` after the
                // contact was queued.
                assert_eq!(
                    *at - queued_at,
                    (CALLBACK_AFTER_S * 1000.0) as i64,
                    "{event}"
                );
                assert!(requested.insert((customer, conversation), *at).is_none());
                n_requested += 1;
            }
            _ => {}
        }
    }
    eprintln!(
        "{n_requested} callbacks requested, {n_called} called back ({n_answered} answered), {} still waiting at the end",
        requested.len()
    );
    // 5 Erlangs on 4 agents: most callers wait a minute, and about half of them take it.
    assert!(n_requested > 100, "only {n_requested} requests");
    assert_eq!(n_called + requested.len(), n_requested);
    assert!(n_answered > 0 && n_answered < n_called);
}
