#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks, printing the comparison table.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh release idemcheck_broker_bench >/dev/null
exec build/release/bench/idemcheck_broker_bench "$@"
