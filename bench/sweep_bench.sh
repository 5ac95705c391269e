#!/usr/bin/env bash
# Sweep throughput (issue 4): 200 runs of the baseline scenario (10 years, quarterly ticks)
# as one sweep (1 point x 200 replicates), with --threads 1 and --threads 2, HDF5 writing
# included. Prints runs per second for each. Not a timed test: the target on the 2-core
# reference machine is at least 50 runs/s with 2 threads (docs/PERFORMANCE.md).
#
#   bench/sweep_bench.sh [path/to/xsector] [runs] [threads...]
#   bench/sweep_bench.sh build/sim/xsector 200 1 2
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${1:-$root/build/sim/xsector}"
runs="${2:-200}"
shift $(( $# > 2 ? 2 : $# ))
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
[ -x "$bin" ] || { echo "no xsector binary at $bin (build first, or pass its path)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The baseline region, every parameter as in scenarios/baseline.toml, run `runs` times.
scenario="$work/sweep_bench.toml"
{ cat "$root/scenarios/baseline.toml"; printf '\n[sweep]\nmethod = "grid"\nreplicates = %d\n' "$runs"; } > "$scenario"

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:    $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB memory, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bin ($("$bin" --version))"
echo "sweep:   baseline x $runs replicates, $(grep -m1 '^years' "$root/scenarios/baseline.toml")"
for t in "${threads[@]}"; do
  out="$work/out-$t.h5"
  # CPU seconds too: on a shared machine wall time alone says more about the neighbours.
  /usr/bin/time -f "%e %U %S" -o "$work/time-$t" "$bin" sweep "$scenario" -o "$out" --threads "$t" --quiet
  read -r wall user sys < "$work/time-$t"
  awk -v t="$t" -v n="$runs" -v w="$wall" -v c="$(echo "$user + $sys" | bc)" -v size="$(stat -c %s "$out")" \
    'BEGIN { printf "threads %d: %d runs in %.2f s = %.1f runs/s (%.1f CPU s, %.1f runs per CPU s; file %.1f MiB)\n",
             t, n, w, n / w, c, n / c, size / 1048576 }'
done
