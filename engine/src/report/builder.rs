//! The report builder: a fact sink that runs each selected metric's measure over every fact,
//! cuts contributions to the window and into time buckets, and sums them per group.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Report, Row};
use crate::calendar::{Calendar, Grain};
use crate::event::Channel;
use crate::facts::{Fact, FactSink};
use crate::ids::{Interner, Sym};
use crate::measure::def::{Aggregate, Dim, MetricDef, Rule, Unit};
use crate::measure::{Amount, Emit, Keys, Part, Settings};
use crate::time::{Instant, Span};

/// Rule versions the user fixed with `--definition KEY=VERSION`; other rules follow the date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Definitions {
    fixed: BTreeMap<&'static str, &'static str>,
}

impl Definitions {
    /// Fixes `rule` to its version `version`; the error lists what would be valid.
    pub(crate) fn fix(&mut self, rule: &str, version: &str) -> Result<(), DefinitionError> {
        let Some(r) = crate::catalog::rule(rule) else {
            let keys: Vec<&str> = crate::catalog::rules().iter().map(|r| r.key).collect();
            return Err(DefinitionError::UnknownRule {
                rule: rule.to_string(),
                known: keys.join(", "),
            });
        };
        let Some(v) = r.version(version) else {
            let names: Vec<&str> = r.versions.iter().map(|v| v.name).collect();
            return Err(DefinitionError::UnknownVersion {
                rule: rule.to_string(),
                version: version.to_string(),
                known: names.join(", "),
            });
        };
        self.fixed.insert(r.key, v.name);
        Ok(())
    }

    /// The fixed version of `rule`, if any.
    pub fn fixed(&self, rule: &str) -> Option<&'static str> {
        self.fixed.get(rule).copied()
    }
}

/// A `--definition KEY=VERSION` that names no rule or version. The request is refused, so no
/// report applies a definition other than the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// No rule has this key.
    #[error("unknown definition `{rule}`; expected one of: {known}")]
    UnknownRule {
        /// The key as given.
        rule: String,
        /// Every rule key, comma-separated.
        known: String,
    },
    /// The rule has no version of this name.
    #[error("definition `{rule}` has no version `{version}`; expected one of: {known}")]
    UnknownVersion {
        /// The rule's key.
        rule: String,
        /// The version as given.
        version: String,
        /// The rule's versions, comma-separated.
        known: String,
    },
}

/// What a report covers: metrics, zone, window, grouping.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    /// Metrics, in report order.
    pub metrics: Vec<&'static MetricDef>,
    /// Reporting zone.
    pub zone: chrono_tz::Tz,
    /// Window start (inclusive).
    pub from: Option<Instant>,
    /// Window end (exclusive).
    pub to: Option<Instant>,
    /// Real-time cut-off: open entities count up to it.
    pub as_of: Option<Instant>,
    /// Grouping dimensions, in column order.
    pub group_by: Vec<Dim>,
    /// Interval length in minutes for `Dim::Interval` (15, 30 or 60).
    pub interval_minutes: u32,
    /// Fixed rule versions.
    pub definitions: Definitions,
    /// Overrides the data-available-from date of every metric that has one.
    pub available_from: Option<Instant>,
    /// Platform settings (same-agent limits, reopen window, SLA thresholds).
    pub settings: Settings,
}

/// A group: the value of each grouping dimension a contribution falls under.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct GroupKey {
    bucket: Option<Instant>,
    keys: Keys,
}

/// What a report keeps about one entity so that a later fact of it can be recognised or
/// replaced; all of it is dropped at once when the fold says the entity is settled.
#[derive(Default)]
struct Kept {
    /// The (metric, group) pairs it has been counted in, for distinct counts.
    seen: Vec<(usize, GroupKey)>,
    /// Its standing contribution to each `latest` metric: (metric, group, value).
    standing: Vec<(usize, GroupKey, i64)>,
}

/// How much one version of a rule was used.
#[derive(Clone, Copy, Debug)]
struct RuleUse {
    /// The rule's key.
    rule: &'static str,
    /// The version's name.
    version: &'static str,
    /// The number of the last fact that used it, so a fact read by several metrics counts once.
    last_fact: u64,
    /// Facts that used it.
    facts: u64,
}

/// Running totals of one metric in one group.
#[derive(Clone, Copy, Debug, Default)]
struct Acc {
    sum: i64,
    n: i64,
    /// The denominator of a ratio metric.
    den: i64,
}

/// Builds a report from facts. Feed it to the fold, then call [`ReportBuilder::finish`].
pub struct ReportBuilder {
    spec: ReportSpec,
    calendar: Option<Calendar>,
    window: Span,
    metric: usize,
    /// Running totals, one per (metric, group) seen; `index` finds them.
    accs: Vec<Acc>,
    index: FxHashMap<(usize, GroupKey), u32>,
    /// Per metric: the group it last added to and its totals' place, so runs of
    /// contributions to one group skip the hash lookup.
    last: Vec<Option<(GroupKey, u32)>>,
    /// Every rule version used, and by how many facts.
    rule_use: Vec<RuleUse>,
    facts: u64,
    /// Per metric: the instant its data becomes available, if it has one.
    cutoffs: Vec<Option<Instant>>,
    /// What is kept about each entity until it is settled (see [`Kept`]).
    kept: FxHashMap<Sym, Kept>,
    /// Per metric: contributions left out because they precede the data-available-from date
    /// (distinct entities for distinct counts).
    unavailable: Vec<u64>,
    unavailable_seen: FxHashSet<(usize, Sym)>,
    /// Time covered per (metric, group, part, owner), as sorted disjoint spans; added to the
    /// totals when the report is finished.
    covered: FxHashMap<(usize, GroupKey, Part, Sym), Vec<Span>>,
}

impl ReportBuilder {
    /// A builder for `spec`.
    pub fn new(spec: ReportSpec) -> Self {
        let grain = spec.group_by.iter().find_map(|d| match d {
            Dim::Day => Some(Grain::Day),
            Dim::Month => Some(Grain::Month),
            Dim::Interval => Some(Grain::Minutes(spec.interval_minutes)),
            _ => None,
        });
        let window = Span::new(
            spec.from.unwrap_or(Instant::from_millis(i64::MIN / 4)),
            spec.to.unwrap_or(Instant::from_millis(i64::MAX / 4)),
        );
        let cutoffs = spec_cutoffs(&spec);
        let metrics = spec.metrics.len();
        ReportBuilder {
            calendar: grain.map(|g| Calendar::new(spec.zone, g)),
            spec,
            window,
            metric: 0,
            accs: Vec::new(),
            index: FxHashMap::default(),
            last: vec![None; metrics],
            rule_use: Vec::new(),
            facts: 0,
            cutoffs,
            kept: FxHashMap::default(),
            unavailable: vec![0; metrics],
            unavailable_seen: FxHashSet::default(),
            covered: FxHashMap::default(),
        }
    }

    /// Keeps only the grouping keys the report groups by.
    fn group(&self, keys: Keys) -> Keys {
        let g = &self.spec.group_by;
        Keys {
            agent: keys.agent.filter(|_| g.contains(&Dim::Agent)),
            channel: keys.channel.filter(|_| g.contains(&Dim::Channel)),
            queue: keys.queue.filter(|_| g.contains(&Dim::Queue)),
            bot: keys.bot.filter(|_| g.contains(&Dim::Bot)),
            bot_version: keys.bot_version.filter(|_| g.contains(&Dim::BotVersion)),
        }
    }

    /// The running totals of `group` in `metric`, created empty on first use.
    fn acc(&mut self, metric: usize, group: GroupKey) -> &mut Acc {
        let at = match self.last[metric] {
            Some((g, at)) if g == group => at,
            _ => {
                let next = self.accs.len() as u32;
                let at = *self.index.entry((metric, group)).or_insert(next);
                if at == next {
                    self.accs.push(Acc::default());
                }
                self.last[metric] = Some((group, at));
                at
            }
        };
        &mut self.accs[at as usize]
    }

    fn add(&mut self, bucket: Option<Instant>, keys: Keys, value: i64) {
        let acc = self.acc(self.metric, GroupKey { bucket, keys });
        acc.sum += value;
        acc.n += 1;
    }

    /// Adds to the numerator (as [`ReportBuilder::add`] does) or the denominator of a group.
    fn add_part(&mut self, bucket: Option<Instant>, keys: Keys, value: i64, part: Part) {
        match part {
            Part::Numerator => self.add(bucket, keys, value),
            Part::Denominator => {
                let group = GroupKey { bucket, keys };
                self.acc(self.metric, group).den += value;
            }
        }
    }

    /// Cuts `span` to the window (and the current metric's data-available date) and at bucket
    /// boundaries, and hands each piece to `each` with its bucket.
    fn pieces(&mut self, span: Span, mut each: impl FnMut(&mut Self, Option<Instant>, Span)) {
        let mut window = self.window;
        if let Some(cutoff) = self.cutoffs[self.metric] {
            if span.start < cutoff {
                self.unavailable_at(span.start, None);
            }
            window.start = window.start.max(cutoff);
        }
        let Some(piece) = span.intersect(window) else {
            return;
        };
        match self.calendar.take() {
            None => each(self, None, piece),
            Some(mut cal) => {
                cal.split(piece, |bucket, part| each(self, Some(bucket), part));
                // Put it back with the bucket it remembers.
                self.calendar = Some(cal);
            }
        }
    }

    /// Adds every covered time to its group's totals: per owner, the union's length.
    fn settle_covered(&mut self) {
        let covered = std::mem::take(&mut self.covered);
        for ((metric, group, part, _), spans) in covered {
            let total: i64 = spans.iter().map(|s| s.millis()).sum();
            let acc = self.acc(metric, group);
            match part {
                Part::Numerator => {
                    acc.sum += total;
                    acc.n += 1;
                }
                Part::Denominator => acc.den += total,
            }
        }
    }

    /// Takes back a contribution made earlier to the current metric.
    fn withdraw(&mut self, group: GroupKey, value: i64) {
        if let Some(&at) = self.index.get(&(self.metric, group)) {
            let acc = &mut self.accs[at as usize];
            acc.sum -= value;
            acc.n -= 1;
        }
    }

    /// Whether a contribution at `at` precedes the current metric's data; tallies it if so.
    fn unavailable_at(&mut self, at: Instant, id: Option<Sym>) -> bool {
        let Some(cutoff) = self.cutoffs[self.metric] else {
            return false;
        };
        if at >= cutoff {
            return false;
        }
        let new = id.is_none_or(|id| self.unavailable_seen.insert((self.metric, id)));
        if new {
            self.unavailable[self.metric] += 1;
        }
        true
    }

    /// The finished report; `names` resolves the symbols in the facts. `notes` come first,
    /// then what was left out as unavailable, changed settings and the definitions applied.
    pub fn finish(mut self, names: &Interner, events: u64, mut notes: Vec<String>) -> Report {
        self.settle_covered();
        let rows = self.rows(names);
        notes.extend(self.availability_notes());
        let changed = self.spec.settings.changed();
        if !changed.is_empty() {
            notes.push(format!("settings: {}", changed.join(", ")));
        }
        notes.extend(self.definition_notes());
        let spec = &self.spec;
        Report {
            time_zone: spec.zone.name().to_string(),
            window: (
                spec.from.map(|t| t.to_rfc3339()),
                spec.to.map(|t| t.to_rfc3339()),
            ),
            as_of: spec.as_of.map(|t| t.to_rfc3339()),
            group_by: spec.group_by.clone(),
            rows,
            notes,
            events,
        }
    }

    /// One row per metric and group, in metric order then group order; a report without
    /// grouping shows every metric, even one nothing contributed to.
    fn rows(&self, names: &Interner) -> Vec<Row> {
        let spec = &self.spec;
        let mut rows = Vec::new();
        // Groups whose every contribution was withdrawn have no row.
        let mut sorted: Vec<(&(usize, GroupKey), &Acc)> = self
            .index
            .iter()
            .map(|(key, &at)| (key, &self.accs[at as usize]))
            .filter(|(_, acc)| acc.n > 0 || acc.den != 0)
            .collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (i, def) in spec.metrics.iter().enumerate() {
            let mut any = false;
            let first = sorted.partition_point(|((m, _), _)| *m < i);
            let mine = sorted[first..].iter().take_while(|((m, _), _)| *m == i);
            for ((_, key), acc) in mine {
                any = true;
                rows.push(Row {
                    metric: def.id,
                    unit: def.unit,
                    group: spec
                        .group_by
                        .iter()
                        .map(|d| self.label(*d, key, names))
                        .collect(),
                    value: figure(def, acc.sum, acc.n, acc.den),
                });
            }
            if !any && spec.group_by.is_empty() {
                rows.push(Row {
                    metric: def.id,
                    unit: def.unit,
                    group: Vec::new(),
                    value: figure(def, 0, 0, 0),
                });
            }
        }
        rows
    }

    /// Per metric with contributions dated before its data-available-from date: how many
    /// were left out.
    fn availability_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (i, def) in self.spec.metrics.iter().enumerate() {
            if let (n @ 1.., Some(cutoff)) = (self.unavailable[i], self.cutoffs[i]) {
                let what = match (def.aggregate == Aggregate::Distinct, n == 1) {
                    (true, true) => "entity",
                    (true, false) => "entities",
                    (false, true) => "contribution",
                    (false, false) => "contributions",
                };
                notes.push(format!(
                    "{}: left out {n} {what} dated before {}, the date this report's data is available from (--available-from changes it)",
                    def.id,
                    cutoff.to_rfc3339()
                ));
            }
        }
        notes
    }

    /// Per rule version used, in rule and version order: how it was chosen and how many facts
    /// it applied to.
    fn definition_notes(&self) -> Vec<String> {
        let mut used = self.rule_use.clone();
        used.sort_unstable_by_key(|u| (u.rule, u.version));
        let mut notes = Vec::new();
        for RuleUse {
            rule,
            version,
            facts: n,
            ..
        } in &used
        {
            let summary = crate::catalog::rule(rule)
                .and_then(|r| r.version(version))
                .map_or("", |v| v.summary);
            let undated = crate::catalog::rule(rule).is_some_and(|r| {
                r.versions
                    .iter()
                    .all(|v| v.from.is_none() && v.until.is_none())
            });
            let how = if self.spec.definitions.fixed(rule).is_some() {
                "fixed by --definition"
            } else if undated {
                "the default reading"
            } else {
                "by the data's date"
            };
            notes.push(format!(
                "definition {rule}={version} ({how}) applied to {n} fact(s): {summary}"
            ));
        }
        notes
    }

    fn label(&self, dim: Dim, key: &GroupKey, names: &Interner) -> String {
        let sym = |s: Option<Sym>| s.map_or_else(|| "-".to_string(), |s| names.name(s).to_string());
        match dim {
            Dim::Day | Dim::Month | Dim::Interval => match (self.calendar, key.bucket) {
                (Some(c), Some(b)) => c.label(b),
                _ => "-".into(),
            },
            Dim::Agent => sym(key.keys.agent),
            Dim::Queue => sym(key.keys.queue),
            Dim::Bot => sym(key.keys.bot),
            Dim::BotVersion => sym(key.keys.bot_version),
            Dim::Channel => key
                .keys
                .channel
                .map_or_else(|| "-".to_string(), |c: Channel| c.name().to_string()),
        }
    }
}

/// The figure of a metric from its running totals, in the metric's unit.
fn figure(def: &MetricDef, sum: i64, n: i64, den: i64) -> Option<f64> {
    let scale = match def.unit {
        Unit::Seconds => 1000.0,
        Unit::Minutes => 60_000.0,
        Unit::Count => 1.0,
        // Contributions are 0 or 1; their mean is a share, shown as a percentage.
        Unit::Percent => 0.01,
        Unit::Ratio => 1.0,
    };
    match def.aggregate {
        Aggregate::Sum => Some(sum as f64 / scale),
        Aggregate::Mean => (n > 0).then(|| sum as f64 / n as f64 / scale),
        Aggregate::Distinct => Some(sum as f64),
        Aggregate::Ratio => {
            let times = if def.unit == Unit::Percent {
                100.0
            } else {
                1.0
            };
            (den != 0).then(|| sum as f64 / den as f64 * times)
        }
    }
}

/// Adds `span` to sorted disjoint `spans`, merging what it overlaps or touches.
fn cover(spans: &mut Vec<Span>, span: Span) {
    // Facts mostly arrive in time order: a span after all the others, or one that starts within
    // the last, needs no search (every earlier span ends before the last one starts).
    match spans.last_mut() {
        None => return spans.push(span),
        Some(last) if last.end < span.start => return spans.push(span),
        Some(last) if last.start <= span.start => {
            last.end = last.end.max(span.end);
            return;
        }
        Some(_) => {}
    }
    let first = spans.partition_point(|s| s.end < span.start);
    let mut merged = span;
    let mut last = first;
    while last < spans.len() && spans[last].start <= merged.end {
        merged.start = merged.start.min(spans[last].start);
        merged.end = merged.end.max(spans[last].end);
        last += 1;
    }
    spans.splice(first..last, [merged]);
}

/// Each metric's data-available-from instant: the report's override, or the metric's own.
fn spec_cutoffs(spec: &ReportSpec) -> Vec<Option<Instant>> {
    spec.metrics
        .iter()
        .map(|m| {
            m.available_from
                .map(|own| spec.available_from.unwrap_or(own))
        })
        .collect()
}

impl FactSink for ReportBuilder {
    fn fact(&mut self, fact: &Fact<'_>) {
        // Historical reports count open entities only for metrics that ask for them.
        let skip_open = fact.is_open() && self.spec.as_of.is_none();
        self.facts += 1;
        for i in 0..self.spec.metrics.len() {
            let def = self.spec.metrics[i];
            if skip_open && !def.counts_open {
                continue;
            }
            self.metric = i;
            (def.measure)(fact, self);
        }
    }

    fn wants_work_time(&self) -> bool {
        self.spec
            .metrics
            .iter()
            .any(|m| crate::catalog::reads_work_time(m))
    }

    fn settled(&mut self, id: Sym) {
        self.kept.remove(&id);
    }
}

impl Emit for ReportBuilder {
    fn version(&mut self, rule: &'static Rule, at: Instant) -> &'static str {
        let name = self
            .spec
            .definitions
            .fixed(rule.key)
            .unwrap_or_else(|| rule.version_at(at).name);
        let fact = self.facts;
        match self
            .rule_use
            .iter_mut()
            .find(|u| u.rule == rule.key && u.version == name)
        {
            Some(used) if used.last_fact != fact => {
                used.last_fact = fact;
                used.facts += 1;
            }
            Some(_) => {}
            None => self.rule_use.push(RuleUse {
                rule: rule.key,
                version: name,
                last_fact: fact,
                facts: 1,
            }),
        }
        name
    }

    fn span(&mut self, keys: Keys, span: Span) {
        let keys = self.group(keys);
        self.pieces(span, |me, bucket, piece| {
            me.add(bucket, keys, piece.millis())
        });
    }

    fn ratio_part(&mut self, keys: Keys, amount: Amount, part: Part) {
        let keys = self.group(keys);
        match amount {
            Amount::Span(span) => self.pieces(span, |me, bucket, piece| {
                me.add_part(bucket, keys, piece.millis(), part)
            }),
            Amount::Point(at, value) => {
                if self.unavailable_at(at, None) || at < self.window.start || at >= self.window.end
                {
                    return;
                }
                let bucket = self.calendar.as_mut().map(|c| c.bucket(at).0);
                self.add_part(bucket, keys, value, part);
            }
            Amount::Covered { owner, span } => self.pieces(span, |me, bucket, piece| {
                let key = (me.metric, GroupKey { bucket, keys }, part, owner);
                cover(me.covered.entry(key).or_default(), piece);
            }),
        }
    }

    fn point(&mut self, keys: Keys, at: Instant, value: i64) {
        if self.unavailable_at(at, None) || at < self.window.start || at >= self.window.end {
            return;
        }
        let keys = self.group(keys);
        let bucket = self.calendar.as_mut().map(|c| c.bucket(at).0);
        self.add(bucket, keys, value);
    }

    fn latest(&mut self, keys: Keys, at: Instant, id: Sym, value: Option<i64>) {
        let metric = self.metric;
        let old = self.kept.get_mut(&id).and_then(|k| {
            let i = k.standing.iter().position(|s| s.0 == metric)?;
            Some(k.standing.swap_remove(i))
        });
        if let Some((_, group, old)) = old {
            self.withdraw(group, old);
        }
        let Some(value) = value else { return };
        if self.unavailable_at(at, Some(id)) || at < self.window.start || at >= self.window.end {
            return;
        }
        let keys = self.group(keys);
        let bucket = self.calendar.as_mut().map(|c| c.bucket(at).0);
        self.add(bucket, keys, value);
        let standing = (metric, GroupKey { bucket, keys }, value);
        self.kept.entry(id).or_default().standing.push(standing);
    }

    fn settings(&self) -> &Settings {
        &self.spec.settings
    }

    fn entity(&mut self, keys: Keys, at: Instant, id: Sym) {
        if self.unavailable_at(at, Some(id)) || at < self.window.start || at >= self.window.end {
            return;
        }
        let keys = self.group(keys);
        let bucket = self.calendar.as_mut().map(|c| c.bucket(at).0);
        let mark = (self.metric, GroupKey { bucket, keys });
        let marks = &mut self.kept.entry(id).or_default().seen;
        if !marks.contains(&mark) {
            marks.push(mark);
            self.add(bucket, keys, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The union of `spans` the slow way: sorted by start, each merged into the previous one
    /// when they overlap or touch.
    fn union(mut spans: Vec<Span>) -> Vec<Span> {
        spans.sort_by_key(|s| s.start);
        let mut out: Vec<Span> = Vec::new();
        for s in spans {
            match out.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => out.push(s),
            }
        }
        out
    }

    #[test]
    fn cover_keeps_the_union_of_spans_in_any_order() {
        // A small linear congruential generator: spans of 0-9 ms starting within 0-199 ms, in
        // an order that is sometimes sorted (the fast paths) and sometimes not (the search).
        let mut x: u64 = 7;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for round in 0..200 {
            let mut spans: Vec<Span> = (0..30)
                .map(|_| {
                    let start = next(200) as i64;
                    Span::new(
                        Instant::from_millis(start),
                        Instant::from_millis(start + next(10) as i64),
                    )
                })
                .collect();
            if round % 2 == 0 {
                spans.sort_by_key(|s| s.start);
            }
            let mut covered = Vec::new();
            for s in &spans {
                cover(&mut covered, *s);
            }
            assert_eq!(covered, union(spans), "round {round}");
        }
    }
}
