//! The metric catalog: the registry of every metric ccsim computes. Each family lives in its
//! own module under `measure/`, which declares its metrics (definition in our words, seed and
//! section, unit, dimensions, rule versions) with the types of `measure::def`; this module only
//! lists the families and the named reports, and finds metrics by id and rules by key.

use crate::measure::def::{MetricDef, ReportDef, Rule};
use crate::measure::{
    agent_status, bot_usage, contact_times, conversations, dynamics, handle_time, queue,
};

/// Every named report.
pub(crate) static REPORTS: &[&ReportDef] = &[&bot_usage::REPORT];

/// The report called `name`.
pub(crate) fn report(name: &str) -> Option<&'static ReportDef> {
    REPORTS.iter().copied().find(|r| r.name == name)
}

/// Every metric family's definitions, in catalog order. A family lives in its own module
/// under `measure/`, next to its measures and rules.
pub(crate) static FAMILIES: &[&[MetricDef]] = &[
    queue::METRICS,
    agent_status::METRICS,
    contact_times::METRICS,
    conversations::METRICS,
    bot_usage::METRICS,
    dynamics::METRICS,
    handle_time::METRICS,
];

/// The families whose measures read work-time facts (Gladly's handle time, concurrency and
/// occupancy). A report with none of their metrics lets the fold skip work time; a test checks
/// that no metric of another family takes anything from a work-time fact.
pub(crate) static WORK_TIME_FAMILIES: &[&[MetricDef]] = &[handle_time::METRICS];

/// Whether `metric`'s measure may read work-time facts (its family is one of
/// [`WORK_TIME_FAMILIES`]).
pub(crate) fn reads_work_time(metric: &MetricDef) -> bool {
    WORK_TIME_FAMILIES
        .iter()
        .any(|family| family.iter().any(|m| m.id == metric.id))
}

/// Every metric ccsim knows, in catalog order.
pub fn all() -> impl Iterator<Item = &'static MetricDef> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// Every rule whose versions can be chosen with `--definition`, each once.
pub(crate) fn rules() -> Vec<&'static Rule> {
    let mut out: Vec<&'static Rule> = Vec::new();
    for m in all() {
        if let Some(r) = m.rule {
            if !out.iter().any(|x| x.key == r.key) {
                out.push(r);
            }
        }
    }
    out
}

/// The metric with id `id`.
pub fn find(id: &str) -> Option<&'static MetricDef> {
    all().find(|m| m.id == id)
}

/// The rule with key `key`.
pub(crate) fn rule(key: &str) -> Option<&'static Rule> {
    rules().into_iter().find(|r| r.key == key)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_rules_are_well_formed() {
        let mut ids: Vec<&str> = all().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all().count());
        for m in all() {
            assert!(
                !m.definition.is_empty() && !m.section.is_empty(),
                "{}",
                m.id
            );
            // `--definition KEY=...` finds rules by key: two rules must not share one.
            if let Some(r) = m.rule {
                assert!(
                    std::ptr::eq(r, rule(r.key).unwrap()),
                    "{}: rule key `{}` is used by two rules",
                    m.id,
                    r.key
                );
            }
        }
        // A rule's versions are either all undated (the first is the default reading) or
        // dated ranges that tile time: the first open at the start, the last open at the end,
        // each ending where the next begins.
        for r in rules() {
            let v = r.versions;
            assert!(!v.is_empty(), "{}", r.key);
            if v.iter().all(|x| x.from.is_none() && x.until.is_none()) {
                continue;
            }
            assert!(
                v[0].from.is_none() && v[v.len() - 1].until.is_none(),
                "{}",
                r.key
            );
            for pair in v.windows(2) {
                assert!(
                    pair[0].until.is_some() && pair[0].until == pair[1].from,
                    "{}",
                    r.key
                );
            }
        }
    }

    /// Counts what a measure contributes.
    #[derive(Default)]
    struct Tally {
        settings: crate::measure::Settings,
        contributions: usize,
    }

    impl crate::measure::Emit for Tally {
        fn version(&mut self, rule: &'static Rule, _: crate::time::Instant) -> &'static str {
            rule.versions[0].name
        }
        fn span(&mut self, _: crate::measure::Keys, _: crate::time::Span) {
            self.contributions += 1;
        }
        fn point(&mut self, _: crate::measure::Keys, _: crate::time::Instant, _: i64) {
            self.contributions += 1;
        }
        fn entity(&mut self, _: crate::measure::Keys, _: crate::time::Instant, _: Sym) {
            self.contributions += 1;
        }
        fn latest(
            &mut self,
            _: crate::measure::Keys,
            _: crate::time::Instant,
            _: Sym,
            _: Option<i64>,
        ) {
            self.contributions += 1;
        }
        fn settings(&self) -> &crate::measure::Settings {
            &self.settings
        }
        fn ratio_part(
            &mut self,
            _: crate::measure::Keys,
            _: crate::measure::Amount,
            _: crate::measure::Part,
        ) {
            self.contributions += 1;
        }
    }

    use crate::ids::Sym;

    #[test]
    fn only_the_work_time_families_read_work_time_facts() {
        use crate::event::Channel;
        use crate::facts::{Fact, WorkKind, WorkSessionFact, WorkSpanFact};
        use crate::time::{Instant, Span};
        // A minute of an agent's time of every kind (on an active chat they joined, after it,
        // in and out of an open conversation) and the work session it makes: facts every
        // handle-time, concurrency and occupancy metric takes something from.
        let span = Span::new(Instant::from_millis(0), Instant::from_millis(60_000));
        let (agent, customer, contact, conversation) = (Sym(0), Sym(1), Sym(2), Sym(3));
        let kinds = [
            WorkKind::Contact,
            WorkKind::AfterContact {
                agent_available: false,
            },
            WorkKind::AfterContact {
                agent_available: true,
            },
            WorkKind::OpenConversation,
            WorkKind::NoOpenConversation,
        ];
        let mut facts: Vec<Fact> = kinds
            .iter()
            .map(|&kind| {
                Fact::WorkSpan(WorkSpanFact {
                    agent,
                    customer,
                    conversation: Some(conversation),
                    contact: Some(contact),
                    channel: Some(Channel::Chat),
                    kind,
                    task_panel: true,
                    joined: true,
                    span,
                    open: false,
                })
            })
            .collect();
        facts.push(Fact::WorkSession(WorkSessionFact {
            agent,
            contact,
            customer,
            conversation: Some(conversation),
            channel: Channel::Chat,
            span,
            handle_ms: 60_000,
            joined_ms: 60_000,
            open: false,
        }));
        let mut readers = 0;
        for m in all() {
            let mut tally = Tally::default();
            for f in &facts {
                (m.measure)(f, &mut tally);
            }
            // Skipping work time for a report without these families must change nothing.
            assert!(
                tally.contributions == 0 || reads_work_time(m),
                "{} takes something from work-time facts: add its family to WORK_TIME_FAMILIES",
                m.id
            );
            readers += usize::from(tally.contributions > 0);
        }
        // The facts above are ones the work-time metrics read (occupancy, handle times...).
        assert!(readers >= 5, "only {readers} metrics read the facts");
    }

    #[test]
    fn the_idle_rule_switches_on_2021_03_31() {
        let r = rule("idle").unwrap();
        let before = crate::time::Instant::parse_rfc3339("2021-03-30T23:59:59Z").unwrap();
        let after = crate::time::Instant::parse_rfc3339("2021-03-31T00:00:00Z").unwrap();
        assert_eq!(r.version_at(before).name, "legacy");
        assert_eq!(r.version_at(after).name, "current");
        assert_eq!(
            find("gladly.away_time").unwrap().versions_text(),
            "idle: legacy (before 2021-03-31), current (from 2021-03-31)"
        );
    }
}
