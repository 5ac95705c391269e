#include "scenario/distribution.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

namespace xsector {

std::string_view distribution_name(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::uniform: return "uniform";
    case DistributionKind::log_uniform: return "log-uniform";
    case DistributionKind::integer: return "integer";
    case DistributionKind::normal: return "normal";
    case DistributionKind::choice: return "choice";
  }
  return "?";
}

std::vector<std::string> distribution_names() {
  return {"uniform", "log-uniform", "integer", "normal"};
}

double quantile(const Distribution& distribution, double u) {
  const double low = distribution.low, high = distribution.high;
  switch (distribution.kind) {
    case DistributionKind::uniform: return low + u * (high - low);
    case DistributionKind::log_uniform: {
      const double log_low = std::log(low), log_high = std::log(high);
      return std::clamp(std::exp(log_low + u * (log_high - log_low)), low, high);
    }
    case DistributionKind::integer: return std::min(high, std::floor(low + u * (high - low + 1)));
    case DistributionKind::normal: {
      const boost::math::normal standard;
      const double a = boost::math::cdf(standard, (low - distribution.mean) / distribution.sd);
      const double b = boost::math::cdf(standard, (high - distribution.mean) / distribution.sd);
      const double p = std::clamp(a + u * (b - a), a, b);
      // Φ⁻¹ is infinite at 0 and 1; the bounds are the limits there.
      if (p <= 0) return low;
      if (p >= 1) return high;
      return std::clamp(distribution.mean + distribution.sd * boost::math::quantile(standard, p), low, high);
    }
    case DistributionKind::choice: {
      const double n = static_cast<double>(distribution.choices);
      return std::min(n - 1, std::floor(u * n));
    }
  }
  return low;
}

std::string distribution_problem(const Distribution& distribution) {
  if (distribution.kind == DistributionKind::choice) {
    return distribution.choices == 0 ? "choices must list at least one value" : "";
  }
  const double low = distribution.low, high = distribution.high;
  if (!std::isfinite(low) || !std::isfinite(high)) return "low and high must be finite numbers";
  if (!(low <= high)) return "low must not be above high";
  switch (distribution.kind) {
    case DistributionKind::log_uniform:
      if (!(low > 0)) return "a log-uniform distribution needs low > 0";
      break;
    case DistributionKind::integer:
      if (std::floor(low) != low || std::floor(high) != high) return "an integer distribution needs whole low and high";
      break;
    case DistributionKind::normal:
      if (!std::isfinite(distribution.mean)) return "a normal distribution needs a finite mean";
      if (!(distribution.sd > 0) || !std::isfinite(distribution.sd)) return "a normal distribution needs sd > 0";
      break;
    default: break;
  }
  return "";
}

}  // namespace xsector
