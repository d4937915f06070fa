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

use super::def::{Aggregate, Dim, MetricDef, Unit, View};
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

// ---- the catalog ----------------------------------------------------------------------------

// Text shared by several catalog entries, as macros so that `concat!` can join them.

/// How ccsim reads IsAgentSession where the seed writes "msdyn_botapplicationid is not null".
macro_rules! agent_session_not_null {
    () => {
        "IsAgentSession: this variant's filter says it comes from systemuser.msdyn_botapplicationid 'is not null', which (since Dynamics renamed bots 'AI agents') selects bot sessions, while other variants say 'is null'. Bots do not reject, time out or accept offers, and the metric is about service representatives, so ccsim reads it as a representative session (handler `agent`, no bot application id); the literal reading would count bot sessions."
    };
}

/// How ccsim reads IsAgentSession where the seed writes "is null".
macro_rules! agent_session_null {
    () => {
        "IsAgentSession: representative sessions (handler `agent`, systemuser.msdyn_botapplicationid is null), as this variant's filter says; the historical variants write 'is not null' for the same flag."
    };
}

/// The historical model's rows, in ccsim's reading.
macro_rules! historical_rows {
    () => {
        "Historical rows are closed sessions, dated by their start; work items on the Entity Records channel (msdyn_channel 192350000) or with a channel instance (the seed's SMS filter, msdyn_channelinstanceid is null) are left out. The seed also drops in-transit (msdyn_eventreason 192350001) and hold (msdyn_eventtype 192350001) participant event records; ccsim reads this as Power BI joining each session to its participant records and filtering with '<>', which keeps a session that has no such record: a session leaves the model only when every participant record it has (participant rows and participant events) is an in-transit or hold record, as for a transfer leg nobody joined. The alternative reading, dropping every session that has an in-transit or hold record, would drop real sessions that merely had a hold."
    };
}

/// The real-time status filter, in ccsim's reading.
macro_rules! live_filter {
    () => {
        "Real-time rows include sessions still open at the cut-off (counted up to it), and keep only work items whose live work item status code (msdyn_ocliveworkitem.statuscode) is 1..7; every status is in that range, so what the filter removes is a contact without a Dynamics status, which is not a live work item."
    };
}

/// The sum-versus-average contradiction of the real-time times.
macro_rules! sum_not_average {
    ($what:literal, $column:literal, $literal_id:literal) => {
        concat!(
            "The text calls it the average time to ", $what, "; the DAX is SUM(FactSession[", $column, "]). ccsim reports the average, which is what the metric is said to be and what stays comparable between periods of different volume; the sum as printed is `", $literal_id, "`. "
        )
    };
}

/// The Dynamics 365 session metrics.
pub static METRICS: &[MetricDef] = &[
    MetricDef {
        id: "dynamics.sessions_rejected.historical",
        name: "Sessions rejected (historical)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Sessions rejected > Historical analytics",
        definition: "How many representative sessions a representative declined: distinct closed sessions with closure reason AgentReject (192350001), outside the Entity Records channel and SMS channel instances, and not seen only through in-transit or hold records.",
        choices: concat!(agent_session_not_null!(), " That reading is offered as `dynamics.sessions_rejected.historical.literal`. ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: sessions_rejected_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.sessions_rejected.historical.literal",
        name: "Sessions rejected (historical, IsAgentSession as written)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Sessions rejected > Historical analytics",
        definition: "The historical sessions rejected with IsAgentSession taken as the seed writes it, 'systemuser.msdyn_botapplicationid is not null': distinct closed bot sessions with closure reason AgentReject, with the same channel and participant-record filters. Offered to show what the literal text would report.",
        choices: "Literal reading of IsAgentSession (bot sessions); everything else as in `dynamics.sessions_rejected.historical`. Bots never decline an offer, so this figure is normally 0.",
        rule: None,
        dims: SESSION_DIMS,
        measure: sessions_rejected_historical_literal,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.sessions_rejected.realtime",
        name: "Sessions rejected (real-time)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Sessions rejected > Real-time analytics",
        definition: "How many representative sessions a representative declined, as of the cut-off: distinct sessions of live work items (status 1..7) with closure reason AgentReject (192350001). No channel or participant-record filter.",
        choices: concat!("The real-time DAX sums participant rows whose LeftOnReason is AgentReject, while its filters name the session closure reason 192350001. A consult request a representative declines also leaves a participant row with AgentReject, but it is not a session rejected, so ccsim counts sessions by closure reason, as the filters and the metric's meaning say; the DAX as printed is `dynamics.sessions_rejected.realtime.literal`. ", agent_session_not_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: sessions_rejected_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.sessions_rejected.realtime.literal",
        name: "Sessions rejected (real-time, DAX as printed)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Sessions rejected > Real-time analytics",
        definition: "The real-time DAX as printed: representative participant rows that left with reason AgentReject, in any mode, on live work items (status 1..7). Unlike the chosen reading it also counts consult requests that were declined.",
        choices: "Literal reading of the DAX (participant rows, not sessions); representatives and the status filter as in `dynamics.sessions_rejected.realtime`.",
        rule: None,
        dims: PARTICIPANT_DIMS,
        measure: sessions_rejected_realtime_literal,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.session_rejection_rate.historical",
        name: "Session rejection rate (historical)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session rejection rate > Historical analytics",
        definition: "Of the incoming sessions (see `dynamics.incoming_sessions.historical`), the percentage closed with AgentReject (192350001). Undefined when there are no incoming sessions.",
        choices: concat!("The DAX divides sessions rejected by [Incoming sessions_FactSession]; the text says 'sessions assigned to them'. ccsim takes the rejected sessions among the incoming ones, so the rate is a share of one population (a rejected outbound session, which the count includes, is not in the rate). ", agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: rejection_rate_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.session_rejection_rate.realtime",
        name: "Session rejection rate (real-time)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session rejection rate > Real-time analytics",
        definition: "Of the closed representative sessions of live work items (status 1..7) as of the cut-off, the percentage closed with AgentReject (192350001). Sessions still open are not in the denominator.",
        choices: concat!("The denominator is the DAX's: sessions whose state is Closed (msdyn_state 192350002; in ccsim, the session has ended), so sessions still open are not in it. The filter list labels this 'Agent Rejected session is obtained by msdyn_state'; it is the denominator. No channel or participant-record filter in this variant. ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: rejection_rate_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.sessions_timed_out.historical",
        name: "Sessions timed out (historical)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Sessions timeout > Historical analytics",
        definition: "How many representative sessions expired because the representative neither accepted nor rejected the offer: distinct closed sessions with closure reason AgentTimeout (192350002), outside the Entity Records channel and SMS channel instances, and not seen only through in-transit or hold records.",
        choices: concat!(agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: sessions_timed_out_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.sessions_timed_out.realtime",
        name: "Sessions timed out (real-time)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Sessions timeout > Real-time analytics",
        definition: "Representative participant rows that left with reason AgentTimeout, as of the cut-off. The seed gives no status, channel or participant-record filter for this variant.",
        choices: concat!("The DAX and the filters agree here: participant rows whose msdyn_leftonreason is AgentTimeout, so a consult request left to time out also counts. No live work item filter is listed for this variant, so none is applied. ", agent_session_null!()),
        rule: None,
        dims: PARTICIPANT_DIMS,
        measure: sessions_timed_out_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.session_timeout_rate.historical",
        name: "Session timeout rate (historical)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session timeout rate > Historical analytics",
        definition: "Of the incoming sessions, the percentage closed with AgentTimeout (192350002).",
        choices: concat!("The filter that selects the numerator is labelled 'Agent Rejected session' but gives code 192350002 (AgentTimeout). The metric is the timeout rate and the code is the timeout code, so ccsim uses AgentTimeout; the label read literally (AgentReject) would make it the rejection rate, and is offered as `dynamics.session_timeout_rate.historical.literal`. Denominator as in `dynamics.session_rejection_rate.historical`. ", agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: timeout_rate_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.session_timeout_rate.historical.literal",
        name: "Session timeout rate (historical, filter label as written)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session timeout rate > Historical analytics",
        definition: "The historical timeout rate with its numerator filter read by its label, 'Agent Rejected session' (closure reason AgentReject, 192350001), instead of by its code: of the incoming sessions, the percentage rejected. It equals the historical rejection rate.",
        choices: "Literal reading of the filter's label; everything else as in `dynamics.session_timeout_rate.historical`.",
        rule: None,
        dims: SESSION_DIMS,
        measure: timeout_rate_historical_literal,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.session_timeout_rate.realtime",
        name: "Session timeout rate (real-time)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session timeout rate > Real-time analytics",
        definition: "Of the closed representative sessions as of the cut-off, the percentage closed with AgentTimeout (192350002). No live work item, channel or participant-record filter in this variant.",
        choices: concat!("The real-time DAX divides sessions closed with 192350002 by sessions whose state is Closed; its filter list (copied from sessions timed out) names the participants' LeftOnReason instead. A rate needs one population, so ccsim follows the DAX over sessions; sessions still open are not in the denominator. The seed lists no live work item filter for this variant, so none is applied (the rejection rate's real-time variant has one). ", agent_session_null!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: timeout_rate_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.transferred_sessions.historical",
        name: "Transferred sessions (historical)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Transferred sessions > Historical analytics",
        definition: "Distinct closed sessions with closure reason AgentTransferred (192350006) or AgentTransferToQueue (192350010). The seed gives no other filter for this variant: bot sessions, excluded channels and in-transit legs all count if they closed with those reasons.",
        choices: "Applied exactly as the seed gives it: the closure-reason filter alone (no IsAgentSession, channel or participant-record filter), so it can differ from the numerator of the historical transfer rate.",
        rule: None,
        dims: SESSION_DIMS,
        measure: transferred_sessions_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.transferred_sessions.realtime",
        name: "Transferred sessions (real-time)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Transferred sessions > Real-time analytics",
        definition: "Representative sessions of live work items (status 1..7) transferred out, that is closed with AgentTransferred (192350006) or AgentTransferToQueue (192350010), as of the cut-off.",
        choices: concat!("The DAX sums FactSession[IsTransferredOut]; the filters define it by closure reason 192350006 or 192350010 (under the label 'Agent Rejected session', a copying slip). ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: transferred_sessions_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.session_transfer_rate.historical",
        name: "Session transfer rate (historical)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session transfer rate > Historical analytics",
        definition: "Of the incoming sessions, the percentage closed with AgentTransferred (192350006) or AgentTransferToQueue (192350010).",
        choices: concat!("The DAX's numerator is named [_QueueTransferCount], which suggests queue transfers only; the filter gives 192350006 OR 192350010 and the text counts transfers to a representative, an agent or a queue, so ccsim counts both. Denominator as in `dynamics.session_rejection_rate.historical`. ", agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: transfer_rate_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.session_transfer_rate.realtime",
        name: "Session transfer rate (real-time)",
        family: FAMILY,
        unit: Unit::Percent,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session transfer rate > Real-time analytics",
        definition: "Of the representative sessions of live work items (status 1..7) that a representative accepted (msdyn_agentacceptedon set), as of the cut-off, the percentage transferred out (closure reason 192350006 or 192350010). Accepted sessions still open count in the denominator.",
        choices: concat!("As the DAX: transferred sessions over sessions with an acceptance time (msdyn_agentacceptedon not blank), so accepted sessions still open at the cut-off are in the denominator. ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: transfer_rate_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.incoming_sessions.historical",
        name: "Incoming sessions (historical)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Incoming session",
        definition: "Distinct representative sessions of inbound work items (msdyn_isoutbound not 1): closed sessions outside the Entity Records channel and SMS channel instances, not seen only through in-transit or hold records. This is the denominator of the historical rates.",
        choices: concat!("The section is titled 'Incoming session' and the rates divide by [Incoming sessions_FactSession], but the DAX printed under it is 'Incoming conversations_FactSession', a distinct count of ConversationId. ccsim counts sessions, which the rates need to be shares of sessions; the printed DAX (distinct conversations) is `dynamics.incoming_sessions.historical.literal`, and differs whenever a conversation has several representative sessions (after a rejection, a timeout or a transfer). ", agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: incoming_sessions_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.incoming_sessions.historical.literal",
        name: "Incoming conversations (historical, DAX as printed)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Distinct,
        seed: DYNAMICS,
        section: "Incoming session",
        definition: "The DAX printed under 'Incoming session': distinct work items (conversations) that have at least one incoming session, with the same filters. A conversation is dated by the start of each of its incoming sessions, so it counts once per day (or other time bucket) it had one.",
        choices: "Literal reading of the printed DAX (DISTINCTCOUNTNOBLANK of ConversationId); everything else as in `dynamics.incoming_sessions.historical`.",
        rule: None,
        dims: SESSION_DIMS,
        measure: incoming_sessions_historical_literal,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.time_to_reject.realtime",
        name: "Session time to reject (real-time)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Time to reject (sec)",
        definition: "Average time from a session's assignment to a representative (msdyn_agentassignedon) to its close (msdyn_sessionclosedon), over representative sessions of live work items (status 1..7) closed with AgentReject, as of the cut-off.",
        choices: concat!(sum_not_average!("reject", "TimeToRejectInSeconds", "dynamics.time_to_reject.realtime.literal"), "The time runs from msdyn_agentassignedon to msdyn_sessionclosedon, as the filter says. ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: time_to_reject_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.time_to_reject.realtime.literal",
        name: "Session time to reject (real-time, SUM as printed)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Time to reject (sec)",
        definition: "The DAX as printed, SUM(TimeToRejectInSeconds): the assignment-to-close times of the same sessions, added up.",
        choices: "Literal reading of the DAX (a sum); filters as in `dynamics.time_to_reject.realtime`.",
        rule: None,
        dims: SESSION_DIMS,
        measure: time_to_reject_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.time_to_accept.realtime",
        name: "Session time to accept (real-time)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Session time to accept (sec)",
        definition: "Average time from a session's assignment to a representative (msdyn_agentassignedon) to its acceptance (msdyn_agentacceptedon), over accepted representative sessions of live work items (status 1..7), as of the cut-off.",
        choices: concat!(sum_not_average!("accept", "TimeToAcceptInSeconds", "dynamics.time_to_accept.realtime.literal"), "A session accepted without an assignment time has no time to accept. ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: time_to_accept_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.time_to_accept.realtime.literal",
        name: "Session time to accept (real-time, SUM as printed)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Session time to accept (sec)",
        definition: "The DAX as printed, SUM(TimeToAcceptInSeconds): the assignment-to-acceptance times of the same sessions, added up.",
        choices: "Literal reading of the DAX (a sum); filters as in `dynamics.time_to_accept.realtime`.",
        rule: None,
        dims: SESSION_DIMS,
        measure: time_to_accept_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.session_handle_time.realtime",
        name: "Session handle time (real-time)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Session handle time",
        definition: "Total active time of representatives in the sessions they accepted (msdyn_agentacceptedon set), over representative sessions of live work items (status 1..7), as of the cut-off: sessions still open count up to it.",
        choices: concat!("Active time (msdyn_sessionparticipant.msdyn_activetime) is, in ccsim, the time a representative spends in the session as its primary participant, from joining to leaving; ccsim has no tab-focus events, and the seed's text counts hold and wrap-up time as handling, so holds are not taken out. Consulted representatives' time is theirs, not the session's. ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: session_handle_time_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.avg_session_handle_time.historical",
        name: "Average session handle time (historical, minutes)",
        family: FAMILY,
        unit: Unit::Minutes,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Average session handle time > Historical analytics",
        definition: "Average, over closed representative sessions that a representative accepted and joined, of the representatives' active time in the session, in minutes; outside the Entity Records channel and SMS channel instances, and not seen only through in-transit or hold records.",
        choices: concat!("The DAX also requires FactSession[StatusCode] = \"2\"; ccsim reads it as Dataverse's standard statuscode 2 (Inactive) of the session row, that is a closed session, which every historical row is; the alternative, live work item status 2 (Active), would keep only conversations still in progress, which a historical view does not have. Active time as in `dynamics.session_handle_time.realtime`; hold time stays in (the seed drops hold records from the model and counts hold as handling). ", agent_session_not_null!(), " ", historical_rows!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: avg_session_handle_time_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.avg_session_handle_time.realtime",
        name: "Average session handle time (real-time, seconds)",
        family: FAMILY,
        unit: Unit::Seconds,
        aggregate: Aggregate::Mean,
        seed: DYNAMICS,
        section: "Average session handle time > Real-time analytics",
        definition: "Average, over accepted representative sessions of live work items (status 1..7) as of the cut-off, of the representatives' active time in the session, in seconds; sessions still open count with their time so far.",
        choices: concat!("Same rows and active time as `dynamics.session_handle_time.realtime`, averaged per session (AVERAGE(FactSession[AgentHandlingTimeInSeconds])). ", agent_session_null!(), " ", live_filter!()),
        rule: None,
        dims: SESSION_DIMS,
        measure: avg_session_handle_time_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.consult_requests_rejected.historical",
        name: "Consult requests rejected (historical)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Session participant consult rejection count > Historical analytics",
        definition: "Closed participant rows in consult mode (msdyn_mode 192350003) that left with reason AgentReject: consult requests a participant declined.",
        choices: "Applied exactly as the seed gives it for this variant: mode and left-on reason only, with no representative, channel or participant-record filter.",
        rule: None,
        dims: PARTICIPANT_DIMS,
        measure: consult_requests_rejected_historical,
        counts_open: false,
        available_from: None,
        view: View::Historical,
    },
    MetricDef {
        id: "dynamics.consult_requests_rejected.realtime",
        name: "Consult requests rejected (real-time)",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Session participant consult rejection count > Real-time analytics",
        definition: "Representative participant rows in consult mode (msdyn_mode 192350003) that left with reason AgentReject, as of the cut-off.",
        choices: "The filter defines the participant by systemuser.msdyn_botapplicationid 'isn't null', which literally selects bots; consults are requested of representatives, so ccsim keeps representatives. No live work item filter is listed for this variant.",
        rule: None,
        dims: PARTICIPANT_DIMS,
        measure: consult_requests_rejected_realtime,
        counts_open: true,
        available_from: None,
        view: View::RealTime,
    },
    MetricDef {
        id: "dynamics.session_participant_count",
        name: "Session participant count",
        family: FAMILY,
        unit: Unit::Count,
        aggregate: Aggregate::Sum,
        seed: DYNAMICS,
        section: "Session participant consult rejection count > Related metrics (Session participant count)",
        definition: "Representatives involved in assisting customers: one per participant row of a representative in primary or consult mode who joined the session (did not leave with AgentReject or AgentTimeout). A historical report counts closed rows; a real-time report also counts representatives still in a session at the cut-off.",
        choices: "The seed defines this metric in words only (the primary representative plus consulted subject matter experts), in both dashboards. ccsim leaves out monitors and previews (not assisting), bots, and offers or consult requests that were declined or timed out (the representative never took part). It counts participant rows, so a representative who leaves and rejoins the same session counts twice. No channel or status filter, as none is given.",
        rule: None,
        dims: PARTICIPANT_DIMS,
        measure: session_participant_count,
        counts_open: false,
        available_from: None,
        view: View::Any,
    },
];

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

    #[test]
    fn every_literal_variant_names_its_chosen_reading_and_ids_follow_the_pattern() {
        for m in METRICS {
            assert!(m.id.starts_with("dynamics."), "{}", m.id);
            assert!(!m.choices.is_empty(), "{} records no choice", m.id);
            if let Some(chosen) = m.id.strip_suffix(".literal") {
                assert!(
                    METRICS.iter().any(|c| c.id == chosen),
                    "{} has no chosen variant",
                    m.id
                );
                assert!(
                    m.choices.contains(chosen),
                    "{} does not name {chosen}",
                    m.id
                );
            }
        }
        // Historical variants never count open sessions; real-time ones do.
        for m in METRICS {
            if m.id.contains(".historical") {
                assert!(!m.counts_open, "{}", m.id);
            }
            if m.id.contains(".realtime") {
                assert!(m.counts_open, "{}", m.id);
            }
        }
    }
}
