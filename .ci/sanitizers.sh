#!/usr/bin/env bash
# Sanitizer builds and tests (docs/RELIABILITY.md), on top of the normal build:
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer (clang) in build-asan/: every test
#         that ctest runs (GoogleTest suites and the Python tests, which then drive the
#         ASan binary). UBSan findings abort (-fno-sanitize-recover=all); leaks fail.
#   tsan  ThreadSanitizer (clang) in build-tsan/: the parallel tests, test_model's
#         Simulation.*, the market against its reference on several threads
#         (MarketReference.*) and test_sweep (threads within a run, runs in parallel, the
#         writer thread), against a oneTBB built with -fsanitize=thread (see below).
# Usage: .ci/sanitizers.sh [asan|tsan|all]     (default: all)
# Installs what is missing (the project's packages, clang, its sanitizer runtimes, and
# dpkg-dev for `apt-get source`). Prints how long each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
parts="${1:-all}"
jobs="$(nproc)"
root="$PWD"

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
bash .ci/deps.sh dpkg-dev  # dpkg-dev: `apt-get source` for the TSan build of oneTBB
export CC=clang CXX=clang++

# Debian's libhdf5 leaks a few hundred bytes when it gives up on a damaged file; that is
# not ours to fix (fuzz/lsan.supp). Everything else that leaks fails the test.
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

now() { date +%s; }
report=()

if [[ "$parts" == all || "$parts" == asan ]]; then
  start=$(now)
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSECTOR_SANITIZE="address;undefined" \
        -DXSECTOR_BUILD_BENCH=OFF > /dev/null
  cmake --build build-asan -j"$jobs"
  built=$(now)
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
  done_at=$(now)
  report+=("asan+ubsan: build $((built - start)) s, tests $((done_at - built)) s")
fi

# ThreadSanitizer needs every library that synchronises threads to be instrumented.
# Debian's libtbb is not: TSan would not see the synchronisation inside TBB's scheduler
# and would report every hand-over of work between two parallel loops as a data race,
# in xsector's own code (with the uninstrumented library, a suppression broad enough to
# silence that silences every real race in a parallel loop too). So oneTBB is built from
# Debian's source package for the same version as libtbb-dev, with TBB's own
# TBB_SANITIZE=thread, once, into build-tsan/onetbb (about 2 minutes on 2 cores).
build_tsan_onetbb() {
  local prefix="$root/build-tsan/onetbb" work="$root/build-tsan/onetbb-src"
  [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ] && return 0
  rm -rf "$work"
  mkdir -p "$work/apt"
  local codename
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  cat > "$work/apt/deb-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${codename} ${codename}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Only this deb-src list is read, and the binary lists are kept (List-Cleanup=0).
  local apt_src=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt" -o APT::Get::List-Cleanup=0)
  "${sudo_cmd[@]}" apt-get "${apt_src[@]}" update -qq
  local version
  version="$(dpkg-query -W -f='${Version}' libtbb-dev)"
  (cd "$work" && apt-get "${apt_src[@]}" source -qq "onetbb=$version" 2> /dev/null ||
                 apt-get "${apt_src[@]}" source -qq onetbb)
  cmake -S "$(ls -d "$work"/onetbb-*/ | sed -n 1p)" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF \
        -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON -DCMAKE_INSTALL_PREFIX="$prefix" > /dev/null
  cmake --build "$work/build" -j"$jobs" > /dev/null
  cmake --install "$work/build" > /dev/null
  rm -rf "$work"
}

if [[ "$parts" == all || "$parts" == tsan ]]; then
  start=$(now)
  build_tsan_onetbb
  tbb_built=$(now)
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSECTOR_SANITIZE=thread \
        -DXSECTOR_BUILD_BENCH=OFF -DTBB_DIR="$root/build-tsan/onetbb/lib/cmake/TBB" > /dev/null
  cmake --build build-tsan -j"$jobs" --target test_model test_market_reference test_sweep xsector
  built=$(now)
  # The instrumented libtbb must be the one loaded (RUNPATH), or TSan checks nothing.
  # (ldd's output is taken whole: `ldd | grep -q` fails under pipefail when grep stops
  # reading first and ldd dies of SIGPIPE, as it did in a bare Debian root.)
  [[ "$(ldd build-tsan/tests/test_model)" == *"$root/build-tsan/onetbb/lib/libtbb"* ]] ||
    { echo "build-tsan/tests/test_model does not load the instrumented libtbb"; exit 1; }
  ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(Simulation|MarketReference|SweepTest|Shard)\.'
  done_at=$(now)
  report+=("tsan: oneTBB $((tbb_built - start)) s, build $((built - tbb_built)) s, tests $((done_at - built)) s")
fi

printf '%s\n' "${report[@]}"
