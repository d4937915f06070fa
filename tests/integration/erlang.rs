//! `ccsim erlang c|a|b` as a planner runs it: the published Erlang C example read back from
//! the CSV and JSON outputs, Erlang B and A figures checked by hand, and one bad-argument test
//! per kind of mistake (exit code 2, one line naming the flag and what it expects).

use std::collections::HashMap;

use crate::common::{ccsim, stderr, stdout};

/// The published example's flags: 100 calls per 30 minutes, 3-minute handle time, 80 % within
/// 20 s, shrinkage 0.3, maximum occupancy 0.85.
const REFERENCE: &[&str] = &[
    "erlang",
    "c",
    "--calls",
    "100",
    "--per",
    "30m",
    "--handle",
    "3m",
    "--target",
    "80/20s",
    "--shrinkage",
    "0.3",
    "--max-occupancy",
    "0.85",
];

/// Runs `ccsim` with `args`, expecting success, and returns standard output.
fn succeeds(args: &[&str]) -> String {
    let o = ccsim(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// The CSV's rows as maps from column to cell.
fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(line.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

/// The JSON output.
fn json(args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    serde_json::from_str(&succeeds(&args)).expect("JSON output")
}

/// Asserts exit code 2 and one line of standard error containing every word in `words`.
fn fails_with(args: &[&str], words: &[&str]) {
    let o = ccsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    for w in words {
        assert!(err.contains(w), "`{w}` missing from: {err}");
    }
}

#[test]
fn erlang_c_csv_reproduces_the_published_example() {
    let mut args = REFERENCE.to_vec();
    args.extend(["--format", "csv"]);
    let rows = csv_rows(&succeeds(&args));
    // The fewest agents meeting the target is the first row that meets it.
    let needed = rows
        .iter()
        .find(|r| r["meets_target"] == "true")
        .expect("a row meeting the target");
    // Published (pyworkforce README, R ErlangC): 14 agents, 20 positions.
    assert_eq!(needed["agents"], "14");
    assert_eq!(needed["positions"], "20");
    // Published: service level 0.8884, probability of waiting 0.1741, ASA 7.836 s,
    // occupancy 0.7143.
    assert_eq!(needed["service_level"], "0.8884");
    assert_eq!(needed["wait_probability"], "0.1741");
    assert_eq!(needed["asa_s"], "7.836");
    assert_eq!(needed["occupancy"], "0.7143");
    // Hand computation: 100 calls per 1800 s × 180 s = 10 Erlangs, over 14 agents.
    assert_eq!(needed["traffic_erlangs"], "10");
    assert_eq!(needed["occupancy_numerator"], "10");
    assert_eq!(needed["occupancy_denominator"], "14");
    assert_eq!(needed["service_level_denominator"], "100");
}

#[test]
fn erlang_c_json_reproduces_the_published_example() {
    let out = json(REFERENCE);
    // Published: 14 agents, 20 positions; the figures are those at the agents needed.
    assert_eq!(out["needed"]["agents"], 14);
    assert_eq!(out["needed"]["positions"], 20);
    let figures = &out["figures"];
    assert_eq!(figures["agents"], 14);
    // Published: 0.8884, 0.1741, 7.836 s, 0.7143.
    assert_eq!(figures["service_level"]["value"], 0.8884);
    assert_eq!(figures["wait_probability"]["value"], 0.1741);
    assert_eq!(figures["asa_s"], 7.836);
    assert_eq!(figures["occupancy"]["value"], 0.7143);
    // Hand computation: 10 Erlangs of traffic; 88.84 of the 100 calls answered within 20 s.
    assert_eq!(out["traffic_erlangs"], 10.0);
    assert_eq!(figures["service_level"]["numerator"], 88.84);
    assert_eq!(figures["service_level"]["denominator"], 100.0);
    // The table starts at the fewest stable count, 11 agents for 10 Erlangs.
    assert_eq!(out["table"][0]["agents"], 11);
}

#[test]
fn erlang_c_with_rate_per_hour_and_agents_given_agrees() {
    // 200 calls an hour are the example's 100 per 30 minutes; 180s is 3m.
    let out = json(&[
        "erlang", "c", "--calls", "200", "--handle", "180s", "--agents", "14",
    ]);
    assert_eq!(out["figures"]["agents"], 14);
    assert_eq!(out["figures"]["service_level"]["value"], 0.8884);
}

#[test]
fn erlang_b_blocking_by_hand_and_from_tables() {
    // Hand computation from the recursion: B(2 agents, 1 Erlang) = 1/5.
    let out = json(&[
        "erlang", "b", "--calls", "1", "--handle", "1h", "--agents", "2",
    ]);
    assert_eq!(out["figures"]["blocking_probability"]["value"], 0.2);
    // Published Erlang B tables: 10 trunks are the fewest for 2 % blocking at 5 Erlangs,
    // where they block 0.0184 of calls.
    let out = json(&[
        "erlang",
        "b",
        "--calls",
        "5",
        "--handle",
        "1h",
        "--target-blocking",
        "2%",
    ]);
    assert_eq!(out["needed"]["agents"], 10);
    assert_eq!(out["figures"]["blocking_probability"]["value"], 0.0184);
}

#[test]
fn erlang_a_with_patience_equal_to_handle_time_matches_the_poisson_count() {
    // With mean patience equal to the handle time, the number in system is Poisson with mean
    // a. By hand for a = 2 Erlangs and 2 agents: P(wait) = 1 − 3e⁻² = 0.5940 and
    // P(abandon) = 2e⁻² = 0.2707.
    let out = json(&[
        "erlang",
        "a",
        "--calls",
        "2",
        "--handle",
        "1h",
        "--patience",
        "1h",
        "--agents",
        "2",
    ]);
    let e2 = (-2.0f64).exp();
    let printed = |x: f64| (x * 1e4).round() / 1e4;
    assert_eq!(
        out["figures"]["wait_probability"]["value"],
        printed(1.0 - 3.0 * e2)
    );
    assert_eq!(
        out["figures"]["abandon_probability"]["value"],
        printed(2.0 * e2)
    );
}

#[test]
fn erlang_a_with_long_patience_needs_what_erlang_c_needs() {
    // Independent check: when nobody gives up, Erlang A is Erlang C.
    let c = json(REFERENCE);
    let mut args = REFERENCE.to_vec();
    args[1] = "a";
    args.extend(["--patience", "1000h"]);
    let a = json(&args);
    assert_eq!(a["needed"], c["needed"]);
    assert_eq!(
        a["figures"]["service_level"]["value"],
        c["figures"]["service_level"]["value"]
    );
}

#[test]
fn the_table_is_for_people_and_says_what_each_ratio_is() {
    let out = succeeds(REFERENCE);
    assert!(
        out.contains("agents needed: 14, scheduled positions: 20"),
        "{out}"
    );
    assert!(
        out.contains("= 88.84 answered within 20s / 100 offered per 30m"),
        "{out}"
    );
    assert!(out.contains("= 10 Erlangs of work / 14 agents"), "{out}");
}

#[test]
fn a_share_out_of_range_names_the_flag_and_the_range() {
    let mut args = REFERENCE.to_vec();
    args[11] = "1.2";
    fails_with(&args, &["--shrinkage 1.2", "expected a share in [0, 1)"]);
    let mut args = REFERENCE.to_vec();
    args[13] = "0";
    fails_with(&args, &["--max-occupancy 0", "expected a share in (0, 1]"]);
}

#[test]
fn a_duration_without_a_unit_is_refused() {
    fails_with(
        &["erlang", "c", "--calls", "100", "--handle", "3"],
        &["--handle 3", "expected a positive duration"],
    );
}

#[test]
fn a_target_not_written_percent_slash_duration_is_refused() {
    fails_with(
        &[
            "erlang", "c", "--calls", "100", "--handle", "3m", "--target", "80",
        ],
        &["--target 80", "expected PERCENT/DURATION"],
    );
}

#[test]
fn a_count_that_is_not_a_whole_number_is_refused() {
    fails_with(
        &[
            "erlang", "c", "--calls", "100", "--handle", "3m", "--agents", "2.5",
        ],
        &["--agents 2.5", "expected a whole number of agents"],
    );
    fails_with(
        &["erlang", "c", "--calls", "-5", "--handle", "3m"],
        &["--calls -5", "expected a positive number of calls"],
    );
}

#[test]
fn too_few_agents_for_erlang_c_is_a_message_not_nan() {
    fails_with(
        &[
            "erlang", "c", "--calls", "100", "--per", "30m", "--handle", "3m", "--agents", "10",
        ],
        &["--agents 10", "10 Erlangs", "expected at least 11 agents"],
    );
}

#[test]
fn erlang_b_needs_agents_or_a_blocking_target() {
    fails_with(
        &["erlang", "b", "--calls", "100", "--handle", "3m"],
        &["--agents", "--target-blocking", "expected"],
    );
}

#[test]
fn traffic_beyond_reach_is_refused() {
    fails_with(
        &["erlang", "c", "--calls", "1e9", "--handle", "3m"],
        &["--calls 1e9", "Erlangs", "expected at most 10000"],
    );
}
