//! Gladly handle time, concurrency and occupancy beyond the worked examples: every metric of
//! the family grouped by agent and day and by channel and interval in a reporting zone whose
//! offset is not a whole hour, the two readings of after-contact time on one log, real-time
//! against historical views, and the edge cases of attribution (tabs, logout, a contact whose
//! conversation closed). Each case is a log with its figures worked out by hand beside it.

use std::io::Cursor;

use ccsim_engine::catalog;
use ccsim_engine::codec::JsonlReader;
use ccsim_engine::measure::def::Dim;
use ccsim_engine::replay::replay;
use ccsim_engine::report::{Report, ReportRequest};

fn run(log: &str, req: ReportRequest) -> Report {
    let mut src = JsonlReader::new(Cursor::new(log.as_bytes().to_vec()), "test.jsonl");
    replay(&mut src, req.to_spec().expect("valid request")).expect("valid log")
}

/// Every metric of the family, by id.
fn family() -> Vec<String> {
    catalog::all()
        .filter(|m| m.family == "Gladly handle time, concurrency and occupancy")
        .map(|m| m.id.to_string())
        .collect()
}

/// An expected figure: metric, group filter, value (`None`: undefined).
type Figure<'a> = (&'a str, &'a [(Dim, &'a str)], Option<f64>);

/// Asserts figures (to a thousandth, for ratios such as 55/30).
fn expect(report: &Report, cases: &[Figure<'_>]) {
    for (metric, filter, want) in cases {
        let got = report.value(metric, filter);
        let ok = match (got, want) {
            (Some(Some(g)), Some(w)) => (g - w).abs() < 1e-3,
            (Some(None), None) => true,
            _ => false,
        };
        assert!(
            ok,
            "{metric} {filter:?}: got {got:?}, want {want:?} in\n{report:#?}"
        );
    }
}

/// Minutes as seconds, the unit of every duration in a report.
fn min(m: f64) -> Option<f64> {
    Some(m * 60.0)
}

/// Ana (logged in, available on chat 18:00-19:10 UTC) and Sam (a viewer the log never logs
/// in, taken as active) around midnight in Kathmandu (UTC+05:45: midnight is 18:15 UTC, and
/// 30-minute intervals start at :15 and :45 UTC).
///
/// Cleo's chat runs 18:00-18:50 (conversation closed at 19:00); Dan's SMS 18:00-19:00.
/// Ana: Cleo 18:05-18:20 (chat), Dan 18:20-18:40 (SMS; task panel 18:25-18:35), no profile
/// 18:40-18:45, Cleo 18:45-19:00 (chat to 18:50, then after-contact time, available).
/// Sam: Dan 18:30-18:35 (SMS), never joins.
/// Work sessions: Ana on chat 18:05-18:50, on SMS 18:20-18:40; Sam on SMS 18:30-18:35.
const NIGHT: &str = r#"
{"type":"agent_logged_in","at":"2021-05-03T18:00:00Z","agent":"ana"}
{"type":"agent_available","at":"2021-05-03T18:00:00Z","agent":"ana","channel":"chat"}
{"type":"conversation_opened","at":"2021-05-03T18:00:00Z","conversation":"conv-1","customer":"cleo"}
{"type":"contact_started","at":"2021-05-03T18:00:00Z","contact":"chat-1","conversation":"conv-1","channel":"chat","direction":"inbound"}
{"type":"conversation_opened","at":"2021-05-03T18:00:00Z","conversation":"conv-2","customer":"dan"}
{"type":"contact_started","at":"2021-05-03T18:00:00Z","contact":"sms-2","conversation":"conv-2","channel":"sms","direction":"inbound"}
{"type":"contact_fulfilled","at":"2021-05-03T18:05:00Z","contact":"chat-1","agent":"ana"}
{"type":"profile_view_started","at":"2021-05-03T18:05:00Z","agent":"ana","customer":"cleo"}
{"type":"profile_view_ended","at":"2021-05-03T18:20:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_fulfilled","at":"2021-05-03T18:20:00Z","contact":"sms-2","agent":"ana"}
{"type":"profile_view_started","at":"2021-05-03T18:20:00Z","agent":"ana","customer":"dan"}
{"type":"task_panel_opened","at":"2021-05-03T18:25:00Z","agent":"ana","customer":"dan"}
{"type":"profile_view_started","at":"2021-05-03T18:30:00Z","agent":"sam","customer":"dan"}
{"type":"profile_view_ended","at":"2021-05-03T18:35:00Z","agent":"sam","customer":"dan"}
{"type":"task_panel_closed","at":"2021-05-03T18:35:00Z","agent":"ana","customer":"dan"}
{"type":"profile_view_ended","at":"2021-05-03T18:40:00Z","agent":"ana","customer":"dan"}
{"type":"profile_view_started","at":"2021-05-03T18:45:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_ended","at":"2021-05-03T18:50:00Z","contact":"chat-1","outcome":"completed"}
{"type":"conversation_closed","at":"2021-05-03T19:00:00Z","conversation":"conv-1","by":"agent","agent":"ana"}
{"type":"profile_view_ended","at":"2021-05-03T19:00:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_ended","at":"2021-05-03T19:00:00Z","contact":"sms-2","outcome":"completed"}
{"type":"conversation_closed","at":"2021-05-03T19:00:00Z","conversation":"conv-2","by":"agent","agent":"ana"}
{"type":"agent_unavailable","at":"2021-05-03T19:10:00Z","agent":"ana","channel":"chat"}
{"type":"agent_logged_out","at":"2021-05-03T19:10:00Z","agent":"ana","trigger":"manual"}
"#;

#[test]
fn every_metric_groups_by_agent_and_day_in_kathmandu() {
    let report = run(
        NIGHT,
        ReportRequest {
            tz: Some("Asia/Kathmandu".into()),
            group_by: vec!["agent".into(), "day".into()],
            metrics: family(),
            ..Default::default()
        },
    );
    let ana3: &[(Dim, &str)] = &[(Dim::Agent, "ana"), (Dim::Day, "2021-05-03")];
    let ana4: &[(Dim, &str)] = &[(Dim::Agent, "ana"), (Dim::Day, "2021-05-04")];
    let sam4: &[(Dim, &str)] = &[(Dim::Agent, "sam"), (Dim::Day, "2021-05-04")];
    expect(
        &report,
        &[
            // Ana on 3 May (before 18:15 UTC): chat 18:05-18:15.
            ("gladly.customer_handle_time", ana3, min(10.0)),
            ("gladly.conversation_handle_time", ana3, min(10.0)),
            ("gladly.contact_handle_time", ana3, min(10.0)),
            ("gladly.work_session_handle_time", ana3, min(10.0)),
            ("gladly.total_contact_time", ana3, min(10.0)),
            // Numerator: the chat's span 18:05-18:50 cut at midnight; handle time 10 min.
            ("gladly.messaging_work_session_time", ana3, min(10.0)),
            ("gladly.messaging_contact_handle_time", ana3, min(10.0)),
            ("gladly.messaging_work_session_union", ana3, min(10.0)),
            ("gladly.messaging_concurrency", ana3, Some(1.0)),
            ("gladly.messaging_concurrency_union", ana3, Some(1.0)),
            // Available 18:00-18:15; occupancy 10 / 15.
            ("gladly.available_time", ana3, min(15.0)),
            ("gladly.occupancy", ana3, Some(100.0 * 10.0 / 15.0)),
            // Ana on 4 May: chat 18:15-18:20 (5) + SMS 18:20-18:40 (20) + chat 18:45-18:50
            // (5) + after-contact 18:50-19:00 (10).
            ("gladly.customer_handle_time", ana4, min(40.0)),
            ("gladly.conversation_handle_time", ana4, min(40.0)),
            ("gladly.contact_handle_time", ana4, min(30.0)),
            ("gladly.work_session_handle_time", ana4, min(30.0)),
            ("gladly.after_contact_time", ana4, min(10.0)),
            ("gladly.total_contact_time", ana4, min(40.0)),
            ("gladly.task_handle_time", ana4, min(10.0)),
            // Numerator: chat 18:15-18:50 (35) + SMS 18:20-18:40 (20) = 55; handle time 30;
            // union 18:15-18:50 = 35.
            ("gladly.messaging_work_session_time", ana4, min(55.0)),
            ("gladly.messaging_contact_handle_time", ana4, min(30.0)),
            ("gladly.messaging_work_session_union", ana4, min(35.0)),
            ("gladly.messaging_concurrency", ana4, Some(55.0 / 30.0)),
            (
                "gladly.messaging_concurrency_union",
                ana4,
                Some(55.0 / 35.0),
            ),
            // Available 18:15-19:10 = 55; occupancy 40 / 55.
            ("gladly.available_time", ana4, min(55.0)),
            ("gladly.occupancy", ana4, Some(100.0 * 40.0 / 55.0)),
            // Sam: 5 min on Dan's SMS, not joined, never available.
            ("gladly.customer_handle_time", sam4, min(5.0)),
            ("gladly.contact_handle_time", sam4, min(5.0)),
            ("gladly.total_contact_time", sam4, min(5.0)),
            ("gladly.messaging_work_session_time", sam4, min(5.0)),
            ("gladly.messaging_work_session_union", sam4, min(5.0)),
            ("gladly.messaging_concurrency", sam4, Some(1.0)),
            ("gladly.occupancy", sam4, None),
        ],
    );
    // Sam never joined, so has no work-session time; no after-contact time on 3 May.
    assert_eq!(report.value("gladly.work_session_handle_time", sam4), None);
    assert_eq!(report.value("gladly.after_contact_time", ana3), None);
}

#[test]
fn every_metric_groups_by_channel_and_interval_in_kathmandu() {
    let report = run(
        NIGHT,
        ReportRequest {
            tz: Some("Asia/Kathmandu".into()),
            group_by: vec!["channel".into(), "interval".into()],
            metrics: family(),
            ..Default::default()
        },
    );
    // 30-minute intervals of Kathmandu: 17:45-18:15, 18:15-18:45, 18:45-19:15 UTC.
    let chat1: &[(Dim, &str)] = &[
        (Dim::Channel, "chat"),
        (Dim::Interval, "2021-05-03T23:30+05:45"),
    ];
    let chat2: &[(Dim, &str)] = &[
        (Dim::Channel, "chat"),
        (Dim::Interval, "2021-05-04T00:00+05:45"),
    ];
    let chat3: &[(Dim, &str)] = &[
        (Dim::Channel, "chat"),
        (Dim::Interval, "2021-05-04T00:30+05:45"),
    ];
    let sms2: &[(Dim, &str)] = &[
        (Dim::Channel, "sms"),
        (Dim::Interval, "2021-05-04T00:00+05:45"),
    ];
    expect(
        &report,
        &[
            // Chat: contact 18:05-18:15 | 18:15-18:20 | 18:45-18:50, after-contact 18:50-19:00.
            ("gladly.customer_handle_time", chat1, min(10.0)),
            ("gladly.customer_handle_time", chat2, min(5.0)),
            ("gladly.customer_handle_time", chat3, min(15.0)),
            ("gladly.conversation_handle_time", chat3, min(15.0)),
            ("gladly.contact_handle_time", chat1, min(10.0)),
            ("gladly.contact_handle_time", chat2, min(5.0)),
            ("gladly.contact_handle_time", chat3, min(5.0)),
            ("gladly.work_session_handle_time", chat3, min(5.0)),
            ("gladly.after_contact_time", chat3, min(10.0)),
            ("gladly.total_contact_time", chat3, min(15.0)),
            // The chat's span 18:05-18:50 cut into 10 | 30 | 5; its own union is the same.
            ("gladly.messaging_work_session_time", chat1, min(10.0)),
            ("gladly.messaging_work_session_time", chat2, min(30.0)),
            ("gladly.messaging_work_session_time", chat3, min(5.0)),
            ("gladly.messaging_contact_handle_time", chat2, min(5.0)),
            ("gladly.messaging_work_session_union", chat2, min(30.0)),
            ("gladly.messaging_concurrency", chat2, Some(6.0)),
            ("gladly.messaging_concurrency_union", chat2, Some(1.0)),
            // Ana's chat availability 18:00-19:10: 15 | 30 | 25.
            ("gladly.available_time", chat1, min(15.0)),
            ("gladly.available_time", chat2, min(30.0)),
            ("gladly.available_time", chat3, min(25.0)),
            ("gladly.occupancy", chat1, Some(100.0 * 10.0 / 15.0)),
            ("gladly.occupancy", chat2, Some(100.0 * 5.0 / 30.0)),
            ("gladly.occupancy", chat3, Some(100.0 * 15.0 / 25.0)),
            // SMS, all in 18:15-18:45: Ana 20 min (task panel 10), Sam 5 min.
            ("gladly.customer_handle_time", sms2, min(25.0)),
            ("gladly.contact_handle_time", sms2, min(25.0)),
            ("gladly.work_session_handle_time", sms2, min(20.0)),
            ("gladly.task_handle_time", sms2, min(10.0)),
            ("gladly.messaging_work_session_time", sms2, min(25.0)),
            ("gladly.messaging_contact_handle_time", sms2, min(25.0)),
            // Each agent's union counts for that agent: 20 + 5.
            ("gladly.messaging_work_session_union", sms2, min(25.0)),
            ("gladly.messaging_concurrency", sms2, Some(1.0)),
            ("gladly.messaging_concurrency_union", sms2, Some(1.0)),
            // No one was available on SMS: occupancy is undefined there.
            ("gladly.occupancy", sms2, None),
        ],
    );
}

/// G-OCC-2's log: a call 09:05-09:20 with Ana available on phone 09:00-09:20, then 20 min on
/// the profile while unavailable on every channel, until the close at 09:40.
const UNAVAILABLE_WRAP_UP: &str = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_available","at":"2021-05-03T09:00:00Z","agent":"ana","channel":"phone"}
{"type":"conversation_opened","at":"2021-05-03T09:05:00Z","conversation":"conv-1","customer":"cleo"}
{"type":"contact_started","at":"2021-05-03T09:05:00Z","contact":"call-1","conversation":"conv-1","channel":"phone","direction":"inbound"}
{"type":"profile_view_started","at":"2021-05-03T09:05:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_ended","at":"2021-05-03T09:20:00Z","contact":"call-1","outcome":"completed"}
{"type":"agent_unavailable","at":"2021-05-03T09:20:00Z","agent":"ana","channel":"phone"}
{"type":"conversation_closed","at":"2021-05-03T09:40:00Z","conversation":"conv-1","by":"agent","agent":"ana"}
{"type":"profile_view_ended","at":"2021-05-03T09:40:00Z","agent":"ana","customer":"cleo"}
{"type":"agent_logged_out","at":"2021-05-03T09:45:00Z","agent":"ana","trigger":"manual"}
"#;

#[test]
fn both_readings_of_after_contact_time_on_one_log() {
    let default = run(UNAVAILABLE_WRAP_UP, ReportRequest::default());
    // The definition: no after-contact time while unavailable; 15 / 20 = 75 %.
    expect(
        &default,
        &[
            ("gladly.after_contact_time", &[], min(0.0)),
            ("gladly.total_contact_time", &[], min(15.0)),
            ("gladly.conversation_handle_time", &[], min(35.0)),
            ("gladly.occupancy", &[], Some(75.0)),
        ],
    );
    assert!(
        default
            .notes
            .iter()
            .any(|n| n.contains("after_contact=while_available (the default reading)")),
        "{:?}",
        default.notes
    );
    // The occupancy section's reading: 09:20-09:40 is after-contact time; 35 / 20 = 175 %.
    let fixed = run(
        UNAVAILABLE_WRAP_UP,
        ReportRequest {
            definitions: vec!["after_contact=unavailable_too".into()],
            ..Default::default()
        },
    );
    expect(
        &fixed,
        &[
            ("gladly.after_contact_time", &[], min(20.0)),
            ("gladly.total_contact_time", &[], min(35.0)),
            ("gladly.conversation_handle_time", &[], min(35.0)),
            ("gladly.occupancy", &[], Some(175.0)),
        ],
    );
}

#[test]
fn real_time_counts_the_stretch_under_way_and_historical_does_not() {
    // As of 18:30 UTC in NIGHT: Ana's chat 18:05-18:20 (closed stretch) and SMS 18:20-18:30
    // (under way; the task panel open since 18:25); Sam's view starts at 18:30 (nothing yet).
    // Both contacts are still active, so their work sessions are open: chat 18:05-18:20,
    // SMS 18:20-18:30, union 18:05-18:30.
    let rt = run(
        NIGHT,
        ReportRequest {
            as_of: Some("2021-05-03T18:30:00Z".into()),
            metrics: family(),
            ..Default::default()
        },
    );
    expect(
        &rt,
        &[
            ("gladly.customer_handle_time", &[], min(25.0)),
            ("gladly.contact_handle_time", &[], min(25.0)),
            ("gladly.task_handle_time", &[], min(5.0)),
            ("gladly.messaging_work_session_time", &[], min(25.0)),
            ("gladly.messaging_work_session_union", &[], min(25.0)),
            ("gladly.available_time", &[], min(30.0)),
            ("gladly.occupancy", &[], Some(100.0 * 25.0 / 30.0)),
        ],
    );
    // A historical report with the window ending at 18:30 reads the whole log: stretches and
    // sessions closed later count, cut to the window. Stretches: chat 18:05-18:20 and SMS
    // 18:20-18:30 = 25 min. Sessions: chat 18:05-18:30 (25) + Ana's SMS 18:20-18:30 (10) +
    // Sam's SMS (after 18:30, 0) = 35 min; union 18:05-18:30 = 25 min.
    let hist = run(
        NIGHT,
        ReportRequest {
            to: Some("2021-05-03T18:30:00Z".into()),
            metrics: family(),
            ..Default::default()
        },
    );
    expect(
        &hist,
        &[
            ("gladly.customer_handle_time", &[], min(25.0)),
            ("gladly.messaging_work_session_time", &[], min(35.0)),
            ("gladly.messaging_work_session_union", &[], min(25.0)),
        ],
    );
}

#[test]
fn a_closed_tab_returns_to_the_one_before_and_a_logout_ends_every_view() {
    // Ana opens Alma (10:00), then Bruno in a second tab (10:10), closes Bruno (10:20) and is
    // back on Alma until she logs out at 10:30 with Alma's tab still open. She logs in again
    // at 10:40; the old tab is closed at 10:50 without having been opened again: nothing
    // counts after the logout. Alma: 10 + 10 = 20 min; Bruno: 10 min.
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T10:00:00Z","agent":"ana"}
{"type":"profile_view_started","at":"2021-05-03T10:00:00Z","agent":"ana","customer":"alma"}
{"type":"profile_view_started","at":"2021-05-03T10:10:00Z","agent":"ana","customer":"bruno"}
{"type":"profile_view_ended","at":"2021-05-03T10:20:00Z","agent":"ana","customer":"bruno"}
{"type":"agent_logged_out","at":"2021-05-03T10:30:00Z","agent":"ana","trigger":"manual"}
{"type":"agent_logged_in","at":"2021-05-03T10:40:00Z","agent":"ana"}
{"type":"profile_view_ended","at":"2021-05-03T10:50:00Z","agent":"ana","customer":"alma"}
{"type":"agent_logged_out","at":"2021-05-03T11:00:00Z","agent":"ana","trigger":"manual"}
"#;
    let report = run(
        log,
        ReportRequest {
            tz: Some("Europe/Paris".into()),
            group_by: vec!["interval".into()],
            interval: Some(15),
            metrics: vec!["gladly.customer_handle_time".into()],
            ..Default::default()
        },
    );
    // Paris is UTC+2 in May: 15-minute intervals 12:00, 12:15, 12:30 local.
    expect(
        &report,
        &[
            (
                "gladly.customer_handle_time",
                &[(Dim::Interval, "2021-05-03T12:00+02:00")],
                min(15.0),
            ),
            (
                "gladly.customer_handle_time",
                &[(Dim::Interval, "2021-05-03T12:15+02:00")],
                min(15.0),
            ),
        ],
    );
    assert_eq!(
        report.value(
            "gladly.customer_handle_time",
            &[(Dim::Interval, "2021-05-03T12:30+02:00")]
        ),
        None
    );
}

#[test]
fn a_contact_counts_only_while_its_conversation_is_open() {
    // Cleo's chat runs 10:00-10:30 but her conversation closes at 10:10. Ana views the profile
    // 10:00-10:20: 10 min of contact (and conversation) time, then 10 min for the customer
    // only. No after-contact time follows a contact that ends in a closed conversation.
    let log = r#"
{"type":"conversation_opened","at":"2021-05-03T10:00:00Z","conversation":"conv-1","customer":"cleo"}
{"type":"contact_started","at":"2021-05-03T10:00:00Z","contact":"chat-1","conversation":"conv-1","channel":"chat","direction":"inbound"}
{"type":"profile_view_started","at":"2021-05-03T10:00:00Z","agent":"ana","customer":"cleo"}
{"type":"conversation_closed","at":"2021-05-03T10:10:00Z","conversation":"conv-1","by":"agent","agent":"ana"}
{"type":"profile_view_ended","at":"2021-05-03T10:20:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_ended","at":"2021-05-03T10:30:00Z","contact":"chat-1","outcome":"completed"}
"#;
    let report = run(
        log,
        ReportRequest {
            metrics: family(),
            ..Default::default()
        },
    );
    expect(
        &report,
        &[
            ("gladly.customer_handle_time", &[], min(20.0)),
            ("gladly.conversation_handle_time", &[], min(10.0)),
            ("gladly.contact_handle_time", &[], min(10.0)),
            ("gladly.after_contact_time", &[], min(0.0)),
            // Ana is never available: occupancy is undefined.
            ("gladly.occupancy", &[], None),
        ],
    );
}

#[test]
fn after_contact_time_belongs_to_the_last_contact_and_a_reopen_starts_afresh() {
    // A phone call 10:00-10:10 and an email 10:05-10:20 in one conversation, Ana available
    // on email and viewing throughout 10:00-10:40. 10:00-10:10 phone, 10:10-10:20 email,
    // 10:20-10:25 after-contact time of the email (the last to end), closed at 10:25,
    // reopened at 10:30 (no after-contact time: open conversation only), 10:40 view ends.
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T10:00:00Z","agent":"ana"}
{"type":"agent_available","at":"2021-05-03T10:00:00Z","agent":"ana","channel":"email"}
{"type":"conversation_opened","at":"2021-05-03T10:00:00Z","conversation":"conv-1","customer":"cleo"}
{"type":"contact_started","at":"2021-05-03T10:00:00Z","contact":"call-1","conversation":"conv-1","channel":"phone","direction":"inbound"}
{"type":"profile_view_started","at":"2021-05-03T10:00:00Z","agent":"ana","customer":"cleo"}
{"type":"contact_started","at":"2021-05-03T10:05:00Z","contact":"email-1","conversation":"conv-1","channel":"email","direction":"inbound"}
{"type":"contact_ended","at":"2021-05-03T10:10:00Z","contact":"call-1","outcome":"completed"}
{"type":"contact_ended","at":"2021-05-03T10:20:00Z","contact":"email-1","outcome":"completed"}
{"type":"conversation_closed","at":"2021-05-03T10:25:00Z","conversation":"conv-1","by":"agent","agent":"ana"}
{"type":"conversation_reopened","at":"2021-05-03T10:30:00Z","conversation":"conv-1"}
{"type":"profile_view_ended","at":"2021-05-03T10:40:00Z","agent":"ana","customer":"cleo"}
{"type":"agent_logged_out","at":"2021-05-03T11:00:00Z","agent":"ana","trigger":"manual"}
"#;
    let report = run(
        log,
        ReportRequest {
            group_by: vec!["channel".into()],
            metrics: family(),
            ..Default::default()
        },
    );
    let phone: &[(Dim, &str)] = &[(Dim::Channel, "phone")];
    let email: &[(Dim, &str)] = &[(Dim::Channel, "email")];
    let none: &[(Dim, &str)] = &[(Dim::Channel, "-")];
    expect(
        &report,
        &[
            ("gladly.contact_handle_time", phone, min(10.0)),
            ("gladly.contact_handle_time", email, min(10.0)),
            ("gladly.after_contact_time", email, min(5.0)),
            // 10:25-10:30 closed (customer only), 10:30-10:40 reopened with no contact.
            ("gladly.customer_handle_time", none, min(15.0)),
            ("gladly.conversation_handle_time", none, min(10.0)),
        ],
    );
    assert_eq!(report.value("gladly.after_contact_time", phone), None);
}

#[test]
fn the_same_contact_crosses_midnight_in_kathmandu_but_not_in_utc() {
    // Cleo's chat (Ana on it 18:05-18:20 and 18:45-18:50 UTC) crosses Kathmandu's midnight
    // (18:15 UTC, +05:45) but stays on 3 May in UTC.
    let chat_by_day = |tz: &str| {
        let req = ReportRequest {
            tz: Some(tz.into()),
            group_by: vec!["channel".into(), "day".into()],
            metrics: vec!["gladly.contact_handle_time".into()],
            ..Default::default()
        };
        let report = run(NIGHT, req);
        let day = |d: &str| {
            report.value(
                "gladly.contact_handle_time",
                &[(Dim::Channel, "chat"), (Dim::Day, d)],
            )
        };
        (day("2021-05-03"), day("2021-05-04"))
    };
    // UTC: 15 + 5 = 20 minutes, all on 3 May.
    assert_eq!(chat_by_day("UTC"), (Some(min(20.0)), None));
    // Kathmandu: 18:05-18:15 (10 min) on 3 May; 18:15-18:20 and 18:45-18:50 (10 min) on 4 May.
    assert_eq!(
        chat_by_day("Asia/Kathmandu"),
        (Some(min(10.0)), Some(min(10.0)))
    );
}
