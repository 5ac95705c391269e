#pragma once
// Small hand-built worlds for testing one phase at a time.
#include <memory>
#include <utility>
#include <vector>

#include "phases.hpp"
#include "scenario.hpp"
#include "world.hpp"

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

}  // namespace xsector::testing
