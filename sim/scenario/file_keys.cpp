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
constexpr std::array<std::string_view, 5> kSweepMethodNames = {"grid", "zip", "lhs", "sobol", "morris"};

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
  using enum SweepMethod;
  std::vector<SweepKey> keys;
  keys.push_back({.spec = choice("method", "grid", {kSweepMethodNames.begin(), kSweepMethodNames.end()},
                                 "grid: the cartesian product of the lists; zip: parallel lists of equal length; "
                                 "lhs: a Latin hypercube of `samples` points; sobol: Saltelli's design for Sobol' "
                                 "indices, samples × (k + 2) points for k parameters; morris: `trajectories` "
                                 "elementary-effects trajectories of k + 1 points. lhs, sobol and morris sample "
                                 "each parameter's range or distribution.",
                                 ""),
                  .methods = {},
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    const auto& name = std::get<std::string>(value);
                    const auto at = std::find(kSweepMethodNames.begin(), kSweepMethodNames.end(), name);
                    sweep.method = static_cast<SweepMethod>(at - kSweepMethodNames.begin());
                  }});
  keys.push_back({.spec = integer("replicates", 1, "", at_least(1),
                                  "Runs per sweep point, each with its own seed derived from (scenario seed, "
                                  "point, replicate); with arms the point of the design, so that the arms are paired.",
                                  ""),
                  .methods = {},
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.replicates = std::get<std::int64_t>(value);
                  }});
  keys.push_back({.spec = without_default(integer("samples", 0, "", at_least(1),
                                                  "lhs: the number of points; sobol: the base sample N (a power "
                                                  "of 2 balances the Sobol' sequence best).",
                                                  ""),
                                          "required for lhs and sobol"),
                  .methods = {lhs, sobol},
                  .required = true,
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.samples = std::get<std::int64_t>(value);
                  }});
  keys.push_back({.spec = integer("seed", 0, "", at_least(0),
                                  "Seed of the lhs design or the morris trajectories (the Sobol' sequence has "
                                  "none); independent of the simulation seed.",
                                  ""),
                  .methods = {lhs, morris},
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.seed = static_cast<std::uint64_t>(std::get<std::int64_t>(value));
                  }});
  keys.push_back({.spec = without_default(integer("trajectories", 0, "", at_least(1),
                                                  "morris: the number of trajectories r (10 to 50 is usual).", ""),
                                          "required for morris"),
                  .methods = {morris},
                  .required = true,
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.trajectories = std::get<std::int64_t>(value);
                  }});
  keys.push_back({.spec = integer("levels", 4, "", closed(2, 1000),
                                  "morris: the number of levels p of each parameter's grid, even; a step moves a "
                                  "parameter by p / (2(p − 1)) of its range.",
                                  ""),
                  .methods = {morris},
                  .store = [](SweepSpec& sweep, const ScalarValue& value) {
                    sweep.levels = std::get<std::int64_t>(value);
                  }});
  ParamSpec parameters = without_default(
      text("parameters", "", "",
           "Quoted dotted path = list of values (grid, zip), e.g. `\"foundation.public_share\" = [0.0, 0.1, 0.2]`; "
           "for lhs, sobol and morris a range `[low, high]` of a real or integer parameter (uniform; integers "
           "rounded) or a distribution: `{ distribution = \"log-uniform\", low = 0.01, high = 1 }`, "
           "`{ distribution = \"integer\", low = 1, high = 6 }`, `{ distribution = \"normal\", mean = 0.5, "
           "sd = 0.1, low = 0, high = 1 }` (truncated at low and high), `{ choices = [\"voucher\", \"grant\"] }`.",
           ""),
      "empty");
  parameters.kind = ParamKind::table;
  keys.push_back({.spec = std::move(parameters), .methods = {}, .store = {}});  // the sweep reader reads the value lists itself
  ParamSpec arms = without_default(
      text("arms", "", "",
           "Named policy arms, each a table of parameter settings (dotted paths, interventions' keys included), "
           "e.g. `[sweep.arms]` then `vouchers = { \"foundation.public_channel\" = \"voucher\" }` and `base = {}`: "
           "every point of the design runs once per arm, arms slowest, and the arm's name is the `arm` coordinate "
           "(grid, zip, lhs).",
           ""),
      "none");
  arms.kind = ParamKind::table;
  keys.push_back({.spec = std::move(arms), .methods = {grid, zip, lhs}, .store = {}});
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

bool uses(const SweepKey& key, SweepMethod method) {
  return key.methods.empty() || std::find(key.methods.begin(), key.methods.end(), method) != key.methods.end();
}

std::string_view sweep_method_name(SweepMethod method) {
  return kSweepMethodNames.at(static_cast<std::size_t>(method));
}

}  // namespace xsector
