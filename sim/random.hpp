#pragma once
// Counter-based random streams (Random123 Philox4x64-10). A stream is a pure function of
// (run seed, tick, agent, purpose): no generator state is shared between agents or
// threads, so any subset of agents can be updated in any order on any thread and the
// draws are the same (MODEL.md 4).
#include <cmath>
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
};

// Ticks used for draws outside the tick loop.
inline constexpr std::uint64_t kInitTick = ~std::uint64_t{0};
inline constexpr std::uint64_t kNetworkTick = ~std::uint64_t{0} - 1;

class Stream {
 public:
  using Rng = r123::Philox4x64;

  Stream(std::uint64_t run_seed, std::uint64_t tick, std::uint64_t agent, Purpose purpose)
      : key_{{run_seed, 0x78736563746f72ULL /* "xsector" */}},
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
  double gamma(double shape);  // Marsaglia-Tsang
  double beta(double a, double b) {
    const double x = gamma(a), y = gamma(b);
    return x / (x + y);
  }

 private:
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

inline double Stream::gamma(double shape) {
  if (shape < 1.0) {  // boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
    const double g = gamma(shape + 1.0);
    return g * std::pow(uniform(), 1.0 / shape);
  }
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

// A 64-bit hash of (tick, a, b) under a run seed: the keyed tie-break of MODEL.md 7.3/7.4.
inline std::uint64_t keyed_hash(std::uint64_t run_seed, std::uint64_t tick, std::uint64_t a, std::uint64_t b,
                                Purpose purpose) {
  Stream s(run_seed, tick, (a << 32) ^ b, purpose);
  return s.bits();
}

// The seed of run (point, replicate) of a scenario: depends on nothing else (MODEL.md 9).
inline std::uint64_t derive_run_seed(std::uint64_t scenario_seed, std::uint64_t point, std::uint64_t replicate) {
  Stream s(scenario_seed, point, replicate, Purpose::run_seed);
  return s.bits();
}

}  // namespace xsector
