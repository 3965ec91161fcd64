#!/usr/bin/env bash
# Builds idemcheck the way a packager or a consuming project does: no preset,
# only `cmake -DCMAKE_BUILD_TYPE=Release` (warnings are not errors there), with
# each compiler given (default: g++ and clang++). The build must succeed and
# print no warning at all, so the script fails on the first "warning:" line.
#   ci/plain-build.sh                 g++ and clang++, Release
#   ci/plain-build.sh clang++         one compiler
#   BUILD_TYPE=Debug ci/plain-build.sh
#   TESTS=OFF ci/plain-build.sh g++  without the test suite (the libraries,
#                                     the tool and the benchmarks only)
# Build trees: build/plain-{gcc,clang}-<type>/, logs beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
compilers=("$@")
if [ ${#compilers[@]} -eq 0 ]; then
  compilers=(g++ clang++)
fi
type="${BUILD_TYPE:-Release}"
tests="${TESTS:-ON}"
"$(dirname "$0")/install-deps.sh"
for cxx in "${compilers[@]}"; do
  name="${cxx/clang++/clang}"
  name="${name/g++/gcc}"
  dir="build/plain-${name}-${type,,}"
  echo "==> plain ${type} build with ${cxx}: ${dir}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DCMAKE_CXX_COMPILER="$cxx" \
    -DIDEMCHECK_BUILD_TESTS="$tests" >/dev/null
  if ! cmake --build "$dir" >"$dir.log" 2>&1; then
    grep -E "error|FAILED" "$dir.log" | head -20
    echo "plain ${type} build with ${cxx} FAILED (log: $dir.log)"
    exit 1
  fi
  if grep -q "warning:" "$dir.log"; then
    grep -A3 "warning:" "$dir.log" | head -40
    echo "plain ${type} build with ${cxx} printed warnings (log: $dir.log)"
    exit 1
  fi
  echo "    ok: no warnings"
done
