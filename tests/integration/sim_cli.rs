//! `ccsim simulate` and `ccsim run` as a user runs them: outputs, the summary line, and exit
//! code 2 with one message naming file, line and key for a bad scenario.

use std::path::Path;

use crate::common::{ccsim, stderr, stdout};

const SMALL: &str = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 24.0
warmup_h = 1.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 100.0 }
queue = "calls"
patience = { dist = "exponential", mean_s = 120.0 }
handle = { dist = "exponential", mean_s = 180.0 }

[queues.calls]

[groups.agents]
agents = 6
capacity = { phone = 1 }
"#;

fn small(dir: &Path) -> String {
    let p = dir.join("small.toml");
    std::fs::write(&p, SMALL).expect("write scenario");
    p.display().to_string()
}

#[test]
fn simulate_writes_the_log_and_says_how_fast() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sc = small(dir.path());
    let out = dir.path().join("day.jsonl");
    let o = ccsim(&[
        "simulate",
        &sc,
        "--seed",
        "3",
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("events") && err.contains("contacts/s"),
        "{err}"
    );
    let text = std::fs::read_to_string(&out).expect("the log");
    assert!(text.lines().count() > 1000);
    assert!(
        text.starts_with("{\"type\":\"agent_logged_in\""),
        "{}",
        &text[..80]
    );
    // Replications: one log each, named after the output.
    let out = dir.path().join("r.ccslog");
    let o = ccsim(&[
        "simulate",
        &sc,
        "--replications",
        "2",
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("r-1.ccslog").is_file() && dir.path().join("r-2.ccslog").is_file());
    // And the log replays.
    let o = ccsim(&[
        "replay",
        &dir.path().join("r-1.ccslog").display().to_string(),
        "--metrics",
        "queue.offered",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_prints_a_report_and_replications_have_intervals() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sc = small(dir.path());
    let o = ccsim(&["run", &sc, "--metrics", "queue.offered,queue.asa"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("queue.offered") && out.contains("queue.asa"),
        "{out}"
    );
    // The window starts after the warm-up.
    assert!(out.contains("2024-01-01T01:00:00Z"), "{out}");
    let o = ccsim(&[
        "run",
        &sc,
        "--replications",
        "3",
        "--metrics",
        "queue.asa",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("section,metric,unit,group,mean,ci95_half_width,replications\n"),
        "{out}"
    );
    assert!(out.contains(",queue.asa,s,,"), "{out}");
    assert!(out.trim_end().ends_with(",3"), "{out}");
}

#[test]
fn run_without_a_scenario_runs_the_default_week() {
    let o = ccsim(&[
        "run",
        "--metrics",
        "queue.offered,freshworks.sessions_consumed",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(v.to_string().contains("queue.offered"));
    assert!(stderr(&o).contains("Default week"), "{}", stderr(&o));
}

#[test]
fn a_bad_scenario_is_one_message_with_file_line_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, SMALL.replace("rate_per_h = 100.0", "rate_per_h = -1.0")).expect("write");
    let o = ccsim(&["run", &p.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml, line 9") && err.contains("rate_per_h"),
        "{err}"
    );
    let o = ccsim(&[
        "simulate",
        &small(dir.path()),
        "--replications",
        "0",
        "--out",
        "x.ccslog",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--replications"), "{}", stderr(&o));
    let o = ccsim(&[
        "simulate",
        &small(dir.path()),
        "--out",
        &dir.path().join("x.txt").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".ccslog"), "{}", stderr(&o));
    let o = ccsim(&["run", "no-such.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such.toml"), "{}", stderr(&o));
}

/// Runs `ccsim` with `args` and `RAYON_NUM_THREADS=threads`.
fn ccsim_threads(args: &[&str], threads: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ccsim")
}

#[test]
fn set_overrides_a_value_and_the_report_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sc = small(dir.path());
    let o = ccsim(&[
        "run",
        &sc,
        "--set",
        "groups.agents.agents=7",
        "--set",
        "horizon.length_h=3",
        "--metrics",
        "queue.offered",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "note: scenario values overridden: --set groups.agents.agents=7, --set horizon.length_h=3"
        ),
        "{}",
        stdout(&o)
    );
    // An unknown key: exit code 2, the override named, the valid keys listed.
    let o = ccsim(&["run", &sc, "--set", "groups.agents.agnets=7"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("ccsim: --set groups.agents.agnets=7: unknown field `agnets`")
            && err.contains("`capacity`"),
        "{err}"
    );
    let o = ccsim(&[
        "simulate",
        &sc,
        "--set",
        "groups.agents.agents=-3",
        "--out",
        "x.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("ccsim: --set groups.agents.agents=-3: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sweep_csv_has_fixed_columns_and_is_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sc = small(dir.path());
    let args = [
        "sweep",
        sc.as_str(),
        "--set",
        "horizon.length_h=6",
        "--vary",
        "groups.agents.agents=6..7",
        "--vary",
        "workstreams.calls.arrivals.multiplier=1,1.2",
        "--replications",
        "3",
        "--metrics",
        "queue.asa,queue.abandoned",
        "--format",
        "csv",
    ];
    let one = ccsim_threads(&args, "1");
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let two = ccsim_threads(&args, "2");
    assert_eq!(stdout(&one), stdout(&two));
    let text = stdout(&one);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("groups.agents.agents,workstreams.calls.arrivals.multiplier,section,metric,unit,group,mean,half_width,n,diff_mean,diff_half_width")
    );
    // 2 × 2 points × 2 metrics, every row with every column; the baseline (the first point)
    // differs from itself by 0 ± 0.
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r.len() == 11));
    assert_eq!(rows[0][..4], ["6", "1", "", "queue.asa"]);
    assert_eq!(rows[0][8..], ["3", "0", "0"]);
    for r in &rows {
        for cell in &r[6..] {
            assert!(cell.parse::<f64>().is_ok(), "{cell} in {r:?}");
        }
    }
    // --out writes the same text to a file.
    let out = dir.path().join("sweep.csv");
    let mut with_out = args.to_vec();
    let out_text = out.display().to_string();
    with_out.extend(["--out", &out_text]);
    let o = ccsim(&with_out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).expect("the output"), text);
}

#[test]
fn sweep_refuses_bad_ranges_and_baselines_naming_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sc = small(dir.path());
    for (args, words) in [
        (
            vec!["--vary", "groups.agents.agents=9..6"],
            "--vary groups.agents.agents=9..6: range 9..6 is empty; expected a range of whole numbers LOW..HIGH",
        ),
        (
            vec!["--vary", "groups.agents.agents=6..9/0"],
            "--vary groups.agents.agents=6..9/0: step `0` is not a whole number ≥ 1",
        ),
        (
            vec!["--vary", "groups.agents.agents=6..9/x"],
            "--vary groups.agents.agents=6..9/x: step `x`",
        ),
        (
            vec!["--vary", "groups.agents.agents=6,7", "--baseline", "groups.agents.agents=8"],
            "--baseline groups.agents.agents=8: no point has groups.agents.agents=8",
        ),
        (
            vec!["--vary", "groups.agents.agnets=6,7"],
            "--vary groups.agents.agnets=6: unknown field `agnets`",
        ),
    ] {
        let mut all = vec!["sweep", sc.as_str()];
        all.extend(args);
        let o = ccsim(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}");
        assert!(stderr(&o).contains(words), "{all:?}: {}", stderr(&o));
    }
}
