//! What agents have open on customer profiles: views, and the task panel.

use super::{EntityKind, Fold, FoldError};
use crate::facts::{Fact, FactSink, ProfileActivity, ProfileFact};
use crate::time::{Instant, Span};

/// Which thing on a profile is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Panel {
    /// The profile itself is on screen.
    View,
    /// The task panel is open on it.
    Task,
}

impl Panel {
    fn activity(self) -> ProfileActivity {
        match self {
            Panel::View => ProfileActivity::View,
            Panel::Task => ProfileActivity::TaskPanel,
        }
    }

    fn kind(self) -> EntityKind {
        match self {
            Panel::View => EntityKind::ProfileView,
            Panel::Task => EntityKind::TaskPanel,
        }
    }

    fn start_event(self) -> &'static str {
        match self {
            Panel::View => "profile_view_started",
            Panel::Task => "task_panel_opened",
        }
    }
}

impl<S: FactSink> Fold<S> {
    pub(super) fn panel_opened(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        customer: &str,
        panel: Panel,
    ) -> Result<(), FoldError> {
        let agent_sym = self.names.intern(agent);
        let customer_sym = self.names.intern(customer);
        let key = (agent_sym, customer_sym, panel);
        if let Some(&since) = self.views.get(&key) {
            return Err(FoldError::Duplicate {
                event,
                kind: panel.kind(),
                id: format!("{agent} on {customer}"),
                since,
            });
        }
        self.views.insert(key, at);
        Ok(())
    }

    pub(super) fn panel_closed(
        &mut self,
        event: &'static str,
        at: Instant,
        agent: &str,
        customer: &str,
        panel: Panel,
    ) -> Result<(), FoldError> {
        let agent_sym = self.names.intern(agent);
        let customer_sym = self.names.intern(customer);
        let Some(since) = self.views.remove(&(agent_sym, customer_sym, panel)) else {
            return Err(FoldError::UnknownEntity {
                event,
                kind: panel.kind(),
                id: format!("{agent} on {customer}"),
                expected: panel.start_event(),
            });
        };
        let fact = ProfileFact {
            agent: agent_sym,
            customer: customer_sym,
            activity: panel.activity(),
            span: Span::new(since, at),
            open: false,
        };
        self.emit(Fact::Profile(fact));
        Ok(())
    }

    /// Emits or counts open views and task panels; returns (views, panels) still open.
    pub(super) fn finish_panels(&mut self, as_of: Option<Instant>) -> (u64, u64) {
        let mut keys: Vec<_> = self.views.iter().map(|(k, v)| (*k, *v)).collect();
        keys.sort_unstable();
        let (mut views, mut panels) = (0, 0);
        for ((agent, customer, panel), since) in keys {
            match panel {
                Panel::View => views += 1,
                Panel::Task => panels += 1,
            }
            if let Some(cut) = as_of {
                let fact = ProfileFact {
                    agent,
                    customer,
                    activity: panel.activity(),
                    span: Span::new(since, cut),
                    open: true,
                };
                self.emit(Fact::Profile(fact));
            }
        }
        (views, panels)
    }
}
