// The support market's matching (MODEL.md 7.4, 11.8) held against a reference: a short
// serial deferred acceptance written from the specification alone, run on thousands of
// random small markets. The reference computes demand, the visible providers, each
// client's ranking and each provider's order of clients itself, from the agents' columns;
// it shares with the engine only the keyed hash, which it calls through the plain
// per-draw stream rather than the engine's batched one. Scores, values and funds are drawn
// from small sets so that ties in a client's ranking and in a provider's scores are common.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "model_fixtures.hpp"
#include "core/random.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

// ---- The reference ---------------------------------------------------------------------

struct Reference {
  std::vector<double> funds;                         // per node, at the start of the phase
  std::vector<NodeId> demanders;                     // ascending
  std::vector<std::vector<std::uint32_t>> options;   // per demander: providers, best first
  std::map<NodeId, std::uint32_t> matched;           // client -> provider ordinal
};

// What a provider prefers: higher score, then lower keyed hash, then lower client index.
// Funds as they were at the start of the market phase (settlement changes them).
struct ProviderPreference {
  const World& w;
  const std::vector<double>& funds;
  std::uint64_t tick;
  std::uint32_t j;
  double score(NodeId v) const {
    const bool government = w.network.sector(v) == Sector::government;
    return std::log1p(funds[v]) +
           (government ? w.params.market.public_bonus * w.agents.providers.focus[j] : 0.0);
  }
  std::uint64_t hash(NodeId v) const {
    return keyed_hash(w.run_seed, tick, w.agents.providers.node[j], v, Purpose::market_tiebreak);
  }
  bool prefers(NodeId a, NodeId b) const {  // a before b
    if (score(a) != score(b)) return score(a) > score(b);
    if (hash(a) != hash(b)) return hash(a) < hash(b);
    return a < b;
  }
};

// MODEL.md 7.4, read literally, on a world without collaborations or compliance toolkit.
Reference reference_market(const World& w, std::uint64_t tick, std::int64_t rounds) {
  const auto& c = w.agents.clients;
  const auto& pr = w.agents.providers;
  const auto& mp = w.params.market;
  const std::size_t np = pr.size();
  const bool pool_open = w.voucher_pool > 0.0;
  const double voucher_rate = w.params.foundation.voucher_rate;

  // The `visible` providers with most slots, ties to the lower index.
  std::vector<std::uint32_t> by_slots(np);
  for (std::uint32_t j = 0; j < np; ++j) by_slots[j] = j;
  std::stable_sort(by_slots.begin(), by_slots.end(), [&](auto a, auto b) { return pr.slots[a] > pr.slots[b]; });
  by_slots.resize(std::min<std::size_t>(np, static_cast<std::size_t>(mp.visible)));
  const std::set<std::uint32_t> visible(by_slots.begin(), by_slots.end());

  Reference ref;
  ref.funds = c.funds;
  for (NodeId v : c.ids) {
    if (!(c.capacity[v] < mp.need_threshold && c.mindset[v] >= mp.need_mindset)) continue;
    ref.demanders.push_back(v);
    std::set<std::uint32_t> reachable = visible;
    for (NodeId u : w.network.neighbours(v))
      if (w.network.sector(u) == Sector::provider) reachable.insert(w.agents.provider_ordinal[u]);
    const bool government = w.network.sector(v) == Sector::government;
    std::vector<std::uint32_t> mine;
    for (std::uint32_t j : reachable) {
      const bool affordable = c.funds[v] >= pr.price[j] ||
                              (government && pool_open && c.funds[v] >= (1.0 - voucher_rate) * pr.price[j]);
      if (affordable) mine.push_back(j);
    }
    auto value = [&](std::uint32_t j) {
      const double fit = 1.0 - c.compliance[v] * (1.0 - pr.focus[j]);
      return pr.quality[j] * fit / pr.price[j];
    };
    // `mine` is ascending, so a stable sort leaves equal values in ascending index.
    std::stable_sort(mine.begin(), mine.end(), [&](auto a, auto b) { return value(a) > value(b); });
    ref.options.push_back(mine);
  }

  // Deferred acceptance, clients proposing, one simultaneous round at a time.
  const std::size_t nd = ref.demanders.size();
  std::vector<std::size_t> next(nd, 0);
  std::vector<bool> held_now(nd, false);
  std::vector<std::vector<std::size_t>> held(np);  // demander positions
  for (std::int64_t round = 0; round < rounds; ++round) {
    std::vector<std::vector<std::size_t>> pool = held;
    bool anyone = false;
    for (std::size_t d = 0; d < nd; ++d)
      if (!held_now[d] && next[d] < ref.options[d].size()) {
        pool[ref.options[d][next[d]]].push_back(d);
        anyone = true;
      }
    if (!anyone) break;
    for (std::uint32_t j = 0; j < np; ++j) {
      const ProviderPreference pref{w, ref.funds, tick, j};
      auto& p = pool[j];
      std::sort(p.begin(), p.end(),
                [&](auto a, auto b) { return pref.prefers(ref.demanders[a], ref.demanders[b]); });
      held[j].clear();
      for (std::size_t k = 0; k < p.size(); ++k) {
        if (k < static_cast<std::size_t>(pr.slots[j])) {
          held[j].push_back(p[k]);
          held_now[p[k]] = true;
        } else {
          held_now[p[k]] = false;
          ++next[p[k]];
        }
      }
    }
  }
  for (std::uint32_t j = 0; j < np; ++j)
    for (std::size_t d : held[j]) ref.matched[ref.demanders[d]] = j;
  return ref;
}

// The engine's matching after run_market: client -> provider ordinal.
std::map<NodeId, std::uint32_t> engine_matching(const World& w) {
  std::map<NodeId, std::uint32_t> m;
  const auto& ws = w.market_workspace;
  for (std::size_t d = 0; d < ws.demanders.size(); ++d)
    if (ws.matched[d] != kNone) m[ws.demanders[d]] = ws.matched[d];
  return m;
}

// ---- Random markets --------------------------------------------------------------------

struct MarketShape {
  int clients, providers, foundations;
  double tie_probability;
};

// Clients of random sectors (in random order: a loaded network need not be sorted), then
// providers, then foundations. Values come from small sets so that ties are common.
HandWorld random_market(std::mt19937_64& rng, const MarketShape& shape, std::int64_t rounds) {
  auto pick = [&](std::initializer_list<double> xs) {
    return *(xs.begin() + std::uniform_int_distribution<std::size_t>(0, xs.size() - 1)(rng));
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  Scenario s = quiet_scenario();
  s.params.market.rounds = rounds;
  s.params.market.visible = std::uniform_int_distribution<int>(0, 3)(rng);
  s.params.market.public_bonus = pick({0.0, 1.0, std::log(2.0)});
  std::vector<Sector> sectors;
  for (int i = 0; i < shape.clients; ++i)
    sectors.push_back(pick({0, 1, 2}) == 0 ? Sector::government : chance(0.5) ? Sector::business : Sector::nonprofit);
  const NodeId first_provider = static_cast<NodeId>(sectors.size());
  sectors.insert(sectors.end(), shape.providers, Sector::provider);
  sectors.insert(sectors.end(), shape.foundations, Sector::foundation);
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId v = 0; v < first_provider; ++v) {
    for (NodeId u = first_provider; u < static_cast<NodeId>(sectors.size()); ++u)
      if (chance(shape.tie_probability)) ties.emplace_back(v, u);
    if (v > 0 && chance(0.2)) ties.emplace_back(v - 1, v);  // client-client ties the market ignores
  }
  HandWorld w(std::move(s), sectors, ties);
  auto& c = w->agents.clients;
  for (NodeId v : c.ids) {
    c.capacity[v] = pick({0.1, 0.2, 0.5});
    c.mindset[v] = pick({0.3, 0.5, 0.9});
    c.funds[v] = pick({0.0, 4000.0, 5000.0, 9999.0, 10000.0, 15000.0, 20000.0, 40000.0});
  }
  auto& pr = w->agents.providers;
  for (std::size_t j = 0; j < pr.size(); ++j) {
    pr.price[j] = pick({5000.0, 10000.0, 15000.0});
    pr.quality[j] = pick({0.5, 0.8});
    pr.focus[j] = pick({0.0, 0.2, 0.6});
    pr.slots[j] = static_cast<std::int32_t>(pick({1, 1, 2, 3}));
  }
  w->voucher_pool = chance(0.3) ? 5000.0 : 0.0;
  return w;
}

// Runs the engine's market at tick 0 and compares it with the reference.
void expect_same_as_reference(HandWorld& w, std::int64_t rounds, const std::string& label) {
  const Reference ref = reference_market(*w, 0, rounds);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  ASSERT_EQ(w->market_workspace.demanders, ref.demanders) << label;
  ASSERT_EQ(engine_matching(*w), ref.matched) << label;
}

// No client and provider that both prefer each other to what they got: for every option a
// client ranks above its match (every option, if unmatched), that provider is full and
// prefers each client it holds.
void expect_stable(const World& w, const Reference& ref, const std::map<NodeId, std::uint32_t>& matched,
                   const std::string& label) {
  std::vector<std::vector<NodeId>> held(w.agents.providers.size());
  for (const auto& [v, j] : matched) held[j].push_back(v);
  for (std::size_t d = 0; d < ref.demanders.size(); ++d) {
    const NodeId v = ref.demanders[d];
    const auto it = matched.find(v);
    for (std::uint32_t j : ref.options[d]) {
      if (it != matched.end() && it->second == j) break;  // options below the match do not block
      const ProviderPreference pref{w, ref.funds, 0, j};
      const bool full = held[j].size() == static_cast<std::size_t>(w.agents.providers.slots[j]);
      const bool prefers_all_held =
          std::all_of(held[j].begin(), held[j].end(), [&](NodeId u) { return pref.prefers(u, v); });
      EXPECT_TRUE(full && prefers_all_held) << label << ": client " << v << " and provider " << j << " block";
    }
  }
}

}  // namespace

TEST(MarketReference, EngineEqualsSerialDeferredAcceptanceOnThousandsOfSmallMarkets) {
  std::mt19937_64 rng(20261202);
  int multi_round = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const MarketShape shape{std::uniform_int_distribution<int>(1, 30)(rng), std::uniform_int_distribution<int>(1, 6)(rng),
                            std::uniform_int_distribution<int>(0, 2)(rng), std::uniform_real_distribution<double>(0.1, 0.9)(rng)};
    const std::int64_t rounds = std::uniform_int_distribution<int>(1, 6)(rng);
    HandWorld w = random_market(rng, shape, rounds);
    expect_same_as_reference(w, rounds, "trial " + std::to_string(trial));
    if (HasFatalFailure()) return;
    multi_round += rounds > 1;
  }
  EXPECT_GT(multi_round, 2000);
}

// The defect this suite was written for. Clients 0 (funds 20k, reaches A and B), 1 (15k,
// reaches B and C) and 2 (30k, reaches A); one-slot providers A, B, C that everyone ranks
// A > B > C. Round 1: 0 and 2 propose to A, which holds 2 and rejects 0; 1 proposes to B,
// which holds it. Round 2: 0 proposes to B, which keeps 0 (more funds) and rejects the
// client it held, 1. Round 3: 1, displaced but not a proposer in round 2, proposes to C
// and is held. (Choosing each round's proposers among the last round's left 1 unmet with
// an untried option.)
TEST(MarketReference, DisplacedClientTakesItsNextOptionInTheFollowingRound) {
  Scenario s = quiet_scenario();
  s.params.market.visible = 0;
  s.params.market.rounds = 3;
  // Nodes: clients 0, 1, 2 (business); providers A = 3, B = 4, C = 5 (one slot each).
  HandWorld w(std::move(s),
              {Sector::business, Sector::business, Sector::business, Sector::provider, Sector::provider,
               Sector::provider},
              {{0, 3}, {0, 4}, {2, 3}, {1, 4}, {1, 5}});
  auto& pr = w->agents.providers;
  pr.price = {10000, 10000, 10000};
  pr.focus = {0.5, 0.5, 0.5};
  pr.quality = {0.9, 0.7, 0.5};  // A > B > C for everyone
  pr.slots = {1, 1, 1};
  auto& c = w->agents.clients;
  for (NodeId v : {0u, 1u, 2u}) {
    c.capacity[v] = 0.1;
    c.mindset[v] = 0.9;
  }
  c.funds[0] = 20000;
  c.funds[1] = 15000;
  c.funds[2] = 30000;
  const Reference ref = reference_market(*w, 0, 3);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  const std::map<NodeId, std::uint32_t> expected = {{0, 1}, {1, 2}, {2, 0}};  // 0 at B, 1 at C, 2 at A
  EXPECT_EQ(engine_matching(*w), expected);
  EXPECT_EQ(ref.matched, expected);  // the reference agrees with the hand computation
  EXPECT_EQ(flows.engagements[index_of(Sector::business)], 3);
  EXPECT_EQ(flows.unmet_demand[index_of(Sector::business)], 0);
}

// With rounds enough for every client to exhaust its list, deferred acceptance ends in a
// stable matching (Gale and Shapley 1962): checked on the engine's result.
TEST(MarketReference, WithUnlimitedRoundsTheMatchingIsStable) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 1500; ++trial) {
    const MarketShape shape{std::uniform_int_distribution<int>(1, 30)(rng), std::uniform_int_distribution<int>(1, 6)(rng), 0,
                            std::uniform_real_distribution<double>(0.1, 0.9)(rng)};
    const std::int64_t rounds = 1000;  // the most market.rounds allows; lists are at most 6 long
    HandWorld w = random_market(rng, shape, rounds);
    const Reference ref = reference_market(*w, 0, rounds);
    TickFlows flows;
    run_market(*w, w.context(0), flows);
    const auto matched = engine_matching(*w);
    EXPECT_EQ(matched, ref.matched);
    expect_stable(*w, ref, matched, "trial " + std::to_string(trial));
    if (HasFailure()) return;
  }
}

// Large markets, where grouping proposals and deciding providers split into many blocks
// and run on several threads: the same matching as the reference for 1, 2 and 4 threads.
TEST(MarketReference, LargeMarketsEqualTheReferenceOnSeveralThreads) {
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::mt19937_64 rng(99);
    for (int trial = 0; trial < 3; ++trial) {
      HandWorld w = random_market(rng, MarketShape{24000, 300, 3, 0.01}, 4);
      expect_same_as_reference(w, 4, "threads " + std::to_string(threads) + " trial " + std::to_string(trial));
      EXPECT_GT(w->market_workspace.demanders.size(), 4 * 2048u);  // many blocks of demanders
    }
  }
}
