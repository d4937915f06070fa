//! `docs/metrics.md` is the catalog's Markdown listing; this keeps the two equal.

use ccsim_engine::listing::catalog_markdown;

#[test]
fn docs_metrics_md_matches_the_catalog() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/metrics.md");
    let doc = std::fs::read_to_string(path).expect("docs/metrics.md");
    assert!(
        doc == catalog_markdown(),
        "docs/metrics.md is out of date; regenerate it with `cargo run -- metrics --format markdown > docs/metrics.md`"
    );
}
