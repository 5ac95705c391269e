#include "sweep/sweep_limits.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/errors.hpp"
#include "scenario/memory_estimate.hpp"
#include "output/results_file.hpp"

namespace xsector {
namespace {

constexpr double kScalarBytes = 40;       // sizeof(ScalarValue): a variant holding a std::string
constexpr double kVectorBytes = 24 + 16;  // a std::vector and its heap block's overhead
constexpr double kRunEntryBytes = 48;     // RunCoordinates without its values, and the runner's flags

// The key that makes the sweep large: samples (lhs, sobol), trajectories (morris) or the
// value lists, or the replicates.
std::string culprit_key(const SweepSpec& sweep) {
  if (static_cast<double>(sweep.replicates) >= sweep_point_count(sweep)) return "sweep.replicates";
  switch (sweep.method) {
    case SweepMethod::lhs:
    case SweepMethod::sobol: return "sweep.samples";
    case SweepMethod::morris: return "sweep.trajectories";
    default: return "sweep.parameters";
  }
}

std::string count_text(double x) {
  if (x < 1e9) return std::to_string(static_cast<std::int64_t>(x));
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

std::string sweep_size_text(const SweepSpec& sweep) {
  return count_text(sweep_point_count(sweep)) + " point(s) × " + count_text(static_cast<double>(sweep.replicates)) +
         " replicate(s) = " + count_text(planned_runs(sweep)) + " runs";
}

std::optional<double> free_space(const std::string& output) {
  std::filesystem::path folder = std::filesystem::path(output).parent_path();
  if (folder.empty()) folder = ".";
  struct statvfs fs {};
  if (::statvfs(folder.c_str(), &fs) != 0) return std::nullopt;  // a missing folder: the writer names it
  return static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
}

}  // namespace

double planned_runs(const SweepSpec& sweep) { return sweep_point_count(sweep) * static_cast<double>(sweep.replicates); }

double plan_bytes(const SweepSpec& sweep) {
  const double values = kVectorBytes + kScalarBytes * static_cast<double>(sweep.axes.size());
  return sweep_point_count(sweep) * values + planned_runs(sweep) * (kRunEntryBytes + values);
}

void check_sweep_memory(const Scenario& scenario, std::size_t runs_in_flight, std::optional<double> available) {
  if (!scenario.sweep) return;
  if (!available) available = available_memory();
  if (!available) return;
  const SweepSpec& sweep = *scenario.sweep;
  const double plan = plan_bytes(sweep);
  if (plan + kProcessBytes > *available)
    throw InputError(scenario.source + ": key `" + culprit_key(sweep) + "`: too many runs: the sweep has " +
                     sweep_size_text(sweep) + ", whose list of points and runs alone needs about " +
                     format_bytes(plan) + " of memory; this machine has " + format_bytes(*available) +
                     " available (MemAvailable); run fewer, or split the sweep into several scenario files");
  const auto in_flight = static_cast<std::size_t>(std::min(planned_runs(sweep), static_cast<double>(runs_in_flight)));
  check_run_memory(scenario, in_flight, plan, available);
}

void check_sweep_disk(const Scenario& scenario, const std::string& output, std::optional<double> free) {
  if (!scenario.sweep) return;
  if (!free) free = free_space(output);
  if (!free) return;
  const SweepSpec& sweep = *scenario.sweep;
  const double runs = planned_runs(sweep);
  const double ticks = static_cast<double>(scenario.params.simulation.years) *
                       static_cast<double>(scenario.params.simulation.ticks_per_year);
  // estimated_file_size in doubles (its integers would wrap round for such sweeps).
  const double per_run = static_cast<double>(estimated_file_size(1, static_cast<std::int64_t>(ticks),
                                                                 sweep.axes.size()) -
                                             estimated_file_size(0, static_cast<std::int64_t>(ticks), 0));
  const double bytes = static_cast<double>(estimated_file_size(0, static_cast<std::int64_t>(ticks), 0)) + runs * per_run;
  if (bytes <= *free) return;
  throw InputError(scenario.source + ": key `" + culprit_key(sweep) + "`: too many runs for the disk: the sweep has " +
                   sweep_size_text(sweep) + ", and its results file (every run allocated when it is created) needs "
                   "about " + format_bytes(bytes) + "; " + output + "'s folder has " + format_bytes(*free) +
                   " free; run fewer, or write elsewhere with -o");
}

}  // namespace xsector
