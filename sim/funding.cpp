// Funding (MODEL.md 7.1, 11.4). Each client's funds change only through its own
// allocation and the foundations it is tied to; foundations' money is pulled by the
// recipients (each client sums what its foundation neighbours send it), so the parallel
// loop writes only the client's own W. Sums for the ledger and the metrics run serially in
// client order, so they are the same for any thread count.
#include <tbb/parallel_for.h>

#include "phases.hpp"

namespace xsector {
namespace {

struct FoundationFlow {
  double capacity_money;  // this tick
  double public_part;
  double nonprofit_part;
};

FoundationFlow foundation_flow(const World& w, const TickContext& ctx, std::uint32_t f) {
  const double per_tick = w.agents.foundations.giving[f] / static_cast<double>(w.params.simulation.ticks_per_year);
  const double capacity = per_tick * w.params.foundation.capacity_share;
  const double pub = capacity * ctx.policy.public_share;
  return {capacity, pub, capacity - pub};
}

double allocation(const World& w, const TickContext& ctx, NodeId v, int sector) {
  return ctx.policy.support_share[sector] * w.agents.clients.budget[v] * ctx.policy.budget_factor[sector] /
         static_cast<double>(w.params.simulation.ticks_per_year);
}

// At the first tick of a fiscal year, before this tick's funds are added (MODEL.md 7.1).
void expire_funds(World& w, TickFlows& flows) {
  auto& c = w.agents.clients;
  for (NodeId v : c.ids) {
    const int s = index_of(w.network.sector(v));
    if (w.params.sector[s].carryover) continue;
    flows.funds_expired[s] += c.funds[v];
    w.ledger.expired += c.funds[v];
    c.funds[v] = 0.0;
  }
}

double grants_to(const World& w, const TickContext& ctx, NodeId v, Sector s) {
  if (s == Sector::business || (s == Sector::government && ctx.policy.public_channel != Channel::grant)) return 0.0;
  const auto& f = w.agents.foundations;
  double grants = 0.0;
  for (NodeId u : w.network.neighbours(v)) {
    const std::uint32_t fo = w.agents.foundation_ordinal[u];
    if (fo == kNone) continue;
    const FoundationFlow flow = foundation_flow(w, ctx, fo);
    grants += s == Sector::nonprofit ? flow.nonprofit_part / f.nonprofit_neighbours[fo]
                                     : flow.public_part / f.government_neighbours[fo];
  }
  return grants;
}

// Foundation money that reaches no client: the voucher pool, or unspent.
void book_foundations(World& w, const TickContext& ctx, TickFlows& flows) {
  const auto& f = w.agents.foundations;
  for (std::uint32_t fo = 0; fo < f.size(); ++fo) {
    const FoundationFlow flow = foundation_flow(w, ctx, fo);
    w.ledger.allocated += flow.capacity_money;
    double unspent = f.nonprofit_neighbours[fo] == 0 ? flow.nonprofit_part : 0.0;
    if (ctx.policy.public_channel == Channel::voucher) w.voucher_pool += flow.public_part;
    else if (f.government_neighbours[fo] == 0) unspent += flow.public_part;
    flows.foundation_unspent += unspent;
    w.ledger.unspent += unspent;
  }
}

}  // namespace

void run_funding(World& w, const TickContext& ctx, TickFlows& flows) {
  const std::int64_t tpy = w.params.simulation.ticks_per_year;
  if (ctx.tick > 0 && ctx.tick % tpy == 0) expire_funds(w, flows);

  auto& c = w.agents.clients;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, c.ids.size()), [&](const auto& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const NodeId v = c.ids[i];
      const Sector s = w.network.sector(v);
      const double grants = grants_to(w, ctx, v, s);
      c.funds[v] += allocation(w, ctx, v, index_of(s)) + grants;
      w.money_scratch[v] = grants;
    }
  });

  for (NodeId v : c.ids) {
    const int s = index_of(w.network.sector(v));
    w.ledger.allocated += allocation(w, ctx, v, s);
    flows.grants_received[s] += w.money_scratch[v];
  }
  book_foundations(w, ctx, flows);
}

}  // namespace xsector
