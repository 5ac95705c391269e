#!/usr/bin/env bash
# The MPI build and its tests (issue 8, docs/CLUSTER.md): configures build-mpi with
# -DXSECTOR_MPI=ON (Open MPI from Debian: openmpi-bin, libopenmpi-dev), builds xsector and
# runs the MPI tests (tests/test_mpi.sh through ctest: real mpirun processes).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mpirun > /dev/null || { echo "mpirun not found: apt-get install openmpi-bin libopenmpi-dev" >&2; exit 2; }
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
cmake -S . -B build-mpi "${generator[@]}" -DXSECTOR_MPI=ON -DXSECTOR_BUILD_BENCH=OFF
cmake --build build-mpi --target xsector -j"$(nproc)"
start=$(date +%s)
ctest --test-dir build-mpi -R '^mpi_' --output-on-failure
echo "MPI tests took $(( $(date +%s) - start )) s"
