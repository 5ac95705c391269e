#pragma once
// The parameter table: for every dotted path of MODEL.md section 10, its default, unit,
// valid range, description and source, and where the value lives in Params. It is the
// single place defaults are written; scenario loading, `--set`, sweeps and
// docs/PARAMETERS.md (`xsector params --markdown`) all read it.
//
// Interventions (MODEL.md 7.7, 11.11) have their own key tables, one per type, plus the
// keys every type shares (type, start_year, end_year). The keys of a file's [scenario]
// and [sweep] tables are rows of the same kind (file_keys.hpp).
//
// The rows are written in param_rows.cpp and intervention_keys.cpp; values are checked in
// param_check.cpp, near misses found in closest_match.cpp, and the docs made in
// param_docs.cpp.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenario/params.hpp"
#include "scenario/scalar_value.hpp"

namespace xsector {

// `table` is the kind of a key that holds a table of its own ([sweep] parameters).
enum class ParamKind { real, integer, boolean, choice, string, table };

// Where a parameter's value lives. Choice parameters are stored as enums whose numeric
// value is the index of the name in ParamSpec::choices.
using FieldRef = std::variant<double*, std::int64_t*, std::uint64_t*, bool*, std::string*, Channel*, Sector*,
                              BudgetTarget*, InterventionType*>;

// A numeric interval; infinite ends are open whatever the flags say.
struct ValueRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;

  bool contains(double x) const;
  std::string describe() const;  // "[0, 1]", "(0, ∞)", "any real"
};

struct ParamSpec {
  std::string path;  // "foundation.public_share"; for a key of a table of its own just "public_share"
  ParamKind kind = ParamKind::real;
  std::optional<ScalarValue> default_value;  // absent: required, or computed (see default_text)
  std::string default_text;                  // shown in the docs when default_value is absent
  std::string unit;
  ValueRange range;                  // real and integer only
  std::vector<std::string> choices;  // choice only, in enum order
  std::string description;
  std::string source;
  std::string hint;                        // appended to out-of-range errors ("0 removes the sector")
  std::string plausible;  // set for the most uncertain parameters: the range we consider plausible
  bool required = false;                   // intervention key that must be given (no default)
  std::function<FieldRef(Params&)> field;  // model parameters
  std::function<FieldRef(Intervention&)> intervention_field;  // intervention keys
};

// ---- model parameters (param_rows.cpp) ------------------------------------------------

// Model parameters, in documentation order (grouped by TOML table).
const std::vector<ParamSpec>& parameter_table();
std::vector<std::string> parameter_paths();
const ParamSpec* find_parameter(std::string_view path);  // nullptr if unknown

// Every TOML table that holds parameters, e.g. "sector", "sector.government",
// "network.mean_degree", in documentation order.
std::vector<std::string> parameter_tables();

// Params with every default of the table.
Params default_params();

// The current value of a parameter: reals as double, integers as int64, choices as the
// name string.
ScalarValue parameter_value(const Params& params, const ParamSpec& spec);

// ---- intervention keys (intervention_keys.cpp) ----------------------------------------

// The common keys are type, start_year and end_year.
const std::vector<ParamSpec>& intervention_common_keys();
const std::vector<ParamSpec>& intervention_keys(InterventionType type);  // the type's own keys
// Common or own key of `type`; nullptr if `key` does not apply to that type.
const ParamSpec* find_intervention_key(InterventionType type, std::string_view key);
std::optional<InterventionType> intervention_type_from_name(std::string_view name);
std::string_view intervention_type_name(InterventionType type);
// An intervention of `type` with its defaults, active from year 0 to `horizon_years`.
// Required keys (foundation_public_support's public_share) are left at 0.
Intervention default_intervention(InterventionType type, double horizon_years);
ScalarValue intervention_value(const Intervention& intervention, const ParamSpec& key);

// ---- checking values (param_check.cpp) ------------------------------------------------

// Validation shared by scenario files, --set and sweeps. `value` is the checked value in
// the kind's representation (real: double, integer: int64, choice: the name); `error`
// says what is wrong when `value` is empty (wrong type, NaN, out of range, bad choice).
struct CheckedValue {
  std::optional<ScalarValue> value;
  std::string error;
};
CheckedValue check_value(const ParamSpec& spec, const ScalarValue& value);
// Writes a value that check_value accepted.
void store_value(const FieldRef& field, const ParamSpec& spec, const ScalarValue& checked);
// Reads a field in the representation check_value gives.
ScalarValue read_value(const FieldRef& field, const ParamSpec& spec);

// What a key takes, for error messages: "a real number", "one of \"grant\", \"voucher\"".
std::string expected_phrase(const ParamSpec& spec);
// "\"grant\", \"voucher\"".
std::string quoted_list(const std::vector<std::string>& names);
// "a, b and c".
std::string and_list(const std::vector<std::string>& items);

// ---- near misses (closest_match.cpp) --------------------------------------------------

// The candidate nearest to `word` by edit distance (also comparing last dotted
// components, so `years` finds `simulation.years`); empty if none is close enough.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// ---- documentation (param_docs.cpp) ---------------------------------------------------

// The whole docs/PARAMETERS.md.
std::string parameters_markdown();
// For the terminal: every model parameter, a line each (path, default and unit, range,
// description); and one parameter in full, or every parameter of a table ("foundation",
// "sector.government"). The latter throws InputError, with a near match, for an unknown path.
std::string parameters_listing();
std::string parameter_details(std::string_view path);

}  // namespace xsector
