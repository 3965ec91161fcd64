#!/usr/bin/env bash
# Installs the Debian packages idemcheck needs to build and test.
# Does nothing when they are all present already.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang
  librapidcheck-dev libgtest-dev libgmock-dev libz3-dev libfmt-dev libbenchmark-dev nlohmann-json3-dev
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang (the fuzz preset, ci/fuzz.sh)
  chromium  # tests/html_render_test renders the replay chart headless (skips without it)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "ci/install-deps.sh: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
