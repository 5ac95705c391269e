#pragma once
// Everything one run holds while it runs: the frozen parameters (by reference), the
// network, the agents, the collaborations, the voucher pool, the ledger, and each phase's
// workspace: reusable buffers, so that the tick loop does not allocate once they have
// grown. The phases are free functions over a World, one header each (funding.hpp,
// diffusion.hpp, collaboration.hpp, market.hpp, learning.hpp, recording.hpp).
#include <array>
#include <cstdint>
#include <vector>

#include "model/agents.hpp"
#include "model/collaboration.hpp"
#include "model/collaborations.hpp"
#include "model/diffusion.hpp"
#include "model/funding.hpp"
#include "model/learning.hpp"
#include "model/ledger.hpp"
#include "model/market.hpp"
#include "model/recording.hpp"
#include "network/network.hpp"
#include "scenario/params.hpp"

namespace xsector {

// The sector of a node without reading memory when the nodes are numbered by sector (a
// generated network always is, MODEL.md 11.1): then it is the number of sector starts at or
// below the node. Phases that look up sectors of random nodes (neighbours, members) use
// it, because at millions of nodes the sector array does not stay in cache.
class SectorLookup {
 public:
  explicit SectorLookup(const Network& net);
  Sector operator()(NodeId v) const {
    if (!sorted_) return sectors_[v];
    int s = 0;
    for (int k = 1; k < kSectorCount; ++k) s += v >= start_[k];
    return static_cast<Sector>(s);
  }

 private:
  const Sector* sectors_;
  bool sorted_;
  std::array<NodeId, kSectorCount> start_{};  // first node of each sector, when sorted
};

struct World {
  World(const Params& params, Network network, std::uint64_t run_seed);

  const Params& params;
  std::uint64_t run_seed;
  Network network;
  Agents agents;
  Collaborations collabs;
  double voucher_pool = 0;
  Ledger ledger;
  SectorLookup sector_of;

  FundingWorkspace funding_workspace;
  DiffusionWorkspace diffusion_workspace;
  CollaborationWorkspace collaboration_workspace;
  MarketWorkspace market_workspace;
  mutable RecordingWorkspace recording_workspace;  // recording reads a const World
  mutable std::vector<double> block_sums;          // scratch of block_sum (funding, funds_held)

  // Sum of all clients' W, in fixed blocks of clients (parallel.hpp): the same for any
  // thread count. For the ledger check only; recording sums funds in client order.
  double funds_held() const;
  std::size_t workspace_bytes() const;  // the workspaces (capacity, not size)
};

}  // namespace xsector
