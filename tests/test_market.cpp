// Support market (MODEL.md 7.4, 11.8-11.9) on hand-built networks.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model_fixtures.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

constexpr int gov = 0, bus = 1;

// Clients 0..n-1 of `sector`, all tied to one provider (node n); every client wants an
// engagement (low capacity, high mindset). Price 15000 exactly (price_sigma 0).
HandWorld one_provider(Scenario s, Sector sector, NodeId n, std::int64_t slots) {
  s.params.provider.slots = slots;
  std::vector<Sector> sectors(n, sector);
  sectors.push_back(Sector::provider);
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId v = 0; v < n; ++v) ties.emplace_back(v, n);
  HandWorld w(std::move(s), sectors, ties);
  for (NodeId v = 0; v < n; ++v) {
    w->agents.clients.capacity[v] = 0.1;
    w->agents.clients.mindset[v] = 0.9;
  }
  return w;
}

void give_funds(World& w, NodeId v, double amount) {
  w.agents.clients.funds[v] = amount;
  w.ledger.allocated += amount;
}

}  // namespace

TEST(Market, ProviderWithTwoSlotsKeepsTheTwoWithMostFunds) {
  HandWorld w = one_provider(quiet_scenario(), Sector::business, 3, 2);
  give_funds(*w, 0, 20000);
  give_funds(*w, 1, 100000);
  give_funds(*w, 2, 50000);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  const auto& c = w->agents.clients;
  EXPECT_DOUBLE_EQ(c.funds[0], 20000);  // lowest funds: rejected
  EXPECT_DOUBLE_EQ(c.funds[1], 85000);
  EXPECT_DOUBLE_EQ(c.funds[2], 35000);
  EXPECT_EQ(flows.engagements[bus], 2);
  EXPECT_EQ(flows.unmet_demand[bus], 1);  // could afford, not matched
  EXPECT_EQ(flows.priced_out[bus], 0);
  EXPECT_DOUBLE_EQ(flows.support_spending[bus], 30000);
  EXPECT_DOUBLE_EQ(flows.provider_revenue, 30000);
  w->ledger.check(w->funds_held(), w->voucher_pool, 0, "market");
}

TEST(Market, EngagementRaisesCapacityAndMindsetByTheFormula) {
  HandWorld w = one_provider(quiet_scenario(), Sector::business, 1, 1);
  give_funds(*w, 0, 20000);
  const double q = w->agents.providers.quality[0], a = w->agents.providers.focus[0];
  const double k = w->agents.clients.compliance[0];
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  const double fit = 1.0 - k * (1.0 - a);
  EXPECT_DOUBLE_EQ(w->agents.clients.capacity[0], 0.1 + q * fit * 0.15 * 0.9);
  EXPECT_DOUBLE_EQ(w->agents.clients.mindset[0], 0.9 + 0.02 * 0.1);
}

TEST(Market, ClientWithoutEnoughFundsIsPricedOut) {
  HandWorld w = one_provider(quiet_scenario(), Sector::business, 2, 3);
  give_funds(*w, 0, 14999.99);
  give_funds(*w, 1, 15000);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  EXPECT_EQ(flows.priced_out[bus], 1);
  EXPECT_EQ(flows.engagements[bus], 1);
  EXPECT_DOUBLE_EQ(w->agents.clients.funds[1], 0);
}

// A pool of 15000 at voucher_rate 0.5 pays 7500 of each 15000 engagement, in ascending
// client index: the first two governments, then it is dry; the next two were matched (the
// pool was open at the start of the phase) but cannot pay the full price: dropped, priced
// out, and they draw nothing.
TEST(Market, VoucherPoolPaysExactlyThenRunsDry) {
  HandWorld w = one_provider(quiet_scenario(), Sector::government, 4, 4);
  for (NodeId v = 0; v < 4; ++v) give_funds(*w, v, 10000);
  w->voucher_pool = 15000;
  w->ledger.allocated += 15000;
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  const auto& c = w->agents.clients;
  EXPECT_DOUBLE_EQ(c.funds[0], 2500);
  EXPECT_DOUBLE_EQ(c.funds[1], 2500);
  EXPECT_DOUBLE_EQ(c.funds[2], 10000);
  EXPECT_DOUBLE_EQ(c.funds[3], 10000);
  EXPECT_DOUBLE_EQ(w->voucher_pool, 0);
  EXPECT_EQ(flows.engagements[gov], 2);
  EXPECT_EQ(flows.priced_out[gov], 2);
  EXPECT_DOUBLE_EQ(flows.support_spending[gov], 30000);  // full price, voucher part included
  w->ledger.check(w->funds_held(), w->voucher_pool, 0, "market");
}

TEST(Market, ClientRanksProvidersByQualityFitPerDollar) {
  Scenario s = quiet_scenario();
  s.params.market.visible = 0;
  // Client 0 (business) tied to providers 1 and 2.
  HandWorld w(std::move(s), {Sector::business, Sector::provider, Sector::provider}, {{0, 1}, {0, 2}});
  auto& pr = w->agents.providers;
  pr.quality = {0.5, 0.9};
  pr.price = {10000, 15000};  // value 0.5/10000 = 5e-5 vs 0.9/15000 = 6e-5 (fit ~ equal)
  pr.focus = {0.5, 0.5};
  w->agents.clients.capacity[0] = 0.1;
  w->agents.clients.mindset[0] = 0.9;
  give_funds(*w, 0, 20000);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  EXPECT_DOUBLE_EQ(w->agents.clients.funds[0], 5000);  // bought from provider 2
  EXPECT_EQ(pr.year_engagements[1], 1);
  EXPECT_EQ(pr.year_engagements[0], 0);
}

TEST(Market, VisibleProvidersAreReachableWithoutATie) {
  Scenario s = quiet_scenario();
  s.params.market.visible = 1;
  HandWorld w(std::move(s), {Sector::business, Sector::provider}, {});
  w->agents.clients.capacity[0] = 0.1;
  w->agents.clients.mindset[0] = 0.9;
  give_funds(*w, 0, 20000);
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  EXPECT_EQ(flows.engagements[bus], 1);
}

TEST(Market, SlotsAdaptToUtilisationAtYearEnd) {
  HandWorld w = one_provider(quiet_scenario(), Sector::business, 1, 3);
  auto& pr = w->agents.providers;
  w->agents.clients.mindset[0] = 0.0;  // no demand
  pr.year_slot_ticks[0] = 9;           // three earlier ticks of 3 slots, no engagements
  TickFlows flows;
  run_market(*w, w.context(2), flows);  // not the last tick of the year: no adaptation
  EXPECT_EQ(pr.slots[0], 3);
  pr.year_slot_ticks[0] = 9;
  run_market(*w, w.context(3), flows);  // utilisation 0: staff 3 × (1 + 0.5 × (0 − 0.8)) = 1.8
  EXPECT_DOUBLE_EQ(pr.staff[0], 1.8);
  EXPECT_EQ(pr.slots[0], 2);
  EXPECT_EQ(pr.year_slot_ticks[0], 0);
}

TEST(Market, SupportMarksEveryCollaborationTheLeadLeads) {
  HandWorld w = one_provider(quiet_scenario(), Sector::government, 2, 3);
  give_funds(*w, 0, 20000);
  const NodeId partner = 1;
  const TieId tie = 0;
  w->collabs.append(0, &partner, &tie, 1, 0);
  w->collabs.append(1, &partner, &tie, 1, 0);  // led by a client without funds
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  EXPECT_EQ(w->collabs.supported[0], 1);
  EXPECT_EQ(w->collabs.supported[1], 0);
}
