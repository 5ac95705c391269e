#!/usr/bin/env bash
# MPI sweep tests (issue 8, docs/CLUSTER.md), with real MPI processes:
#  1. `mpirun -n 3 xsector sweep` of a 30-run sweep equals the single-process sweep, run
#     for run (every dataset but wall_time, bit for bit: tests/mpi/compare.py), and the
#     MPI-built binary still runs standalone (the single-process file is made by it).
#     With two ranks, mpirun binds each to one core: a worker told to run more threads than
#     that gets a warning naming --bind-to none, and with --bind-to none it gets none.
#  2. --resume under MPI on a file with runs missing completes it, identical.
#  3. A worker rank killed with SIGKILL mid-sweep: the file keeps every finished run,
#     `mpirun ... --resume` completes it, and the result equals the uninterrupted file.
#     Repeated until a kill lands mid-sweep (some runs done, some not), as test_sweep does.
#
#   tests/test_mpi.sh [path/to/xsector built with -DXSECTOR_MPI=ON]
# Default binary: build-mpi/sim/xsector. ctest runs it when configured with XSECTOR_MPI=ON.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${1:-$root/build-mpi/sim/xsector}"
[ -x "$bin" ] || { echo "no xsector binary at $bin: cmake -S . -B build-mpi -DXSECTOR_MPI=ON && cmake --build build-mpi" >&2; exit 2; }
python=/usr/bin/python3
compare="$here/mpi/compare.py"
mpirun=(mpirun --allow-run-as-root --oversubscribe)

work="$(mktemp -d "${TMPDIR:-/tmp}/xsector-mpi-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# 10 points x 3 replicates = 30 runs, tiny (as in tests/test_sweep.cpp).
sweep_toml() {  # scale years replicates
  printf '[simulation]\nyears = %s\nseed = 11\n\n[population]\nscale = %s\n\n[sweep]\nmethod = "grid"\nreplicates = %s\n\n[sweep.parameters]\n"foundation.public_share" = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]\n' "$2" "$1" "$3"
}
sweep_toml 0.02 2 3 > small.toml
# Slow enough (a second or more) that a kill can land mid-sweep: 100 runs.
sweep_toml 1.0 20 10 > big.toml

# ---- 1. three ranks equal one process -----------------------------------------------------
"$bin" sweep small.toml -o one.h5 --quiet
"${mpirun[@]}" -n 3 "$bin" sweep small.toml -o mpi.h5 --quiet > mpi.log 2>&1 || { cat mpi.log; fail "mpirun -n 3 sweep failed"; }
if "$python" "$compare" one.h5 mpi.h5; then pass "mpirun -n 3 sweep equals the single-process sweep"; else fail "mpirun -n 3 file differs"; fi
# the comparison itself can fail: another seed gives another file
sed 's/seed = 11/seed = 12/' small.toml > other.toml
"$bin" sweep other.toml -o other.h5 --quiet
if "$python" "$compare" one.h5 other.h5 2> /dev/null; then fail "compare.py did not notice a different seed"; else pass "compare.py tells files apart"; fi
# refusals on rank 0 end the whole job with the single-process exit code (3: output error)
set +e
"${mpirun[@]}" -n 3 "$bin" sweep small.toml -o mpi.h5 --quiet > refuse.log 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ] && grep -q "exists" refuse.log; then pass "an existing output is refused under MPI (exit $rc)"; else cat refuse.log; fail "no refusal of an existing output under MPI (exit $rc)"; fi

# two ranks: bound to one core each, 2 threads warn; unbound, as many threads as cores do not
"${mpirun[@]}" -n 2 --bind-to core "$bin" sweep small.toml -o bound.h5 --threads 2 --quiet > bound.log 2>&1 || { cat bound.log; fail "mpirun -n 2 --bind-to core failed"; }
if grep -q "may run on only 1 CPU" bound.log && grep -q -- "--bind-to none" bound.log && "$python" "$compare" one.h5 bound.h5; then
  pass "a rank bound to one core with 2 threads is warned, and its file is the same"
else cat bound.log; fail "no warning for 2 threads on a rank bound to one core (or the file differs)"; fi
"${mpirun[@]}" -n 2 --bind-to none "$bin" sweep small.toml -o unbound.h5 --threads "$(nproc)" --quiet > unbound.log 2>&1 || { cat unbound.log; fail "mpirun -n 2 --bind-to none failed"; }
if ! grep -q "may run on only" unbound.log && "$python" "$compare" one.h5 unbound.h5; then pass "--bind-to none: no warning, same file"
else cat unbound.log; fail "--bind-to none warned (or the file differs)"; fi

# ---- 2. --resume under MPI ----------------------------------------------------------------
# A file with runs missing: the first half of a shard-like partial made by --shard 0/2.
"$bin" sweep small.toml -o part.h5 --shard 0/2 --quiet
"${mpirun[@]}" -n 3 "$bin" sweep small.toml -o part.h5 --resume --quiet > resume.log 2>&1 || { cat resume.log; fail "mpirun --resume failed"; }
read -r done total < <("$python" "$compare" --count part.h5 || echo "-1 -1")
if [ "$done" = "$total" ] && "$python" "$compare" one.h5 part.h5; then pass "mpirun --resume completes a partial file, identical"
else fail "mpirun --resume: $done of $total done or file differs"; fi

# ---- 3. a worker rank killed, then --resume -------------------------------------------------
ref_start=$(date +%s.%N)
"$bin" sweep big.toml -o ref.h5 --quiet
ref_seconds=$(awk -v a="$ref_start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
# The kill comes at a random fraction of the reference sweep's wall time after the ranks
# are up; the fraction adapts when a kill lands too late (all done) or too early (none),
# so the test holds on machines of any speed (a fixed delay missed on a faster host).
frac_low=0.05 frac_high=0.6
landed=0
for attempt in 1 2 3 4 5 6 7 8; do
  rm -f killed.h5 killed.h5.tmp-* pid.*
  XSECTOR_MPI_PIDFILE="$work/pid" "${mpirun[@]}" -n 3 "$bin" sweep big.toml -o killed.h5 --quiet > kill.log 2>&1 &
  job=$!
  for _ in $(seq 200); do [ -s pid.1 ] && [ -s pid.2 ] && break; sleep 0.05; done
  victim=$(( RANDOM % 2 + 1 ))
  sleep "$(awk -v r="$RANDOM" -v t="$ref_seconds" -v lo="$frac_low" -v hi="$frac_high" \
    'BEGIN { printf "%.3f", t * (lo + (hi - lo) * r / 32767) }')"
  [ -s "pid.$victim" ] && kill -KILL "$(cat "pid.$victim")" 2> /dev/null || true
  set +e; wait "$job"; rc=$?; set -e
  [ -f killed.h5 ] || { echo "attempt $attempt: no file (rc $rc)"; continue; }
  read -r done total < <("$python" "$compare" --count killed.h5 || echo "-1 -1")
  echo "attempt $attempt: killed rank $victim, mpirun exit $rc, $done of $total runs in the file"
  if [ "$done" -gt 0 ] && [ "$done" -lt "$total" ]; then landed=1; break; fi
  if [ "$done" = "$total" ]; then  # too late: aim earlier
    frac_high=$(awk -v h="$frac_high" 'BEGIN { print h / 2 }'); frac_low=$(awk -v l="$frac_low" 'BEGIN { print l / 2 }')
  else  # too early (no run finished): aim later
    frac_low=$(awk -v l="$frac_low" -v h="$frac_high" 'BEGIN { print (l + h) / 2 }'); frac_high=$(awk -v h="$frac_high" 'BEGIN { print h * 1.5 }')
  fi
done
if [ "$landed" = 1 ]; then
  # the runs already in the killed file are those of the uninterrupted sweep
  "${mpirun[@]}" -n 3 "$bin" sweep big.toml -o killed.h5 --resume --quiet > kresume.log 2>&1 || { cat kresume.log; fail "--resume after a kill failed"; }
  read -r done total < <("$python" "$compare" --count killed.h5 || echo "-1 -1")
  if [ "$done" = "$total" ] && "$python" "$compare" ref.h5 killed.h5; then
    pass "worker killed mid-sweep, then mpirun --resume: the full file equals the uninterrupted one"
  else fail "after kill + resume: $done of $total done or file differs"; fi
else
  fail "no kill landed mid-sweep in 8 attempts"
fi

[ "$failures" = 0 ] && echo "all MPI tests passed" || { echo "$failures MPI test(s) failed" >&2; exit 1; }
