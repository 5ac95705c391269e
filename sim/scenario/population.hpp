#pragma once
#include <cstdint>

#include "scenario/params.hpp"

namespace xsector {

// Population count of a sector after population.scale (MODEL.md 11.2): rounded half up,
// and a non-zero count stays at least 1.
std::int64_t scaled_count(const Params& params, Sector sector);

}  // namespace xsector
