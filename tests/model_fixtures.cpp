#include "model_fixtures.hpp"

#include "scenario/interventions.hpp"

namespace xsector::testing {

HandWorld::HandWorld(Scenario s, std::vector<Sector> sectors, const std::vector<std::pair<NodeId, NodeId>>& ties,
                     std::vector<double> trust)
    : scenario(std::make_unique<Scenario>(std::move(s))) {
  if (trust.empty()) trust.assign(ties.size(), scenario->params.network.initial_trust);
  Network net(std::move(sectors), ties, std::move(trust));
  world = std::make_unique<World>(scenario->params, std::move(net), 12345);
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

Intervention make_intervention(InterventionType type, double start, double end) {
  Intervention iv;
  iv.type = type;
  iv.start_year = start;
  iv.end_year = end;
  return iv;
}

std::vector<Intervention> all_interventions() {
  std::vector<Intervention> ivs;
  Intervention fps = make_intervention(InterventionType::foundation_public_support, 1, 4);
  fps.public_share = 0.5;
  fps.sets_channel = true;
  fps.public_channel = Channel::voucher;
  ivs.push_back(fps);
  Intervention md = make_intervention(InterventionType::membership_dissemination);
  md.p_extra = 0.02;
  ivs.push_back(md);
  Intervention gp = make_intervention(InterventionType::graduate_programs, 0.5);
  gp.rate = 0.1;
  gp.capacity_gain = 0.1;
  gp.mindset_gain = 0.1;
  ivs.push_back(gp);
  Intervention km = make_intervention(InterventionType::knowledge_mobilization);
  km.p_extra = 0.005;
  km.boost = 1.0;
  ivs.push_back(km);
  Intervention bc = make_intervention(InterventionType::budget_change, 2, 3);
  bc.sector = Sector::government;
  bc.target = BudgetTarget::budget;
  bc.factor = 0.5;
  ivs.push_back(bc);
  Intervention ct = make_intervention(InterventionType::compliance_toolkit);
  ct.level = 0.8;
  ct.share = 0.5;
  ivs.push_back(ct);
  return ivs;
}

}  // namespace xsector::testing
