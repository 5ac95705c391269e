#include "model/ledger.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/errors.hpp"

namespace xsector {

void Ledger::check(double funds_held, double voucher_pool, std::int64_t tick, std::string_view phase) const {
  const double accounted = funds_held + voucher_pool + paid + expired + unspent;
  const double scale = std::max({1.0, std::abs(allocated), std::abs(accounted)});
  if (std::abs(allocated - accounted) <= 1e-9 * scale && std::isfinite(accounted)) return;
  std::ostringstream msg;
  msg.precision(17);
  msg << "money ledger does not balance at tick " << tick << " after the " << phase << " phase: allocated "
      << allocated << " but accounted " << accounted << " (funds " << funds_held << ", voucher pool " << voucher_pool
      << ", paid " << paid << ", expired " << expired << ", unspent " << unspent << ")";
  throw LedgerError(msg.str());
}

}  // namespace xsector
