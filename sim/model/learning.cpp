// Learning and decay (MODEL.md 7.5, 11.10): staff turnover pulls capacity back toward the
// sector's initial mean, then graduate programmes (an intervention) add to governments.
#include <cmath>

#include "core/parallel.hpp"
#include "model/learning.hpp"
#include "model/world.hpp"
#include "core/random.hpp"

namespace xsector {

void run_learning(World& world, const TickContext& ctx) {
  auto& clients = world.agents.clients;
  const double tpy = static_cast<double>(world.params.simulation.ticks_per_year);
  std::array<double, kClientSectorCount> mean{}, pull{};
  for (int s = 0; s < kClientSectorCount; ++s) {
    const auto& sp = world.params.sector[s];
    mean[s] = sp.capacity_alpha / (sp.capacity_alpha + sp.capacity_beta);
    pull[s] = sp.turnover / tpy;
  }
  const TickPolicy& policy = ctx.policy;
  const double hire = policy.graduates ? 1.0 - std::exp(-policy.graduate_rate / tpy) : 0.0;
  const AgentDraws draws(world.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::graduate);
  for_each_index(clients.ids.size(), [&](std::size_t i) {
    const NodeId v = clients.ids[i];
    const Sector sector = world.network.sector(v);
    const int s = index_of(sector);
    clients.capacity[v] += pull[s] * (mean[s] - clients.capacity[v]);
    if (sector != Sector::government || !policy.graduates) return;
    if (!draws.bernoulli(v, hire)) return;
    clients.capacity[v] += policy.graduate_capacity_gain * (1.0 - clients.capacity[v]);
    clients.mindset[v] += policy.graduate_mindset_gain * (1.0 - clients.mindset[v]);
  });
}

}  // namespace xsector
