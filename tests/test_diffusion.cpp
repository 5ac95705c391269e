// Diffusion (MODEL.md 7.2) against the Bass model on a complete single-sector graph.
#include <gtest/gtest.h>

#include <cmath>

#include "model_fixtures.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

HandWorld complete_graph(Scenario s, NodeId n) {
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId u = 0; u < n; ++u)
    for (NodeId v = u + 1; v < n; ++v) ties.emplace_back(u, v);
  return HandWorld(std::move(s), std::vector<Sector>(n, Sector::business), ties);
}

double adopted_fraction(const World& w) {
  double sum = 0;
  for (NodeId v : w.agents.clients.ids) sum += w.agents.clients.toolkit[v];
  return sum / static_cast<double>(w.agents.clients.ids.size());
}


// With N clients on a complete graph, f = F (up to the agent itself, a 1/(N-1) effect) and
// each non-adopter adopts with probability 1 - exp(-(p + qF)) per tick. The expected
// adopted share therefore follows the recursion F' = F + (1 - F)(1 - exp(-(p + qF))): the
// Bass model dF/dt = (p + qF)(1 - F) discretised with the hazard held over each tick.
double bass_recursion(double p, double q, int ticks, int substeps, std::vector<double>* per_tick = nullptr) {
  double f = 0.0;
  for (int i = 0; i < ticks * substeps; ++i) {
    f += (1.0 - f) * (1.0 - std::exp(-(p + q * f) / substeps));
    if (per_tick && (i + 1) % substeps == 0) per_tick->push_back(f);
  }
  return f;
}

double bass_closed_form(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1.0 - e) / (1.0 + (q / p) * e);
}

constexpr double kP = 0.01, kQ = 0.3;
constexpr int kTicks = 30;

}  // namespace

// The simulated share follows the recursion. Stochastic test: the realised share is an
// average of N × seeds Bernoulli outcomes whose spread the feedback q amplifies; we allow
// 6 binomial standard errors times an amplification of 3.
TEST(Diffusion, CompleteGraphFollowsDiscreteBassRecursion) {
  const NodeId n = 1500;
  const int seeds = 4;
  Scenario s = quiet_scenario();
  s.params.sector[index_of(Sector::business)].diffusion_p = kP;
  s.params.diffusion.q = kQ;
  std::vector<double> mean(kTicks, 0.0);
  for (int seed = 0; seed < seeds; ++seed) {
    HandWorld w = complete_graph(s, n);
    w->run_seed = 1000 + seed;
    for (int t = 0; t < kTicks; ++t) {
      run_diffusion(*w, w.context(t));
      mean[t] += adopted_fraction(*w) / seeds;
    }
  }
  std::vector<double> expected;
  bass_recursion(kP, kQ, kTicks, 1, &expected);
  for (int t = 0; t < kTicks; ++t) {
    const double f = expected[t];
    const double se = std::sqrt(std::max(f * (1 - f), 0.01) / (n * seeds));
    EXPECT_NEAR(mean[t], f, 3.0 * 6.0 * se) << "tick " << t + 1;
  }
  EXPECT_GT(mean[kTicks - 1], 0.5);  // the curve really took off
}

// The discretisation is first order: splitting each tick into k sub-ticks (rates / k)
// halves the largest distance to the closed form F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)
// e^{−(p+q)t}) each time k doubles, so the recursion the simulation follows is the Bass
// model up to an error proportional to the tick length.
TEST(Diffusion, DiscreteRecursionConvergesToBassClosedForm) {
  auto max_error = [](int substeps) {
    std::vector<double> f;
    bass_recursion(kP, kQ, kTicks, substeps, &f);
    double err = 0;
    for (int t = 0; t < kTicks; ++t) err = std::max(err, std::abs(f[t] - bass_closed_form(kP, kQ, t + 1)));
    return err;
  };
  double previous = max_error(1);
  for (int k = 2; k <= 16; k *= 2) {
    const double err = max_error(k);
    EXPECT_NEAR(err / previous, 0.5, 0.05) << "substeps " << k;
    previous = err;
  }
  EXPECT_LT(previous, 0.01);
}


TEST(Diffusion, AdoptionAddsCapacityGainOnceAndCapsAtOne) {
  Scenario s = quiet_scenario();
  s.params.sector[index_of(Sector::government)].diffusion_p = 50.0;  // adoption certain
  s.params.diffusion.capacity_gain = 0.05;
  HandWorld w(std::move(s), {Sector::government, Sector::government}, {{0, 1}});
  auto& c = w->agents.clients;
  c.capacity[0] = 0.5;
  c.capacity[1] = 0.98;
  run_diffusion(*w, w.context(0));
  EXPECT_EQ(c.toolkit[0], 1);
  EXPECT_DOUBLE_EQ(c.capacity[0], 0.55);
  EXPECT_DOUBLE_EQ(c.capacity[1], 1.0);
  run_diffusion(*w, w.context(1));  // already adopted: no second gain
  EXPECT_DOUBLE_EQ(c.capacity[0], 0.55);
}

TEST(Diffusion, NoSpontaneousAdoptionWithoutNeighboursOrP) {
  Scenario s = quiet_scenario();
  s.params.diffusion.q = 5.0;
  HandWorld w(std::move(s), {Sector::government, Sector::business, Sector::provider}, {{0, 2}});
  for (int t = 0; t < 20; ++t) run_diffusion(*w, w.context(t));
  EXPECT_EQ(w->agents.clients.toolkit[0], 0);  // its only neighbour is a provider: f = 0
  EXPECT_EQ(w->agents.clients.toolkit[1], 0);
}
