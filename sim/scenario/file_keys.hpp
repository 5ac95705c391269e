#pragma once
// The keys of a scenario file's [scenario] and [sweep] tables, as rows like those of the
// parameter table: the readers (scenario_file.cpp, sweep_file.cpp) take the valid keys,
// their kinds, ranges and defaults from them, and docs/PARAMETERS.md prints them. They are
// not parameters: --set cannot reach them and they are not in the resolved parameters.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/param_table.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

struct ScenarioKey {
  ParamSpec spec;                                            // spec.path: the key inside [scenario]
  std::function<void(Scenario&, const ScalarValue&)> store;  // writes a value check_value accepted
};

struct SweepKey {
  ParamSpec spec;         // spec.path: the key inside [sweep], e.g. "samples"
  // The methods that use the key; empty: every method.
  std::vector<SweepMethod> methods;
  // Those methods must set it (samples, trajectories); the others leave it unset.
  bool required = false;
  // Writes a value check_value accepted; empty for `parameters`, the table of value lists,
  // which the sweep reader reads itself.
  std::function<void(SweepSpec&, const ScalarValue&)> store;
};

// In documentation order.
const std::vector<ScenarioKey>& scenario_keys();
const std::vector<SweepKey>& sweep_keys();

// The SweepSpec of a [sweep] table that sets nothing: every key at its default.
SweepSpec default_sweep();

// Whether `method` uses `key`.
bool uses(const SweepKey& key, SweepMethod method);

// The key of `keys` called `name`; nullptr if there is none.
template <class Key>
const Key* find_key(const std::vector<Key>& keys, std::string_view name) {
  for (const Key& key : keys)
    if (key.spec.path == name) return &key;
  return nullptr;
}

template <class Key>
std::vector<std::string> key_names(const std::vector<Key>& keys) {
  std::vector<std::string> names;
  for (const Key& key : keys) names.push_back(key.spec.path);
  return names;
}

}  // namespace xsector
