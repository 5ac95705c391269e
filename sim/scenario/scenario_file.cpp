// Scenario files (MODEL.md 6, 9, 10): TOML in, a validated Scenario out. Every key goes
// through the parameter table, so a value is checked the same way whether it comes from
// a file, from --set or from a sweep list. Errors name FILE:LINE:COL (or the --set
// string) and the full dotted key, and say what to do.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "scenario/dotted_paths.hpp"
#include "scenario/file_keys.hpp"
#include "scenario/input_errors.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_checks.hpp"
#include "scenario/sweep_file.hpp"
#include "scenario/toml_reading.hpp"

namespace xsector {
namespace {

// The file's view of one scenario being built: positions are reported against `source`.
class FileReader {
 public:
  explicit FileReader(Scenario& scenario) : scenario_(scenario), source_(scenario.source) {}

  void read(const toml::table& root) {
    for (const TableEntry& entry : in_file_order(root)) {
      if (entry.name == "scenario")
        read_scenario_table(entry);
      else if (entry.name == "intervention")
        read_interventions(entry);
      else if (entry.name == "sweep")
        sweep_ = entry;  // read in finish(): its values are checked against the final scenario
      else
        read_parameters(entry.name, entry);
    }
  }

  // After --set: cross-checks, then the sweep.
  void finish() {
    if (const auto problem = find_window_problem(scenario_)) {
      // Blame the --set that moved the window, if one did; else the [[intervention]] table.
      const std::string prefix = "intervention." + std::to_string(problem->intervention) + ".";
      const auto index = static_cast<std::size_t>(problem->intervention);
      const bool horizon = index < scenario_.end_at_horizon.size() && scenario_.end_at_horizon[index];
      const std::string set =
          override_origin({prefix + "start_year", prefix + "end_year", horizon ? "simulation.years" : prefix});
      fail(set.empty() ? window_origin_[problem->intervention] : set, problem->message);
    }
    if (const auto problem = find_population_problem(scenario_)) fail(origin_of(problem->key), problem->message);
    if (const auto problem = find_snapshots_problem(scenario_)) {
      const std::string set = override_origin({"output.snapshots", "simulation.replicates"});
      fail(set.empty() ? origin_of("output.snapshots") : set, *problem);
    }
    if (sweep_) scenario_.sweep = read_sweep_table(scenario_, *sweep_);
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

  void read_scenario_table(const TableEntry& entry) {
    const toml::table* table = entry.node->as_table();
    if (!table)
      fail(at(entry.key->source()), key_error("scenario", "expected a table: [scenario] description = \"...\""));
    const std::vector<std::string> names = key_names(scenario_keys());
    std::vector<std::string> quoted_names;
    for (const std::string& name : names) quoted_names.push_back("`" + name + "`");
    for (const TableEntry& child : in_file_order(*table)) {
      const ScenarioKey* key = find_key(scenario_keys(), child.name);
      if (!key) {
        const std::string near = closest_match(child.name, names);
        fail(at(child.key->source()), "unknown key `scenario." + child.name + "`; the [scenario] table has only " +
                                          and_list(quoted_names) +
                                          (near.empty() ? std::string() : " (did you mean `scenario." + near + "`?)"));
      }
      const CheckedValue checked = check_node(key->spec, *child.node);
      if (!checked.value) fail(at(child.node->source()), key_error("scenario." + child.name, checked.error));
      key->store(scenario_, *checked.value);
    }
  }

  void read_parameters(const std::string& path, const TableEntry& entry) {
    const ParamSpec* spec = find_parameter(path);
    if (const toml::table* table = entry.node->as_table()) {
      if (spec) fail(at(entry.node->source()), key_error(path, "expected " + expected_phrase(*spec) + ", got a table"));
      require_known_table(path, entry);
      for (const TableEntry& child : in_file_order(*table)) read_parameters(path + "." + child.name, child);
      return;
    }
    if (!spec) fail(at(entry.key->source()), unknown_parameter_message(path));
    set_from_node(path, *spec, *entry.node);
  }

  // Values go through set_parameter, so a file, --set and a sweep check them alike.
  void set_from_node(const std::string& path, const ParamSpec& spec, const toml::node& node) {
    const std::optional<ScalarValue> value = scalar_of(node);
    if (!value)
      fail(at(node.source()), key_error(path, "expected " + expected_phrase(spec) + ", got " + node_kind(node)));
    set_parameter(scenario_, path, *value, at(node.source()));
    origins_[path] = at(node.source());
  }

  void require_known_table(const std::string& path, const TableEntry& entry) const {
    std::vector<std::string> tables = parameter_tables();
    if (std::find(tables.begin(), tables.end(), path) != tables.end()) return;
    tables.insert(tables.end(), {"scenario", "intervention", "sweep"});
    std::string message = "unknown table `[" + path + "]`";
    if (const std::string near = closest_match(path, tables); !near.empty())
      message += "; did you mean `[" + near + "]`?";
    else
      message += "; see docs/PARAMETERS.md for the valid tables";
    fail(at(entry.key->source()), message);
  }

  void read_interventions(const TableEntry& entry) {
    const toml::array* list = entry.node->as_array();
    if (!list || (!list->empty() && !list->is_array_of_tables()))
      fail(at(entry.key->source()), key_error("intervention",
                                              "expected [[intervention]] tables (an array of tables), e.g. "
                                              "[[intervention]] then type = \"graduate_programs\""));
    for (const toml::node& item : *list) read_intervention(*item.as_table());
  }

  void read_intervention(const toml::table& table) {
    const int index = static_cast<int>(scenario_.interventions.size());
    const std::string prefix = "intervention." + std::to_string(index) + ".";
    const ParamSpec& type_spec = *find_intervention_key(InterventionType{}, "type");

    // The type decides which keys are valid, so it is read before the other keys.
    const toml::node* type_node = table.get("type");
    if (!type_node)
      fail(at(table.source()), key_error(prefix + "type", "missing; every [[intervention]] needs type = one of " +
                                                              quoted_list(type_spec.choices)));
    const CheckedValue checked = check_node(type_spec, *type_node);
    if (!checked.value) fail(at(type_node->source()), key_error(prefix + "type", checked.error));
    const InterventionType type = *intervention_type_from_name(std::get<std::string>(*checked.value));

    scenario_.interventions.push_back(
        default_intervention(type, static_cast<double>(scenario_.params.simulation.years)));
    scenario_.end_at_horizon.push_back(true);
    window_origin_.push_back(at(table.source()));

    for (const TableEntry& child : in_file_order(table)) {
      if (child.name == "type") continue;
      const std::string path = prefix + child.name;
      const ParamSpec* spec = find_intervention_key(type, child.name);
      if (!spec) fail(at(child.key->source()), unknown_intervention_key_message(path, index, type, child.name));
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
  std::vector<std::string> window_origin_;      // per intervention: its [[intervention]] header
  std::map<std::string, std::string> origins_;  // per dotted path set by the file: its position
  std::optional<TableEntry> sweep_;
};

toml::table parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, std::string(source));
  } catch (const toml::parse_error& error) {
    fail(where(source, error.source().begin),
         "TOML syntax error: " + std::string(error.description()) + "; fix the file at this position");
  }
}

// `--set sweep.KEY=VALUE` reaches the counts and seeds of the [sweep] table (replicates,
// samples, seed, trajectories, levels): the sweep settings a user scales without editing
// the file, e.g. to grow a sweep with --resume. The design's method and lists stay the
// file's.
const SweepKey* sweep_override_key(std::string_view text) {
  std::string_view path = text.substr(0, text.find('='));
  while (!path.empty() && (path.back() == ' ' || path.back() == '\t')) path.remove_suffix(1);
  while (!path.empty() && (path.front() == ' ' || path.front() == '\t')) path.remove_prefix(1);
  if (!path.starts_with("sweep.")) return nullptr;
  const SweepKey* key = find_key(sweep_keys(), path.substr(6));
  return key && key->store && key->spec.path != "method" ? key : nullptr;
}

void apply_sweep_override(Scenario& scenario, const std::string& text) {
  const std::string origin = "--set " + text;
  const SweepKey& key = *sweep_override_key(text);
  const std::string path = "sweep." + key.spec.path;
  if (!scenario.sweep) fail(origin, key_error(path, "the scenario has no [sweep] table to set it in"));
  if (!uses(key, scenario.sweep->method))
    fail(origin, key_error(path, "method = \"" + std::string(sweep_method_name(scenario.sweep->method)) +
                                     "\" does not use " + key.spec.path));
  const CheckedValue checked = check_value(key.spec, parse_scalar(std::string_view(text).substr(text.find('=') + 1)));
  if (!checked.value) fail(origin, key_error(path, checked.error));
  key.store(*scenario.sweep, *checked.value);
  if (scenario.sweep->method == SweepMethod::morris && scenario.sweep->levels % 2)
    fail(origin, key_error(path, "method = \"morris\" needs an even number of levels"));
  scenario.overrides.push_back(text);
}

}  // namespace

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
  std::vector<std::string> parameter_overrides, sweep_overrides;
  for (const std::string& text : overrides)
    (sweep_override_key(text) ? sweep_overrides : parameter_overrides).push_back(text);
  apply_overrides_unchecked(scenario, parameter_overrides);
  reader.finish();
  for (const std::string& text : sweep_overrides) apply_sweep_override(scenario, text);
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

}  // namespace xsector
