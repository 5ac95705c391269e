// The Scenario value itself: its defaults, its parameters as TOML for provenance, and where
// its network file is, how many points its sweep has. Reading one is scenario_file.cpp; setting a dotted path,
// dotted_paths.cpp; the cross-parameter checks, scenario_checks.cpp.
#include "scenario/scenario.hpp"

#include <filesystem>

#include "scenario/param_table.hpp"

namespace xsector {

Scenario default_scenario() {
  Scenario scenario;
  scenario.source = "<defaults>";
  scenario.name = "default";
  scenario.params = default_params();
  return scenario;
}

std::string resolved_parameters_toml(const Scenario& scenario) {
  // Parameters only (no name, description or sweep), so that the text, and the digest
  // made from it, changes exactly when the model's input does.
  std::string out = "# Every parameter after overrides.\n";
  std::string current;
  for (const ParamSpec& spec : parameter_table()) {
    const auto dot = spec.path.rfind('.');
    const std::string table = spec.path.substr(0, dot);
    if (table != current) out += "\n[" + table + "]\n";
    current = table;
    out += spec.path.substr(dot + 1) + " = " + format_scalar(parameter_value(scenario.params, spec)) + "\n";
  }
  for (const Intervention& intervention : scenario.interventions) {
    out += "\n[[intervention]]\n";
    for (const ParamSpec& key : intervention_common_keys())
      out += key.path + " = " + format_scalar(intervention_value(intervention, key)) + "\n";
    for (const ParamSpec& key : intervention_keys(intervention.type)) {
      if (key.path == "public_channel" && !intervention.sets_channel) continue;  // optional: absent means unchanged
      out += key.path + " = " + format_scalar(intervention_value(intervention, key)) + "\n";
    }
  }
  return out;
}

double sweep_point_count(const SweepSpec& sweep) {
  const double arms = sweep.arms.empty() ? 1.0 : static_cast<double>(sweep.arms.size());
  return arms * design_point_count(sweep);
}

double design_point_count(const SweepSpec& sweep) {
  const auto k = static_cast<double>(sweep.axes.size());
  switch (sweep.method) {
    case SweepMethod::grid: break;
    case SweepMethod::zip: return sweep.axes.empty() ? 1.0 : static_cast<double>(sweep.axes.front().values.size());
    case SweepMethod::lhs: return static_cast<double>(sweep.samples);
    case SweepMethod::sobol: return static_cast<double>(sweep.samples) * (k + 2);
    case SweepMethod::morris: return static_cast<double>(sweep.trajectories) * (k + 1);
  }
  double points = 1;
  for (const SweepAxis& axis : sweep.axes) points *= static_cast<double>(axis.values.size());
  return points;
}

std::string network_file_path(const Scenario& scenario) {
  std::filesystem::path file(scenario.params.network.file);
  if (file.empty()) return {};
  if (file.is_relative() && !scenario.source.empty() && std::filesystem::exists(scenario.source))
    file = std::filesystem::path(scenario.source).parent_path() / file;
  return file.string();
}

}  // namespace xsector
