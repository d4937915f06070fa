//! Metric definitions: what a metric is (unit, aggregate, dimensions, view), the dated rule
//! versions that can change its figure, and named reports. Each family under `measure/`
//! declares its metrics with these types; `catalog` lists the families.

use std::fmt;

use super::Emit;
use crate::facts::Fact;
use crate::time::Instant;

/// The unit of a metric's figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds of time.
    Seconds,
    /// Minutes of time (Dynamics' historical average session handle time).
    Minutes,
    /// A count of things.
    Count,
    /// A percentage: a share of 0/1 contributions, times 100.
    Percent,
    /// A plain ratio of two quantities of the same unit.
    Ratio,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Seconds => "s",
            Unit::Minutes => "min",
            Unit::Count => "count",
            Unit::Percent => "%",
            Unit::Ratio => "ratio",
        })
    }
}

/// How contributions combine into a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// Add them up (durations, counts).
    Sum,
    /// Their mean.
    Mean,
    /// How many distinct entities contributed (each counted once per group).
    Distinct,
    /// The sum of numerator contributions over the sum of denominator contributions
    /// ([`Part`](super::Part)), times 100 for [`Unit::Percent`]; undefined when the
    /// denominator is zero.
    Ratio,
}

/// A dimension a report can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// Local calendar day of the reporting zone.
    Day,
    /// 15, 30 or 60-minute interval of the reporting zone.
    Interval,
    /// Local calendar month of the reporting zone.
    Month,
    /// The agent.
    Agent,
    /// The channel.
    Channel,
    /// The queue.
    Queue,
    /// The bot.
    Bot,
    /// The bot version.
    BotVersion,
}

impl Dim {
    /// Every dimension.
    pub const ALL: &'static [Dim] = &[
        Dim::Day,
        Dim::Interval,
        Dim::Month,
        Dim::Agent,
        Dim::Channel,
        Dim::Queue,
        Dim::Bot,
        Dim::BotVersion,
    ];

    /// Time, agent, channel and queue: how contact-, conversation- and session-level metrics
    /// group.
    pub const WORK: &'static [Dim] = &[
        Dim::Day,
        Dim::Interval,
        Dim::Month,
        Dim::Agent,
        Dim::Channel,
        Dim::Queue,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Day => "day",
            Dim::Interval => "interval",
            Dim::Month => "month",
            Dim::Agent => "agent",
            Dim::Channel => "channel",
            Dim::Queue => "queue",
            Dim::Bot => "bot",
            Dim::BotVersion => "bot_version",
        }
    }

    /// The dimension called `name`.
    pub fn from_name(name: &str) -> Option<Dim> {
        Dim::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// Whether the dimension cuts time rather than entities.
    pub fn is_time(self) -> bool {
        matches!(self, Dim::Day | Dim::Interval | Dim::Month)
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which view of the data a metric belongs to (the Dynamics seed gives separate historical
/// and real-time definitions of the same metric).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Meaningful in both views.
    Any,
    /// Defined for the historical view (closed entities in a window).
    Historical,
    /// Defined for the real-time view (`--as-of`).
    RealTime,
}

/// One metric.
#[derive(Debug)]
pub struct MetricDef {
    /// Stable id (`gladly.logged_in_time`).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// The family it belongs to (a vendor's report area).
    pub family: &'static str,
    /// Unit of the figure.
    pub unit: Unit,
    /// How contributions combine.
    pub aggregate: Aggregate,
    /// The seed file it comes from.
    pub seed: &'static str,
    /// The section of the seed.
    pub section: &'static str,
    /// What it measures, in our words.
    pub definition: &'static str,
    /// Readings we chose where the seed is unclear, and the alternatives.
    pub choices: &'static str,
    /// The rule whose versions change this metric, if any.
    pub rule: Option<&'static Rule>,
    /// Dimensions it can be grouped by (time dimensions are always allowed when listed).
    pub dims: &'static [Dim],
    /// What one fact contributes.
    pub measure: Measure,
    /// Whether entities still open at the end of the log count in a historical report (true
    /// for things that happen at an entity's start, like a bot session being consumed).
    pub counts_open: bool,
    /// The first instant the source reports data for; earlier contributions are left out and
    /// the report says how many (overridable with `--available-from`).
    pub available_from: Option<Instant>,
    /// The view it is defined for; reports pick by default the metrics of their view.
    pub view: View,
}

impl MetricDef {
    /// Whether the metric can be grouped by `dim`.
    pub fn supports(&self, dim: Dim) -> bool {
        self.dims.contains(&dim)
    }

    /// The definition versions, as `rule: v1 (until D), v2 (from D)`, or `-`.
    pub fn versions_text(&self) -> String {
        let Some(rule) = self.rule else {
            return "-".into();
        };
        let versions: Vec<String> = rule
            .versions
            .iter()
            .map(|v| match (v.from, v.until) {
                (None, Some(u)) => format!("{} (before {})", v.name, date(u)),
                (Some(f), None) => format!("{} (from {})", v.name, date(f)),
                (Some(f), Some(u)) => format!("{} ({}..{})", v.name, date(f), date(u)),
                (None, None) => v.name.to_string(),
            })
            .collect();
        format!("{}: {}", rule.key, versions.join(", "))
    }
}

fn date(t: Instant) -> String {
    t.to_utc().format("%Y-%m-%d").to_string()
}

/// A named report (`ccsim replay --report NAME`): a vendor's report page, its metrics shown
/// in several groupings (one section per widget), with the page's own default window.
#[derive(Debug)]
pub struct ReportDef {
    /// The name given to `--report`.
    pub name: &'static str,
    /// The vendor's name for the report.
    pub title: &'static str,
    /// The seed file and section it comes from.
    pub source: &'static str,
    /// Metric ids it shows.
    pub metrics: &'static [&'static str],
    /// Its sections: a title and the dimensions rows are grouped by.
    pub sections: &'static [(&'static str, &'static [Dim])],
    /// When no window is given: this many days up to the end date (`--to`, or the date of the
    /// last event).
    pub default_window_days: Option<i64>,
}

/// A metric's measure: what one fact contributes.
pub type Measure = fn(&Fact, &mut dyn Emit);

/// A definition that changed over time: its versions, each effective over a range of dates.
#[derive(Debug)]
pub struct Rule {
    /// The key users pass to `--definition KEY=VERSION`.
    pub key: &'static str,
    /// What the rule is about.
    pub title: &'static str,
    /// The versions, oldest first.
    pub versions: &'static [RuleVersion],
}

/// One version of a rule.
#[derive(Debug)]
pub struct RuleVersion {
    /// The name users pass to `--definition KEY=VERSION`.
    pub name: &'static str,
    /// First instant the version applies to (UTC midnight of its first day), if bounded.
    pub from: Option<Instant>,
    /// First instant it no longer applies to, if bounded.
    pub until: Option<Instant>,
    /// The version in one line.
    pub summary: &'static str,
}

impl Rule {
    /// The version in force for data dated `at`.
    pub fn version_at(&self, at: Instant) -> &'static RuleVersion {
        self.versions
            .iter()
            .find(|v| v.from.is_none_or(|f| at >= f) && v.until.is_none_or(|u| at < u))
            .unwrap_or(&self.versions[self.versions.len() - 1])
    }

    /// The version called `name`.
    pub fn version(&self, name: &str) -> Option<&'static RuleVersion> {
        self.versions.iter().find(|v| v.name == name)
    }
}
