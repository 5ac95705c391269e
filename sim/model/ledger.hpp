#pragma once
// The money ledger of MODEL.md 7.1: every dollar allocated to support is in some client's
// funds, in the voucher pool, paid to a provider, expired, or recorded as unspent.
#include <cstdint>
#include <string_view>

namespace xsector {

struct Ledger {
  // Cumulative since the start of the run.
  double allocated = 0;  // client support allocations + foundation capacity money
  double paid = 0;       // to providers (voucher part included)
  double expired = 0;
  double unspent = 0;

  // Throws LedgerError naming the tick and phase if the books do not balance to 1e-9
  // relative: allocated == funds_held + voucher_pool + paid + expired + unspent.
  void check(double funds_held, double voucher_pool, std::int64_t tick, std::string_view phase) const;
};

}  // namespace xsector
