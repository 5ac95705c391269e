#!/usr/bin/env bash
# Assembles the seed corpora of the fuzz targets (docs/RELIABILITY.md):
#   fuzz/make_corpora.sh BUILD_DIR OUT_DIR
# OUT_DIR/scenario  scenarios/*.toml, tests/data/scenarios/*.toml, tests/data/bad_inputs/*.toml,
#                   and each scenario again followed by a few --set lines (fuzz_scenario.cpp)
# OUT_DIR/output    small valid results files written by BUILD_DIR/fuzz/make_output_seeds,
#                   a truncated copy of one, and tests/data/bad_inputs/*.h5
# OUT_DIR/network   tests/data/networks/*.graphml, each CSV pair joined by "#--edges",
#                   and the bad network files of tests/data/bad_inputs/
# Existing files in OUT_DIR are kept, so a corpus grows from run to run.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
out="$2"
mkdir -p "$out/scenario" "$out/output" "$out/network"

seed() {  # seed DIR NAME < content
  cat > "$out/$1/seed-$2"
}

shopt -s nullglob
for f in "$src"/scenarios/*.toml "$src"/tests/data/scenarios/*.toml "$src"/tests/data/bad_inputs/*.toml; do
  name="$(basename "$(dirname "$f")")-$(basename "$f")"
  seed scenario "$name" < "$f"
  { cat "$f"; printf '\n#--set\nsimulation.years=3\nfoundation.public_share=0.2\nintervention.0.end_year=2\n'; } |
    seed scenario "set-$name"
done
printf 'x=1\n#--set\npopulation.scale=1e300\nnetwork.file=a.graphml\nfoundation.public_channel=voucher\n' |
  seed scenario set-only

"$build/fuzz/make_output_seeds" "$out/output" > /dev/null
for f in "$out"/output/*.h5; do cp "$f" "$out/output/seed-$(basename "$f")"; done
rm -f "$out"/output/run.h5 "$out"/output/sweep.h5 "$out"/output/snapshot.h5
head -c 4096 "$out/output/seed-run.h5" > "$out/output/seed-truncated.h5"
for f in "$src"/tests/data/bad_inputs/*.h5; do
  case "$(basename "$f")" in hdf5_bug_*) continue ;; esac  # crash libhdf5 itself (fuzz/known_findings.txt)
  cp "$f" "$out/output/seed-bad-$(basename "$f")"
done

for f in "$src"/tests/data/networks/*.graphml "$src"/tests/data/bad_inputs/*.graphml; do
  seed network "$(basename "$f")" < "$f"
done
for nodes in "$src"/tests/data/networks/*.nodes.csv "$src"/tests/data/bad_inputs/*.nodes.csv; do
  edges="${nodes%.nodes.csv}.edges.csv"
  [ -f "$edges" ] || continue
  { cat "$nodes"; printf '\n#--edges\n'; cat "$edges"; } | seed network "$(basename "${nodes%.nodes.csv}").csv"
done
echo "corpora in $out: $(ls "$out/scenario" | wc -l) scenario, $(ls "$out/output" | wc -l) output," \
     "$(ls "$out/network" | wc -l) network inputs"
