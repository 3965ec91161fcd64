#!/usr/bin/env bash
# Builds and runs the whole test suite through CTest.
#   ci/test.sh            the developer build (g++)
#   ci/test.sh --all      as CI does: g++, clang and the address+UB sanitizer build
#   ci/test.sh PRESET...  the named presets (dev, dev-clang, asan, release)
# Each run writes JUnit XML to build/<preset>/junit.xml.
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
if [ ${#presets[@]} -eq 0 ]; then
  presets=(dev)
elif [ "${presets[0]}" = "--all" ]; then
  presets=(dev dev-clang asan)
fi

jobs="$(nproc)"
for preset in "${presets[@]}"; do
  echo "==> ${preset}: build"
  ci/build.sh "$preset"
  echo "==> ${preset}: test"
  ctest --preset "$preset" -j "$jobs" --output-junit junit.xml
done
