#!/usr/bin/env bash
# Runs the main job (`idemcheck`, every claim, pinned verdicts) once per seed
# and reports, per must-fail claim, the median and worst histories-to-violation
# over the seeds; fails if any seed's run is not as pinned.
#
# usage: ci/seed-sweep.sh [FIRST LAST] [-j JOBS] [--preset PRESET] [-- IDEMCHECK-ARGS...]
#   FIRST LAST   range of seeds (default 1 100)
#   -j JOBS      parallel runs (default: nproc)
#   --preset P   the build to use, build/P/cli/idemcheck (default dev; built if missing)
#   after --     passed to every run, e.g. -- --claim six-in-flight
set -euo pipefail
cd "$(dirname "$0")/.."
first=1 last=100 jobs=$(nproc) preset=dev extra=()
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs="$2"; shift 2 ;;
    -j*) jobs="${1#-j}"; shift ;;
    --preset) preset="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) positional+=("$1"); shift ;;
  esac
done
if [ ${#positional[@]} -eq 2 ]; then first=${positional[0]} last=${positional[1]}
elif [ ${#positional[@]} -ne 0 ]; then echo "usage: ci/seed-sweep.sh [FIRST LAST] [-j JOBS] [--preset PRESET] [-- ARGS...]" >&2; exit 2; fi
bin="build/$preset/cli/idemcheck"
if [ ! -x "$bin" ]; then
  cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" --target idemcheck -j"$jobs"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export bin out
seq "$first" "$last" | xargs -P "$jobs" -I{} sh -c '"$bin" --seed {} --lines "$@" > "$out/{}.txt" 2>&1; echo $? > "$out/{}.rc"' _ "${extra[@]}"
failed=0
for s in $(seq "$first" "$last"); do
  if [ "$(cat "$out/$s.rc")" != 0 ]; then
    failed=$((failed + 1))
    echo "seed $s: FAILED ($(grep 'as_pinned=no' "$out/$s.txt" | sed 's/ .*//' | tr '\n' ' '))"
  fi
done
echo "| claim | seeds found | median histories-to-violation | worst |"
echo "|---|---:|---:|---:|"
cat "$out"/*.txt | grep '^claim=.* expect=violated ' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    c = f["claim"]; if (!(c in n)) order[++k] = c; n[c]++
    if (f["to_violation"] != "none") { found[c]++; v[c, found[c]] = f["to_violation"] + 0 } }
  END { for (j = 1; j <= k; j++) { c = order[j]; m = found[c] + 0; med = "-"; worst = "-"
          if (m > 0) { for (a = 1; a <= m; a++) s[a] = v[c, a]
            for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
            med = s[int((m + 1) / 2)]; worst = s[m] }
          printf "| `%s` | %d/%d | %s | %s |\n", c, m, n[c], med, worst } }'
echo "seeds $first..$last: $failed failed"
[ "$failed" -eq 0 ]
