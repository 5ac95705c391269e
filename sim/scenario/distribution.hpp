#pragma once
// How a sampled sweep (lhs, sobol, morris; MODEL.md 9) spreads a parameter's values: a
// design gives each point a number u in [0, 1) per parameter, and the parameter's
// distribution turns it into a value by its quantile function, so that evenly spread u
// give values spread as the distribution says.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xsector {

enum class DistributionKind { uniform, log_uniform, integer, normal, choice };

struct Distribution {
  DistributionKind kind = DistributionKind::uniform;
  double low = 0, high = 0;         // bounds (normal: where it is truncated); integer: inclusive
  double mean = 0, sd = 0;          // normal only
  std::size_t choices = 0;          // choice only: how many (the values are the sweep axis's)
};

// "uniform", "log-uniform", "integer", "normal", "choice".
std::string_view distribution_name(DistributionKind kind);
// The names a sweep file may give as `distribution = "..."` (a choice is written
// `choices = [...]`), in DistributionKind order.
std::vector<std::string> distribution_names();

// The quantile at u in [0, 1]:
//   uniform      low + u (high - low)
//   log-uniform  exp(ln low + u (ln high - ln low))
//   integer      floor(low + u (high - low + 1)), at most high: each integer equally likely
//   normal       mean + sd Φ⁻¹(Φ(a) + u (Φ(b) − Φ(a))), a, b the bounds in sd units
//   choice       the index floor(u n), at most n − 1, of the n choices
double quantile(const Distribution& distribution, double u);

// What is wrong with a distribution's numbers (empty when nothing): bounds not finite or
// not ordered, log-uniform bounds not positive, integer bounds not whole, sd not positive,
// no choices.
std::string distribution_problem(const Distribution& distribution);

}  // namespace xsector
