//! The sections of one report: a plain report has one, a named report one per widget. One
//! fold feeds every section's report builder; `ccsim replay` and `ccsim run` both report
//! through [`SectionBuilders`].

use super::{Report, ReportBuilder, Section};
use crate::facts::{Fact, FactSink};
use crate::ids::{Interner, Sym};
use crate::relay::Relay;

/// One section of a finished report.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionReport {
    /// Its title (named reports), or `None`.
    pub title: Option<String>,
    /// Its figures.
    pub report: Report,
}

/// The report builders of several sections, fed by one fold: on a thread of their own (see
/// `Relay`) when `threaded`. `ccsim replay` and `ccsim run` both report through them.
pub struct SectionBuilders {
    titles: Vec<Option<String>>,
    builders: Relay<Vec<ReportBuilder>>,
}

impl SectionBuilders {
    /// A builder per section.
    pub fn new(sections: Vec<Section>, threaded: bool) -> Self {
        let titles = sections.iter().map(|s| s.title.clone()).collect();
        let builders = sections
            .into_iter()
            .map(|s| ReportBuilder::new(s.spec))
            .collect();
        SectionBuilders {
            titles,
            builders: Relay::new(builders, threaded),
        }
    }

    /// Each section's report, once every fact has been taken, with `notes` on each.
    pub fn finish(self, names: &Interner, events: u64, notes: Vec<String>) -> Vec<SectionReport> {
        self.builders
            .join()
            .into_iter()
            .zip(self.titles)
            .map(|(builder, title)| SectionReport {
                title,
                report: builder.finish(names, events, notes.clone()),
            })
            .collect()
    }
}

impl FactSink for SectionBuilders {
    fn fact(&mut self, fact: &Fact<'_>) {
        self.builders.fact(fact);
    }

    fn wants_work_time(&self) -> bool {
        self.builders.wants_work_time()
    }

    fn settled(&mut self, id: Sym) {
        self.builders.settled(id);
    }
}

/// Several report builders fed from one fold.
impl FactSink for Vec<ReportBuilder> {
    fn fact(&mut self, fact: &Fact<'_>) {
        for a in self.iter_mut() {
            a.fact(fact);
        }
    }

    fn wants_work_time(&self) -> bool {
        self.iter().any(|a| a.wants_work_time())
    }

    fn settled(&mut self, id: Sym) {
        for a in self.iter_mut() {
            a.settled(id);
        }
    }
}
