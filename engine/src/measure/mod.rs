//! Measures: how a metric turns one fact row into contributions. A measure never sees
//! events, never does I/O, and never aggregates by itself: it names the keys and the span or
//! value a fact contributes, and the report builder does the rest (window, buckets, groups).

pub mod agent_status;
pub mod bot_usage;
pub mod contact_times;

use crate::event::Channel;
use crate::facts::Fact;
use crate::ids::Sym;
use crate::time::{Instant, Span};

/// The grouping keys a fact contributes under. A measure fills what it knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keys {
    /// The agent.
    pub agent: Option<Sym>,
    /// The channel.
    pub channel: Option<Channel>,
    /// The queue.
    pub queue: Option<Sym>,
    /// The bot.
    pub bot: Option<Sym>,
    /// The bot version.
    pub bot_version: Option<Sym>,
}

impl Keys {
    /// Keys for one agent.
    pub fn agent(agent: Sym) -> Self {
        Keys {
            agent: Some(agent),
            ..Keys::default()
        }
    }
}

/// Where a measure sends its contributions.
pub trait Emit {
    /// The version of `rule` that applies to data dated `at` (or the user's override).
    fn version(&mut self, rule: &'static Rule, at: Instant) -> &'static str;
    /// Time spent: the span's length, cut to the window and split across time buckets.
    fn span(&mut self, keys: Keys, span: Span);
    /// A value at an instant: 1 for a count, a duration in ms for an average of durations.
    fn point(&mut self, keys: Keys, at: Instant, value: i64);
    /// An entity seen at an instant, for metrics that count distinct entities.
    fn entity(&mut self, keys: Keys, at: Instant, id: Sym);
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

/// UTC midnight at the start of a civil date (for rule boundaries written as dates).
pub const fn utc_midnight(year: i64, month: i64, day: i64) -> Instant {
    // Days from 1970-01-01 to the date, by the civil-from-days inverse (proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Instant::from_millis(days * crate::time::DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_midnight_matches_chrono() {
        for (y, m, d, s) in [
            (2021, 3, 31, "2021-03-31T00:00:00Z"),
            (2021, 6, 10, "2021-06-10T00:00:00Z"),
            (1970, 1, 1, "1970-01-01T00:00:00Z"),
            (2024, 2, 29, "2024-02-29T00:00:00Z"),
        ] {
            assert_eq!(utc_midnight(y, m, d).to_rfc3339(), s);
        }
    }
}
