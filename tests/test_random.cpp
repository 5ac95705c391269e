// Counter-based streams: a pure function of their key, and statistically sound.
#include <gtest/gtest.h>

#include <cmath>

#include "core/exact_divisor.hpp"
#include "core/random.hpp"

using namespace xsector;

TEST(Random, SameKeySameDrawsDifferentKeyDifferentDraws) {
  Stream a(7, 3, 11, Purpose::diffusion), b(7, 3, 11, Purpose::diffusion);
  Stream c(7, 3, 12, Purpose::diffusion), d(7, 3, 11, Purpose::initiate), e(8, 3, 11, Purpose::diffusion);
  for (int i = 0; i < 10; ++i) {
    const auto x = a.bits();
    EXPECT_EQ(x, b.bits());
    EXPECT_NE(x, c.bits());
    EXPECT_NE(x, d.bits());
    EXPECT_NE(x, e.bits());
  }
}

// Uniform(0,1) has mean 1/2 and variance 1/12: the sample mean of n draws lies within
// 5 standard errors (5 / sqrt(12 n)) of 1/2.
TEST(Random, UniformMeanWithinStandardError) {
  const int n = 200000;
  double sum = 0;
  Stream s(1, 0, 0, Purpose::diffusion);
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 5.0 / std::sqrt(12.0 * n));
}

// Beta(a, b) has mean a/(a+b) and variance ab/((a+b)^2 (a+b+1)); one draw per key, as
// the model draws them.
TEST(Random, BetaMeanWithinStandardError) {
  for (auto [a, b] : {std::pair{2.0, 6.0}, std::pair{0.5, 0.7}, std::pair{4.0, 3.0}}) {
    const int n = 50000;
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += Stream(3, kInitTick, i, Purpose::init_capacity).beta(a, b);
    const double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
    EXPECT_NEAR(sum / n, mean, 5.0 * std::sqrt(var / n)) << a << "," << b;
  }
}

// LogNormal(ln m, s): the median of many draws is m; the fraction below m is 1/2 within
// 5 binomial standard errors.
TEST(Random, LognormalMedian) {
  const int n = 50000;
  int below = 0;
  for (int i = 0; i < n; ++i) below += Stream(5, kInitTick, i, Purpose::init_budget).lognormal(2.0e7, 1.2) < 2.0e7;
  EXPECT_NEAR(static_cast<double>(below) / n, 0.5, 5.0 * std::sqrt(0.25 / n));
}

TEST(Random, RunSeedDependsOnPointAndReplicateOnly) {
  EXPECT_EQ(derive_run_seed(1, 2, 3), derive_run_seed(1, 2, 3));
  EXPECT_NE(derive_run_seed(1, 2, 3), derive_run_seed(1, 3, 2));
  EXPECT_NE(derive_run_seed(1, 2, 3), derive_run_seed(2, 2, 3));
}

// AgentDraws::uniforms gives, agent by agent, the first uniform of that agent's Stream.
TEST(Random, BatchedAgentDrawsMatchStreams) {
  const AgentDraws draws(11, 5, Purpose::initiate);
  const std::uint32_t agents[] = {0, 1, 7, 4096, 123456789, 0xfffffffeu};
  double u[6];
  draws.uniforms(agents, 6, u);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(u[k], Stream(11, 5, agents[k], Purpose::initiate).uniform()) << agents[k];
}

// ExactDivisor: bit for bit x / d, whether it multiplies (d a power of two) or divides.
TEST(Random, ExactDivisorIsDivision) {
  for (double d : {1.0, 2.0, 3.0, 4.0, 12.0, 0.5, 52.0, 1024.0}) {
    const ExactDivisor div(d);
    Stream s(3, 0, static_cast<std::uint64_t>(d * 8), Purpose::lhs);
    for (int i = 0; i < 20000; ++i) {
      const double x = std::ldexp(s.uniform(), static_cast<int>(s.bits() % 2100) - 1074);  // subnormal to huge
      EXPECT_EQ(div.divide(x), x / d) << x << " / " << d;
      EXPECT_EQ(div.divide(-x), -x / d);
    }
  }
}
