#pragma once
// One run of a scenario: builds the network and the agents from the run's seed, then steps
// through the tick loop of MODEL.md section 3. Holds the scenario by const reference.
#include <cstdint>
#include <functional>

#include "metrics.hpp"
#include "scenario.hpp"
#include "tick_flows.hpp"
#include "world.hpp"

namespace xsector {

// Which run of a scenario: point and replicate of its sweep (0, 0 for a plain run).
struct RunIdentity {
  std::int64_t point = 0, replicate = 0;
};

std::uint64_t run_seed_of(const Scenario& scenario, RunIdentity run);

class Simulation {
 public:
  Simulation(const Scenario& scenario, RunIdentity run);

  std::int64_t tick() const { return tick_; }
  std::int64_t tick_count() const { return ticks_; }
  bool finished() const { return tick_ >= ticks_; }
  std::uint64_t run_seed() const { return run_seed_; }

  // Runs one tick (every phase, ledger checked after each phase that moves money).
  void step();
  // Runs the remaining ticks; on_tick(t) is called after each.
  const RunSeries& run(const std::function<void(std::int64_t)>& on_tick = {});

  const World& world() const { return world_; }
  World& mutable_world() { return world_; }  // for tests that set up a state by hand
  const RunSeries& series() const { return series_; }

 private:
  const Scenario& scenario_;
  std::uint64_t run_seed_;
  std::int64_t ticks_;
  std::int64_t tick_ = 0;
  World world_;
  RunSeries series_;
};

// The network of a scenario's run, resolving network.file relative to the scenario file.
Network network_for(const Scenario& scenario, std::uint64_t run_seed);

}  // namespace xsector
