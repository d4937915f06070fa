//! The simulator against queueing theory that no one here wrote: Erlang C at three staffing
//! levels, Erlang A (Garnett, Mandelbaum and Reiman 2002), each figure from the simulator's own
//! events replayed through the engine's fold and queue metrics, within its 99.98 % confidence
//! interval over independent replications (the suite's error rate is stated in `support`).
//!
//! `cargo test -p ccsim-sim --test integration queueing -- --nocapture` prints the comparison table.

use crate::support::{check, ci, figure, mmc, replicate, replicate_with, seed};
use ccsim_engine::queueing::{ErlangA, ErlangAFigures, ErlangC};

/// λ = 100 calls per hour, mean handle 180 s: 5 Erlangs.
const RATE_H: f64 = 100.0;
const HANDLE_S: f64 = 180.0;
const REPLICATIONS: usize = 20;
/// Each replication: 250 hours (about 25,000 calls) after a 10-hour warm-up.
const HOURS: f64 = 260.0;
const WARMUP_H: f64 = 10.0;

const METRICS: &[&str] = &[
    "queue.offered",
    "queue.answered",
    "queue.abandoned",
    "queue.short_abandoned",
    "queue.wait_probability",
    "queue.asa",
    "queue.average_wait",
    "queue.time_to_abandon",
    "queue.service_level.over_answered",
    "queue.service_level.over_offered",
    "queue.service_level.over_offered_less_short_abandons",
    "queue.occupancy",
];

#[test]
fn erlang_c_at_three_staffing_levels() {
    let mut all_ok = true;
    for agents in [6, 7, 8] {
        let sc = mmc(RATE_H, HANDLE_S, None, agents, HOURS, WARMUP_H);
        let reps = replicate(&sc, seed(1000 + u64::from(agents)), REPLICATIONS, METRICS);
        let q = ErlangC {
            arrival_rate: RATE_H / 3600.0,
            handle_s: HANDLE_S,
            agents,
        };
        eprintln!("M/M/{agents}, a = 5 Erlangs");
        let pct = |m: &'static str| move |r: &_| figure(r, m) / 100.0;
        all_ok &= check(
            "P(wait)",
            q.wait_probability(),
            &ci(&reps, pct("queue.wait_probability")),
        );
        all_ok &= check("ASA (s)", q.asa_s(), &ci(&reps, |r| figure(r, "queue.asa")));
        all_ok &= check(
            "SL 20 s",
            q.service_level(20.0),
            &ci(&reps, pct("queue.service_level.over_answered")),
        );
        all_ok &= check(
            "occupancy",
            q.occupancy(),
            &ci(&reps, pct("queue.occupancy")),
        );
        // Without patience every offered call is answered (or still waiting at the end).
        for r in &reps {
            assert_eq!(figure(r, "queue.abandoned"), 0.0);
            assert_eq!(figure(r, "queue.offered"), figure(r, "queue.answered"));
        }
    }
    assert!(
        all_ok,
        "a figure fell outside its confidence interval (see above)"
    );
}

#[test]
fn erlang_a_abandonment_and_the_service_level_variants() {
    let mut all_ok = true;
    for agents in [5, 6] {
        let sc = mmc(RATE_H, HANDLE_S, Some(120.0), agents, HOURS, WARMUP_H);
        let reps = replicate(&sc, seed(21 + u64::from(agents)), REPLICATIONS, METRICS);
        let q = ErlangA {
            arrival_rate: RATE_H / 3600.0,
            handle_s: HANDLE_S,
            patience_s: 120.0,
            agents,
        };
        let f = q.figures(20.0, 5.0);
        eprintln!("M/M/{agents}+M, a = 5 Erlangs, mean patience 120 s");
        let pct = |m: &'static str| move |r: &_| figure(r, m) / 100.0;
        let share = |num: &'static str| move |r: &_| figure(r, num) / figure(r, "queue.offered");
        all_ok &= check(
            "P(abandon)",
            f.abandon_probability,
            &ci(&reps, share("queue.abandoned")),
        );
        all_ok &= check(
            "P(abandon) closed form",
            q.abandon_probability(),
            &ci(&reps, share("queue.abandoned")),
        );
        all_ok &= check(
            "P(wait)",
            q.wait_probability(),
            &ci(&reps, pct("queue.wait_probability")),
        );
        all_ok &= check(
            "ASA of answered (s)",
            f.asa_s,
            &ci(&reps, |r| figure(r, "queue.asa")),
        );
        all_ok &= check(
            "average wait, all arrivals (s)",
            q.average_wait_s(),
            &ci(&reps, |r| figure(r, "queue.average_wait")),
        );
        all_ok &= check(
            "time to abandon (s)",
            f.time_to_abandon_s,
            &ci(&reps, |r| figure(r, "queue.time_to_abandon")),
        );
        all_ok &= check_service_levels("20 s", "5 s", &f, &reps);
        all_ok &= check("occupancy", f.occupancy, &ci(&reps, pct("queue.occupancy")));
        if agents == 6 {
            // The variants differ by about nine points here: the denominator matters.
            let gap = f.sl_over_answered - f.sl_over_offered;
            assert!((0.08..0.10).contains(&gap), "gap {gap}");
        }
    }
    assert!(
        all_ok,
        "a figure fell outside its confidence interval (see above)"
    );
}

/// Checks the three service-level variants and the share of short abandons against Erlang A's
/// figures `f` (at threshold `t` and short-abandon limit `short`, as labels).
fn check_service_levels(
    t: &str,
    short: &str,
    f: &ErlangAFigures,
    reps: &[ccsim_sim::run::Replication],
) -> bool {
    let pct = |m: &'static str| move |r: &_| figure(r, m) / 100.0;
    let variants = [
        (
            "over answered",
            "queue.service_level.over_answered",
            f.sl_over_answered,
        ),
        (
            "over offered",
            "queue.service_level.over_offered",
            f.sl_over_offered,
        ),
        (
            "over offered less short abandons",
            "queue.service_level.over_offered_less_short_abandons",
            f.sl_over_offered_less_short,
        ),
    ];
    let mut all_ok = true;
    for (what, metric, expected) in variants {
        all_ok &= check(&format!("SL {t} {what}"), expected, &ci(reps, pct(metric)));
    }
    all_ok &= check(
        &format!("P(short abandon, < {short})"),
        f.short_abandon_probability,
        &ci(reps, |r| {
            figure(r, "queue.short_abandoned") / figure(r, "queue.offered")
        }),
    );
    all_ok
}

#[test]
fn the_service_level_threshold_and_short_abandon_limit_are_settings() {
    // M/M/6+M again, reported with T = 30 s and short abandons under 10 s: the figures follow
    // Erlang A at those thresholds, not at the defaults (20 s and 5 s).
    let agents = 6;
    let sc = mmc(RATE_H, HANDLE_S, Some(120.0), agents, HOURS, WARMUP_H);
    let settings = ["service_level=30s", "short_abandon=10s"];
    let reps = replicate_with(&sc, seed(77), REPLICATIONS, METRICS, &settings);
    let q = ErlangA {
        arrival_rate: RATE_H / 3600.0,
        handle_s: HANDLE_S,
        patience_s: 120.0,
        agents,
    };
    let (f, defaults) = (q.figures(30.0, 10.0), q.figures(20.0, 5.0));
    eprintln!("M/M/6+M, T = 30 s, short abandons under 10 s");
    assert!(
        check_service_levels("30 s", "10 s", &f, &reps),
        "a figure fell outside its confidence interval (see above)"
    );
    let over_answered = ci(&reps, |r| {
        figure(r, "queue.service_level.over_answered") / 100.0
    });
    let short = ci(&reps, |r| {
        figure(r, "queue.short_abandoned") / figure(r, "queue.offered")
    });
    // The defaults' figures are far outside these intervals: the settings took effect.
    let (mean, half, _) = over_answered;
    assert!((defaults.sl_over_answered - mean).abs() > 3.0 * half);
    let (mean, half, _) = short;
    assert!((defaults.short_abandon_probability - mean).abs() > 3.0 * half);
}
