//! Shared helpers of the simulator's tests: small scenarios written on the fly, replications
//! run through the engine, and confidence intervals.

use ccsim_engine::report::ReportRequest;
use ccsim_sim::run::{run, Replication, RunConfig};
use ccsim_sim::scenario::Scenario;
use ccsim_sim::summary::mean_ci;

/// An M/M/c (+M when `patience_s` is set) scenario: one FIFO phone queue, `agents` always
/// there, offers accepted at once, nothing else.
pub fn mmc(
    rate_per_h: f64,
    handle_s: f64,
    patience_s: Option<f64>,
    agents: u32,
    hours: f64,
    warmup_h: f64,
) -> Scenario {
    let patience = patience_s
        .map(|p| format!("patience = {{ dist = \"exponential\", mean_s = {p} }}\n"))
        .unwrap_or_default();
    let text = format!(
        r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = {hours}
warmup_h = {warmup_h}

[workstreams.calls]
channel = "phone"
arrivals = {{ rate_per_h = {rate_per_h} }}
queue = "calls"
handle = {{ dist = "exponential", mean_s = {handle_s} }}
{patience}
[queues.calls]

[groups.agents]
agents = {agents}
capacity = {{ phone = 1 }}
profile_views = false
"#
    );
    Scenario::parse(&text, "mmc.toml").expect("the test scenario loads")
}

/// Runs `replications` replications and returns them.
pub fn replicate(
    sc: &Scenario,
    seed: u64,
    replications: usize,
    metrics: &[&str],
) -> Vec<Replication> {
    replicate_with(sc, seed, replications, metrics, &[])
}

/// Runs `replications` replications reported with platform `settings` (`KEY=VALUE`).
pub fn replicate_with(
    sc: &Scenario,
    seed: u64,
    replications: usize,
    metrics: &[&str],
    settings: &[&str],
) -> Vec<Replication> {
    let request = ReportRequest {
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
        settings: settings.iter().map(|s| s.to_string()).collect(),
        ..ReportRequest::default()
    };
    run(
        sc,
        &request,
        &RunConfig::new(seed).replications(replications),
    )
    .expect("the run succeeds")
}

/// The figure of `metric` in replication `r` (ungrouped report).
pub fn figure(r: &Replication, metric: &str) -> f64 {
    r.sections[0]
        .report
        .value(metric, &[])
        .flatten()
        .unwrap_or_else(|| panic!("{metric} has no figure"))
}

/// Per-replication values of `f`, and their mean and 95 % half-width.
pub fn ci(reps: &[Replication], f: impl Fn(&Replication) -> f64) -> (f64, f64, Vec<f64>) {
    let xs: Vec<f64> = reps.iter().map(f).collect();
    let (m, h) = mean_ci(&xs);
    (m.unwrap_or(f64::NAN), h.unwrap_or(f64::INFINITY), xs)
}

/// Asserts that `expected` lies in the 95 % confidence interval `mean ± half`, and prints
/// the comparison (run with `--nocapture` to see the validation table).
pub fn check(what: &str, expected: f64, (mean, half, _): &(f64, f64, Vec<f64>)) -> bool {
    let ok = (expected - mean).abs() <= *half;
    eprintln!(
        "{what:<48} formula {expected:>10.4}  simulated {mean:>10.4} ± {half:.4}  {}",
        if ok { "ok" } else { "OUTSIDE" }
    );
    ok
}
