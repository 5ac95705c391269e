// Diffusion of the toolkit (MODEL.md 7.2). Every client reads its neighbours' toolkit flags
// from a view taken at the start of the phase and writes only its own flag and capacity.
#include <algorithm>
#include <bit>
#include <cmath>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"
#include "model/world.hpp"
#include "core/prefetch.hpp"
#include "core/random.hpp"

namespace xsector {
namespace {

// Each node's count of client neighbours holding the toolkit, kept up to date instead of
// recounted: a non-adopter would otherwise read a random bit for every neighbour, every
// tick (tens of millions of cache misses at national scale), while only the few percent
// of clients that adopt in a tick change anyone's count.
//
// At the start of the phase the holders are read from the toolkit flags into a bit view
// (in parallel, 64 nodes per word) and compared with the view the counts were made from;
// every node whose bit changed (last tick's adopters, or flags set by hand) adds +1 or -1
// to each neighbour's count. So the counts always describe the start-of-phase flags,
// whoever changed them, and the counts are integers: the same for any order of updates.
void sync_adopter_counts(World& world) {
  const auto& clients = world.agents.clients;
  const auto& sectors = world.network.sectors();
  const std::size_t n = world.network.node_count(), words = (n + 63) / 64;
  auto& counted = world.diffusion_workspace.counted_bits;  // the flags the counts describe
  auto& now = world.diffusion_workspace.current_bits;
  if (counted.size() != words) {
    counted.assign(words, 0);
    world.diffusion_workspace.adopter_neighbours.assign(n, 0);
  }
  now.resize(words);
  for_each_index(words, [&](std::size_t word) {
    std::uint64_t bits = 0;
    const std::size_t first = word * 64, last = std::min(n, first + 64);
    for (std::size_t v = first; v < last; ++v)
      bits |= static_cast<std::uint64_t>(is_client(sectors[v]) && clients.toolkit[v]) << (v - first);
    now[word] = bits;
  });
  auto& changed = world.diffusion_workspace.changed;  // node << 1 | gained
  changed.clear();
  for (std::size_t word = 0; word < words; ++word)
    for (std::uint64_t diff = now[word] ^ counted[word]; diff != 0; diff &= diff - 1) {
      const int bit = std::countr_zero(diff);
      changed.push_back(static_cast<std::uint64_t>(word * 64 + static_cast<std::size_t>(bit)) << 1 |
                        ((now[word] >> bit) & 1));
    }
  counted.swap(now);
  // Each thread takes one range of nodes and applies the changes that land in it, so no
  // two threads write the same count.
  const std::size_t ranges = static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  // The changed nodes are spread out, so their rows are cache misses: each row start is
  // fetched 16 changes ahead and each row 8 ahead.
  const auto& row_start = world.network.graph().m_forward.m_rowstart;
  auto node = [&](std::size_t k) { return static_cast<NodeId>(changed[k] >> 1); };
  tbb::parallel_for(std::size_t{0}, ranges, [&](std::size_t r) {
    const NodeId lo = static_cast<NodeId>(n * r / ranges), hi = static_cast<NodeId>(n * (r + 1) / ranges);
    std::uint32_t* const counts = world.diffusion_workspace.adopter_neighbours.data();
    for (std::size_t k = 0; k < changed.size(); ++k) {
      look_ahead(k, 16, changed.size(), [&](std::size_t later) { prefetch(&row_start[node(later)]); });
      look_ahead(k, 8, changed.size(),
                 [&](std::size_t later) { prefetch(world.network.neighbours(node(later)).data()); });
      const std::uint32_t delta = changed[k] & 1 ? 1u : ~0u;  // +1 or -1, modulo 2^32
      for (NodeId v : world.network.neighbours(node(k)))
        if (v >= lo && v < hi) counts[v] += delta;
    }
  });
}

// The hazard p + q f of each client of [begin, end) without the toolkit, f being the
// fraction of its client neighbours that held the toolkit at the start of the phase (0
// without client neighbours; its non-client neighbours are exactly its institution links).
// Writes them to `who` and `rate` and returns how many: sequential reads, and no branch on
// the data, so the loop runs at the speed of memory.
std::size_t collect_non_holders(const World& world, const TickContext& ctx, std::size_t begin, std::size_t end,
                                NodeId* who, double* rate) {
  const auto& clients = world.agents.clients;
  const double q = world.params.diffusion.q;
  std::size_t m = 0;
  for (std::size_t i = begin; i != end; ++i) {
    const NodeId v = clients.ids[i];
    const auto client_neighbours =
        static_cast<std::uint32_t>(world.network.degree(v) - world.agents.institutions.of(v).size());
    const double f = client_neighbours == 0
                         ? 0.0
                         : static_cast<double>(world.diffusion_workspace.adopter_neighbours[v]) / client_neighbours;
    who[m] = v;
    rate[m] = ctx.policy.diffusion_p[index_of(world.network.sector(v))] + q * f;
    m += clients.toolkit[v] ? 0 : 1;  // a holder's entry is overwritten by the next client
  }
  return m;
}

}  // namespace

// Each block of clients first lists its non-holders with their hazards, then draws for
// them in a tight loop: a Philox draw is a long chain of multiplications, and with nothing
// else in the loop the draws of successive clients overlap in the processor.
void run_diffusion(World& world, const TickContext& ctx) {
  auto& clients = world.agents.clients;
  sync_adopter_counts(world);
  const AgentDraws draws(world.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::diffusion);
  const double gain = ctx.policy.toolkit_capacity_gain;
  for_each_block(clients.ids.size(), [&](std::size_t begin, std::size_t end, std::size_t) {
    NodeId who[kBlockSize];
    double rate[kBlockSize], u[kBlockSize];
    const std::size_t m = collect_non_holders(world, ctx, begin, end, who, rate);
    draws.uniforms(who, m, u);
    for (std::size_t k = 0; k < m; ++k) {
      // Adopts with probability 1 - exp(-rate).
      if (!hazard_happens(u[k], rate[k])) continue;
      const NodeId v = who[k];
      clients.toolkit[v] = 1;
      clients.capacity[v] = std::min(1.0, clients.capacity[v] + gain);
    }
  });
}

std::size_t DiffusionWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(adopter_neighbours, counted_bits, current_bits, changed);
}

}  // namespace xsector
