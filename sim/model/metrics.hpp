#pragma once
// The outputs of MODEL.md section 8: one table of metric descriptions (name, shape, units,
// long name) that the recorder, the HDF5 writer, `xsector info` and the docs all read,
// and the per-run series the recorder fills.
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/sector.hpp"

namespace xsector {

// The trailing axis of a metric: per client sector, a single value, or per stage.
enum class MetricShape { by_sector, scalar, by_stage };

inline constexpr int width_of(MetricShape s) {
  return s == MetricShape::by_sector ? kClientSectorCount : s == MetricShape::by_stage ? kStageCount : 1;
}

struct MetricSpec {
  std::string_view name;
  MetricShape shape;
  std::string_view units;
  std::string_view long_name;
};

// Indices into kMetrics; the enum order is the table order.
enum Metric : int {
  support_spending, engagements, unmet_demand, priced_out,
  capacity_mean, capacity_p10, capacity_p50, capacity_p90, toolkit_share,
  collab_started, collab_succeeded, collab_failed, collab_failed_early, collab_lapsed, collab_participation,
  public_value, funds_held, funds_expired, grants_received,
  provider_revenue, provider_slots, voucher_pool, foundation_unspent, failed_by_stage,
  public_support_share, public_participation_share, public_sector_gap, public_support_ratio,
  kMetricCount
};

inline constexpr std::array<MetricSpec, kMetricCount> kMetrics = {{
    {"support_spending", MetricShape::by_sector, "USD per tick", "support spending (full price of engagements bought, voucher part included)"},
    {"engagements", MetricShape::by_sector, "engagements per tick", "support engagements bought"},
    {"unmet_demand", MetricShape::by_sector, "clients per tick", "demand that could afford a provider but was not matched"},
    {"priced_out", MetricShape::by_sector, "clients per tick", "demand that could afford no reachable provider or was dropped at payment"},
    {"capacity_mean", MetricShape::by_sector, "1", "mean collaboration capacity"},
    {"capacity_p10", MetricShape::by_sector, "1", "10th percentile of collaboration capacity"},
    {"capacity_p50", MetricShape::by_sector, "1", "median collaboration capacity"},
    {"capacity_p90", MetricShape::by_sector, "1", "90th percentile of collaboration capacity"},
    {"toolkit_share", MetricShape::by_sector, "1", "share of clients using the collaboration toolkit"},
    {"collab_started", MetricShape::by_sector, "collaborations per tick", "collaborations started, by lead sector"},
    {"collab_succeeded", MetricShape::by_sector, "collaborations per tick", "collaborations that passed evaluate, by lead sector"},
    {"collab_failed", MetricShape::by_sector, "collaborations per tick", "collaborations that failed a stage, by lead sector"},
    {"collab_failed_early", MetricShape::by_sector, "collaborations per tick", "collaborations that failed at diagnose or design, by lead sector (not in MODEL.md 8; see docs/MODEL.md)"},
    {"collab_lapsed", MetricShape::by_sector, "initiatives per tick", "initiatives without an accepting partner, by initiator sector"},
    {"collab_participation", MetricShape::by_sector, "member-collaborations", "members of collaborations active at the end of the tick"},
    {"public_value", MetricShape::by_sector, "value units per tick", "public value created by successful collaborations, by lead sector"},
    {"funds_held", MetricShape::by_sector, "USD", "support funds held at the end of the tick"},
    {"funds_expired", MetricShape::by_sector, "USD per tick", "unspent support funds returned at fiscal year start"},
    {"grants_received", MetricShape::by_sector, "USD per tick", "foundation capacity-building grants received (vouchers excluded)"},
    {"provider_revenue", MetricShape::scalar, "USD per tick", "revenue of all support providers"},
    {"provider_slots", MetricShape::scalar, "engagements per tick", "engagement slots of all providers at the end of the tick"},
    {"voucher_pool", MetricShape::scalar, "USD", "voucher pool balance at the end of the tick"},
    {"foundation_unspent", MetricShape::scalar, "USD per tick", "foundation capacity money left unspent (no eligible neighbour)"},
    {"failed_by_stage", MetricShape::by_stage, "collaborations per tick", "collaborations that failed, by the stage they failed in"},
    {"public_support_share", MetricShape::scalar, "1", "government share of support spending (NaN when nothing was spent or there are no governments)"},
    {"public_participation_share", MetricShape::scalar, "1", "government share of collaboration participation (NaN without participation or governments)"},
    {"public_sector_gap", MetricShape::scalar, "1", "public_participation_share minus public_support_share"},
    {"public_support_ratio", MetricShape::scalar, "1", "public_support_share divided by public_participation_share"},
}};

// Every metric of one run as [tick][width] row-major arrays, one per metric.
struct RunSeries {
  std::size_t ticks = 0;
  std::array<std::vector<double>, kMetricCount> values;

  explicit RunSeries(std::size_t tick_count = 0) : ticks(tick_count) {
    for (int m = 0; m < kMetricCount; ++m) values[m].assign(tick_count * width_of(kMetrics[m].shape), 0.0);
  }
  double& at(Metric m, std::size_t tick, int k = 0) { return values[m][tick * width_of(kMetrics[m].shape) + k]; }
  double at(Metric m, std::size_t tick, int k = 0) const { return values[m][tick * width_of(kMetrics[m].shape) + k]; }
};

}  // namespace xsector
