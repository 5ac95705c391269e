// xsector_microbench: Google Benchmark timings of the hot phases, one phase at a time, on a
// baseline world scaled to the benchmark's argument (agents), warmed up by 8 whole ticks so
// that collaborations and demand are in their steady state. Each iteration runs the phase
// for the next tick number, so state moves on as in a run (docs/PERFORMANCE.md).
//
//   XSECTOR_THREADS=2 xsector_microbench [--benchmark_filter=Market]
//
// XSECTOR_THREADS (default 1) limits the TBB worker threads.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include <tbb/global_control.h>

#include "scenario/interventions.hpp"
#include "model/world.hpp"
#include "core/random.hpp"
#include "scenario/scenario.hpp"
#include "model/simulation.hpp"

using namespace xsector;

namespace {

int thread_limit() {
  const char* env = std::getenv("XSECTOR_THREADS");
  return env ? std::atoi(env) : 1;
}

tbb::global_control& limit() {
  static tbb::global_control control(tbb::global_control::max_allowed_parallelism, thread_limit());
  return control;
}

Scenario scaled_baseline(std::int64_t agents) {
  Scenario s = default_scenario();
  apply_overrides(s, {"population.scale=" + std::to_string(static_cast<double>(agents) / 5432.0),
                      "simulation.years=1000"});
  return s;
}

// A warmed-up simulation (built on first use).
struct Fixture {
  Scenario scenario;
  std::unique_ptr<Simulation> sim;
  std::int64_t tick = 0;

  explicit Fixture(std::int64_t agents) : scenario(scaled_baseline(agents)) {
    sim = std::make_unique<Simulation>(scenario, RunIdentity{});
    for (int t = 0; t < 8; ++t) sim->step();
    tick = sim->tick();
  }
  World& world() { return sim->mutable_world(); }
  TickContext next() {
    TickContext ctx;
    ctx.tick = tick++;
    ctx.policy = policy_at(scenario.params, scenario.interventions, ctx.tick, world().agents.providers.size());
    return ctx;
  }
};

// Each benchmark has its own world (named by `owner`): a phase run over and over on its
// own drifts the state (learning alone pulls every capacity to its sector mean), and that
// must not change what the next benchmark measures.
Fixture& fixture(std::int64_t agents, const std::string& owner) {
  limit();
  static std::map<std::pair<std::int64_t, std::string>, std::unique_ptr<Fixture>> fixtures;
  auto& f = fixtures[{agents, owner}];
  if (!f) f = std::make_unique<Fixture>(agents);
  return *f;
}

template <class Run>
void phase_benchmark(benchmark::State& state, const std::string& owner, Run&& run) {
  Fixture& f = fixture(state.range(0), owner);
  for (auto _ : state) {
    const TickContext ctx = f.next();
    TickFlows flows;
    run(f, ctx, flows);
    benchmark::DoNotOptimize(flows);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.world().network.node_count()));
  state.counters["agents"] = static_cast<double>(f.world().network.node_count());
}

void BM_Funding(benchmark::State& state) {
  phase_benchmark(state, "funding", [](Fixture& f, const TickContext& ctx, TickFlows& flows) { run_funding(f.world(), ctx, flows); });
}
void BM_Diffusion(benchmark::State& state) {
  phase_benchmark(state, "diffusion", [](Fixture& f, const TickContext& ctx, TickFlows&) { run_diffusion(f.world(), ctx); });
}
void BM_Collaboration(benchmark::State& state) {
  phase_benchmark(state, "collaboration",
                  [](Fixture& f, const TickContext& ctx, TickFlows& flows) { run_collaboration(f.world(), ctx, flows); });
}
void BM_Market(benchmark::State& state) {
  phase_benchmark(state, "market", [](Fixture& f, const TickContext& ctx, TickFlows& flows) { run_market(f.world(), ctx, flows); });
}
void BM_Learning(benchmark::State& state) {
  phase_benchmark(state, "learning", [](Fixture& f, const TickContext& ctx, TickFlows&) { run_learning(f.world(), ctx); });
}
void BM_Recording(benchmark::State& state) {
  RunSeries series(1);
  phase_benchmark(state, "recording", [&](Fixture& f, const TickContext& ctx, TickFlows& flows) {
    TickContext at0 = ctx;
    at0.tick = 0;  // the one-tick series
    run_recording(f.world(), at0, flows, series);
  });
}
void BM_LedgerSums(benchmark::State& state) {
  phase_benchmark(state, "ledgersums", [](Fixture& f, const TickContext&, TickFlows&) {
    benchmark::DoNotOptimize(f.world().funds_held());
  });
}
void BM_WholeTick(benchmark::State& state) {
  Fixture& f = fixture(state.range(0), "whole tick");
  for (auto _ : state) {
    if (f.sim->finished()) state.SkipWithError("horizon reached");
    f.sim->step();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.world().network.node_count()));
}

void BM_NetworkBuild(benchmark::State& state) {
  limit();
  const Scenario s = scaled_baseline(state.range(0));
  std::size_t ties = 0;
  for (auto _ : state) ties = build_network(s.params, 7).tie_count();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ties));
  state.counters["ties"] = static_cast<double>(ties);
}

void BM_StreamUniform(benchmark::State& state) {
  std::uint64_t agent = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Stream(1, 2, agent++, Purpose::diffusion).uniform());
  state.SetItemsProcessed(state.iterations());
}
void BM_KeyedHash(benchmark::State& state) {
  std::uint64_t a = 0;
  for (auto _ : state) benchmark::DoNotOptimize(keyed_hash(1, 2, a++, 5, Purpose::invite_tiebreak));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Funding)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Diffusion)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Collaboration)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Market)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Learning)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Recording)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LedgerSums)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WholeTick)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NetworkBuild)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StreamUniform);
BENCHMARK(BM_KeyedHash);

BENCHMARK_MAIN();
