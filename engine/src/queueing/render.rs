//! Writing a [`CalculatorReport`] as an aligned table (for people), CSV (one row per agent
//! count, for spreadsheets) or JSON (for programs), in the formats of the other reports.
//!
//! All three print a share to four decimals and seconds to three, so a figure read from any
//! of them is the same figure.

use serde_json::{json, Map, Value};

use super::calculator::{CalculatorReport, Figure, FigureUnit, Model, Staffing};
use super::solve::scheduled_positions;
use crate::report::render::{align, csv_field};
use crate::report::OutputFormat;
use crate::time::compact_duration;

/// Decimals a share is written with.
const SHARE_DECIMALS: usize = 4;
/// Decimals seconds are written with.
const SECONDS_DECIMALS: usize = 3;
/// The most decimals a count (calls, Erlangs) is written with; trailing zeros are dropped.
const COUNT_DECIMALS: usize = 2;

/// The report in `format`, ending with a newline.
pub fn render_calculator(report: &CalculatorReport, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => table(report),
        OutputFormat::Csv => csv(report),
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(report)).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

/// A figure's value as text, to its unit's precision; `-` when undefined.
fn value_text(figure: &Figure) -> String {
    let decimals = match figure.unit {
        FigureUnit::Share => SHARE_DECIMALS,
        FigureUnit::Seconds => SECONDS_DECIMALS,
    };
    if figure.value.is_finite() {
        format!("{:.*}", decimals, figure.value)
    } else {
        "-".into()
    }
}

/// A count (calls, Erlangs, agents) with at most two decimals, trailing zeros dropped.
fn count_text(value: f64) -> String {
    let text = format!("{value:.COUNT_DECIMALS$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `value` rounded to `decimals`, as a JSON number (null when undefined).
fn rounded(value: f64, decimals: usize) -> Value {
    if !value.is_finite() {
        return Value::Null;
    }
    let scale = 10f64.powi(decimals as i32);
    json!((value * scale).round() / scale)
}

/// A figure's value as JSON, rounded as the table prints it.
fn figure_json_value(figure: &Figure) -> Value {
    match figure.unit {
        FigureUnit::Share => rounded(figure.value, SHARE_DECIMALS),
        FigureUnit::Seconds => rounded(figure.value, SECONDS_DECIMALS),
    }
}

/// What was asked, in words: the model and load, then the target and shrinkage.
fn heading(report: &CalculatorReport) -> Vec<String> {
    let c = &report.calculation;
    let model = match c.model {
        Model::B { .. } => "Erlang B (blocked calls lost)".to_string(),
        Model::C { .. } => "Erlang C (callers wait)".to_string(),
        Model::A { patience_s, .. } => format!(
            "Erlang A (callers abandon, mean patience {})",
            compact_duration(patience_s)
        ),
    };
    let load = format!(
        "{}: {} calls offered per {}, handle time {}: traffic {} Erlangs",
        model,
        count_text(c.load.calls),
        compact_duration(c.load.per_s),
        compact_duration(c.load.handle_s),
        count_text(report.traffic)
    );
    let mut goal = match c.model {
        Model::B { max_blocking } => {
            max_blocking.map(|most| format!("target: blocking at most {most}"))
        }
        Model::C {
            target,
            max_occupancy,
        }
        | Model::A {
            target,
            max_occupancy,
            ..
        } => {
            let mut text = format!(
                "target: {}% of calls offered answered within {}",
                count_text(target.share * 100.0),
                compact_duration(target.within_s)
            );
            if let Some(most) = max_occupancy {
                text.push_str(&format!(", occupancy at most {most}"));
            }
            Some(text)
        }
    }
    .unwrap_or_default();
    if c.shrinkage > 0.0 {
        if !goal.is_empty() {
            goal.push_str("; ");
        }
        goal.push_str(&format!("shrinkage {}", c.shrinkage));
    }
    [load, goal].into_iter().filter(|l| !l.is_empty()).collect()
}

fn table(report: &CalculatorReport) -> String {
    let mut out = heading(report).join("\n");
    out.push_str("\n\n");
    if let Some(needed) = report.needed {
        let positions = scheduled_positions(needed, report.calculation.shrinkage);
        out.push_str(&format!(
            "agents needed: {needed}, scheduled positions: {positions}\n\n"
        ));
    }
    let chosen = &report.chosen;
    out.push_str(&format!(
        "at {} agents ({} positions):\n",
        chosen.agents, chosen.positions
    ));
    let mut lines = vec![vec![
        "traffic intensity".to_string(),
        count_text(report.traffic),
        "Erlangs".into(),
    ]];
    for figure in &chosen.figures {
        // After the value: its unit, or for a ratio what it is a ratio of.
        let after = match (&figure.ratio, figure.unit) {
            (Some(r), _) => format!(
                "= {} {} / {} {}",
                count_text(r.numerator),
                r.numerator_is,
                count_text(r.denominator),
                r.denominator_is
            ),
            (None, FigureUnit::Seconds) => "s".into(),
            (None, FigureUnit::Share) => String::new(),
        };
        lines.push(vec![figure.name.to_string(), value_text(figure), after]);
    }
    out.push_str(&align(&lines, &[1]));
    out.push('\n');
    let mut head = vec!["agents".to_string(), "positions".into()];
    head.extend(chosen.figures.iter().map(|f| f.column.to_string()));
    let has_target = chosen.meets_target.is_some();
    if has_target {
        head.push("meets target".into());
    }
    let mut rows = vec![head];
    for staffing in &report.table {
        let mut row = vec![staffing.agents.to_string(), staffing.positions.to_string()];
        row.extend(staffing.figures.iter().map(value_text));
        if let Some(meets) = staffing.meets_target {
            row.push(if meets { "yes" } else { "no" }.into());
        }
        rows.push(row);
    }
    let figures_end = rows[0].len() - usize::from(has_target);
    let right: Vec<usize> = (0..figures_end).collect();
    out.push_str(&align(&rows, &right));
    out
}

/// The CSV columns of one figure: its value, then a ratio's numerator and denominator.
fn csv_header(figure: &Figure) -> Vec<String> {
    let mut columns = vec![figure.id.to_string()];
    if figure.ratio.is_some() {
        columns.push(format!("{}_numerator", figure.id));
        columns.push(format!("{}_denominator", figure.id));
    }
    columns
}

fn csv_cells(figure: &Figure) -> Vec<String> {
    let mut cells = vec![value_text(figure)];
    if let Some(r) = &figure.ratio {
        cells.push(count_text(r.numerator));
        cells.push(count_text(r.denominator));
    }
    cells
}

fn csv(report: &CalculatorReport) -> String {
    let mut head = vec![
        "model".to_string(),
        "traffic_erlangs".into(),
        "agents".into(),
        "positions".into(),
        "meets_target".into(),
    ];
    head.extend(report.chosen.figures.iter().flat_map(csv_header));
    let mut out = head.join(",");
    out.push('\n');
    for staffing in &report.table {
        let mut row = vec![
            report.calculation.model.name().to_string(),
            count_text(report.traffic),
            staffing.agents.to_string(),
            staffing.positions.to_string(),
            staffing
                .meets_target
                .map_or(String::new(), |m| m.to_string()),
        ];
        row.extend(staffing.figures.iter().flat_map(csv_cells));
        let row: Vec<String> = row.iter().map(|cell| csv_field(cell)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A staffing's figures as JSON; with `ratios`, each figure is an object carrying its
/// numerator and denominator, else a bare number.
fn staffing_json(staffing: &Staffing, ratios: bool) -> Value {
    let mut map = Map::new();
    map.insert("agents".into(), json!(staffing.agents));
    map.insert("positions".into(), json!(staffing.positions));
    map.insert("meets_target".into(), json!(staffing.meets_target));
    for figure in &staffing.figures {
        let value = figure_json_value(figure);
        let entry = match (&figure.ratio, ratios) {
            (Some(r), true) => json!({
                "value": value,
                "numerator": rounded(r.numerator, COUNT_DECIMALS),
                "numerator_is": r.numerator_is,
                "denominator": rounded(r.denominator, COUNT_DECIMALS),
                "denominator_is": r.denominator_is,
            }),
            _ => value,
        };
        map.insert(figure.id.into(), entry);
    }
    Value::Object(map)
}

fn to_json(report: &CalculatorReport) -> Value {
    let c = &report.calculation;
    let mut inputs = Map::new();
    inputs.insert("calls".into(), json!(c.load.calls));
    inputs.insert("per_s".into(), json!(c.load.per_s));
    inputs.insert("handle_s".into(), json!(c.load.handle_s));
    inputs.insert("agents".into(), json!(c.agents));
    inputs.insert("shrinkage".into(), json!(c.shrinkage));
    match c.model {
        Model::B { max_blocking } => {
            inputs.insert("target_blocking".into(), json!(max_blocking));
        }
        Model::C {
            target,
            max_occupancy,
        }
        | Model::A {
            target,
            max_occupancy,
            ..
        } => {
            inputs.insert(
                "target".into(),
                json!({ "share": target.share, "within_s": target.within_s }),
            );
            inputs.insert("max_occupancy".into(), json!(max_occupancy));
        }
    }
    if let Model::A { patience_s, .. } = c.model {
        inputs.insert("patience_s".into(), json!(patience_s));
    }
    let needed = report.needed.map(|agents| {
        json!({
            "agents": agents,
            "positions": scheduled_positions(agents, c.shrinkage),
        })
    });
    json!({
        "model": c.model.name(),
        "inputs": inputs,
        "traffic_erlangs": rounded(report.traffic, 3),
        "needed": needed,
        "figures": staffing_json(&report.chosen, true),
        "table": report
            .table
            .iter()
            .map(|s| staffing_json(s, false))
            .collect::<Vec<_>>(),
    })
}
