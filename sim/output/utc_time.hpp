#pragma once
// The current time as ISO 8601 UTC ("2026-11-25T18:30:00Z"): the start and end times that
// every results file records (run, sweep, MPI sweep and merge alike).
#include <string>

namespace xsector {

std::string utc_now_iso8601();

}  // namespace xsector
