#pragma once
// The stochastic block model of MODEL.md 5: nodes numbered by sector, ties drawn per block
// pair with the probabilities that give each sector its mean degree, with homophily.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/sector.hpp"
#include "network/network.hpp"

namespace xsector {

// What the generator needs: node counts (after population.scale) and the network keys.
struct SbmSpec {
  std::array<std::uint64_t, kSectorCount> count{};
  std::array<double, kSectorCount> mean_degree{};
  double homophily = 0;  // clients only; providers and foundations mix openly
  double initial_trust = 0;
};

// Where the SBM cannot reach its target because a tie probability is capped at 1.
struct CappedBlock {
  Sector a, b;
  double wanted_ties;    // expected ties: E_ab for a != b, E_aa / 2 inside a block
  double possible_ties;  // number of pairs
};

// The generator in O(N + E): per block pair, geometric skipping over the pairs. Random
// draws come from streams keyed by `run_seed` (random.hpp).
Network generate_sbm(const SbmSpec& spec, std::uint64_t run_seed);

// The block pairs whose tie probability is capped at 1, so that the realised degrees fall
// short of the mean degree (MODEL.md 5: "report it"). They depend on the counts and
// degrees alone, not on the seed, so `validate` reports them without sampling.
std::vector<CappedBlock> sbm_capped_blocks(const SbmSpec& spec);

// "government-government: 37.5 ties wanted, 3 pairs possible"
std::string describe(const CappedBlock& block);

}  // namespace xsector
