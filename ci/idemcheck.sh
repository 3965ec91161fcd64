#!/usr/bin/env bash
# Builds the idemcheck tool (developer build) and runs it with the given
# arguments. Without arguments it runs the default job on Kafka's defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh dev idemcheck >/dev/null
exec build/dev/cli/idemcheck "$@"
