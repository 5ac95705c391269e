#include "cli/comparison.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "output/provenance.hpp"
#include "core/errors.hpp"
#include "model/simulation.hpp"

namespace xsector {

const Indicator kIndicators[4] = {
    {"public sector gap", [](const FinalYear& y) { return gap_of(y); }},
    {"government share of participation", [](const FinalYear& y) { return participation_share(y, 0); }},
    {"government share of support spending", [](const FinalYear& y) { return spending_share(y, 0); }},
    {"government capacity (mean)", [](const FinalYear& y) { return y.capacity[0]; }},
};

void pair_arms(std::vector<ComparisonArm>& arms, std::int64_t replicates, std::ostream& notes) {
  const Params& base = arms.front().scenario.params;
  for (ComparisonArm& arm : arms) {
    Params& p = arm.scenario.params;
    if (p.simulation.years != base.simulation.years || p.simulation.ticks_per_year != base.simulation.ticks_per_year)
      throw InputError(arm.scenario.source + ": runs " + std::to_string(p.simulation.years) + " years of " +
                       std::to_string(p.simulation.ticks_per_year) + " ticks but " + arms.front().scenario.source +
                       " runs " + std::to_string(base.simulation.years) + " of " +
                       std::to_string(base.simulation.ticks_per_year) +
                       "; the arms of a comparison share one time axis (set simulation.years and "
                       "ticks_per_year alike, or use --set for all)");
    if (p.simulation.seed != base.simulation.seed) {
      notes << "note: " << arm.scenario.source << " sets simulation.seed = " << p.simulation.seed
            << "; its replicates use the seeds of " << arms.front().scenario.source << " (seed "
            << base.simulation.seed << ") so that the arms are paired\n";
      p.simulation.seed = base.simulation.seed;
    }
    p.simulation.replicates = replicates;
  }
}

FileHeader comparison_header(const std::vector<ComparisonArm>& arms, std::size_t replicates,
                             const std::string& command_line, int threads) {
  FileHeader header = base_header(arms.front().scenario, "comparison", command_line, threads);
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
  return header;
}

void run_paired(std::vector<ComparisonArm>& arms, std::size_t replicates, ResultsWriter& writer,
                const TicksDone& on_tick, const RunSeen& on_run) {
  const Params& base = arms.front().scenario.params;
  const std::int64_t ticks = base.simulation.years * base.simulation.ticks_per_year;
  std::size_t run = 0;
  for (std::size_t a = 0; a < arms.size(); ++a)
    for (std::size_t r = 0; r < replicates; ++r, ++run) {
      ComparisonArm& arm = arms[a];
      const auto start = std::chrono::steady_clock::now();
      Simulation sim(arm.scenario, RunIdentity{0, static_cast<std::int64_t>(r)});
      const auto done_before = static_cast<std::int64_t>(run) * ticks;
      const RunSeries& series = sim.run([&](std::int64_t t) { on_tick(done_before + t + 1); });
      writer.write_run(run, series, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      arm.years.push_back(final_year_of(series, base.simulation.ticks_per_year));
      if (on_run) on_run(a, r, series);
    }
}

namespace {

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.4f", x);
  return text;
}

std::vector<double> values(const ComparisonArm& arm, const Indicator& indicator) {
  std::vector<double> out;
  for (const FinalYear& y : arm.years) out.push_back(indicator.of(y));
  return out;
}

}  // namespace

std::string with_interval(const MeanInterval& m) {
  if (m.n == 0) return "undefined";
  if (m.n < 2) return number(m.mean) + " (one run, no interval)";
  return number(m.mean) + " [" + number(m.lower) + ", " + number(m.upper) + "]";
}

std::vector<double> paired_differences(const ComparisonArm& arm, const ComparisonArm& base,
                                       const Indicator& indicator) {
  std::vector<double> out;
  for (std::size_t r = 0; r < arm.years.size(); ++r) out.push_back(indicator.of(arm.years[r]) - indicator.of(base.years[r]));
  return out;
}

std::string gap_verdict(const MeanInterval& delta, const std::string& base_name) {
  if (delta.n == 0) return "the gap is undefined in the final year (no support spending or no participation)";
  if (delta.n < 2)
    return "Δ gap " + number(delta.mean) +
           " from a single pair of runs, which cannot tell an effect from chance; use --replicates 20";
  if (delta.lower <= 0 && delta.upper >= 0)
    return "not distinguishable from no change: Δ gap " + with_interval(delta) + ", an interval that includes 0 (" +
           std::to_string(delta.n) + " paired replicates)";
  const bool narrows = delta.upper < 0;
  char text[160];
  std::snprintf(text, sizeof text, "%.4f [%.4f, %.4f]", std::abs(delta.mean), narrows ? -delta.upper : delta.lower,
                narrows ? -delta.lower : delta.upper);
  return std::string(narrows ? "narrows" : "widens") + " the public sector gap by " + text + " compared with " +
         base_name + " (" + std::to_string(delta.n) + " paired replicates)";
}

void print_comparison(const std::vector<ComparisonArm>& arms, std::ostream& out) {
  const ComparisonArm& base = arms.front();
  const std::size_t n = base.years.size();
  out << "Final year (ticks " << base.years[0].first_tick << "-" << base.years[0].last_tick << "), ";
  if (n < 2)
    out << "a single stochastic run per arm, so no interval (add --replicates 20 for paired intervals); Δ = arm - "
        << base.name << ":\n";
  else
    out << n << " paired replicates per arm; mean [95% interval]; Δ = arm - " << base.name
        << " per replicate, paired (Student t):\n";
  for (const Indicator& indicator : kIndicators) {
    out << "\n" << indicator.label << "\n";
    for (const ComparisonArm& arm : arms) {
      char line[512];
      std::snprintf(line, sizeof line, "  %-28s %-36s", arm.name.c_str(),
                    with_interval(mean_interval(values(arm, indicator))).c_str());
      out << line;
      if (&arm != &base) out << " Δ " << with_interval(mean_interval(paired_differences(arm, base, indicator)));
      out << "\n";
    }
  }
  out << "\n";
  for (const ComparisonArm& arm : arms) {
    if (&arm == &base) continue;
    out << arm.name << ": " << gap_verdict(mean_interval(paired_differences(arm, base, kIndicators[0])), base.name)
        << "\n";
  }
  out << "(the gap is the government's share of participation minus its share of support spending: the two "
         "share rows above say which one moved)\n";
}

}  // namespace xsector
