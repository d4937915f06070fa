//! Several replications of one report, summarised: each figure's mean over the replications
//! and its 95 % confidence interval (Student's t with n − 1 degrees of freedom), written as a
//! table, JSON or CSV like a single report.

use std::collections::BTreeMap;

use ccsim_engine::measure::def::Unit;
use ccsim_engine::report::render::{align, csv_field, number, unit_text};
use ccsim_engine::report::OutputFormat;
use serde_json::{json, Value};

use crate::run::Replication;

/// One figure over the replications.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The metric id.
    pub metric: &'static str,
    /// Its unit.
    pub unit: Unit,
    /// The group's values, one per grouping dimension.
    pub group: Vec<String>,
    /// The mean over the replications that have a figure.
    pub mean: Option<f64>,
    /// Half the width of the 95 % confidence interval (absent with fewer than two figures).
    pub half_width: Option<f64>,
    /// How many replications had a figure.
    pub n: usize,
}

/// One section summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct SummarySection {
    /// The section's title (named reports).
    pub title: Option<String>,
    /// The grouping dimensions' names.
    pub group_by: Vec<String>,
    /// The figures, in the first replication's order.
    pub rows: Vec<SummaryRow>,
}

/// Every section of a replicated run summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// How many replications.
    pub replications: usize,
    /// Their seeds.
    pub seeds: Vec<u64>,
    /// Events folded, over all replications.
    pub events: u64,
    /// The sections.
    pub sections: Vec<SummarySection>,
    /// The reporting zone and window of the first replication.
    pub header: String,
    /// The scenario values overridden (`--set KEY=VALUE`), shown in the table's header and the
    /// JSON; empty unless the caller sets them.
    pub overrides: Vec<String>,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        // Beyond the table, 1.96 + 2.4/df stays within 0.003 of the exact value.
        _ => 1.959_964 + 2.4 / df as f64,
    }
}

/// Mean and 95 % half-width of `xs`.
pub fn mean_ci(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = xs.len();
    if n == 0 {
        return (None, None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (Some(mean), Some(t975(n - 1) * (var / n as f64).sqrt()))
}

/// Summarises the replications' reports figure by figure (matched by metric and group).
pub fn summarize(reps: &[Replication]) -> Summary {
    let mut sections = Vec::new();
    let Some(first) = reps.first() else {
        return Summary {
            replications: 0,
            seeds: Vec::new(),
            events: 0,
            sections,
            header: String::new(),
            overrides: Vec::new(),
        };
    };
    for (si, s) in first.sections.iter().enumerate() {
        // Every (metric, group) of any replication, in first-seen order.
        let mut order: Vec<(&'static str, Unit, Vec<String>)> = Vec::new();
        let mut values: BTreeMap<(&'static str, Vec<String>), Vec<f64>> = BTreeMap::new();
        for r in reps {
            let Some(sec) = r.sections.get(si) else {
                continue;
            };
            for row in &sec.report.rows {
                let key = (row.metric, row.group.clone());
                let entry = values.entry(key).or_insert_with(|| {
                    order.push((row.metric, row.unit, row.group.clone()));
                    Vec::new()
                });
                if let Some(v) = row.value {
                    entry.push(v);
                }
            }
        }
        let rows = order
            .into_iter()
            .map(|(metric, unit, group)| {
                let xs = values
                    .get(&(metric, group.clone()))
                    .cloned()
                    .unwrap_or_default();
                let (mean, half_width) = mean_ci(&xs);
                SummaryRow {
                    metric,
                    unit,
                    group,
                    mean,
                    half_width,
                    n: xs.len(),
                }
            })
            .collect();
        sections.push(SummarySection {
            title: s.title.clone(),
            group_by: s
                .report
                .group_by
                .iter()
                .map(|d| d.name().to_string())
                .collect(),
            rows,
        });
    }
    let r = &first.sections.first().map(|s| &s.report);
    let header = r.map_or_else(String::new, |r| {
        let window = match (&r.window.0, &r.window.1) {
            (None, None) => "all time".to_string(),
            (f, t) => format!(
                "{} .. {}",
                f.as_deref().unwrap_or("start"),
                t.as_deref().unwrap_or("end")
            ),
        };
        format!("time zone {} | window {window}", r.time_zone)
    });
    Summary {
        replications: reps.len(),
        seeds: reps.iter().map(|r| r.seed).collect(),
        events: reps
            .iter()
            .map(|r| r.sections.first().map_or(0, |s| s.report.events))
            .sum(),
        sections,
        header,
        overrides: Vec::new(),
    }
}

fn ci_text(row: &SummaryRow) -> String {
    row.half_width
        .map_or_else(|| "-".into(), |h| number(Some(h)))
}

/// The summary in `format`, ending with a newline.
pub fn render_summary(s: &Summary, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => summary_table(s),
        OutputFormat::Json => summary_json(s),
        OutputFormat::Csv => summary_csv(s),
    }
}

/// The summary as aligned text, a table per section.
fn summary_table(s: &Summary) -> String {
    let mut out = format!(
        "{} | {} replications | {} events | mean ± 95 % confidence half-width\n",
        s.header, s.replications, s.events
    );
    if !s.overrides.is_empty() {
        out.push_str(&format!(
            "scenario values overridden: {}\n",
            s.overrides.join(", ")
        ));
    }
    for (i, sec) in s.sections.iter().enumerate() {
        if let Some(t) = &sec.title {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!("## {t}\n"));
        }
        let mut head: Vec<String> = vec!["metric".into()];
        head.extend(sec.group_by.iter().cloned());
        head.extend(["mean".into(), "± 95 %".into(), "unit".into()]);
        let mut cells = vec![head];
        for row in &sec.rows {
            let mut line = vec![row.metric.to_string()];
            line.extend(row.group.iter().cloned());
            line.push(number(row.mean));
            line.push(ci_text(row));
            line.push(unit_text(row.unit, row.mean));
            cells.push(line);
        }
        // The mean and its half-width are figures: right-aligned.
        let cols = cells[0].len();
        out.push_str(&align(&cells, &[cols - 3, cols - 2]));
    }
    out
}

/// The summary as one JSON document: seeds, events, and the rows of each section.
fn summary_json(s: &Summary) -> String {
    let sections: Vec<Value> = s
        .sections
        .iter()
        .map(|sec| {
            let rows: Vec<Value> = sec
                .rows
                .iter()
                .map(|r| {
                    let group: serde_json::Map<String, Value> = sec
                        .group_by
                        .iter()
                        .zip(&r.group)
                        .map(|(d, v)| (d.clone(), json!(v)))
                        .collect();
                    json!({
                        "metric": r.metric,
                        "unit": r.unit.to_string(),
                        "group": group,
                        "mean": r.mean,
                        "ci95_half_width": r.half_width,
                        "replications": r.n,
                    })
                })
                .collect();
            json!({ "section": sec.title, "group_by": sec.group_by, "rows": rows })
        })
        .collect();
    let v = json!({
        "replications": s.replications,
        "seeds": s.seeds,
        "events": s.events,
        "overrides": s.overrides,
        "sections": sections,
    });
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_default();
    out.push('\n');
    out
}

/// The summary as CSV, one row per figure, the group in one `dim=value;...` column.
fn summary_csv(s: &Summary) -> String {
    let mut out = String::from("section,metric,unit,group,mean,ci95_half_width,replications\n");
    for sec in &s.sections {
        for r in &sec.rows {
            let group: Vec<String> = sec
                .group_by
                .iter()
                .zip(&r.group)
                .map(|(d, v)| format!("{d}={v}"))
                .collect();
            let num = |v: Option<f64>| v.map_or_else(String::new, |x| number(Some(x)));
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                csv_field(sec.title.as_deref().unwrap_or("")),
                csv_field(r.metric),
                r.unit,
                csv_field(&group.join(";")),
                num(r.mean),
                num(r.half_width),
                r.n
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_intervals_use_student_t() {
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0]);
        assert_eq!(m, Some(2.0));
        // s = 1, n = 3: 4.303 / sqrt(3).
        assert!((h.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        assert!((t975(60) - 2.000).abs() < 0.003);
        assert!((t975(120) - 1.980).abs() < 0.003);
    }
}
