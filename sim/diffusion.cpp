// Diffusion of the toolkit (MODEL.md 7.2). Every client reads its neighbours' toolkit flags
// from the copy taken at the start of the phase and writes only its own flag and capacity.
#include <cmath>

#include <tbb/parallel_for.h>

#include "phases.hpp"
#include "random.hpp"

namespace xsector {

// Fraction of v's client neighbours that held the toolkit at the start of the phase.
static double adopter_fraction(const World& w, NodeId v) {
  std::uint32_t clients = 0, adopters = 0;
  for (NodeId u : w.network.neighbours(v)) {
    if (!is_client(w.network.sector(u))) continue;
    ++clients;
    adopters += w.toolkit_before[u];
  }
  return clients == 0 ? 0.0 : static_cast<double>(adopters) / clients;
}

void run_diffusion(World& w, const TickContext& ctx) {
  auto& c = w.agents.clients;
  w.toolkit_before = c.toolkit;
  const double q = w.params.diffusion.q;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, c.ids.size()), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const NodeId v = c.ids[i];
      if (c.toolkit[v]) continue;
      const double p = ctx.policy.diffusion_p[index_of(w.network.sector(v))];
      const double adopt = 1.0 - std::exp(-(p + q * adopter_fraction(w, v)));
      if (!Stream(w.run_seed, ctx.tick, v, Purpose::diffusion).bernoulli(adopt)) continue;
      c.toolkit[v] = 1;
      c.capacity[v] = std::min(1.0, c.capacity[v] + ctx.policy.toolkit_capacity_gain);
    }
  });
}

}  // namespace xsector
