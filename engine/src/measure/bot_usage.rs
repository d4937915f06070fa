//! Freshworks bot session usage (seed `001_c3eeb5af6efcc507.txt`): how many bot sessions were
//! consumed, when, by which bot and on which channel, and the tickets they produced.
//!
//! A session is consumed when it starts, so every figure is dated by the session's start, in
//! UTC unless the user picks a reporting zone, and open sessions count. The report's data
//! begins on 2022-02-04; earlier sessions are left out and the report says how many.

use super::def::{Aggregate, Dim, MetricDef, ReportDef, Unit, View};
use super::{Emit, Keys};
use crate::event::Channel;
use crate::facts::Fact;

/// The Freshworks seed.
const FRESHWORKS: &str = "001_c3eeb5af6efcc507.txt";

/// The first day the session usage report has data for (seed: "available from 4th February
/// 2022 onwards"), as UTC midnight.
pub const AVAILABLE_FROM: crate::time::Instant = super::utc_midnight(2022, 2, 4);

/// Bot-session metrics group by time, bot, version and channel.
const SESSION_DIMS: &[Dim] = &[
    Dim::Day,
    Dim::Month,
    Dim::Bot,
    Dim::BotVersion,
    Dim::Channel,
];
/// Tickets have no channel of their own.
const TICKET_DIMS: &[Dim] = &[Dim::Day, Dim::Month, Dim::Bot, Dim::BotVersion];

/// Sessions consumed: each bot session once per group, dated by its start.
pub fn sessions_consumed(fact: &Fact, out: &mut dyn Emit) {
    let Fact::BotSession(s) = fact else { return };
    let base = Keys {
        bot: Some(s.bot),
        bot_version: Some(s.version),
        ..Keys::default()
    };
    if s.channels == 0 {
        out.entity(base, s.started_at, s.bot_session);
        return;
    }
    for &channel in Channel::ALL {
        if s.channels & (1 << channel as u32) != 0 {
            let keys = Keys {
                channel: Some(channel),
                ..base
            };
            out.entity(keys, s.started_at, s.bot_session);
        }
    }
}

/// Distinct tickets created in the selected sessions, dated by the session's start.
pub fn tickets(fact: &Fact, out: &mut dyn Emit) {
    let Fact::Ticket(t) = fact else { return };
    let keys = Keys {
        bot: Some(t.bot),
        bot_version: Some(t.version),
        ..Keys::default()
    };
    out.entity(keys, t.session_started_at, t.ticket);
}

/// The Freshworks bot-session metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "freshworks.sessions_consumed",
        name: "Sessions consumed",
        family: "Freshworks bot session usage",
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: FRESHWORKS,
        section: "Session usage report widgets; What metrics do session analytics offer (Sessions count); How do the timestamps & timezones work",
        definition: "Bot sessions consumed, each counted once, on the date it started in the reporting zone (UTC by default, as the report is). Grouped by day it is the consumption trend, by month the monthly volume, by bot (or bot version) the per-bot volume, by channel the per-channel volume.",
        choices: "By channel, a session whose conversations ran on several channels counts once on each of them, because the widget answers how many sessions each channel consumed; so the channel rows can add up to more than the total, which still counts the session once. The alternative, crediting only the first conversation's channel, would make the rows add up but hide that the other channel used the bot at all.",
        rule: None,
        dims: SESSION_DIMS,
        measure: sessions_consumed,
        counts_open: true,
        available_from: Some(AVAILABLE_FROM),
        view: View::Any,
    },
    MetricDef {
        id: "freshworks.tickets",
        name: "Tickets in sessions",
        family: "Freshworks bot session usage",
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: FRESHWORKS,
        section: "What metrics do session analytics offer (Sessions: the count of all the different tickets)",
        definition: "Distinct tickets that were part of any selected bot session; a ticket linked to two sessions counts once. Dated, like its session, by the session's start.",
        choices: "The seed lists this under the heading 'Sessions' but defines it as a count of tickets; it is named for what it counts.",
        rule: None,
        dims: TICKET_DIMS,
        measure: tickets,
        counts_open: true,
        available_from: Some(AVAILABLE_FROM),
        view: View::Any,
    },
];

/// The session usage report: its five widgets and the distinct-ticket count.
pub static REPORT: ReportDef = ReportDef {
    name: "bot-usage",
    title: "Bot session usage",
    source: "001_c3eeb5af6efcc507.txt § Session usage report",
    metrics: &["freshworks.sessions_consumed", "freshworks.tickets"],
    sections: &[
        ("Sessions consumed", &[]),
        ("Session consumption trend", &[Dim::Day]),
        ("Bot-based session consumption volume", &[Dim::Bot]),
        ("Channel-based session consumption volume", &[Dim::Channel]),
        ("Monthly session consumption volume", &[Dim::Month]),
    ],
    default_window_days: Some(30),
};
