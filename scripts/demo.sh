#!/usr/bin/env bash
# The demo on a fresh machine: fetch MNIST (checksums verified, cached), build, run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/fetch-data.sh" mnist
(cd "$ROOT" && mvn -q -B -DskipTests install)
exec "$ROOT/scripts/lethe" demo "$@"
