#include "model/agents.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/capacity_bytes.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "model/world.hpp"

namespace xsector {
namespace {

void initialise_client(const ClientSectorParams& p, NodeId v, std::uint64_t seed, ClientColumns& clients) {
  clients.budget[v] = Stream(seed, kInitTick, v, Purpose::init_budget).lognormal(p.budget_median, p.budget_sigma);
  clients.capacity[v] = Stream(seed, kInitTick, v, Purpose::init_capacity).beta(p.capacity_alpha, p.capacity_beta);
  clients.mindset[v] = Stream(seed, kInitTick, v, Purpose::init_mindset).beta(p.mindset_alpha, p.mindset_beta);
  clients.compliance[v] = p.compliance;
  // Initial holders get no capacity gain (MODEL.md 11.3).
  clients.toolkit[v] = Stream(seed, kInitTick, v, Purpose::init_toolkit).bernoulli(p.toolkit_initial) ? 1 : 0;
}

void add_provider(const Params& params, NodeId v, std::uint64_t seed, ProviderColumns& p) {
  const auto& pp = params.provider;
  Stream s(seed, kInitTick, v, Purpose::init_provider);
  p.node.push_back(v);
  p.price.push_back(s.lognormal(pp.price_median, pp.price_sigma));
  p.quality.push_back(s.beta(pp.quality_alpha, pp.quality_beta));
  p.focus.push_back(s.beta(pp.focus_alpha, pp.focus_beta));
  p.staff.push_back(static_cast<double>(pp.slots));
  p.slots.push_back(static_cast<std::int32_t>(std::max<std::int64_t>(1, pp.slots)));
  p.year_engagements.push_back(0);
  p.year_slot_ticks.push_back(0);
}

// A foundation's giving and its government and nonprofit neighbour counts (row f of
// columns already sized).
void initialise_foundation(const Params& params, const Network& net, std::uint32_t f, std::uint64_t seed,
                           FoundationColumns& fc) {
  const NodeId v = fc.node[f];
  fc.giving[f] = Stream(seed, kInitTick, v, Purpose::init_giving)
                     .lognormal(params.foundation.giving_median, params.foundation.giving_sigma);
  std::uint32_t gov = 0, np = 0;
  for (NodeId u : net.neighbours(v)) {
    gov += net.sector(u) == Sector::government;
    np += net.sector(u) == Sector::nonprofit;
  }
  fc.government_neighbours[f] = gov;
  fc.nonprofit_neighbours[f] = np;
}

// Counted per node in parallel, offsets summed, then filled in parallel: the lists take
// exactly their size.
InstitutionLinks institution_links(const Network& net, const Agents& a) {
  InstitutionLinks links;
  const std::size_t n = net.node_count();
  if (std::max(a.providers.size(), a.foundations.size()) >= InstitutionLinks::kFoundationBit)
    throw std::length_error("too many providers or foundations for InstitutionLinks");
  // The sector rules out clients, most neighbours, before an ordinal (four bytes per node,
  // a likely cache miss) is read; SectorLookup finds it without reading memory when the
  // nodes are numbered by sector (at national scale the sector bytes are 7 MB, read once
  // per direction: 60 million scattered reads).
  const SectorLookup sector_of(net);
  auto entry_of = [&](NodeId u) {
    const Sector s = sector_of(u);
    if (is_client(s)) return kNone;
    if (s == Sector::provider) return a.provider_ordinal[u];
    return a.foundation_ordinal[u] | InstitutionLinks::kFoundationBit;
  };
  links.offset.assign(n + 1, 0);
  for_each_index(n, [&](std::size_t v) {
    std::uint32_t count = 0;
    for (NodeId u : net.neighbours(static_cast<NodeId>(v))) count += entry_of(u) != kNone;
    links.offset[v + 1] = count;
  });
  for (std::size_t v = 0; v < n; ++v) links.offset[v + 1] += links.offset[v];
  links.entry.resize(links.offset[n]);
  for_each_index(n, [&](std::size_t v) {
    std::uint32_t at = links.offset[v];
    for (NodeId u : net.neighbours(static_cast<NodeId>(v)))
      if (const std::uint32_t e = entry_of(u); e != kNone) links.entry[at++] = e;
  });
  return links;
}

}  // namespace

// Every draw is keyed by the node, so the rows are filled in parallel once the nodes are
// sorted into clients, providers and foundations (serially, in node order).
Agents initialise_agents(const Params& params, const Network& net, std::uint64_t seed) {
  Agents a;
  const std::size_t n = net.node_count();
  auto& clients = a.clients;
  for (auto* column : {&clients.budget, &clients.funds, &clients.capacity, &clients.mindset, &clients.compliance})
    column->assign(n, 0.0);
  clients.toolkit.assign(n, 0);
  clients.active.assign(n, 0);
  a.provider_ordinal.assign(n, kNone);
  a.foundation_ordinal.assign(n, kNone);
  for (NodeId v = 0; v < n; ++v) {
    const Sector s = net.sector(v);
    if (is_client(s)) {
      clients.ids.push_back(v);
      ++a.client_count[index_of(s)];
    } else if (s == Sector::provider) {
      a.provider_ordinal[v] = static_cast<std::uint32_t>(a.providers.size());
      add_provider(params, v, seed, a.providers);
    } else {
      a.foundation_ordinal[v] = static_cast<std::uint32_t>(a.foundations.size());
      a.foundations.node.push_back(v);
    }
  }
  for_each_index(clients.ids.size(), [&](std::size_t i) {
    const NodeId v = clients.ids[i];
    initialise_client(params.sector[index_of(net.sector(v))], v, seed, clients);
  });
  auto& f = a.foundations;
  f.giving.resize(f.size());
  f.government_neighbours.resize(f.size());
  f.nonprofit_neighbours.resize(f.size());
  for_each_index(f.size(), [&](std::size_t k) {
    initialise_foundation(params, net, static_cast<std::uint32_t>(k), seed, f);
  });
  // The order in which compliance_toolkit picks providers: ascending keyed hash.
  auto& order = a.providers.compliance_pick_order;
  order.resize(a.providers.size());
  std::iota(order.begin(), order.end(), 0u);
  std::vector<std::uint64_t> key(order.size());
  for (std::uint32_t j = 0; j < order.size(); ++j)
    key[j] = keyed_hash(seed, kInitTick, a.providers.node[j], 0, Purpose::compliance_pick);
  std::sort(order.begin(), order.end(), [&](auto x, auto y) { return key[x] != key[y] ? key[x] < key[y] : x < y; });
  a.trust = net.initial_trust();
  a.institutions = institution_links(net, a);
  return a;
}

std::size_t Agents::state_bytes() const {
  return capacity_bytes(clients.ids, clients.budget, clients.funds, clients.capacity, clients.mindset,
                        clients.compliance, clients.toolkit, clients.active) +
         capacity_bytes(providers.node, providers.price, providers.quality, providers.focus, providers.staff,
                        providers.slots, providers.year_engagements, providers.year_slot_ticks,
                        providers.compliance_pick_order) +
         capacity_bytes(foundations.node, foundations.giving, foundations.government_neighbours,
                        foundations.nonprofit_neighbours) +
         capacity_bytes(provider_ordinal, foundation_ordinal, trust, institutions.offset, institutions.entry);
}

}  // namespace xsector
