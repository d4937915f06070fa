//! Dynamics 365 session metrics (seed `000_0050631083f1a627.txt`, "Calculate session metrics"):
//! rejected, timed-out, transferred and incoming sessions and their rates, time to reject and
//! to accept, session handle time, consult requests rejected and session participant counts.
//!
//! The seed gives most metrics twice, for the historical and the real-time dashboard, with
//! different filters; each variant is its own catalog entry (`….historical`, `….realtime`), so
//! both can be computed on one log and compared. Where the seed contradicts itself, the entry
//! records the reading chosen and the literal alternative, and where that is cheap the literal
//! reading is offered as a third entry (`….literal`).
//!
//! Filters, as the seed applies them:
//! - *Historical* variants read closed sessions only (they skip open rows even in an `--as-of`
//!   report). Most leave out work items on the Entity Records channel (msdyn_channel
//!   192350000) and work items with a channel instance (the seed's SMS filter,
//!   msdyn_channelinstanceid is null), and drop in-transit (msdyn_eventreason 192350001) and
//!   hold (msdyn_eventtype 192350001) participant event records; see [`historical_row`].
//! - *Real-time* variants count open sessions up to the cut-off, and most keep only live work
//!   items with a status code 1..7; see [`live_work_item`].
//! - A *representative session* (the seed's IsAgentSession) is a session whose handler is a
//!   person (`handler: agent`: a systemuser without msdyn_botapplicationid).
//!
//! Every session figure is dated by the session's start (msdyn_ocsession created on); every
//! participant figure by the participant row's start (added on).

//!
//! The catalog entries (definitions, choices, dimensions) are in `metrics`; this file holds
//! the filters and the measures.

mod metrics;

pub(crate) use metrics::METRICS;

use super::def::Dim;
use super::{Emit, Keys};
use crate::event::{
    Channel, ClosureReason, Direction, HandlerKind, ParticipantMode, WorkItemStatus,
};
use crate::facts::{Fact, ParticipantFact, SessionFact};

/// The Dynamics seed.
const DYNAMICS: &str = "000_0050631083f1a627.txt";
/// The family name shown in the catalog.
const FAMILY: &str = "Dynamics 365 session metrics";

/// Session metrics group by time, the session's agent, channel and queue.
const SESSION_DIMS: &[Dim] = Dim::WORK;
/// Participant metrics group by time and the participant.
const PARTICIPANT_DIMS: &[Dim] = &[Dim::Day, Dim::Interval, Dim::Month, Dim::Agent];

/// Closure reasons that mean a transfer: AgentTransferred (192350006) and AgentTransferToQueue
/// (192350010).
const TRANSFERS: &[ClosureReason] = &[
    ClosureReason::AgentTransferred,
    ClosureReason::AgentTransferToQueue,
];

fn session<'a>(fact: &'a Fact<'_>) -> Option<&'a SessionFact> {
    match fact {
        Fact::Session(s) => Some(s),
        _ => None,
    }
}

fn participant<'a>(fact: &'a Fact<'_>) -> Option<&'a ParticipantFact> {
    match fact {
        Fact::Participant(p) => Some(p),
        _ => None,
    }
}

/// The seed's IsAgentSession as ccsim reads it: the session is handled by a representative.
fn representative(s: &SessionFact) -> bool {
    s.handler == HandlerKind::Agent
}

/// Whether the session closed with one of `reasons`.
fn closed_with(s: &SessionFact, reasons: &[ClosureReason]) -> bool {
    s.closure_reason.is_some_and(|r| reasons.contains(&r))
}

/// Whether the session's work item is one the historical filters leave out: the Entity
/// Records channel, or a work item with a channel instance (the seed's SMS filter).
pub fn excluded_channel(s: &SessionFact) -> bool {
    s.channel == Channel::EntityRecords || s.has_channel_instance
}

/// Whether every participant record of the session is an in-transit or hold record: no
/// participant row, no other participant event, and at least one in-transit or hold record.
/// Such a session (a transfer leg that nobody joined) is not a row of the historical model.
pub fn only_transit_or_hold(s: &SessionFact) -> bool {
    s.participant_rows == 0 && s.other_records == 0 && s.transit_records + s.hold_records > 0
}

/// A row of the seed's historical session model: a closed session, outside the excluded
/// channels, that is not seen only through in-transit or hold records.
pub fn historical_row(s: &SessionFact) -> bool {
    !s.open && !excluded_channel(s) && !only_transit_or_hold(s)
}

/// The real-time filter: the work item's status code is one of 1..7.
pub fn live_work_item(status: Option<WorkItemStatus>) -> bool {
    status
        .and_then(WorkItemStatus::code)
        .is_some_and(|c| (1..=7).contains(&c))
}

/// An incoming session of the historical model: a representative session of an inbound work
/// item, and a historical row.
fn incoming(s: &SessionFact) -> bool {
    representative(s) && s.direction == Direction::Inbound && historical_row(s)
}

/// The keys of a session: the agent who accepted it (else the one it was last offered to),
/// its channel and its queue.
fn session_keys(s: &SessionFact) -> Keys {
    Keys {
        agent: s.accepted_by.or(s.offered_to),
        channel: Some(s.channel),
        queue: s.queue,
        ..Keys::default()
    }
}

/// 1 when `yes`, else 0: a contribution to a share.
fn flag(yes: bool) -> i64 {
    i64::from(yes)
}

// ---- sessions rejected ------------------------------------------------------------------

/// Historical: distinct representative sessions closed with AgentReject (192350001).
pub fn sessions_rejected_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && historical_row(s) && closed_with(s, &[ClosureReason::AgentReject]) {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Historical, IsAgentSession read as written ("bot application id is not null"): distinct
/// bot sessions closed with AgentReject.
pub fn sessions_rejected_historical_literal(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if s.handler == HandlerKind::Bot
            && historical_row(s)
            && closed_with(s, &[ClosureReason::AgentReject])
        {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Real-time: distinct representative sessions of live work items closed with AgentReject.
pub fn sessions_rejected_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s)
            && live_work_item(s.work_item_status)
            && closed_with(s, &[ClosureReason::AgentReject])
        {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Real-time, the DAX as printed: representative participant rows of live work items that
/// left with AgentReject, whatever their mode.
pub fn sessions_rejected_realtime_literal(fact: &Fact, out: &mut dyn Emit) {
    if let Some(p) = participant(fact) {
        if p.kind == HandlerKind::Agent && p.left_on_reject && live_work_item(p.work_item_status) {
            out.point(Keys::agent(p.participant), p.span.start, 1);
        }
    }
}

// ---- rates --------------------------------------------------------------------------------

/// Historical: of the incoming sessions, the share closed with AgentReject.
pub fn rejection_rate_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if incoming(s) {
            let yes = closed_with(s, &[ClosureReason::AgentReject]);
            out.point(session_keys(s), s.started_at, flag(yes));
        }
    }
}

/// Real-time: of the closed representative sessions of live work items, the share closed
/// with AgentReject.
pub fn rejection_rate_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && !s.open && live_work_item(s.work_item_status) {
            let yes = closed_with(s, &[ClosureReason::AgentReject]);
            out.point(session_keys(s), s.started_at, flag(yes));
        }
    }
}

/// Historical: of the incoming sessions, the share closed with AgentTimeout.
pub fn timeout_rate_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if incoming(s) {
            let yes = closed_with(s, &[ClosureReason::AgentTimeout]);
            out.point(session_keys(s), s.started_at, flag(yes));
        }
    }
}

/// Historical, the filter's label read as written ("Agent Rejected"): of the incoming
/// sessions, the share closed with AgentReject.
pub fn timeout_rate_historical_literal(fact: &Fact, out: &mut dyn Emit) {
    rejection_rate_historical(fact, out);
}

/// Real-time: of the closed representative sessions, the share closed with AgentTimeout.
pub fn timeout_rate_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && !s.open {
            let yes = closed_with(s, &[ClosureReason::AgentTimeout]);
            out.point(session_keys(s), s.started_at, flag(yes));
        }
    }
}

/// Historical: of the incoming sessions, the share transferred (192350006 or 192350010).
pub fn transfer_rate_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if incoming(s) {
            out.point(
                session_keys(s),
                s.started_at,
                flag(closed_with(s, TRANSFERS)),
            );
        }
    }
}

/// Real-time: of the accepted representative sessions of live work items, the share
/// transferred.
pub fn transfer_rate_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && s.accepted_at.is_some() && live_work_item(s.work_item_status) {
            out.point(
                session_keys(s),
                s.started_at,
                flag(closed_with(s, TRANSFERS)),
            );
        }
    }
}

// ---- sessions timed out -------------------------------------------------------------------

/// Historical: distinct representative sessions closed with AgentTimeout (192350002).
pub fn sessions_timed_out_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && historical_row(s) && closed_with(s, &[ClosureReason::AgentTimeout])
        {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Real-time: representative participant rows that left with AgentTimeout.
pub fn sessions_timed_out_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(p) = participant(fact) {
        if p.kind == HandlerKind::Agent && p.left_on_timeout {
            out.point(Keys::agent(p.participant), p.span.start, 1);
        }
    }
}

// ---- transferred and incoming sessions ------------------------------------------------------

/// Historical: distinct closed sessions with closure reason 192350006 or 192350010.
pub fn transferred_sessions_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if !s.open && closed_with(s, TRANSFERS) {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Real-time: representative sessions of live work items transferred out.
pub fn transferred_sessions_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if representative(s) && live_work_item(s.work_item_status) && closed_with(s, TRANSFERS) {
            out.point(session_keys(s), s.started_at, 1);
        }
    }
}

/// Historical: distinct incoming sessions.
pub fn incoming_sessions_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if incoming(s) {
            out.entity(session_keys(s), s.started_at, s.session);
        }
    }
}

/// Historical, the DAX as printed: distinct work items (conversations) with an incoming
/// session.
pub fn incoming_sessions_historical_literal(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if incoming(s) {
            out.entity(session_keys(s), s.started_at, s.contact);
        }
    }
}

// ---- times ----------------------------------------------------------------------------------

/// Real-time: time from assignment to close of representative sessions of live work items
/// closed with AgentReject.
pub fn time_to_reject_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if let (true, Some(assigned)) = (
            representative(s)
                && live_work_item(s.work_item_status)
                && closed_with(s, &[ClosureReason::AgentReject]),
            s.offered_at,
        ) {
            out.point(
                session_keys(s),
                s.started_at,
                s.ended_at.millis_since(assigned),
            );
        }
    }
}

/// Real-time: time from assignment to acceptance of accepted representative sessions of live
/// work items.
pub fn time_to_accept_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if let (true, Some(assigned), Some(accepted)) = (
            representative(s) && live_work_item(s.work_item_status),
            s.offered_at,
            s.accepted_at,
        ) {
            out.point(
                session_keys(s),
                s.started_at,
                accepted.millis_since(assigned),
            );
        }
    }
}

/// The handle time of an accepted representative session of a live work item: its
/// representatives' active time as primary participants.
fn realtime_handle_time(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if let (true, Some(active)) = (
            representative(s) && s.accepted_at.is_some() && live_work_item(s.work_item_status),
            s.rep_active_ms,
        ) {
            out.point(session_keys(s), s.started_at, active);
        }
    }
}

/// Real-time: representatives' active time in accepted sessions of live work items, summed.
pub fn session_handle_time_realtime(fact: &Fact, out: &mut dyn Emit) {
    realtime_handle_time(fact, out);
}

/// Real-time: the same active time, averaged over sessions.
pub fn avg_session_handle_time_realtime(fact: &Fact, out: &mut dyn Emit) {
    realtime_handle_time(fact, out);
}

/// Historical: representatives' active time in accepted representative sessions of the
/// historical model, averaged over sessions.
pub fn avg_session_handle_time_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(s) = session(fact) {
        if let (true, Some(active)) = (
            representative(s) && historical_row(s) && s.accepted_at.is_some(),
            s.rep_active_ms,
        ) {
            out.point(session_keys(s), s.started_at, active);
        }
    }
}

// ---- participants ---------------------------------------------------------------------------

/// Historical: closed participant rows in consult mode that left with AgentReject.
pub fn consult_requests_rejected_historical(fact: &Fact, out: &mut dyn Emit) {
    if let Some(p) = participant(fact) {
        if !p.open && p.mode == ParticipantMode::Consult && p.left_on_reject {
            out.point(Keys::agent(p.participant), p.span.start, 1);
        }
    }
}

/// Real-time: representative participant rows in consult mode that left with AgentReject.
pub fn consult_requests_rejected_realtime(fact: &Fact, out: &mut dyn Emit) {
    if let Some(p) = participant(fact) {
        if p.kind == HandlerKind::Agent && p.mode == ParticipantMode::Consult && p.left_on_reject {
            out.point(Keys::agent(p.participant), p.span.start, 1);
        }
    }
}

/// Representatives who took part in sessions as primary or consulted participants: one per
/// participant row that joined (did not leave with AgentReject or AgentTimeout).
pub fn session_participant_count(fact: &Fact, out: &mut dyn Emit) {
    if let Some(p) = participant(fact) {
        if p.kind == HandlerKind::Agent
            && matches!(p.mode, ParticipantMode::Primary | ParticipantMode::Consult)
            && !p.left_on_reject
            && !p.left_on_timeout
        {
            out.point(Keys::agent(p.participant), p.span.start, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_work_item_filter_keeps_every_status_and_drops_none() {
        for &s in WorkItemStatus::ALL {
            assert!(live_work_item(Some(s)), "{s}");
        }
        assert!(!live_work_item(None));
    }
}
