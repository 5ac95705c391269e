#pragma once
// Everything one run holds while it runs: the frozen parameters (by reference), the
// network, the agents, the collaborations, the voucher pool and the ledger. Phases are free
// functions over a World (funding.hpp ... recording.hpp); the workspaces are reusable
// buffers so that the tick loop does not allocate once they have grown.
#include <cstdint>
#include <vector>

#include "agents.hpp"
#include "collaborations.hpp"
#include "interventions.hpp"
#include "ledger.hpp"
#include "network.hpp"
#include "params.hpp"

namespace xsector {

struct CollaborationWorkspace {
  std::vector<std::int8_t> outcome;     // per collaboration: 1 passed, 0 failed, -1 not due
  std::vector<std::uint8_t> ended;      // per collaboration
  std::vector<std::uint8_t> initiates;  // per node
  std::vector<NodeId> invitee;          // per node × partners
  std::vector<TieId> invite_tie;        // per node × partners
  std::vector<std::uint8_t> invite_count, accepted;  // per node; per node × partners
  std::vector<std::uint32_t> incoming_offset;        // per node + 1
  std::vector<std::uint32_t> incoming;               // invitation slots (node × partners + i)
  std::vector<std::uint32_t> accept_cursor;          // per node, scratch for grouping
  std::vector<double> ce;                            // per collaboration, the pass test's ce
};

struct MarketWorkspace {
  std::vector<std::uint8_t> wants;         // per node
  std::vector<std::uint8_t> leads_early;   // per node: leads a collaboration in diagnose or design
  std::vector<std::uint32_t> option_offset;  // per node + 1
  std::vector<std::uint32_t> options;        // ranked affordable providers (ordinals)
  std::vector<std::uint32_t> next_option;    // per node
  std::vector<std::uint32_t> matched;        // per node: provider ordinal or kNone
  std::vector<std::uint8_t> engaged;         // per node: bought an engagement this tick
  std::vector<std::uint32_t> visible;        // provider ordinals everyone can reach
  std::vector<double> focus;                 // per provider, after compliance_toolkit
  std::vector<std::uint32_t> held_offset, held_count;  // per provider
  std::vector<NodeId> held;
  std::vector<std::uint32_t> proposal_offset;  // per provider + 1
  std::vector<NodeId> proposals;
  std::vector<std::uint32_t> proposal_cursor;  // per provider, scratch for grouping
};

struct World {
  World(const Params& p, const std::vector<Intervention>& ivs, Network net, std::uint64_t seed);

  const Params& params;
  const std::vector<Intervention>& interventions;
  std::uint64_t run_seed;
  Network network;
  Agents agents;
  Collaborations collabs;
  double voucher_pool = 0;
  Ledger ledger;

  std::vector<std::uint8_t> toolkit_before;  // diffusion's start-of-phase copy
  std::vector<double> money_scratch;         // per node, reused by funding
  CollaborationWorkspace collab_ws;
  MarketWorkspace market_ws;

  double funds_held() const;  // sum of all clients' W, in client order
  std::size_t workspace_bytes() const;  // the reusable buffers above (capacity, not size)
};

struct TickContext {
  std::int64_t tick = 0;
  TickPolicy policy;
};

}  // namespace xsector
