#include "model/finite_check.hpp"

#include <cmath>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include "core/errors.hpp"

namespace xsector {

namespace {

// The smallest index whose value is not finite, if any. Parallel, but the answer is the
// first bad index whatever the thread count, so the message does not depend on it.
std::optional<std::size_t> first_non_finite(std::span<const double> values) {
  const std::size_t none = values.size();
  const std::size_t first = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, values.size(), 1 << 14), none,
      [&](const tbb::blocked_range<std::size_t>& r, std::size_t found) {
        for (std::size_t i = r.begin(); i < r.end() && i < found; ++i)
          if (!std::isfinite(values[i])) return i;
        return found;
      },
      [](std::size_t a, std::size_t b) { return a < b ? a : b; });
  if (first == none) return std::nullopt;
  return first;
}

[[noreturn]] void fail(std::string_view column, std::string_view index_name, std::size_t index, double value,
                       std::string_view after_phase, std::int64_t tick) {
  std::ostringstream message;
  message << "numeric failure: " << column << " of " << index_name << ' ' << index << " is " << value
          << " after the " << after_phase << " phase of tick " << tick
          << " (no NaN or infinity may enter agent state; the parameters drive a value out of range)";
  throw NumericError(message.str());
}

void check_column(const std::vector<double>& values, std::string_view column, std::string_view index_name,
                  std::string_view after_phase, std::int64_t tick) {
  if (auto i = first_non_finite(values)) fail(column, index_name, *i, values[*i], after_phase, tick);
}

void check_value(double value, std::string_view what, std::string_view after_phase, std::int64_t tick) {
  if (!std::isfinite(value)) fail(what, "run", 0, value, after_phase, tick);
}

}  // namespace

void check_finite(const World& world, std::string_view after_phase, std::int64_t tick) {
  const Agents& a = world.agents;
  // Client columns are indexed by node id; entries of non-clients stay 0, so whole columns
  // can be scanned and the index reported is the node id.
  check_column(a.clients.budget, "client budget", "node", after_phase, tick);
  check_column(a.clients.funds, "client funds", "node", after_phase, tick);
  check_column(a.clients.capacity, "client capacity", "node", after_phase, tick);
  check_column(a.clients.mindset, "client mindset", "node", after_phase, tick);
  check_column(a.clients.compliance, "client compliance", "node", after_phase, tick);
  check_column(a.providers.price, "provider price", "provider", after_phase, tick);
  check_column(a.providers.quality, "provider quality", "provider", after_phase, tick);
  check_column(a.providers.focus, "provider focus", "provider", after_phase, tick);
  check_column(a.providers.staff, "provider staff", "provider", after_phase, tick);
  check_column(a.foundations.giving, "foundation giving", "foundation", after_phase, tick);
  check_column(a.trust, "trust", "tie", after_phase, tick);
  check_value(world.voucher_pool, "voucher pool", after_phase, tick);
  check_value(world.ledger.allocated, "ledger total allocated", after_phase, tick);
  check_value(world.ledger.paid, "ledger total paid", after_phase, tick);
  check_value(world.ledger.expired, "ledger total expired", after_phase, tick);
  check_value(world.ledger.unspent, "ledger total unspent", after_phase, tick);
}

}  // namespace xsector
