// Support market (MODEL.md 7.4, 11.8-11.9). Demand and each client's ranking of the
// providers it can reach and afford are computed in parallel (each client writes only its
// own rows). Deferred acceptance runs in rounds: proposals are grouped by provider in
// client order, then each provider keeps its best proposals by (score descending, keyed
// hash ascending, client index ascending), in parallel over providers; a client is touched
// by at most one provider per round. Settlement runs serially in ascending client index,
// because the voucher pool is shared.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <tbb/parallel_for.h>

#include "phases.hpp"
#include "random.hpp"

namespace xsector {
namespace {

template <class F>
void for_each_client(const World& w, F&& f) {
  const auto& ids = w.agents.clients.ids;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ids.size()), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) f(ids[i]);
  });
}

// Providers everyone can reach: the `market.visible` with most slots, ties to the lower index.
void find_visible(World& w) {
  auto& ws = w.market_ws;
  const auto& slots = w.agents.providers.slots;
  ws.visible.resize(slots.size());
  std::iota(ws.visible.begin(), ws.visible.end(), 0u);
  const std::size_t n = std::min<std::size_t>(ws.visible.size(), static_cast<std::size_t>(w.params.market.visible));
  std::partial_sort(ws.visible.begin(), ws.visible.begin() + n, ws.visible.end(),
                    [&](auto a, auto b) { return slots[a] != slots[b] ? slots[a] > slots[b] : a < b; });
  ws.visible.resize(n);
}

void effective_focus(World& w, const TickContext& ctx) {
  auto& ws = w.market_ws;
  const auto& pr = w.agents.providers;
  ws.focus = pr.focus;
  const auto n = std::min<std::size_t>(pr.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, ctx.policy.compliance_providers)));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t j = pr.compliance_pick_order[i];
    ws.focus[j] = std::max(ws.focus[j], ctx.policy.compliance_level);
  }
}

void find_demand(World& w) {
  auto& ws = w.market_ws;
  std::fill(ws.leads_early.begin(), ws.leads_early.end(), 0);
  for (std::size_t k = 0; k < w.collabs.size(); ++k)
    if (w.collabs.stage[k] <= 1) ws.leads_early[w.collabs.lead[k]] = 1;
  const auto& c = w.agents.clients;
  const auto& mp = w.params.market;
  for_each_client(w, [&](NodeId v) {
    ws.wants[v] = ws.leads_early[v] || (c.capacity[v] < mp.need_threshold && c.mindset[v] >= mp.need_mindset);
  });
}

double fit(double compliance, double focus) { return 1.0 - compliance * (1.0 - focus); }

// Writes v's affordable reachable providers, best first, to `out` (or counts them when
// out is null). Returns the count.
std::uint32_t rank_options(const World& w, NodeId v, bool pool_open, std::uint32_t* out) {
  const auto& ws = w.market_ws;
  const auto& pr = w.agents.providers;
  const auto& c = w.agents.clients;
  const bool government = w.network.sector(v) == Sector::government;
  const double voucher_rate = w.params.foundation.voucher_rate;
  auto affordable = [&](std::uint32_t j) {
    return c.funds[v] >= pr.price[j] || (government && pool_open && c.funds[v] >= (1.0 - voucher_rate) * pr.price[j]);
  };
  thread_local std::vector<std::uint32_t> reach;
  reach.clear();
  for (NodeId u : w.network.neighbours(v))
    if (const std::uint32_t j = w.agents.provider_ordinal[u]; j != kNone && affordable(j)) reach.push_back(j);
  const std::size_t neighbour_count = reach.size();
  for (std::uint32_t j : ws.visible)
    if (affordable(j) && std::find(reach.begin(), reach.begin() + neighbour_count, j) == reach.begin() + neighbour_count)
      reach.push_back(j);
  if (!out) return static_cast<std::uint32_t>(reach.size());
  auto value = [&](std::uint32_t j) { return pr.quality[j] * fit(c.compliance[v], ws.focus[j]) / pr.price[j]; };
  std::sort(reach.begin(), reach.end(), [&](auto a, auto b) {
    const double va = value(a), vb = value(b);
    return va != vb ? va > vb : a < b;
  });
  std::copy(reach.begin(), reach.end(), out);
  return static_cast<std::uint32_t>(reach.size());
}

void rank_all(World& w, bool pool_open) {
  auto& ws = w.market_ws;
  const std::size_t n = w.network.node_count();
  std::fill(ws.option_offset.begin(), ws.option_offset.end(), 0);
  for_each_client(w, [&](NodeId v) {
    if (ws.wants[v]) ws.option_offset[v + 1] = rank_options(w, v, pool_open, nullptr);
  });
  for (std::size_t v = 0; v < n; ++v) ws.option_offset[v + 1] += ws.option_offset[v];
  ws.options.resize(ws.option_offset[n]);
  for_each_client(w, [&](NodeId v) {
    ws.next_option[v] = 0;
    ws.matched[v] = kNone;
    ws.engaged[v] = 0;
    if (ws.wants[v]) rank_options(w, v, pool_open, ws.options.data() + ws.option_offset[v]);
  });
}

struct Bid {
  double score;
  std::uint64_t hash;
  NodeId client;
  bool operator<(const Bid& o) const {  // better first
    if (score != o.score) return score > o.score;
    if (hash != o.hash) return hash < o.hash;
    return client < o.client;
  }
};

// One provider's decision in a round: keep the best of held and new proposals.
void choose(World& w, const TickContext& ctx, std::uint32_t j) {
  auto& ws = w.market_ws;
  const auto& c = w.agents.clients;
  const std::uint32_t first_new = ws.proposal_offset[j], end_new = ws.proposal_offset[j + 1];
  if (first_new == end_new) return;
  const NodeId provider_node = w.agents.providers.node[j];
  auto bid = [&](NodeId v) {
    const double bonus = w.network.sector(v) == Sector::government ? w.params.market.public_bonus * ws.focus[j] : 0.0;
    return Bid{std::log1p(c.funds[v]) + bonus,
               keyed_hash(w.run_seed, ctx.tick, provider_node, v, Purpose::market_tiebreak), v};
  };
  thread_local std::vector<Bid> bids;
  bids.clear();
  NodeId* held = ws.held.data() + ws.held_offset[j];
  for (std::uint32_t i = 0; i < ws.held_count[j]; ++i) bids.push_back(bid(held[i]));
  for (std::uint32_t i = first_new; i < end_new; ++i) bids.push_back(bid(ws.proposals[i]));
  std::sort(bids.begin(), bids.end());
  const std::size_t keep = std::min<std::size_t>(bids.size(), static_cast<std::size_t>(w.agents.providers.slots[j]));
  for (std::size_t i = 0; i < bids.size(); ++i) {
    const NodeId v = bids[i].client;
    if (i < keep) {
      held[i] = v;
      ws.matched[v] = j;
    } else {
      ws.matched[v] = kNone;
      ++ws.next_option[v];  // rejected: it will propose to its next option
    }
  }
  ws.held_count[j] = static_cast<std::uint32_t>(keep);
}

void deferred_acceptance(World& w, const TickContext& ctx) {
  auto& ws = w.market_ws;
  const auto& pr = w.agents.providers;
  const std::size_t np = pr.size();
  ws.held_offset.assign(np + 1, 0);
  for (std::size_t j = 0; j < np; ++j) ws.held_offset[j + 1] = ws.held_offset[j] + static_cast<std::uint32_t>(pr.slots[j]);
  ws.held.resize(ws.held_offset[np]);
  ws.held_count.assign(np, 0);
  const auto& ids = w.agents.clients.ids;
  for (std::int64_t round = 0; round < w.params.market.rounds; ++round) {
    // Group this round's proposals by provider, in ascending client order.
    ws.proposal_offset.assign(np + 1, 0);
    auto proposing = [&](NodeId v) {
      return ws.wants[v] && ws.matched[v] == kNone && ws.next_option[v] < ws.option_offset[v + 1] - ws.option_offset[v];
    };
    auto target = [&](NodeId v) { return ws.options[ws.option_offset[v] + ws.next_option[v]]; };
    std::size_t count = 0;
    for (NodeId v : ids)
      if (proposing(v)) ++ws.proposal_offset[target(v) + 1], ++count;
    if (count == 0) break;
    for (std::size_t j = 0; j < np; ++j) ws.proposal_offset[j + 1] += ws.proposal_offset[j];
    ws.proposals.resize(count);
    auto& cursor = ws.proposal_cursor;
    cursor.assign(ws.proposal_offset.begin(), ws.proposal_offset.end() - 1);
    for (NodeId v : ids)
      if (proposing(v)) ws.proposals[cursor[target(v)]++] = v;
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, static_cast<std::uint32_t>(np)), [&](const auto& range) {
      for (std::uint32_t j = range.begin(); j != range.end(); ++j) choose(w, ctx, j);
    });
  }
}

// Payment and effects, ascending client index (MODEL.md 7.4, 11.8).
void settle(World& w, TickFlows& flows) {
  auto& ws = w.market_ws;
  auto& c = w.agents.clients;
  auto& pr = w.agents.providers;
  const auto& mp = w.params.market;
  const double voucher_rate = w.params.foundation.voucher_rate;
  for (NodeId v : c.ids) {
    if (!ws.wants[v]) continue;
    const Sector sector = w.network.sector(v);
    const int s = index_of(sector);
    const std::uint32_t j = ws.matched[v];
    if (j == kNone) {
      (ws.option_offset[v + 1] == ws.option_offset[v] ? flows.priced_out : flows.unmet_demand)[s] += 1;
      continue;
    }
    const double price = pr.price[j];
    double voucher = 0.0;
    if (sector == Sector::government) voucher = std::min(w.voucher_pool, voucher_rate * price);
    if (c.funds[v] < price - voucher) {  // the pool ran dry: dropped, and it draws no voucher
      flows.priced_out[s] += 1;
      continue;
    }
    w.voucher_pool -= voucher;
    c.funds[v] -= price - voucher;
    w.ledger.paid += price;
    flows.support_spending[s] += price;
    flows.engagements[s] += 1;
    flows.provider_revenue += price;
    ++pr.year_engagements[j];
    ws.engaged[v] = 1;
    const double f = fit(c.compliance[v], ws.focus[j]);
    c.capacity[v] += pr.quality[j] * f * mp.gain * (1.0 - c.capacity[v]);
    c.mindset[v] += mp.mindset_gain * (1.0 - c.mindset[v]);
  }
  for (std::size_t k = 0; k < w.collabs.size(); ++k)
    if (ws.engaged[w.collabs.lead[k]]) w.collabs.supported[k] = 1;
}

// Yearly slot adaptation at the end of the market phase in a year's last tick (11.9).
void adapt_slots(World& w, const TickContext& ctx) {
  auto& pr = w.agents.providers;
  const std::int64_t tpy = w.params.simulation.ticks_per_year;
  for (std::size_t j = 0; j < pr.size(); ++j) pr.year_slot_ticks[j] += pr.slots[j];
  if (ctx.tick % tpy != tpy - 1) return;
  for (std::size_t j = 0; j < pr.size(); ++j) {
    const double utilisation =
        static_cast<double>(pr.year_engagements[j]) / static_cast<double>(pr.year_slot_ticks[j]);
    pr.staff[j] = std::max(1.0, pr.staff[j] * (1.0 + w.params.provider.adaptation * (utilisation - 0.8)));
    pr.slots[j] = static_cast<std::int32_t>(std::max(1.0, std::floor(pr.staff[j] + 0.5)));
    pr.year_engagements[j] = 0;
    pr.year_slot_ticks[j] = 0;
  }
}

}  // namespace

void run_market(World& w, const TickContext& ctx, TickFlows& flows) {
  if (w.agents.providers.size() == 0) return;  // MODEL.md 11.8: no providers, nothing recorded
  const bool pool_open = w.voucher_pool > 0.0;  // read at the start of the phase
  find_visible(w);
  effective_focus(w, ctx);
  find_demand(w);
  rank_all(w, pool_open);
  deferred_acceptance(w, ctx);
  settle(w, flows);
  adapt_slots(w, ctx);
}

}  // namespace xsector
