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

}  // namespace

// With N clients on a complete graph, f = F (up to the agent itself, a 1/(N-1) effect) and
// each non-adopter adopts with probability 1 - exp(-(p + qF)) per tick. Its expectation
// follows the recursion F' = F + (1 - F)(1 - exp(-(p + qF))), the exact discretisation of
// dF/dt = (p + qF_t)(1 - F) with F_t held over the tick; for p + q small this is the Bass
// curve F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) to within O((p+q)^2 t).
TEST(Diffusion, CompleteGraphFollowsBassModel) {
  const double p = 0.01, q = 0.3;
  const NodeId n = 1500;
  const int ticks = 30, seeds = 4;
  Scenario s = quiet_scenario();
  s.params.sector[index_of(Sector::business)].diffusion_p = p;
  s.params.diffusion.q = q;
  std::vector<double> mean(ticks + 1, 0.0);
  for (int seed = 0; seed < seeds; ++seed) {
    HandWorld w = complete_graph(s, n);
    w->run_seed = 1000 + seed;
    for (int t = 0; t < ticks; ++t) {
      run_diffusion(*w, w.context(t));
      mean[t + 1] += adopted_fraction(*w) / seeds;
    }
  }
  double recursion = 0.0;
  for (int t = 1; t <= ticks; ++t) {
    recursion += (1.0 - recursion) * (1.0 - std::exp(-(p + q * recursion)));
    // The realised F is a sum of N × seeds Bernoulli outcomes whose spread grows through
    // the feedback q; 6 binomial standard errors with an amplification of 3 bound it.
    const double se = std::sqrt(std::max(recursion * (1 - recursion), 0.01) / (n * seeds));
    EXPECT_NEAR(mean[t], recursion, 3.0 * 6.0 * se) << "tick " << t;
    const double e = std::exp(-(p + q) * t);
    const double bass = (1.0 - e) / (1.0 + (q / p) * e);
    EXPECT_NEAR(recursion, bass, 0.05) << "discretisation error at tick " << t;
  }
  EXPECT_GT(mean[ticks], 0.5);  // the curve really took off
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
