// xsector_digest: prints a 64-bit digest of every metric series and of the final agent
// state for a fixed set of runs, so that an optimisation can be checked for bit-identity
// against the engine before it (docs/PERFORMANCE.md, "Checking bit-identity").
//
//   xsector_digest [--threads N] [--set path=value ...] [SCENARIO_DIR]
//
// With --set, only the baseline with those overrides is run (e.g. a large population).
// The runs: the baseline and the eight intervention scenarios of SCENARIO_DIR (default
// "scenarios") at 10 years, plus the baseline at scale 3 with three seeds, and the baseline under
// `--set foundation.public_channel=voucher`.
#include <algorithm>
#include <memory>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "scenario/scenario.hpp"
#include "model/simulation.hpp"

namespace {

struct Fnv {
  std::uint64_t h = 1469598103934665603ULL;
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
  }
  template <class T>
  void vec(const std::vector<T>& v) { bytes(v.data(), v.size() * sizeof(T)); }
};

// Final state only through the columns' values at the client nodes, so that a change of
// layout (types, padding of unused entries) does not change the digest, only a change of
// values does.
std::uint64_t digest(const xsector::Simulation& sim) {
  Fnv f;
  for (const auto& m : sim.series().values) f.vec(m);
  const auto& w = sim.world();
  const auto& c = w.agents.clients;
  for (xsector::NodeId v : c.ids) {
    const double x[4] = {double(c.budget[v]), double(c.funds[v]), double(c.capacity[v]), double(c.mindset[v])};
    const int t[2] = {int(c.toolkit[v]), int(c.active[v])};
    f.bytes(x, sizeof x);
    f.bytes(t, sizeof t);
  }
  for (std::size_t e = 0; e < w.network.tie_count(); ++e) {
    const double t = w.agents.trust[e];
    f.bytes(&t, sizeof t);
  }
  f.bytes(&w.voucher_pool, sizeof w.voucher_pool);
  for (std::size_t j = 0; j < w.agents.providers.size(); ++j) {
    const double s = w.agents.providers.staff[j];
    f.bytes(&s, sizeof s);
  }
  return f.h;
}

void run(const std::string& label, const xsector::Scenario& s) {
  xsector::Simulation sim(s, {});
  sim.run();
  std::printf("%-40s %016llx\n", label.c_str(), static_cast<unsigned long long>(digest(sim)));
}

}  // namespace

int digests(int argc, char** argv) {
  int threads = 0;
  std::string dir = "scenarios";
  std::vector<std::string> sets;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--set") && i + 1 < argc) sets.push_back(argv[++i]);
    else if (argv[i][0] == '-') {
      std::fprintf(stderr, "usage: xsector_digest [--threads N] [--set path=value ...] [SCENARIO_DIR]\n");
      return std::strcmp(argv[i], "--help") && std::strcmp(argv[i], "-h") ? 2 : 0;
    } else dir = argv[i];
  }
  std::unique_ptr<tbb::global_control> limit;
  if (threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);
  if (!sets.empty()) {
    run("baseline with --set", xsector::load_scenario(dir + "/baseline.toml", sets));
    return 0;
  }
  for (const char* name : {"baseline.toml", "compliance_toolkit.toml", "foundation_public_support.toml",
                           "government_support_budget.toml", "graduate_programs.toml", "knowledge_mobilization.toml",
                           "membership_dissemination.toml", "policy_mix.toml", "recession.toml"}) {
    const std::filesystem::path p = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(p)) run(name, xsector::load_scenario(p.string()));
  }
  const std::string base = dir + "/baseline.toml";
  for (int seed = 1; seed <= 3; ++seed)
    run("baseline x3 seed " + std::to_string(seed),
        xsector::load_scenario(base, {"population.scale=3", "simulation.seed=" + std::to_string(seed)}));
  run("baseline voucher", xsector::load_scenario(base, {"foundation.public_channel=\"voucher\"", "foundation.public_share=0.3"}));
  run("baseline carryover off", xsector::load_scenario(base, {"sector.business.carryover=false", "collab.partners=3", "collab.max_active=3"}));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return digests(argc, argv);
  } catch (const std::exception& e) {  // a missing scenario directory, a bad --set
    std::fprintf(stderr, "xsector_digest: %s\n", e.what());
    return 2;
  }
}
