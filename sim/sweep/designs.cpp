#include "sweep/designs.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <utility>

#include <boost/random/sobol.hpp>
#include <boost/random/uniform_01.hpp>

#include "core/random.hpp"

namespace xsector {

std::vector<UnitPoint> saltelli_design(std::size_t base_samples, std::size_t parameters) {
  const std::size_t n = base_samples, k = parameters;
  std::vector<UnitPoint> points(n * (k + 2), UnitPoint(k));
  if (k == 0) return points;
  boost::random::sobol sequence(2 * k);
  boost::random::uniform_01<double> unit;
  for (std::size_t row = 0; row < n; ++row) {
    UnitPoint& a = points[row];
    UnitPoint& b = points[n + row];
    for (std::size_t i = 0; i < k; ++i) a[i] = unit(sequence);
    for (std::size_t i = 0; i < k; ++i) b[i] = unit(sequence);
    for (std::size_t i = 0; i < k; ++i) {
      UnitPoint& ab = points[(2 + i) * n + row];
      ab = a;
      ab[i] = b[i];
    }
  }
  return points;
}

std::vector<UnitPoint> morris_design(std::size_t trajectories, std::size_t parameters, int levels,
                                     std::uint64_t seed) {
  if (levels < 2 || levels % 2) throw std::invalid_argument("morris_design: levels must be even and at least 2");
  const std::size_t k = parameters;
  const int half = levels / 2;  // Δ in levels
  const double step = 1.0 / (levels - 1);
  std::vector<UnitPoint> points;
  points.reserve(trajectories * (k + 1));
  for (std::size_t t = 0; t < trajectories; ++t) {
    std::vector<int> level(k);
    for (std::size_t i = 0; i < k; ++i) {
      Stream draws(seed, t, i, Purpose::morris);
      level[i] = std::min(levels - 1, static_cast<int>(draws.uniform() * levels));
    }
    // The order of the moves: a uniformly random permutation (Fisher-Yates) from the
    // trajectory's own stream (coordinate k, after the k starts).
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    Stream shuffle(seed, t, k, Purpose::morris);
    for (std::size_t i = k; i > 1; --i) {
      const auto j = std::min(i - 1, static_cast<std::size_t>(shuffle.uniform() * static_cast<double>(i)));
      std::swap(order[i - 1], order[j]);
    }
    UnitPoint x(k);
    for (std::size_t i = 0; i < k; ++i) x[i] = level[i] * step;
    points.push_back(x);
    for (std::size_t i : order) {
      level[i] += level[i] < half ? half : -half;
      x[i] = level[i] * step;
      points.push_back(x);
    }
  }
  return points;
}

}  // namespace xsector
