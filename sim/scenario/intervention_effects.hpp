#pragma once
// What each intervention key changes while its intervention is active (MODEL.md 7.7,
// 11.11), and what happens when two active [[intervention]] tables of one type both
// change it: the later table's value replaces the earlier's, or the values add. This table
// is the one statement of that rule: policy_at (interventions.cpp) applies it,
// intervention_notes reports where a later table replaces an earlier one, and
// docs/PARAMETERS.md states it.
#include <array>
#include <stdexcept>
#include <string_view>

#include "scenario/params.hpp"

namespace xsector {

enum class Overlap { replaces, adds };

struct InterventionEffect {
  InterventionType type;
  std::string_view key;  // the intervention key whose value takes effect
  Overlap overlap;       // when a later active table of the same type has the key too
  // Keys on which two tables must agree to change the same thing (a budget_change scales
  // one sector's support share or budget); none: every table of the type changes it.
  std::array<std::string_view, 2> same_when{};
};

// Every key with an effect, by type in enum order. Keys not listed only select what is
// changed (budget_change's sector and target) or when (start_year, end_year).
inline constexpr std::array<InterventionEffect, 11> kInterventionEffects = {{
    {InterventionType::foundation_public_support, "public_share", Overlap::replaces},
    {InterventionType::foundation_public_support, "public_channel", Overlap::replaces},
    {InterventionType::membership_dissemination, "p_extra", Overlap::adds},
    {InterventionType::graduate_programs, "rate", Overlap::replaces},
    {InterventionType::graduate_programs, "capacity_gain", Overlap::replaces},
    {InterventionType::graduate_programs, "mindset_gain", Overlap::replaces},
    {InterventionType::knowledge_mobilization, "p_extra", Overlap::adds},
    {InterventionType::knowledge_mobilization, "boost", Overlap::replaces},
    {InterventionType::budget_change, "factor", Overlap::replaces, {"sector", "target"}},
    {InterventionType::compliance_toolkit, "level", Overlap::replaces},
    {InterventionType::compliance_toolkit, "share", Overlap::replaces},
}};

// The row of `key` of `type`. Asking for a key without an effect is a programming error.
constexpr const InterventionEffect& intervention_effect(InterventionType type, std::string_view key) {
  for (const InterventionEffect& effect : kInterventionEffects)
    if (effect.type == type && effect.key == key) return effect;
  throw std::logic_error("intervention_effect: no effect listed for this key");
}

}  // namespace xsector
