#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan + UBSan) and runs every
# decoder's fuzz target for a bounded time, starting from its committed seed
# corpus in fuzz/corpus/<target>/.
#   ci/fuzz.sh              30 s per target (what CI runs)
#   ci/fuzz.sh 3600         an hour per target
#   ci/fuzz.sh 600 snapshot only the named targets (history_file, snapshot,
#                           properties, mutation_report, wire)
# New inputs that reach new code go to build/fuzz/corpus-work/<target>/ (the
# committed corpus is only read; copy an interesting input there by hand).
# A crash, a sanitizer report or a failed round trip writes the input to
# build/fuzz/artifacts/ and fails the script; replay it with
#   build/fuzz/fuzz/fuzz_<target> build/fuzz/artifacts/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(history_file snapshot properties mutation_report wire)
fi
"$(dirname "$0")/install-deps.sh"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"
mkdir -p build/fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  work="build/fuzz/corpus-work/$t"
  mkdir -p "$work"
  echo "==> fuzz_$t: ${seconds} s"
  # -rss_limit_mb: a decoder must not need more than a small multiple of its
  # input; 2 GiB leaves room for ASan's shadow memory.
  if ! "build/fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/artifacts/$t-" "$work" "fuzz/corpus/$t" 2>"build/fuzz/$t.log"; then
    echo "fuzz_$t FAILED; see build/fuzz/$t.log and build/fuzz/artifacts/"
    tail -40 "build/fuzz/$t.log"
    status=1
  else
    grep -E "^stat::(number_of_executed_units|new_units_added)" "build/fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
exit "$status"
