#pragma once
// One run of a scenario: builds the network and the agents from the run's seed, then steps
// through the tick loop of MODEL.md section 3. Holds the scenario by const reference.
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "model/metrics.hpp"
#include "model/run_network.hpp"
#include "scenario/scenario.hpp"
#include "model/tick.hpp"
#include "model/world.hpp"

namespace xsector {

// Which run of a scenario: point and replicate of its sweep (0, 0 for a plain run).
struct RunIdentity {
  std::int64_t point = 0, replicate = 0;
};

std::uint64_t run_seed_of(const Scenario& scenario, RunIdentity run);

// The phases of MODEL.md 3, in the order a tick runs them.
enum class Phase : int { funding, diffusion, collaboration, market, learning, recording, kCount };
inline constexpr std::array<std::string_view, static_cast<int>(Phase::kCount)> kPhaseNames = {
    "funding", "diffusion", "collaboration", "market", "learning", "recording"};

// Wall-clock seconds spent in each phase, and in the integrity checks after the phases
// (ledger, finite numbers), summed over the ticks stepped while a Simulation holds a
// pointer to it (the benchmark's per-phase shares; see docs/PERFORMANCE.md).
struct PhaseTimes {
  std::array<double, static_cast<int>(Phase::kCount)> seconds{};
  double checks = 0;
  double total() const;
};

class Simulation {
 public:
  Simulation(const Scenario& scenario, RunIdentity run);
  // With the run's network already built by network_for(scenario, run_seed_of(scenario, run))
  // (the benchmark times the two apart).
  Simulation(const Scenario& scenario, RunIdentity run, Network network);

  std::int64_t tick() const { return tick_; }
  std::int64_t tick_count() const { return ticks_; }
  bool finished() const { return tick_ >= ticks_; }
  std::uint64_t run_seed() const { return run_seed_; }

  // Runs one tick: every phase, each followed by its checks (run_phase).
  void step();
  // Runs the remaining ticks; on_tick(t) is called after each.
  const RunSeries& run(const std::function<void(std::int64_t)>& on_tick = {});

  const World& world() const { return world_; }
  World& mutable_world() { return world_; }  // for tests that set up a state by hand
  const RunSeries& series() const { return series_; }

  // Accumulate per-phase wall time into *times from now on (nullptr: stop timing).
  void time_phases(PhaseTimes* times) { phase_times_ = times; }

  // Check after every phase that no NaN or infinity entered the state (finite_check.hpp;
  // NumericError). On by default in Debug and sanitizer builds, off in Release, where it
  // would cost about one extra pass over the state per phase.
  void check_numbers(bool on) { check_numbers_ = on; }
  bool checks_numbers() const { return check_numbers_; }

 private:
  // Runs one phase, times it, then checks the ledger after a phase that moves money and
  // (when asked) that no NaN or infinity entered the state.
  template <class PhaseCall>
  void run_phase(Phase phase, PhaseCall&& call);

  const Scenario& scenario_;
  std::uint64_t run_seed_;
  std::int64_t ticks_;
  std::int64_t tick_ = 0;
  World world_;
  RunSeries series_;
  PhaseTimes* phase_times_ = nullptr;
#ifdef XSECTOR_CHECK_NUMBERS
  bool check_numbers_ = true;
#else
  bool check_numbers_ = false;
#endif
};

}  // namespace xsector
