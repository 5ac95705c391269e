// `xsector compare BASE.toml ARM.toml ...`: paired replicates of each arm into one file,
// and the answer in the terminal: each arm's final year and its difference from the first
// arm with a paired 95% interval, in words. The pairing, the runs and the printed answer
// are cli/comparison.hpp's, which the explorer of `xsector serve` shares.
#include <filesystem>
#include <iostream>
#include <set>

#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "cli/comparison.hpp"
#include "cli/progress.hpp"
#include "core/thread_count.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "output/atomic_output.hpp"
#include "output/results_file.hpp"
#include "output/utc_time.hpp"
#include "scenario/memory_estimate.hpp"

namespace xsector {
namespace {

std::vector<ComparisonArm> load_arms(const CompareOptions& opt) {
  if (opt.scenarios.size() < 2)
    throw InputError("compare needs at least two scenario files: the first is the base, e.g. xsector compare "
                     "scenarios/baseline.toml scenarios/policy_mix.toml");
  std::vector<ComparisonArm> arms;
  std::set<std::string> names;
  for (const std::string& file : opt.scenarios) {
    ComparisonArm arm{std::filesystem::path(file).stem().string(), load_scenario(file, opt.common.overrides), {}};
    if (!names.insert(arm.name).second)
      throw InputError(file + ": two arms are called `" + arm.name +
                       "`; arms are named by their file name, so copy one under another name");
    if (arm.scenario.sweep)
      throw InputError(file + ": has a [sweep] table; compare runs scenarios as they are (use xsector sweep for "
                       "a sweep)");
    arms.push_back(std::move(arm));
  }
  pair_arms(arms, opt.replicates, std::cerr);
  return arms;
}

}  // namespace

int compare_command(const CompareOptions& opt) {
  std::vector<ComparisonArm> arms = load_arms(opt);
  const int threads = thread_count(opt.common.threads, std::cerr);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  for (const ComparisonArm& arm : arms) {
    print_notes(arm.scenario);
    check_run_memory(arm.scenario, 1);
  }
  const std::string output = opt.output.empty() ? "comparison.h5" : opt.output;
  AtomicOutput target(output, opt.force);  // refuses an existing file before any work

  const Scenario& base = arms.front().scenario;
  const auto replicates = static_cast<std::size_t>(opt.replicates);
  const FileHeader header = comparison_header(arms, replicates, opt.common.command_line, threads);
  warn_capped_blocks(header.sbm_capped_blocks);

  const std::int64_t ticks = base.params.simulation.years * base.params.simulation.ticks_per_year;
  const auto total_ticks = ticks * static_cast<std::int64_t>(replicates * arms.size());
  Progress progress("compare " + std::to_string(arms.size()) + " arms", total_ticks, opt.common.quiet);
  {
    ResultsWriter writer = ResultsWriter::create(target.temp_path(), header);
    run_paired(arms, replicates, writer, [&](std::int64_t done) { progress.update(done); });
    writer.finish(utc_now_iso8601());
  }
  progress.finish();
  target.commit();
  if (!opt.common.quiet) {
    print_comparison(arms, std::cout);
    std::cout << "wrote " << output << " (" << arms.size() << " arms x " << replicates << " replicates)\n";
  }
  if (opt.report) {
    std::cout.flush();
    return report_command(output, "", opt.force, false);  // the page: arms overlaid, deltas, verdicts
  }
  return exit_code::ok;
}

}  // namespace xsector
