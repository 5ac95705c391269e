#!/usr/bin/env bash
# Install what is missing, build, and run every test: the C++ and Python suites (ctest),
# the MPI build and its tests with real mpirun processes, the Slurm job-array recipe against
# real daemons (tests/slurm/run.sh), the unit tests under
# AddressSanitizer + UndefinedBehaviorSanitizer and the parallel tests under
# ThreadSanitizer (.ci/sanitizers.sh), then each libFuzzer target for 60 s (.ci/fuzz.sh).
# Each part prints its time; on 2 cores the whole takes about 42 minutes once the packages
# are installed (2508 s in a clean clone on 8 Dec 2026, other work sharing the cores).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
bash .ci/deps.sh
t1=$(date +%s)
bash .ci/build.sh
t2=$(date +%s)
ctest --test-dir build --output-on-failure -j"$(nproc)"
t3=$(date +%s)
bash .ci/mpi.sh
t4=$(date +%s)
bash tests/slurm/run.sh build/sim/xsector
t4s=$(date +%s)
bash .ci/sanitizers.sh all
t5=$(date +%s)
bash .ci/fuzz.sh 60
t6=$(date +%s)
echo "times: deps $((t1 - t0)) s, build $((t2 - t1)) s, tests $((t3 - t2)) s, MPI build+tests $((t4 - t3)) s," \
     "Slurm $((t4s - t4)) s, sanitizers $((t5 - t4s)) s, fuzzing $((t6 - t5)) s, total $((t6 - t0)) s"
