// Diffusion of the toolkit (MODEL.md 7.2). Every client reads its neighbours' toolkit flags
// from a view taken at the start of the phase and writes only its own flag and capacity.
#include <cmath>

#include "parallel.hpp"
#include "phases.hpp"
#include "random.hpp"

namespace xsector {
namespace {

// The start-of-phase view: per node, client or not and toolkit or not, in one byte, so
// that a neighbour costs one read of a cache-friendly byte array.
void take_view(World& w) {
  const auto& c = w.agents.clients;
  const auto& sectors = w.network.sectors();
  for_each_index(w.network.node_count(), [&](std::size_t v) {
    const bool client = is_client(sectors[v]);
    w.neighbour_view[v] = static_cast<std::uint8_t>((client ? kViewClient : 0) | (client && c.toolkit[v] ? kViewToolkit : 0));
  });
}

// Fraction of v's client neighbours that held the toolkit at the start of the phase.
double adopter_fraction(const World& w, NodeId v) {
  std::uint32_t clients = 0, adopters = 0;
  for (NodeId u : w.network.neighbours(v)) {
    const std::uint8_t view = w.neighbour_view[u];
    clients += view & kViewClient;
    adopters += view >> 1;
  }
  return clients == 0 ? 0.0 : static_cast<double>(adopters) / clients;
}

}  // namespace

void run_diffusion(World& w, const TickContext& ctx) {
  auto& c = w.agents.clients;
  take_view(w);
  const double q = w.params.diffusion.q;
  const AgentDraws draws(w.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::diffusion);
  for_each_index(c.ids.size(), [&](std::size_t i) {
    const NodeId v = c.ids[i];
    if (c.toolkit[v]) return;
    const double p = ctx.policy.diffusion_p[index_of(w.network.sector(v))];
    // Adopts with probability 1 - exp(-(p + q f)).
    if (!hazard_happens(draws.uniform(v), p + q * adopter_fraction(w, v))) return;
    c.toolkit[v] = 1;
    c.capacity[v] = std::min(1.0, c.capacity[v] + ctx.policy.toolkit_capacity_gain);
  });
}

}  // namespace xsector
