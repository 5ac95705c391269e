#include "model/simulation.hpp"

#include <chrono>
#include <string_view>

#include "core/random.hpp"
#include "model/finite_check.hpp"

namespace xsector {

std::uint64_t run_seed_of(const Scenario& scenario, RunIdentity run) {
  return derive_run_seed(scenario.params.simulation.seed, static_cast<std::uint64_t>(run.point),
                         static_cast<std::uint64_t>(run.replicate));
}

Simulation::Simulation(const Scenario& scenario, RunIdentity run)
    : Simulation(scenario, run, network_for(scenario, run_seed_of(scenario, run))) {}

Simulation::Simulation(const Scenario& scenario, RunIdentity run, Network network)
    : scenario_(scenario),
      run_seed_(run_seed_of(scenario, run)),
      ticks_(scenario.params.simulation.years * scenario.params.simulation.ticks_per_year),
      world_(scenario.params, std::move(network), run_seed_),
      series_(static_cast<std::size_t>(ticks_)) {}

double PhaseTimes::total() const {
  double sum = checks;
  for (double phase_seconds : seconds) sum += phase_seconds;
  return sum;
}

namespace {

using Clock = std::chrono::steady_clock;

// Adds the seconds since `since` to *total and restarts `since`; nothing without a total.
void lap(double* total, Clock::time_point& since) {
  if (!total) return;
  const Clock::time_point now = Clock::now();
  *total += std::chrono::duration<double>(now - since).count();
  since = now;
}

// The phases after which the money must still add up (MODEL.md 11.3).
bool moves_money(Phase phase) { return phase == Phase::funding || phase == Phase::market; }

}  // namespace

template <class PhaseCall>
void Simulation::run_phase(Phase phase, PhaseCall&& call) {
  Clock::time_point since;
  if (phase_times_) since = Clock::now();
  call();
  lap(phase_times_ ? &phase_times_->seconds[static_cast<int>(phase)] : nullptr, since);
  const std::string_view name = kPhaseNames[static_cast<int>(phase)];
  if (check_numbers_) check_finite(world_, name, tick_);
  if (moves_money(phase)) world_.ledger.check(world_.funds_held(), world_.voucher_pool, tick_, name);
  lap(phase_times_ ? &phase_times_->checks : nullptr, since);
}

// MODEL.md 3: the active interventions, then funding, diffusion, collaboration, the
// support market, learning and recording.
void Simulation::step() {
  const TickContext ctx{tick_, policy_at(scenario_.params, scenario_.interventions, tick_,
                                         world_.agents.providers.size())};
  TickFlows flows;
  run_phase(Phase::funding, [&] { run_funding(world_, ctx, flows); });
  run_phase(Phase::diffusion, [&] { run_diffusion(world_, ctx); });
  run_phase(Phase::collaboration, [&] { run_collaboration(world_, ctx, flows); });
  run_phase(Phase::market, [&] { run_market(world_, ctx, flows); });
  run_phase(Phase::learning, [&] { run_learning(world_, ctx); });
  run_phase(Phase::recording, [&] { run_recording(world_, ctx, flows, series_); });
  ++tick_;
}

const RunSeries& Simulation::run(const std::function<void(std::int64_t)>& on_tick) {
  while (!finished()) {
    step();
    if (on_tick) on_tick(tick_ - 1);
  }
  return series_;
}

}  // namespace xsector
