//! Shared helpers of the simulator's tests: small scenarios written on the fly, replications
//! run through the engine, and confidence intervals.
//!
//! **Error rate of the statistical checks.** Every check of a simulated mean against a figure
//! from theory (here, in `queueing`, `logs`, `campaigns` and `theory`) uses a two-sided
//! 99.9 % Student-t interval over independent replications. There are 46 such checks, so a
//! correct simulator fails at least one of them with probability at most 46 × 0.1 % = 4.6 %
//! (Bonferroni), and the suite passes for at least 95.4 % of seeds. Each test's seeds are
//! fixed; `CCSIM_TEST_SEED_OFFSET=K` shifts all of them by K, which is how
//! `sim/tests/seed-sweep.sh` measures the pass rate over fresh seeds.

use ccsim_engine::report::ReportRequest;
use ccsim_sim::run::{run, Replication, RunConfig};
use ccsim_sim::scenario::Scenario;

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

/// The seed of a statistical test whose committed seed is `base`: shifted by the
/// `CCSIM_TEST_SEED_OFFSET` environment variable when it is set (the seed sweep), else `base`.
pub fn seed(base: u64) -> u64 {
    let offset = std::env::var("CCSIM_TEST_SEED_OFFSET")
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
        .unwrap_or(0);
    // Far apart, so shifted seeds of different tests do not meet.
    base.wrapping_add(offset.wrapping_mul(1_000_003))
}

/// The 99.95 % quantile of Student's t with `df` degrees of freedom, from the published
/// tables: the half-width factor of a two-sided 99.9 % interval.
pub fn t_9995(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        636.62, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587, 4.437, 4.318,
        4.221, 4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850, 3.819, 3.792, 3.768, 3.745, 3.725,
        3.707, 3.690, 3.674, 3.659, 3.646,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        // 40: 3.551, 60: 3.460, 120: 3.373, infinity: 3.291; this stays above them.
        _ => 3.291 + 10.5 / df as f64,
    }
}

/// The mean of `xs` and its 99.9 % half-width, with `xs`.
pub fn interval(xs: &[f64]) -> (f64, f64, Vec<f64>) {
    let n = xs.len();
    if n < 2 {
        return (
            xs.first().copied().unwrap_or(f64::NAN),
            f64::INFINITY,
            xs.to_vec(),
        );
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let variance = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (
        mean,
        t_9995(n - 1) * (variance / n as f64).sqrt(),
        xs.to_vec(),
    )
}

/// Per-replication values of `f`, and their mean and 99.9 % half-width.
pub fn ci(reps: &[Replication], f: impl Fn(&Replication) -> f64) -> (f64, f64, Vec<f64>) {
    let xs: Vec<f64> = reps.iter().map(f).collect();
    interval(&xs)
}

/// Asserts that `expected` lies in the 99.9 % confidence interval `mean ± half`, and prints
/// the comparison (run with `--nocapture` to see the validation table).
pub fn check(what: &str, expected: f64, (mean, half, _): &(f64, f64, Vec<f64>)) -> bool {
    let ok = (expected - mean).abs() <= *half;
    eprintln!(
        "{what:<48} formula {expected:>10.4}  simulated {mean:>10.4} ± {half:.4}  {}",
        if ok { "ok" } else { "OUTSIDE" }
    );
    ok
}
