//! Shared helpers of the simulator's tests: small scenarios written on the fly, replications
//! run through the engine, and confidence intervals.
//!
//! **Error rate of the statistical checks.** Every check of a simulated mean against a figure
//! from theory (here, in `queueing`, `logs`, `campaigns`, `comebacks`, `theory` and `sweep`)
//! uses a two-sided 99.98 % Student-t interval ([`LEVEL`]) over independent replications. There
//! are 63 such checks (12 of them `sweep`'s Erlang C), so a correct simulator fails at least one
//! of them with probability at most 63 × 0.02 % = 1.26 % (Bonferroni): the suite passes for at
//! least 98.7 % of seeds. Each
//! test's seeds are fixed; `CCSIM_TEST_SEED_OFFSET=K` shifts all of them by K, which is how
//! `sim/tests/seed-sweep.sh` measures the pass rate over fresh seeds.

use ccsim_engine::measure::def::Dim;
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
    let text = mmc_text(rate_per_h, handle_s, patience_s, agents, hours, warmup_h);
    Scenario::parse(&text, "mmc.toml").expect("the test scenario loads")
}

/// The text of the [`mmc`] scenario: its group is `agents`, its workstream and queue `calls`.
pub fn mmc_text(
    rate_per_h: f64,
    handle_s: f64,
    patience_s: Option<f64>,
    agents: u32,
    hours: f64,
    warmup_h: f64,
) -> String {
    let patience = patience_s
        .map(|p| format!("patience = {{ dist = \"exponential\", mean_s = {p} }}\n"))
        .unwrap_or_default();
    format!(
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
    )
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
    replicate_request(sc, seed, replications, &request)
}

/// Runs `replications` replications reported as `request` asks.
pub fn replicate_request(
    sc: &Scenario,
    seed: u64,
    replications: usize,
    request: &ReportRequest,
) -> Vec<Replication> {
    run(
        sc,
        request,
        &RunConfig::new(seed).replications(replications),
    )
    .expect("the run succeeds")
}

/// The figure of `metric` in replication `r` (ungrouped report).
pub fn figure(r: &Replication, metric: &str) -> f64 {
    figure_in(r, metric, &[]).unwrap_or_else(|| panic!("{metric} has no figure"))
}

/// The figure of `metric` in the group `filter` names, in replication `r`'s first section;
/// `None` when that group has no figure.
pub fn figure_in(r: &Replication, metric: &str, filter: &[(Dim, &str)]) -> Option<f64> {
    r.sections[0].report.value(metric, filter).flatten()
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

/// The two-sided confidence level of every statistical check.
pub const LEVEL: f64 = 0.9998;

/// Student's t density with `df` degrees of freedom at `x`; the constant
/// Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) is built by the half-integer recursion of Γ.
fn t_density(df: usize, x: f64) -> f64 {
    // Γ((ν+1)/2) / Γ(ν/2), from Γ(1/2) = √π and Γ(1) = 1 upwards.
    let mut ratio = if df % 2 == 1 {
        1.0 / std::f64::consts::PI.sqrt()
    } else {
        std::f64::consts::PI.sqrt() / 2.0
    };
    let mut nu = if df % 2 == 1 { 1 } else { 2 };
    while nu < df {
        // Γ((ν+3)/2)/Γ((ν+2)/2) = [(ν+1)/2 · Γ((ν+1)/2)] / [ν/2 · Γ(ν/2)].
        ratio *= (nu as f64 + 1.0) / nu as f64;
        nu += 2;
    }
    let nu = df as f64;
    ratio / (nu * std::f64::consts::PI).sqrt() * (1.0 + x * x / nu).powf(-(nu + 1.0) / 2.0)
}

/// P(0 ≤ T ≤ x) for Student's t with `df` degrees of freedom (Simpson's rule).
fn t_central(df: usize, x: f64) -> f64 {
    let steps = 4000;
    let h = x / steps as f64;
    let mut sum = t_density(df, 0.0) + t_density(df, x);
    for k in 1..steps {
        let weight = if k % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * t_density(df, k as f64 * h);
    }
    sum * h / 3.0
}

/// The half-width factor of a two-sided interval at `level` over `df` degrees of freedom:
/// the (1 + level) / 2 quantile of Student's t, found by bisection.
pub fn t_quantile(level: f64, df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    let (mut low, mut high) = (0.0, 1000.0);
    for _ in 0..80 {
        let mid = (low + high) / 2.0;
        if t_central(df, mid) < level / 2.0 {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

#[test]
fn t_quantiles_match_the_published_tables() {
    // Student's t tables: 97.5 % with 4 df, 99.95 % with 9 and 19 df, 97.5 % with 30 df.
    for (level, df, table) in [
        (0.95, 4, 2.776),
        (0.999, 9, 4.781),
        (0.999, 19, 3.883),
        (0.95, 30, 2.042),
    ] {
        let computed = t_quantile(level, df);
        assert!(
            (computed - table).abs() < 0.001,
            "{level} {df}: {computed} against {table}"
        );
    }
}

/// The mean of `xs` and its half-width at [`LEVEL`], with `xs`.
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
        t_quantile(LEVEL, n - 1) * (variance / n as f64).sqrt(),
        xs.to_vec(),
    )
}

/// Per-replication values of `f`, and their mean and half-width at [`LEVEL`].
pub fn ci(reps: &[Replication], f: impl Fn(&Replication) -> f64) -> (f64, f64, Vec<f64>) {
    let xs: Vec<f64> = reps.iter().map(f).collect();
    interval(&xs)
}

/// Asserts that `expected` lies in the confidence interval `mean ± half`, and prints
/// the comparison (run with `--nocapture` to see the validation table).
pub fn check(what: &str, expected: f64, (mean, half, _): &(f64, f64, Vec<f64>)) -> bool {
    let ok = (expected - mean).abs() <= *half;
    eprintln!(
        "{what:<48} formula {expected:>10.4}  simulated {mean:>10.4} ± {half:.4}  {}",
        if ok { "ok" } else { "OUTSIDE" }
    );
    ok
}
