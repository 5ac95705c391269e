#include "scenario/interventions.hpp"

#include <cmath>

namespace xsector {

bool is_active(const Intervention& iv, std::int64_t tick, std::int64_t ticks_per_year) {
  const double year = static_cast<double>(tick) / static_cast<double>(ticks_per_year);
  return iv.start_year <= year && year < iv.end_year;
}

TickPolicy policy_at(const Params& params, const std::vector<Intervention>& interventions, std::int64_t tick,
                     std::size_t provider_count) {
  TickPolicy p;
  for (int s = 0; s < kClientSectorCount; ++s) {
    p.support_share[s] = params.sector[s].support_share;
    p.budget_factor[s] = 1.0;
    p.diffusion_p[s] = params.sector[s].diffusion_p;
  }
  p.public_share = params.foundation.public_share;
  p.public_channel = params.foundation.public_channel;
  p.toolkit_capacity_gain = params.diffusion.capacity_gain;

  // budget_change replaces per (sector, target); factors of several tables do not multiply.
  std::array<double, kClientSectorCount> share_factor{}, budget_factor{};
  share_factor.fill(1.0);
  budget_factor.fill(1.0);

  for (const Intervention& iv : interventions) {
    if (!is_active(iv, tick, params.simulation.ticks_per_year)) continue;
    switch (iv.type) {
      case InterventionType::foundation_public_support:
        p.public_share = iv.public_share;
        if (iv.sets_channel) p.public_channel = iv.public_channel;
        break;
      case InterventionType::membership_dissemination:
        p.diffusion_p[index_of(Sector::government)] += iv.p_extra;
        break;
      case InterventionType::graduate_programs:
        p.graduates = true;
        p.graduate_rate = iv.rate;
        p.graduate_capacity_gain = iv.capacity_gain;
        p.graduate_mindset_gain = iv.mindset_gain;
        break;
      case InterventionType::knowledge_mobilization:
        for (double& dp : p.diffusion_p) dp += iv.p_extra;
        p.toolkit_capacity_gain = params.diffusion.capacity_gain * (1.0 + iv.boost);
        break;
      case InterventionType::budget_change:
        (iv.target == BudgetTarget::support_share ? share_factor : budget_factor)[index_of(iv.sector)] = iv.factor;
        break;
      case InterventionType::compliance_toolkit:
        p.compliance_level = iv.level;
        p.compliance_providers =
            static_cast<std::int64_t>(std::floor(iv.share * static_cast<double>(provider_count) + 0.5));
        break;
    }
  }
  for (int s = 0; s < kClientSectorCount; ++s) {
    p.support_share[s] *= share_factor[s];
    p.budget_factor[s] = budget_factor[s];
  }
  return p;
}

}  // namespace xsector
