#!/usr/bin/env bash
# MPI sweep throughput (issue 8, docs/CLUSTER.md): the baseline scenario as one sweep of
# `runs` replicates, run
#   * by the single-process TBB path (no mpirun), and
#   * under `mpirun -n R` for each R given (default 1 2 4).
# With R >= 2, rank 0 only writes and R-1 worker ranks simulate, each with all cores' TBB
# threads; with R = 1 the binary takes the TBB path inside mpirun. Beyond the machine's
# cores the ranks are oversubscribed (--oversubscribe), noted in the output.
# The per-run overhead of the MPI path is the slope: (T(runs) - T(1 run)) / (runs - 1) under
# mpirun -n 2, minus the same for the TBB path, so mpirun's start-up is not counted in it.
#
#   bench/mpi_bench.sh [path/to/xsector built with -DXSECTOR_MPI=ON] [runs] [ranks...]
#   bench/mpi_bench.sh build-mpi/sim/xsector 200 1 2 4
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${1:-$root/build-mpi/sim/xsector}"
runs="${2:-200}"
shift $(( $# > 2 ? 2 : $# ))
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(1 2 4)
[ -x "$bin" ] || { echo "no xsector binary at $bin (cmake -S . -B build-mpi -DXSECTOR_MPI=ON; cmake --build build-mpi)" >&2; exit 2; }
cores=$(nproc)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
make_sweep() {  # replicates -> file
  { cat "$root/scenarios/baseline.toml"; printf '\n[sweep]\nmethod = "grid"\nreplicates = %d\n' "$1"; } > "$work/sweep-$1.toml"
}
make_sweep "$runs"
make_sweep 1

# seconds of wall time of a command
timed() { /usr/bin/time -f "%e" -o "$work/t" "$@" > /dev/null 2>&1; cat "$work/t"; }
tbb_run() { rm -f "$work/o.h5"; timed "$bin" sweep "$work/sweep-$1.toml" -o "$work/o.h5" --quiet; }
mpi_run() { rm -f "$work/o.h5"; timed mpirun --allow-run-as-root --oversubscribe --bind-to none -n "$2" "$bin" sweep "$work/sweep-$1.toml" -o "$work/o.h5" --quiet; }

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:    $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bin ($("$bin" --version)), $(mpirun --version | head -1)"
echo "sweep:   baseline x $runs replicates, $(grep -m1 '^years' "$root/scenarios/baseline.toml")"

t_tbb=$(tbb_run "$runs")
awk -v n="$runs" -v w="$t_tbb" 'BEGIN { printf "TBB path (no mpirun):   %d runs in %6.2f s = %6.1f runs/s\n", n, w, n / w }'
for r in "${ranks[@]}"; do
  t=$(mpi_run "$runs" "$r")
  note=""
  [ "$r" -gt "$cores" ] && note=" (oversubscribed: $r ranks on $cores cores)"
  [ "$r" -eq 1 ] && note=" (one rank: the TBB path inside mpirun)"
  [ "$r" -ge 2 ] && note="$note, $((r - 1)) worker rank(s)"
  awk -v n="$runs" -v w="$t" -v r="$r" -v note="$note" \
    'BEGIN { printf "mpirun -n %d:            %d runs in %6.2f s = %6.1f runs/s%s\n", r, n, w, n / w, note }'
done

t_tbb1=$(tbb_run 1)
t_mpi1=$(mpi_run 1 2)
t_mpi=$(mpi_run "$runs" 2)
awk -v n="$runs" -v a="$t_tbb" -v a1="$t_tbb1" -v b="$t_mpi" -v b1="$t_mpi1" 'BEGIN {
  tbb = (a - a1) / (n - 1); mpi = (b - b1) / (n - 1)
  printf "per run (slope):        TBB %.2f ms, MPI -n 2 %.2f ms: MPI overhead %+.2f ms per run\n", 1000 * tbb, 1000 * mpi, 1000 * (mpi - tbb)
  printf "start-up (1-run sweep): TBB %.2f s, mpirun -n 2 %.2f s\n", a1, b1 }'
