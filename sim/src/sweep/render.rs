//! A sweep written out: an aligned table for people, and CSV and JSON with one row per point,
//! metric and group in columns that do not change with the options, so DuckDB or pandas load
//! them as they are:
//!
//! ```text
//! KEY...,section,metric,unit,group,mean,half_width,n,diff_mean,diff_half_width
//! ```
//!
//! One column per varied key (named by the key, holding the point's value), `section` (a named
//! report's section title, else empty), `group` (`dim=value;...`, empty when ungrouped, as
//! `ccsim run --replications` writes it), the mean over the replications with the half-width of
//! its 95 % interval and the number of replications with a figure, then the difference to the
//! baseline point and the half-width of its paired 95 % interval (0 and 0 at the baseline).
//! An undefined figure is an empty cell (CSV) or `null` (JSON).

use ccsim_engine::report::render::{align, csv_field, number, unit_text};
use ccsim_engine::report::OutputFormat;
use serde_json::{json, Map, Value};

use super::{Sweep, SweepRow, SweepSection};

/// The sweep in `format`, ending with a newline.
pub fn render_sweep(s: &Sweep, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => table(s),
        OutputFormat::Json => to_json(s),
        OutputFormat::Csv => csv(s),
    }
}

/// The fixed columns after the varied keys.
pub const COLUMNS: [&str; 9] = [
    "section",
    "metric",
    "unit",
    "group",
    "mean",
    "half_width",
    "n",
    "diff_mean",
    "diff_half_width",
];

fn group_text(section: &SweepSection, row: &SweepRow) -> String {
    section
        .group_by
        .iter()
        .zip(&row.group)
        .map(|(d, v)| format!("{d}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn baseline_text(s: &Sweep) -> String {
    s.keys
        .iter()
        .zip(&s.points[s.baseline])
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(s: &Sweep) -> String {
    let mut out = format!(
        "{} | {} points × {} replications, common random numbers | baseline {} | {}\n",
        s.scenario,
        s.points.len(),
        s.replications,
        baseline_text(s),
        s.header
    );
    if !s.set.is_empty() {
        out.push_str(&format!(
            "scenario values overridden: {}\n",
            s.set.join(", ")
        ));
    }
    out.push_str(
        "mean ± 95 % half-width over the replications; Δ = difference to the baseline ± 95 % paired half-width\n",
    );
    for sec in &s.sections {
        out.push('\n');
        if let Some(t) = &sec.title {
            out.push_str(&format!("## {t}\n"));
        }
        let mut head: Vec<String> = s.keys.clone();
        head.push("metric".into());
        head.extend(sec.group_by.iter().cloned());
        head.extend(
            ["mean", "± 95 %", "Δ baseline", "± 95 %", "unit"]
                .iter()
                .map(|h| h.to_string()),
        );
        let mut cells = vec![head];
        let mut last: Option<(&str, &[String])> = None;
        for row in &sec.rows {
            // A blank line between metrics (and groups), for the eye.
            if last.is_some_and(|(m, g)| m != row.metric || g != row.group.as_slice()) {
                cells.push(Vec::new());
            }
            last = Some((row.metric, &row.group));
            let mut line = s.points[row.point].clone();
            line.push(row.metric.to_string());
            line.extend(row.group.iter().cloned());
            line.push(number(row.mean));
            line.push(
                row.half_width
                    .map_or_else(|| "-".into(), |h| number(Some(h))),
            );
            if row.point == s.baseline {
                line.push("baseline".into());
                line.push(String::new());
            } else {
                line.push(number(row.diff_mean));
                line.push(
                    row.diff_half_width
                        .map_or_else(|| "-".into(), |h| number(Some(h))),
                );
            }
            line.push(unit_text(row.unit, None));
            cells.push(line);
        }
        let cols = cells[0].len();
        out.push_str(&align(&cells, &[cols - 5, cols - 4, cols - 3, cols - 2]));
    }
    out
}

/// A point's value as JSON: a number or bool when it reads as one, else its text.
fn value_json(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return json!(i);
    }
    if let Ok(x) = text.parse::<f64>() {
        if x.is_finite() {
            return json!(x);
        }
    }
    match text {
        "true" => json!(true),
        "false" => json!(false),
        _ => json!(text),
    }
}

fn to_json(s: &Sweep) -> String {
    let mut rows = Vec::new();
    for sec in &s.sections {
        for row in &sec.rows {
            let mut map = Map::new();
            for (k, v) in s.keys.iter().zip(&s.points[row.point]) {
                map.insert(k.clone(), value_json(v));
            }
            map.insert("section".into(), json!(sec.title));
            map.insert("metric".into(), json!(row.metric));
            map.insert("unit".into(), json!(row.unit.to_string()));
            map.insert("group".into(), json!(group_text(sec, row)));
            map.insert("mean".into(), json!(row.mean));
            map.insert("half_width".into(), json!(row.half_width));
            map.insert("n".into(), json!(row.n));
            map.insert("diff_mean".into(), json!(row.diff_mean));
            map.insert("diff_half_width".into(), json!(row.diff_half_width));
            rows.push(Value::Object(map));
        }
    }
    let baseline: Map<String, Value> = s
        .keys
        .iter()
        .zip(&s.points[s.baseline])
        .map(|(k, v)| (k.clone(), value_json(v)))
        .collect();
    let v = json!({
        "scenario": s.scenario,
        "vary": s.keys,
        "points": s.points.len(),
        "baseline": baseline,
        "overrides": s.set,
        "replications": s.replications,
        "seeds": s.seeds,
        "events": s.events,
        "rows": rows,
    });
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_default();
    out.push('\n');
    out
}

fn csv(s: &Sweep) -> String {
    let mut head: Vec<String> = s.keys.iter().map(|k| csv_field(k)).collect();
    head.extend(COLUMNS.iter().map(|c| c.to_string()));
    let mut out = head.join(",");
    out.push('\n');
    let num = |v: Option<f64>| v.map_or_else(String::new, |x| number(Some(x)));
    for sec in &s.sections {
        for row in &sec.rows {
            let mut cells: Vec<String> = s.points[row.point].iter().map(|v| csv_field(v)).collect();
            cells.push(csv_field(sec.title.as_deref().unwrap_or("")));
            cells.push(csv_field(row.metric));
            cells.push(row.unit.to_string());
            cells.push(csv_field(&group_text(sec, row)));
            cells.push(num(row.mean));
            cells.push(num(row.half_width));
            cells.push(row.n.to_string());
            cells.push(num(row.diff_mean));
            cells.push(num(row.diff_half_width));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}
