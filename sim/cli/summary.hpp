#pragma once
// The small table `xsector run` prints at the end: the final year per client sector, as
// the mean over the run's replicates, and the public sector gap with its 95% interval
// when there are several replicates (a single run says that it has none).
#include <array>
#include <ostream>
#include <vector>

#include "model/metrics.hpp"

namespace xsector {

// One run's final year: sums of flows over its last ticks_per_year ticks, states at the end.
struct FinalYear {
  std::size_t first_tick = 0, last_tick = 0;
  std::array<double, kClientSectorCount> spending{}, participation{}, capacity{}, succeeded{}, failed{};
};
FinalYear final_year_of(const RunSeries& series, std::int64_t ticks_per_year);
// The same sums and states over ticks first..last (the explorer's yearly curves).
FinalYear ticks_of(const RunSeries& series, std::size_t first_tick, std::size_t last_tick);

// Shares of the client sectors' totals in a final year (NaN when the total is 0), and the
// public sector gap (MODEL.md 8): the government's participation share minus its share of
// support spending.
double participation_share(const FinalYear& year, int sector);
double spending_share(const FinalYear& year, int sector);
double gap_of(const FinalYear& year);

// Mean and 95% Student-t interval of the finite values; with fewer than two, the interval
// is NaN (a single run has none).
struct MeanInterval {
  double mean = 0, lower = 0, upper = 0;
  std::size_t n = 0;
};
MeanInterval mean_interval(const std::vector<double>& values);

void print_final_year_summary(const std::vector<FinalYear>& replicates, std::ostream& out);

}  // namespace xsector
