#include "scenario/dotted_paths.hpp"

#include <algorithm>
#include <charconv>

#include "scenario/input_errors.hpp"

namespace xsector {
namespace {

constexpr std::string_view kInterventionPrefix = "intervention.";

PathTarget resolve_intervention(Scenario& scenario, std::string_view path, std::string_view origin) {
  const std::string_view rest = path.substr(kInterventionPrefix.size());
  const auto dot = rest.find('.');
  const std::string_view index_text = rest.substr(0, dot);
  int index = -1;
  const auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
  if (dot == std::string_view::npos || ec != std::errc() || end != index_text.data() + index_text.size() || index < 0)
    fail(origin, key_error(path,
                           "an intervention key is written intervention.K.key, K being the index of an "
                           "[[intervention]] table (0 first), e.g. intervention.0.start_year"));
  const int count = static_cast<int>(scenario.interventions.size());
  if (index >= count)
    fail(origin, key_error(path, "there is no intervention " + std::to_string(index) + "; the scenario has " +
                                     std::to_string(count) + " [[intervention]] table(s)" +
                                     (count ? " (indices 0 to " + std::to_string(count - 1) + ")" : "")));
  Intervention& intervention = scenario.interventions[index];
  const std::string_view key = rest.substr(dot + 1);
  const ParamSpec* spec = find_intervention_key(intervention.type, key);
  if (!spec) fail(origin, unknown_intervention_key_message(path, index, intervention.type, key));
  if (key == "type")
    fail(origin, key_error(path,
                           "the type of an intervention cannot be changed by --set or a sweep; edit the "
                           "[[intervention]] table instead"));
  return {spec, spec->intervention_field(intervention), index};
}

// Keys whose setting changes another field (MODEL.md 11.11 and 7.7).
void after_store(Scenario& scenario, const PathTarget& target) {
  const std::string& key = target.spec->path;
  if (target.intervention < 0) {
    if (key == "simulation.years") {
      const auto horizon = static_cast<double>(scenario.params.simulation.years);
      for (std::size_t k = 0; k < scenario.interventions.size() && k < scenario.end_at_horizon.size(); ++k)
        if (scenario.end_at_horizon[k]) scenario.interventions[k].end_year = horizon;
    }
    return;
  }
  const auto index = static_cast<std::size_t>(target.intervention);
  if (key == "end_year" && index < scenario.end_at_horizon.size()) scenario.end_at_horizon[index] = false;
  if (key == "public_channel") scenario.interventions[index].sets_channel = true;
}

}  // namespace

std::string unknown_parameter_message(std::string_view path) {
  const std::vector<std::string> tables = parameter_tables();
  if (std::find(tables.begin(), tables.end(), path) != tables.end())
    return std::string("`").append(path) +
           "` is a table of parameters, not a value; set one of its keys (see "
           "docs/PARAMETERS.md)";
  if (path.starts_with("sweep."))
    return "unknown key `" + std::string(path) +
           "`; --set reaches sweep.replicates, sweep.samples, sweep.seed, sweep.trajectories and sweep.levels; the "
           "method, parameters and arms are set in the [sweep] table of the file";
  std::string message = "unknown key `" + std::string(path) + "`";
  if (const std::string near = closest_match(path, parameter_paths()); !near.empty())
    return message + "; did you mean `" + near + "`?";
  return message + "; see docs/PARAMETERS.md for the valid keys";
}

std::string unknown_intervention_key_message(std::string_view path, int intervention, InterventionType type,
                                             std::string_view key) {
  std::vector<std::string> valid;
  for (const ParamSpec& spec : intervention_common_keys()) valid.push_back(spec.path);
  for (const ParamSpec& spec : intervention_keys(type)) valid.push_back(spec.path);
  std::string message =
      "unknown key `" + std::string(path) + "` for a " + std::string(intervention_type_name(type)) + " intervention";
  if (const std::string near = closest_match(key, valid); !near.empty())
    message += "; did you mean `intervention." + std::to_string(intervention) + "." + near + "`?";
  // A key of another type is a common mix-up; say whose key it is.
  for (int other = 0; other < kInterventionTypeCount; ++other)
    if (find_intervention_key(static_cast<InterventionType>(other), key)) {
      message += " (`" + std::string(key) + "` is a key of " + kInterventionTypeNames[other] + ")";
      break;
    }
  return message;
}

PathTarget resolve_path(Scenario& scenario, std::string_view path, std::string_view origin) {
  if (path.starts_with(kInterventionPrefix)) return resolve_intervention(scenario, path, origin);
  const ParamSpec* spec = find_parameter(path);
  if (!spec) fail(origin, unknown_parameter_message(path));
  return {spec, spec->field(scenario.params), -1};
}

void set_parameter(Scenario& scenario, std::string_view path, const ScalarValue& value, std::string_view origin) {
  const PathTarget target = resolve_path(scenario, path, origin);
  const CheckedValue checked = check_value(*target.spec, value);
  if (!checked.value) fail(origin, key_error(path, checked.error));
  store_value(target.field, *target.spec, *checked.value);
  after_store(scenario, target);
}

ScalarValue get_parameter(const Scenario& scenario, std::string_view path) {
  // resolve_path() hands out a writable field; reading through it leaves the scenario as is.
  Scenario& readable = const_cast<Scenario&>(scenario);
  const PathTarget target = resolve_path(readable, path, "get_parameter");
  if (target.intervention >= 0) return intervention_value(scenario.interventions[target.intervention], *target.spec);
  return parameter_value(scenario.params, *target.spec);
}

void apply_overrides_unchecked(Scenario& scenario, const std::vector<std::string>& overrides) {
  auto trim = [](std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    return first == std::string_view::npos ? std::string_view() : text.substr(first, last - first + 1);
  };
  for (const std::string& text : overrides) {
    const std::string origin = "--set " + text;
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail(origin, "expected PATH=VALUE, e.g. --set foundation.public_share=0.2");
    const std::string_view path = trim(std::string_view(text).substr(0, eq));
    if (path.empty()) fail(origin, "the parameter path before '=' is missing, e.g. --set foundation.public_share=0.2");
    set_parameter(scenario, path, parse_scalar(trim(std::string_view(text).substr(eq + 1))), origin);
    scenario.overrides.push_back(text);
  }
}

void apply_overrides(Scenario& scenario, const std::vector<std::string>& overrides) {
  apply_overrides_unchecked(scenario, overrides);
  validate_scenario(scenario, "--set");
}

}  // namespace xsector
