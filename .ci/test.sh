#!/usr/bin/env bash
# Install what is missing, build, and run every test: the C++ and Python suites (ctest),
# then the MPI build and its tests with real mpirun processes. Each part prints its time.
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
echo "times: deps $((t1 - t0)) s, build $((t2 - t1)) s, tests $((t3 - t2)) s, MPI build+tests $((t4 - t3)) s"
