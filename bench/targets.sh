#!/usr/bin/env bash
# The performance targets of docs/PERFORMANCE.md ("Targets"), each measured once, in one
# command, beside the machine's memory limits (STREAM-like triad and random 8-byte reads,
# from xsector_bench), so that a reader sees how far each figure is from its target and
# from what the memory could do. Not a timed test: nothing fails on a figure.
#
#   bench/targets.sh [BUILD_DIR] [--quick]        (default build; run on a quiet machine)
#
# Figures (whole processes, the results file written, --threads 2):
#   small run   `xsector run scenarios/baseline.toml` (5,432 agents, 40 ticks): median of 21
#               wall times; target <= 20 ms. The same at population.scale=4: target <= 40 ms.
#   sweep       bench/sweep_bench.sh: 200 baseline replicates in one sweep; target >= 250 runs/s.
#   large run   xsector_bench --sizes 1m: 1M agents, 10 years; target >= 30 M agent-ticks/s.
#   national    `xsector run scenarios/us_national.toml`: wall and peak RSS; target <= 15 s,
#               <= 4 GiB.
# --quick leaves out the national run (about 20 s) and measures the small runs 7 times.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="$root/build"
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) build="$(cd "$arg" && pwd)" ;;
  esac
done
bin="$build/sim/xsector"
bench="$build/bench/xsector_bench"
for f in "$bin" "$bench"; do
  [ -x "$f" ] || { echo "targets.sh: no $f (build with benchmarks first: cmake --build $build)" >&2; exit 2; }
done
repeats=$((quick ? 7 : 21))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:    $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bin ($("$bin" --version | sed -n 1p))"

# Median wall time, in ms, of `repeats` whole-process runs of xsector with these arguments.
median_ms() {
  local times=()
  for _ in $(seq "$repeats"); do
    local start end
    start=$(date +%s%N)
    "$bin" "$@" -o "$work/run.h5" --force -q --threads 2 > /dev/null 2>&1
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] / 1000}'
}

"$bin" run "$root/scenarios/baseline.toml" -o "$work/run.h5" --force -q > /dev/null 2>&1  # warm the page cache
small=$(median_ms run "$root/scenarios/baseline.toml")
small4=$(median_ms run "$root/scenarios/baseline.toml" --set population.scale=4)

sweep_out=$(bash "$here/sweep_bench.sh" "$bin" 200 2)
sweep=$(echo "$sweep_out" | grep -Eo '[0-9.]+ runs/s' | tail -n 1 | cut -d' ' -f1)

large_out=$("$bench" --sizes 1m --threads 2 --repeat 1)
machine=$(echo "$large_out" | grep -E 'triad|latency' | sed 's/^ *//' | paste -sd ';' | sed 's/;/; /')
large=$(echo "$large_out" | grep -E '^1m ' | grep -Eo '[0-9.]+ M agent-ticks/s' | cut -d' ' -f1)

national="(left out: --quick)"
if ((!quick)); then
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" run "$root/scenarios/us_national.toml" -o "$work/national.h5" \
    --force -q --threads 2 > /dev/null 2>&1
  read -r wall rss_kb < "$work/time"
  national="$(awk -v w="$wall" -v r="$rss_kb" 'BEGIN {printf "%.1f s, %.2f GiB", w, r / 1048576}')"
fi

echo "machine: $machine"
printf '%-46s %-22s %s\n' "figure" "measured" "target"
printf '%-46s %-22s %s\n' "small run: baseline, whole process (median)" "$small ms" "<= 20 ms"
printf '%-46s %-22s %s\n' "small run: 4x baseline, whole process" "$small4 ms" "<= 40 ms"
printf '%-46s %-22s %s\n' "sweep: baseline runs/s, 2 threads" "$sweep runs/s" ">= 250 runs/s"
printf '%-46s %-22s %s\n' "large run: 1M agents, 2 threads" "$large M agent-ticks/s" ">= 30 M agent-ticks/s"
printf '%-46s %-22s %s\n' "national scenario: wall, peak RSS" "$national" "<= 15 s, <= 4 GiB"
