#!/usr/bin/env bash
# Checks the installed package as a consuming project sees it: installs
# idemcheck into a temporary prefix, then configures, builds and tests the
# example consumer (examples/consumer: find_package(idemcheck), its own core
# and sequencer, the conformance kit) against that prefix alone.
#   ci/package.sh                        configures and builds a plain Release
#                                        tree of the kit's libraries and the tool
#                                        (build/package-release/) and checks it
#   ci/package.sh build/plain-gcc-release   reuses a tree built already (such as
#                                        ci/plain-build.sh g++'s): only what is
#                                        out of date in it is rebuilt
# The example is built with the tree's compiler; the script fails if its build
# prints a warning or a test fails. The prefix and the example's build are
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/install-deps.sh"

# What the package installs: the libraries of the kit's link closure and the tool.
targets=(idemcheck_spec idemcheck_impl idemcheck_shrinkers idemcheck_properties idemcheck)

if [ $# -ge 1 ]; then
  tree="$1"
  if [ ! -f "$tree/CMakeCache.txt" ]; then
    echo "ci/package.sh: $tree is not a configured build tree" >&2
    exit 2
  fi
else
  tree="build/package-release"
  echo "==> plain Release tree of the package: $tree"
  cmake -S . -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDEMCHECK_BUILD_TESTS=OFF \
    -DIDEMCHECK_BUILD_BENCH=OFF -DIDEMCHECK_BUILD_CLIENTS=OFF >/dev/null
fi
# The install rules must be in the tree (an old tree configured before them: reconfigure).
if ! grep -q "^IDEMCHECK_INSTALL:BOOL=ON" "$tree/CMakeCache.txt"; then
  cmake -DIDEMCHECK_INSTALL=ON "$tree" >/dev/null
fi
echo "==> building what the package installs in $tree"
cmake --build "$tree" --target "${targets[@]}" >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
echo "==> installing into a temporary prefix"
cmake --install "$tree" --prefix "$prefix" >/dev/null

cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$tree/CMakeCache.txt")"
echo "==> the example consumer against the package (${cxx:-default compiler})"
example="$work/consumer"
cmake -S examples/consumer -B "$example" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  ${cxx:+-DCMAKE_CXX_COMPILER="$cxx"} -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
if ! cmake --build "$example" >"$work/example-build.log" 2>&1; then
  grep -E "error|FAILED" "$work/example-build.log" | head -20
  echo "ci/package.sh: the example consumer does not build against the package" >&2
  exit 1
fi
if grep -q "warning:" "$work/example-build.log"; then
  grep -A3 "warning:" "$work/example-build.log" | head -40
  echo "ci/package.sh: the example consumer's build printed warnings" >&2
  exit 1
fi
if ! ctest --test-dir "$example" -j2 --output-on-failure >"$work/example-test.log" 2>&1; then
  tail -60 "$work/example-test.log"
  echo "ci/package.sh: the example consumer's tests failed" >&2
  exit 1
fi
grep -E "tests passed" "$work/example-test.log"
echo "    ok: the package installs, and a consumer builds and passes its conformance tests"
