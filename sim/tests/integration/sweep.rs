//! `ccsim sweep` against Erlang C, its paired differences, and its independence of the thread
//! count.
//!
//! The Erlang C check follows `support`'s convention: each figure's interval is widened from
//! the sweep's 95 % to [`LEVEL`] (99.98 %) before it is compared with the formula; it adds 12
//! checks to the suite's family (counted there).

use ccsim_engine::queueing::ErlangC;
use ccsim_engine::report::{OutputFormat, ReportRequest};
use ccsim_sim::scenario::Scenario;
use ccsim_sim::summary::t975;
use ccsim_sim::sweep::render::render_sweep;
use ccsim_sim::sweep::{sweep, Grid, Plan, Sweep, SweepRow, Vary};

use crate::support::{mmc_text, seed, t_quantile, LEVEL};

/// λ = 100 calls an hour, mean handle 180 s: a = 5 Erlangs, as in `queueing`.
const RATE_H: f64 = 100.0;
const HANDLE_S: f64 = 180.0;
const REPLICATIONS: usize = 20;
/// Each replication: 100 hours (about 10,000 calls) after a 5-hour warm-up.
const HOURS: f64 = 105.0;
const WARMUP_H: f64 = 5.0;
const METRICS: [&str; 3] = [
    "queue.wait_probability",
    "queue.asa",
    "queue.service_level.over_offered",
];

fn plan(vary: &str, hours: f64, warmup_h: f64) -> Plan {
    // No patience, offers accepted at once (the default offer), one FIFO phone queue.
    let text = mmc_text(RATE_H, HANDLE_S, None, 6, hours, warmup_h);
    let grid = Grid::new(vec![Vary::parse(vary).expect("the values read")]);
    Plan::new(grid, &[], None, |overrides| {
        Scenario::parse_with(&text, "mmc.toml", overrides)
    })
    .expect("every point loads")
}

fn request() -> ReportRequest {
    ReportRequest {
        metrics: METRICS.iter().map(|m| m.to_string()).collect(),
        ..ReportRequest::default()
    }
}

fn row<'a>(s: &'a Sweep, metric: &str, agents: &str) -> &'a SweepRow {
    s.sections[0]
        .rows
        .iter()
        .find(|r| r.metric == metric && s.points[r.point] == [agents])
        .unwrap_or_else(|| panic!("{metric} at {agents} agents"))
}

#[test]
fn a_sweep_over_staffing_covers_erlang_c() {
    // 6..9: 6, 7, 8 and 9 agents, both ends included.
    let plan = plan("groups.agents.agents=6..9", HOURS, WARMUP_H);
    let s = &sweep(&plan, &request(), seed(4200), REPLICATIONS, None).expect("the sweep runs");
    assert_eq!(
        s.points,
        [["6"], ["7"], ["8"], ["9"]],
        "6..9 includes both ends"
    );
    let mut all_ok = true;
    for agents in 6..=9u32 {
        // The project's formulas (engine/src/queueing.rs), per second.
        let q = ErlangC {
            arrival_rate: RATE_H / 3600.0,
            handle_s: HANDLE_S,
            agents,
        };
        // P(wait) and the service level are percentages in the report; the threshold of the
        // service level is the default 20 s.
        for (metric, expected, scale) in [
            ("queue.wait_probability", q.wait_probability(), 100.0),
            ("queue.asa", q.asa_s(), 1.0),
            (
                "queue.service_level.over_offered",
                q.service_level(20.0),
                100.0,
            ),
        ] {
            let r = row(s, metric, &agents.to_string());
            assert_eq!(r.n, REPLICATIONS);
            let mean = r.mean.expect("a figure") / scale;
            // The sweep's 95 % half-width is t975 · s/√n; widen it to LEVEL.
            let half = r.half_width.expect("an interval") / scale / t975(r.n - 1)
                * t_quantile(LEVEL, r.n - 1);
            let ok = (expected - mean).abs() <= half;
            eprintln!(
                "M/M/{agents} {metric:<34} formula {expected:>9.4}  swept {mean:>9.4} ± {half:.4}  {}",
                if ok { "ok" } else { "OUTSIDE" }
            );
            all_ok &= ok;
        }
    }
    assert!(
        all_ok,
        "a figure fell outside its confidence interval (see above)"
    );
}

#[test]
fn paired_differences_are_narrower_than_either_points_interval() {
    // Common random numbers: with no abandonment, call k of every point has the same arrival
    // time and handle time, so congestion comes at the same times at both staffing levels and
    // the errors of the two points cancel in their difference. The cancellation is large when
    // one more agent changes the figures by a small share: 50 Erlangs (1,000 calls an hour,
    // 180 s each) with 58 and 59 agents. (The paired half-width came out at 0.2 to 0.5 times
    // the smaller point's over seed offsets 0 to 5; the bound leaves room for other seeds.)
    let text = mmc_text(1000.0, HANDLE_S, None, 58, 22.0, 2.0);
    let grid = Grid::new(vec![
        Vary::parse("groups.agents.agents=58,59").expect("reads")
    ]);
    let plan = Plan::new(grid, &[], None, |overrides| {
        Scenario::parse_with(&text, "mmc.toml", overrides)
    })
    .expect("both points load");
    let s = sweep(&plan, &request(), seed(4300), 10, None).expect("the sweep runs");
    for metric in METRICS {
        let here = row(&s, metric, "59");
        let base = row(&s, metric, "58");
        let point_half = here
            .half_width
            .expect("an interval")
            .min(base.half_width.expect("an interval"));
        let diff_half = here.diff_half_width.expect("a paired interval");
        eprintln!("{metric}: paired ± {diff_half:.4}, points ± {point_half:.4} or more");
        assert!(
            diff_half < 0.75 * point_half,
            "{metric}: paired ± {diff_half} against ± {point_half}"
        );
    }
    // At the baseline, the difference is 0 ± 0.
    let base = row(&s, "queue.asa", "58");
    assert_eq!(
        (base.diff_mean, base.diff_half_width),
        (Some(0.0), Some(0.0))
    );
}

#[test]
fn the_output_is_the_same_at_any_thread_count() {
    let plan = plan("groups.agents.agents=6,8", 12.0, 2.0);
    let at = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool")
            .install(|| {
                let s = sweep(&plan, &request(), 9, 4, None).expect("the sweep runs");
                render_sweep(&s, OutputFormat::Csv)
            })
    };
    let one = at(1);
    assert_eq!(one, at(2));
    assert!(
        one.starts_with("groups.agents.agents,section,metric,unit,group,mean,half_width,n,diff_mean,diff_half_width\n"),
        "{one}"
    );
    // One row per point and metric.
    assert_eq!(one.lines().count(), 1 + 2 * METRICS.len());
}
