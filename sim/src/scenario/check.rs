//! The checks every part of a scenario shares: probabilities, non-negative and positive
//! numbers, durations and their distributions, and name lookups whose message lists the names
//! the scenario defines. Each check that fails gives a [`Problem`]: the key at fault and what
//! is wrong, which [`super::Scenario::parse`] turns into a [`super::ScenarioError`].

use ccsim_engine::time::MINUTE_MS;

use crate::dist::{Dist, DistSpec};
use crate::locate::KeyPath;
use crate::spec::ScenarioSpec;

/// A problem found while checking a scenario: the key at fault and what is wrong.
#[derive(Clone, Debug)]
pub(super) struct Problem {
    /// The key at fault, such as `workstreams.phone.arrivals.rate_per_h`.
    pub(super) key: KeyPath,
    /// What is wrong and what is expected.
    pub(super) message: String,
}

impl Problem {
    /// A problem with `key`.
    pub(super) fn new(key: KeyPath, message: impl Into<String>) -> Problem {
        Problem {
            key,
            message: message.into(),
        }
    }
}

/// The names the scenario defines, by kind, each list in name order: a name's position is
/// the index of what it names in the built [`super::Scenario`].
pub(super) struct Names<'a> {
    /// `[queues.NAME]`.
    pub(super) queues: Vec<&'a String>,
    /// `[bots.NAME]`.
    pub(super) bots: Vec<&'a String>,
    /// `[workstreams.NAME]`.
    pub(super) workstreams: Vec<&'a String>,
    /// `[profiles.NAME]`.
    pub(super) profiles: Vec<&'a String>,
}

impl<'a> Names<'a> {
    /// The names `spec` defines.
    pub(super) fn of(spec: &'a ScenarioSpec) -> Names<'a> {
        Names {
            queues: spec.queues.keys().collect(),
            bots: spec.bots.keys().collect(),
            workstreams: spec.workstreams.keys().collect(),
            profiles: spec.profiles.keys().collect(),
        }
    }

    /// The index of queue `name`; if there is none, a problem at `key` listing the queues.
    pub(super) fn queue(&self, name: &str, key: KeyPath) -> Result<usize, Problem> {
        lookup("queue", &self.queues, name, key)
    }

    /// The index of bot `name`; if there is none, a problem at `key` listing the bots.
    pub(super) fn bot(&self, name: &str, key: KeyPath) -> Result<usize, Problem> {
        lookup("bot", &self.bots, name, key)
    }

    /// The index of workstream `name`; if there is none, a problem at `key` listing the
    /// workstreams.
    pub(super) fn workstream(&self, name: &str, key: KeyPath) -> Result<usize, Problem> {
        lookup("workstream", &self.workstreams, name, key)
    }
}

/// The index of `name` among `names`; if it is not there, a problem at `key` listing them.
fn lookup(kind: &str, names: &[&String], name: &str, key: KeyPath) -> Result<usize, Problem> {
    find(names, name).ok_or_else(|| Problem::new(key, unknown(kind, name, names)))
}

/// The index of `name` among `names`.
pub(super) fn find(names: &[&String], name: &str) -> Option<usize> {
    names.iter().position(|known| known.as_str() == name)
}

/// The message for a name of `kind` that the scenario does not define: the names it does.
pub(super) fn unknown(kind: &str, name: &str, names: &[&String]) -> String {
    let list: Vec<&str> = names.iter().map(|known| known.as_str()).collect();
    if list.is_empty() {
        format!("unknown {kind} `{name}`; the scenario defines no {kind}s")
    } else {
        format!(
            "unknown {kind} `{name}`; expected one of: {}",
            list.join(", ")
        )
    }
}

/// The distribution `spec` describes; a problem names the key under `key` at fault.
pub(super) fn dist(spec: &DistSpec, key: &KeyPath) -> Result<Dist, Problem> {
    spec.build()
        .map_err(|error| Problem::new(key.key(error.key), error.message))
}

/// The distribution `spec` describes, when it is given.
pub(super) fn optional_dist(
    spec: Option<&DistSpec>,
    key: &KeyPath,
) -> Result<Option<Dist>, Problem> {
    spec.map(|spec| dist(spec, key)).transpose()
}

/// `probability` when it is a number from 0 to 1.
pub(super) fn probability(probability: f64, key: KeyPath) -> Result<f64, Problem> {
    if probability.is_finite() && (0.0..=1.0).contains(&probability) {
        Ok(probability)
    } else {
        Err(Problem::new(
            key,
            format!("{probability} is not a probability; expected a number from 0 to 1"),
        ))
    }
}

/// `value` when it is a number ≥ 0; `what` says what it counts, for the message.
pub(super) fn non_negative(value: f64, key: KeyPath, what: &str) -> Result<f64, Problem> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Problem::new(
            key,
            format!("{value} is negative or not a number; expected {what} ≥ 0"),
        ))
    }
}

/// `value` when it is a number > 0; `unit` names its unit, for the message.
pub(super) fn positive(value: f64, key: KeyPath, unit: &str) -> Result<f64, Problem> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Problem::new(
            key,
            format!("{value} is out of range; expected {unit} > 0"),
        ))
    }
}

/// An optional number of minutes > 0, in milliseconds.
pub(super) fn positive_minutes(minutes: Option<f64>, key: KeyPath) -> Result<Option<i64>, Problem> {
    minutes
        .map(|minutes| positive(minutes, key, "minutes").map(|minutes| millis(minutes, MINUTE_MS)))
        .transpose()
}

/// `value` units of `unit_ms` milliseconds each, rounded to a whole millisecond.
pub(super) fn millis(value: f64, unit_ms: i64) -> i64 {
    (value * unit_ms as f64).round() as i64
}
