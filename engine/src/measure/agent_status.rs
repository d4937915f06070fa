//! Gladly agent status (seed `002_043ce0648a6d9af5.txt`, "Agent Status" and "Idle Time"):
//! logged-in, away and active time, and the automatic Away and logout after idle time.
//!
//! The facts are neutral: a status interval says what the agent was doing and what ended it.
//! The idle rule decides how an automatic-Away interval is counted:
//! - `current` (data from 2021-03-31): the Away time starts at the automatic mark, the idle
//!   minutes before it are active, and Away lasts until the agent returns or is logged out;
//! - `legacy` (data before 2021-03-31): an idle stretch that ends in an automatic logout, or
//!   that the agent returns from more than 90 minutes after being marked idle, counts as
//!   logged-out time, not as logged-in (or Away) time.

use super::def::{Aggregate, Dim, MetricDef, Rule, RuleVersion, Unit, View};
use super::{Emit, Keys};
use crate::event::Trigger;
use crate::facts::{AgentState, Fact, StatusEnd, StatusInterval};
use crate::time::MINUTE_MS;

/// The idle-time rule, which Gladly changed on 2021-03-31.
pub static IDLE_RULE: Rule = Rule {
    key: "idle",
    title: "How idle time counts towards agent status",
    versions: &[
        RuleVersion {
            name: "legacy",
            from: None,
            until: Some(super::utc_midnight(2021, 3, 31)),
            summary: "idle after X minutes without input; an idle stretch ending in logout or lasting over 90 minutes is logout time",
        },
        RuleVersion {
            name: "current",
            from: Some(super::utc_midnight(2021, 3, 31)),
            until: None,
            summary: "Away from the automatic mark until return or logout; the idle minutes before the mark are active",
        },
    ],
};

/// Under the legacy rule, idle stretches longer than this count as logout time.
pub const LEGACY_IDLE_LOGOUT_MS: i64 = 90 * MINUTE_MS;

fn status<'a>(fact: &'a Fact<'_>) -> Option<&'a StatusInterval> {
    match fact {
        Fact::Status(s) => Some(s),
        _ => None,
    }
}

fn is_auto_away(s: &StatusInterval) -> bool {
    s.state == AgentState::Away && s.trigger == Trigger::Idle
}

/// Whether the interval is time the agent was logged out, under the rule in force for it.
fn counts_as_logout(s: &StatusInterval, out: &mut dyn Emit) -> bool {
    if !is_auto_away(s) {
        return false;
    }
    if out.version(&IDLE_RULE, s.span.start) != "legacy" {
        return false;
    }
    s.ended_by == StatusEnd::Logout(Trigger::Idle) || s.span.millis() > LEGACY_IDLE_LOGOUT_MS
}

/// Logged-in time: every status interval, less legacy idle logout time.
pub fn logged_in_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if !counts_as_logout(s, out) {
            out.span(Keys::agent(s.agent), s.span);
        }
    }
}

/// Away time: Away intervals, manual or automatic, less legacy idle logout time.
pub fn away_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if s.state == AgentState::Away && !counts_as_logout(s, out) {
            out.span(Keys::agent(s.agent), s.span);
        }
    }
}

/// Active time: logged-in time that is not Away.
pub fn active_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if s.state == AgentState::Active {
            out.span(Keys::agent(s.agent), s.span);
        }
    }
}

/// Legacy idle logout time: idle stretches the legacy rule counts as logged out.
pub fn idle_logout_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if counts_as_logout(s, out) {
            out.span(Keys::agent(s.agent), s.span);
        }
    }
}

/// Automatic Away marks, counted when they happen.
pub fn auto_away_count(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if is_auto_away(s) {
            out.point(Keys::agent(s.agent), s.span.start, 1);
        }
    }
}

/// Automatic logouts after idle time, counted when they happen.
pub fn auto_logout_count(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if s.ended_by == StatusEnd::Logout(Trigger::Idle) {
            out.point(Keys::agent(s.agent), s.span.end, 1);
        }
    }
}

/// Idle minutes before each automatic Away mark (the configured idle threshold, as observed).
pub fn idle_before_auto_away(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = status(fact) {
        if let (true, Some(last)) = (is_auto_away(s), s.last_active_at) {
            out.point(
                Keys::agent(s.agent),
                s.span.start,
                s.span.start.millis_since(last),
            );
        }
    }
}

/// The Gladly seed.
const GLADLY: &str = "002_043ce0648a6d9af5.txt";
/// Agent-status metrics group by agent and time.
const AGENT_DIMS: &[Dim] = &[Dim::Day, Dim::Interval, Dim::Month, Dim::Agent];
/// The reading chosen where the seed is unclear.
const STATUS_CHOICE: &str = "Legacy rule: the seed says an agent marked idle who returns more than 90 minutes later has 'the entire 90 minutes' counted as logout time. We read this as the whole idle stretch (from the idle mark) leaving logged-in time when it ends in an automatic logout or lasts over 90 minutes; the literal alternative, counting exactly 90 minutes, agrees whenever the platform logs the agent out at 90 minutes. Data is dated by the start of each status interval, in UTC.";

/// The Gladly agent-status metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "gladly.logged_in_time",
        name: "Logged In Time",
        family: "Gladly agent status",
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Agent Status > Logged In Time; Idle Time",
        definition: "Time from an agent's login to their logout, whether they logged out themselves or were logged out after idling. Under the legacy idle rule, idle stretches that count as logout time are left out.",
        choices: STATUS_CHOICE,
        rule: Some(&IDLE_RULE),
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: logged_in_time,
    },
    MetricDef {
        id: "gladly.away_time",
        name: "Away Time",
        family: "Gladly agent status",
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Agent Status > Away Time; Automatic Away and Logout; Idle Time",
        definition: "Time from going Away (by choice, or marked automatically after idling) until returning to active or logging out. An automatic Away starts at the moment of the mark, not when the agent went idle.",
        choices: STATUS_CHOICE,
        rule: Some(&IDLE_RULE),
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: away_time,
    },
    MetricDef {
        id: "gladly.active_time",
        name: "Active (Utilized) Time",
        family: "Gladly agent status",
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Agent Status > Active (Utilized) Time; Idle Time",
        definition: "Logged-in time minus Away time. Idle minutes before an automatic Away mark are active, as are idle minutes the agent ends by moving the mouse before the threshold.",
        choices: STATUS_CHOICE,
        rule: Some(&IDLE_RULE),
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: active_time,
    },
    MetricDef {
        id: "gladly.idle_logout_time",
        name: "Idle Logout Time (legacy)",
        family: "Gladly agent status",
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Idle Time > Note - How Idle Time was previously tracked",
        definition: "Under the idle rule used for data before 2021-03-31: time from an idle mark to the agent's return, for idle stretches that ended in an automatic logout or lasted over 90 minutes, which count as logout time. Always zero under the current rule.",
        choices: STATUS_CHOICE,
        rule: Some(&IDLE_RULE),
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: idle_logout_time,
    },
    MetricDef {
        id: "gladly.auto_away_count",
        name: "Automatic Away Marks",
        family: "Gladly agent status",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Agent Status > Automatic Away and Logout",
        definition: "How many times agents were marked Away (or, before 2021-03-31, idle) automatically after the configured minutes without input; counted at the mark.",
        choices: "",
        rule: None,
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: auto_away_count,
    },
    MetricDef {
        id: "gladly.auto_logout_count",
        name: "Automatic Logouts",
        family: "Gladly agent status",
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: GLADLY,
        section: "Agent Status > Automatic Away and Logout",
        definition: "How many times agents were logged out automatically after the configured idle time; counted at the logout.",
        choices: "",
        rule: None,
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: auto_logout_count,
    },
    MetricDef {
        id: "gladly.idle_before_auto_away",
        name: "Idle Time Before Automatic Away",
        family: "Gladly agent status",
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: GLADLY,
        section: "Agent Status > Automatic Away and Logout; Idle Time",
        definition: "Average time from an agent's last input (mouse, or the end of a phone call) to the automatic Away mark: the idle threshold as the platform applied it (10 minutes by default). These minutes count as active time.",
        choices: "",
        rule: None,
        dims: AGENT_DIMS,
        counts_open: false,
        available_from: None,
        view: View::Any,
        measure: idle_before_auto_away,
    },
];
