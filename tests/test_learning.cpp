// Learning and decay (MODEL.md 7.5, 11.10).
#include <gtest/gtest.h>

#include <cmath>

#include "model_fixtures.hpp"

using namespace xsector;
using namespace xsector::testing;

TEST(Learning, TurnoverPullsCapacityTowardSectorMean) {
  HandWorld w(quiet_scenario(), {Sector::government, Sector::business}, {});
  auto& c = w->agents.clients;
  c.capacity[0] = 0.9;
  c.capacity[1] = 0.1;
  run_learning(*w, w.context(0));
  // government: c̄ = 2 / (2 + 6), turnover 0.12 per year over 4 ticks
  EXPECT_DOUBLE_EQ(c.capacity[0], 0.9 + 0.03 * (0.25 - 0.9));
  // business: c̄ = 3 / 7, turnover 0.10
  EXPECT_DOUBLE_EQ(c.capacity[1], 0.1 + 0.025 * (3.0 / 7.0 - 0.1));
}

TEST(Learning, GraduateProgrammesRaiseGovernmentCapacityAtTheirRate) {
  Scenario s = quiet_scenario();
  for (auto& sp : s.params.sector) sp.turnover = 0;
  Intervention iv;
  iv.type = InterventionType::graduate_programs;
  iv.start_year = 0;
  iv.end_year = 10;
  iv.rate = 2.0;  // per year: hire probability 1 − e^{−0.5} per tick
  iv.capacity_gain = 0.1;
  iv.mindset_gain = 0.1;
  s.interventions.push_back(iv);
  const NodeId n = 20000;
  std::vector<Sector> sectors(n, Sector::government);
  sectors.push_back(Sector::business);
  HandWorld w(std::move(s), sectors, {});
  auto& c = w->agents.clients;
  for (NodeId v = 0; v <= n; ++v) c.capacity[v] = 0.5;
  run_learning(*w, w.context(0));
  int hired = 0;
  for (NodeId v = 0; v < n; ++v) {
    if (c.capacity[v] == 0.5) continue;
    ++hired;
    EXPECT_DOUBLE_EQ(c.capacity[v], 0.55);
  }
  EXPECT_DOUBLE_EQ(c.capacity[n], 0.5);  // businesses do not hire graduates
  const double p = 1.0 - std::exp(-0.5);
  EXPECT_NEAR(hired, n * p, 4.5 * std::sqrt(n * p * (1 - p)));  // binomial bound
}
