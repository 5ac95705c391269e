#include "scenario/intervention_notes.hpp"

#include <algorithm>

#include "scenario/intervention_effects.hpp"
#include "scenario/param_table.hpp"

namespace xsector {
namespace {

// Whether `later` and `earlier` agree on the keys that choose what `effect` changes.
bool change_the_same(const InterventionEffect& effect, const Intervention& later, const Intervention& earlier) {
  for (std::string_view key : effect.same_when) {
    if (key.empty()) continue;
    const ParamSpec& spec = *find_intervention_key(effect.type, key);
    if (intervention_value(later, spec) != intervention_value(earlier, spec)) return false;
  }
  return true;
}

// The keys of `earlier` that `later` replaces while both are active (empty: the two combine
// or change different things), and whether those are all of the keys with an effect.
struct Replacement {
  std::vector<std::string_view> keys;
  bool everything = true;
};

Replacement replacement(const Intervention& later, const Intervention& earlier) {
  Replacement replaced;
  if (later.type != earlier.type) return replaced;
  for (const InterventionEffect& effect : kInterventionEffects) {
    if (effect.type != later.type) continue;
    if (effect.overlap == Overlap::replaces && change_the_same(effect, later, earlier))
      replaced.keys.push_back(effect.key);
    else
      replaced.everything = false;
  }
  return replaced;
}

std::string years(double start, double end) { return format_real(start) + "-" + format_real(end); }

}  // namespace

std::vector<std::string> intervention_notes(const Scenario& scenario) {
  std::vector<std::string> notes;
  const std::vector<Intervention>& interventions = scenario.interventions;
  for (std::size_t i = 0; i < interventions.size(); ++i) {
    for (std::size_t j = i + 1; j < interventions.size(); ++j) {
      const Intervention& earlier = interventions[i];
      const Intervention& later = interventions[j];
      const Replacement replaced = replacement(later, earlier);
      if (replaced.keys.empty()) continue;
      const double from = std::max(earlier.start_year, later.start_year);
      const double to = std::min(earlier.end_year, later.end_year);
      if (from >= to) continue;  // windows [start, end) do not overlap
      const std::string earlier_name = "intervention." + std::to_string(i);
      const std::string later_name = "intervention." + std::to_string(j);
      std::string note = "note: " + scenario.source + ": " + later_name + " (" +
                         std::string(intervention_type_name(later.type)) + ", years " +
                         years(later.start_year, later.end_year) + ") replaces " + earlier_name + " (years " +
                         years(earlier.start_year, earlier.end_year) + ")";
      if (!replaced.everything) {
        // Name what is replaced when the rest still takes effect (knowledge_mobilization's p_extra adds).
        note += "'s";
        for (std::size_t k = 0; k < replaced.keys.size(); ++k) note += (k ? ", " : " ") + std::string(replaced.keys[k]);
      }
      note += " from year " + format_real(from) + " to " + format_real(to);
      const bool covered = later.start_year <= earlier.start_year && later.end_year >= earlier.end_year;
      if (covered && replaced.everything) note += "; " + earlier_name + " never takes effect";
      notes.push_back(note + " (the later table replaces the earlier while both are active)");
    }
  }
  return notes;
}

}  // namespace xsector
