#pragma once
// Collaboration (MODEL.md 7.3, 11.5-11.7): stages resolve, clients initiate, invite and
// accept partners.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/tick.hpp"
#include "network/network.hpp"

namespace xsector {

struct World;

struct CollaborationWorkspace {
  std::vector<std::int8_t> outcome;    // per collaboration: 1 passed, 0 failed, -1 not due
  std::vector<std::uint8_t> ended;     // per collaboration
  std::vector<double> ce;              // per collaboration, the pass test's ce
  std::vector<std::uint8_t> initiates;  // per client position (scratch of ordered_filter)
  std::vector<NodeId> initiators;       // ascending node id
  // Per initiator × stride (the initiator's position in `initiators` × stride + i):
  std::vector<NodeId> invitee;
  std::vector<TieId> invite_tie;
  std::vector<std::uint8_t> accepted;
  std::vector<std::uint8_t> invite_count;  // per initiator
  std::vector<std::uint64_t> by_invitee;   // invitee << 32 | invitation slot, sorted by invitee
  std::vector<std::uint64_t> sort_scratch;
  std::vector<std::uint32_t> block_offsets;  // scratch of ordered_filter
  std::size_t capacity_bytes() const;
};

void run_collaboration(World& world, const TickContext& ctx, TickFlows& flows);

}  // namespace xsector
