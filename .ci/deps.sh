#!/usr/bin/env bash
# Installs the Debian packages xsector needs (see ../shared/DEBIAN-NOTES.md): with --run
# only what building and running need, else also what the tests need; plus any named as
# arguments (.ci/sanitizers.sh adds dpkg-dev). Only those that are missing, so a second
# call costs nothing.
set -euo pipefail
# What building and running need (the quick start: `deps.sh --run`): the compiler and
# libraries, and the Python packages of `xsector report`.
run_packages=(
  cmake g++ make git libboost-graph-dev libtbb-dev libhdf5-dev hdf5-tools libcli11-dev
  libtomlplusplus-dev librandom123-dev libgtest-dev libbenchmark-dev
  libcpp-httplib-dev nlohmann-json3-dev pkg-config  # xsector serve: HTTP, the page's JSON requests
  python3-h5py python3-numpy python3-pandas python3-xarray python3-h5netcdf python3-matplotlib python3-scipy
)
# What the tests add: pytest and the notebook runner, scikit-learn (feature scores), a
# browser for the report test, Open MPI, clang with its sanitizer and fuzzer runtimes,
# pybind11 for the in-process Python module (sim/python; built only when it is found).
test_packages=(
  python3-pytest python3-nbclient python3-nbformat python3-ipykernel python3-sklearn chromium
  pybind11-dev python3-dev
  openmpi-bin libopenmpi-dev clang libfuzzer-14-dev libclang-rt-14-dev
  llvm-14  # llvm-symbolizer-14: sanitizer reports name functions only with it (fuzz.sh)
  slurm-wlm munge  # tests/slurm/run.sh: a real Slurm job array of shards, then merge
  chromium-driver python3-selenium  # tests/python/test_explorer.py: the explorer page in a real browser
)
if [ "${1:-}" = "--run" ]; then
  shift
  packages=("${run_packages[@]}" "$@")
else
  packages=("${run_packages[@]}" "${test_packages[@]}" "$@")
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
