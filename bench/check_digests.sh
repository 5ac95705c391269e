#!/usr/bin/env bash
# Bit-identity of a build against the recorded digests (bench/digests.txt): runs
# xsector_digest at 1 and 2 threads and prints any line that differs. Exit 0 when both
# equal the record; 1 otherwise. Not part of ctest: a change that alters results on
# purpose regenerates the record (and says so in docs/PERFORMANCE.md).
#
#   bench/check_digests.sh [BUILD_DIR]        (default build; about 1 s)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="$(cd "${1:-$root/build}" && pwd)"
record="$(grep -v '^#' "$here/digests.txt")"
status=0
for threads in 1 2; do
  now="$(cd "$root" && "$build/bench/xsector_digest" --threads "$threads")"
  if [[ "$now" == "$record" ]]; then
    echo "digests at $threads thread(s): identical to bench/digests.txt"
  else
    echo "digests at $threads thread(s) differ from bench/digests.txt:"
    diff <(echo "$record") <(echo "$now") || true
    status=1
  fi
done
exit "$status"
