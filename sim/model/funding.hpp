#pragma once
// Funding (MODEL.md 7.1, 11.4): budget allocations, fiscal-year expiry and foundation grants.
#include <cstddef>
#include <vector>

#include "model/tick.hpp"
#include "network/network.hpp"

namespace xsector {

struct World;

struct FundingWorkspace {
  std::vector<NodeId> grantees;          // governments and nonprofits tied to a foundation, ascending
  std::vector<double> grants_this_tick;  // per node: grants received this tick (grantees only)
  std::vector<double> foundation_grant;  // per foundation: to each government, to each nonprofit
  std::size_t capacity_bytes() const;
};

// Sizes the workspace and lists the grantees (the ties to foundations never change).
FundingWorkspace funding_workspace_for(const World& world);

void run_funding(World& world, const TickContext& ctx, TickFlows& flows);

}  // namespace xsector
