#include "simulation.hpp"

#include <filesystem>

#include "phases.hpp"
#include "random.hpp"

namespace xsector {

std::uint64_t run_seed_of(const Scenario& scenario, RunIdentity run) {
  return derive_run_seed(scenario.params.simulation.seed, static_cast<std::uint64_t>(run.point),
                         static_cast<std::uint64_t>(run.replicate));
}

Network network_for(const Scenario& scenario, std::uint64_t run_seed) {
  Params params = scenario.params;
  if (!params.network.file.empty()) {
    std::filesystem::path file(params.network.file);
    if (file.is_relative() && !scenario.source.empty() && std::filesystem::exists(scenario.source))
      file = std::filesystem::path(scenario.source).parent_path() / file;
    params.network.file = file.string();
  }
  return build_network(params, run_seed);
}

World::World(const Params& p, const std::vector<Intervention>& ivs, Network net, std::uint64_t seed)
    : params(p),
      interventions(ivs),
      run_seed(seed),
      network(std::move(net)),
      agents(initialise_agents(p, network, seed)),
      collabs(static_cast<std::size_t>(p.collab.partners)) {
  const std::size_t n = network.node_count();
  const std::size_t stride = collabs.stride();
  money_scratch.assign(n, 0.0);
  toolkit_before.assign(n, 0);
  auto& cw = collab_ws;
  cw.initiates.assign(n, 0);
  cw.invite_count.assign(n, 0);
  cw.invitee.assign(n * stride, 0);
  cw.invite_tie.assign(n * stride, 0);
  cw.accepted.assign(n * stride, 0);
  auto& mw = market_ws;
  mw.wants.assign(n, 0);
  mw.leads_early.assign(n, 0);
  mw.option_offset.assign(n + 1, 0);
  mw.next_option.assign(n, 0);
  mw.matched.assign(n, kNone);
  mw.engaged.assign(n, 0);
}

double World::funds_held() const {
  double sum = 0.0;
  for (NodeId v : agents.clients.ids) sum += agents.clients.funds[v];
  return sum;
}

Simulation::Simulation(const Scenario& scenario, RunIdentity run)
    : scenario_(scenario),
      run_seed_(run_seed_of(scenario, run)),
      ticks_(scenario.params.simulation.years * scenario.params.simulation.ticks_per_year),
      world_(scenario.params, scenario.interventions, network_for(scenario, run_seed_), run_seed_),
      series_(static_cast<std::size_t>(ticks_)) {}

void Simulation::step() {
  TickContext ctx;
  ctx.tick = tick_;
  ctx.policy = policy_at(scenario_.params, scenario_.interventions, tick_, world_.agents.providers.size());
  TickFlows flows;
  run_funding(world_, ctx, flows);
  world_.ledger.check(world_.funds_held(), world_.voucher_pool, tick_, "funding");
  run_diffusion(world_, ctx);
  run_collaboration(world_, ctx, flows);
  run_market(world_, ctx, flows);
  world_.ledger.check(world_.funds_held(), world_.voucher_pool, tick_, "market");
  run_learning(world_, ctx);
  run_recording(world_, ctx, flows, series_);
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
