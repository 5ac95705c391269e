#pragma once
// The exact capacity percentiles of MODEL.md 8 and 11.12, computed by recording
// (recording.cpp) and declared here so that tests can check them directly.
#include <array>

#include "model/world.hpp"

namespace xsector {

inline constexpr std::array<double, 3> kCapacityQuantiles = {0.10, 0.50, 0.90};

// result[sector][k]: the kCapacityQuantiles[k] quantile of the capacity of the clients of
// that sector, by numpy's default (linear) method; NaN for a sector without clients.
// Exact order statistics (no sampling, no binning error); `ws` is reusable scratch.
using CapacityPercentiles = std::array<std::array<double, 3>, kClientSectorCount>;
CapacityPercentiles capacity_percentiles(const World& w, RecordingWorkspace& ws);

}  // namespace xsector
