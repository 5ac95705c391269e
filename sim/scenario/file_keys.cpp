#include "scenario/file_keys.hpp"

#include <algorithm>
#include <array>

#include "scenario/row_builders.hpp"

namespace xsector {
namespace {

using namespace rows;

// These rows have no unit or source: the docs list them by key, default, range and
// description.

// In SweepMethod order.
constexpr std::array<std::string_view, 3> kSweepMethodNames = {"grid", "zip", "lhs"};

std::vector<ScenarioKey> build_scenario_keys() {
  std::vector<ScenarioKey> keys;
  keys.push_back(
      {.spec = text("description", "", "",
                    "What the scenario is for; the scenario's name is the file name without extension.", ""),
       .store = [](Scenario& scenario, const ScalarValue& value) {
         scenario.description = std::get<std::string>(value);
       }});
  return keys;
}

std::vector<SweepKey> build_sweep_keys() {
  std::vector<SweepKey> keys;
  keys.push_back({.spec = choice("method", "grid", {kSweepMethodNames.begin(), kSweepMethodNames.end()},
                                 "Cartesian product of the lists, parallel lists of equal length, or a Latin "
                                 "hypercube over [low, high] ranges.",
                                 ""),
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    const auto& name = std::get<std::string>(value);
                    const auto at = std::find(kSweepMethodNames.begin(), kSweepMethodNames.end(), name);
                    sweep.method = static_cast<SweepMethod>(at - kSweepMethodNames.begin());
                  }});
  keys.push_back({.spec = integer("replicates", 1, "", at_least(1),
                                  "Runs per sweep point, each with its own seed derived from (scenario seed, "
                                  "point, replicate).",
                                  ""),
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.replicates = std::get<std::int64_t>(value);
                  }});
  keys.push_back({.spec = without_default(integer("samples", 0, "", at_least(1),
                                                  "Number of Latin hypercube points (lhs only).", ""),
                                          "required for lhs"),
                  .lhs_only = true,
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.samples = std::get<std::int64_t>(value);
                  }});
  keys.push_back({.spec = integer("seed", 0, "", at_least(0), "Seed of the Latin hypercube design (lhs only).", ""),
                  .lhs_only = true,
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.seed = static_cast<std::uint64_t>(std::get<std::int64_t>(value));
                  }});
  ParamSpec parameters = without_default(
      text("parameters", "", "",
           "Quoted dotted path = list of values (grid, zip) or `[low, high]` of a real or integer parameter "
           "(lhs), e.g. `\"foundation.public_share\" = [0.0, 0.1, 0.2]`.",
           ""),
      "empty");
  parameters.kind = ParamKind::table;
  keys.push_back({.spec = std::move(parameters), .store = {}});  // the sweep reader reads the value lists itself
  return keys;
}

}  // namespace

const std::vector<ScenarioKey>& scenario_keys() {
  static const std::vector<ScenarioKey> keys = build_scenario_keys();
  return keys;
}

const std::vector<SweepKey>& sweep_keys() {
  static const std::vector<SweepKey> keys = build_sweep_keys();
  return keys;
}

SweepSpec default_sweep() {
  SweepSpec sweep;
  for (const SweepKey& key : sweep_keys())
    if (key.spec.default_value && key.store) key.store(sweep, *key.spec.default_value);
  return sweep;
}

std::string_view sweep_method_name(SweepMethod method) {
  return kSweepMethodNames.at(static_cast<std::size_t>(method));
}

}  // namespace xsector
