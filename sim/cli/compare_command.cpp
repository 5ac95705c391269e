// `xsector compare BASE.toml ARM.toml ...`: paired replicates of each arm into one file,
// and the answer in the terminal: each arm's final year and its difference from the first
// arm with a paired 95% interval, in words.
//
// Pairing (common random numbers): replicate r of every arm runs with the seed of sweep
// point 0, replicate r of the first arm's scenario, so every arm starts from the same
// region and has the same history until an intervention changes something; replicate r
// of an arm is `xsector run ARM.toml --replicates N`'s replicate r when the arm has the
// first arm's simulation.seed. The differences of replicate r are then differences caused
// by the arm, and their spread over replicates is what the interval is made of.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/provenance.hpp"
#include "cli/summary.hpp"
#include "cli/thread_count.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "model/simulation.hpp"
#include "output/atomic_output.hpp"
#include "output/results_file.hpp"
#include "scenario/memory_estimate.hpp"
#include "scenario/param_table.hpp"

namespace xsector {
namespace {

struct Arm {
  std::string name;  // file stem
  Scenario scenario;
  std::vector<FinalYear> years;  // per replicate
};

// The indicators of the table, each a number per run's final year.
struct Indicator {
  const char* label;
  double (*of)(const FinalYear&);
};
const Indicator kIndicators[] = {
    {"public sector gap", [](const FinalYear& y) { return gap_of(y); }},
    {"government share of participation", [](const FinalYear& y) { return participation_share(y, 0); }},
    {"government share of support spending", [](const FinalYear& y) { return spending_share(y, 0); }},
    {"government capacity (mean)", [](const FinalYear& y) { return y.capacity[0]; }},
};

std::vector<Arm> load_arms(const CompareOptions& opt) {
  if (opt.scenarios.size() < 2)
    throw InputError("compare needs at least two scenario files: the first is the base, e.g. xsector compare "
                     "scenarios/baseline.toml scenarios/policy_mix.toml");
  std::vector<Arm> arms;
  std::set<std::string> names;
  for (const std::string& file : opt.scenarios) {
    Arm arm{std::filesystem::path(file).stem().string(), load_scenario(file, opt.common.overrides), {}};
    if (!names.insert(arm.name).second)
      throw InputError(file + ": two arms are called `" + arm.name +
                       "`; arms are named by their file name, so copy one under another name");
    if (arm.scenario.sweep)
      throw InputError(file + ": has a [sweep] table; compare runs scenarios as they are (use xsector sweep for "
                       "a sweep)");
    arms.push_back(std::move(arm));
  }
  const Params& base = arms.front().scenario.params;
  for (Arm& arm : arms) {
    Params& p = arm.scenario.params;
    if (p.simulation.years != base.simulation.years || p.simulation.ticks_per_year != base.simulation.ticks_per_year)
      throw InputError(arm.scenario.source + ": runs " + std::to_string(p.simulation.years) + " years of " +
                       std::to_string(p.simulation.ticks_per_year) + " ticks but " + arms.front().scenario.source +
                       " runs " + std::to_string(base.simulation.years) + " of " +
                       std::to_string(base.simulation.ticks_per_year) +
                       "; the arms of a comparison share one time axis (set simulation.years and "
                       "ticks_per_year alike, or use --set for all)");
    if (p.simulation.seed != base.simulation.seed) {
      std::cerr << "note: " << arm.scenario.source << " sets simulation.seed = " << p.simulation.seed
                << "; its replicates use the seeds of " << arms.front().scenario.source << " (seed "
                << base.simulation.seed << ") so that the arms are paired\n";
      p.simulation.seed = base.simulation.seed;
    }
    p.simulation.replicates = opt.replicates;
  }
  return arms;
}

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.4f", x);
  return text;
}

std::string with_interval(const MeanInterval& m) {
  if (m.n == 0) return "undefined";
  if (m.n < 2) return number(m.mean) + " (one run, no interval)";
  return number(m.mean) + " [" + number(m.lower) + ", " + number(m.upper) + "]";
}

// Differences of each replicate from the base's same replicate.
std::vector<double> paired_differences(const Arm& arm, const Arm& base, const Indicator& indicator) {
  std::vector<double> out;
  for (std::size_t r = 0; r < arm.years.size(); ++r) out.push_back(indicator.of(arm.years[r]) - indicator.of(base.years[r]));
  return out;
}

std::vector<double> values(const Arm& arm, const Indicator& indicator) {
  std::vector<double> out;
  for (const FinalYear& y : arm.years) out.push_back(indicator.of(y));
  return out;
}

void print_comparison(const std::vector<Arm>& arms, std::ostream& out) {
  const Arm& base = arms.front();
  const std::size_t n = base.years.size();
  out << "Final year (ticks " << base.years[0].first_tick << "-" << base.years[0].last_tick << "), " << n
      << " paired replicate(s) per arm; mean [95% interval]; Δ = arm - " << base.name
      << " per replicate, paired (Student t):\n";
  for (const Indicator& indicator : kIndicators) {
    out << "\n" << indicator.label << "\n";
    for (const Arm& arm : arms) {
      char line[512];
      std::snprintf(line, sizeof line, "  %-28s %-36s", arm.name.c_str(),
                    with_interval(mean_interval(values(arm, indicator))).c_str());
      out << line;
      if (&arm != &base) out << " Δ " << with_interval(mean_interval(paired_differences(arm, base, indicator)));
      out << "\n";
    }
  }
  out << "\n";
  for (const Arm& arm : arms) {
    if (&arm == &base) continue;
    const MeanInterval delta = mean_interval(paired_differences(arm, base, kIndicators[0]));
    out << arm.name << ": ";
    if (delta.n == 0) {
      out << "the gap is undefined in the final year (no support spending or no participation)\n";
    } else if (delta.n < 2) {
      out << "Δ gap " << number(delta.mean)
          << " from a single pair of runs, which cannot tell an effect from chance; use --replicates 20\n";
    } else if (delta.lower <= 0 && delta.upper >= 0) {
      out << "not distinguishable from no change: Δ gap " << with_interval(delta)
          << ", an interval that includes 0 (" << delta.n << " paired replicates)\n";
    } else {
      const bool narrows = delta.upper < 0;
      char text[160];
      std::snprintf(text, sizeof text, "%.4f [%.4f, %.4f]", std::abs(delta.mean),
                    narrows ? -delta.upper : delta.lower, narrows ? -delta.lower : delta.upper);
      out << (narrows ? "narrows" : "widens") << " the public sector gap by " << text << " compared with "
          << base.name << " (" << delta.n << " paired replicates)\n";
    }
  }
  out << "(the gap is the government's share of participation minus its share of support spending: the two "
         "share rows above say which one moved)\n";
}

}  // namespace

int compare_command(const CompareOptions& opt) {
  std::vector<Arm> arms = load_arms(opt);
  const int threads = thread_count(opt.common.threads, std::cerr);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  for (const Arm& arm : arms) {
    print_notes(arm.scenario);
    check_run_memory(arm.scenario, 1);
  }
  const std::string output = opt.output.empty() ? "comparison.h5" : opt.output;
  AtomicOutput target(output, opt.force);  // refuses an existing file before any work

  const Scenario& base = arms.front().scenario;
  const auto replicates = static_cast<std::size_t>(opt.replicates);
  FileHeader header = base_header(base, "comparison", opt.common.command_line, threads);
  header.swept_paths = {"arm"};
  for (std::size_t a = 0; a < arms.size(); ++a) {
    header.arm_names.push_back(arms[a].name);
    header.arm_scenarios.push_back(arms[a].scenario.toml_text);
    header.arm_parameters.push_back(resolved_parameters_toml(arms[a].scenario));
    for (std::size_t r = 0; r < replicates; ++r) {
      const RunIdentity id{0, static_cast<std::int64_t>(r)};
      header.runs.push_back({static_cast<std::int64_t>(a), id.replicate, run_seed_of(arms[a].scenario, id),
                             {ScalarValue(arms[a].name)}});
    }
  }
  warn_capped_blocks(header.sbm_capped_blocks);

  const std::int64_t ticks = base.params.simulation.years * base.params.simulation.ticks_per_year;
  const auto total_ticks = ticks * static_cast<std::int64_t>(replicates * arms.size());
  Progress progress("compare " + std::to_string(arms.size()) + " arms", total_ticks, opt.common.quiet);
  {
    ResultsWriter writer = ResultsWriter::create(target.temp_path(), header);
    std::size_t run = 0;
    for (Arm& arm : arms)
      for (std::size_t r = 0; r < replicates; ++r, ++run) {
        const auto start = std::chrono::steady_clock::now();
        Simulation sim(arm.scenario, RunIdentity{0, static_cast<std::int64_t>(r)});
        const auto done_before = static_cast<std::int64_t>(run) * ticks;
        const RunSeries& series = sim.run([&](std::int64_t t) { progress.update(done_before + t + 1); });
        writer.write_run(run, series, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        arm.years.push_back(final_year_of(series, base.params.simulation.ticks_per_year));
      }
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
