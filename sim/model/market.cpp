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
void find_visible(World& world) {
  auto& workspace = world.market_workspace;
  const auto& slots = world.agents.providers.slots;
  workspace.visible.resize(slots.size());
  std::iota(workspace.visible.begin(), workspace.visible.end(), 0u);
  const std::size_t n =
      std::min<std::size_t>(workspace.visible.size(), static_cast<std::size_t>(world.params.market.visible));
  std::partial_sort(workspace.visible.begin(), workspace.visible.begin() + n, workspace.visible.end(),
                    [&](auto a, auto b) { return slots[a] != slots[b] ? slots[a] > slots[b] : a < b; });
  workspace.visible.resize(n);
}

void effective_focus(World& world, const TickContext& ctx) {
  auto& workspace = world.market_workspace;
  const auto& providers = world.agents.providers;
  workspace.focus = providers.focus;
  const auto n = std::min<std::size_t>(
      providers.size(), static_cast<std::size_t>(std::max<std::int64_t>(0, ctx.policy.compliance_providers)));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t j = providers.compliance_pick_order[i];
    workspace.focus[j] = std::max(workspace.focus[j], ctx.policy.compliance_level);
  }
}

// Demanders (MODEL.md 7.4), ascending: leads of collaborations in diagnose or design (as
// they stand after this tick's collaboration phase) and clients in need.
void find_demand(World& world) {
  auto& workspace = world.market_workspace;
  // A lead of several collaborations is marked by each: the same value, stored atomically.
  for_each_index(world.collabs.size(), [&](std::size_t k) {
    if (world.collabs.stage[k] <= 1)
      std::atomic_ref<std::uint8_t>(workspace.leads_early[world.collabs.lead[k]]).store(1, std::memory_order_relaxed);
  });
  const auto& clients = world.agents.clients;
  const double need_threshold = world.params.market.need_threshold, need_mindset = world.params.market.need_mindset;
  // Without branches (& and | on whole booleans): which clients want an engagement is
  // close to random, so a branch per test would be mispredicted often.
  ordered_filter_blocks(
      clients.ids.size(),
      [&](std::size_t begin, std::size_t end, std::uint8_t* flags) {
        const NodeId* const ids = clients.ids.data();
        const std::uint8_t* const leads = workspace.leads_early.data();
        const double* const capacity = clients.capacity.data();
        const double* const mindset = clients.mindset.data();
        for (std::size_t i = begin; i != end; ++i) {
          const NodeId v = ids[i];
          const bool in_need = (capacity[v] < need_threshold) & (mindset[v] >= need_mindset);
          flags[i] = static_cast<std::uint8_t>((leads[v] != 0) | in_need);
        }
      },
      [&](std::size_t i) { return clients.ids[i]; }, workspace.demanders, workspace.wants, workspace.block_offsets);
}

// Back to all-zero for the next tick: the collaborations have not changed since find_demand.
void clear_leads(World& world) {
  for_each_index(world.collabs.size(), [&](std::size_t k) {
    std::atomic_ref<std::uint8_t>(world.market_workspace.leads_early[world.collabs.lead[k]])
        .store(0, std::memory_order_relaxed);
  });
}

double fit(double compliance, double focus) { return 1.0 - compliance * (1.0 - focus); }

// Calls emit(j) for every provider j that v can reach and afford: its provider neighbours
// (in neighbour order), then the visible providers that are not among them.
template <class Emit>
void for_each_option(const World& world, NodeId v, bool pool_open, Emit&& emit) {
  const auto& providers = world.agents.providers;
  const double funds = world.agents.clients.funds[v];
  const bool government = world.sector_of(v) == Sector::government;
  const double voucher_rate = world.params.foundation.voucher_rate;
  auto affordable = [&](std::uint32_t j) {
    return funds >= providers.price[j] ||
           (government && pool_open && funds >= (1.0 - voucher_rate) * providers.price[j]);
  };
  const auto links = world.agents.institutions.of(v);
  for (std::uint32_t e : links)
    if (!InstitutionLinks::is_foundation(e) && affordable(e)) emit(e);
  for (std::uint32_t j : world.market_workspace.visible)
    if (affordable(j) && std::find(links.begin(), links.end(), j) == links.end()) emit(j);
}

// Each demander's affordable reachable providers, best first by q × fit / P (ties to the
// lower index), written and sorted in place in one parallel pass over the demanders. Each
// demander's room is an upper bound known beforehand: its provider and foundation links
// plus the visible providers. Also the first term of its score as a bidder, ln(1 + W),
// which does not change during matching.
void rank_all(World& world, bool pool_open) {
  auto& workspace = world.market_workspace;
  const auto& providers = world.agents.providers;
  const auto& clients = world.agents.clients;
  const auto& links = world.agents.institutions;
  const std::size_t demand = workspace.demanders.size();
  // Each demander's room (read in parallel: the link offsets of scattered demanders are
  // cache misses), then the running sum.
  workspace.option_offset.resize(demand + 1);
  workspace.option_offset[0] = 0;
  const auto visible = static_cast<std::uint32_t>(workspace.visible.size());
  for_each_index(demand, [&](std::size_t d) {
    const NodeId v = workspace.demanders[d];
    workspace.option_offset[d + 1] = links.offset[v + 1] - links.offset[v] + visible;
  });
  std::partial_sum(workspace.option_offset.begin(), workspace.option_offset.end(), workspace.option_offset.begin());
  workspace.options.resize(workspace.option_offset[demand]);
  workspace.option_count.resize(demand);
  workspace.log_funds.resize(demand);
  workspace.next_option.assign(demand, 0);
  workspace.matched.assign(demand, kNone);
  for_each_index(demand, [&](std::size_t d) {
    const NodeId v = workspace.demanders[d];
    std::uint32_t* const first = workspace.options.data() + workspace.option_offset[d];
    std::uint32_t* out = first;
    for_each_option(world, v, pool_open, [&](std::uint32_t j) { *out++ = j; });
    auto value = [&](std::uint32_t j) {
      return providers.quality[j] * fit(clients.compliance[v], workspace.focus[j]) / providers.price[j];
    };
    std::sort(first, out, [&](auto a, auto b) {
      const double va = value(a), vb = value(b);
      return va != vb ? va > vb : a < b;
    });
    workspace.option_count[d] = static_cast<std::uint32_t>(out - first);
    if (out != first) workspace.log_funds[d] = std::log1p(clients.funds[v]);
  });
}

// A provider's order of bids: score descending, then keyed hash ascending, then client
// ascending (tie_break.hpp; equal scores are rare, scores being log funds).
using BidOrder = TieBreakOrder<MarketBid, &MarketBid::score, &MarketBid::client>;

// One provider's decision in a round: keep the best of held and new proposals, up to its
// slots. Only which ones are kept matters, not their order; partial_sort finds them with a
// heap of the best `slots` seen so far, one comparison for most bids, which matters because
// the few visible providers with a handful of slots get most of a round's proposals
// (80,000 of 84,000 at 1M agents).
// Its bids sit in its own region of `bids`, after the regions of the providers before it.
void choose(World& world, const AgentDraws& hashes, std::uint32_t j, std::vector<MarketBid>& bids) {
  auto& workspace = world.market_workspace;
  const std::uint32_t first_new = workspace.proposal_offset[j], end_new = workspace.proposal_offset[j + 1];
  if (first_new == end_new) return;
  const double bonus = world.params.market.public_bonus * workspace.focus[j];
  MarketBid* const held = workspace.held.data() + workspace.held_offset[j];
  MarketBid* const first = bids.data() + workspace.held_offset[j] + first_new;
  MarketBid* last = std::copy(held, held + workspace.held_count[j], first);
  for (std::uint32_t i = first_new; i < end_new; ++i) {
    const std::uint32_t d = workspace.proposals[i];
    const NodeId v = workspace.demanders[d];
    const double score = workspace.log_funds[d] + (world.sector_of(v) == Sector::government ? bonus : 0.0);
    *last++ = MarketBid{score, 0, false, v, d};
  }
  const std::size_t keep =
      std::min<std::size_t>(last - first, static_cast<std::size_t>(world.agents.providers.slots[j]));
  if (keep < static_cast<std::size_t>(last - first))
    std::partial_sort(first, first + keep, last, BidOrder(hashes, world.agents.providers.node[j]));
  for (const MarketBid* b = first; b != last; ++b) {
    if (b < first + keep) {
      workspace.matched[b->demander] = j;
    } else {
      workspace.matched[b->demander] = kNone;
      ++workspace.next_option[b->demander];  // rejected: it will propose to its next option
    }
  }
  std::copy(first, first + keep, held);
  workspace.held_count[j] = static_cast<std::uint32_t>(keep);
}

void deferred_acceptance(World& world, const TickContext& ctx) {
  auto& workspace = world.market_workspace;
  const auto& providers = world.agents.providers;
  const std::size_t np = providers.size();
  workspace.held_offset.assign(np + 1, 0);
  for (std::size_t j = 0; j < np; ++j)
    workspace.held_offset[j + 1] = workspace.held_offset[j] + static_cast<std::uint32_t>(providers.slots[j]);
  workspace.held.resize(workspace.held_offset[np]);
  workspace.held_count.assign(np, 0);
  auto target = [&](std::uint32_t d) {
    return workspace.options[workspace.option_offset[d] + workspace.next_option[d]];
  };
  const AgentDraws hashes(world.run_seed, static_cast<std::uint64_t>(ctx.tick), Purpose::market_tiebreak);
  for (std::int64_t round = 0; round < world.params.market.rounds; ++round) {
    // This round's proposers, ascending: every unmatched demander with an option it has not
    // tried. That includes a demander a provider held in an earlier round and rejected in
    // the last one for better bids: it was not a proposer then, but proposes again now.
    ordered_filter(
        workspace.demanders.size(),
        [&](std::size_t d) {
          return workspace.matched[d] == kNone && workspace.next_option[d] < workspace.option_count[d];
        },
        [](std::size_t d) { return static_cast<std::uint32_t>(d); }, workspace.proposers, workspace.proposer_flags,
        workspace.block_offsets);
    if (workspace.proposers.empty()) break;
    // Grouped by provider, ascending demander within (the order does not change who is
    // kept, but a fixed order keeps everything reproducible).
    const auto& proposers = workspace.proposers;
    group_by_key(
        proposers.size(), np, [&](std::size_t i) { return target(proposers[i]); },
        [&](std::size_t i) { return proposers[i]; }, workspace.proposal_offset, workspace.proposals,
        workspace.group_counts);
    workspace.bids.resize(workspace.held.size() + proposers.size());
    tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, static_cast<std::uint32_t>(np)), [&](const auto& range) {
      for (std::uint32_t j = range.begin(); j != range.end(); ++j) choose(world, hashes, j, workspace.bids);
    });
  }
}

// Unmatched demand by sector: priced out (no affordable reachable provider) or unmet.
void count_unmatched(const World& world, TickFlows& flows) {
  const auto& workspace = world.market_workspace;
  auto& blocks = workspace.unmatched_blocks;
  blocks.assign(block_count(workspace.demanders.size()), MarketWorkspace::UnmatchedCounts{});
  for_each_block(workspace.demanders.size(), [&](std::size_t begin, std::size_t end, std::size_t b) {
    for (std::size_t d = begin; d < end; ++d) {
      if (workspace.matched[d] != kNone) continue;
      const int s = index_of(world.sector_of(workspace.demanders[d]));
      ++(workspace.option_count[d] == 0 ? blocks[b].priced_out : blocks[b].unmet)[s];
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
void settle(World& world, TickFlows& flows) {
  auto& workspace = world.market_workspace;
  auto& clients = world.agents.clients;
  auto& providers = world.agents.providers;
  const auto& market_params = world.params.market;
  const double voucher_rate = world.params.foundation.voucher_rate;
  count_unmatched(world, flows);
  ordered_filter(
      workspace.demanders.size(), [&](std::size_t d) { return workspace.matched[d] != kNone; },
      [](std::size_t d) { return static_cast<std::uint32_t>(d); }, workspace.buyers, workspace.proposer_flags,
      workspace.block_offsets);
  for (const std::uint32_t d : workspace.buyers) {
    const NodeId v = workspace.demanders[d];
    const Sector sector = world.sector_of(v);
    const int s = index_of(sector);
    const std::uint32_t j = workspace.matched[d];
    const double price = providers.price[j];
    double voucher = 0.0;
    if (sector == Sector::government) voucher = std::min(world.voucher_pool, voucher_rate * price);
    if (clients.funds[v] < price - voucher) {  // the pool ran dry: dropped, and it draws no voucher
      flows.priced_out[s] += 1;
      continue;
    }
    world.voucher_pool -= voucher;
    clients.funds[v] -= price - voucher;
    world.ledger.paid += price;
    flows.support_spending[s] += price;
    flows.engagements[s] += 1;
    flows.provider_revenue += price;
    ++providers.year_engagements[j];
    workspace.engaged[v] = 1;
    const double f = fit(clients.compliance[v], workspace.focus[j]);
    clients.capacity[v] += providers.quality[j] * f * market_params.gain * (1.0 - clients.capacity[v]);
    clients.mindset[v] += market_params.mindset_gain * (1.0 - clients.mindset[v]);
  }
  // `supported` marks every collaboration the lead leads (MODEL.md 11.5).
  for_each_index(world.collabs.size(), [&](std::size_t k) {
    if (workspace.engaged[world.collabs.lead[k]]) world.collabs.supported[k] = 1;
  });
  for (const std::uint32_t d : workspace.buyers) workspace.engaged[workspace.demanders[d]] = 0;
}

// Yearly slot adaptation at the end of the market phase in a year's last tick (11.9).
void adapt_slots(World& world, const TickContext& ctx) {
  auto& providers = world.agents.providers;
  const std::int64_t tpy = world.params.simulation.ticks_per_year;
  for (std::size_t j = 0; j < providers.size(); ++j) providers.year_slot_ticks[j] += providers.slots[j];
  if (ctx.tick % tpy != tpy - 1) return;
  for (std::size_t j = 0; j < providers.size(); ++j) {
    const double utilisation =
        static_cast<double>(providers.year_engagements[j]) / static_cast<double>(providers.year_slot_ticks[j]);
    providers.staff[j] =
        std::max(1.0, providers.staff[j] * (1.0 + world.params.provider.adaptation * (utilisation - 0.8)));
    providers.slots[j] = static_cast<std::int32_t>(std::max(1.0, std::floor(providers.staff[j] + 0.5)));
    providers.year_engagements[j] = 0;
    providers.year_slot_ticks[j] = 0;
  }
}

}  // namespace

void run_market(World& world, const TickContext& ctx, TickFlows& flows) {
  if (world.agents.providers.size() == 0) return;   // MODEL.md 11.8: no providers, nothing recorded
  const bool pool_open = world.voucher_pool > 0.0;  // read at the start of the phase
  find_visible(world);
  effective_focus(world, ctx);
  find_demand(world);
  rank_all(world, pool_open);
  deferred_acceptance(world, ctx);
  settle(world, flows);
  clear_leads(world);
  adapt_slots(world, ctx);
}

std::size_t MarketWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(leads_early, engaged, wants, demanders, option_offset, options, option_count,
                                 log_funds, next_option, matched, visible, focus, held_offset, held_count, held,
                                 bids, proposal_offset, proposals, proposers, buyers, group_counts,
                                 proposer_flags, unmatched_blocks, block_offsets);
}

}  // namespace xsector
