#pragma once
// Small hand-built worlds for testing one phase at a time.
#include <memory>
#include <utility>
#include <vector>

#include "scenario/scenario.hpp"
#include "model/world.hpp"

namespace xsector::testing {

// A World over a hand-made network. Owns the scenario its World refers to (on the heap,
// so that moving a HandWorld keeps the World's reference valid).
struct HandWorld {
  std::unique_ptr<Scenario> scenario;
  std::unique_ptr<World> world;

  HandWorld(Scenario s, std::vector<Sector> sectors, const std::vector<std::pair<NodeId, NodeId>>& ties,
            std::vector<double> trust = {});
  World& operator*() { return *world; }
  World* operator->() { return world.get(); }
  TickContext context(std::int64_t tick) const;
};

// Defaults with every random initial draw neutralised where a test needs known values.
Scenario quiet_scenario();

// A baseline scenario scaled down so that a run takes well under a second.
Scenario small_baseline(double scale = 0.1, std::int64_t years = 5);

// An intervention of `type` active in [start, end) years with its own keys at zero (the
// struct's values), so that a test sets what it relies on.
Intervention make_intervention(InterventionType type, double start = 0, double end = 1000);

// Every intervention of MODEL.md 7.7 at once, with parameters that make each one bite: the
// foundations' public part goes to the voucher pool at public_share 0.5 in years 1-4 (the
// pool keeps paying afterwards, 11.8), governments' budgets halve in year 2, and the others
// change capacity, diffusion and providers from the start (graduates from year 0.5).
std::vector<Intervention> all_interventions();

}  // namespace xsector::testing
