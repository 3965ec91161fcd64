#!/usr/bin/env bash
# Configures and builds one CMake preset (default: dev). Extra arguments are
# passed to the build, e.g. a target: ci/build.sh release idemcheck_broker_bench
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
shift || true
"$(dirname "$0")/install-deps.sh"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
