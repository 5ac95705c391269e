#pragma once
// A scenario: the validated, immutable description of what to simulate (MODEL.md 6, 9, 10).
// Loading checks every key against the parameter table (param_table.hpp) and throws
// InputError naming file:line:column and key. A Simulation holds a Scenario by const
// reference and never changes it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/distribution.hpp"
#include "scenario/params.hpp"
#include "scenario/scalar_value.hpp"

namespace xsector {

// grid and zip list values; lhs, sobol and morris sample each parameter's distribution.
enum class SweepMethod { grid, zip, lhs, sobol, morris };
inline bool is_sampled(SweepMethod method) { return method != SweepMethod::grid && method != SweepMethod::zip; }

struct SweepAxis {
  std::string path;                 // dotted parameter path, e.g. "foundation.public_share"
  std::vector<ScalarValue> values;  // grid and zip: the list; sampled: the choices of a choice
  Distribution distribution;        // sampled methods only
};

// A named policy arm of a sweep ([sweep.arms]): parameter settings applied to every point
// of the design, which the sweep crosses with each arm (the arm's name is the coordinate).
struct SweepArm {
  std::string name;
  std::vector<std::pair<std::string, ScalarValue>> settings;  // dotted path, value; file order
};

// Made by the sweep-file reader, which starts from the defaults of sweep_keys()
// (file_keys.hpp).
struct SweepSpec {
  SweepMethod method = SweepMethod::grid;
  std::int64_t replicates = 1;
  std::int64_t samples = 0;       // lhs: points; sobol: base samples N
  std::uint64_t seed = 0;         // lhs and morris
  std::int64_t trajectories = 0;  // morris
  std::int64_t levels = 4;        // morris: p, even
  std::vector<SweepAxis> axes;    // in file order
  std::vector<SweepArm> arms;     // empty: no arms; else every design point runs once per arm
};

// The number of points of a sweep (each run `replicates` times): the product of the list
// lengths (grid), their common length (zip), samples (lhs), samples × (k + 2) (sobol),
// trajectories × (k + 1) (morris), k being the number of swept parameters, times the
// number of arms when there are any. A double,
// because a product of lists can exceed any integer type.
double sweep_point_count(const SweepSpec& sweep);
double design_point_count(const SweepSpec& sweep);  // the same without the arms

struct Scenario {
  std::string source;     // file path, or "<string>" / "--set"
  std::string name;       // file stem, e.g. "baseline"
  std::string description;  // optional [scenario] description = "..."
  std::string toml_text;  // the file text as read
  std::vector<std::string> overrides;  // --set strings, in order applied
  Params params;
  std::vector<Intervention> interventions;  // in file order
  std::optional<SweepSpec> sweep;
  // Per intervention: true while its end_year was not given, so that it follows
  // simulation.years (the horizon, MODEL.md 11.11) when that is set later by --set or a
  // sweep. An intervention without an entry here keeps its end_year.
  std::vector<bool> end_at_horizon;
};

// The scenario with every default (no file).
Scenario default_scenario();

// Parse and validate. `source` names the text in error messages. Overrides are
// "dotted.path=value" strings applied after the file, with the same validation.
Scenario parse_scenario(std::string_view toml_text, std::string_view source,
                        const std::vector<std::string>& overrides = {});
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// Set one parameter by dotted path (including "intervention.K.key"); validates type and
// range; `origin` is used in the error message.
void set_parameter(Scenario& scenario, std::string_view path, const ScalarValue& value,
                   std::string_view origin);

// Every parameter after overrides, as TOML text (for provenance in output files).
std::string resolved_parameters_toml(const Scenario& scenario);

// Apply "dotted.path=value" strings as --set does (e.g. to default_scenario() when there
// is no file), record them in `overrides`, then validate_scenario.
void apply_overrides(Scenario& scenario, const std::vector<std::string>& overrides);

// The value of a --set string read as a TOML scalar (42, 0.5, 1e6, true, "text"); text
// that is not a TOML scalar is a bare string.
ScalarValue parse_scalar(std::string_view text);

// The current value of a dotted path (including "intervention.K.key"): reals as double,
// integers as int64, choices as their name. Throws InputError for an unknown path.
ScalarValue get_parameter(const Scenario& scenario, std::string_view path);

// Checks that involve several parameters (every intervention's start_year <= end_year).
// set_parameter does not make them, so that a sweep point can be applied key by key;
// call this after the last one. Throws InputError prefixed with `origin`.
void validate_scenario(const Scenario& scenario, std::string_view origin);

std::string_view sweep_method_name(SweepMethod method);

// network.file as a run loads it: a relative path is taken beside the scenario file when
// the scenario came from one. Empty when the network is generated.
std::string network_file_path(const Scenario& scenario);

}  // namespace xsector
