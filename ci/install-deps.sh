#!/usr/bin/env bash
# Installs the Debian packages idemcheck needs to build and test, then the
# kafkajs client the wire front end is tested against (clients/kafkajs, from
# its lock file). Does nothing when they are all present already.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang
  librapidcheck-dev libgtest-dev libgmock-dev libz3-dev libfmt-dev libbenchmark-dev nlohmann-json3-dev
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang (the fuzz preset, ci/fuzz.sh)
  chromium  # tests/html_render_test renders the replay chart headless (skips without it)
  librdkafka-dev  # the C client under test against the wire front end, and its mock cluster (conform)
  python3  # the example core in another language (examples/python-core, ci/cores.sh)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_install() {
  echo "ci/install-deps.sh: installing $*"
  if [ "$apt_updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# The kafkajs driver's dependencies come from its lock file; reinstall only
# when the installed kafkajs is absent or not the locked version, so that a
# warm checkout does not touch the network.
kafkajs_dir="$(dirname "$0")/../clients/kafkajs"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
# Prints the "version" field of a package.json or the kafkajs entry of a
# package-lock.json; prints nothing when the file is missing or unreadable.
json_version() {
  node -e '
    const fs = require("fs")
    try {
      const json = JSON.parse(fs.readFileSync(process.argv[1], "utf8"))
      const version = json.packages ? json.packages["node_modules/kafkajs"].version : json.version
      process.stdout.write(String(version))
    } catch (e) {}
  ' "$1"
}
locked="$(json_version "$kafkajs_dir/package-lock.json")"
installed="$(json_version "$kafkajs_dir/node_modules/kafkajs/package.json")"
if [ "$installed" != "$locked" ]; then
  echo "ci/install-deps.sh: installing kafkajs $locked in clients/kafkajs"
  (cd "$kafkajs_dir" && npm ci --no-audit --no-fund)
fi
