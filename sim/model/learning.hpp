#pragma once
// Learning and decay (MODEL.md 7.5, 11.10).
#include "model/tick.hpp"

namespace xsector {

struct World;

void run_learning(World& world, const TickContext& ctx);

}  // namespace xsector
