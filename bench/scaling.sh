#!/usr/bin/env bash
# Thread and MPI-rank scaling on a machine with many cores (docs/PERFORMANCE.md, "Beyond two
# cores"). The 2-core reference machine cannot show how the engine scales, so this script
# gathers, for the thread counts given:
#   1. memory bandwidth and random-access rate, and the 1M-agent and national benchmarks
#      (xsector_bench, which prints agent-ticks/s, speed-up over 1 thread and phase shares);
#   2. bit-identity across thread counts: xsector_digest's digests at each count must match;
#   3. sweep throughput, single process: the baseline x RUNS replicates with --threads T;
#   4. if an MPI build is given: the same sweep under mpirun with ranks x threads filling the
#      cores (rank 0 writes; the others simulate), and whether each file's results equal the
#      single-process file's (tests/mpi/compare.py; needs h5py in $PYTHON, default python3).
# Every section runs even if an earlier one failed; the exit status is 1 if any failed.
# SECTIONS picks some (default "1 2 3 4"; 4 compares with the file of 3, so needs it).
# MPI ranks run with --bind-to none: Open MPI's default binding puts each of one or two
# ranks on a single core (sim/core/thread_count.hpp).
#
#   bench/scaling.sh [BUILD_DIR] [MPI_XSECTOR]
#   THREADS="1 2 4 8 16" RUNS=400 bench/scaling.sh build build-mpi/sim/xsector
#   SECTIONS="3 4" RUNS=2000 bench/scaling.sh build build-mpi/sim/xsector
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${1:-$root/build}"
mpi_bin="${2:-}"
cores=$(nproc)
threads="${THREADS:-1 2 4 8 $cores}"
runs="${RUNS:-400}"
sections=" ${SECTIONS:-1 2 3 4} "
section() { [[ "$sections" == *" $1 "* ]]; }
failed=0
fail() { echo "FAILED: $*"; failed=1; }
csv() { echo "$*" | tr ' ' ','; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
TIMEFORMAT=%R  # bash's `time` prints wall seconds only

echo "== host"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "cores:   $cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $("$build/sim/xsector" --version)"

if section 1; then
echo "== 1. machine and scale benchmarks (threads: $threads)"
"$build/bench/xsector_bench" --sizes 1m --threads "$(csv $threads)" --repeat 2 || fail "xsector_bench 1m"
"$build/bench/xsector_bench" --no-machine --sizes national --threads "$(csv $threads)" --repeat 1 || fail "xsector_bench national"
fi

if section 2; then
echo "== 2. bit-identity across thread counts"
digest_at() {  # threads, extra args -> file of digests
  "$build/bench/xsector_digest" --threads "$1" "${@:2}" > "$work/digest-$1" || fail "xsector_digest --threads $1"
}
for t in 1 3 $cores; do digest_at "$t"; done
for t in 3 $cores; do
  cmp -s "$work/digest-1" "$work/digest-$t" && echo "small set: $t threads = 1 thread ($(wc -l < "$work/digest-1") runs)" \
    || fail "small set: digests at $t threads differ from 1 thread"
done
big=(--set population.scale=184 --set simulation.years=2)  # about 1M agents
digest_at 1 "${big[@]}"; mv "$work/digest-1" "$work/big-1"
digest_at "$cores" "${big[@]}"
cmp -s "$work/big-1" "$work/digest-$cores" && echo "1M agents: $cores threads = 1 thread" \
  || fail "1M agents: digests at $cores threads differ from 1 thread"
fi

baseline_sweep() {  # replicates file: the baseline scenario as a sweep of replicates
  { cat "$root/scenarios/baseline.toml"; printf '\n[sweep]\nmethod = "grid"\nreplicates = %d\n' "$1"; } > "$2"
}
sweep="$work/sweep.toml"
baseline_sweep "$runs" "$sweep"
if section 3; then
echo "== 3. sweep throughput, one process (baseline x $runs, HDF5 output included)"
for t in $threads; do
  s=$( { time "$build/sim/xsector" sweep "$sweep" -o "$work/tbb-$t.h5" --threads "$t" --quiet > /dev/null; } 2>&1 ) \
    || { fail "sweep --threads $t"; continue; }
  awk -v t="$t" -v n="$runs" -v s="$s" 'BEGIN { printf "threads %2d: %d runs in %6.2f s = %7.1f runs/s\n", t, n, s, n / s }'
done
fi

python="${PYTHON:-python3}"
compare="$root/tests/mpi/compare.py"  # every dataset but wall_time, bit for bit (as test_mpi.sh)

if [ -n "$mpi_bin" ] && section 4; then
  echo "== 4. sweep throughput under MPI (baseline x $runs; ranks x --threads fill $cores cores; rank 0 writes)"
  echo "mpi:     $(mpirun --version 2>&1 | head -1)"
  for t in $threads; do
    r=$(( cores / t + 1 ))
    out="$work/mpi-$r.h5"
    s=$( { time mpirun --allow-run-as-root --oversubscribe --bind-to none -n "$r" "$mpi_bin" sweep "$sweep" -o "$out" --threads "$t" --quiet > "$work/mpi.log" 2>&1; } 2>&1 ) \
      || { fail "mpirun -n $r --threads $t"; tail -5 "$work/mpi.log"; continue; }
    if ! "$python" -c "import h5py" 2> /dev/null; then same="results not compared ($python has no h5py)"
    elif "$python" "$compare" "$work/tbb-$(set -- $threads; echo "$1").h5" "$out"; then same="results equal the one-process file's"
    else same="RESULTS DIFFER"; failed=1; fi
    awk -v r="$r" -v t="$t" -v n="$runs" -v s="$s" -v same="$same" \
      'BEGIN { printf "ranks %2d x threads %2d: %d runs in %6.2f s = %7.1f runs/s; %s\n", r, t, n, s, n / s, same }'
  done
  # start-up: a sweep of one run, one process and under mpirun -n 2
  one="$work/one.toml"
  baseline_sweep 1 "$one"
  s1=$( { time "$build/sim/xsector" sweep "$one" -o "$work/one-tbb.h5" --quiet > /dev/null; } 2>&1 )
  s2=$( { time mpirun --allow-run-as-root --bind-to none -n 2 "$mpi_bin" sweep "$one" -o "$work/one-mpi.h5" --quiet > /dev/null 2>&1; } 2>&1 )
  echo "a sweep of 1 run: one process $s1 s, mpirun -n 2 $s2 s"
fi
exit $failed
