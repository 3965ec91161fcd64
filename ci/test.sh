#!/usr/bin/env bash
# Builds and runs the whole test suite through CTest.
#   ci/test.sh            the developer build (g++)
#   ci/test.sh --all      as CI does: the g++ developer build, the address+UB
#                         sanitizer build, and the plain (preset-less) Release
#                         build with clang, which must also print no warning;
#                         the sanitizer and plain builds leave out the tests
#                         labelled every-cell (both provers on every cell of
#                         the grid: two minutes of CPU) and the four tests
#                         whose time is Z3's (label z3-bound: ASan does not
#                         instrument Z3, and the prover code they reach is
#                         also reached by cheaper tests), all of which the
#                         g++ build runs
#   ci/test.sh NAME...    the named presets (dev, dev-clang, asan, release,
#                         mutants) or plain builds (plain-gcc, plain-clang:
#                         see ci/plain-build.sh)
# Each run writes JUnit XML to junit.xml in its build tree (build/<preset>/,
# build/plain-<compiler>-release/).
set -euo pipefail
cd "$(dirname "$0")/.."

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(dev)
elif [ "${names[0]}" = "--all" ]; then
  names=(dev asan plain-clang)
fi

jobs="$(nproc)"
for name in "${names[@]}"; do
  echo "==> ${name}: build"
  case "$name" in
    plain-gcc | plain-clang)
      cxx="${name#plain-}"
      cxx="${cxx/gcc/g++}"
      cxx="${cxx/clang/clang++}"
      ci/plain-build.sh "$cxx"
      echo "==> ${name}: test"
      ctest --test-dir "build/${name}-release" -j "$jobs" --output-on-failure --no-tests=error \
        --output-junit junit.xml -LE 'every-cell|z3-bound|real-clients'
      ;;
    *)
      ci/build.sh "$name"
      echo "==> ${name}: test"
      ctest --preset "$name" -j "$jobs" --output-junit junit.xml
      ;;
  esac
done
