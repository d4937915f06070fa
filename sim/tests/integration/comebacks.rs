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
