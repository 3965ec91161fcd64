#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks:
#   ci/bench.sh          both programs
#   ci/bench.sh broker   the dedup core (impl, spec, Kafka-shaped baseline, memory probe)
#   ci/bench.sh world    the simulation (spec world, impl world, differential pair)
#   ci/bench.sh replay   replay cost per event from 1,000 to 100,000 events (idemcheck replay's timeline)
#   ci/bench.sh prover   the explicit-state prover: its visited set and queues beside the standard ones,
#                        a World copy, a state key, and states per second on three cells
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
ci/build.sh release idemcheck_broker_bench idemcheck_world_bench idemcheck_replay_bench idemcheck_prover_bench >/dev/null
if [ "$which" = all ] || [ "$which" = broker ]; then
  build/release/bench/idemcheck_broker_bench --benchmark_color=false
fi
if [ "$which" = all ] || [ "$which" = world ]; then
  build/release/bench/idemcheck_world_bench --benchmark_color=false
fi
if [ "$which" = all ] || [ "$which" = replay ]; then
  build/release/bench/idemcheck_replay_bench --benchmark_color=false
fi
if [ "$which" = all ] || [ "$which" = prover ]; then
  build/release/bench/idemcheck_prover_bench --benchmark_color=false
fi
