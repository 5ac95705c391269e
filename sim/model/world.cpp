#include "model/world.hpp"

#include <algorithm>

#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"

namespace xsector {

SectorLookup::SectorLookup(const Network& net) : sectors_(net.sectors().data()) {
  const auto& sectors = net.sectors();
  sorted_ = std::is_sorted(sectors.begin(), sectors.end());
  if (!sorted_) return;
  for (int k = 0; k < kSectorCount; ++k)
    start_[k] = static_cast<NodeId>(
        std::lower_bound(sectors.begin(), sectors.end(), static_cast<Sector>(k)) - sectors.begin());
}

World::World(const Params& params_, Network network_, std::uint64_t run_seed_)
    : params(params_),
      run_seed(run_seed_),
      network(std::move(network_)),
      agents(initialise_agents(params, network, run_seed)),
      collabs(static_cast<std::size_t>(params.collab.partners)),
      sector_of(network),
      funding_workspace(funding_workspace_for(*this)) {
  // Node-indexed buffers are sized here; the others grow with use and then stay.
  const std::size_t nodes = network.node_count();
  collaboration_workspace.initiates.assign(agents.clients.ids.size(), 0);
  market_workspace.leads_early.assign(nodes, 0);
  market_workspace.engaged.assign(nodes, 0);
}

double World::funds_held() const {
  const auto& clients = agents.clients;
  return block_sum(
      clients.ids.size(), [&](std::size_t i) { return clients.funds[clients.ids[i]]; }, block_sums);
}

std::size_t World::workspace_bytes() const {
  return funding_workspace.capacity_bytes() + diffusion_workspace.capacity_bytes() +
         collaboration_workspace.capacity_bytes() + market_workspace.capacity_bytes() +
         recording_workspace.capacity_bytes() + capacity_bytes(block_sums) +
         capacity_bytes(collabs.lead, collabs.partners, collabs.ties, collabs.partner_count, collabs.stage,
                        collabs.stage_start, collabs.supported);
}

}  // namespace xsector
