#!/usr/bin/env bash
# The example core in another language (examples/python-core/core.py) through
# the core protocol: clean, it must agree with the reference model (exit 0);
# with each of its seeded bugs, the harness must catch it (exit 1) and print
# the shrunk counterexample. Fails on anything else, including a core the
# harness could not talk to (exit 2).
#   ci/cores.sh [IDEMCHECK]     default: build/dev/cli/idemcheck
#   HISTORIES=N ci/cores.sh     broker histories per run (default 150)
set -euo pipefail
cd "$(dirname "$0")/.."
idemcheck="${1:-build/dev/cli/idemcheck}"
histories="${HISTORIES:-150}"
# The system's interpreter: a version manager's python3 on PATH may be a
# wrapper that costs a quarter of a second per start, and every broker
# history starts the core afresh.
python=python3
if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; fi
core="$python examples/python-core/core.py"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "==> clean core: must agree"
if ! "$idemcheck" conform --core "$core" --seed 1 --histories "$histories" --world 10 --quiet >"$out"; then
  cat "$out"
  echo "the clean example core did not pass"
  exit 1
fi
cat "$out"

bugs=$("$python" examples/python-core/core.py --list-bugs)
for bug in $bugs; do
  echo "==> seeded bug $bug: must be caught"
  status=0
  "$idemcheck" conform --core "$core --bug $bug" --seed 1 --histories 2000 --world 0 >"$out" || status=$?
  if [ "$status" -ne 1 ] || ! grep -q "shrunk from" "$out"; then
    cat "$out"
    echo "seeded bug $bug was not caught with a shrunk counterexample (exit $status)"
    exit 1
  fi
  sed -n '/^FAILED/,$p' "$out"
done
echo "ok: the clean core agreed and every seeded bug was caught"
