#pragma once
// The support market (MODEL.md 7.4, 11.8-11.9): demand, rankings, deferred acceptance in
// rounds, settlement.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/sector.hpp"
#include "model/tick.hpp"
#include "network/network.hpp"

namespace xsector {

struct World;

// A provider's view of one proposal (MODEL.md 7.4): score, then the keyed hash, which is
// computed only when two scores are equal (it matters only then), then the client.
struct MarketBid {
  double score;
  mutable std::uint64_t hash;
  mutable bool hashed;
  NodeId client;
  std::uint32_t demander;  // position in MarketWorkspace::demanders
};

struct MarketWorkspace {
  std::vector<std::uint8_t> leads_early;  // per node: leads a collaboration in diagnose or design
  std::vector<std::uint8_t> engaged;      // per node: bought an engagement this tick (cleared after)
  std::vector<std::uint8_t> wants;        // per client position (scratch of ordered_filter)
  std::vector<NodeId> demanders;          // clients that want an engagement, ascending
  // Per demander:
  std::vector<std::uint32_t> option_offset;  // + 1: room for each demander's options
  std::vector<std::uint32_t> options;        // ranked affordable providers (ordinals)
  std::vector<std::uint32_t> option_count;   // how many of its room are used
  std::vector<double> log_funds;             // ln(1 + W), its score before any bonus
  std::vector<std::uint32_t> next_option;
  std::vector<std::uint32_t> matched;  // provider ordinal or kNone
  // Per provider:
  std::vector<std::uint32_t> visible;  // provider ordinals everyone can reach
  std::vector<double> focus;           // after compliance_toolkit
  std::vector<std::uint32_t> held_offset, held_count;
  std::vector<MarketBid> held;   // per provider, its held bids (held_offset: slots before it)
  std::vector<MarketBid> bids;   // a round's held + new bids, one region per provider
  std::vector<std::uint32_t> proposal_offset;  // + 1
  std::vector<std::uint32_t> proposals;        // demander positions, grouped by provider
  // Scratch of the rounds and of settlement (demander positions, ascending):
  std::vector<std::uint32_t> proposers, buyers, group_counts;
  std::vector<std::uint8_t> proposer_flags;
  struct UnmatchedCounts {
    std::array<std::int64_t, kClientSectorCount> priced_out{}, unmet{};
  };
  mutable std::vector<UnmatchedCounts> unmatched_blocks;
  std::vector<std::uint32_t> block_offsets;  // scratch of ordered_filter
  std::size_t capacity_bytes() const;
};

void run_market(World& world, const TickContext& ctx, TickFlows& flows);

}  // namespace xsector
