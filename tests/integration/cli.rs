//! The `ccsim` program as a user runs it: exit codes 0, 1 and 2, one clear message on
//! standard error for bad input, and the outputs each command promises.

use std::path::Path;

use crate::common::{ccsim, stderr, stdout};

/// Asserts exit code 2 and a single-line message containing every word in `words`.
fn fails_with(args: &[&str], words: &[&str]) {
    let o = ccsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one message expected: {err}"
    );
    for w in words {
        assert!(err.contains(w), "`{w}` missing from: {err}");
    }
}

#[test]
fn examples_pass_and_list_every_agent_status_id() {
    let o = ccsim(&["examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for id in [
        "G-STATUS-1",
        "G-STATUS-2",
        "G-STATUS-3",
        "G-IDLE-1",
        "G-IDLE-2",
        "G-IDLE-3",
        "G-IDLE-LEGACY-1",
        "G-IDLE-LEGACY-2",
    ] {
        assert!(out.contains(id), "{id} missing");
    }
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn examples_as_json_carry_the_promised_keys() {
    let o = ccsim(&["examples", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let items = items.as_array().expect("array");
    assert!(!items.is_empty());
    for item in items {
        for key in ["id", "seed", "metric", "expected", "actual", "ok"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
}

#[test]
fn a_disagreeing_example_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("G-STATUS-1");
    std::fs::create_dir(&ex).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/G-STATUS-1");
    std::fs::copy(src.join("log.jsonl"), ex.join("log.jsonl")).unwrap();
    let toml = std::fs::read_to_string(src.join("example.toml"))
        .unwrap()
        .replacen("expected = \"8h\"", "expected = \"7h\"", 1);
    std::fs::write(ex.join("example.toml"), toml).unwrap();
    let o = ccsim(&["examples", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("NO"));
}

#[test]
fn bad_input_exits_2_with_one_message_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"type\":\"agent_logged_in\",\"at\":\"2021-05-03T09:00:00Z\",\"agent\":\"ana\"}\n{not json\n").unwrap();
    let bad = bad.to_str().unwrap();
    fails_with(
        &["replay", bad],
        &[
            "bad.jsonl, line 2",
            "malformed JSON",
            "one JSON object per line",
        ],
    );
    fails_with(
        &["replay", "no/such/log.jsonl"],
        &["no/such/log.jsonl", "no such file"],
    );
    fails_with(
        &[
            "replay",
            "scenarios/examples/G-STATUS-1/log.jsonl",
            "--tz",
            "Mars/Olympus",
        ],
        &["--tz", "IANA"],
    );
    fails_with(
        &[
            "replay",
            "scenarios/examples/G-STATUS-1/log.jsonl",
            "--group-by",
            "colour",
        ],
        &["--group-by", "colour"],
    );
    let o = ccsim(&["replay", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn replay_writes_table_json_and_csv() {
    let log = "scenarios/examples/G-STATUS-3/log.jsonl";
    let csv = stdout(&ccsim(&[
        "replay",
        log,
        "--group-by",
        "agent",
        "--metrics",
        "gladly.away_time",
        "--format",
        "csv",
    ]));
    // Ana was Away 15 minutes, Ben 40 (see the example's summary).
    assert_eq!(
        csv,
        "metric,unit,agent,value\ngladly.away_time,s,ana,900\ngladly.away_time,s,ben,2400\n"
    );
    // With no metric, grouping or report named: the queue figures by channel, then every
    // metric over all contacts, as two sections.
    let json: serde_json::Value =
        serde_json::from_slice(&ccsim(&["replay", log, "--format", "json"]).stdout).unwrap();
    assert_eq!(json[0]["time_zone"], "UTC");
    assert_eq!(json[0]["group_by"], serde_json::json!(["channel"]));
    assert_eq!(json[1]["group_by"], serde_json::json!([]));
    assert!(json[1]["rows"].as_array().is_some_and(|r| !r.is_empty()));
    let table = stdout(&ccsim(&[
        "replay",
        log,
        "--tz",
        "Europe/Paris",
        "--group-by",
        "day",
    ]));
    assert!(table.starts_with("time zone Europe/Paris"), "{table}");
}

#[test]
fn convert_round_trips_through_the_binary_log() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("shift.ccslog");
    let back = dir.path().join("back.jsonl");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/G-STATUS-2/log.jsonl");
    let o = ccsim(&["convert", src.to_str().unwrap(), bin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = ccsim(&["convert", bin.to_str().unwrap(), back.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        std::fs::read_to_string(&back).unwrap()
    );
    // Replaying either form gives the same report.
    let a = stdout(&ccsim(&["replay", src.to_str().unwrap()]));
    let b = stdout(&ccsim(&["replay", bin.to_str().unwrap()]));
    assert_eq!(a, b);
}

#[test]
fn metrics_lists_the_agent_status_family() {
    let out = stdout(&ccsim(&["metrics"]));
    for id in [
        "gladly.logged_in_time",
        "gladly.away_time",
        "gladly.active_time",
        "gladly.idle_logout_time",
    ] {
        assert!(out.contains(id), "{id} missing");
    }
    assert!(out.contains("idle: legacy (before 2021-03-31), current (from 2021-03-31)"));
}
