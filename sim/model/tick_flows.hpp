#pragma once
// What the phases of one tick count and pay, aggregated by sector; Recording turns it
// into the metrics of MODEL.md 8. Reset at the start of every tick.
#include <array>
#include <cstdint>

#include "core/sector.hpp"

namespace xsector {

struct TickFlows {
  using BySector = std::array<double, kClientSectorCount>;
  BySector support_spending{}, engagements{}, unmet_demand{}, priced_out{};
  BySector collab_started{}, collab_succeeded{}, collab_failed{}, collab_failed_early{}, collab_lapsed{};
  BySector public_value{}, funds_expired{}, grants_received{};
  std::array<double, kStageCount> failed_by_stage{};
  double provider_revenue = 0;
  double foundation_unspent = 0;
};

}  // namespace xsector
