//! What-if overrides (`--set KEY=VALUE`): they change the loaded scenario, go through the
//! loader's checks with the override named instead of a line, leave the lines of the file's
//! own problems where they were, change the hash, and are recorded in the log header.

use ccsim_engine::codec::BinaryReader;
use ccsim_sim::overrides::Override;
use ccsim_sim::run::{simulate, RunConfig};
use ccsim_sim::scenario::{Scenario, ScenarioError};

const BASE: &str = r#"
[horizon]
start = "2024-01-01T00:00:00Z"
length_h = 10.0

[workstreams.calls]
channel = "phone"
arrivals = { rate_per_h = 100.0 }
queue = "calls"
handle = { dist = "exponential", mean_s = 180.0 }
transfers = [
  { probability = 0.1, to = "outside" },
  { probability = 0.2, to = "agent" },
]

[queues.calls]

[groups.agents]
agents = 6
capacity = { phone = 1 }
"#;

fn set(texts: &[&str]) -> Vec<Override> {
    texts
        .iter()
        .map(|t| Override::parse("--set", t).expect("the override reads"))
        .collect()
}

fn load(texts: &[&str]) -> Result<Scenario, ScenarioError> {
    Scenario::parse_with(BASE, "s.toml", &set(texts))
}

#[test]
fn an_override_changes_the_scenario_and_its_hash() {
    let base = Scenario::parse(BASE, "s.toml").expect("loads");
    // The file has 6 agents; the override makes it 9.
    let sc = load(&["groups.agents.agents=9"]).expect("loads");
    assert_eq!(base.agents.len(), 6);
    assert_eq!(sc.agents.len(), 9);
    assert_ne!(sc.hash, base.hash);
    assert_eq!(sc.overrides, ["--set groups.agents.agents=9"]);
    // Two different what-ifs, two hashes; no override, the file's own hash.
    assert_ne!(sc.hash, load(&["groups.agents.agents=8"]).unwrap().hash);
    assert_eq!(load(&[]).unwrap().hash, base.hash);
    // A multiplier on the arrival rate: 100 an hour (the file) × 2, per millisecond.
    let sc = load(&["workstreams.calls.arrivals.multiplier=2"]).expect("loads");
    assert!((sc.workstreams[0].arrivals[0].rate - 200.0 / 3_600_000.0).abs() < 1e-15);
    // An entry of an array of inline tables, and a new optional key of an existing table.
    let sc = load(&[
        "workstreams.calls.transfers[1].probability=0.3",
        "workstreams.calls.patience={ dist = \"exponential\", mean_s = 60 }",
    ])
    .expect("loads");
    assert_eq!(sc.workstreams[0].transfers[1].0, 0.3);
    assert!(sc.workstreams[0].patience.is_some());
    // Text that is not TOML is a string.
    let sc = load(&["name=Night shift"]).expect("loads");
    assert_eq!(sc.name, "Night shift");
}

#[test]
fn an_unknown_key_names_the_override_and_lists_the_valid_keys() {
    let e = load(&["groups.agents.agnets=9"]).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("--set groups.agents.agnets=9: "), "{text}");
    assert!(
        text.contains("agnets") && text.contains("`capacity`"),
        "{text}"
    );
    assert_eq!(e.line, None);
    // A typo in a table on the path: the missing part, and what exists there.
    let e = load(&["groups.agent.agents=9"]).unwrap_err();
    assert!(
        e.to_string().contains(
            "--set groups.agent.agents=9: no `agent` in `groups`; expected one of `agents`"
        ),
        "{e}"
    );
    let e = load(&["workstreams.calls.transfers[2].probability=0.1"]).unwrap_err();
    assert!(e.to_string().contains("has 2 entries"), "{e}");
}

#[test]
fn a_bad_value_names_the_override() {
    // Refused by the reader (not a whole number ≥ 0) and by the loader's checks.
    let e = load(&["groups.agents.agents=-3"]).unwrap_err();
    assert!(
        e.to_string().starts_with("--set groups.agents.agents=-3: "),
        "{e}"
    );
    let e = load(&["workstreams.calls.transfers[0].probability=2"]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("--set workstreams.calls.transfers[0].probability=2: "),
        "{e}"
    );
    // A problem inside an overridden table names the key within it.
    let e =
        load(&["workstreams.calls.handle={ dist = \"exponential\", mean_s = -1 }"]).unwrap_err();
    assert_eq!(e.key, "workstreams.calls.handle.mean_s");
    assert!(e.file.starts_with("--set workstreams.calls.handle="), "{e}");
}

#[test]
fn the_files_own_problems_keep_their_lines_when_an_override_adds_a_key() {
    // The override adds a line to [workstreams.calls]; the bad key below it is still reported
    // at its line of the file (the line of `agents` in BASE, counted from the text).
    let bad = BASE.replace("agents = 6", "agents = 6\nagnets = 1");
    let expected = bad
        .lines()
        .position(|l| l.starts_with("agnets"))
        .expect("the line")
        + 1;
    let e = Scenario::parse_with(
        &bad,
        "s.toml",
        &set(&["workstreams.calls.patience={ dist = \"exponential\", mean_s = 60 }"]),
    )
    .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("s.toml", Some(expected)), "{e}");
    // And a problem the loader finds after reading, likewise.
    let bad = BASE.replace("rate_per_h = 100.0", "rate_per_h = -1.0");
    let e = Scenario::parse_with(&bad, "s.toml", &set(&["groups.agents.agents=7"])).unwrap_err();
    let expected = bad.lines().position(|l| l.contains("-1.0")).unwrap() + 1;
    assert_eq!((e.file.as_str(), e.line), ("s.toml", Some(expected)), "{e}");
}

#[test]
fn the_log_header_names_the_overrides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("w.ccslog");
    let sc = load(&["groups.agents.agents=7", "horizon.length_h=1"]).expect("loads");
    simulate(&sc, &RunConfig::new(3).log(&path)).expect("simulates");
    let reader = BinaryReader::open(&path).expect("opens");
    let header = reader.header();
    assert!(
        header
            .producer
            .ends_with(" simulate --set groups.agents.agents=7 --set horizon.length_h=1"),
        "{}",
        header.producer
    );
    assert_eq!(header.scenario_hash, Some(sc.hash));
}
