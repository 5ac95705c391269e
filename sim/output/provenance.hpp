#pragma once
// Provenance written into every output file: times, the command line, a digest of the
// resolved scenario (what --resume and merge compare).
#include <string>
#include <vector>

#include "output/results_file.hpp"
#include "output/utc_time.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

std::string joined_command_line(int argc, char** argv);
// FNV-1a 64 of the resolved parameters and the sweep table, as 16 hex digits.
std::string scenario_digest(const Scenario& scenario);
// The header fields every file shares; the caller adds runs and swept paths.
FileHeader base_header(const Scenario& scenario, const std::string& kind, const std::string& command_line,
                       int threads);

}  // namespace xsector
