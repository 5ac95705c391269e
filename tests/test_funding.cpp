// Funding (MODEL.md 7.1, 11.4) on hand-built networks where every dollar is known.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "model_fixtures.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

// Node 0 government, 1 business, 2 and 3 nonprofits, 4 foundation tied to 0, 2, 3.
HandWorld funding_world(Scenario s) {
  return HandWorld(std::move(s),
                   {Sector::government, Sector::business, Sector::nonprofit, Sector::nonprofit, Sector::foundation},
                   {{0, 4}, {2, 4}, {3, 4}, {0, 1}});
}

}  // namespace

TEST(Funding, FiscalExpiryZeroesGovernmentFundsAtFirstTickOfYearOnly) {
  HandWorld w = funding_world(quiet_scenario());
  auto& c = w->agents.clients;
  c.budget[0] = 4.0e6;  // 0.0003 * 4e6 / 4 = 300 per tick
  c.budget[1] = 1.0e6;  // 0.002 * 1e6 / 4 = 500 per tick
  w->agents.foundations.giving[0] = 0;
  for (std::int64_t t = 0; t < 4; ++t) {
    TickFlows flows;
    run_funding(*w, w.context(t), flows);
    EXPECT_DOUBLE_EQ(flows.funds_expired[0], 0.0) << "tick " << t;
    EXPECT_DOUBLE_EQ(c.funds[0], 300.0 * (t + 1));
  }
  TickFlows flows;
  run_funding(*w, w.context(4), flows);  // first tick of year 1
  EXPECT_DOUBLE_EQ(flows.funds_expired[0], 1200.0);
  EXPECT_DOUBLE_EQ(c.funds[0], 300.0);       // expired, then this tick's funds
  EXPECT_DOUBLE_EQ(c.funds[1], 500.0 * 5);   // businesses carry over
  EXPECT_DOUBLE_EQ(flows.funds_expired[1], 0.0);
  w->ledger.check(w->funds_held(), w->voucher_pool, 4, "funding");
}

TEST(Funding, CarryoverDisablesExpiry) {
  Scenario s = quiet_scenario();
  s.params.sector[0].carryover = true;
  HandWorld w = funding_world(std::move(s));
  w->agents.clients.budget[0] = 4.0e6;
  w->agents.foundations.giving[0] = 0;
  for (std::int64_t t = 0; t < 5; ++t) {
    TickFlows flows;
    run_funding(*w, w.context(t), flows);
  }
  EXPECT_DOUBLE_EQ(w->agents.clients.funds[0], 1500.0);
}

TEST(Funding, FoundationGrantsSplitEquallyAmongNeighbours) {
  Scenario s = quiet_scenario();
  for (auto& sp : s.params.sector) sp.support_share = 0;
  s.params.foundation.capacity_share = 0.1;
  s.params.foundation.public_share = 0.25;
  HandWorld w = funding_world(std::move(s));
  w->agents.foundations.giving[0] = 400000;  // 100000 per tick, 10000 capacity money
  TickFlows flows;
  run_funding(*w, w.context(0), flows);
  const auto& c = w->agents.clients;
  EXPECT_DOUBLE_EQ(c.funds[0], 2500.0);  // the public part, one government neighbour
  EXPECT_DOUBLE_EQ(c.funds[2], 3750.0);  // 7500 split between two nonprofits
  EXPECT_DOUBLE_EQ(c.funds[3], 3750.0);
  EXPECT_DOUBLE_EQ(c.funds[1], 0.0);
  EXPECT_DOUBLE_EQ(flows.grants_received[0], 2500.0);
  EXPECT_DOUBLE_EQ(flows.grants_received[2], 7500.0);
  EXPECT_DOUBLE_EQ(flows.foundation_unspent, 0.0);
  w->ledger.check(w->funds_held(), w->voucher_pool, 0, "funding");
}

TEST(Funding, NoGovernmentNeighbourLeavesPublicPartUnspent) {
  Scenario s = quiet_scenario();
  for (auto& sp : s.params.sector) sp.support_share = 0;
  s.params.foundation.public_share = 0.5;
  HandWorld w(std::move(s), {Sector::government, Sector::nonprofit, Sector::foundation}, {{1, 2}});
  w->agents.foundations.giving[0] = 40000;  // 10000 per tick, 1000 capacity money
  TickFlows flows;
  run_funding(*w, w.context(0), flows);
  EXPECT_DOUBLE_EQ(flows.foundation_unspent, 500.0);
  EXPECT_DOUBLE_EQ(w->agents.clients.funds[1], 500.0);
  EXPECT_DOUBLE_EQ(w->ledger.unspent, 500.0);
  w->ledger.check(w->funds_held(), w->voucher_pool, 0, "funding");
}

TEST(Funding, VoucherChannelFillsThePoolNotGovernmentFunds) {
  Scenario s = quiet_scenario();
  for (auto& sp : s.params.sector) sp.support_share = 0;
  s.params.foundation.public_share = 0.5;
  s.params.foundation.public_channel = Channel::voucher;
  HandWorld w = funding_world(std::move(s));
  w->agents.foundations.giving[0] = 40000;
  for (std::int64_t t = 0; t < 3; ++t) {
    TickFlows flows;
    run_funding(*w, w.context(t), flows);
    EXPECT_DOUBLE_EQ(flows.grants_received[0], 0.0);
  }
  EXPECT_DOUBLE_EQ(w->agents.clients.funds[0], 0.0);
  EXPECT_DOUBLE_EQ(w->voucher_pool, 1500.0);  // carried over from tick to tick
  w->ledger.check(w->funds_held(), w->voucher_pool, 2, "funding");
}

TEST(Funding, LedgerCatchesMoneyCreatedOutsideTheBooks) {
  HandWorld w = funding_world(quiet_scenario());
  w->agents.clients.budget[0] = 4.0e6;
  TickFlows flows;
  run_funding(*w, w.context(0), flows);
  w->agents.clients.funds[1] += 1.0;  // a dollar from nowhere
  EXPECT_THROW(w->ledger.check(w->funds_held(), w->voucher_pool, 0, "funding"), LedgerError);
}
