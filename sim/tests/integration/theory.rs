//! The simulator beyond M/M/c, held against queueing theory: non-preemptive priority between
//! two queues (Cobham's formula) and one agent with general handle times
//! (Pollaczek-Khinchine).
//!
//! Each check is a 99.98 % confidence interval over 10 replications, one of the suite's
//! checks whose family-wise error rate `support` states.

use ccsim_engine::measure::def::Dim;
use ccsim_engine::queueing::erlang_c;
use ccsim_engine::report::ReportRequest;
use ccsim_sim::run::{run, Replication, RunConfig};
use ccsim_sim::scenario::Scenario;

use crate::support::{interval, seed};

/// Replications per check.
const REPLICATIONS: usize = 10;

/// The figure of `metric` for `queue` (or ungrouped) in each replication, its mean and its
/// half-width at the suite's level.
fn figures(reps: &[Replication], metric: &str, queue: Option<&str>) -> (f64, f64, Vec<f64>) {
    let filter: Vec<(Dim, &str)> = queue.map(|q| (Dim::Queue, q)).into_iter().collect();
    let xs: Vec<f64> = reps
        .iter()
        .map(|r| {
            r.sections[0]
                .report
                .value(metric, &filter)
                .flatten()
                .unwrap_or_else(|| panic!("{metric} {queue:?} has no figure"))
        })
        .collect();
    interval(&xs)
}

/// Asserts that the theory's `expected` lies in the interval, naming what was compared.
fn assert_within(what: &str, expected: f64, (mean, half, xs): (f64, f64, Vec<f64>)) {
    eprintln!("{what:<40} theory {expected:>9.3}  simulated {mean:>9.3} ± {half:.3}");
    assert!(
        (expected - mean).abs() <= half,
        "{what}: theory {expected:.3} is outside {mean:.3} ± {half:.3} (99.98 %); replications {xs:?}"
    );
}

fn replicate(text: &str, base_seed: u64, metrics: &[&str], group_by: &[&str]) -> Vec<Replication> {
    let sc = Scenario::parse(text, "theory.toml").expect("the test scenario loads");
    let request = ReportRequest {
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
        group_by: group_by.iter().map(|g| g.to_string()).collect(),
        ..ReportRequest::default()
    };
    run(
        &sc,
        &request,
        &RunConfig::new(seed(base_seed)).replications(REPLICATIONS),
    )
    .expect("the run succeeds")
}

#[test]
fn priority_between_two_queues_follows_cobham() {
    // Two Poisson streams of 50 calls an hour each, exponential handle times of 180 s, six
    // agents who serve both queues alike; `gold` has the higher priority, no one abandons.
    // Cobham (1954), non-preemptive priority in M/M/c with one service rate: class k waits
    // W_k = C(c, a) / (c·μ · (1 − σ_{k−1}) · (1 − σ_k)), σ_k the load of classes 1..k.
    let text = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 2010.0
warmup_h = 10.0

[workstreams.gold]
channel = "phone"
arrivals = { rate_per_h = 50.0 }
queue = "gold"
handle = { dist = "exponential", mean_s = 180.0 }

[workstreams.basic]
channel = "phone"
arrivals = { rate_per_h = 50.0 }
queue = "basic"
handle = { dist = "exponential", mean_s = 180.0 }

[queues.gold]
priority = 1

[queues.basic]
priority = 0

[groups.agents]
agents = 6
capacity = { phone = 1 }
profile_views = false
"#;
    let reps = replicate(text, 41, &["queue.asa"], &["queue"]);
    let (c, mu) = (6.0, 1.0 / 180.0);
    let (lambda_gold, lambda_basic) = (50.0 / 3600.0, 50.0 / 3600.0);
    let sigma_gold = lambda_gold / (c * mu);
    let sigma_both = (lambda_gold + lambda_basic) / (c * mu);
    let wait_base = erlang_c(6, (lambda_gold + lambda_basic) / mu) / (c * mu);
    let gold = wait_base / (1.0 - sigma_gold);
    let basic = wait_base / ((1.0 - sigma_gold) * (1.0 - sigma_both));
    assert_within(
        "priority: gold ASA (s)",
        gold,
        figures(&reps, "queue.asa", Some("gold")),
    );
    assert_within(
        "priority: basic ASA (s)",
        basic,
        figures(&reps, "queue.asa", Some("basic")),
    );
}

/// One agent, 15 calls an hour (load 0.75), no abandonment, handle times from `handle`.
fn m_g_1(handle: &str) -> String {
    format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 4010.0
warmup_h = 10.0

[workstreams.calls]
channel = "phone"
arrivals = {{ rate_per_h = 15.0 }}
queue = "calls"
handle = {handle}

[queues.calls]

[groups.agents]
agents = 1
capacity = {{ phone = 1 }}
profile_views = false
"#
    )
}

/// Pollaczek-Khinchine: the mean wait in M/G/1 is λ·E[S²] / (2·(1 − ρ)).
fn pollaczek_khinchine(rate_per_s: f64, mean_s: f64, sd_s: f64) -> f64 {
    let second_moment = sd_s * sd_s + mean_s * mean_s;
    rate_per_s * second_moment / (2.0 * (1.0 - rate_per_s * mean_s))
}

#[test]
fn one_agent_with_general_handle_times_follows_pollaczek_khinchine() {
    let rate = 15.0 / 3600.0;
    let cases = [
        (
            "M/D/1 (constant 180 s)",
            r#"{ dist = "constant", value_s = 180.0 }"#,
            0.0,
        ),
        (
            "M/G/1 (lognormal, mean 180 s, sd 180 s)",
            r#"{ dist = "lognormal", mean_s = 180.0, sd_s = 180.0 }"#,
            180.0,
        ),
        (
            "M/G/1 (lognormal, mean 180 s, sd 90 s)",
            r#"{ dist = "lognormal", mean_s = 180.0, sd_s = 90.0 }"#,
            90.0,
        ),
    ];
    for (seed, (what, handle, sd_s)) in cases.into_iter().enumerate() {
        let reps = replicate(&m_g_1(handle), 50 + seed as u64, &["queue.asa"], &[]);
        let expected = pollaczek_khinchine(rate, 180.0, sd_s);
        assert_within(what, expected, figures(&reps, "queue.asa", None));
    }
}
