#pragma once
// The phases of MODEL.md section 3, in the order the tick runs them. Each reads the state
// as it was at the start of the phase and says in its own file how it resolves conflicts,
// so that the result does not depend on the number of threads.
#include "model/metrics.hpp"
#include "model/tick_flows.hpp"
#include "model/world.hpp"

namespace xsector {

void run_funding(World& world, const TickContext& ctx, TickFlows& flows);        // 7.1
void run_diffusion(World& world, const TickContext& ctx);                        // 7.2
void run_collaboration(World& world, const TickContext& ctx, TickFlows& flows);  // 7.3
void run_market(World& world, const TickContext& ctx, TickFlows& flows);         // 7.4
void run_learning(World& world, const TickContext& ctx);                         // 7.5
void run_recording(const World& world, const TickContext& ctx, const TickFlows& flows,
                   RunSeries& series);  // 8

}  // namespace xsector
