#pragma once
// No NaN or infinity may enter agent state. check_finite scans every
// floating-point column of a World — client budgets, funds, capacity, mindset and
// compliance; provider price, quality, focus and staff; foundation giving; the trust of
// every tie; the voucher pool and the ledger's totals — and throws NumericError naming the
// first bad value, the phase that just ran and the tick. It reads every agent, so it costs
// about one pass over the state: Simulation runs it after each phase only when asked
// (always in Debug and sanitizer builds, see XSECTOR_CHECK_NUMBERS in sim/CMakeLists.txt).
#include <cstdint>
#include <string_view>

#include "model/world.hpp"

namespace xsector {

void check_finite(const World& world, std::string_view after_phase, std::int64_t tick);

}  // namespace xsector
