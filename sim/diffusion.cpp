// Diffusion of the toolkit (MODEL.md 7.2). Every client reads its neighbours' toolkit flags
// from a view taken at the start of the phase and writes only its own flag and capacity.
#include <algorithm>
#include <cmath>

#include "parallel.hpp"
#include "phases.hpp"
#include "random.hpp"

namespace xsector {
namespace {

// The start-of-phase view: one bit per node, set for clients holding the toolkit. A
// neighbour costs one read of a bit array that stays in cache (0.9 MB for 7.4 million
// nodes, where a byte per node would be 7.4 MB and a sector read besides). Words of 64
// nodes are filled independently, so in parallel.
void take_view(World& w) {
  const auto& c = w.agents.clients;
  const auto& sectors = w.network.sectors();
  const std::size_t n = w.network.node_count();
  w.toolkit_bits.resize((n + 63) / 64);
  for_each_index(w.toolkit_bits.size(), [&](std::size_t word) {
    std::uint64_t bits = 0;
    const std::size_t first = word * 64, last = std::min(n, first + 64);
    for (std::size_t v = first; v < last; ++v)
      bits |= static_cast<std::uint64_t>(is_client(sectors[v]) && c.toolkit[v]) << (v - first);
    w.toolkit_bits[word] = bits;
  });
}

// Fraction of v's client neighbours that held the toolkit at the start of the phase. Its
// non-client neighbours are exactly its institution links, so the client count needs no
// sector reads.
double adopter_fraction(const World& w, NodeId v) {
  const auto neighbours = w.network.neighbours(v);
  const auto clients = static_cast<std::uint32_t>(neighbours.size() - w.agents.institutions.of(v).size());
  if (clients == 0) return 0.0;
  std::uint32_t adopters = 0;
  for (NodeId u : neighbours) adopters += static_cast<std::uint32_t>(w.toolkit_bits[u >> 6] >> (u & 63)) & 1u;
  return static_cast<double>(adopters) / clients;
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
