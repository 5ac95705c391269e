#include "cli/provenance.hpp"

#include <cstdint>
#include <cstdio>
#include <sstream>

#include "model/run_network.hpp"
#include "core/version.hpp"

namespace xsector {

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

static std::string sweep_text(const Scenario& s) {
  if (!s.sweep) return "";
  std::ostringstream out;
  out << "method=" << static_cast<int>(s.sweep->method) << ";replicates=" << s.sweep->replicates
      << ";samples=" << s.sweep->samples << ";seed=" << s.sweep->seed;
  out.precision(17);
  for (const auto& axis : s.sweep->axes) {
    out << ";" << axis.path << "=[";
    for (const auto& v : axis.values) std::visit([&](const auto& x) { out << x << ","; }, v);
    out << "]" << axis.low << ":" << axis.high;
  }
  return out.str();
}

std::string scenario_digest(const Scenario& scenario) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : resolved_parameters_toml(scenario) + "\n#sweep " + sweep_text(scenario)) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

FileHeader base_header(const Scenario& scenario, const std::string& kind, const std::string& command_line,
                       int threads) {
  FileHeader h;
  h.kind = kind;
  h.program_version = program_version();
  h.scenario_name = scenario.name;
  h.scenario_toml = scenario.toml_text;
  h.resolved_parameters = resolved_parameters_toml(scenario);
  h.scenario_digest = scenario_digest(scenario);
  h.overrides = scenario.overrides;
  h.command_line = command_line;
  h.start_time = utc_now_iso8601();
  h.threads = threads;
  h.ticks = scenario.params.simulation.years * scenario.params.simulation.ticks_per_year;
  h.ticks_per_year = scenario.params.simulation.ticks_per_year;
  for (const CappedBlock& block : capped_blocks(scenario.params)) h.sbm_capped_blocks.push_back(describe(block));
  return h;
}

}  // namespace xsector
