#pragma once
// The network of a run (MODEL.md 5): generated from the scenario's population and network
// keys, or loaded from network.file.
#include <cstdint>
#include <vector>

#include "network/network.hpp"
#include "network/sbm.hpp"
#include "scenario/params.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

// The generator's input: the sector counts after population.scale and the network keys.
SbmSpec sbm_spec(const Params& params);

// Refuses a generated population that 32-bit node ids cannot number (InputError).
void check_generated_population(const Params& params);

// The capped block pairs of the generated network (sbm_capped_blocks); none when
// network.file is set.
std::vector<CappedBlock> capped_blocks(const Params& params);

// Generated or loaded, per network.file (a path as given: relative to the working folder).
Network build_network(const Params& params, std::uint64_t run_seed);

// The network of a scenario's run, resolving network.file relative to the scenario file.
Network network_for(const Scenario& scenario, std::uint64_t run_seed);

}  // namespace xsector
