// Collaboration (MODEL.md 7.3, 11.5-11.7) on hand-built networks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "model_fixtures.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

constexpr int gov = 0, bus = 1;

// M disjoint pairs: government 2i leads a collaboration with business 2i+1.
HandWorld pairs_with_collaborations(Scenario s, NodeId m, double c_lead, double c_partner, bool toolkit,
                                    bool supported) {
  std::vector<Sector> sectors;
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId i = 0; i < m; ++i) {
    sectors.push_back(Sector::government);
    sectors.push_back(Sector::business);
    ties.emplace_back(2 * i, 2 * i + 1);
  }
  HandWorld w(std::move(s), sectors, ties);
  auto& c = w->agents.clients;
  for (NodeId i = 0; i < m; ++i) {
    const NodeId lead = 2 * i, partner = 2 * i + 1;
    c.capacity[lead] = c_lead;
    c.capacity[partner] = c_partner;
    c.toolkit[lead] = toolkit;
    const TieId tie = w->network.tie_of(w->network.first_edge(lead));
    w->collabs.append(lead, &partner, &tie, 1, 0);
    w->collabs.supported.back() = supported;
    c.active[lead] = c.active[partner] = 1;
  }
  return w;
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

// Stochastic test: over m independent collaborations with identical inputs the number that
// pass diagnose is Binomial(m, p) with p the logistic formula of MODEL.md 7.3; it lies
// within 4.5 standard deviations of m p (a two-sided bound failing with probability < 1e-5).
TEST(Collaboration, StagePassRateMatchesLogisticFormula) {
  const NodeId m = 20000;
  struct Case {
    bool toolkit, supported;
  };
  for (const Case k : {Case{false, false}, Case{true, false}, Case{true, true}}) {
    Scenario s = quiet_scenario();
    const auto& cp = s.params.collab;
    const double ce = 0.5 * 0.3 + 0.5 * 0.6, trust = s.params.network.initial_trust;
    const double compliance = s.params.sector[gov].compliance * (k.toolkit ? 0.5 : 1.0);
    const double p = logistic(cp.beta0 + cp.beta_capacity * ce + cp.beta_trust * trust -
                              cp.beta_compliance * compliance + (k.supported ? cp.beta_support : 0.0));
    HandWorld w = pairs_with_collaborations(s, m, 0.3, 0.6, k.toolkit, k.supported);
    TickFlows flows;
    run_collaboration(*w, w.context(1), flows);
    const double passed = static_cast<double>(w->collabs.size());
    EXPECT_EQ(passed + flows.collab_failed[gov], m);
    EXPECT_EQ(flows.failed_by_stage[0], flows.collab_failed[gov]);
    EXPECT_NEAR(passed, m * p, 4.5 * std::sqrt(m * p * (1 - p))) << "toolkit " << k.toolkit << " supported "
                                                                    << k.supported << " p " << p;
  }
}

TEST(Collaboration, NothingIsResolvedBeforeTheStageHasLasted) {
  Scenario s = quiet_scenario();
  s.params.collab.ticks_per_stage = 3;
  HandWorld w = pairs_with_collaborations(s, 50, 0.3, 0.6, false, false);
  for (std::int64_t t = 0; t < 3; ++t) {
    TickFlows flows;
    run_collaboration(*w, w.context(t), flows);
    EXPECT_EQ(flows.collab_failed[gov], 0);
  }
  for (std::size_t k = 0; k < w->collabs.size(); ++k) EXPECT_EQ(w->collabs.stage[k], 0);
}

// Two governments invite the same business, which has one free slot: it accepts the more
// trusted tie, the other initiative lapses and frees its reserved slot.
TEST(Collaboration, InviteeWithOneFreeSlotAcceptsMostTrustedInvitation) {
  Scenario s = quiet_scenario();
  s.params.sector[gov].collab_rate = 1e9;  // certain initiation
  s.params.collab.max_active = 1;
  HandWorld w(std::move(s), {Sector::government, Sector::government, Sector::business}, {{0, 2}, {1, 2}},
              {0.6, 0.9});
  auto& c = w->agents.clients;
  c.mindset[0] = c.mindset[1] = 1.0;
  TickFlows flows;
  run_collaboration(*w, w.context(0), flows);
  ASSERT_EQ(w->collabs.size(), 1u);
  EXPECT_EQ(w->collabs.lead[0], 1u);
  EXPECT_EQ(w->collabs.partners_of(0)[0], 2u);
  EXPECT_EQ(flows.collab_started[gov], 1);
  EXPECT_EQ(flows.collab_lapsed[gov], 1);
  EXPECT_EQ(c.active[0], 0);
  EXPECT_EQ(c.active[1], 1);
  EXPECT_EQ(c.active[2], 1);
}

TEST(Collaboration, InvitesOnlyOtherSectorClientsMostTrustedFirst) {
  Scenario s = quiet_scenario();
  s.params.sector[gov].collab_rate = 1e9;
  s.params.collab.partners = 2;
  s.params.collab.max_active = 5;
  // Government 0 tied to: government 1 (trust 1.0, same sector), businesses 2, 3, 4
  // (trust 0.2, 0.8, 0.5) and provider 5 (not a client).
  HandWorld w(std::move(s),
              {Sector::government, Sector::government, Sector::business, Sector::business, Sector::nonprofit,
               Sector::provider},
              {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}}, {1.0, 0.2, 0.8, 0.5, 1.0});
  w->agents.clients.mindset[0] = 1.0;
  w->agents.clients.mindset[1] = 0.0;  // does not initiate
  TickFlows flows;
  run_collaboration(*w, w.context(0), flows);
  ASSERT_EQ(w->collabs.size(), 1u);
  ASSERT_EQ(w->collabs.partner_count[0], 2);
  EXPECT_EQ(w->collabs.partners_of(0)[0], 3u);
  EXPECT_EQ(w->collabs.partners_of(0)[1], 4u);
}

TEST(Collaboration, SuccessAfterFourStagesCreatesValueTrustAndLearning) {
  Scenario s = quiet_scenario();
  s.params.sector[gov].collab_rate = 1e9;
  s.params.collab.max_active = 1;
  s.params.collab.beta0 = 100;  // every stage passes
  HandWorld w(std::move(s), {Sector::government, Sector::business}, {{0, 1}});
  auto& c = w->agents.clients;
  c.mindset[0] = 1.0;
  c.capacity[0] = 0.2;
  c.capacity[1] = 0.6;
  for (std::int64_t t = 0; t < 4; ++t) {
    TickFlows flows;
    run_collaboration(*w, w.context(t), flows);
    EXPECT_EQ(flows.collab_succeeded[gov], 0);
  }
  EXPECT_EQ(w->collabs.stage[0], 3);  // evaluate
  TickFlows flows;
  run_collaboration(*w, w.context(4), flows);
  EXPECT_EQ(flows.collab_succeeded[gov], 1);
  // V = value × (1 + 0.5 × (2 sectors − 1)) × ce, ce = 0.5 × 0.2 + 0.5 × 0.6.
  EXPECT_DOUBLE_EQ(flows.public_value[gov], 1.0 * 1.5 * 0.4);
  EXPECT_DOUBLE_EQ(w->agents.trust[0], 0.6);
  EXPECT_DOUBLE_EQ(c.capacity[0], 0.2 + 0.02 * 0.8);
  EXPECT_DOUBLE_EQ(c.capacity[1], 0.6 + 0.02 * 0.4);
  EXPECT_EQ(flows.collab_started[gov], 1);  // the freed slots allow a new one at once
}

TEST(Collaboration, FailureAtDiagnoseIsRecordedByStageAndLowersTrust) {
  Scenario s = quiet_scenario();
  s.params.collab.beta0 = -100;  // every stage fails
  HandWorld w = pairs_with_collaborations(s, 10, 0.3, 0.6, false, false);
  TickFlows flows;
  run_collaboration(*w, w.context(1), flows);
  EXPECT_EQ(w->collabs.size(), 0u);
  EXPECT_EQ(flows.collab_failed[gov], 10);
  EXPECT_EQ(flows.failed_by_stage[0], 10);
  EXPECT_EQ(flows.failed_by_stage[1], 0);
  EXPECT_DOUBLE_EQ(w->agents.trust[0], 0.4);
  EXPECT_EQ(w->agents.clients.active[0], 0);
  EXPECT_EQ(w->agents.clients.active[1], 0);
}

// Many busy ticks on a dense random network: no client is ever in more than max_active
// collaborations, and its counter equals its memberships in the store.
TEST(Collaboration, ActiveCollaborationsStayWithinMaxActive) {
  Scenario s = quiet_scenario();
  for (auto& sp : s.params.sector) sp.collab_rate = 50.0;
  s.params.collab.max_active = 2;
  s.params.collab.partners = 3;
  std::vector<Sector> sectors;
  for (int i = 0; i < 300; ++i) sectors.push_back(static_cast<Sector>(i % 3));
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId u = 0; u < 300; ++u)
    for (NodeId d = 1; d <= 7; ++d) ties.emplace_back(u, (u + d * 13) % 300);
  // drop duplicates (u, v) / (v, u)
  std::sort(ties.begin(), ties.end());
  std::vector<std::pair<NodeId, NodeId>> unique;
  for (auto [u, v] : ties) {
    const auto key = std::minmax(u, v);
    if (u != v && std::find(unique.begin(), unique.end(), std::pair{key.first, key.second}) == unique.end())
      unique.emplace_back(key.first, key.second);
  }
  HandWorld w(std::move(s), sectors, unique);
  for (NodeId v = 0; v < 300; ++v) w->agents.clients.mindset[v] = 1.0;
  for (std::int64_t t = 0; t < 40; ++t) {
    TickFlows flows;
    run_collaboration(*w, w.context(t), flows);
    std::vector<int> members(300, 0);
    for (std::size_t k = 0; k < w->collabs.size(); ++k) {
      ++members[w->collabs.lead[k]];
      for (int i = 0; i < w->collabs.partner_count[k]; ++i) ++members[w->collabs.partners_of(k)[i]];
    }
    for (NodeId v = 0; v < 300; ++v) {
      ASSERT_LE(members[v], 2) << "tick " << t;
      ASSERT_EQ(members[v], w->agents.clients.active[v]) << "tick " << t;
    }
  }
}

