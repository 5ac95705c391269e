#pragma once
// Interventions (MODEL.md 7.7, 11.11) resolved into the policy in force at one tick: the
// phases read a TickPolicy and never look at intervention tables themselves.
#include <array>
#include <cstdint>
#include <vector>

#include "scenario/params.hpp"

namespace xsector {

struct TickPolicy {
  // Funding
  std::array<double, kClientSectorCount> support_share{};
  std::array<double, kClientSectorCount> budget_factor{};
  double public_share = 0;
  Channel public_channel = Channel::grant;
  // Diffusion
  std::array<double, kClientSectorCount> diffusion_p{};
  double toolkit_capacity_gain = 0;
  // Learning: graduate programmes for governments
  bool graduates = false;
  double graduate_rate = 0, graduate_capacity_gain = 0, graduate_mindset_gain = 0;
  // Market: compliance toolkit for the first `compliance_providers` in pick order
  std::int64_t compliance_providers = 0;
  double compliance_level = 0;
};

bool is_active(const Intervention& intervention, std::int64_t tick, std::int64_t ticks_per_year);

// The policy at `tick`: base parameters, then active interventions in file order, a later
// table replacing or adding to an earlier one as intervention_effects.hpp says.
TickPolicy policy_at(const Params& params, const std::vector<Intervention>& interventions, std::int64_t tick,
                     std::size_t provider_count);

}  // namespace xsector
