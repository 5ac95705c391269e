#include "scenario/interventions.hpp"

#include <cmath>
#include <type_traits>

#include "scenario/intervention_effects.hpp"

namespace xsector {
namespace {

// A channel cannot be summed; `apply` below would silently replace it.
static_assert(intervention_effect(InterventionType::foundation_public_support, "public_channel").overlap ==
              Overlap::replaces);

// Puts what `key` of an active intervention contributes into the policy value `slot`,
// combined with what an earlier active table put there as kInterventionEffects says.
template <class T>
void apply(T& slot, const T& value, InterventionType type, std::string_view key) {
  if constexpr (std::is_arithmetic_v<T>) {
    if (intervention_effect(type, key).overlap == Overlap::adds) {
      slot += value;
      return;
    }
  }
  slot = value;
}

}  // namespace

bool is_active(const Intervention& intervention, std::int64_t tick, std::int64_t ticks_per_year) {
  const double year = static_cast<double>(tick) / static_cast<double>(ticks_per_year);
  return intervention.start_year <= year && year < intervention.end_year;
}

TickPolicy policy_at(const Params& params, const std::vector<Intervention>& interventions, std::int64_t tick,
                     std::size_t provider_count) {
  TickPolicy policy;
  for (int s = 0; s < kClientSectorCount; ++s) {
    policy.support_share[s] = params.sector[s].support_share;
    policy.budget_factor[s] = 1.0;
    policy.diffusion_p[s] = params.sector[s].diffusion_p;
  }
  policy.public_share = params.foundation.public_share;
  policy.public_channel = params.foundation.public_channel;
  policy.toolkit_capacity_gain = params.diffusion.capacity_gain;

  // budget_change factors scale the base values once, after every table had its say.
  std::array<double, kClientSectorCount> share_factor{}, budget_factor{};
  share_factor.fill(1.0);
  budget_factor.fill(1.0);

  for (const Intervention& intervention : interventions) {
    if (!is_active(intervention, tick, params.simulation.ticks_per_year)) continue;
    const InterventionType type = intervention.type;
    switch (type) {
      case InterventionType::foundation_public_support:
        apply(policy.public_share, intervention.public_share, type, "public_share");
        if (intervention.sets_channel)
          apply(policy.public_channel, intervention.public_channel, type, "public_channel");
        break;
      case InterventionType::membership_dissemination:
        apply(policy.diffusion_p[index_of(Sector::government)], intervention.p_extra, type, "p_extra");
        break;
      case InterventionType::graduate_programs:
        policy.graduates = true;
        apply(policy.graduate_rate, intervention.rate, type, "rate");
        apply(policy.graduate_capacity_gain, intervention.capacity_gain, type, "capacity_gain");
        apply(policy.graduate_mindset_gain, intervention.mindset_gain, type, "mindset_gain");
        break;
      case InterventionType::knowledge_mobilization:
        for (double& diffusion_p : policy.diffusion_p) apply(diffusion_p, intervention.p_extra, type, "p_extra");
        apply(policy.toolkit_capacity_gain, params.diffusion.capacity_gain * (1.0 + intervention.boost), type, "boost");
        break;
      case InterventionType::budget_change: {
        auto& factors = intervention.target == BudgetTarget::support_share ? share_factor : budget_factor;
        apply(factors[index_of(intervention.sector)], intervention.factor, type, "factor");
        break;
      }
      case InterventionType::compliance_toolkit:
        apply(policy.compliance_level, intervention.level, type, "level");
        apply(policy.compliance_providers,
              static_cast<std::int64_t>(std::floor(intervention.share * static_cast<double>(provider_count) + 0.5)),
              type, "share");
        break;
    }
  }
  for (int s = 0; s < kClientSectorCount; ++s) {
    policy.support_share[s] *= share_factor[s];
    policy.budget_factor[s] = budget_factor[s];
  }
  return policy;
}

}  // namespace xsector
