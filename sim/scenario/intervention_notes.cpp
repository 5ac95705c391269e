#include "scenario/intervention_notes.hpp"

#include <algorithm>

#include "scenario/param_table.hpp"

namespace xsector {
namespace {

// Whether `later` replaces something `earlier` sets while both are active (the rules of
// policy_at in sim/scenario/interventions.cpp).
bool replaces(const Intervention& later, const Intervention& earlier) {
  if (later.type != earlier.type) return false;
  switch (later.type) {
    case InterventionType::membership_dissemination: return false;  // p_extra adds
    case InterventionType::budget_change: return later.sector == earlier.sector && later.target == earlier.target;
    default: return true;
  }
}

std::string years(double start, double end) { return format_real(start) + "-" + format_real(end); }

}  // namespace

std::vector<std::string> intervention_notes(const Scenario& scenario) {
  std::vector<std::string> notes;
  const auto& ivs = scenario.interventions;
  for (std::size_t i = 0; i < ivs.size(); ++i) {
    for (std::size_t j = i + 1; j < ivs.size(); ++j) {
      const Intervention& a = ivs[i];
      const Intervention& b = ivs[j];
      if (!replaces(b, a)) continue;
      const double from = std::max(a.start_year, b.start_year), to = std::min(a.end_year, b.end_year);
      if (from >= to) continue;  // windows [start, end) do not overlap
      const std::string earlier = "intervention." + std::to_string(i), later = "intervention." + std::to_string(j);
      std::string note = "note: " + scenario.source + ": " + later + " (" +
                         std::string(intervention_type_name(b.type)) + ", years " + years(b.start_year, b.end_year) +
                         ") replaces " + earlier + " (years " + years(a.start_year, a.end_year) + ")";
      if (b.type == InterventionType::knowledge_mobilization) note += "'s boost";
      note += " from year " + format_real(from) + " to " + format_real(to);
      if (b.start_year <= a.start_year && b.end_year >= a.end_year && b.type != InterventionType::knowledge_mobilization)
        note += "; " + earlier + " never takes effect";
      notes.push_back(note + " (the later table replaces the earlier while both are active)");
    }
  }
  return notes;
}

}  // namespace xsector
