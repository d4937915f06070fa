//! Worked examples: a folder per example under `scenarios/examples/`, holding an event log
//! and an `example.toml` with the seed's statement and the expected figures. One runner
//! checks them all, for `ccsim examples` and for the test suite alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::measure::def::Dim;
use crate::replay::{replay_file, RunError};
use crate::report::{render_sections, OutputFormat, ReportRequest, SectionReport};
use crate::time::{compact_duration, parse_duration, DurationError};

/// An example's `example.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    /// The worked-example id (`G-STATUS-1`).
    pub id: String,
    /// The seed file it comes from.
    pub seed: String,
    /// The seed's section.
    pub section: String,
    /// What the log builds, in a sentence or two.
    pub summary: String,
    /// The log file, relative to the example folder (default `log.jsonl`).
    #[serde(default)]
    pub log: Option<String>,
    /// How to replay it.
    #[serde(default)]
    pub replay: ReplaySettings,
    /// The figures to check.
    pub check: Vec<Check>,
}

/// Report settings for an example, as `ccsim replay` flags would give them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaySettings {
    /// `--tz`.
    pub tz: Option<String>,
    /// `--from`.
    pub from: Option<String>,
    /// `--to`.
    pub to: Option<String>,
    /// `--as-of`.
    pub as_of: Option<String>,
    /// `--group-by`.
    #[serde(default)]
    pub group_by: Vec<String>,
    /// `--interval`.
    pub interval: Option<u32>,
    /// `--metrics`.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// `--definition KEY=VERSION`, as a table.
    #[serde(default)]
    pub definitions: BTreeMap<String, String>,
    /// `--available-from`.
    pub available_from: Option<String>,
    /// `--report`.
    pub report: Option<String>,
    /// `--setting KEY=VALUE`, as a table.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// One expected figure.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The worked-example id of this figure, when it differs from the file's (one log can
    /// carry several ids, as the Dynamics reference log does).
    #[serde(default)]
    pub id: Option<String>,
    /// The metric id.
    pub metric: String,
    /// What the seed states, quoted or paraphrased.
    pub states: String,
    /// The expected figure in the metric's unit, or a duration such as `"8h"` or `"1h30m"`.
    pub expected: Expected,
    /// How the figure must relate to `expected`: eq (default), gt, ge, lt, le.
    #[serde(default)]
    pub compare: Option<String>,
    /// The group to read, by dimension name (`{ agent = "a1" }`).
    #[serde(default, rename = "where")]
    pub group: BTreeMap<String, String>,
}

/// An expected figure as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Expected {
    /// A number in the metric's unit.
    Number(f64),
    /// A duration (`8h`, `50m`, `1h30m`, `90s`), compared in seconds.
    Text(String),
}

impl Expected {
    /// The figure, in seconds for durations.
    pub fn value(&self) -> Result<f64, DurationError> {
        match self {
            Expected::Number(x) => Ok(*x),
            Expected::Text(t) => parse_duration(t),
        }
    }

    fn text(&self) -> String {
        match self {
            Expected::Number(x) => crate::report::render::number(Some(*x)),
            Expected::Text(t) => t.clone(),
        }
    }
}

/// An example that could not be run (its files are wrong, not its figures).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ExampleError {
    /// The file at fault.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A check that cannot be evaluated (its `example.toml` is wrong, not the figure). The
/// example is refused as a whole and `ccsim examples` stops with the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The expected figure is text that is not a duration.
    #[error(transparent)]
    Expected(#[from] DurationError),
    /// `where` names a dimension that does not exist.
    #[error("check of {metric}: unknown dimension `{dimension}` in `where`")]
    UnknownDimension {
        /// The metric checked.
        metric: String,
        /// The dimension as written.
        dimension: String,
    },
    /// No section of a named report is grouped by exactly the `where` dimensions.
    #[error(
        "check of {metric}: no section of the report is grouped by exactly the `where` dimensions"
    )]
    NoSection {
        /// The metric checked.
        metric: String,
    },
    /// The report has no row for the metric and group.
    #[error("check of {metric}: the report has no row for this metric and group; is it in [replay] metrics and group_by?")]
    NoRow {
        /// The metric checked.
        metric: String,
    },
    /// `compare` is not one of eq, gt, ge, lt, le.
    #[error("check of {metric}: unknown compare `{compare}`; expected eq, gt, ge, lt or le")]
    UnknownCompare {
        /// The metric checked.
        metric: String,
        /// The comparison as written.
        compare: String,
    },
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOutcome {
    /// The example id.
    pub id: String,
    /// The seed file.
    pub seed: String,
    /// The metric id.
    pub metric: String,
    /// What the seed states.
    pub states: String,
    /// The expected figure as written, with the comparison (`> 3`).
    pub expected: String,
    /// The computed figure.
    pub actual: Option<f64>,
    /// The computed figure as text, in the form the expectation was written in.
    pub actual_text: String,
    /// Whether they agree.
    pub ok: bool,
}

/// An example, run.
#[derive(Clone, Debug)]
pub struct ExampleRun {
    /// Its definition.
    pub file: ExampleFile,
    /// The folder it lives in.
    pub dir: PathBuf,
    /// The full report of its log, section by section.
    pub sections: Vec<SectionReport>,
    /// Its checks.
    pub checks: Vec<CheckOutcome>,
}

impl ExampleRun {
    /// The text insta snapshots: the example's statement, the full report table, and which
    /// of its figures are worked against the source (the rest are pinned against drift only).
    pub fn snapshot_text(&self) -> String {
        let mut s = format!(
            "{} — {} § {}\n{}\n\n",
            self.file.id, self.file.seed, self.file.section, self.file.summary
        );
        s.push_str(&render_sections(&self.sections, OutputFormat::Table));
        s.push_str(&self.provenance());
        s
    }

    /// Which figures of the report `example.toml` checks against the source, and that every
    /// other figure has no independent value: the snapshot pins it against drift only.
    fn provenance(&self) -> String {
        let shown: usize = self
            .sections
            .iter()
            .map(|section| {
                let rows = &section.report.rows;
                rows.iter().filter(|row| row.value.is_some()).count()
            })
            .sum();
        let mut checked: Vec<String> = Vec::new();
        for check in &self.file.check {
            let figure = if check.group.is_empty() {
                check.metric.clone()
            } else {
                let group: Vec<String> = check
                    .group
                    .iter()
                    .map(|(dim, value)| format!("{dim}={value}"))
                    .collect();
                format!("{} ({})", check.metric, group.join(", "))
            };
            if !checked.contains(&figure) {
                checked.push(figure);
            }
        }
        let others = if checked.len() >= shown {
            "no other figure is shown"
        } else {
            "every other figure is pinned against drift only, with no independent value"
        };
        format!(
            "\nworked against the source (example.toml): {} of {} figures: {}\n{others}\n",
            checked.len(),
            shown,
            checked.join("; ")
        )
    }
}

/// The example folders under `root`, sorted by name.
pub fn example_dirs(root: &Path) -> Result<Vec<PathBuf>, ExampleError> {
    let err = |e: std::io::Error| ExampleError {
        path: root.display().to_string(),
        message: e.to_string(),
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root).map_err(err)? {
        let path = entry.map_err(err)?.path();
        if path.join("example.toml").is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Runs the example in `dir`.
pub fn run_example(dir: &Path) -> Result<ExampleRun, ExampleError> {
    let toml_path = dir.join("example.toml");
    let fail = |path: &Path, message: String| ExampleError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(&toml_path).map_err(|e| fail(&toml_path, e.to_string()))?;
    let file: ExampleFile = toml::from_str(&text).map_err(|e| fail(&toml_path, e.to_string()))?;
    let r = &file.replay;
    let mut request = ReportRequest {
        tz: r.tz.clone(),
        from: r.from.clone(),
        to: r.to.clone(),
        as_of: r.as_of.clone(),
        group_by: r.group_by.clone(),
        interval: r.interval,
        metrics: r.metrics.clone(),
        definitions: r
            .definitions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
        available_from: r.available_from.clone(),
        report: r.report.clone(),
        settings: r.settings.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    };
    // Without a metric list, the report covers every metric of the families the checks are
    // about (that family's full report), so one family's growth leaves others' snapshots be.
    if request.metrics.is_empty() && request.report.is_none() {
        let families: Vec<&str> = file
            .check
            .iter()
            .filter_map(|c| crate::catalog::find(&c.metric).map(|m| m.family))
            .collect();
        request.metrics = crate::catalog::all()
            .filter(|m| families.contains(&m.family))
            .filter(|m| {
                request
                    .group_by
                    .iter()
                    .all(|d| Dim::from_name(d).is_some_and(|d| m.supports(d)))
            })
            .map(|m| m.id.to_string())
            .collect();
    }
    let log_path = dir.join(file.log.as_deref().unwrap_or("log.jsonl"));
    let sections = replay_file(&log_path, None, &request).map_err(|e| match e {
        RunError::Request(e) => fail(&toml_path, format!("[replay] {e}")),
        RunError::Replay(e) => fail(&toml_path, format!("replaying its log: {e}")),
    })?;
    let mut checks = Vec::new();
    for check in &file.check {
        checks
            .push(evaluate(&file, check, &sections).map_err(|e| fail(&toml_path, e.to_string()))?);
    }
    Ok(ExampleRun {
        file,
        dir: dir.to_path_buf(),
        sections,
        checks,
    })
}

fn evaluate(
    file: &ExampleFile,
    check: &Check,
    sections: &[SectionReport],
) -> Result<CheckOutcome, CheckError> {
    let expected = check.expected.value()?;
    let mut filter = Vec::new();
    for (dim, value) in &check.group {
        let d = Dim::from_name(dim).ok_or_else(|| CheckError::UnknownDimension {
            metric: check.metric.clone(),
            dimension: dim.clone(),
        })?;
        filter.push((d, value.as_str()));
    }
    // The section grouped by exactly the dimensions the check names (a plain report has one).
    let report = match sections {
        [only] => &only.report,
        _ => {
            let mut want: Vec<Dim> = filter.iter().map(|(d, _)| *d).collect();
            want.sort();
            let found = sections.iter().find(|s| {
                let mut have = s.report.group_by.clone();
                have.sort();
                have == want
            });
            &found
                .ok_or_else(|| CheckError::NoSection {
                    metric: check.metric.clone(),
                })?
                .report
        }
    };
    let actual = report
        .value(&check.metric, &filter)
        .ok_or_else(|| CheckError::NoRow {
            metric: check.metric.clone(),
        })?;
    let op = check.compare.as_deref().unwrap_or("eq");
    let ok = match (op, actual) {
        (_, None) => false,
        ("eq", Some(a)) => (a - expected).abs() <= 1e-6 * expected.abs().max(1.0),
        ("gt", Some(a)) => a > expected,
        ("ge", Some(a)) => a >= expected,
        ("lt", Some(a)) => a < expected,
        ("le", Some(a)) => a <= expected,
        (other, _) => {
            return Err(CheckError::UnknownCompare {
                metric: check.metric.clone(),
                compare: other.to_string(),
            })
        }
    };
    let sign = match op {
        "gt" => "> ",
        "ge" => ">= ",
        "lt" => "< ",
        "le" => "<= ",
        _ => "",
    };
    Ok(CheckOutcome {
        id: check.id.clone().unwrap_or_else(|| file.id.clone()),
        seed: file.seed.clone(),
        metric: check.metric.clone(),
        states: check.states.clone(),
        expected: format!("{sign}{}", check.expected.text()),
        actual,
        actual_text: match (&check.expected, actual) {
            (Expected::Text(_), Some(seconds)) => compact_duration(seconds),
            _ => crate::report::render::number(actual),
        },
        ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(parse_duration("8h"), Ok(28_800.0));
        assert_eq!(parse_duration("1h 30m"), Ok(5_400.0));
        assert_eq!(parse_duration("2.5m"), Ok(150.0));
        assert!(parse_duration("8").is_err());
        assert!(parse_duration("eight hours").is_err());
    }
}
