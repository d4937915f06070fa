//! The simulator beyond M/M/c, held against queueing theory: non-preemptive priority between
//! two queues (Cobham's formula), one agent with general handle times (Pollaczek-Khinchine),
//! several agents with general handle times (the Allen-Cunneen approximation, with its error
//! allowed for), and overflow from a first line to a second (a Markov chain solved in the
//! test).
//!
//! Each check is a 99.98 % confidence interval over 10 replications, one of the suite's
//! checks whose family-wise error rate `support` states.

use ccsim_engine::measure::def::Dim;
use ccsim_engine::queueing::erlang_c;
use ccsim_engine::report::ReportRequest;
use ccsim_sim::run::Replication;
use ccsim_sim::scenario::Scenario;

use crate::support::{ci, figure_in, interval, replicate_request, seed};

/// Replications per check.
const REPLICATIONS: usize = 10;

/// The figure of `metric` for `queue` (or ungrouped) in each replication, its mean and its
/// half-width at the suite's level.
fn figures(reps: &[Replication], metric: &str, queue: Option<&str>) -> (f64, f64, Vec<f64>) {
    let filter: Vec<(Dim, &str)> = queue.map(|q| (Dim::Queue, q)).into_iter().collect();
    ci(reps, |r| {
        figure_in(r, metric, &filter).unwrap_or_else(|| panic!("{metric} {queue:?} has no figure"))
    })
}

/// Asserts that the theory's `expected` lies in the interval, naming what was compared.
fn assert_within(what: &str, expected: f64, (mean, half, xs): (f64, f64, Vec<f64>)) {
    eprintln!("{what:<40} theory {expected:>9.3}  simulated {mean:>9.3} ± {half:.3}");
    assert!(
        (expected - mean).abs() <= half,
        "{what}: theory {expected:.3} is outside {mean:.3} ± {half:.3} (99.98 %); replications {xs:?}"
    );
}

/// Replications of the scenario `text` for a check, reporting `metrics` grouped by `group_by`.
fn replicate(text: &str, base_seed: u64, metrics: &[&str], group_by: &[&str]) -> Vec<Replication> {
    let sc = Scenario::parse(text, "theory.toml").expect("the test scenario loads");
    let request = ReportRequest {
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
        group_by: group_by.iter().map(|g| g.to_string()).collect(),
        ..ReportRequest::default()
    };
    replicate_request(&sc, seed(base_seed), REPLICATIONS, &request)
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

/// The stationary distribution of the overflow system: `first` agents take calls (rate
/// `lambda`) while one is free; a call finding them all busy overflows to a queue served
/// by `second` agents, FIFO, unbounded (truncated at `max_queue` in it, far beyond any
/// probability that matters). State (i, j): i busy first-line agents, j calls with the
/// second line. Solved by Gauss-Seidel sweeps over the balance equations until no state's
/// probability moves by 1e-14 in a sweep.
fn overflow_chain(
    lambda: f64,
    mu: f64,
    first: usize,
    second: usize,
    max_queue: usize,
) -> Vec<Vec<f64>> {
    let rate_out = |i: usize, j: usize| {
        let arrival = if i < first || j < max_queue {
            lambda
        } else {
            0.0
        };
        arrival + i as f64 * mu + j.min(second) as f64 * mu
    };
    let mut pi = vec![vec![1.0; max_queue + 1]; first + 1];
    for sweep in 0.. {
        let previous = pi.clone();
        for i in 0..=first {
            for j in 0..=max_queue {
                // Probability flowing into (i, j) from each neighbour.
                let mut inflow = 0.0;
                if i > 0 {
                    // From (i - 1, j): an arrival taken by the first line.
                    inflow += pi[i - 1][j] * lambda;
                }
                if i == first && j > 0 {
                    // From (first, j - 1): an arrival that overflows.
                    inflow += pi[first][j - 1] * lambda;
                }
                if i < first {
                    // From (i + 1, j): a first-line call ends.
                    inflow += pi[i + 1][j] * (i + 1) as f64 * mu;
                }
                if j < max_queue {
                    // From (i, j + 1): a second-line call ends.
                    inflow += pi[i][j + 1] * (j + 1).min(second) as f64 * mu;
                }
                pi[i][j] = inflow / rate_out(i, j);
            }
        }
        let total: f64 = pi.iter().flatten().sum();
        for p in pi.iter_mut().flatten() {
            *p /= total;
        }
        let change = pi
            .iter()
            .flatten()
            .zip(previous.iter().flatten())
            .map(|(now, before)| (now - before).abs())
            .fold(0.0, f64::max);
        if change < 1e-14 {
            break;
        }
        assert!(
            sweep < 100_000,
            "the chain did not converge (last change {change:e})"
        );
    }
    pi
}

#[test]
fn overflow_to_a_second_line_follows_its_markov_chain() {
    // 60 calls an hour, exponential handle times of 180 s; 3 first-line agents. A call that
    // finds them all busy overflows after 1 ms to a queue of 2 second-line agents. The
    // overflow stream is peaked, not Poisson, so no Erlang formula gives the second line's
    // wait: the chain above does. Fraction overflowing = P(i = 3) (Erlang B(3, 3) = 0.346);
    // second-line wait = its mean queue / the overflow rate (Little). Each queue's figures are
    // its own stays: the 1 ms spent in the first queue is the first queue's.
    let text = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 2010.0
warmup_h = 10.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 60.0 }
queue = "first"
handle = { dist = "exponential", mean_s = 180.0 }

[queues.first]
skills = ["first"]
overflow = { after_s = 0.001, to = "second" }

[queues.second]
skills = ["second"]

[groups.first]
agents = 3
skills = ["first"]
capacity = { phone = 1 }
profile_views = false

[groups.second]
agents = 2
skills = ["second"]
capacity = { phone = 1 }
profile_views = false
"#;
    let reps = replicate(
        text,
        61,
        &["queue.offered", "queue.flowed_out", "queue.asa"],
        &["queue"],
    );
    let (lambda, mu) = (60.0 / 3600.0, 1.0 / 180.0);
    let pi = overflow_chain(lambda, mu, 3, 2, 400);
    let overflow_share: f64 = pi[3].iter().sum();
    let mean_queue: f64 = pi
        .iter()
        .flat_map(|row| row.iter().enumerate())
        .map(|(j, p)| p * j.saturating_sub(2) as f64)
        .sum();
    let second_wait = mean_queue / (lambda * overflow_share);
    let erlang_b = ccsim_engine::queueing::erlang_b(3, 3.0);
    assert!(
        (overflow_share - erlang_b).abs() < 1e-9,
        "the chain's first line is Erlang B"
    );
    let shares: Vec<f64> = reps
        .iter()
        .map(|r| {
            let first =
                |metric: &str| figure_in(r, metric, &[(Dim::Queue, "first")]).unwrap_or(0.0);
            first("queue.flowed_out") / first("queue.offered")
        })
        .collect();
    assert_within(
        "overflow: share overflowing",
        overflow_share,
        interval(&shares),
    );
    assert_within(
        "overflow: second-line ASA (s)",
        second_wait,
        figures(&reps, "queue.asa", Some("second")),
    );
}

/// Three agents, 48 calls an hour (load 0.8), no abandonment, handle times from `handle`.
fn m_g_3(handle: &str) -> String {
    m_g_1(handle)
        .replace("rate_per_h = 15.0", "rate_per_h = 48.0")
        .replace("agents = 1", "agents = 3")
}

#[test]
fn several_agents_with_general_handle_times_follow_allen_cunneen() {
    // Allen-Cunneen: the M/M/c wait times (C_a² + C_s²) / 2, with C_a² = 1 for Poisson
    // arrivals and C_s² the handle time's squared coefficient of variation. It is an
    // approximation; at this load and these coefficients of variation published comparisons
    // put its error at a few per cent, and the check allows 10 % on top of the interval.
    let (lambda, mu) = (48.0 / 3600.0, 1.0 / 180.0);
    let mm3 = erlang_c(3, lambda / mu) / (3.0 * mu - lambda);
    let cases = [
        (
            "M/D/3 (constant 180 s)",
            r#"{ dist = "constant", value_s = 180.0 }"#,
            0.0,
        ),
        (
            "M/G/3 (lognormal, mean 180 s, sd 90 s)",
            r#"{ dist = "lognormal", mean_s = 180.0, sd_s = 90.0 }"#,
            0.25,
        ),
    ];
    for (seed, (what, handle, cv2)) in cases.into_iter().enumerate() {
        let reps = replicate(&m_g_3(handle), 70 + seed as u64, &["queue.asa"], &[]);
        let approximation = mm3 * (1.0 + cv2) / 2.0;
        let (mean, half, xs) = figures(&reps, "queue.asa", None);
        eprintln!(
            "{what:<40} Allen-Cunneen {approximation:>9.3}  simulated {mean:>9.3} ± {half:.3}"
        );
        assert!(
            (approximation - mean).abs() <= half + 0.10 * approximation,
            "{what}: Allen-Cunneen {approximation:.3} is more than 10 % outside {mean:.3} ± {half:.3}; {xs:?}"
        );
    }
}
