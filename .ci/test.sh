#!/usr/bin/env bash
# Install what is missing, build, and run every test (C++ and Python) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
bash .ci/build.sh
start=$(date +%s)
ctest --test-dir build --output-on-failure -j"$(nproc)"
echo "tests took $(( $(date +%s) - start )) s"
