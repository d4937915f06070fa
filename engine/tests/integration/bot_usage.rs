//! The bot usage report across reporting zones, its default window, and the rows behind it.
//! Logs are built here; each expected figure is worked out in a comment.

use std::path::PathBuf;

use ccsim_engine::measure::def::Dim;
use ccsim_engine::replay::{bot_usage_rows, replay_file};
use ccsim_engine::report::{ReportRequest, SectionReport};

/// The two seed sessions: 2022-12-21 04:00 +05:30 (= 2022-12-20 22:30Z) and
/// 2022-12-21 17:00 -08:00 (= 2022-12-22 01:00Z).
const TWO_ZONES: &str = r#"{"type":"bot_session_started","at":"2022-12-21T04:00:00+05:30","bot_session":"ist","bot":"Freddy","version":"3","customer":"c1"}
{"type":"bot_conversation_started","at":"2022-12-21T04:00:00+05:30","bot_session":"ist","conversation":"v1","channel":"whatsapp"}
{"type":"bot_session_ended","at":"2022-12-21T04:10:00+05:30","bot_session":"ist"}
{"type":"bot_session_started","at":"2022-12-21T17:00:00-08:00","bot_session":"pst","bot":"Freddy","version":"3","customer":"c2"}
{"type":"bot_conversation_started","at":"2022-12-21T17:00:00-08:00","bot_session":"pst","conversation":"v2","channel":"chat"}
{"type":"ticket_created","at":"2022-12-21T17:05:00-08:00","bot_session":"pst","ticket":"T-9"}
"#;

fn log_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bots.jsonl");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

fn bot_usage(tz: &str) -> ReportRequest {
    ReportRequest {
        tz: Some(tz.into()),
        report: Some("bot-usage".into()),
        ..Default::default()
    }
}

/// The daily trend as (day, count) pairs.
fn trend(sections: &[SectionReport]) -> Vec<(String, f64)> {
    let s = sections
        .iter()
        .find(|s| s.report.group_by == [Dim::Day])
        .expect("trend section");
    s.report
        .rows
        .iter()
        .filter(|r| r.metric == "freshworks.sessions_consumed")
        .map(|r| (r.group[0].clone(), r.value.unwrap_or(f64::NAN)))
        .collect()
}

#[test]
fn the_daily_trend_moves_with_the_reporting_zone() {
    let (_dir, path) = log_file(TWO_ZONES);
    // UTC (the report's default): 22:30Z on the 20th, 01:00Z on the 22nd.
    let utc = replay_file(&path, None, &bot_usage("UTC")).unwrap();
    assert_eq!(
        trend(&utc),
        [
            ("2022-12-20".to_string(), 1.0),
            ("2022-12-22".to_string(), 1.0)
        ]
    );
    assert_eq!(utc[0].report.time_zone, "UTC");
    // Kolkata (+05:30): 04:00 on the 21st; 06:30 on the 22nd.
    let ist = replay_file(&path, None, &bot_usage("Asia/Kolkata")).unwrap();
    assert_eq!(
        trend(&ist),
        [
            ("2022-12-21".to_string(), 1.0),
            ("2022-12-22".to_string(), 1.0)
        ]
    );
    assert_eq!(ist[0].report.time_zone, "Asia/Kolkata");
    // Los Angeles (-08:00): 14:30 on the 20th; 17:00 on the 21st.
    let pst = replay_file(&path, None, &bot_usage("America/Los_Angeles")).unwrap();
    assert_eq!(
        trend(&pst),
        [
            ("2022-12-20".to_string(), 1.0),
            ("2022-12-21".to_string(), 1.0)
        ]
    );
}

#[test]
fn an_open_session_is_consumed_and_its_ticket_counts() {
    // The second session never ends in the log, but a session is consumed when it starts.
    let (_dir, path) = log_file(TWO_ZONES);
    let utc = replay_file(&path, None, &bot_usage("UTC")).unwrap();
    let total = &utc[0].report;
    assert_eq!(
        total.value("freshworks.sessions_consumed", &[]),
        Some(Some(2.0))
    );
    assert_eq!(total.value("freshworks.tickets", &[]), Some(Some(1.0)));
}

#[test]
fn the_default_window_is_30_days_up_to_to_or_the_last_event() {
    // --to 2022-12-21 (UTC): the window is 2022-11-22 .. 2022-12-21, so only the IST session.
    let (_dir, path) = log_file(TWO_ZONES);
    let mut req = bot_usage("UTC");
    req.to = Some("2022-12-21".into());
    let r = replay_file(&path, None, &req).unwrap();
    assert_eq!(
        r[0].report.window.0.as_deref(),
        Some("2022-11-22T00:00:00Z")
    );
    assert_eq!(
        r[0].report.window.1.as_deref(),
        Some("2022-12-22T00:00:00Z")
    );
    assert_eq!(
        r[0].report.value("freshworks.sessions_consumed", &[]),
        Some(Some(1.0))
    );
}

#[test]
fn rows_list_every_attribute_the_seed_names() {
    let (_dir, path) = log_file(TWO_ZONES);
    let rows = bot_usage_rows(&path, None, &bot_usage("Asia/Kolkata")).unwrap();
    assert_eq!(
        rows.columns,
        [
            "session_id",
            "session_start",
            "bot_name",
            "bot_version",
            "customer",
            "channel",
            "conversation_id",
            "conversation_created_at",
            "conversation_updated_at"
        ]
    );
    assert_eq!(rows.cells.len(), 2);
    // Times are written in the reporting zone, with its offset.
    assert_eq!(
        rows.cells[0][..3],
        [
            "ist".to_string(),
            "2022-12-21T04:00:00+05:30".into(),
            "Freddy".into()
        ]
    );
    assert_eq!(rows.cells[1][5..7], ["chat".to_string(), "v2".into()]);
}

#[test]
fn sessions_before_the_data_is_available_are_counted_in_a_note_not_dropped_silently() {
    let log = r#"{"type":"bot_session_started","at":"2022-02-03T12:00:00Z","bot_session":"a","bot":"Freddy","version":"1","customer":"c1"}
{"type":"bot_session_started","at":"2022-02-04T12:00:00Z","bot_session":"b","bot":"Freddy","version":"1","customer":"c1"}
"#;
    let (_dir, path) = log_file(log);
    let r = replay_file(&path, None, &bot_usage("UTC")).unwrap();
    let total = &r[0].report;
    assert_eq!(
        total.value("freshworks.sessions_consumed", &[]),
        Some(Some(1.0))
    );
    assert!(
        total
            .notes
            .iter()
            .any(|n| n.contains("left out 1 entity dated before 2022-02-04")),
        "{:?}",
        total.notes
    );
    // Moving the date makes the earlier session count.
    let mut req = bot_usage("UTC");
    req.available_from = Some("2022-02-01".into());
    let r = replay_file(&path, None, &req).unwrap();
    assert_eq!(
        r[0].report.value("freshworks.sessions_consumed", &[]),
        Some(Some(2.0))
    );
}

#[test]
fn a_named_report_refuses_settings_it_owns() {
    let (_dir, path) = log_file(TWO_ZONES);
    let mut req = bot_usage("UTC");
    req.group_by = vec!["day".into()];
    let err = replay_file(&path, None, &req).unwrap_err().to_string();
    assert!(
        err.contains("--group-by") && err.contains("bot-usage"),
        "{err}"
    );
    let err = replay_file(
        &path,
        None,
        &ReportRequest {
            report: Some("nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("unknown report `nope`") && err.contains("bot-usage"),
        "{err}"
    );
}

#[test]
fn rows_are_refused_for_any_other_report() {
    let (_dir, path) = log_file(TWO_ZONES);
    // Rows exist for the bot usage report only: a plain report asking for them is told so,
    // naming --rows, before the log is read.
    let plain = ReportRequest {
        report: None,
        ..bot_usage("UTC")
    };
    let error = bot_usage_rows(&path, None, &plain).unwrap_err();
    assert_eq!(
        error.to_string(),
        "--rows: rows are listed for --report bot-usage only"
    );
}
