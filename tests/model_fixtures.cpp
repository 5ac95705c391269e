#include "model_fixtures.hpp"

#include "interventions.hpp"

namespace xsector::testing {

HandWorld::HandWorld(Scenario s, std::vector<Sector> sectors, const std::vector<std::pair<NodeId, NodeId>>& ties,
                     std::vector<double> trust)
    : scenario(std::make_unique<Scenario>(std::move(s))) {
  if (trust.empty()) trust.assign(ties.size(), scenario->params.network.initial_trust);
  Network net(std::move(sectors), ties, std::move(trust));
  world = std::make_unique<World>(scenario->params, scenario->interventions, std::move(net), 12345);
}

TickContext HandWorld::context(std::int64_t tick) const {
  TickContext ctx;
  ctx.tick = tick;
  ctx.policy = policy_at(scenario->params, scenario->interventions, tick, world->agents.providers.size());
  return ctx;
}

Scenario quiet_scenario() {
  Scenario s = default_scenario();
  s.params.simulation.ticks_per_year = 4;
  for (auto& sp : s.params.sector) {
    sp.collab_rate = 0;
    sp.diffusion_p = 0;
    sp.toolkit_initial = 0;
    sp.budget_sigma = 0;
  }
  s.params.diffusion.q = 0;
  s.params.foundation.giving_sigma = 0;
  s.params.provider.price_sigma = 0;
  return s;
}

Scenario small_baseline(double scale, std::int64_t years) {
  Scenario s = default_scenario();
  s.name = "small_baseline";
  s.params.population.scale = scale;
  s.params.simulation.years = years;
  return s;
}

}  // namespace xsector::testing
