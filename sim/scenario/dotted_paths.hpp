#pragma once
// Dotted paths ("foundation.public_share", "intervention.0.start_year") resolved to the
// row and the field they name. set_parameter, get_parameter, --set and both file readers
// go through here, so a path means the same wherever it is written.
#include <string>
#include <string_view>
#include <vector>

#include "scenario/param_table.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

// Where a dotted path points: a model parameter, or a key of intervention `intervention`.
struct PathTarget {
  const ParamSpec* spec = nullptr;
  FieldRef field;
  int intervention = -1;  // -1: a model parameter
};

// Throws InputError prefixed with `origin` for a path that names nothing settable.
PathTarget resolve_path(Scenario& scenario, std::string_view path, std::string_view origin);

// "unknown key `PATH`; did you mean `...`?" and its variants.
std::string unknown_parameter_message(std::string_view path);
std::string unknown_intervention_key_message(std::string_view path, int intervention, InterventionType type,
                                             std::string_view key);

// apply_overrides without the cross-parameter checks, for a reader that makes them later.
void apply_overrides_unchecked(Scenario& scenario, const std::vector<std::string>& overrides);

}  // namespace xsector
