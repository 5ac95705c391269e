#!/usr/bin/env bash
# Fuzzing (docs/RELIABILITY.md): builds the libFuzzer targets of fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) in build-fuzz/, assembles their seed corpora, replays
# the regression inputs of tests/data/bad_inputs/, then runs each target for SECONDS.
#   .ci/fuzz.sh [SECONDS] [TARGET...]     (default: 60 s each for fuzz_scenario fuzz_output fuzz_network)
# The corpora grow in build-fuzz/corpus/<target>/. Every crash, leak, timeout or sanitizer
# report goes to build-fuzz/findings/<target>-*, is reproduced (report beside it) and is
# either a known finding (fuzz/known_findings.txt) or new, which fails the script.
# Reproduce one with  build-fuzz/fuzz/<target> build-fuzz/findings/<target>-crash-...
# and turn it into a regression test (tests/data/bad_inputs/ + tests/python/test_bad_inputs.py).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_scenario fuzz_output fuzz_network)

bash .ci/deps.sh  # clang, libfuzzer-14-dev, libclang-rt-14-dev and llvm-14 among them
# Without the symbolizer, reports carry addresses instead of function names, no known
# finding matches, and every finding would count as new: refuse instead of misjudging.
if ! command -v llvm-symbolizer-14 > /dev/null; then
  echo "fuzz.sh: llvm-symbolizer-14 is missing (Debian package llvm-14); findings could not be classified" >&2
  exit 1
fi

start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSECTOR_FUZZ=ON \
  -DXSECTOR_SANITIZE="address;undefined" -DXSECTOR_BUILD_TESTS=OFF -DXSECTOR_BUILD_BENCH=OFF > /dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_all
built=$(date +%s)
echo "fuzz build took $((built - start)) s"

seeds=build-fuzz/seeds
rm -rf "$seeds"
bash fuzz/make_corpora.sh build-fuzz "$seeds"
mkdir -p build-fuzz/corpus
export ASAN_OPTIONS="detect_leaks=1"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Temporary files of the targets (one results file or network per input) go here.
export TMPDIR="$PWD/build-fuzz/tmp"
mkdir -p "$TMPDIR"

# Reproduces one finding; prints "known: ..." or "NEW" and the report's summary.
classify() {  # classify TARGET ARTIFACT
  local target="$1" artifact="$2" report="$2.report"
  timeout 300 "build-fuzz/fuzz/${target}" -timeout=10 -rss_limit_mb=2048 "$artifact" > "$report" 2>&1 && {
    echo "not reproduced (flaky): $artifact"; return 0; }
  # libFuzzer names an artifact by what it found: crash-, timeout-, leak-, oom-, slow-unit-.
  local name kind
  name=$(basename "$artifact")
  kind=${name#"${target}-"}
  kind=${kind%%-*}
  while read -r known_target known_kind regex; do
    [[ -z "$known_target" || "$known_target" == \#* || "$known_target" != "$target" ]] && continue
    [[ "$known_kind" != "$kind" ]] && continue  # a timeout in a known crash's function is another bug
    if grep -Eq -- "$regex" "$report"; then echo "known ($kind, $regex): $artifact"; return 0; fi
  done < fuzz/known_findings.txt
  echo "NEW: $artifact"
  grep -m 3 -E "SUMMARY|FUZZ FINDING|ERROR: libFuzzer" "$report"
  return 1
}

status=0
rm -rf build-fuzz/findings
mkdir -p build-fuzz/findings
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/${target}
  kind=${target#fuzz_}
  mkdir -p "$corpus"
  dict=()
  [ -f "fuzz/${kind}.dict" ] && dict=(-dict="fuzz/${kind}.dict")
  options=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="build-fuzz/findings/${target}-" "${dict[@]}")
  # Regression inputs first: every seed, once (a crash here is an old bug come back).
  echo "== ${target}: replaying $(ls "$seeds/$kind" | wc -l) seeds"
  if ! "build-fuzz/fuzz/${target}" "${options[@]}" -runs=0 "$seeds/$kind" > "build-fuzz/${target}-replay.log" 2>&1; then
    tail -n 40 "build-fuzz/${target}-replay.log"
    status=1
    continue
  fi
  # Fork mode goes on after a crash, so that one known bug does not hide the others.
  echo "== ${target}: fuzzing for ${seconds} s"
  "build-fuzz/fuzz/${target}" "${options[@]}" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" "$corpus" "$seeds/$kind" > "build-fuzz/${target}.log" 2>&1 || true
  grep -E "^#[0-9]+: cov: .* exec/s" "build-fuzz/${target}.log" | tail -n 1 || true
  for artifact in build-fuzz/findings/"${target}"-*; do
    [ -f "$artifact" ] && [[ "$artifact" != *.report ]] || continue
    classify "$target" "$artifact" || status=1
  done
done
rm -rf "$TMPDIR"
echo "fuzzing took $(( $(date +%s) - built )) s"
if ((status)); then
  echo "NEW FINDINGS: reproduce with build-fuzz/fuzz/<target> <file>; reports beside them in build-fuzz/findings/"
fi
exit "$status"
