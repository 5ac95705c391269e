#pragma once
// The live state of one run (MODEL.md 2) as struct-of-arrays. Client columns are indexed
// by node id (agent index = node id, MODEL.md 11.1); provider and foundation columns by
// their ordinal among providers / foundations, with `node` mapping back to the node id.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "network/network.hpp"
#include "scenario/params.hpp"

namespace xsector {

struct ClientColumns {
  std::vector<NodeId> ids;  // every client node, ascending
  // Indexed by node id (entries of non-clients are unused and stay 0).
  std::vector<double> budget, funds, capacity, mindset, compliance;
  std::vector<std::uint8_t> toolkit;
  std::vector<std::uint8_t> active;  // collaborations the client is in (lead or partner)
};

struct ProviderColumns {
  std::vector<NodeId> node;
  std::vector<double> price, quality, focus, staff;
  std::vector<std::int32_t> slots;
  std::vector<std::int64_t> year_engagements, year_slot_ticks;  // for the yearly adaptation
  std::vector<std::uint32_t> compliance_pick_order;  // provider ordinals by keyed hash (MODEL.md 11.11)
  std::size_t size() const { return node.size(); }
};

struct FoundationColumns {
  std::vector<NodeId> node;
  std::vector<double> giving;  // $ per year
  std::vector<std::uint32_t> government_neighbours, nonprofit_neighbours;
  std::size_t size() const { return node.size(); }
};

// Where a node's row lives among providers or foundations (kNone for clients).
inline constexpr std::uint32_t kNone = ~std::uint32_t{0};

// The providers and foundations among each node's neighbours, in neighbour order, as
// ordinals. Funding (foundations) and the market (providers) look at no other neighbours,
// and they are a small part of every row (most clients have none), so these short lists
// spare those phases a scan of every row. Built once: the network does not change.
struct InstitutionLinks {
  static constexpr std::uint32_t kFoundationBit = std::uint32_t{1} << 31;
  std::vector<std::uint32_t> offset;  // per node + 1
  std::vector<std::uint32_t> entry;   // provider ordinal, or foundation ordinal | kFoundationBit
  std::span<const std::uint32_t> of(NodeId v) const { return {entry.data() + offset[v], entry.data() + offset[v + 1]}; }
  static bool is_foundation(std::uint32_t e) { return (e & kFoundationBit) != 0; }
  static std::uint32_t ordinal(std::uint32_t e) { return e & ~kFoundationBit; }
};

struct Agents {
  ClientColumns clients;
  ProviderColumns providers;
  FoundationColumns foundations;
  std::vector<std::uint32_t> provider_ordinal, foundation_ordinal;  // per node
  std::vector<double> trust;                                       // per tie
  InstitutionLinks institutions;                                   // per node
  std::array<std::int64_t, kClientSectorCount> client_count{};

  // Bytes held by the columns above (capacity, not size): the benchmark's "agent state".
  std::size_t state_bytes() const;
};

// Draws the initial state of MODEL.md 5 from streams keyed by run_seed.
Agents initialise_agents(const Params& params, const Network& network, std::uint64_t run_seed);

}  // namespace xsector
