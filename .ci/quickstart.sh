#!/usr/bin/env bash
# Quick start: install what is missing, build, run the baseline scenario, print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh --run  # not the test tools (browser, MPI, clang): .ci/test.sh adds them
bash .ci/build.sh
build/sim/xsector run scenarios/baseline.toml -o baseline.h5 --force
build/sim/xsector info baseline.h5 | sed -n 1,20p  # sed reads it all: head would end the pipe early (SIGPIPE fails the script under pipefail)
