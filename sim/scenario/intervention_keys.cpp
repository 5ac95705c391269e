// The keys of an [[intervention]] table (MODEL.md 7.7, 11.11): those every type shares and
// each type's own, as rows of the parameter table. What a key changes while the
// intervention is active, and how two active tables combine, is intervention_effects.hpp.
#include <array>

#include "scenario/param_table.hpp"
#include "scenario/row_builders.hpp"

namespace xsector {
namespace {

using namespace rows;

template <class T>
std::function<FieldRef(Intervention&)> intervention_field(T Intervention::*member) {
  return [member](Intervention& intervention) -> FieldRef { return &(intervention.*member); };
}

std::vector<std::string> intervention_type_names() {
  return {kInterventionTypeNames.begin(), kInterventionTypeNames.end()};
}

std::vector<std::string> client_sector_names() {
  return {kSectorNames.begin(), kSectorNames.begin() + kClientSectorCount};
}

std::vector<ParamSpec> build_common_keys() {
  const std::string source = model("§7.7, §11.11", "convention");
  ParamSpec type = without_default(
      choice("type", "", intervention_type_names(), "Which intervention; must be given.", source), "required");
  type.required = true;
  ParamSpec start = real("start_year", 0, "years", at_least(0),
                         "First year it is active (years count from 0; may be fractional).", source);
  ParamSpec end =
      without_default(real("end_year", 0, "years", at_least(0),
                           "Active while start_year <= t / ticks_per_year < end_year; may exceed the horizon.", source),
                      "`simulation.years`");
  return {with(std::move(type), intervention_field(&Intervention::type)),
          with(std::move(start), intervention_field(&Intervention::start_year)),
          with(std::move(end), intervention_field(&Intervention::end_year))};
}

std::vector<ParamSpec> build_type_keys(InterventionType type) {
  const std::string source = model("§7.7");
  std::vector<ParamSpec> keys;
  switch (type) {
    case InterventionType::foundation_public_support: {
      ParamSpec share =
          without_default(real("public_share", 0, "1", kUnit, "Replaces `foundation.public_share` while active.",
                               "MODEL.md v1.1 §7.7 (required key)"),
                          "required");
      share.required = true;
      ParamSpec channel = without_default(
          choice("public_channel", "grant", {"grant", "voucher"},
                 "Replaces `foundation.public_channel` while active, if given.", "MODEL.md v1.1 §7.7 (optional key)"),
          "unchanged");
      keys.push_back(with(std::move(share), intervention_field(&Intervention::public_share)));
      keys.push_back(with(std::move(channel), intervention_field(&Intervention::public_channel)));
      break;
    }
    case InterventionType::membership_dissemination:
      keys.push_back(with(real("p_extra", 0.02, "per tick", kUnit, "Added to the government diffusion p.", source),
                          intervention_field(&Intervention::p_extra)));
      break;
    case InterventionType::graduate_programs:
      keys.push_back(with(
          real("rate", 0.1, "per year", at_least(0), "Rate at which each government hires a trained graduate.", source),
          intervention_field(&Intervention::rate)));
      keys.push_back(with(real("capacity_gain", 0.1, "1", kUnit, "Capacity gain of a hire, times (1 - c).", source),
                          intervention_field(&Intervention::capacity_gain)));
      keys.push_back(with(real("mindset_gain", 0.1, "1", kUnit, "Mindset gain of a hire, times (1 - m).", source),
                          intervention_field(&Intervention::mindset_gain)));
      break;
    case InterventionType::knowledge_mobilization:
      keys.push_back(
          with(real("p_extra", 0.005, "per tick", kUnit, "Added to every client sector's diffusion p.", source),
               intervention_field(&Intervention::p_extra)));
      keys.push_back(with(
          real("boost", 1.0, "1", at_least(0), "The toolkit's capacity_gain is multiplied by (1 + boost).", source),
          intervention_field(&Intervention::boost)));
      break;
    case InterventionType::budget_change:
      keys.push_back(with(choice("sector", "government", client_sector_names(), "Client sector whose target is scaled.",
                                 model("§11.11")),
                          intervention_field(&Intervention::sector)));
      keys.push_back(with(choice("target", "support_share", {"support_share", "budget"},
                                 "What is scaled: the support share or the budget B.", model("§11.11")),
                          intervention_field(&Intervention::target)));
      keys.push_back(with(real("factor", 1.0, "1", at_least(0),
                               "Multiplier while active (below 1: a cut or recession).", model("§11.11")),
                          intervention_field(&Intervention::factor)));
      break;
    case InterventionType::compliance_toolkit:
      keys.push_back(
          with(real("level", 0.8, "1", kUnit, "Providers' public_focus is raised to at least this.", model("§11.11")),
               intervention_field(&Intervention::level)));
      keys.push_back(with(real("share", 0.5, "1", kUnit,
                               "Share of providers affected (round half up, chosen by keyed hash).", model("§11.11")),
                          intervention_field(&Intervention::share)));
      break;
  }
  return keys;
}

const std::array<std::vector<ParamSpec>, kInterventionTypeCount>& all_type_keys() {
  static const auto keys = [] {
    std::array<std::vector<ParamSpec>, kInterventionTypeCount> by_type;
    for (int i = 0; i < kInterventionTypeCount; ++i) by_type[i] = build_type_keys(static_cast<InterventionType>(i));
    return by_type;
  }();
  return keys;
}

}  // namespace

const std::vector<ParamSpec>& intervention_common_keys() {
  static const std::vector<ParamSpec> keys = build_common_keys();
  return keys;
}

const std::vector<ParamSpec>& intervention_keys(InterventionType type) {
  return all_type_keys().at(static_cast<std::size_t>(type));
}

const ParamSpec* find_intervention_key(InterventionType type, std::string_view key) {
  for (const ParamSpec& spec : intervention_common_keys())
    if (spec.path == key) return &spec;
  for (const ParamSpec& spec : intervention_keys(type))
    if (spec.path == key) return &spec;
  return nullptr;
}

std::optional<InterventionType> intervention_type_from_name(std::string_view name) {
  for (int i = 0; i < kInterventionTypeCount; ++i)
    if (name == kInterventionTypeNames[i]) return static_cast<InterventionType>(i);
  return std::nullopt;
}

std::string_view intervention_type_name(InterventionType type) {
  return kInterventionTypeNames.at(static_cast<std::size_t>(type));
}

Intervention default_intervention(InterventionType type, double horizon_years) {
  Intervention intervention;
  intervention.type = type;
  intervention.start_year = 0;
  intervention.end_year = horizon_years;
  for (const ParamSpec& key : intervention_keys(type))
    if (key.default_value) store_value(key.intervention_field(intervention), key, *key.default_value);
  return intervention;
}

ScalarValue intervention_value(const Intervention& intervention, const ParamSpec& key) {
  // The accessor takes a mutable Intervention to serve writers too; reading through it is safe.
  return read_value(key.intervention_field(const_cast<Intervention&>(intervention)), key);
}

}  // namespace xsector
