#pragma once
// Counter-based random streams (Random123 Philox4x64-10). A stream is a pure function of
// (run seed, tick, agent, purpose): no generator state is shared between agents or
// threads, so any subset of agents can be updated in any order on any thread and the
// draws are the same (MODEL.md 4).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <Random123/philox.h>

namespace xsector {

// What a draw is for. Values are part of the output's identity: append, never reorder.
enum class Purpose : std::uint64_t {
  run_seed = 1,
  network_block,
  init_budget,
  init_capacity,
  init_mindset,
  init_toolkit,
  init_provider,
  init_giving,
  diffusion,
  initiate,
  invite_tiebreak,
  accept_tiebreak,
  stage_pass,
  market_tiebreak,
  graduate,
  compliance_pick,
  lhs,
  morris,
};

// Ticks used for draws outside the tick loop.
inline constexpr std::uint64_t kInitTick = ~std::uint64_t{0};
inline constexpr std::uint64_t kNetworkTick = ~std::uint64_t{0} - 1;

class Stream {
 public:
  using Rng = r123::Philox4x64;

  static constexpr std::uint64_t kKey1 = 0x78736563746f72ULL;  // "xsector"

  Stream(std::uint64_t run_seed, std::uint64_t tick, std::uint64_t agent, Purpose purpose)
      : key_{{run_seed, kKey1}},
        counter_{{tick, agent, static_cast<std::uint64_t>(purpose), 0}} {}

  std::uint64_t bits() {
    if (used_ == 4) refill();
    return block_.v[used_++];
  }
  // Uniform in (0, 1): never exactly 0 or 1, so log() and ratios are safe.
  double uniform() { return (static_cast<double>(bits() >> 11) + 0.5) * 0x1.0p-53; }
  bool bernoulli(double p) { return uniform() < p; }
  double normal() {  // Box-Muller, one value per call (the second is dropped for simplicity)
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
  double gamma(double shape) { return gamma_draw(shape).value(); }
  double beta(double a, double b) {
    const GammaDraw x = gamma_draw(a), y = gamma_draw(b);
    const double xv = x.value(), yv = y.value();
    if (xv + yv > 0) return xv / (xv + yv);
    // Both draws underflowed to 0 (shapes far below 1, where Gamma mass crowds at 0): the
    // same ratio from logarithms, so that no NaN enters the state. Only when
    // even the logarithms are -inf (shapes below about 1e-300) can no double tell the two
    // draws apart, and the mean a / (a + b) stands in.
    const double log_ratio = y.log() - x.log();
    if (std::isnan(log_ratio)) return a / (a + b);
    return 1.0 / (1.0 + std::exp(log_ratio));
  }

 private:
  // A Gamma(shape) draw kept as g * u^(1/shape) (u = 1 when shape >= 1; Marsaglia-Tsang
  // for g, boost for shapes below 1), so that beta() can fall back to its logarithm.
  struct GammaDraw {
    double g, u, shape;
    double value() const { return u == 1.0 ? g : g * std::pow(u, 1.0 / shape); }
    double log() const { return std::log(g) + std::log(u) / shape; }
  };
  GammaDraw gamma_draw(double shape);
  double marsaglia_tsang(double shape);  // shape >= 1

  void refill() {
    block_ = Rng{}(counter_, key_);
    counter_.v[3]++;
    used_ = 0;
  }
  Rng::key_type key_;
  Rng::ctr_type counter_;
  Rng::ctr_type block_{};
  int used_ = 4;
};

inline Stream::GammaDraw Stream::gamma_draw(double shape) {
  if (shape < 1.0) {  // boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
    const double g = marsaglia_tsang(shape + 1.0);
    return {g, uniform(), shape};
  }
  return {marsaglia_tsang(shape), 1.0, shape};
}

inline double Stream::marsaglia_tsang(double shape) {
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// The first 64 bits of Stream(run_seed, tick, agent, purpose), for many agents at one
// (run seed, tick, purpose): bit for bit what Stream::bits() returns first, but cheaper.
// Philox4x64-10 mixes the counter {tick, agent, purpose, 0} with two multiplications per
// round; the agent enters only word 1, so round 1's multiplications and one of each of
// rounds 2 and 3 depend on (seed, tick, purpose) alone and are done once here, and round
// 10 computes only the output word used. 15 multiplications per draw instead of 20.
class AgentDraws {
 public:
  AgentDraws(std::uint64_t run_seed, std::uint64_t tick, Purpose purpose) {
    std::uint64_t k0 = run_seed, k1 = kKey1;
    // Round 1: X = {tick, agent, purpose, 0}.
    std::uint64_t hi0, hi1;
    const std::uint64_t lo0 = mul(kM0, tick, hi0), lo1 = mul(kM1, static_cast<std::uint64_t>(purpose), hi1);
    r1_word0_ = hi1 ^ k0;  // ^ agent
    const std::uint64_t x1 = lo1, x2 = hi0 ^ 0 ^ k1, x3 = lo0;
    // Round 2: the multiplication of word 2 is fixed; that of word 0 depends on the agent.
    k0 += kW0, k1 += kW1;
    std::uint64_t h;
    const std::uint64_t l = mul(kM1, x2, h);
    r2_word0_ = h ^ x1 ^ k0;
    r2_word1_ = l;
    r2_x3_ = x3;
    r2_k1_ = k1;
    // Round 3: the multiplication of word 0 (r2_word0_) is fixed.
    k0 += kW0, k1 += kW1;
    r3_lo0_ = mul(kM0, r2_word0_, r3_hi0_);
    r3_k0_ = k0;
    r3_k1_ = k1;
    k0_ = k0;
    k1_ = k1;
  }

  std::uint64_t bits(std::uint64_t agent) const {
    // Round 1.
    const std::uint64_t a0 = r1_word0_ ^ agent;
    // Round 2: X = {a0, x1, x2, x3}; word 0 and 1 of the result are fixed.
    std::uint64_t hi0;
    const std::uint64_t lo0 = mul(kM0, a0, hi0);
    const std::uint64_t b2 = hi0 ^ r2_x3_ ^ r2_k1_, b3 = lo0;
    // Round 3: X = {r2_word0_, r2_word1_, b2, b3}.
    std::uint64_t hi1;
    const std::uint64_t lo1 = mul(kM1, b2, hi1);
    std::uint64_t x0 = hi1 ^ r2_word1_ ^ r3_k0_, x1 = lo1, x2 = r3_hi0_ ^ b3 ^ r3_k1_, x3 = r3_lo0_;
    // Rounds 4 to 9 in full.
    std::uint64_t k0 = k0_, k1 = k1_;
    for (int round = 4; round <= 9; ++round) {
      k0 += kW0, k1 += kW1;
      std::uint64_t h0, h1;
      const std::uint64_t l0 = mul(kM0, x0, h0), l1 = mul(kM1, x2, h1);
      const std::uint64_t y0 = h1 ^ x1 ^ k0, y2 = h0 ^ x3 ^ k1;
      x0 = y0, x1 = l1, x2 = y2, x3 = l0;
    }
    // Round 10: only output word 0 = hi(M1 x2) ^ x1 ^ k0.
    k0 += kW0;
    std::uint64_t h;
    mul(kM1, x2, h);
    return h ^ x1 ^ k0;
  }
  double uniform(std::uint64_t agent) const { return (static_cast<double>(bits(agent) >> 11) + 0.5) * 0x1.0p-53; }
  // out[k] = uniform(agents[k]) for k < n. A loop that does nothing else lets the processor
  // overlap the long multiplication chains of successive draws: about twice as fast per
  // draw as drawing inside a loop with other work.
  template <class Agent>
  void uniforms(const Agent* agents, std::size_t n, double* out) const {
    for (std::size_t k = 0; k < n; ++k) out[k] = uniform(agents[k]);
  }
  bool bernoulli(std::uint64_t agent, double p) const { return uniform(agent) < p; }

 private:
  static constexpr std::uint64_t kM0 = PHILOX_M4x64_0, kM1 = PHILOX_M4x64_1;
  static constexpr std::uint64_t kW0 = PHILOX_W64_0, kW1 = PHILOX_W64_1;
  static constexpr std::uint64_t kKey1 = Stream::kKey1;
  static std::uint64_t mul(std::uint64_t a, std::uint64_t b, std::uint64_t& hi) {
    const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    hi = static_cast<std::uint64_t>(p >> 64);
    return static_cast<std::uint64_t>(p);
  }
  std::uint64_t r1_word0_, r2_word0_, r2_word1_, r2_x3_, r2_k1_, r3_lo0_, r3_hi0_, r3_k0_, r3_k1_, k0_, k1_;
};

// A 64-bit hash of (tick, a, b) under a run seed: the keyed tie-break of MODEL.md 7.3/7.4.
// Whether an event of hazard `rate` happens, given a uniform draw u: the value of
// u < 1 - exp(-rate) as that expression evaluates in double, without calling exp unless u
// lies within about rate^2 / 2 of the boundary. For every rate, 1 - e^-rate <= rate, and for
// rate >= 0, rate - rate^2 / 2 <= 1 - e^-rate; the evaluated expression is within 6e-16 of
// the exact value (exp's error plus one rounding), so a u more than kMargin outside those
// bounds is decided by them alone, and the answer is the same bit for bit. Most draws are:
// hazards per tick are small.
inline bool hazard_happens(double u, double rate) {
  constexpr double kMargin = 1e-14;
  if (u >= rate + kMargin) return false;
  if (u < rate - 0.5 * rate * rate - kMargin) return true;
  return u < 1.0 - std::exp(-rate);  // also NaN rates, which fail both tests above
}

// The stream of keyed_hash(., ., a, b, .) is that of agent hash_agent(a, b).
inline std::uint64_t hash_agent(std::uint64_t a, std::uint64_t b) { return (a << 32) ^ b; }

inline std::uint64_t keyed_hash(std::uint64_t run_seed, std::uint64_t tick, std::uint64_t a, std::uint64_t b,
                                Purpose purpose) {
  Stream s(run_seed, tick, hash_agent(a, b), purpose);
  return s.bits();
}

// The seed of run (point, replicate) of a scenario: depends on nothing else (MODEL.md 9).
inline std::uint64_t derive_run_seed(std::uint64_t scenario_seed, std::uint64_t point, std::uint64_t replicate) {
  Stream s(scenario_seed, point, replicate, Purpose::run_seed);
  return s.bits();
}

}  // namespace xsector
