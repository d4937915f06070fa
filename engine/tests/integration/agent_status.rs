//! Agent-status behaviour beyond the worked examples: real-time against historical views on
//! one log, reporting zones, windows, and the idle rule chosen by date or by the user. Each
//! case is a log and the figures worked out by hand from it, checked by one helper.

use std::io::Cursor;

use ccsim_engine::codec::JsonlReader;
use ccsim_engine::measure::def::Dim;
use ccsim_engine::replay::replay;
use ccsim_engine::report::{Report, ReportRequest};

fn run(log: &str, req: ReportRequest) -> Report {
    let mut src = JsonlReader::new(Cursor::new(log.as_bytes().to_vec()), "test.jsonl");
    replay(&mut src, req.to_spec().expect("valid request")).expect("valid log")
}

/// An expected figure: metric, group filter, value.
type Figure<'a> = (&'a str, &'a [(Dim, &'a str)], f64);

/// Asserts figures.
fn expect(report: &Report, cases: &[Figure<'_>]) {
    for (metric, filter, want) in cases {
        let got = report.value(metric, filter);
        assert_eq!(
            got,
            Some(Some(*want)),
            "{metric} {filter:?} in\n{report:#?}"
        );
    }
}

const SHIFT: &str = r#"
{"type":"agent_logged_in","at":"2021-05-03T09:00:00Z","agent":"ana"}
{"type":"agent_away","at":"2021-05-03T12:00:00Z","agent":"ana","reason":"Lunch","trigger":"manual"}
{"type":"agent_active","at":"2021-05-03T13:00:00Z","agent":"ana"}
{"type":"agent_logged_out","at":"2021-05-03T17:00:00Z","agent":"ana","trigger":"manual"}
"#;

#[test]
fn real_time_counts_open_intervals_up_to_the_cut_off_and_historical_does_not() {
    // As of 12:30 Ana has been logged in 3 h 30 m (09:00-12:30), Away 30 m (12:00-12:30).
    let rt = run(
        SHIFT,
        ReportRequest {
            as_of: Some("2021-05-03T12:30:00Z".into()),
            ..Default::default()
        },
    );
    expect(
        &rt,
        &[
            ("gladly.logged_in_time", &[], 12_600.0),
            ("gladly.away_time", &[], 1_800.0),
            ("gladly.active_time", &[], 10_800.0),
        ],
    );
    assert!(
        rt.notes
            .iter()
            .any(|n| n.contains("open at 2021-05-03T12:30:00Z and counted up to it: 1 agent")),
        "{:?}",
        rt.notes
    );
    // Historical over the same log: the whole closed shift, 8 h with 1 h Away.
    let hist = run(SHIFT, ReportRequest::default());
    expect(
        &hist,
        &[
            ("gladly.logged_in_time", &[], 28_800.0),
            ("gladly.away_time", &[], 3_600.0),
        ],
    );
    // Historical cut to the morning: the closed intervals, clipped to 09:00-12:30.
    let morning = run(
        SHIFT,
        ReportRequest {
            from: Some("2021-05-03T00:00:00Z".into()),
            to: Some("2021-05-03T12:30:00Z".into()),
            ..Default::default()
        },
    );
    expect(
        &morning,
        &[
            ("gladly.logged_in_time", &[], 12_600.0),
            ("gladly.away_time", &[], 1_800.0),
        ],
    );
}

#[test]
fn historical_reports_name_what_was_left_open() {
    let open = "{\"type\":\"agent_logged_in\",\"at\":\"2021-05-03T09:00:00Z\",\"agent\":\"ana\"}\n";
    let r = run(open, ReportRequest::default());
    expect(&r, &[("gladly.logged_in_time", &[], 0.0)]);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("1 agent") && n.contains("--as-of")),
        "{:?}",
        r.notes
    );
}

#[test]
fn a_shift_crossing_midnight_in_one_zone_stays_on_one_day_in_another() {
    // 22:00Z-02:00Z: two days in UTC (2 h each), one day in New York (18:00-22:00 EDT).
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T22:00:00Z","agent":"ana"}
{"type":"agent_logged_out","at":"2021-05-04T02:00:00Z","agent":"ana","trigger":"manual"}
"#;
    let req = |tz: &str| ReportRequest {
        tz: Some(tz.into()),
        group_by: vec!["agent".into(), "day".into()],
        ..Default::default()
    };
    let utc = run(log, req("UTC"));
    expect(
        &utc,
        &[
            (
                "gladly.logged_in_time",
                &[(Dim::Day, "2021-05-03")],
                7_200.0,
            ),
            (
                "gladly.logged_in_time",
                &[(Dim::Day, "2021-05-04")],
                7_200.0,
            ),
        ],
    );
    let ny = run(log, req("America/New_York"));
    expect(
        &ny,
        &[(
            "gladly.logged_in_time",
            &[(Dim::Agent, "ana"), (Dim::Day, "2021-05-03")],
            14_400.0,
        )],
    );
    assert_eq!(
        ny.rows
            .iter()
            .filter(|r| r.metric == "gladly.logged_in_time")
            .count(),
        1
    );
}

#[test]
fn intervals_split_time_at_their_boundaries() {
    // 09:10-09:50 in 30-minute intervals: 20 m in 09:00, 20 m in 09:30 (Kolkata: +05:30).
    let log = r#"
{"type":"agent_logged_in","at":"2021-05-03T03:40:00Z","agent":"ana"}
{"type":"agent_logged_out","at":"2021-05-03T04:20:00Z","agent":"ana","trigger":"manual"}
"#;
    let r = run(
        log,
        ReportRequest {
            tz: Some("Asia/Kolkata".into()),
            group_by: vec!["interval".into()],
            ..Default::default()
        },
    );
    expect(
        &r,
        &[
            (
                "gladly.logged_in_time",
                &[(Dim::Interval, "2021-05-03T09:00+05:30")],
                1_200.0,
            ),
            (
                "gladly.logged_in_time",
                &[(Dim::Interval, "2021-05-03T09:30+05:30")],
                1_200.0,
            ),
        ],
    );
}

/// An idle stretch that ends in an automatic logout, on a given day.
fn idle_logout_on(day: &str) -> String {
    format!(
        r#"{{"type":"agent_logged_in","at":"{day}T09:00:00Z","agent":"ana"}}
{{"type":"agent_away","at":"{day}T09:10:00Z","agent":"ana","trigger":"idle","last_active_at":"{day}T09:00:00Z"}}
{{"type":"agent_logged_out","at":"{day}T10:00:00Z","agent":"ana","trigger":"idle","last_active_at":"{day}T09:00:00Z"}}
"#
    )
}

#[test]
fn the_idle_rule_follows_the_data_date_and_can_be_fixed_by_the_user() {
    // 2021-03-30 is legacy: the 50-minute idle stretch ending in logout is logout time, so
    // logged-in time is the 10 active minutes.
    let before = run(&idle_logout_on("2021-03-30"), ReportRequest::default());
    expect(
        &before,
        &[
            ("gladly.logged_in_time", &[], 600.0),
            ("gladly.idle_logout_time", &[], 3_000.0),
            ("gladly.away_time", &[], 0.0),
        ],
    );
    // 2021-03-31 is current: the same stretch is 50 minutes Away inside 60 logged-in minutes.
    let after = run(&idle_logout_on("2021-03-31"), ReportRequest::default());
    expect(
        &after,
        &[
            ("gladly.logged_in_time", &[], 3_600.0),
            ("gladly.idle_logout_time", &[], 0.0),
            ("gladly.away_time", &[], 3_000.0),
        ],
    );
    // The user can diff the definitions on one log.
    let fixed = run(
        &idle_logout_on("2021-03-31"),
        ReportRequest {
            definitions: vec!["idle=legacy".into()],
            ..Default::default()
        },
    );
    expect(
        &fixed,
        &[
            ("gladly.logged_in_time", &[], 600.0),
            ("gladly.idle_logout_time", &[], 3_000.0),
        ],
    );
    assert!(
        fixed
            .notes
            .iter()
            .any(|n| n.contains("idle=legacy (fixed by --definition)")),
        "{:?}",
        fixed.notes
    );
}
