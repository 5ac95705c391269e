#pragma once
// Diffusion of the toolkit (MODEL.md 7.2).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/tick.hpp"

namespace xsector {

struct World;

struct DiffusionWorkspace {
  // Per node, its client neighbours holding the toolkit, and the toolkit flags (one bit per
  // node) those counts describe.
  std::vector<std::uint32_t> adopter_neighbours;
  std::vector<std::uint64_t> counted_bits, current_bits;
  std::vector<std::uint64_t> changed;  // node << 1 | gained the toolkit
  std::size_t capacity_bytes() const;
};

void run_diffusion(World& world, const TickContext& ctx);

}  // namespace xsector
