//! Pinned logs: the simulator's exact output for the default week and the benchmark model at a
//! fixed seed, as a hash of every event's binary record (the wire format, which a golden-bytes
//! test pins on its own). A refactor that changes one event, one
//! timestamp or the order of two events changes the hash. The expected values were taken from
//! the simulator as it stood when this test was written (commit ba50409); a change that is
//! meant to alter the log must update them and say why in its commit.

use ccsim_engine::codec::encode_record;
use ccsim_engine::event::Event;
use ccsim_sim::model::Sim;
use ccsim_sim::output::{Output, SimError};
use ccsim_sim::scenario::{Scenario, DEFAULT_WEEK, DEFAULT_WEEK_FILE};

/// An output that keeps nothing but a 64-bit FNV-1a hash of the log's records and a count.
struct Hasher {
    hash: u64,
    events: u64,
}

impl Output for Hasher {
    fn event(&mut self, event: &Event<'_>) -> Result<(), SimError> {
        let record = encode_record(event).expect("every simulated event encodes");
        for &byte in &record {
            self.hash ^= u64::from(byte);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.events += 1;
        Ok(())
    }
}

/// The number of events and the hash of the log `scenario` gives with `seed`.
fn pin(scenario: &Scenario, seed: u64) -> (u64, String) {
    let out = Hasher {
        hash: 0xcbf2_9ce4_8422_2325,
        events: 0,
    };
    let (out, stats) = Sim::new(scenario, seed, out)
        .run()
        .expect("the simulation runs");
    assert_eq!(out.events, stats.events);
    (out.events, format!("{:016x}", out.hash))
}

#[test]
fn the_default_week_log_is_pinned() {
    let sc = Scenario::parse(DEFAULT_WEEK, DEFAULT_WEEK_FILE).expect("the default week loads");
    assert_eq!(pin(&sc, 7), (517_794, "1999d0c3455f3415".to_string()));
}

#[test]
fn the_benchmark_model_log_is_pinned() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/bench/mm6m.toml");
    let sc = Scenario::load(std::path::Path::new(path)).expect("the benchmark model loads");
    assert_eq!(pin(&sc, 1), (10_536_814, "65c789c60e2c2180".to_string()));
}
