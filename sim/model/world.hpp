#pragma once
// Everything one run holds while it runs: the frozen parameters (by reference), the
// network, the agents, the collaborations, the voucher pool and the ledger. Phases are free
// functions over a World (funding.hpp ... recording.hpp); the workspaces are reusable
// buffers so that the tick loop does not allocate once they have grown.
#include <array>
#include <cstdint>
#include <vector>

#include "model/agents.hpp"
#include "model/collaborations.hpp"
#include "scenario/interventions.hpp"
#include "model/ledger.hpp"
#include "network/network.hpp"
#include "scenario/params.hpp"

namespace xsector {

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
};

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
};

// Recording's scratch: exact percentiles by bucket counts (recording.cpp).
struct RecordingWorkspace {
  std::vector<std::uint32_t> histogram;    // per (chunk, sector, bucket), then the totals
  std::vector<std::uint16_t> client_code;  // per client position: bucket × 4 + sector
  std::vector<std::uint8_t> window_mask;   // per code: the sector's windows holding the bucket
  std::vector<double> window_values;       // values in the buckets that hold wanted ranks
  std::vector<std::uint64_t> chunk_start;  // per (chunk, window): where the chunk's values go
  std::vector<std::array<std::int64_t, kClientSectorCount>> member_blocks;  // participation per block
};

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
  World(const Params& p, const std::vector<Intervention>& ivs, Network net, std::uint64_t seed);

  const Params& params;
  const std::vector<Intervention>& interventions;
  std::uint64_t run_seed;
  Network network;
  Agents agents;
  Collaborations collabs;
  double voucher_pool = 0;
  Ledger ledger;
  SectorLookup sector_of;

  // Diffusion (diffusion.cpp): per node, its client neighbours holding the toolkit, and
  // the toolkit flags (one bit per node) those counts were made from.
  std::vector<std::uint32_t> adopter_neighbours;
  std::vector<std::uint64_t> toolkit_bits, toolkit_bits_now;
  std::vector<std::uint64_t> toolkit_changed;  // scratch: node << 1 | gained the toolkit
  std::vector<double> money_scratch;         // per node: grants received this tick (grantees only)
  std::vector<NodeId> grantees;              // governments and nonprofits tied to a foundation, ascending
  std::vector<double> foundation_grant;      // per foundation: government part, nonprofit part
  mutable std::vector<double> block_sums;    // scratch of block_sum (funds_held)
  CollaborationWorkspace collab_ws;
  MarketWorkspace market_ws;
  mutable RecordingWorkspace recording_ws;  // scratch: recording reads a const World

  // Sum of all clients' W, in fixed blocks of clients (parallel.hpp): the same for any
  // thread count. For the ledger check only; recording sums funds in client order.
  double funds_held() const;
  std::size_t workspace_bytes() const;  // the reusable buffers above (capacity, not size)
};

struct TickContext {
  std::int64_t tick = 0;
  TickPolicy policy;
};

}  // namespace xsector
