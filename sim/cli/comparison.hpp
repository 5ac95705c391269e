#pragma once
// Paired comparisons (common random numbers), shared by `xsector compare` and the
// explorer of `xsector serve`, so that the page answers exactly what the command prints.
//
// Pairing: replicate r of every arm runs with the seed of sweep point 0, replicate r of
// the first arm's scenario, so every arm starts from the same region and has the same
// history until an intervention changes something; replicate r of an arm is `xsector run
// ARM.toml --replicates N`'s replicate r when the arm has the first arm's simulation.seed.
// The differences of replicate r are then differences caused by the arm, and their spread
// over replicates is what the interval is made of.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/summary.hpp"
#include "output/results_file.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

struct ComparisonArm {
  std::string name;  // file stem: the arm's coordinate in the file
  Scenario scenario;
  std::vector<FinalYear> years;  // per replicate, filled by run_paired
};

// Makes the arms comparable: refuses arms on different time axes (InputError), gives every
// arm the first arm's seed (a note on `notes` when one had its own) and `replicates`.
void pair_arms(std::vector<ComparisonArm>& arms, std::int64_t replicates, std::ostream& notes);

// The comparison file's header: run = arm × replicate, the arm's name as the swept value.
FileHeader comparison_header(const std::vector<ComparisonArm>& arms, std::size_t replicates,
                             const std::string& command_line, int threads);

// Runs replicate r of every arm (arm-major, the file's run order), writes each run to
// `writer` and appends its final year to the arm's `years`. `on_tick` gets the ticks done
// over all runs; `on_run` sees each finished run's series (the explorer's yearly curves).
using TicksDone = std::function<void(std::int64_t done)>;
using RunSeen = std::function<void(std::size_t arm, std::size_t replicate, const RunSeries& series)>;
void run_paired(std::vector<ComparisonArm>& arms, std::size_t replicates, ResultsWriter& writer,
                const TicksDone& on_tick, const RunSeen& on_run = {});

// The indicators compare reports, each a number per run's final year; the first is the gap.
struct Indicator {
  const char* label;
  double (*of)(const FinalYear&);
};
extern const Indicator kIndicators[4];

// Arm minus base, replicate by replicate.
std::vector<double> paired_differences(const ComparisonArm& arm, const ComparisonArm& base, const Indicator& indicator);

// "+0.0123 [+0.0100, +0.0150]", or "undefined", or "... (one run, no interval)".
std::string with_interval(const MeanInterval& m);

// The sentence about an arm's Δ gap: narrows, widens, or not distinguishable from no change.
std::string gap_verdict(const MeanInterval& delta_gap, const std::string& base_name);

// What `xsector compare` prints: every indicator per arm with Δ, then a verdict per arm.
void print_comparison(const std::vector<ComparisonArm>& arms, std::ostream& out);

}  // namespace xsector
