#pragma once
// The tie-break order of MODEL.md 11 shared by collaboration (partners and invitations,
// 7.3) and the market (a provider's bids, 7.4): a key descending, then the keyed hash of
// (self, other) ascending, then the other's node ascending.
//
// The hash matters only between equal keys, so it is drawn the first time two equal keys
// are compared and kept with the item (its mutable `hash` and `hashed` members): the
// order is the same as with every hash drawn up front, at a fraction of the draws.
#include <cstdint>

#include "core/random.hpp"
#include "network/network.hpp"

namespace xsector {

template <class Item, auto Key, auto Other>
class TieBreakOrder {
 public:
  // draws: the tick's draws of the purpose that names this tie-break; self: the agent
  // that orders (keyed_hash(seed, tick, self, other, purpose)).
  TieBreakOrder(const AgentDraws& draws, NodeId self) : draws_(draws), self_(self) {}

  bool operator()(const Item& a, const Item& b) const {  // a before b
    if (a.*Key != b.*Key) return a.*Key > b.*Key;
    const std::uint64_t hash_a = hash(a), hash_b = hash(b);
    if (hash_a != hash_b) return hash_a < hash_b;
    return a.*Other < b.*Other;
  }

 private:
  std::uint64_t hash(const Item& item) const {
    if (!item.hashed) {
      item.hash = draws_.bits(hash_agent(self_, item.*Other));
      item.hashed = true;
    }
    return item.hash;
  }
  const AgentDraws& draws_;
  NodeId self_;
};

}  // namespace xsector
