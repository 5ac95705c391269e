// Recording (MODEL.md 8, 11.12): the tick's flows as they were counted, and the end-of-tick
// states summarised per sector. Serial, in node order, so sums are reproducible.
#include <algorithm>
#include <cmath>
#include <limits>

#include "phases.hpp"

namespace xsector {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's default (linear) percentile of values[0..n), which it partially reorders.
double percentile(std::vector<double>& values, double q) {
  if (values.empty()) return kNaN;
  const double pos = q * static_cast<double>(values.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  const double low = values[lo];
  if (lo + 1 >= values.size()) return low;
  const double high = *std::min_element(values.begin() + lo + 1, values.end());
  return low + (pos - static_cast<double>(lo)) * (high - low);
}

double share(double part, double whole) { return whole > 0 ? part / whole : kNaN; }

void record_flows(const TickFlows& f, std::size_t t, RunSeries& out) {
  for (int s = 0; s < kClientSectorCount; ++s) {
    out.at(support_spending, t, s) = f.support_spending[s];
    out.at(engagements, t, s) = f.engagements[s];
    out.at(unmet_demand, t, s) = f.unmet_demand[s];
    out.at(priced_out, t, s) = f.priced_out[s];
    out.at(collab_started, t, s) = f.collab_started[s];
    out.at(collab_succeeded, t, s) = f.collab_succeeded[s];
    out.at(collab_failed, t, s) = f.collab_failed[s];
    out.at(collab_failed_early, t, s) = f.collab_failed_early[s];
    out.at(collab_lapsed, t, s) = f.collab_lapsed[s];
    out.at(public_value, t, s) = f.public_value[s];
    out.at(funds_expired, t, s) = f.funds_expired[s];
    out.at(grants_received, t, s) = f.grants_received[s];
  }
  for (int k = 0; k < kStageCount; ++k) out.at(failed_by_stage, t, k) = f.failed_by_stage[k];
  out.at(provider_revenue, t) = f.provider_revenue;
  out.at(foundation_unspent, t) = f.foundation_unspent;
}

void record_clients(const World& w, std::size_t t, RunSeries& out) {
  const auto& c = w.agents.clients;
  thread_local std::array<std::vector<double>, kClientSectorCount> capacities;
  std::array<double, kClientSectorCount> toolkit{}, funds{};
  for (auto& v : capacities) v.clear();
  for (NodeId v : c.ids) {
    const int s = index_of(w.network.sector(v));
    capacities[s].push_back(c.capacity[v]);
    toolkit[s] += c.toolkit[v];
    funds[s] += c.funds[v];
  }
  for (int s = 0; s < kClientSectorCount; ++s) {
    auto& cap = capacities[s];
    const double n = static_cast<double>(cap.size());
    double sum = 0;
    for (double x : cap) sum += x;
    out.at(capacity_mean, t, s) = cap.empty() ? kNaN : sum / n;
    out.at(toolkit_share, t, s) = cap.empty() ? kNaN : toolkit[s] / n;
    out.at(funds_held, t, s) = funds[s];
    out.at(capacity_p10, t, s) = percentile(cap, 0.10);
    out.at(capacity_p50, t, s) = percentile(cap, 0.50);
    out.at(capacity_p90, t, s) = percentile(cap, 0.90);
  }
}

void record_participation_and_gap(const World& w, const TickFlows& f, std::size_t t, RunSeries& out) {
  std::array<double, kClientSectorCount> members{};
  const Collaborations& col = w.collabs;
  for (std::size_t k = 0; k < col.size(); ++k) {
    members[index_of(w.network.sector(col.lead[k]))] += 1;
    for (int i = 0; i < col.partner_count[k]; ++i) members[index_of(w.network.sector(col.partners_of(k)[i]))] += 1;
  }
  double all_members = 0, all_spending = 0;
  for (int s = 0; s < kClientSectorCount; ++s) {
    out.at(collab_participation, t, s) = members[s];
    all_members += members[s];
    all_spending += f.support_spending[s];
  }
  const int gov = index_of(Sector::government);
  const double support = share(f.support_spending[gov], all_spending);
  const double participation = share(members[gov], all_members);
  out.at(public_support_share, t) = support;
  out.at(public_participation_share, t) = participation;
  out.at(public_sector_gap, t) = participation - support;
  out.at(public_support_ratio, t) = participation > 0 ? support / participation : kNaN;
}

}  // namespace

void run_recording(const World& w, const TickContext& ctx, const TickFlows& flows, RunSeries& out) {
  const auto t = static_cast<std::size_t>(ctx.tick);
  record_flows(flows, t, out);
  record_clients(w, t, out);
  record_participation_and_gap(w, flows, t, out);
  double slots = 0;
  for (auto s : w.agents.providers.slots) slots += s;
  out.at(provider_slots, t) = slots;
  out.at(voucher_pool, t) = w.voucher_pool;
}

}  // namespace xsector
