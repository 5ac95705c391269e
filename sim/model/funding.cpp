// Funding (MODEL.md 7.1, 11.4). Each client's funds change only through its own
// allocation and the foundations it is tied to; foundations' money is pulled by the
// recipients (each client sums what its foundation neighbours send it), so the parallel
// loop writes only the client's own W. The metrics' sums run serially in client order, so
// they are the same for any thread count; the ledger's sum of allocations runs in fixed
// blocks (parallel.hpp), which is also independent of the thread count.
#include "core/capacity_bytes.hpp"
#include "core/exact_divisor.hpp"
#include "core/parallel.hpp"
#include "model/funding.hpp"
#include "model/world.hpp"

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

double allocation(const World& w, const TickContext& ctx, const ExactDivisor& per_tick, NodeId v, int sector) {
  return per_tick.divide(ctx.policy.support_share[sector] * w.agents.clients.budget[v] *
                         ctx.policy.budget_factor[sector]);
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

// What each foundation sends each government and each nonprofit neighbour this tick
// (foundation_grant[2f], [2f + 1]): one division per foundation instead of one per grant.
// A part with no recipient is never read (and set to 0 rather than divided by 0).
void foundation_grants(World& w, const TickContext& ctx) {
  const auto& f = w.agents.foundations;
  w.funding_workspace.foundation_grant.resize(2 * f.size());
  auto split = [](double part, std::uint32_t recipients) { return recipients == 0 ? 0.0 : part / recipients; };
  for (std::uint32_t fo = 0; fo < f.size(); ++fo) {
    const FoundationFlow flow = foundation_flow(w, ctx, fo);
    w.funding_workspace.foundation_grant[2 * fo] = split(flow.public_part, f.government_neighbours[fo]);
    w.funding_workspace.foundation_grant[2 * fo + 1] = split(flow.nonprofit_part, f.nonprofit_neighbours[fo]);
  }
}

// Grants reaching v, summed over its foundation neighbours in neighbour order.
double grants_to(const World& w, const TickContext& ctx, NodeId v, Sector s) {
  if (s == Sector::business || (s == Sector::government && ctx.policy.public_channel != Channel::grant)) return 0.0;
  const std::size_t part = s == Sector::nonprofit ? 1 : 0;
  double grants = 0.0;
  for (std::uint32_t e : w.agents.institutions.of(v))
    if (InstitutionLinks::is_foundation(e)) grants += w.funding_workspace.foundation_grant[2 * InstitutionLinks::ordinal(e) + part];
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

FundingWorkspace funding_workspace_for(const World& world) {
  FundingWorkspace workspace;
  workspace.grants_this_tick.assign(world.network.node_count(), 0.0);
  for (NodeId v : world.agents.clients.ids) {
    if (world.network.sector(v) == Sector::business) continue;
    for (std::uint32_t entry : world.agents.institutions.of(v))
      if (InstitutionLinks::is_foundation(entry)) {
        workspace.grantees.push_back(v);
        break;
      }
  }
  return workspace;
}

std::size_t FundingWorkspace::capacity_bytes() const {
  return xsector::capacity_bytes(grantees, grants_this_tick, foundation_grant);
}

void run_funding(World& w, const TickContext& ctx, TickFlows& flows) {
  const std::int64_t tpy = w.params.simulation.ticks_per_year;
  if (ctx.tick > 0 && ctx.tick % tpy == 0) expire_funds(w, flows);
  foundation_grants(w, ctx);

  // Allocation and grants, each client writing only its own W; the block sums of the
  // allocations feed the ledger.
  auto& c = w.agents.clients;
  const ExactDivisor per_tick(static_cast<double>(tpy));
  w.ledger.allocated += block_sum(
      c.ids.size(),
      [&](std::size_t i) {
        const NodeId v = c.ids[i];
        const Sector s = w.network.sector(v);
        const double allocated = allocation(w, ctx, per_tick, v, index_of(s));
        const bool linked = !w.agents.institutions.of(v).empty();  // most clients are not
        const double grants = linked ? grants_to(w, ctx, v, s) : 0.0;
        c.funds[v] += allocated + grants;
        if (linked) w.funding_workspace.grants_this_tick[v] = grants;  // read back only for grantees
        return allocated;
      },
      w.block_sums);

  // grants_received in client order. Only governments and nonprofits tied to a
  // foundation (funding_workspace.grantees) can receive anything; the others received 0.0, and adding 0.0
  // leaves a sum unchanged, so they are skipped.
  for (NodeId v : w.funding_workspace.grantees) flows.grants_received[index_of(w.sector_of(v))] += w.funding_workspace.grants_this_tick[v];
  book_foundations(w, ctx, flows);
}

}  // namespace xsector
