#pragma once
// Recording (MODEL.md 8, 11.12): the tick's flows and the end-of-tick states, summarised
// per sector into the run's series.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/sector.hpp"
#include "model/metrics.hpp"
#include "model/tick.hpp"

namespace xsector {

struct World;

// Recording's scratch: exact percentiles by bucket counts (recording.cpp).
struct RecordingWorkspace {
  std::vector<std::uint32_t> histogram;    // per (chunk, sector, bucket), then the totals
  std::vector<std::uint16_t> client_code;  // per client position: bucket × 4 + sector
  std::vector<std::uint8_t> window_mask;   // per code: the sector's windows holding the bucket
  std::vector<double> window_values;       // values in the buckets that hold wanted ranks
  std::vector<std::uint64_t> chunk_start;  // per (chunk, window): where the chunk's values go
  std::vector<std::array<std::int64_t, kClientSectorCount>> member_blocks;  // participation per block
  std::size_t capacity_bytes() const;
};

void run_recording(const World& world, const TickContext& ctx, const TickFlows& flows, RunSeries& series);

inline constexpr std::array<double, 3> kCapacityQuantiles = {0.10, 0.50, 0.90};

// result[sector][k]: the kCapacityQuantiles[k] quantile of the capacity of the clients of
// that sector, by numpy's default (linear) method; NaN for a sector without clients.
// Exact order statistics (no sampling, no binning error); `workspace` is reusable scratch.
using CapacityPercentiles = std::array<std::array<double, 3>, kClientSectorCount>;
CapacityPercentiles capacity_percentiles(const World& world, RecordingWorkspace& workspace);

}  // namespace xsector
