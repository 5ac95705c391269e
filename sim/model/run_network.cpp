#include "model/run_network.hpp"

#include <limits>
#include <string>

#include "core/errors.hpp"
#include "scenario/population.hpp"

namespace xsector {

SbmSpec sbm_spec(const Params& params) {
  SbmSpec spec;
  for (int a = 0; a < kSectorCount; ++a) {
    spec.count[a] = static_cast<std::uint64_t>(scaled_count(params, static_cast<Sector>(a)));
    spec.mean_degree[a] = params.network.mean_degree[a];
  }
  spec.homophily = params.network.homophily;
  spec.initial_trust = params.network.initial_trust;
  return spec;
}

void check_generated_population(const Params& params) {
  std::uint64_t nodes = 0;
  for (std::uint64_t n : sbm_spec(params).count) nodes += n;
  if (nodes >= std::numeric_limits<NodeId>::max())
    throw InputError("population: " + std::to_string(nodes) + " agents exceed the limit of 32-bit node ids");
}

std::vector<CappedBlock> capped_blocks(const Params& params) {
  if (!params.network.file.empty()) return {};
  return sbm_capped_blocks(sbm_spec(params));
}

Network build_network(const Params& params, std::uint64_t run_seed) {
  if (!params.network.file.empty()) return load_network(params.network.file, params.network.initial_trust);
  check_generated_population(params);
  return generate_sbm(sbm_spec(params), run_seed);
}

Network network_for(const Scenario& scenario, std::uint64_t run_seed) {
  Params params = scenario.params;
  params.network.file = network_file_path(scenario);
  return build_network(params, run_seed);
}

}  // namespace xsector
