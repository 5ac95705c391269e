#include "scenario/scenario_checks.hpp"

#include <algorithm>
#include <cmath>

#include "scenario/input_errors.hpp"

namespace xsector {
namespace {

// Agents are numbered with 32-bit ids (NodeId, network.hpp), and population.cpp rounds
// count × scale into an int64: a population beyond that is refused here, before anything
// is allocated, instead of wrapping round (a scale of 1e300 would give one agent per
// sector). Whether a population fits in this machine's memory depends on the machine: it
// is checked before a run is built (memory_estimate.hpp), not when a scenario is read.
constexpr double kMaxAgents = 4294967295.0;  // std::numeric_limits<NodeId>::max()

}  // namespace

std::optional<WindowProblem> find_window_problem(const Scenario& scenario) {
  for (std::size_t k = 0; k < scenario.interventions.size(); ++k) {
    const Intervention& intervention = scenario.interventions[k];
    if (intervention.start_year <= intervention.end_year) continue;
    const bool horizon = k < scenario.end_at_horizon.size() && scenario.end_at_horizon[k];
    const std::string path = "intervention." + std::to_string(k) + ".start_year";
    return WindowProblem{
        static_cast<int>(k),
        key_error(path, "start_year " + format_real(intervention.start_year) + " is after end_year " +
                            format_real(intervention.end_year) + (horizon ? " (the default, simulation.years)" : "") +
                            "; an intervention must not start after it ends")};
  }
  return std::nullopt;
}

// A snapshot holds the agents of one run: it cannot go with several replicates.
std::optional<std::string> find_snapshots_problem(const Scenario& scenario) {
  if (!scenario.params.output.snapshots || scenario.params.simulation.replicates <= 1) return std::nullopt;
  return "output.snapshots with simulation.replicates = " + std::to_string(scenario.params.simulation.replicates) +
         ": a snapshot holds the agents of one run; write it for one replicate (simulation.replicates = 1)";
}

std::optional<PopulationProblem> find_population_problem(const Scenario& scenario) {
  const PopulationParams& population = scenario.params.population;
  double total = 0;
  int largest = 0;
  for (int i = 0; i < kSectorCount; ++i) {
    if (population.count[i] > population.count[largest]) largest = i;
    if (population.count[i] > 0)
      total += std::max(1.0, std::floor(static_cast<double>(population.count[i]) * population.scale + 0.5));
  }
  if (total <= kMaxAgents) return std::nullopt;
  const std::string largest_key = "population." + std::string(kSectorNames[largest]);
  const std::string key = population.scale != 1.0 ? "population.scale" : largest_key;
  std::string counts;
  for (int i = 0; i < kSectorCount; ++i) counts += (i ? " + " : "") + std::to_string(population.count[i]);
  const std::string agents = total < 1e18 ? std::to_string(static_cast<std::int64_t>(total)) : "over 1e18";
  return PopulationProblem{
      key, key_error(key, "the population is " + agents + " agents ((" + counts + ") × scale " +
                              format_real(population.scale) + "); xsector holds at most 4294967295 agents, and far " +
                              "fewer fit in memory; lower the counts or population.scale")};
}

void validate_scenario(const Scenario& scenario, std::string_view origin) {
  if (const auto problem = find_window_problem(scenario)) fail(origin, problem->message);
  if (const auto problem = find_population_problem(scenario)) fail(origin, problem->message);
  if (const auto problem = find_snapshots_problem(scenario)) fail(origin, *problem);
}

}  // namespace xsector
