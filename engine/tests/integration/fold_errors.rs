//! Logs that contradict themselves: each case is a log, the line the error must name, and
//! words the message must contain (the entity and what was expected). Checked by one helper.

use std::io::Cursor;

use ccsim_engine::codec::{JsonlReader, Position};
use ccsim_engine::fold::FoldError;
use ccsim_engine::replay::{replay, ReplayError};
use ccsim_engine::report::ReportRequest;

/// Replays `log` and returns the fold error, its line and its message.
fn fold_error(log: &str) -> (FoldError, u64, String) {
    let mut src = JsonlReader::new(
        Cursor::new(log.trim_start().as_bytes().to_vec()),
        "bad.jsonl",
    );
    let spec = ReportRequest::default().to_spec().expect("spec");
    match replay(&mut src, spec) {
        Err(
            e @ ReplayError::Fold {
                place: Position::Line(line),
                ..
            },
        ) => {
            let message = e.to_string();
            let ReplayError::Fold { error, .. } = e else {
                unreachable!()
            };
            (*error, line, message)
        }
        other => panic!("expected a fold error, got {other:?}"),
    }
}

fn check(log: &str, line: u64, words: &[&str], variant: fn(&FoldError) -> bool) {
    let (error, at, message) = fold_error(log);
    assert!(variant(&error), "wrong kind of error: {error:?}");
    assert_eq!(at, line, "{message}");
    assert!(
        message.starts_with(&format!("bad.jsonl, line {line}: ")),
        "{message}"
    );
    for w in words {
        assert!(message.contains(w), "`{w}` missing from: {message}");
    }
}

#[test]
fn an_event_earlier_than_the_one_before_is_out_of_order() {
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_logged_in","at":"2021-05-03T08:59:59Z","agent":"ben"}
"#;
    check(
        log,
        2,
        &[
            "agent_logged_in",
            "2021-05-03T08:59:59Z",
            "2021-05-03T09:00:00Z",
            "time order",
        ],
        |e| matches!(e, FoldError::OutOfOrder { .. }),
    );
}

#[test]
fn ties_keep_the_written_order() {
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_logged_out","at":"2021-05-03T09:00:00Z","agent":"ana","trigger":"manual"}
"#;
    let mut src = JsonlReader::new(
        Cursor::new(log.trim_start().as_bytes().to_vec()),
        "ok.jsonl",
    );
    assert!(replay(&mut src, ReportRequest::default().to_spec().unwrap()).is_ok());
}

#[test]
fn an_unknown_entity_names_the_event_that_must_come_first() {
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_away","at":"2021-05-03T09:10:00Z","agent":"zed","trigger":"manual"}
"#;
    check(log, 2, &["unknown agent `zed`", "agent_logged_in"], |e| {
        matches!(e, FoldError::UnknownEntity { .. })
    });
    let contact =
        r#"{"type":"message_sent","at":"2021-05-03T09:00:00Z","contact":"c9","sender":"customer"}"#;
    check(
        contact,
        1,
        &["unknown contact `c9`", "contact_started"],
        |e| matches!(e, FoldError::UnknownEntity { .. }),
    );
}

#[test]
fn an_event_after_close_says_when_it_closed() {
    let log = r#"
{"type":"conversation_opened","at":"2021-05-03T09:00:00Z","conversation":"v1","customer":"cu1"}
{"type":"conversation_closed","at":"2021-05-03T09:30:00Z","conversation":"v1","by":"agent","agent":"ana"}
{"type":"conversation_waiting","at":"2021-05-03T09:40:00Z","conversation":"v1"}
"#;
    check(
        log,
        3,
        &[
            "conversation `v1`",
            "closed at 2021-05-03T09:30:00Z",
            "conversation_reopened",
        ],
        |e| matches!(e, FoldError::AfterClose { .. }),
    );
    let contact = r#"
{"type":"contact_started","at":"2021-05-03T09:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"contact_ended","at":"2021-05-03T09:05:00Z","contact":"c1","outcome":"completed"}
{"type":"message_sent","at":"2021-05-03T09:06:00Z","contact":"c1","sender":"customer"}
"#;
    check(
        contact,
        3,
        &["contact `c1`", "closed at 2021-05-03T09:05:00Z"],
        |e| matches!(e, FoldError::AfterClose { .. }),
    );
}

#[test]
fn a_duplicate_id_is_refused() {
    let log = r#"
{"type":"contact_started","at":"2021-05-03T09:00:00Z","contact":"c1","channel":"phone","direction":"inbound"}
{"type":"contact_started","at":"2021-05-03T09:01:00Z","contact":"c1","channel":"sms","direction":"inbound"}
"#;
    check(
        log,
        2,
        &[
            "contact `c1`",
            "already in use since 2021-05-03T09:00:00Z",
            "new id",
        ],
        |e| matches!(e, FoldError::Duplicate { .. }),
    );
    let session = r#"
{"type":"contact_started","at":"2021-05-03T09:00:00Z","contact":"c1","channel":"chat","direction":"inbound"}
{"type":"session_started","at":"2021-05-03T09:00:00Z","session":"s1","contact":"c1","handler":"agent"}
{"type":"session_ended","at":"2021-05-03T09:02:00Z","session":"s1","reason":"agent_reject"}
{"type":"session_started","at":"2021-05-03T09:03:00Z","session":"s1","contact":"c1","handler":"agent"}
"#;
    check(session, 4, &["session `s1`"], |e| {
        matches!(e, FoldError::Duplicate { .. })
    });
}

#[test]
fn impossible_transitions_say_what_would_be_valid() {
    let twice = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_logged_in","at":"2021-05-03T09:01:00Z","agent":"ana"}
"#;
    check(
        twice,
        2,
        &[
            "agent `ana`",
            "logged in since 2021-05-03T09:00:00Z",
            "agent_logged_out",
        ],
        |e| matches!(e, FoldError::WrongState { .. }),
    );
    let after_logout = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_logged_out","at":"2021-05-03T10:00:00Z","agent":"ana","trigger":"manual"}
{"type":"agent_away","at":"2021-05-03T10:05:00Z","agent":"ana","trigger":"manual"}
"#;
    check(
        after_logout,
        3,
        &["logged out since 2021-05-03T10:00:00Z", "agent_logged_in"],
        |e| matches!(e, FoldError::WrongState { .. }),
    );
    let late_idle = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_away","at":"2021-05-03T09:10:00Z","agent":"ana","trigger":"idle","last_active_at":"2021-05-03T09:20:00Z"}
"#;
    check(late_idle, 2, &["last_active_at", "at or before"], |e| {
        matches!(e, FoldError::Inconsistent { .. })
    });
    let available_twice = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_available","at":"2021-05-03T09:00:00Z","agent":"ana","channel":"chat"}
{"type":"agent_available","at":"2021-05-03T09:05:00Z","agent":"ana","channel":"chat"}
"#;
    check(
        available_twice,
        3,
        &[
            "available on chat since 2021-05-03T09:00:00Z",
            "agent_unavailable",
        ],
        |e| matches!(e, FoldError::WrongState { .. }),
    );
    let focus_never_started = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"focus_ended","at":"2021-05-03T09:05:00Z","agent":"ana"}
"#;
    check(
        focus_never_started,
        2,
        &["not in Focus mode", "focus_started"],
        |e| matches!(e, FoldError::WrongState { .. }),
    );
    let hold = r#"
{"type":"contact_started","at":"2021-05-03T09:00:00Z","contact":"c1","channel":"phone","direction":"inbound"}
{"type":"hold_ended","at":"2021-05-03T09:01:00Z","contact":"c1"}
"#;
    check(hold, 2, &["not on hold", "hold_started"], |e| {
        matches!(e, FoldError::WrongState { .. })
    });
}
