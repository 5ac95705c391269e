// Support market (MODEL.md 7.4, 11.8-11.9). Everything after finding demand runs over the
// demanders only (a compact ascending list), not over every client. Each demander's
// ranking of the providers it can reach and afford is computed in parallel (each writes
// only its own rows). Deferred acceptance runs in rounds: proposals are grouped by
// provider, then each provider keeps its best proposals by (score descending, keyed hash
// ascending, client index ascending), in parallel over providers; a demander is touched
// by at most one provider per round. Settlement runs serially in ascending client index,
// because the voucher pool is shared.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <numeric>

#include <tbb/parallel_for.h>

#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"
#include "model/tie_break.hpp"
#include "model/world.hpp"
#include "core/random.hpp"

namespace xsector {
namespace {

// Providers everyone can reach: the `market.visible` with most slots, ties to the lower index.
void find_visible(World& w) {
  auto& ws = w.market_workspace;
  const auto& slots = w.agents.providers.slots;
  ws.visible.resize(slots.size());
  std::iota(ws.visible.begin(), ws.visible.end(), 0u);
  const std::size_t n = std::min<std::size_t>(ws.visible.size(), static_cast<std::size_t>(w.params.market.visible));
  std::partial_sort(ws.visible.begin(), ws.visible.begin() + n, ws.visible.end(),
                    [&](auto a, auto b) { return slots[a] != slots[b] ? slots[a] > slots[b] : a < b; });
  ws.visible.resize(n);
}

void effective_focus(World& w, const TickContext& ctx) {
  auto& ws = w.market_workspace;
  const auto& pr = w.agents.providers;
  ws.focus = pr.focus;
  const auto n = std::min<std::size_t>(pr.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, ctx.policy.compliance_providers)));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t j = pr.compliance_pick_order[i];
    ws.focus[j] = std::max(ws.focus[j], ctx.policy.compliance_level);
  }
}

// Demanders (MODEL.md 7.4), ascending: leads of collaborations in diagnose or design (as
// they stand after this tick's collaboration phase) and clients in need.
void find_demand(World& w) {
  auto& ws = w.market_workspace;
  // A lead of several collaborations is marked by each: the same value, stored atomically.
  for_each_index(w.collabs.size(), [&](std::size_t k) {
    if (w.collabs.stage[k] <= 1) std::atomic_ref<std::uint8_t>(ws.leads_early[w.collabs.lead[k]]).store(1, std::memory_order_relaxed);
  });
  const auto& c = w.agents.clients;
  const double need_threshold = w.params.market.need_threshold, need_mindset = w.params.market.need_mindset;
  // Without branches (& and | on whole booleans): which clients want an engagement is
  // close to random, so a branch per test would be mispredicted often.
  ordered_filter_blocks(
      c.ids.size(),
      [&](std::size_t begin, std::size_t end, std::uint8_t* flags) {
        const NodeId* const ids = c.ids.data();
        const std::uint8_t* const leads = ws.leads_early.data();
        const double* const capacity = c.capacity.data();
        const double* const mindset = c.mindset.data();
        for (std::size_t i = begin; i != end; ++i) {
          const NodeId v = ids[i];
          const bool in_need = (capacity[v] < need_threshold) & (mindset[v] >= need_mindset);
          flags[i] = static_cast<std::uint8_t>((leads[v] != 0) | in_need);
        }
      },
      [&](std::size_t i) { return c.ids[i]; }, ws.demanders, ws.wants, ws.block_offsets);
}

// Back to all-zero for the next tick: the collaborations have not changed since find_demand.
void clear_leads(World& w) {
  for_each_index(w.collabs.size(), [&](std::size_t k) {
    std::atomic_ref<std::uint8_t>(w.market_workspace.leads_early[w.collabs.lead[k]]).store(0, std::memory_order_relaxed);
  });
}

double fit(double compliance, double focus) { return 1.0 - compliance * (1.0 - focus); }

// Calls emit(j) for every provider j that v can reach and afford: its provider neighbours
// (in neighbour order), then the visible providers that are not among them.
template <class Emit>
void for_each_option(const World& w, NodeId v, bool pool_open, Emit&& emit) {
  const auto& pr = w.agents.providers;
  const double funds = w.agents.clients.funds[v];
  const bool government = w.sector_of(v) == Sector::government;
  const double voucher_rate = w.params.foundation.voucher_rate;
  auto affordable = [&](std::uint32_t j) {
    return funds >= pr.price[j] || (government && pool_open && funds >= (1.0 - voucher_rate) * pr.price[j]);
  };
  const auto links = w.agents.institutions.of(v);
  for (std::uint32_t e : links)
    if (!InstitutionLinks::is_foundation(e) && affordable(e)) emit(e);
  for (std::uint32_t j : w.market_workspace.visible)
    if (affordable(j) && std::find(links.begin(), links.end(), j) == links.end()) emit(j);
}

// Each demander's affordable reachable providers, best first by q × fit / P (ties to the
// lower index), written and sorted in place in one parallel pass over the demanders. Each
// demander's room is an upper bound known beforehand: its provider and foundation links
// plus the visible providers. Also the first term of its score as a bidder, ln(1 + W),
// which does not change during matching.
void rank_all(World& w, bool pool_open) {
  auto& ws = w.market_workspace;
  const auto& pr = w.agents.providers;
  const auto& c = w.agents.clients;
  const auto& links = w.agents.institutions;
  const std::size_t demand = ws.demanders.size();
  // Each demander's room (read in parallel: the link offsets of scattered demanders are
  // cache misses), then the running sum.
  ws.option_offset.resize(demand + 1);
  ws.option_offset[0] = 0;
  const auto visible = static_cast<std::uint32_t>(ws.visible.size());
  for_each_index(demand, [&](std::size_t d) {
    const NodeId v = ws.demanders[d];
    ws.option_offset[d + 1] = links.offset[v + 1] - links.offset[v] + visible;
  });
  std::partial_sum(ws.option_offset.begin(), ws.option_offset.end(), ws.option_offset.begin());
  ws.options.resize(ws.option_offset[demand]);
  ws.option_count.resize(demand);
  ws.log_funds.resize(demand);
  ws.next_option.assign(demand, 0);
  ws.matched.assign(demand, kNone);
  for_each_index(demand, [&](std::size_t d) {
    const NodeId v = ws.demanders[d];
    std::uint32_t* const first = ws.options.data() + ws.option_offset[d];
    std::uint32_t* out = first;
    for_each_option(w, v, pool_open, [&](std::uint32_t j) { *out++ = j; });
    auto value = [&](std::uint32_t j) { return pr.quality[j] * fit(c.compliance[v], ws.focus[j]) / pr.price[j]; };
    std::sort(first, out, [&](auto a, auto b) {
      const double va = value(a), vb = value(b);
      return va != vb ? va > vb : a < b;
    });
    ws.option_count[d] = static_cast<std::uint32_t>(out - first);
    if (out != first) ws.log_funds[d] = std::log1p(c.funds[v]);
  });
}

// A provider's order of bids: score descending, then keyed hash ascending, then client
// ascending (tie_break.hpp; equal scores are rare, scores being log funds).
using BidOrder = TieBreakOrder<MarketBid, &MarketBid::score, &MarketBid::client>;

// One provider's decision in a round: keep the best of held and new proposals, up to its
// slots. Only which ones are kept matters, not their order; partial_sort finds them with a
// heap of the best `slots` seen so far, one comparison for most bids. (nth_element, used
// before, moved every bid several times: the few visible providers with a handful of
// slots get most of a round's proposals, 80,000 of 84,000 at 1M agents.)
// Its bids sit in its own region of `bids`, after the regions of the providers before it.
void choose(World& w, const AgentDraws& hashes, std::uint32_t j, std::vector<MarketBid>& bids) {
  auto& ws = w.market_workspace;
  const std::uint32_t first_new = ws.proposal_offset[j], end_new = ws.proposal_offset[j + 1];
  if (first_new == end_new) return;
  const double bonus = w.params.market.public_bonus * ws.focus[j];
  MarketBid* const held = ws.held.data() + ws.held_offset[j];
  MarketBid* const first = bids.data() + ws.held_offset[j] + first_new;
  MarketBid* last = std::copy(held, held + ws.held_count[j], first);
  for (std::uint32_t i = first_new; i < end_new; ++i) {
    const std::uint32_t d = ws.proposals[i];
    const NodeId v = ws.demanders[d];
    const double score = ws.log_funds[d] + (w.sector_of(v) == Sector::government ? bonus : 0.0);
    *last++ = MarketBid{score, 0, false, v, d};
  }
  const std::size_t keep = std::min<std::size_t>(last - first, static_cast<std::size_t>(w.agents.providers.slots[j]));
  if (keep < static_cast<std::size_t>(last - first)) std::partial_sort(first, first + keep, last, BidOrder(hashes, w.agents.providers.node[j]));
  for (const MarketBid* b = first; b != last; ++b) {
    if (b < first + keep) {
      ws.matched[b->demander] = j;
    } else {
      ws.matched[b->demander] = kNone;
      ++ws.next_option[b->demander];  // rejected: it will propose to its next option
    }
  }
  std::copy(first, first + keep, held);
  ws.held_count[j] = static_cast<std::uint32_t>(keep);
}

void deferred_acceptance(World& w, const TickContext& ctx) {
  auto& ws = w.market_workspace;
  const auto& pr = w.agents.providers;
  const std::size_t np = pr.size();
  ws.held_offset.assign(np + 1, 0);
  for (std::size_t j = 0; j < np; ++j) ws.held_offset[j + 1] = ws.held_offset[j] + static_cast<std::uint32_t>(pr.slots[j]);
  ws.held.resize(ws.held_offset[np]);
  ws.held_count.assign(np, 0);
  auto target = [&](std::uint32_t d) { return ws.options[ws.option_offset[d] + ws.next_option[d]]; };
  const AgentDraws hashes(w.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::market_tiebreak);
  for (std::int64_t round = 0; round < w.params.market.rounds; ++round) {
    // This round's proposers, ascending: every unmatched demander with an option it has not
    // tried. That includes a demander a provider held in an earlier round and rejected in
    // the last one for better bids: it was not a proposer then, but proposes again now.
    ordered_filter(
        ws.demanders.size(),
        [&](std::size_t d) { return ws.matched[d] == kNone && ws.next_option[d] < ws.option_count[d]; },
        [](std::size_t d) { return static_cast<std::uint32_t>(d); }, ws.proposers, ws.proposer_flags,
        ws.block_offsets);
    if (ws.proposers.empty()) break;
    // Grouped by provider, ascending demander within (the order does not change who is
    // kept, but a fixed order keeps everything reproducible).
    const auto& proposers = ws.proposers;
    group_by_key(
        proposers.size(), np, [&](std::size_t i) { return target(proposers[i]); },
        [&](std::size_t i) { return proposers[i]; }, ws.proposal_offset, ws.proposals, ws.group_counts);
    ws.bids.resize(ws.held.size() + proposers.size());
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, static_cast<std::uint32_t>(np)), [&](const auto& range) {
      for (std::uint32_t j = range.begin(); j != range.end(); ++j) choose(w, hashes, j, ws.bids);
    });
  }
}

// Unmatched demand by sector: priced out (no affordable reachable provider) or unmet.
void count_unmatched(const World& w, TickFlows& flows) {
  const auto& ws = w.market_workspace;
  auto& blocks = ws.unmatched_blocks;
  blocks.assign(block_count(ws.demanders.size()), MarketWorkspace::UnmatchedCounts{});
  for_each_block(ws.demanders.size(), [&](std::size_t begin, std::size_t end, std::size_t b) {
    for (std::size_t d = begin; d < end; ++d) {
      if (ws.matched[d] != kNone) continue;
      const int s = index_of(w.sector_of(ws.demanders[d]));
      ++(ws.option_count[d] == 0 ? blocks[b].priced_out : blocks[b].unmet)[s];
    }
  });
  for (const auto& b : blocks)
    for (int s = 0; s < kClientSectorCount; ++s) {
      flows.priced_out[s] += static_cast<double>(b.priced_out[s]);
      flows.unmet_demand[s] += static_cast<double>(b.unmet[s]);
    }
}

// Payment and effects, ascending client index (MODEL.md 7.4, 11.8). Only matched demanders
// pay, in order, because the voucher pool is shared; the others are counted as priced out
// or unmet in parallel (counts are integers: any order gives the same sums).
void settle(World& w, TickFlows& flows) {
  auto& ws = w.market_workspace;
  auto& c = w.agents.clients;
  auto& pr = w.agents.providers;
  const auto& mp = w.params.market;
  const double voucher_rate = w.params.foundation.voucher_rate;
  count_unmatched(w, flows);
  ordered_filter(
      ws.demanders.size(), [&](std::size_t d) { return ws.matched[d] != kNone; },
      [](std::size_t d) { return static_cast<std::uint32_t>(d); }, ws.buyers, ws.proposer_flags, ws.block_offsets);
  for (const std::uint32_t d : ws.buyers) {
    const NodeId v = ws.demanders[d];
    const Sector sector = w.sector_of(v);
    const int s = index_of(sector);
    const std::uint32_t j = ws.matched[d];
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
  // `supported` marks every collaboration the lead leads (MODEL.md 11.5).
  for_each_index(w.collabs.size(), [&](std::size_t k) {
    if (ws.engaged[w.collabs.lead[k]]) w.collabs.supported[k] = 1;
  });
  for (const std::uint32_t d : ws.buyers) ws.engaged[ws.demanders[d]] = 0;
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
  clear_leads(w);
  adapt_slots(w, ctx);
}

std::size_t MarketWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(leads_early, engaged, wants, demanders, option_offset, options, option_count,
                                 log_funds, next_option, matched, visible, focus, held_offset, held_count, held,
                                 bids, proposal_offset, proposals, proposers, buyers, group_counts,
                                 proposer_flags, unmatched_blocks, block_offsets);
}

}  // namespace xsector
