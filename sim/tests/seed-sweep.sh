#!/usr/bin/env bash
# The statistical checks of the simulator's tests under fresh seeds: runs them with
# CCSIM_TEST_SEED_OFFSET=1..N and prints how many seeds pass every check. Not part of CI
# (about 10 s a seed on two cores). The suite's stated error rate is in
# sim/tests/integration/support.rs: at most 1.26 % of seeds should fail. Logs go to
# $SWEEP_LOGS-OFFSET.log (default /tmp/seed-sweep-OFFSET.log).
#
#   sim/tests/seed-sweep.sh          # 40 seeds
#   sim/tests/seed-sweep.sh 10 5     # 10 seeds from offset 5
set -uo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-40}
first=${2:-1}
logs=${SWEEP_LOGS:-/tmp/seed-sweep}
# The tests that compare simulated means with theory.
checks=(queueing:: theory:: sweep:: logs::littles_law_on_the_queue
        campaigns::outbound_talk_time_replays_to_the_configured_mean)
cargo test -q -p ccsim-sim --test integration --no-run 2>/dev/null || exit 2
passed=0
for offset in $(seq "$first" $((first + seeds - 1))); do
    if CCSIM_TEST_SEED_OFFSET=$offset cargo test -q -p ccsim-sim --test integration -- \
        "${checks[@]}" >"$logs-$offset.log" 2>&1; then
        passed=$((passed + 1))
    else
        echo "seed offset $offset: a check failed ($logs-$offset.log)"
    fi
done
echo "passed for $passed of $seeds seeds"
