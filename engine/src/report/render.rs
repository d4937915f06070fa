//! Writing a report as an aligned table (for people), JSON (for programs) or CSV (for
//! spreadsheets). All three carry the same figures; numbers are written the same way in each.

use serde_json::{json, Map, Value};

use super::{Report, SectionReport};
use crate::measure::def::Unit;

/// How to write a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned text table with notes.
    Table,
    /// One JSON object.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Every section of a report in `format`: a plain report as [`render`] writes it; a named
/// report's sections under their titles (table), as an array of objects with a `section`
/// key (JSON), or as one CSV with a leading `section` column.
pub fn render_sections(sections: &[SectionReport], format: OutputFormat) -> String {
    if let [only] = sections {
        if only.title.is_none() {
            return render(&only.report, format);
        }
    }
    match format {
        OutputFormat::Table => {
            let mut out = String::new();
            for (i, s) in sections.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&format!("## {}\n", s.title.as_deref().unwrap_or("")));
                out.push_str(&table(&s.report));
            }
            out
        }
        OutputFormat::Json => {
            let items: Vec<Value> = sections
                .iter()
                .map(|s| {
                    let mut v = to_json(&s.report);
                    if let Value::Object(map) = &mut v {
                        map.insert("section".into(), json!(s.title));
                    }
                    v
                })
                .collect();
            let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
            out.push('\n');
            out
        }
        OutputFormat::Csv => {
            let mut out = String::from("section,metric,unit,group,value\n");
            for s in sections {
                for row in &s.report.rows {
                    let group: Vec<String> = s
                        .report
                        .group_by
                        .iter()
                        .zip(&row.group)
                        .map(|(d, v)| format!("{}={v}", d.name()))
                        .collect();
                    let value = if row.value.is_some() {
                        number(row.value)
                    } else {
                        String::new()
                    };
                    out.push_str(&format!(
                        "{},{},{},{},{}\n",
                        csv_field(s.title.as_deref().unwrap_or("")),
                        csv_field(row.metric),
                        row.unit,
                        csv_field(&group.join(";")),
                        value
                    ));
                }
            }
            out
        }
    }
}

/// The report in `format`, ending with a newline.
pub fn render(report: &Report, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => table(report),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(report)).unwrap_or_default();
            s.push('\n');
            s
        }
        OutputFormat::Csv => csv(report),
    }
}

/// A figure as text: whole numbers without a fraction, others with up to three decimals.
/// An undefined figure is `-`.
pub fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), crate::time::decimal_text)
}

/// Seconds as `8h 00m 00s` (with a minus sign when negative).
pub(crate) fn hms(seconds: f64) -> String {
    let total = seconds.abs().round() as i64;
    let sign = if seconds < 0.0 { "-" } else { "" };
    format!(
        "{sign}{}h {:02}m {:02}s",
        total / 3600,
        (total / 60) % 60,
        total % 60
    )
}

fn json_number(v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
        Some(x) => json!((x * 1000.0).round() / 1000.0),
    }
}

/// Rows of cells as aligned text: columns two spaces apart, the columns in `right`
/// right-aligned (figures), the rest left-aligned; trailing spaces trimmed.
pub fn align(rows: &[Vec<String>], right: &[usize]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut text = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            if right.contains(&c) {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
            text.push_str("  ");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// A unit for a table: seconds also as hours, minutes and seconds when there is a figure.
pub fn unit_text(unit: Unit, value: Option<f64>) -> String {
    match (unit, value) {
        (Unit::Seconds, Some(v)) => format!("s ({})", hms(v)),
        (u, _) => u.to_string(),
    }
}

fn header_line(r: &Report) -> String {
    let window = match (&r.window.0, &r.window.1) {
        (None, None) => "all time".to_string(),
        (f, t) => format!(
            "{} .. {}",
            f.as_deref().unwrap_or("start"),
            t.as_deref().unwrap_or("end")
        ),
    };
    let view = match &r.as_of {
        Some(t) => format!("real-time as of {t}"),
        None => "historical (closed entities)".to_string(),
    };
    format!(
        "time zone {} | window {window} | {view} | {} events",
        r.time_zone, r.events
    )
}

fn table(r: &Report) -> String {
    let mut head: Vec<String> = vec!["metric".into()];
    head.extend(r.group_by.iter().map(|d| d.name().to_string()));
    head.push("value".into());
    head.push("unit".into());
    let mut cells: Vec<Vec<String>> = vec![head];
    for row in &r.rows {
        let mut line = vec![row.metric.to_string()];
        line.extend(row.group.iter().cloned());
        line.push(number(row.value));
        line.push(unit_text(row.unit, row.value));
        cells.push(line);
    }
    let figure = cells[0].len() - 2;
    let mut out = header_line(r);
    out.push('\n');
    out.push_str(&align(&cells, &[figure]));
    for note in &r.notes {
        out.push_str("note: ");
        out.push_str(note);
        out.push('\n');
    }
    out
}

fn to_json(r: &Report) -> Value {
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let mut group = Map::new();
            for (d, v) in r.group_by.iter().zip(&row.group) {
                group.insert(d.name().to_string(), Value::String(v.clone()));
            }
            json!({
                "metric": row.metric,
                "unit": row.unit.to_string(),
                "group": group,
                "value": json_number(row.value),
            })
        })
        .collect();
    json!({
        "time_zone": r.time_zone,
        "window": { "from": r.window.0, "to": r.window.1 },
        "as_of": r.as_of,
        "events": r.events,
        "group_by": r.group_by.iter().map(|d| d.name()).collect::<Vec<_>>(),
        "rows": rows,
        "notes": r.notes,
    })
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(r: &Report) -> String {
    let mut out = String::from("metric,unit");
    for d in &r.group_by {
        out.push(',');
        out.push_str(d.name());
    }
    out.push_str(",value\n");
    for row in &r.rows {
        out.push_str(&csv_field(row.metric));
        out.push(',');
        out.push_str(&row.unit.to_string());
        for g in &row.group {
            out.push(',');
            out.push_str(&csv_field(g));
        }
        out.push(',');
        if row.value.is_some() {
            out.push_str(&number(row.value));
        }
        out.push('\n');
    }
    out
}
