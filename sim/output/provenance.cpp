#include "output/provenance.hpp"

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

// Everything that decides a sweep's points, for the digest that --resume and merge compare.
// A grid, zip or uniform lhs sweep gives the text it gave before distributions and the
// sobol and morris methods existed, so that files written then can still be resumed.
static std::string sweep_text(const Scenario& s) {
  if (!s.sweep) return "";
  const SweepSpec& sweep = *s.sweep;
  std::ostringstream out;
  out << "method=" << static_cast<int>(sweep.method) << ";replicates=" << sweep.replicates
      << ";samples=" << sweep.samples << ";seed=" << sweep.seed;
  if (sweep.method == SweepMethod::morris) out << ";trajectories=" << sweep.trajectories << ";levels=" << sweep.levels;
  out.precision(17);
  for (const auto& axis : sweep.axes) {
    const Distribution& d = axis.distribution;
    out << ";" << axis.path << "=[";
    for (const auto& v : axis.values) std::visit([&](const auto& x) { out << x << ","; }, v);
    out << "]" << d.low << ":" << d.high;
    if (d.kind != DistributionKind::uniform) out << "~" << distribution_name(d.kind) << ":" << d.mean << ":" << d.sd;
  }
  for (const SweepArm& arm : sweep.arms) {
    out << ";arm " << arm.name << "={";
    for (const auto& [path, value] : arm.settings) {
      out << path << "=";
      std::visit([&](const auto& x) { out << x; }, value);
      out << ",";
    }
    out << "}";
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
