//! `ccsim sweep`: one scenario run at every point of a grid of overridden values, each point
//! replicated, with common random numbers: replication `r` of every point runs with the same
//! seed (derived from the base seed and `r` only), and each process draws from its own stream,
//! so two points differ only by their knobs. Each figure is the mean over the replications with
//! its 95 % interval (as [`crate::summary`]), and its difference to the baseline point with the
//! paired interval: the mean of the per-replication differences and their Student-t interval,
//! much narrower than either point's own when the points share their random numbers.
//!
//! `grid` reads the values and builds the points; `render` writes the result as a table, CSV
//! or JSON. Every (point, replication) runs in parallel; the result does not depend on the
//! thread count.

pub mod grid;
pub mod render;

use std::collections::{HashMap, HashSet};

use ccsim_engine::measure::def::Unit;
use ccsim_engine::report::ReportRequest;
use rayon::prelude::*;

pub use grid::{Grid, GridError, Vary};

use crate::dist::replication_seed;
use crate::overrides::Override;
use crate::run::{check_replications, run_once, run_request, Progress, Replication, RunError};
use crate::scenario::{Scenario, ScenarioError};
use crate::summary::{mean_ci, summarize, SummaryRow};

/// A sweep ready to run: the grid and each point's scenario, loaded and checked.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The grid.
    pub grid: Grid,
    /// Each point's scenario, in grid order.
    pub scenarios: Vec<Scenario>,
    /// The point differences are taken against.
    pub baseline: usize,
    /// The overrides common to every point (`--set`), as given.
    pub set: Vec<String>,
}

impl Plan {
    /// Loads every point of `grid`: `load` gets the common overrides `set` followed by the
    /// point's own, and checks them as it checks the file. `baseline` is `--baseline`'s text.
    pub fn new(
        grid: Grid,
        set: &[Override],
        baseline: Option<&str>,
        load: impl Fn(&[Override]) -> Result<Scenario, ScenarioError>,
    ) -> Result<Plan, RunError> {
        let baseline = grid
            .baseline(baseline)
            .map_err(|e| RunError::Usage(e.to_string()))?;
        let scenarios = (0..grid.points.len())
            .map(|point| {
                let mut overrides = set.to_vec();
                overrides.extend(grid.overrides(point));
                load(&overrides)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Plan {
            grid,
            scenarios,
            baseline,
            set: set.iter().map(|o| o.to_string()).collect(),
        })
    }

    /// Simulated time over every point and replication, in milliseconds (for a progress bar).
    pub fn simulated_ms(&self, replications: usize) -> i64 {
        self.scenarios
            .iter()
            .map(|sc| sc.end.millis_since(sc.start))
            .sum::<i64>()
            * replications as i64
    }
}

/// One figure at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow {
    /// The point (index into [`Sweep::points`]).
    pub point: usize,
    /// The metric id.
    pub metric: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// The group's values, one per grouping dimension of the section.
    pub group: Vec<String>,
    /// The mean over the replications with a figure.
    pub mean: Option<f64>,
    /// Half the width of its 95 % interval (absent with fewer than two figures).
    pub half_width: Option<f64>,
    /// How many replications had a figure.
    pub n: usize,
    /// The mean of the per-replication differences to the baseline point (over the
    /// replications where both have a figure).
    pub diff_mean: Option<f64>,
    /// Half the width of the paired 95 % interval of that difference.
    pub diff_half_width: Option<f64>,
}

/// One section of the report at every point.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSection {
    /// The section's title (named reports).
    pub title: Option<String>,
    /// The grouping dimensions' names.
    pub group_by: Vec<String>,
    /// The figures: each metric and group at every point that has it, in the order they first
    /// appear, points in grid order.
    pub rows: Vec<SweepRow>,
}

/// A finished sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The varied keys, as written.
    pub keys: Vec<String>,
    /// Each point's values, one per key.
    pub points: Vec<Vec<String>>,
    /// The baseline point.
    pub baseline: usize,
    /// The overrides common to every point (`--set`).
    pub set: Vec<String>,
    /// Replications per point.
    pub replications: usize,
    /// Their seeds, the same at every point.
    pub seeds: Vec<u64>,
    /// Events simulated over every point and replication.
    pub events: u64,
    /// Contacts simulated over every point and replication.
    pub contacts: u64,
    /// The reporting zone and window of the baseline's first replication.
    pub header: String,
    /// The sections.
    pub sections: Vec<SweepSection>,
}

/// Runs `replications` replications of every point of `plan` (replication `r` of each with
/// the seed derived from `seed` and `r`), all in parallel, and combines them.
pub fn sweep(
    plan: &Plan,
    request: &ReportRequest,
    seed: u64,
    replications: usize,
    progress: Option<&Progress<'_>>,
) -> Result<Sweep, RunError> {
    check_replications(replications)?;
    for sc in &plan.scenarios {
        run_request(sc, request).to_sections(Some(sc.end))?;
    }
    let n_points = plan.scenarios.len();
    let runs: Vec<Replication> = (0..n_points * replications)
        .into_par_iter()
        .map(|run| {
            let (point, r) = (run / replications, run % replications);
            let seed = replication_seed(seed, r as u64);
            run_once(&plan.scenarios[point], seed, request, None, progress, false)
        })
        .collect::<Result<_, _>>()?;
    let by_point: Vec<&[Replication]> = runs.chunks(replications).collect();
    Ok(combine(plan, &by_point, seed))
}

/// A replication's figures by (section, metric, group).
type Figures<'a> = HashMap<(usize, &'static str, &'a [String]), Option<f64>>;

fn figures(rep: &Replication) -> Figures<'_> {
    let mut map = HashMap::new();
    for (si, section) in rep.sections.iter().enumerate() {
        for row in &section.report.rows {
            map.insert((si, row.metric, row.group.as_slice()), row.value);
        }
    }
    map
}

fn combine(plan: &Plan, by_point: &[&[Replication]], seed: u64) -> Sweep {
    let summaries: Vec<_> = by_point.iter().map(|reps| summarize(reps)).collect();
    let baseline_figures: Vec<Figures<'_>> = by_point[plan.baseline].iter().map(figures).collect();
    let point_figures: Vec<Vec<Figures<'_>>> = by_point
        .iter()
        .map(|reps| reps.iter().map(figures).collect())
        .collect();
    let base = &summaries[plan.baseline];
    let mut sections = Vec::new();
    for (si, section) in base.sections.iter().enumerate() {
        // Every (metric, group) of any point, in first-seen order, then each point's row.
        let mut order: Vec<(&'static str, &[String])> = Vec::new();
        let mut seen = HashSet::new();
        let index: Vec<HashMap<(&'static str, &[String]), &SummaryRow>> = summaries
            .iter()
            .map(|summary| {
                summary.sections.get(si).map_or_else(HashMap::new, |s| {
                    s.rows
                        .iter()
                        .map(|row| ((row.metric, row.group.as_slice()), row))
                        .collect()
                })
            })
            .collect();
        for summary in &summaries {
            for row in summary.sections.get(si).map_or(&[][..], |s| &s.rows) {
                if seen.insert((row.metric, row.group.as_slice())) {
                    order.push((row.metric, &row.group));
                }
            }
        }
        let mut rows = Vec::new();
        for (metric, group) in order {
            for (point, rows_here) in index.iter().enumerate() {
                let Some(row) = rows_here.get(&(metric, group)) else {
                    continue;
                };
                let key = (si, metric, group);
                let diffs: Vec<f64> = point_figures[point]
                    .iter()
                    .zip(&baseline_figures)
                    .filter_map(|(here, base)| {
                        Some(here.get(&key).copied()?? - base.get(&key).copied()??)
                    })
                    .collect();
                let (diff_mean, diff_half_width) = mean_ci(&diffs);
                rows.push(SweepRow {
                    point,
                    metric,
                    unit: row.unit,
                    group: row.group.clone(),
                    mean: row.mean,
                    half_width: row.half_width,
                    n: row.n,
                    diff_mean,
                    diff_half_width,
                });
            }
        }
        sections.push(SweepSection {
            title: section.title.clone(),
            group_by: section.group_by.clone(),
            rows,
        });
    }
    let all = by_point.iter().flat_map(|reps| reps.iter());
    Sweep {
        scenario: plan.scenarios[plan.baseline].name.clone(),
        keys: plan.grid.keys(),
        points: plan.grid.points.clone(),
        baseline: plan.baseline,
        set: plan.set.clone(),
        replications: by_point[plan.baseline].len(),
        seeds: (0..by_point[plan.baseline].len())
            .map(|r| replication_seed(seed, r as u64))
            .collect(),
        events: all.clone().map(|r| r.stats.events).sum(),
        contacts: all.map(|r| r.stats.contacts).sum(),
        header: base.header.clone(),
        sections,
    }
}
