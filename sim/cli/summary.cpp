#include "cli/summary.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <boost/math/distributions/students_t.hpp>

namespace xsector {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double share(double part, double whole) { return whole > 0 ? part / whole : kNaN; }

double sum(const std::array<double, kClientSectorCount>& a) {
  double s = 0;
  for (double x : a) s += x;
  return s;
}

}  // namespace

double participation_share(const FinalYear& y, int sector) {
  return share(y.participation[sector], sum(y.participation));
}
double spending_share(const FinalYear& y, int sector) { return share(y.spending[sector], sum(y.spending)); }
double gap_of(const FinalYear& y) { return participation_share(y, 0) - spending_share(y, 0); }

MeanInterval mean_interval(const std::vector<double>& values) {
  MeanInterval out;
  double total = 0;
  for (double x : values)
    if (std::isfinite(x)) total += x, ++out.n;
  if (out.n == 0) return {kNaN, kNaN, kNaN, 0};
  const double n = static_cast<double>(out.n);
  out.mean = total / n;
  if (out.n < 2) {
    out.lower = out.upper = kNaN;
    return out;
  }
  double squares = 0;  // about the mean, in a second pass: no cancellation
  for (double x : values)
    if (std::isfinite(x)) squares += (x - out.mean) * (x - out.mean);
  const double t = boost::math::quantile(boost::math::students_t(n - 1), 0.975);
  const double half = t * std::sqrt(squares / (n - 1) / n);
  out.lower = out.mean - half;
  out.upper = out.mean + half;
  return out;
}

FinalYear final_year_of(const RunSeries& s, std::int64_t ticks_per_year) {
  return ticks_of(s, s.ticks >= static_cast<std::size_t>(ticks_per_year) ? s.ticks - ticks_per_year : 0, s.ticks - 1);
}

FinalYear ticks_of(const RunSeries& s, std::size_t first_tick, std::size_t last_tick) {
  FinalYear y;
  y.first_tick = first_tick;
  y.last_tick = last_tick;
  for (int k = 0; k < kClientSectorCount; ++k) {
    for (std::size_t t = y.first_tick; t <= y.last_tick; ++t) {
      y.spending[k] += s.at(support_spending, t, k);
      y.participation[k] += s.at(collab_participation, t, k);
      y.succeeded[k] += s.at(collab_succeeded, t, k);
      y.failed[k] += s.at(collab_failed, t, k);
    }
    y.capacity[k] = s.at(capacity_mean, y.last_tick, k);
  }
  return y;
}

void print_final_year_summary(const std::vector<FinalYear>& runs, std::ostream& out) {
  if (runs.empty()) return;
  const double n = static_cast<double>(runs.size());
  FinalYear mean;
  for (const FinalYear& y : runs)
    for (int k = 0; k < kClientSectorCount; ++k) {
      mean.spending[k] += y.spending[k] / n;
      mean.participation[k] += y.participation[k] / n;
      mean.capacity[k] += y.capacity[k] / n;
      mean.succeeded[k] += y.succeeded[k] / n;
      mean.failed[k] += y.failed[k] / n;
    }
  char line[256];
  out << "Final year (ticks " << runs[0].first_tick << "-" << runs[0].last_tick << ")"
      << (runs.size() > 1 ? ", mean of " + std::to_string(runs.size()) + " replicates" : std::string()) << ":\n";
  std::snprintf(line, sizeof line, "%-11s %16s %7s %9s %10s %10s %8s\n", "sector", "support $", "share",
                "capacity", "succeeded", "failed", "part.");
  out << line;
  for (int k = 0; k < kClientSectorCount; ++k) {
    std::snprintf(line, sizeof line, "%-11s %16.0f %7.3f %9.3f %10.1f %10.1f %8.3f\n",
                  std::string(kSectorNames[k]).c_str(), mean.spending[k], share(mean.spending[k], sum(mean.spending)),
                  mean.capacity[k], mean.succeeded[k], mean.failed[k],
                  share(mean.participation[k], sum(mean.participation)));
    out << line;
  }
  // The gap of each run, then their mean and Student-t interval: the spread between
  // replicates is what tells a real effect from one run's luck.
  std::vector<double> gaps;
  for (const FinalYear& y : runs) gaps.push_back(gap_of(y));
  const MeanInterval gap = mean_interval(gaps);
  if (gap.n == 0) {
    out << "public sector gap: undefined (no support spending or no participation in the final year)\n";
  } else if (runs.size() == 1) {
    std::snprintf(line, sizeof line,
                  "public sector gap (participation share - support share): %+.4f: a single stochastic run, "
                  "no interval (add --replicates 20 for one)\n",
                  gap.mean);
    out << line;
  } else {
    std::snprintf(line, sizeof line,
                  "public sector gap (participation share - support share): mean %+.4f, 95%% interval "
                  "[%+.4f, %+.4f] (Student t, n = %zu replicates)\n",
                  gap.mean, gap.lower, gap.upper, gap.n);
    out << line;
  }
}

}  // namespace xsector
