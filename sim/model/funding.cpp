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

FoundationFlow foundation_flow(const World& world, const TickContext& ctx, std::uint32_t f) {
  const double per_tick =
      world.agents.foundations.giving[f] / static_cast<double>(world.params.simulation.ticks_per_year);
  const double capacity = per_tick * world.params.foundation.capacity_share;
  const double pub = capacity * ctx.policy.public_share;
  return {capacity, pub, capacity - pub};
}

double allocation(const World& world, const TickContext& ctx, const ExactDivisor& per_tick, NodeId v, int sector) {
  return per_tick.divide(ctx.policy.support_share[sector] * world.agents.clients.budget[v] *
                         ctx.policy.budget_factor[sector]);
}

// At the first tick of a fiscal year, before this tick's funds are added (MODEL.md 7.1).
void expire_funds(World& world, TickFlows& flows) {
  auto& clients = world.agents.clients;
  for (NodeId v : clients.ids) {
    const int s = index_of(world.network.sector(v));
    if (world.params.sector[s].carryover) continue;
    flows.funds_expired[s] += clients.funds[v];
    world.ledger.expired += clients.funds[v];
    clients.funds[v] = 0.0;
  }
}

// What each foundation sends each government and each nonprofit neighbour this tick
// (foundation_grant[2f], [2f + 1]): one division per foundation instead of one per grant.
// A part with no recipient is never read (and set to 0 rather than divided by 0).
void foundation_grants(World& world, const TickContext& ctx) {
  const auto& f = world.agents.foundations;
  world.funding_workspace.foundation_grant.resize(2 * f.size());
  auto split = [](double part, std::uint32_t recipients) { return recipients == 0 ? 0.0 : part / recipients; };
  for (std::uint32_t fo = 0; fo < f.size(); ++fo) {
    const FoundationFlow flow = foundation_flow(world, ctx, fo);
    world.funding_workspace.foundation_grant[2 * fo] = split(flow.public_part, f.government_neighbours[fo]);
    world.funding_workspace.foundation_grant[2 * fo + 1] = split(flow.nonprofit_part, f.nonprofit_neighbours[fo]);
  }
}

// Grants reaching v, summed over its foundation neighbours in neighbour order.
double grants_to(const World& world, const TickContext& ctx, NodeId v, Sector s) {
  if (s == Sector::business || (s == Sector::government && ctx.policy.public_channel != Channel::grant)) return 0.0;
  const std::size_t part = s == Sector::nonprofit ? 1 : 0;
  double grants = 0.0;
  for (std::uint32_t e : world.agents.institutions.of(v))
    if (InstitutionLinks::is_foundation(e))
      grants += world.funding_workspace.foundation_grant[2 * InstitutionLinks::ordinal(e) + part];
  return grants;
}

// Foundation money that reaches no client: the voucher pool, or unspent.
void book_foundations(World& world, const TickContext& ctx, TickFlows& flows) {
  const auto& f = world.agents.foundations;
  for (std::uint32_t fo = 0; fo < f.size(); ++fo) {
    const FoundationFlow flow = foundation_flow(world, ctx, fo);
    world.ledger.allocated += flow.capacity_money;
    double unspent = f.nonprofit_neighbours[fo] == 0 ? flow.nonprofit_part : 0.0;
    if (ctx.policy.public_channel == Channel::voucher)
      world.voucher_pool += flow.public_part;
    else if (f.government_neighbours[fo] == 0) unspent += flow.public_part;
    flows.foundation_unspent += unspent;
    world.ledger.unspent += unspent;
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

void run_funding(World& world, const TickContext& ctx, TickFlows& flows) {
  const std::int64_t tpy = world.params.simulation.ticks_per_year;
  if (ctx.tick > 0 && ctx.tick % tpy == 0) expire_funds(world, flows);
  foundation_grants(world, ctx);

  // Allocation and grants, each client writing only its own W; the block sums of the
  // allocations feed the ledger.
  auto& clients = world.agents.clients;
  const ExactDivisor per_tick(static_cast<double>(tpy));
  world.ledger.allocated += block_sum(
      clients.ids.size(),
      [&](std::size_t i) {
        const NodeId v = clients.ids[i];
        const Sector s = world.network.sector(v);
        const double allocated = allocation(world, ctx, per_tick, v, index_of(s));
        const bool linked = !world.agents.institutions.of(v).empty();  // most clients are not
        const double grants = linked ? grants_to(world, ctx, v, s) : 0.0;
        clients.funds[v] += allocated + grants;
        if (linked) world.funding_workspace.grants_this_tick[v] = grants;  // read back only for grantees
        return allocated;
      },
      world.block_sums);

  // grants_received in client order. Only governments and nonprofits tied to a
  // foundation (funding_workspace.grantees) can receive anything; the others received 0.0, and adding 0.0
  // leaves a sum unchanged, so they are skipped.
  for (NodeId v : world.funding_workspace.grantees)
    flows.grants_received[index_of(world.sector_of(v))] += world.funding_workspace.grants_this_tick[v];
  book_foundations(world, ctx, flows);
}

}  // namespace xsector
