#pragma once
// The small table `xsector run` prints at the end: the final year per client sector.
#include <ostream>

#include "metrics.hpp"

namespace xsector {

void print_final_year_summary(const RunSeries& series, std::int64_t ticks_per_year, std::ostream& out);

}  // namespace xsector
