#!/usr/bin/env bash
# Configures and builds one CMake preset (default: dev). Extra arguments are
# targets to build (ci/build.sh release idemcheck_broker_bench idemcheck_world_bench),
# or options passed to the build as they are (ci/build.sh mutants --target idemcheck).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
shift || true
"$(dirname "$0")/install-deps.sh"
cmake --preset "$preset" >/dev/null
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  cmake --build --preset "$preset" --target "$@"   # ci/build.sh release target1 target2
else
  cmake --build --preset "$preset" "$@"            # ci/build.sh mutants --target idemcheck
fi
