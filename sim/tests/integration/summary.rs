//! `run --replications`: the mean and 95 % half-width it prints for each figure, checked
//! against the spread of the replications' own figures computed here.

use ccsim_sim::summary::summarize;

use crate::support::{figure, mmc, replicate};

/// The 97.5 % quantile of Student's t with 4 degrees of freedom, from the published tables
/// (2.7764); the normal quantile 1.96 would give intervals 29 % too narrow for 5 replications.
const T_975_DF4: f64 = 2.776_445;

#[test]
fn replication_intervals_are_student_t_over_the_replications_spread() {
    // 5 short replications of M/M/6+M, so the figures differ between replications.
    let sc = mmc(100.0, 180.0, Some(120.0), 6, 24.0, 1.0);
    let metrics = [
        "queue.offered",
        "queue.asa",
        "queue.service_level.over_offered",
    ];
    let reps = replicate(&sc, 17, 5, &metrics);
    let summary = summarize(&reps);
    assert_eq!(summary.replications, 5);
    for metric in metrics {
        let xs: Vec<f64> = reps.iter().map(|r| figure(r, metric)).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let variance = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let half_width = T_975_DF4 * (variance / n).sqrt();
        assert!(
            variance > 0.0,
            "{metric}: the replications should differ: {xs:?}"
        );
        let row = summary.sections[0]
            .rows
            .iter()
            .find(|row| row.metric == metric && row.group.is_empty())
            .unwrap_or_else(|| panic!("{metric} is summarised"));
        assert_eq!(row.n, 5, "{metric}");
        let printed_mean = row.mean.expect("a mean");
        let printed_half = row.half_width.expect("a half-width");
        assert!(
            (printed_mean - mean).abs() <= 1e-9 * mean.abs().max(1.0),
            "{metric}: mean {printed_mean} against {mean} computed from {xs:?}"
        );
        // The table's t is given to 3 decimals: allow that rounding, far below z's 29 %.
        assert!(
            (printed_half / half_width - 1.0).abs() < 2e-4,
            "{metric}: half-width {printed_half} against t·s/√n = {half_width} from {xs:?}"
        );
    }
}
