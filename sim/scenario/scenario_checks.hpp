#pragma once
// Checks that involve several parameters. set_parameter does not make them, so that a
// sweep point can be applied key by key; validate_scenario (scenario.hpp) makes all of
// them, and the file and sweep readers ask for each to say which key or --set to blame.
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace xsector {

// An intervention whose start_year is after its end_year.
struct WindowProblem {
  int intervention;
  std::string message;
};
std::optional<WindowProblem> find_window_problem(const Scenario& scenario);

// A population beyond 32-bit agent ids.
struct PopulationProblem {
  std::string key;  // the key to blame: population.scale, or the largest count
  std::string message;
};
std::optional<PopulationProblem> find_population_problem(const Scenario& scenario);

// output.snapshots with several replicates.
std::optional<std::string> find_snapshots_problem(const Scenario& scenario);

}  // namespace xsector
