// Scenario files (MODEL.md 6, 9, 10): TOML in, a validated Scenario out. Every key goes
// through the parameter table, so a value is checked the same way whether it comes from
// a file, from --set or from a sweep list. Errors name FILE:LINE:COL (or the --set
// string) and the full dotted key, and say what to do.
#include "scenario/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/errors.hpp"
#include "scenario/param_table.hpp"

namespace xsector {
namespace {

constexpr std::string_view kInterventionPrefix = "intervention.";
constexpr std::array<std::string_view, 3> kSweepMethodNames = {"grid", "zip", "lhs"};

[[noreturn]] void fail(std::string_view origin, const std::string& message) {
  throw InputError(std::string(origin) + ": " + message);
}

std::string key_error(std::string_view path, const std::string& what) {
  return "key `" + std::string(path) + "`: " + what;
}

std::string where(std::string_view source, const toml::source_position& pos) {
  return std::string(source) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string quoted_names(const auto& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "\"" : ", \"") + std::string(n) + "\"";
  return s;
}

// ---- resolving a dotted path ------------------------------------------------------------

// Where a dotted path points: a model parameter, or a key of intervention K.
struct Target {
  const ParamSpec* spec = nullptr;
  FieldRef field;
  int intervention = -1;
};

std::string unknown_parameter_message(std::string_view path) {
  const std::vector<std::string> tables = parameter_tables();
  if (std::find(tables.begin(), tables.end(), path) != tables.end())
    return "`" + std::string(path) +
           "` is a table of parameters, not a value; set one of its keys (see "
           "docs/PARAMETERS.md)";
  if (path.starts_with("sweep."))
    return "unknown key `" + std::string(path) + "`; sweep settings are set in the [sweep] table of a file";
  std::string message = "unknown key `" + std::string(path) + "`";
  if (const std::string near = closest_match(path, parameter_paths()); !near.empty())
    return message + "; did you mean `" + near + "`?";
  return message + "; see docs/PARAMETERS.md for the valid keys";
}

std::string unknown_intervention_key_message(std::string_view path, int k, InterventionType type,
                                             std::string_view key) {
  std::vector<std::string> valid;
  for (const ParamSpec& s : intervention_common_keys()) valid.push_back(s.path);
  for (const ParamSpec& s : intervention_keys(type)) valid.push_back(s.path);
  std::string message =
      "unknown key `" + std::string(path) + "` for a " + std::string(intervention_type_name(type)) + " intervention";
  if (const std::string near = closest_match(key, valid); !near.empty())
    message += "; did you mean `intervention." + std::to_string(k) + "." + near + "`?";
  // A key of another type is a common mix-up; say whose key it is.
  for (int t = 0; t < kInterventionTypeCount; ++t)
    if (find_intervention_key(static_cast<InterventionType>(t), key)) {
      message += " (`" + std::string(key) + "` is a key of " + kInterventionTypeNames[t] + ")";
      break;
    }
  return message;
}

Target resolve_intervention(Scenario& scenario, std::string_view path, std::string_view origin) {
  const std::string_view rest = path.substr(kInterventionPrefix.size());
  const auto dot = rest.find('.');
  const std::string_view index_text = rest.substr(0, dot);
  int k = -1;
  const auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), k);
  if (dot == std::string_view::npos || ec != std::errc() || end != index_text.data() + index_text.size() || k < 0)
    fail(origin, key_error(path,
                           "an intervention key is written intervention.K.key, K being the index of an "
                           "[[intervention]] table (0 first), e.g. intervention.0.start_year"));
  const int count = static_cast<int>(scenario.interventions.size());
  if (k >= count)
    fail(origin, key_error(path, "there is no intervention " + std::to_string(k) + "; the scenario has " +
                                     std::to_string(count) + " [[intervention]] table(s)" +
                                     (count ? " (indices 0 to " + std::to_string(count - 1) + ")" : "")));
  Intervention& intervention = scenario.interventions[k];
  const std::string_view key = rest.substr(dot + 1);
  const ParamSpec* spec = find_intervention_key(intervention.type, key);
  if (!spec) fail(origin, unknown_intervention_key_message(path, k, intervention.type, key));
  if (key == "type")
    fail(origin, key_error(path,
                           "the type of an intervention cannot be changed by --set or a sweep; edit the "
                           "[[intervention]] table instead"));
  return {spec, spec->intervention_field(intervention), k};
}

Target resolve(Scenario& scenario, std::string_view path, std::string_view origin) {
  if (path.starts_with(kInterventionPrefix)) return resolve_intervention(scenario, path, origin);
  const ParamSpec* spec = find_parameter(path);
  if (!spec) fail(origin, unknown_parameter_message(path));
  return {spec, spec->field(scenario.params), -1};
}

// Keys whose setting changes another field (MODEL.md 11.11 and 7.7).
void after_store(Scenario& scenario, const Target& target) {
  const std::string& key = target.spec->path;
  if (target.intervention < 0) {
    if (key == "simulation.years") {
      const auto horizon = static_cast<double>(scenario.params.simulation.years);
      for (std::size_t k = 0; k < scenario.interventions.size() && k < scenario.end_at_horizon.size(); ++k)
        if (scenario.end_at_horizon[k]) scenario.interventions[k].end_year = horizon;
    }
    return;
  }
  const auto k = static_cast<std::size_t>(target.intervention);
  if (key == "end_year" && k < scenario.end_at_horizon.size()) scenario.end_at_horizon[k] = false;
  if (key == "public_channel") scenario.interventions[k].sets_channel = true;
}

// ---- cross-parameter checks -------------------------------------------------------------

struct WindowProblem {
  int intervention;
  std::string message;
};

std::optional<WindowProblem> find_window_problem(const Scenario& scenario) {
  for (std::size_t k = 0; k < scenario.interventions.size(); ++k) {
    const Intervention& iv = scenario.interventions[k];
    if (iv.start_year <= iv.end_year) continue;
    const bool horizon = k < scenario.end_at_horizon.size() && scenario.end_at_horizon[k];
    const std::string path = "intervention." + std::to_string(k) + ".start_year";
    return WindowProblem{static_cast<int>(k), key_error(path, "start_year " + format_real(iv.start_year) +
                                                                  " is after end_year " + format_real(iv.end_year) +
                                                                  (horizon ? " (the default, simulation.years)" : "") +
                                                                  "; an intervention must not start after it ends")};
  }
  return std::nullopt;
}

// Agents are numbered with 32-bit ids (NodeId, network.hpp), and population.cpp rounds
// count × scale into an int64: a population beyond that is refused here, before anything
// is allocated, instead of wrapping round (a scale of 1e300 used to give one agent per
// sector). Whether a population fits in this machine's memory depends on the machine: it
// is checked before a run is built (memory_estimate.hpp), not when a scenario is read.
constexpr double kMaxAgents = 4294967295.0;  // std::numeric_limits<NodeId>::max()

struct PopulationProblem {
  std::string key;  // the key to blame: population.scale, or the largest count
  std::string message;
};

// A snapshot holds the agents of one run: it cannot go with several replicates.
std::optional<std::string> find_snapshots_problem(const Scenario& scenario) {
  if (!scenario.params.output.snapshots || scenario.params.simulation.replicates <= 1) return std::nullopt;
  return "output.snapshots with simulation.replicates = " + std::to_string(scenario.params.simulation.replicates) +
         ": a snapshot holds the agents of one run; write it for one replicate (simulation.replicates = 1)";
}

std::optional<PopulationProblem> find_population_problem(const Scenario& scenario) {
  const PopulationParams& pop = scenario.params.population;
  double total = 0;
  int largest = 0;
  for (int i = 0; i < kSectorCount; ++i) {
    if (pop.count[i] > pop.count[largest]) largest = i;
    if (pop.count[i] > 0)
      total += std::max(1.0, std::floor(static_cast<double>(pop.count[i]) * pop.scale + 0.5));
  }
  if (total <= kMaxAgents) return std::nullopt;
  const std::string largest_key = "population." + std::string(kSectorNames[largest]);
  const std::string key = pop.scale != 1.0 ? "population.scale" : largest_key;
  std::string counts;
  for (int i = 0; i < kSectorCount; ++i)
    counts += (i ? " + " : "") + std::to_string(pop.count[i]);
  const std::string agents = total < 1e18 ? std::to_string(static_cast<std::int64_t>(total)) : "over 1e18";
  return PopulationProblem{
      key, key_error(key, "the population is " + agents + " agents ((" + counts + ") × scale " +
                              format_real(pop.scale) + "); xsector holds at most 4294967295 agents, and far " +
                              "fewer fit in memory; lower the counts or population.scale")};
}

// ---- TOML nodes -------------------------------------------------------------------------

std::optional<ScalarValue> scalar_of(const toml::node& node) {
  if (const auto* v = node.as_integer()) return ScalarValue(v->get());
  if (const auto* v = node.as_floating_point()) return ScalarValue(v->get());
  if (const auto* v = node.as_boolean()) return ScalarValue(v->get());
  if (const auto* v = node.as_string()) return ScalarValue(v->get());
  return std::nullopt;
}

std::string node_kind(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "a value";
  }
}

std::string expected_phrase(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::real: return "a real number";
    case ParamKind::integer: return "an integer";
    case ParamKind::boolean: return "true or false";
    case ParamKind::choice: return "one of " + quoted_names(spec.choices);
    case ParamKind::string: return "a string";
  }
  return "a value";
}

// A TOML value checked against a spec that is not in the parameter table (the
// intervention type, the [sweep] keys).
CheckedValue check_node(const ParamSpec& spec, const toml::node& node) {
  if (const std::optional<ScalarValue> value = scalar_of(node)) return check_value(spec, *value);
  return {std::nullopt, "expected " + expected_phrase(spec) + ", got " + node_kind(node)};
}

struct Entry {
  std::string name;
  const toml::key* key;
  const toml::node* node;
};

// toml++ keeps tables sorted by key; errors and "the later wins" follow the file instead.
std::vector<Entry> in_file_order(const toml::table& table) {
  std::vector<Entry> entries;
  for (auto&& [key, node] : table) entries.push_back({std::string(key.str()), &key, &node});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const auto& pa = a.key->source().begin;
    const auto& pb = b.key->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

// ---- file sections ----------------------------------------------------------------------

// Reads [sweep] against the final scenario (file and --set applied), so that each listed
// value is checked exactly as a sweep run will apply it: by set_parameter on a copy.
class SweepReader {
 public:
  explicit SweepReader(const Scenario& base) : base_(base), source_(base.source) {}

  SweepSpec read(const Entry& e) {
    const toml::table* table = e.node->as_table();
    if (!table) fail(at(e.key->source()), key_error("sweep", "expected a table: [sweep] method = \"grid\""));
    SweepSpec sweep;
    sweep.method = read_method(*table);
    for (const Entry& child : in_file_order(*table)) {
      if (child.name == "parameters")
        read_axes(child, sweep);
      else if (child.name != "method")
        read_setting(child, sweep);
    }
    const std::string origin = at(table->source());
    if (sweep.method == SweepMethod::lhs && !table->get("samples"))
      fail(origin, key_error("sweep.samples", "missing; method = \"lhs\" needs samples = N (the number of points)"));
    if (sweep.method == SweepMethod::lhs && sweep.axes.empty())
      fail(origin, key_error("sweep.parameters",
                             "method = \"lhs\" needs at least one parameter range, e.g. "
                             "\"foundation.public_share\" = [0.0, 0.2]"));
    check_zip_lengths(sweep);
    check_run_count(sweep, *table);
    check_sweep_windows(sweep, origin);
    return sweep;
  }

 private:
  std::string at(const toml::source_region& region) const { return where(source_, region.begin); }

  SweepMethod read_method(const toml::table& table) {
    const toml::node* node = table.get("method");
    if (!node) return SweepMethod::grid;
    ParamSpec spec;
    spec.kind = ParamKind::choice;
    spec.choices = {kSweepMethodNames.begin(), kSweepMethodNames.end()};
    const CheckedValue checked = check_node(spec, *node);
    if (!checked.value) fail(at(node->source()), key_error("sweep.method", checked.error));
    const auto& name = std::get<std::string>(*checked.value);
    return static_cast<SweepMethod>(std::find(spec.choices.begin(), spec.choices.end(), name) - spec.choices.begin());
  }

  // replicates, samples, seed; samples and seed belong to lhs alone.
  void read_setting(const Entry& e, SweepSpec& sweep) {
    const std::string path = "sweep." + e.name;
    if (e.name == "replicates") {
      sweep.replicates = read_sweep_integer(e, path, 1);
      return;
    }
    if (e.name != "samples" && e.name != "seed") {
      const std::string near = closest_match(e.name, {"method", "replicates", "samples", "seed", "parameters"});
      fail(at(e.key->source()), "unknown key `" + path + "`" +
                                    (near.empty() ? "; [sweep] has method, replicates, samples, seed and parameters"
                                                  : "; did you mean `sweep." + near + "`?"));
    }
    if (sweep.method != SweepMethod::lhs)
      fail(at(e.key->source()),
           key_error(path, "only method = \"lhs\" uses " + e.name + "; remove it or set method = \"lhs\""));
    if (e.name == "samples")
      sweep.samples = read_sweep_integer(e, path, 1);
    else
      sweep.seed = static_cast<std::uint64_t>(read_sweep_integer(e, path, 0));
  }

  std::int64_t read_sweep_integer(const Entry& e, const std::string& path, double lo) {
    ParamSpec spec;
    spec.kind = ParamKind::integer;
    spec.range = ValueRange{lo, std::numeric_limits<double>::infinity(), false, true};
    const CheckedValue checked = check_node(spec, *e.node);
    if (!checked.value) fail(at(e.node->source()), key_error(path, checked.error));
    return std::get<std::int64_t>(*checked.value);
  }

  // [sweep.parameters]: quoted dotted paths, or unquoted ones that TOML made into nested
  // tables; both name the same parameter.
  void collect_axis_entries(const toml::table& table, const std::string& prefix,
                            std::vector<std::pair<std::string, Entry>>& out) {
    for (const Entry& child : in_file_order(table)) {
      const std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
      if (const toml::table* nested = child.node->as_table())
        collect_axis_entries(*nested, path, out);
      else
        out.emplace_back(path, child);
    }
  }

  void read_axes(const Entry& e, SweepSpec& sweep) {
    const toml::table* table = e.node->as_table();
    if (!table)
      fail(at(e.key->source()), key_error("sweep.parameters",
                                          "expected a table: [sweep.parameters] then "
                                          "\"foundation.public_share\" = [0.0, 0.1]"));
    parameters_ = table;
    std::vector<std::pair<std::string, Entry>> entries;
    collect_axis_entries(*table, "", entries);
    for (const auto& item : entries) {
      const std::string& path = item.first;  // not a structured binding: clang 14 cannot capture one
      const Entry& entry = item.second;
      const auto same = [&path](const SweepAxis& a) { return a.path == path; };
      if (std::any_of(sweep.axes.begin(), sweep.axes.end(), same))
        fail(at(entry.key->source()), key_error(path, "listed twice in [sweep.parameters]; keep one list"));
      sweep.axes.push_back(read_axis(path, entry, sweep.method));
    }
  }

  SweepAxis read_axis(const std::string& path, const Entry& e, SweepMethod method) {
    Scenario probe = base_;  // each value must pass set_parameter on a copy
    const Target target = resolve(probe, path, at(e.key->source()));
    const std::string display = "sweep.parameters.\"" + path + "\"";
    const toml::array* list = e.node->as_array();
    const bool lhs = method == SweepMethod::lhs;
    if (!list)
      fail(at(e.node->source()), key_error(display, lhs ? "expected [low, high], e.g. [0.0, 0.2]"
                                                        : "expected a list of values, e.g. [0.0, 0.1, 0.2]"));
    SweepAxis axis;
    axis.path = path;
    if (lhs && target.spec->kind != ParamKind::real && target.spec->kind != ParamKind::integer)
      fail(at(e.key->source()),
           key_error(display, "method = \"lhs\" samples numbers, but `" + path + "` takes " +
                                  expected_phrase(*target.spec) + "; use method = \"grid\" or \"zip\""));
    if (lhs && list->size() != 2)
      fail(at(e.node->source()), key_error(display, "method = \"lhs\" needs exactly [low, high], got " +
                                                        std::to_string(list->size()) + " value(s)"));
    if (!lhs && list->empty())
      fail(at(e.node->source()), key_error(display, "the list is empty; give at least one value"));
    for (const toml::node& item : *list) {
      const std::optional<ScalarValue> value = scalar_of(item);
      if (!value)
        fail(at(item.source()),
             key_error(path, "expected " + expected_phrase(*target.spec) + ", got " + node_kind(item)));
      if (lhs && !item.is_number())
        fail(at(item.source()), key_error(display, "method = \"lhs\" needs numbers for [low, high]"));
      set_parameter(probe, path, *value, at(item.source()));
      validate_scenario(probe, at(item.source()));
      axis.values.push_back(*value);
    }
    if (lhs) {
      axis.low = *list->get(0)->value<double>();
      axis.high = *list->get(1)->value<double>();
      axis.values.clear();
      if (axis.low > axis.high)
        fail(at(e.node->source()), key_error(display, "low " + format_real(axis.low) + " is above high " +
                                                          format_real(axis.high) + "; write [low, high]"));
    }
    return axis;
  }

  // Runs are numbered with int64 (the `run` coordinate of docs/OUTPUT.md): points ×
  // replicates beyond that used to wrap round (`sweep --dry-run` showed a wrong count,
  // `sweep` failed with "internal error: vector::reserve").
  void check_run_count(const SweepSpec& sweep, const toml::table& table) const {
    double points = 1;
    if (sweep.method == SweepMethod::lhs)
      points = static_cast<double>(sweep.samples);
    else if (sweep.method == SweepMethod::zip)
      points = sweep.axes.empty() ? 1.0 : static_cast<double>(sweep.axes.front().values.size());
    else
      for (const SweepAxis& axis : sweep.axes) points *= static_cast<double>(axis.values.size());
    const double runs = points * static_cast<double>(sweep.replicates);
    if (runs < 9.2e18) return;
    // Blame the larger factor: samples (lhs) or the value lists, or replicates.
    const toml::node* replicates = table.get("replicates");
    const bool blame_replicates = replicates && static_cast<double>(sweep.replicates) >= points;
    const toml::node* samples = sweep.method == SweepMethod::lhs ? table.get("samples") : nullptr;
    const toml::node* culprit = blame_replicates ? replicates : samples ? samples : parameters_;
    const std::string key = blame_replicates ? "sweep.replicates" : samples ? "sweep.samples" : "sweep.parameters";
    const std::string point_count =
        points < 1e18 ? std::to_string(static_cast<std::int64_t>(points)) : format_real(points);
    fail(culprit ? at(culprit->source()) : at(table.source()),
         key_error(key, "the sweep has " + point_count + " point(s) × " + std::to_string(sweep.replicates) +
                            " replicate(s), more runs than a results file can number (2^63); run fewer"));
  }

  void check_zip_lengths(const SweepSpec& sweep) const {
    if (sweep.method != SweepMethod::zip || sweep.axes.empty()) return;
    const SweepAxis& first = sweep.axes.front();
    for (const SweepAxis& axis : sweep.axes)
      if (axis.values.size() != first.values.size())
        fail(where(source_, axis_position(axis.path)),
             key_error("sweep.parameters.\"" + axis.path + "\"",
                       "has " + std::to_string(axis.values.size()) + " value(s) but `" + first.path + "` has " +
                           std::to_string(first.values.size()) + "; method = \"zip\" needs lists of equal length"));
  }

  // Position of an axis, for errors found after all axes were read.
  toml::source_position axis_position(const std::string& path) const {
    if (const toml::node* quoted = parameters_->get(path)) return quoted->source().begin;
    return parameters_->source().begin;  // an unquoted dotted key: point at the table
  }

  // The only cross-parameter rule is start_year <= end_year. Values were checked one at a
  // time; combinations of the axes that move a window are checked here: every
  // combination for grid, every row for zip, every corner of the box for lhs (the rule is
  // linear, so a violation inside the box shows at a corner).
  void check_sweep_windows(const SweepSpec& sweep, const std::string& origin) const {
    std::vector<const SweepAxis*> axes;
    for (const SweepAxis& a : sweep.axes)
      if (a.path == "simulation.years" || (a.path.starts_with(kInterventionPrefix) &&
                                           (a.path.ends_with(".start_year") || a.path.ends_with(".end_year"))))
        axes.push_back(&a);
    if (axes.size() < 2) return;  // a single axis: read_axis checked each of its values
    std::vector<std::vector<ScalarValue>> options;
    for (const SweepAxis* a : axes)
      options.push_back(sweep.method == SweepMethod::lhs ? std::vector<ScalarValue>{a->low, a->high} : a->values);
    if (sweep.method == SweepMethod::zip) {
      for (std::size_t row = 0; row < options.front().size(); ++row) {
        std::vector<std::size_t> pick(axes.size(), row);
        check_window_point(axes, options, pick, origin);
      }
      return;
    }
    std::vector<std::size_t> pick(axes.size(), 0);  // odometer over the cartesian product
    constexpr std::size_t kMaxPoints = 1'000'000;   // beyond this, leave it to validate_scenario per run
    std::size_t points = 1;
    for (const auto& o : options) points = std::min(kMaxPoints + 1, points * o.size());
    if (points > kMaxPoints) return;
    for (;;) {
      check_window_point(axes, options, pick, origin);
      std::size_t i = 0;
      while (i < pick.size() && ++pick[i] == options[i].size()) pick[i++] = 0;
      if (i == pick.size()) break;
    }
  }

  void check_window_point(const std::vector<const SweepAxis*>& axes,
                          const std::vector<std::vector<ScalarValue>>& options, const std::vector<std::size_t>& pick,
                          const std::string& origin) const {
    Scenario point = base_;
    std::string assignments;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      // An lhs corner of an integer parameter is a whole real, which set_parameter accepts.
      const ScalarValue& value = options[i][pick[i]];
      set_parameter(point, axes[i]->path, value, origin);
      assignments += (i ? ", " : "") + axes[i]->path + " = " + format_scalar(value);
    }
    if (const auto problem = find_window_problem(point))
      fail(origin,
           key_error("sweep.parameters", "the sweep point with " + assignments + " is invalid: " + problem->message));
  }

  const Scenario& base_;
  std::string source_;
  const toml::table* parameters_ = nullptr;  // [sweep.parameters], once read
};

// The file's view of one scenario being built: positions are reported against `source`.
class FileReader {
 public:
  explicit FileReader(Scenario& scenario) : scenario_(scenario), source_(scenario.source) {}

  void read(const toml::table& root) {
    for (const Entry& e : in_file_order(root)) {
      if (e.name == "scenario")
        read_scenario_table(e);
      else if (e.name == "intervention")
        read_interventions(e);
      else if (e.name == "sweep")
        sweep_ = e;  // read in finish(): its values are checked against the final scenario
      else
        read_parameters(e.name, e);
    }
  }

  // After --set: cross-checks, then the sweep.
  void finish() {
    if (const auto problem = find_window_problem(scenario_)) {
      // Blame the --set that moved the window, if one did; else the [[intervention]] table.
      const std::string k = "intervention." + std::to_string(problem->intervention) + ".";
      const auto i = static_cast<std::size_t>(problem->intervention);
      const bool horizon = i < scenario_.end_at_horizon.size() && scenario_.end_at_horizon[i];
      const std::string set = override_origin({k + "start_year", k + "end_year", horizon ? "simulation.years" : k});
      fail(set.empty() ? window_origin_[problem->intervention] : set, problem->message);
    }
    if (const auto problem = find_population_problem(scenario_)) fail(origin_of(problem->key), problem->message);
    if (const auto problem = find_snapshots_problem(scenario_)) {
      const std::string set = override_origin({"output.snapshots", "simulation.replicates"});
      fail(set.empty() ? origin_of("output.snapshots") : set, *problem);
    }
    if (sweep_) scenario_.sweep = SweepReader(scenario_).read(*sweep_);
  }

 private:
  std::string at(const toml::source_region& region) const { return where(source_, region.begin); }

  // "--set TEXT" of the last override of one of `paths`; empty if none.
  std::string override_origin(const std::vector<std::string>& paths) const {
    for (auto it = scenario_.overrides.rbegin(); it != scenario_.overrides.rend(); ++it) {
      std::string_view key = std::string_view(*it).substr(0, it->find('='));
      while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
      while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
      if (std::find(paths.begin(), paths.end(), key) != paths.end()) return "--set " + *it;
    }
    return {};
  }

  // Where `path` was last set: the --set string, the file position, or the file.
  std::string origin_of(const std::string& path) const {
    if (std::string set = override_origin({path}); !set.empty()) return set;
    const auto it = origins_.find(path);
    return it != origins_.end() ? it->second : source_;
  }

  void read_scenario_table(const Entry& e) {
    const toml::table* table = e.node->as_table();
    if (!table) fail(at(e.key->source()), key_error("scenario", "expected a table: [scenario] description = \"...\""));
    for (const Entry& child : in_file_order(*table)) {
      if (child.name != "description")
        fail(at(child.key->source()),
             "unknown key `scenario." + child.name + "`; the [scenario] table has only `description`" +
                 (closest_match(child.name, {"description"}).empty() ? std::string()
                                                                     : " (did you mean `scenario.description`?)"));
      const auto* text = child.node->as_string();
      if (!text)
        fail(at(child.node->source()),
             key_error("scenario.description", "expected a string, got " + node_kind(*child.node)));
      scenario_.description = text->get();
    }
  }

  void read_parameters(const std::string& path, const Entry& e) {
    const ParamSpec* spec = find_parameter(path);
    if (const toml::table* table = e.node->as_table()) {
      if (spec) fail(at(e.node->source()), key_error(path, "expected " + expected_phrase(*spec) + ", got a table"));
      require_known_table(path, e);
      for (const Entry& child : in_file_order(*table)) read_parameters(path + "." + child.name, child);
      return;
    }
    if (!spec) fail(at(e.key->source()), unknown_parameter_message(path));
    set_from_node(path, *spec, *e.node);
  }

  // Values go through set_parameter, so a file, --set and a sweep check them alike.
  void set_from_node(const std::string& path, const ParamSpec& spec, const toml::node& node) {
    const std::optional<ScalarValue> value = scalar_of(node);
    if (!value)
      fail(at(node.source()), key_error(path, "expected " + expected_phrase(spec) + ", got " + node_kind(node)));
    set_parameter(scenario_, path, *value, at(node.source()));
    origins_[path] = at(node.source());
  }

  void require_known_table(const std::string& path, const Entry& e) const {
    std::vector<std::string> tables = parameter_tables();
    if (std::find(tables.begin(), tables.end(), path) != tables.end()) return;
    tables.insert(tables.end(), {"scenario", "intervention", "sweep"});
    std::string message = "unknown table `[" + path + "]`";
    if (const std::string near = closest_match(path, tables); !near.empty())
      message += "; did you mean `[" + near + "]`?";
    else
      message += "; see docs/PARAMETERS.md for the valid tables";
    fail(at(e.key->source()), message);
  }

  void read_interventions(const Entry& e) {
    const toml::array* list = e.node->as_array();
    if (!list || (!list->empty() && !list->is_array_of_tables()))
      fail(at(e.key->source()), key_error("intervention",
                                          "expected [[intervention]] tables (an array of tables), e.g. "
                                          "[[intervention]] then type = \"graduate_programs\""));
    for (const toml::node& item : *list) read_intervention(*item.as_table());
  }

  void read_intervention(const toml::table& table) {
    const int k = static_cast<int>(scenario_.interventions.size());
    const std::string prefix = "intervention." + std::to_string(k) + ".";
    const ParamSpec& type_spec = *find_intervention_key(InterventionType{}, "type");

    // The type decides which keys are valid, so it is read before the other keys.
    const toml::node* type_node = table.get("type");
    if (!type_node)
      fail(at(table.source()), key_error(prefix + "type", "missing; every [[intervention]] needs type = one of " +
                                                              quoted_names(type_spec.choices)));
    const CheckedValue checked = check_node(type_spec, *type_node);
    if (!checked.value) fail(at(type_node->source()), key_error(prefix + "type", checked.error));
    const InterventionType type = *intervention_type_from_name(std::get<std::string>(*checked.value));

    scenario_.interventions.push_back(
        default_intervention(type, static_cast<double>(scenario_.params.simulation.years)));
    scenario_.end_at_horizon.push_back(true);
    window_origin_.push_back(at(table.source()));

    for (const Entry& child : in_file_order(table)) {
      if (child.name == "type") continue;
      const std::string path = prefix + child.name;
      const ParamSpec* spec = find_intervention_key(type, child.name);
      if (!spec) fail(at(child.key->source()), unknown_intervention_key_message(path, k, type, child.name));
      set_from_node(path, *spec, *child.node);
    }
    for (const ParamSpec& spec : intervention_keys(type))
      if (spec.required && !table.get(spec.path))
        fail(
            at(table.source()),
            key_error(prefix + spec.path, "missing; a " + std::string(intervention_type_name(type)) +
                                              " intervention needs " + spec.path + " (" + spec.range.describe() + ")"));
  }

  Scenario& scenario_;
  std::string source_;
  std::vector<std::string> window_origin_;  // per intervention: its [[intervention]] header
  std::map<std::string, std::string> origins_;  // per dotted path set by the file: its position
  std::optional<Entry> sweep_;
};

toml::table parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, std::string(source));
  } catch (const toml::parse_error& e) {
    fail(where(source, e.source().begin),
         "TOML syntax error: " + std::string(e.description()) + "; fix the file at this position");
  }
}

void apply_overrides_unchecked(Scenario& scenario, const std::vector<std::string>& overrides) {
  for (const std::string& text : overrides) {
    const std::string origin = "--set " + text;
    const auto eq = text.find('=');
    if (eq == std::string::npos) fail(origin, "expected PATH=VALUE, e.g. --set foundation.public_share=0.2");
    auto trim = [](std::string_view s) {
      const auto b = s.find_first_not_of(" \t");
      const auto e = s.find_last_not_of(" \t");
      return b == std::string_view::npos ? std::string_view() : s.substr(b, e - b + 1);
    };
    const std::string_view path = trim(std::string_view(text).substr(0, eq));
    if (path.empty()) fail(origin, "the parameter path before '=' is missing, e.g. --set foundation.public_share=0.2");
    set_parameter(scenario, path, parse_scalar(trim(std::string_view(text).substr(eq + 1))), origin);
    scenario.overrides.push_back(text);
  }
}

}  // namespace

// ---- public interface -------------------------------------------------------------------

std::string_view sweep_method_name(SweepMethod method) {
  return kSweepMethodNames.at(static_cast<std::size_t>(method));
}

Scenario default_scenario() {
  Scenario scenario;
  scenario.source = "<defaults>";
  scenario.name = "default";
  scenario.params = default_params();
  return scenario;
}

Scenario parse_scenario(std::string_view toml_text, std::string_view source,
                        const std::vector<std::string>& overrides) {
  Scenario scenario = default_scenario();
  scenario.source = std::string(source);
  scenario.name = std::filesystem::path(std::string(source)).stem().string();
  scenario.toml_text = std::string(toml_text);

  const toml::table root = parse_toml(toml_text, source);
  if (root.empty())
    fail(std::string(source) + ":1:1",
         "the scenario file is empty (no tables or keys); set at least one parameter, e.g. "
         "[simulation] years = 10, or run without a scenario file to use every default");
  FileReader reader(scenario);
  reader.read(root);
  apply_overrides_unchecked(scenario, overrides);
  reader.finish();
  return scenario;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not a scenario file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read the scenario file (" + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, overrides);
}

void set_parameter(Scenario& scenario, std::string_view path, const ScalarValue& value, std::string_view origin) {
  const Target target = resolve(scenario, path, origin);
  const CheckedValue checked = check_value(*target.spec, value);
  if (!checked.value) fail(origin, key_error(path, checked.error));
  store_value(target.field, *target.spec, *checked.value);
  after_store(scenario, target);
}

void apply_overrides(Scenario& scenario, const std::vector<std::string>& overrides) {
  apply_overrides_unchecked(scenario, overrides);
  validate_scenario(scenario, "--set");
}

ScalarValue parse_scalar(std::string_view text) {
  // Let toml++ decide what the text is, so --set reads values exactly as a file would.
  try {
    const toml::table parsed = toml::parse("v = " + std::string(text));
    if (parsed.size() == 1)
      if (const toml::node* node = parsed.get("v"))
        if (std::optional<ScalarValue> value = scalar_of(*node)) return *value;
  } catch (const toml::parse_error&) {
    // not a TOML scalar: a bare string such as voucher or data/net.graphml
  }
  return std::string(text);
}

ScalarValue get_parameter(const Scenario& scenario, std::string_view path) {
  // resolve() hands out a writable field; reading through it leaves the scenario as is.
  Scenario& readable = const_cast<Scenario&>(scenario);
  const Target target = resolve(readable, path, "get_parameter");
  if (target.intervention >= 0) return intervention_value(scenario.interventions[target.intervention], *target.spec);
  return parameter_value(scenario.params, *target.spec);
}

void validate_scenario(const Scenario& scenario, std::string_view origin) {
  if (const auto problem = find_window_problem(scenario)) fail(origin, problem->message);
  if (const auto problem = find_population_problem(scenario)) fail(origin, problem->message);
  if (const auto problem = find_snapshots_problem(scenario)) fail(origin, *problem);
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
  for (const Intervention& iv : scenario.interventions) {
    out += "\n[[intervention]]\n";
    for (const ParamSpec& key : intervention_common_keys())
      out += key.path + " = " + format_scalar(intervention_value(iv, key)) + "\n";
    for (const ParamSpec& key : intervention_keys(iv.type)) {
      if (key.path == "public_channel" && !iv.sets_channel) continue;  // optional: absent means unchanged
      out += key.path + " = " + format_scalar(intervention_value(iv, key)) + "\n";
    }
  }
  return out;
}

std::string network_file_path(const Scenario& scenario) {
  std::filesystem::path file(scenario.params.network.file);
  if (file.empty()) return {};
  if (file.is_relative() && !scenario.source.empty() && std::filesystem::exists(scenario.source))
    file = std::filesystem::path(scenario.source).parent_path() / file;
  return file.string();
}

}  // namespace xsector
