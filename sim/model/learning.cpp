// Learning and decay (MODEL.md 7.5, 11.10): staff turnover pulls capacity back toward the
// sector's initial mean, then graduate programmes (an intervention) add to governments.
#include <cmath>

#include "core/parallel.hpp"
#include "model/learning.hpp"
#include "model/world.hpp"
#include "core/random.hpp"

namespace xsector {

void run_learning(World& w, const TickContext& ctx) {
  auto& c = w.agents.clients;
  const double tpy = static_cast<double>(w.params.simulation.ticks_per_year);
  std::array<double, kClientSectorCount> mean{}, pull{};
  for (int s = 0; s < kClientSectorCount; ++s) {
    const auto& sp = w.params.sector[s];
    mean[s] = sp.capacity_alpha / (sp.capacity_alpha + sp.capacity_beta);
    pull[s] = sp.turnover / tpy;
  }
  const TickPolicy& policy = ctx.policy;
  const double hire = policy.graduates ? 1.0 - std::exp(-policy.graduate_rate / tpy) : 0.0;
  const AgentDraws draws(w.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::graduate);
  for_each_index(c.ids.size(), [&](std::size_t i) {
    const NodeId v = c.ids[i];
    const Sector sector = w.network.sector(v);
    const int s = index_of(sector);
    c.capacity[v] += pull[s] * (mean[s] - c.capacity[v]);
    if (sector != Sector::government || !policy.graduates) return;
    if (!draws.bernoulli(v, hire)) return;
    c.capacity[v] += policy.graduate_capacity_gain * (1.0 - c.capacity[v]);
    c.mindset[v] += policy.graduate_mindset_gain * (1.0 - c.mindset[v]);
  });
}

}  // namespace xsector
