#include "scenario/population.hpp"

#include <algorithm>
#include <cmath>

namespace xsector {

std::int64_t scaled_count(const Params& params, Sector sector) {
  const std::int64_t base = params.population.count[index_of(sector)];
  if (base <= 0) return 0;
  const double scaled = std::floor(static_cast<double>(base) * params.population.scale + 0.5);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(scaled));
}

}  // namespace xsector
