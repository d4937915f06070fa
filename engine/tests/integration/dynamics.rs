//! Dynamics 365 session metrics beyond the worked examples: the real-time and historical views
//! of one log, each filter on a log built for it, the literal readings of the seed's
//! contradictions next to the chosen ones, and the `dynamics` export read back and recomputed.
//! Each expected figure is worked out by hand in a comment beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use ccsim_engine::codec::JsonlReader;
use ccsim_engine::export::{dynamics as tables, export_file, ExportError, TableSet};
use ccsim_engine::replay::replay;
use ccsim_engine::report::{Report, ReportRequest};

fn run(log: &str, req: ReportRequest) -> Report {
    let mut src = JsonlReader::new(Cursor::new(log.as_bytes().to_vec()), "test.jsonl");
    replay(&mut src, req.to_spec().expect("valid request")).expect("valid log")
}

fn request(metrics: &[&str]) -> ReportRequest {
    ReportRequest {
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
        ..Default::default()
    }
}

/// The ungrouped figure of `metric`.
fn figure(report: &Report, metric: &str) -> f64 {
    match report.value(metric, &[]) {
        Some(Some(v)) => v,
        other => panic!("{metric}: {other:?} in\n{report:#?}"),
    }
}

/// Asserts figures, to within rounding of the last decimal a person would write.
fn expect(report: &Report, cases: &[(&str, f64)]) {
    for (metric, want) in cases {
        let got = figure(report, metric);
        assert!(
            (got - want).abs() < 1e-9 * want.abs().max(1.0),
            "{metric}: expected {want}, computed {got}"
        );
    }
}

fn reference_log_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/examples/dynamics/log.jsonl")
}

fn reference_log() -> String {
    std::fs::read_to_string(reference_log_path()).expect("the reference log")
}

/// Every Dynamics metric id.
fn all_dynamics() -> Vec<&'static str> {
    ccsim_engine::catalog::all()
        .map(|m| m.id)
        .filter(|id| id.starts_with("dynamics."))
        .collect()
}

#[test]
fn as_of_gives_the_real_time_figures_and_a_window_the_historical_ones_on_one_log() {
    // The reference log, worked by hand in scenarios/examples/dynamics/ARITHMETIC.md.
    let log = reference_log();
    let ids = all_dynamics();
    let rt = run(
        &log,
        ReportRequest {
            as_of: Some("2025-06-02T11:00:00Z".into()),
            ..request(&ids)
        },
    );
    expect(
        &rt,
        &[
            // s-01 and s-11 (Entity Records counts in real time; lwi-10 has no status).
            ("dynamics.sessions_rejected.realtime", 2.0),
            // 14 closed representative sessions of live work items, 2 rejected.
            (
                "dynamics.session_rejection_rate.realtime",
                2.0 / 14.0 * 100.0,
            ),
            // cara in s-03, ana in s-13 (SMS instance counts in real time).
            ("dynamics.sessions_timed_out.realtime", 2.0),
            // No status filter here: 16 closed representative sessions, 2 timed out.
            ("dynamics.session_timeout_rate.realtime", 12.5),
            ("dynamics.transferred_sessions.realtime", 2.0),
            // 10 accepted (s-16 open among them), 2 transferred.
            ("dynamics.session_transfer_rate.realtime", 20.0),
            // (20 s + 30 s) / 2.
            ("dynamics.time_to_reject.realtime", 25.0),
            // 177 s over 10 accepted sessions.
            ("dynamics.time_to_accept.realtime", 17.7),
            // 4200 s of closed sessions + 445 s of s-16 up to 11:00.
            ("dynamics.session_handle_time.realtime", 4_645.0),
            ("dynamics.avg_session_handle_time.realtime", 464.5),
            ("dynamics.consult_requests_rejected.realtime", 1.0),
            ("dynamics.session_participant_count", 12.0),
        ],
    );
    assert!(
        rt.notes
            .iter()
            .any(|n| n.contains("open at 2025-06-02T11:00:00Z") && n.contains("1 session")),
        "{:?}",
        rt.notes
    );

    let hist = run(
        &log,
        ReportRequest {
            from: Some("2025-06-02".into()),
            to: Some("2025-06-02".into()),
            ..request(&ids)
        },
    );
    expect(
        &hist,
        &[
            // s-01, s-17, s-19.
            ("dynamics.sessions_rejected.historical", 3.0),
            ("dynamics.incoming_sessions.historical", 13.0),
            (
                "dynamics.session_rejection_rate.historical",
                3.0 / 13.0 * 100.0,
            ),
            ("dynamics.sessions_timed_out.historical", 1.0),
            (
                "dynamics.session_timeout_rate.historical",
                1.0 / 13.0 * 100.0,
            ),
            ("dynamics.transferred_sessions.historical", 2.0),
            (
                "dynamics.session_transfer_rate.historical",
                2.0 / 13.0 * 100.0,
            ),
            // 5060 s over 10 accepted sessions, in minutes.
            ("dynamics.avg_session_handle_time.historical", 506.0 / 60.0),
            ("dynamics.consult_requests_rejected.historical", 1.0),
            ("dynamics.session_participant_count", 13.0),
        ],
    );

    // Historical variants in the real-time report see only what had closed by 11:00: of the
    // 13 incoming sessions, s-16 was open and s-19, s-20 not yet read.
    expect(&rt, &[("dynamics.incoming_sessions.historical", 10.0)]);
    // A window that ends at 11:00 without --as-of keeps s-16 out too (it closes at 11:02:35,
    // but it started inside the window, so it counts once closed): 11 incoming sessions.
    let morning = run(
        &log,
        ReportRequest {
            from: Some("2025-06-02T00:00:00Z".into()),
            to: Some("2025-06-02T11:00:00Z".into()),
            ..request(&["dynamics.incoming_sessions.historical"])
        },
    );
    expect(&morning, &[("dynamics.incoming_sessions.historical", 11.0)]);
}

/// Three conversations on 4 June 2025 for the literal readings:
/// - c1: ana rejects s1 after 30 s; ben accepts s2 after 10 s and handles it 5 min; dan
///   declines a consult in s2.
/// - c2: cara rejects s3 after 10 s; dan accepts s4 after 20 s and handles it 2 min.
/// - c3: a bot session that escalates, then nothing else (the customer leaves).
const LITERAL: &str = r#"
{"type":"contact_started","at":"2025-06-04T09:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-04T09:00:00Z","contact":"c1","status":"open"}
{"type":"session_started","at":"2025-06-04T09:00:00Z","session":"s1","contact":"c1","handler":"agent"}
{"type":"session_offered","at":"2025-06-04T09:00:00Z","session":"s1","agent":"ana"}
{"type":"participant_joined","at":"2025-06-04T09:00:00Z","session":"s1","participant":"ana","kind":"agent","mode":"primary"}
{"type":"participant_left","at":"2025-06-04T09:00:30Z","session":"s1","participant":"ana","reason":"AgentReject"}
{"type":"session_ended","at":"2025-06-04T09:00:30Z","session":"s1","reason":"agent_reject"}
{"type":"session_started","at":"2025-06-04T09:00:30Z","session":"s2","contact":"c1","handler":"agent"}
{"type":"session_offered","at":"2025-06-04T09:00:30Z","session":"s2","agent":"ben"}
{"type":"session_accepted","at":"2025-06-04T09:00:40Z","session":"s2","agent":"ben"}
{"type":"participant_joined","at":"2025-06-04T09:00:40Z","session":"s2","participant":"ben","kind":"agent","mode":"primary"}
{"type":"participant_joined","at":"2025-06-04T09:02:00Z","session":"s2","participant":"dan","kind":"agent","mode":"consult","reason":"AgentConsult"}
{"type":"participant_left","at":"2025-06-04T09:02:10Z","session":"s2","participant":"dan","reason":"agentreject"}
{"type":"session_ended","at":"2025-06-04T09:05:40Z","session":"s2","reason":"agent_closed"}
{"type":"contact_ended","at":"2025-06-04T09:05:40Z","contact":"c1","outcome":"completed"}
{"type":"contact_started","at":"2025-06-04T09:10:00Z","contact":"c2","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-04T09:10:00Z","contact":"c2","status":"open"}
{"type":"session_started","at":"2025-06-04T09:10:00Z","session":"s3","contact":"c2","handler":"agent"}
{"type":"session_offered","at":"2025-06-04T09:10:00Z","session":"s3","agent":"cara"}
{"type":"participant_joined","at":"2025-06-04T09:10:00Z","session":"s3","participant":"cara","kind":"agent","mode":"primary"}
{"type":"participant_left","at":"2025-06-04T09:10:10Z","session":"s3","participant":"cara","reason":"AgentReject"}
{"type":"session_ended","at":"2025-06-04T09:10:10Z","session":"s3","reason":"agent_reject"}
{"type":"session_started","at":"2025-06-04T09:10:10Z","session":"s4","contact":"c2","handler":"agent"}
{"type":"session_offered","at":"2025-06-04T09:10:10Z","session":"s4","agent":"dan"}
{"type":"session_accepted","at":"2025-06-04T09:10:30Z","session":"s4","agent":"dan"}
{"type":"participant_joined","at":"2025-06-04T09:10:30Z","session":"s4","participant":"dan","kind":"agent","mode":"primary"}
{"type":"session_ended","at":"2025-06-04T09:12:30Z","session":"s4","reason":"agent_closed"}
{"type":"contact_ended","at":"2025-06-04T09:12:30Z","contact":"c2","outcome":"completed"}
{"type":"contact_started","at":"2025-06-04T09:20:00Z","contact":"c3","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-04T09:20:00Z","contact":"c3","status":"open"}
{"type":"session_started","at":"2025-06-04T09:20:00Z","session":"b1","contact":"c3","queue":"bot","handler":"bot"}
{"type":"participant_joined","at":"2025-06-04T09:20:00Z","session":"b1","participant":"askbot","kind":"bot","mode":"primary"}
{"type":"session_ended","at":"2025-06-04T09:21:00Z","session":"b1","reason":"bot_transfer_to_agent"}
{"type":"contact_ended","at":"2025-06-04T09:21:00Z","contact":"c3","outcome":"abandoned"}
"#;

#[test]
fn each_literal_reading_changes_its_figure_as_the_catalog_says() {
    let r = run(LITERAL, request(&all_dynamics()));
    // IsAgentSession: representatives rejected s1 and s3; read as written ("bot application
    // id is not null") it selects the bot session b1, which closed BotTransferToAgent: 0.
    expect(
        &r,
        &[
            ("dynamics.sessions_rejected.historical", 2.0),
            ("dynamics.sessions_rejected.historical.literal", 0.0),
        ],
    );
    // Incoming: four representative sessions s1..s4, but two conversations c1, c2.
    expect(
        &r,
        &[
            ("dynamics.incoming_sessions.historical", 4.0),
            ("dynamics.incoming_sessions.historical.literal", 2.0),
        ],
    );
    // Timeout rate: no session timed out (0 %); the filter read by its label ("Agent
    // Rejected") gives the rejection rate, 2 of 4.
    expect(
        &r,
        &[
            ("dynamics.session_timeout_rate.historical", 0.0),
            ("dynamics.session_timeout_rate.historical.literal", 50.0),
            ("dynamics.session_rejection_rate.historical", 50.0),
        ],
    );
    // Time to reject: (30 s + 10 s) / 2 = 20 s on average, 40 s as the printed SUM.
    // Time to accept: (10 s + 20 s) / 2 = 15 s on average, 30 s summed.
    expect(
        &r,
        &[
            ("dynamics.time_to_reject.realtime", 20.0),
            ("dynamics.time_to_reject.realtime.literal", 40.0),
            ("dynamics.time_to_accept.realtime", 15.0),
            ("dynamics.time_to_accept.realtime.literal", 30.0),
        ],
    );
    // Real-time sessions rejected: sessions s1, s3; the printed DAX counts participant rows
    // that left with AgentReject, which takes in dan's declined consult (its reason written
    // in lower case, which DAX compares equal): 3.
    expect(
        &r,
        &[
            ("dynamics.sessions_rejected.realtime", 2.0),
            ("dynamics.sessions_rejected.realtime.literal", 3.0),
            ("dynamics.consult_requests_rejected.historical", 1.0),
        ],
    );
}

/// Filters, on 3 June 2025:
/// - c1 (chat, live): ana rejects s1.
/// - c2 (chat, no work item status): ben rejects s2.
/// - c3 (voice, live): s3 is a queue leg seen only through an in-transit and a hold record
///   (the caller hangs up); s4 is accepted by cara at 09:30:10 and closed at 09:40:10 with a
///   hold record and her participant row.
/// - c4 (Entity Records) and c5 (SMS on a channel instance): each a rejected session.
const FILTERS: &str = r#"
{"type":"contact_started","at":"2025-06-03T09:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-03T09:00:00Z","contact":"c1","status":"open"}
{"type":"session_started","at":"2025-06-03T09:00:00Z","session":"s1","contact":"c1","handler":"agent"}
{"type":"session_offered","at":"2025-06-03T09:00:05Z","session":"s1","agent":"ana"}
{"type":"session_rejected","at":"2025-06-03T09:00:15Z","session":"s1","agent":"ana"}
{"type":"session_ended","at":"2025-06-03T09:00:15Z","session":"s1","reason":"agent_reject"}
{"type":"contact_ended","at":"2025-06-03T09:00:15Z","contact":"c1","outcome":"abandoned"}
{"type":"contact_started","at":"2025-06-03T09:10:00Z","contact":"c2","channel":"chat","direction":"inbound"}
{"type":"session_started","at":"2025-06-03T09:10:00Z","session":"s2","contact":"c2","handler":"agent"}
{"type":"session_offered","at":"2025-06-03T09:10:05Z","session":"s2","agent":"ben"}
{"type":"session_ended","at":"2025-06-03T09:10:25Z","session":"s2","reason":"agent_reject"}
{"type":"contact_ended","at":"2025-06-03T09:10:25Z","contact":"c2","outcome":"abandoned"}
{"type":"contact_started","at":"2025-06-03T09:20:00Z","contact":"c3","channel":"phone","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-03T09:20:00Z","contact":"c3","status":"open"}
{"type":"session_started","at":"2025-06-03T09:20:00Z","session":"s3","contact":"c3","queue":"tier2","handler":"agent"}
{"type":"participant_event","at":"2025-06-03T09:20:00Z","session":"s3","participant":"ana","event_type":"none","reason":"session_transfer_in_transit"}
{"type":"participant_event","at":"2025-06-03T09:20:00Z","session":"s3","participant":"ana","event_type":"hold","reason":"agent_initiated"}
{"type":"session_ended","at":"2025-06-03T09:21:00Z","session":"s3","reason":"customer_disconnect"}
{"type":"session_started","at":"2025-06-03T09:30:00Z","session":"s4","contact":"c3","handler":"agent"}
{"type":"session_offered","at":"2025-06-03T09:30:00Z","session":"s4","agent":"cara"}
{"type":"session_accepted","at":"2025-06-03T09:30:10Z","session":"s4","agent":"cara"}
{"type":"participant_joined","at":"2025-06-03T09:30:10Z","session":"s4","participant":"cara","kind":"agent","mode":"primary"}
{"type":"participant_event","at":"2025-06-03T09:35:00Z","session":"s4","participant":"cara","event_type":"hold","reason":"agent_initiated"}
{"type":"session_ended","at":"2025-06-03T09:40:10Z","session":"s4","reason":"agent_closed"}
{"type":"contact_ended","at":"2025-06-03T09:40:10Z","contact":"c3","outcome":"completed"}
{"type":"contact_started","at":"2025-06-03T09:50:00Z","contact":"c4","channel":"entity_records","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-03T09:50:00Z","contact":"c4","status":"open"}
{"type":"session_started","at":"2025-06-03T09:50:00Z","session":"s5","contact":"c4","handler":"agent"}
{"type":"session_offered","at":"2025-06-03T09:50:00Z","session":"s5","agent":"dan"}
{"type":"session_ended","at":"2025-06-03T09:50:40Z","session":"s5","reason":"agent_reject"}
{"type":"contact_ended","at":"2025-06-03T09:50:40Z","contact":"c4","outcome":"abandoned"}
{"type":"contact_started","at":"2025-06-03T09:55:00Z","contact":"c5","channel":"sms","direction":"inbound","channel_instance":"+15550100"}
{"type":"work_item_status_changed","at":"2025-06-03T09:55:00Z","contact":"c5","status":"open"}
{"type":"session_started","at":"2025-06-03T09:55:00Z","session":"s6","contact":"c5","handler":"agent"}
{"type":"session_offered","at":"2025-06-03T09:55:00Z","session":"s6","agent":"dan"}
{"type":"session_ended","at":"2025-06-03T09:55:20Z","session":"s6","reason":"agent_reject"}
{"type":"contact_ended","at":"2025-06-03T09:55:20Z","contact":"c5","outcome":"abandoned"}
"#;

#[test]
fn each_filter_removes_what_the_seed_says_and_only_in_its_variant() {
    let r = run(FILTERS, request(&all_dynamics()));
    // Historical: rejected s1 and s2 (no status filter here); s5 is Entity Records and s6 an
    // SMS instance. Incoming: s1, s2, s4; s3 has only in-transit and hold records, while s4
    // keeps its hold record's session through cara's participant row.
    expect(
        &r,
        &[
            ("dynamics.sessions_rejected.historical", 2.0),
            ("dynamics.incoming_sessions.historical", 3.0),
            (
                "dynamics.session_rejection_rate.historical",
                2.0 / 3.0 * 100.0,
            ),
        ],
    );
    // Real-time: rejected s1, s5, s6 (no channel filter); s2's work item has no status, so it
    // is not a live work item. Rejection rate: closed representative sessions of live work
    // items s1, s3, s4, s5, s6 (s3 counts: no participant-record filter here), 3 rejected.
    expect(
        &r,
        &[
            ("dynamics.sessions_rejected.realtime", 3.0),
            (
                "dynamics.session_rejection_rate.realtime",
                3.0 / 5.0 * 100.0,
            ),
            // Time to reject: s1 10 s, s5 40 s, s6 20 s; s2 (20 s) is not live: 70 / 3.
            ("dynamics.time_to_reject.realtime", 70.0 / 3.0),
        ],
    );
    // Handle time: cara in s4 from 09:30:10 to 09:40:10, the hold inside it kept: 600 s, or
    // 10 minutes in the historical average.
    expect(
        &r,
        &[
            ("dynamics.session_handle_time.realtime", 600.0),
            ("dynamics.avg_session_handle_time.historical", 10.0),
        ],
    );
}

/// One chat accepted by ana at 10:00:10 after a 10 s offer, never closed in the log; a
/// second chat accepted by ben at 10:01:00, closed at 10:03:00.
const OPEN: &str = r#"
{"type":"contact_started","at":"2025-06-05T10:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-05T10:00:00Z","contact":"c1","status":"open"}
{"type":"session_started","at":"2025-06-05T10:00:00Z","session":"s1","contact":"c1","handler":"agent"}
{"type":"session_offered","at":"2025-06-05T10:00:00Z","session":"s1","agent":"ana"}
{"type":"session_accepted","at":"2025-06-05T10:00:10Z","session":"s1","agent":"ana"}
{"type":"participant_joined","at":"2025-06-05T10:00:10Z","session":"s1","participant":"ana","kind":"agent","mode":"primary"}
{"type":"work_item_status_changed","at":"2025-06-05T10:00:10Z","contact":"c1","status":"active"}
{"type":"contact_started","at":"2025-06-05T10:01:00Z","contact":"c2","channel":"chat","direction":"inbound"}
{"type":"work_item_status_changed","at":"2025-06-05T10:01:00Z","contact":"c2","status":"open"}
{"type":"session_started","at":"2025-06-05T10:01:00Z","session":"s2","contact":"c2","handler":"agent"}
{"type":"session_offered","at":"2025-06-05T10:01:00Z","session":"s2","agent":"ben"}
{"type":"session_accepted","at":"2025-06-05T10:01:00Z","session":"s2","agent":"ben"}
{"type":"participant_joined","at":"2025-06-05T10:01:00Z","session":"s2","participant":"ben","kind":"agent","mode":"primary"}
{"type":"session_ended","at":"2025-06-05T10:03:00Z","session":"s2","reason":"agent_closed"}
{"type":"contact_ended","at":"2025-06-05T10:03:00Z","contact":"c2","outcome":"completed"}
"#;

#[test]
fn open_sessions_count_up_to_the_cut_off_in_real_time_and_never_in_historical_variants() {
    let ids = all_dynamics();
    // As of 10:02: ana has handled s1 for 110 s (10:00:10-10:02:00), ben s2 for 60 s and it
    // is still open too. Both accepted, so the transfer-rate denominator is 2.
    let at_10_02 = run(
        OPEN,
        ReportRequest {
            as_of: Some("2025-06-05T10:02:00Z".into()),
            ..request(&ids)
        },
    );
    expect(
        &at_10_02,
        &[
            ("dynamics.session_handle_time.realtime", 170.0),
            ("dynamics.avg_session_handle_time.realtime", 85.0),
            ("dynamics.session_transfer_rate.realtime", 0.0),
            ("dynamics.session_participant_count", 2.0),
            // Historical variants leave open sessions out even in a real-time report.
            ("dynamics.incoming_sessions.historical", 0.0),
        ],
    );
    // The whole log without --as-of: s1 is still open at the last event, 10:03:00. Real-time
    // variants count it up to there: ana's 170 s (10:00:10-10:03:00) plus ben's 120 s
    // (10:01:00-10:03:00) = 290 s. Historical ones see only s2: one session of 2 minutes, and
    // ben's closed participant row.
    let end = run(OPEN, request(&ids));
    expect(
        &end,
        &[
            ("dynamics.session_handle_time.realtime", 290.0),
            ("dynamics.incoming_sessions.historical", 1.0),
            ("dynamics.avg_session_handle_time.historical", 2.0),
            ("dynamics.session_participant_count", 1.0),
        ],
    );
}

#[test]
fn an_open_session_takes_the_status_its_contact_has_at_the_cut_off() {
    // c1 has no work item status while s1's events arrive; it becomes Active at 10:00:30,
    // after s1's last event. As of 10:02, s1 is still open and its work item is live (status
    // code 2, within the real-time filter's 1-7), so the real-time figures count it: ana's
    // time from joining at 10:00:10 to the cut-off, 110 s, and 10 s from offer to accept.
    // A session that kept the status it saw last (none) would count for neither.
    let log = r#"
{"type":"contact_started","at":"2025-06-05T10:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"session_started","at":"2025-06-05T10:00:00Z","session":"s1","contact":"c1","handler":"agent"}
{"type":"session_offered","at":"2025-06-05T10:00:00Z","session":"s1","agent":"ana"}
{"type":"session_accepted","at":"2025-06-05T10:00:10Z","session":"s1","agent":"ana"}
{"type":"participant_joined","at":"2025-06-05T10:00:10Z","session":"s1","participant":"ana","kind":"agent","mode":"primary"}
{"type":"work_item_status_changed","at":"2025-06-05T10:00:30Z","contact":"c1","status":"active"}
"#;
    let as_of = |at: &str| ReportRequest {
        as_of: Some(at.into()),
        ..request(&[
            "dynamics.session_handle_time.realtime",
            "dynamics.time_to_accept.realtime",
        ])
    };
    expect(
        &run(log, as_of("2025-06-05T10:02:00Z")),
        &[
            ("dynamics.session_handle_time.realtime", 110.0),
            ("dynamics.time_to_accept.realtime", 10.0),
        ],
    );
}

// ---- the export, read back ------------------------------------------------------------------

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, LF or CRLF line ends).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "the file ends mid-row");
    rows
}

/// A table as rows keyed by column, checking the header against the documented columns.
fn read_table(dir: &Path, file: &str, columns: &[&str]) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join(file)).expect("table written");
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().expect("a header row");
    assert_eq!(header, columns, "{file}: header");
    rows.map(|r| {
        assert_eq!(r.len(), header.len(), "{file}: {r:?}");
        header.iter().cloned().zip(r).collect()
    })
    .collect()
}

/// The exported tables, and the Power BI-style model the seed's DAX runs on.
struct Model {
    work_items: BTreeMap<String, BTreeMap<String, String>>,
    sessions: Vec<BTreeMap<String, String>>,
    participants: Vec<BTreeMap<String, String>>,
    events: Vec<BTreeMap<String, String>>,
    bots: BTreeSet<String>,
}

impl Model {
    fn load(dir: &Path) -> Model {
        let work_items = read_table(dir, tables::LIVE_WORK_ITEMS, tables::LIVE_WORK_ITEM_COLUMNS)
            .into_iter()
            .map(|r| (r["msdyn_ocliveworkitemid"].clone(), r))
            .collect();
        let bots = read_table(dir, tables::USERS, tables::USER_COLUMNS)
            .into_iter()
            .filter(|u| !u["msdyn_botapplicationid"].is_empty())
            .map(|u| u["systemuserid"].clone())
            .collect();
        Model {
            work_items,
            sessions: read_table(dir, tables::SESSIONS, tables::SESSION_COLUMNS),
            participants: read_table(dir, tables::PARTICIPANTS, tables::PARTICIPANT_COLUMNS),
            events: read_table(
                dir,
                tables::PARTICIPANT_EVENTS,
                tables::PARTICIPANT_EVENT_COLUMNS,
            ),
            bots,
        }
    }

    fn work_item(&self, s: &BTreeMap<String, String>) -> &BTreeMap<String, String> {
        &self.work_items[&s["msdyn_liveworkitemid"]]
    }

    /// The seed's historical filters, from the tables alone: a closed representative session
    /// outside Entity Records and channel instances that has a participant row, another kind
    /// of participant event, or no participant event at all.
    fn historical_row(&self, s: &BTreeMap<String, String>) -> bool {
        let id = &s["msdyn_sessionid"];
        let w = self.work_item(s);
        let rows = self
            .participants
            .iter()
            .filter(|p| &p["msdyn_sessionid"] == id)
            .count();
        let events: Vec<_> = self
            .events
            .iter()
            .filter(|e| &e["msdyn_sessionid"] == id)
            .collect();
        let kept_events = events
            .iter()
            .filter(|e| {
                e["msdyn_eventreason"] != "192350001" && e["msdyn_eventtype"] != "192350001"
            })
            .count();
        s["ccsim_handlerkind"] == "agent"
            && s["msdyn_state"] == "192350002"
            && w["msdyn_channel"] != "192350000"
            && w["msdyn_channelinstanceid"].is_empty()
            && (rows > 0 || kept_events > 0 || events.is_empty())
    }

    /// Sessions rejected (historical): DISTINCTCOUNT(SessionId) with closure 192350001.
    fn sessions_rejected(&self) -> f64 {
        let ids: BTreeSet<&String> = self
            .sessions
            .iter()
            .filter(|s| self.historical_row(s) && s["msdyn_closurereason"] == "192350001")
            .map(|s| &s["msdyn_sessionid"])
            .collect();
        ids.len() as f64
    }

    /// Incoming sessions (historical): rows of inbound work items.
    fn incoming_sessions(&self) -> f64 {
        let ids: BTreeSet<&String> = self
            .sessions
            .iter()
            .filter(|s| self.historical_row(s) && self.work_item(s)["msdyn_isoutbound"] == "0")
            .map(|s| &s["msdyn_sessionid"])
            .collect();
        ids.len() as f64
    }

    /// A session's handle time: its representatives' msdyn_activetime as primary participants
    /// that joined, when the session was accepted.
    fn handle_time(&self, s: &BTreeMap<String, String>) -> Option<f64> {
        if s["msdyn_agentacceptedon"].is_empty() {
            return None;
        }
        let times: Vec<f64> = self
            .participants
            .iter()
            .filter(|p| {
                p["msdyn_sessionid"] == s["msdyn_sessionid"]
                    && p["msdyn_mode"] == "192350002"
                    && !p["msdyn_joinedon"].is_empty()
                    && !self.bots.contains(&p["msdyn_agentid"])
            })
            .map(|p| p["msdyn_activetime"].parse::<f64>().expect("seconds"))
            .collect();
        (!times.is_empty()).then(|| times.iter().sum())
    }

    /// Average session handle time (historical), in minutes.
    fn avg_handle_minutes(&self) -> f64 {
        let times: Vec<f64> = self
            .sessions
            .iter()
            .filter(|s| self.historical_row(s))
            .filter_map(|s| self.handle_time(s))
            .collect();
        times.iter().sum::<f64>() / times.len() as f64 / 60.0
    }

    /// Session handle time (real-time): representative sessions of work items with status
    /// code 1..7, open ones included.
    fn realtime_handle_time(&self) -> f64 {
        self.sessions
            .iter()
            .filter(|s| s["ccsim_handlerkind"] == "agent")
            .filter(|s| {
                self.work_item(s)["statuscode"]
                    .parse::<u32>()
                    .is_ok_and(|c| (1..=7).contains(&c))
            })
            .filter_map(|s| self.handle_time(s))
            .sum()
    }
}

#[test]
fn the_export_round_trips_three_metrics_to_the_same_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exported = export_file(
        &reference_log_path(),
        None,
        TableSet::Dynamics,
        dir.path(),
        None,
    )
    .expect("export");
    // 11 work items, 20 sessions, 21 participant rows, 3 participant events, 5 users.
    let rows: Vec<u64> = exported.tables.iter().map(|(_, n)| *n).collect();
    assert_eq!(rows, vec![11, 20, 21, 3, 5]);
    let names: BTreeSet<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            tables::LIVE_WORK_ITEMS,
            tables::SESSIONS,
            tables::PARTICIPANTS,
            tables::PARTICIPANT_EVENTS,
            tables::USERS
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        "only the five tables, no temporary files"
    );

    let model = Model::load(dir.path());
    let report = run(
        &reference_log(),
        request(&[
            "dynamics.sessions_rejected.historical",
            "dynamics.incoming_sessions.historical",
            "dynamics.avg_session_handle_time.historical",
        ]),
    );
    // The same figures from the CSVs as from the log: 3 rejected, 13 incoming, 506 s / 60.
    for (metric, from_tables, by_hand) in [
        (
            "dynamics.sessions_rejected.historical",
            model.sessions_rejected(),
            3.0,
        ),
        (
            "dynamics.incoming_sessions.historical",
            model.incoming_sessions(),
            13.0,
        ),
        (
            "dynamics.avg_session_handle_time.historical",
            model.avg_handle_minutes(),
            506.0 / 60.0,
        ),
    ] {
        let engine = figure(&report, metric);
        assert!(
            (from_tables - engine).abs() < 1e-9,
            "{metric}: tables {from_tables}, engine {engine}"
        );
        assert!(
            (engine - by_hand).abs() < 1e-9,
            "{metric}: engine {engine}, by hand {by_hand}"
        );
    }

    // An export as of 11:00 carries the open session s-16 as an open row (no close time,
    // state Active, dan's 445 s so far), so the real-time handle time recomputes to 4645 s.
    let rt_dir = tempfile::tempdir().expect("temp dir");
    export_file(
        &reference_log_path(),
        None,
        TableSet::Dynamics,
        rt_dir.path(),
        Some("2025-06-02T11:00:00Z"),
    )
    .expect("export as of 11:00");
    let rt = Model::load(rt_dir.path());
    let s16 = rt
        .sessions
        .iter()
        .find(|s| s["msdyn_sessionid"] == "s-16")
        .expect("s-16 exported");
    assert_eq!(s16["msdyn_sessionclosedon"], "");
    assert_eq!(s16["msdyn_state"], tables::STATE_ACTIVE.to_string());
    assert_eq!(rt.handle_time(s16), Some(445.0));
    let engine = figure(
        &run(
            &reference_log(),
            ReportRequest {
                as_of: Some("2025-06-02T11:00:00Z".into()),
                ..request(&["dynamics.session_handle_time.realtime"])
            },
        ),
        "dynamics.session_handle_time.realtime",
    );
    assert_eq!(rt.realtime_handle_time(), engine);
    assert_eq!(engine, 4_645.0);
}

#[test]
fn a_failed_export_leaves_no_table_half_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A table already there from an earlier export.
    let earlier = dir.path().join(tables::SESSIONS);
    std::fs::write(&earlier, "earlier\n").expect("write");

    // A log that contradicts itself on its last line: nothing is written.
    let bad = dir.path().join("bad.jsonl");
    let mut text = reference_log();
    text.push_str(
        "{\"type\":\"session_accepted\",\"at\":\"2025-06-02T12:00:00Z\",\"session\":\"s-01\",\"agent\":\"ana\"}\n",
    );
    std::fs::write(&bad, text).expect("write");
    let err = export_file(&bad, None, TableSet::Dynamics, dir.path(), None)
        .expect_err("the log is inconsistent");
    assert!(matches!(err, ExportError::Replay(_)), "{err}");
    assert!(err.to_string().contains("bad.jsonl, line 179"), "{err}");
    let files: BTreeSet<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files,
        ["bad.jsonl", tables::SESSIONS]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(
        std::fs::read_to_string(&earlier).expect("read"),
        "earlier\n"
    );

    // A table name taken by a folder: one clear error naming it, no temporary file left, and
    // every table present is complete.
    let blocked = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(blocked.path().join(tables::PARTICIPANTS)).expect("mkdir");
    std::fs::write(blocked.path().join(tables::PARTICIPANTS).join("keep"), "x").expect("write");
    let err = export_file(
        &reference_log_path(),
        None,
        TableSet::Dynamics,
        blocked.path(),
        None,
    )
    .expect_err("cannot replace a folder");
    let message = err.to_string();
    assert!(
        message.contains(tables::PARTICIPANTS) && message.contains("expected a writable folder"),
        "{message}"
    );
    for entry in std::fs::read_dir(blocked.path()).expect("read dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(!name.starts_with(".ccsim-"), "temporary file left: {name}");
        if name.ends_with(".csv") && name != tables::PARTICIPANTS {
            let text = std::fs::read_to_string(blocked.path().join(&name)).expect("read");
            assert!(text.ends_with('\n'), "{name} is cut short");
        }
    }

    // A folder that does not exist, and a file given as the folder.
    let err = export_file(
        &reference_log_path(),
        None,
        TableSet::Dynamics,
        &dir.path().join("missing"),
        None,
    )
    .expect_err("no folder");
    assert!(err.to_string().contains("no such folder"), "{err}");
    let err = export_file(&reference_log_path(), None, TableSet::Dynamics, &bad, None)
        .expect_err("a file is not a folder");
    assert!(err.to_string().contains("is not a folder"), "{err}");
}
