//! Reports: the figures of the selected metrics over the selected window, grouped by the
//! selected dimensions, built from facts as the fold emits them.

mod builder;
pub mod render;
mod request;
mod rows;
mod sections;

pub use builder::{Definitions, ReportBuilder, ReportSpec};
pub use render::{render, render_sections, OutputFormat};
pub use request::{ReportRequest, RequestError, Section};
pub(crate) use rows::BotUsageRows;
pub use rows::{render_rows, Rows};
pub use sections::{SectionBuilders, SectionReport};

use crate::measure::def::{Dim, Unit};

/// A finished report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The reporting time zone (IANA name).
    pub time_zone: String,
    /// The window start and end (RFC 3339), when one was given.
    pub window: (Option<String>, Option<String>),
    /// The real-time cut-off, when the report is real-time.
    pub as_of: Option<String>,
    /// The dimensions rows are grouped by, in order.
    pub group_by: Vec<Dim>,
    /// One row per metric and group.
    pub rows: Vec<Row>,
    /// Things a reader must know to trust the figures (definitions applied, open entities).
    pub notes: Vec<String>,
    /// Events folded.
    pub events: u64,
}

/// One figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The metric id.
    pub metric: &'static str,
    /// The metric's unit.
    pub unit: Unit,
    /// The group's value for each grouping dimension, in `Report::group_by` order.
    pub group: Vec<String>,
    /// The figure; `None` when it is undefined (an average of nothing).
    pub value: Option<f64>,
}

impl Report {
    /// The figure of `metric` in the group whose values match `filter` (dimension, value).
    pub fn value(&self, metric: &str, filter: &[(Dim, &str)]) -> Option<Option<f64>> {
        self.rows
            .iter()
            .find(|r| {
                r.metric == metric
                    && filter.iter().all(|(dim, want)| {
                        self.group_by
                            .iter()
                            .position(|d| d == dim)
                            .is_some_and(|i| r.group[i] == *want)
                    })
            })
            .map(|r| r.value)
    }
}
