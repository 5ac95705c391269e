#include "summary.hpp"

#include <cstdio>
#include <string>

namespace xsector {

void print_final_year_summary(const RunSeries& s, std::int64_t ticks_per_year, std::ostream& out) {
  const std::size_t last = s.ticks - 1;
  const std::size_t first = s.ticks >= static_cast<std::size_t>(ticks_per_year) ? s.ticks - ticks_per_year : 0;
  auto year_sum = [&](Metric m, int k) {
    double sum = 0;
    for (std::size_t t = first; t <= last; ++t) sum += s.at(m, t, k);
    return sum;
  };
  double spending_all = 0, participation_all = 0;
  for (int k = 0; k < kClientSectorCount; ++k) {
    spending_all += year_sum(support_spending, k);
    participation_all += year_sum(collab_participation, k);
  }
  char line[256];
  out << "Final year (ticks " << first << "-" << last << "):\n";
  std::snprintf(line, sizeof line, "%-11s %16s %7s %9s %10s %10s %8s\n", "sector", "support $", "share",
                "capacity", "succeeded", "failed", "part.");
  out << line;
  for (int k = 0; k < kClientSectorCount; ++k) {
    const double spend = year_sum(support_spending, k), part = year_sum(collab_participation, k);
    std::snprintf(line, sizeof line, "%-11s %16.0f %7.3f %9.3f %10.0f %10.0f %8.3f\n",
                  std::string(kSectorNames[k]).c_str(), spend, spending_all > 0 ? spend / spending_all : 0.0,
                  s.at(capacity_mean, last, k), year_sum(collab_succeeded, k), year_sum(collab_failed, k),
                  participation_all > 0 ? part / participation_all : 0.0);
    out << line;
  }
  const double gov_support = spending_all > 0 ? year_sum(support_spending, 0) / spending_all : 0.0;
  const double gov_part = participation_all > 0 ? year_sum(collab_participation, 0) / participation_all : 0.0;
  std::snprintf(line, sizeof line,
                "public sector gap (participation share - support share): %.3f - %.3f = %+.3f\n", gov_part,
                gov_support, gov_part - gov_support);
  out << line;
}

}  // namespace xsector
