#pragma once
// What the phases of one tick share: which tick it is and which interventions are active
// (TickContext), and what they counted and paid (TickFlows), aggregated by sector, which
// Recording turns into the metrics of MODEL.md 8.
#include <array>
#include <cstdint>

#include "core/sector.hpp"
#include "scenario/interventions.hpp"

namespace xsector {

struct TickContext {
  std::int64_t tick = 0;
  TickPolicy policy;
};

// Reset at the start of every tick.
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
