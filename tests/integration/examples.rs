//! Every worked example under `scenarios/examples/`: its figures must agree with the seed
//! (checked by the one example runner), and its full report must match the snapshot in the
//! top-level `snapshots/` folder, whose figures were read against the seed before accepting.

use std::path::Path;

use ccsim_engine::examples::{example_dirs, run_example};

#[test]
fn every_worked_example_agrees_with_its_seed_and_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = example_dirs(&root.join("scenarios/examples")).expect("examples folder");
    assert!(!dirs.is_empty(), "no examples found");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut failures = Vec::new();
    for dir in &dirs {
        let run = match run_example(dir) {
            Ok(run) => run,
            Err(e) => {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        for c in run.checks.iter().filter(|c| !c.ok) {
            failures.push(format!(
                "{} {}: expected {}, computed {:?}",
                c.id, c.metric, c.expected, c.actual
            ));
        }
        let text = run.snapshot_text();
        let id = run.file.id.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(id, text))
        }));
        if outcome.is_err() {
            failures.push(format!(
                "{}: report differs from snapshots/{}.snap",
                run.file.id, run.file.id
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
