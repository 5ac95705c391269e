#include "scenario/sweep_file.hpp"

#include <algorithm>

#include "scenario/dotted_paths.hpp"
#include "scenario/file_keys.hpp"
#include "scenario/input_errors.hpp"
#include "scenario/scenario_checks.hpp"

namespace xsector {
namespace {

class SweepReader {
 public:
  explicit SweepReader(const Scenario& base) : base_(base), source_(base.source) {}

  SweepSpec read(const TableEntry& entry) {
    const toml::table* table = entry.node->as_table();
    if (!table) fail(at(entry.key->source()), key_error("sweep", "expected a table: [sweep] method = \"grid\""));
    SweepSpec sweep = default_sweep();
    // Which keys apply depends on the method, so it is read before the others.
    if (const toml::node* method = table->get("method"))
      read_setting(*find_key(sweep_keys(), "method"), *method, sweep);
    for (const TableEntry& child : in_file_order(*table)) {
      const SweepKey* key = find_key(sweep_keys(), child.name);
      if (!key) fail(at(child.key->source()), unknown_key_message(child.name));
      if (key->spec.path == "method") continue;
      if (!uses(*key, sweep.method))
        fail(at(child.key->source()),
             key_error("sweep." + child.name, "only " + methods_phrase(*key) + " uses " + child.name +
                                                  "; remove it or set method = \"" +
                                                  std::string(sweep_method_name(key->methods.front())) + "\""));
      if (key->spec.path == "parameters")
        read_axes(child, sweep);
      else if (key->spec.path == "arms")
        read_arms(child, sweep);
      else
        read_setting(*key, *child.node, sweep);
    }
    const std::string origin = at(table->source());
    const std::string method = "method = \"" + std::string(sweep_method_name(sweep.method)) + "\"";
    for (const SweepKey& key : sweep_keys())
      if (key.required && uses(key, sweep.method) && !table->get(key.spec.path))
        fail(origin, key_error("sweep." + key.spec.path, "missing; " + method + " needs " + key.spec.path + " = N (" +
                                                             count_meaning(key.spec.path, sweep.method) + ")"));
    if (sweep.method == SweepMethod::morris && sweep.levels % 2)
      fail(at(table->get("levels")->source()),
           key_error("sweep.levels", "method = \"morris\" needs an even number of levels (so that every step "
                                     "moves half the grid), got " + std::to_string(sweep.levels)));
    if (is_sampled(sweep.method) && sweep.axes.empty())
      fail(origin, key_error("sweep.parameters", method + " needs at least one parameter range, e.g. "
                                                          "\"foundation.public_share\" = [0.0, 0.2]"));
    for (const SweepArm& arm : sweep.arms)
      for (const auto& [path, value] : arm.settings)
        for (const SweepAxis& axis : sweep.axes)
          if (axis.path == path)
            fail(where(source_, axis_position(axis.path)),
                 key_error("sweep.parameters.\"" + path + "\"",
                           "arm `" + arm.name + "` sets it too; a parameter is either swept or set by the arms"));
    check_zip_lengths(sweep);
    check_run_count(sweep, *table);
    check_sweep_windows(sweep, origin);
    return sweep;
  }

 private:
  std::string at(const toml::source_region& region) const { return where(source_, region.begin); }

  // "method = \"lhs\"", "method = \"lhs\" or \"sobol\"".
  static std::string methods_phrase(const SweepKey& key) {
    std::string out = "method = ";
    for (std::size_t i = 0; i < key.methods.size(); ++i)
      out += std::string(i ? " or " : "") + "\"" + std::string(sweep_method_name(key.methods[i])) + "\"";
    return out;
  }

  static std::string count_meaning(const std::string& key, SweepMethod method) {
    if (key == "trajectories") return "the number of trajectories";
    return method == SweepMethod::sobol ? "the base sample; the design has N × (k + 2) points" : "the number of points";
  }

  static std::string unknown_key_message(const std::string& name) {
    const std::vector<std::string> names = key_names(sweep_keys());
    const std::string near = closest_match(name, names);
    return "unknown key `sweep." + name + "`" +
           (near.empty() ? "; [sweep] has " + and_list(names) : "; did you mean `sweep." + near + "`?");
  }

  void read_setting(const SweepKey& key, const toml::node& node, SweepSpec& sweep) const {
    const CheckedValue checked = check_node(key.spec, node);
    if (!checked.value) fail(at(node.source()), key_error("sweep." + key.spec.path, checked.error));
    key.store(sweep, *checked.value);
  }

  static const std::vector<std::string>& distribution_keys() {
    static const std::vector<std::string> keys = {"distribution", "low", "high", "mean", "sd", "choices"};
    return keys;
  }

  // A table under [sweep.parameters] is a distribution when it is written inline
  // ({ ... }) or has a distribution's key; otherwise it is part of an unquoted dotted path.
  static bool is_distribution(const toml::table& table) {
    if (table.is_inline()) return true;
    const auto& keys = distribution_keys();
    return std::any_of(keys.begin(), keys.end(), [&table](const std::string& key) { return table.contains(key); });
  }

  // [sweep.parameters]: quoted dotted paths, or unquoted ones that TOML made into nested
  // tables; both name the same parameter.
  void collect_axis_entries(const toml::table& table, const std::string& prefix,
                            std::vector<std::pair<std::string, TableEntry>>& out) {
    for (const TableEntry& child : in_file_order(table)) {
      const std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
      const toml::table* nested = child.node->as_table();
      if (nested && !is_distribution(*nested))
        collect_axis_entries(*nested, path, out);
      else
        out.emplace_back(path, child);
    }
  }

  void read_axes(const TableEntry& entry, SweepSpec& sweep) {
    const toml::table* table = entry.node->as_table();
    if (!table)
      fail(at(entry.key->source()), key_error("sweep.parameters",
                                              "expected a table: [sweep.parameters] then "
                                              "\"foundation.public_share\" = [0.0, 0.1]"));
    parameters_ = table;
    std::vector<std::pair<std::string, TableEntry>> entries;
    collect_axis_entries(*table, "", entries);
    for (const auto& item : entries) {
      const std::string& path = item.first;  // not a structured binding: clang 14 cannot capture one
      const TableEntry& axis_entry = item.second;
      const auto same = [&path](const SweepAxis& axis) { return axis.path == path; };
      if (std::any_of(sweep.axes.begin(), sweep.axes.end(), same))
        fail(at(axis_entry.key->source()), key_error(path, "listed twice in [sweep.parameters]; keep one list"));
      sweep.axes.push_back(read_axis(path, axis_entry, sweep.method));
    }
  }

  // [sweep.arms]: name = { "dotted.path" = value, ... }; each setting is checked as a run
  // applies it (set_parameter on a copy of the scenario), then the arm's scenario as a whole.
  void read_arms(const TableEntry& entry, SweepSpec& sweep) {
    const toml::table* table = entry.node->as_table();
    if (!table)
      fail(at(entry.key->source()),
           key_error("sweep.arms", "expected a table of arms: [sweep.arms] then base = {} and vouchers = "
                                   "{ \"foundation.public_channel\" = \"voucher\" }"));
    for (const TableEntry& child : in_file_order(*table)) {
      const std::string display = "sweep.arms." + child.name;
      const toml::table* settings = child.node->as_table();
      if (!settings)
        fail(at(child.node->source()),
             key_error(display, "expected the arm's settings as a table, e.g. { \"foundation.public_share\" = 0.3 }, "
                                "or {} for the scenario as it is"));
      SweepArm arm{child.name, {}};
      Scenario probe = base_;
      std::vector<std::pair<std::string, TableEntry>> entries;
      collect_settings(*settings, "", entries);
      for (const auto& item : entries) {
        const toml::node& node = *item.second.node;
        const std::optional<ScalarValue> value = scalar_of(node);
        if (!value)
          fail(at(node.source()), key_error(display + ".\"" + item.first + "\"", "expected a value, got " +
                                                                                  node_kind(node)));
        set_parameter(probe, item.first, *value, at(node.source()));
        arm.settings.emplace_back(item.first, *value);
      }
      validate_scenario(probe, at(child.key->source()));
      sweep.arms.push_back(std::move(arm));
    }
    if (sweep.arms.empty())
      fail(at(entry.key->source()), key_error("sweep.arms", "lists no arm; remove it, or name at least one arm"));
  }

  // An arm's settings: quoted dotted paths, or unquoted ones that TOML made into tables.
  static void collect_settings(const toml::table& table, const std::string& prefix,
                               std::vector<std::pair<std::string, TableEntry>>& out) {
    for (const TableEntry& child : in_file_order(table)) {
      const std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
      if (const toml::table* nested = child.node->as_table())
        collect_settings(*nested, path, out);
      else
        out.emplace_back(path, child);
    }
  }

  SweepAxis read_axis(const std::string& path, const TableEntry& entry, SweepMethod method) {
    const std::string display = "sweep.parameters.\"" + path + "\"";
    Scenario probe = base_;  // each value must pass set_parameter on a copy
    const PathTarget target = resolve_path(probe, path, at(entry.key->source()));
    SweepAxis axis;
    axis.path = path;
    if (const toml::table* spec = entry.node->as_table()) {
      if (!is_sampled(method))
        fail(at(entry.node->source()),
             key_error(display, "method = \"" + std::string(sweep_method_name(method)) +
                                    "\" takes a list of values; distributions are for lhs, sobol and morris"));
      read_distribution(axis, *spec, *target.spec, display, probe);
      return axis;
    }
    const toml::array* list = entry.node->as_array();
    const std::string method_text = "method = \"" + std::string(sweep_method_name(method)) + "\"";
    const bool sampled = is_sampled(method);
    if (!list)
      fail(at(entry.node->source()), key_error(display, sampled ? "expected [low, high], e.g. [0.0, 0.2], or a "
                                                                  "distribution such as { choices = [...] }"
                                                                : "expected a list of values, e.g. [0.0, 0.1, 0.2]"));
    if (sampled && !is_number_kind(*target.spec))
      fail(at(entry.key->source()),
           key_error(display, method_text + " samples numbers from [low, high], but `" + path + "` takes " +
                                  expected_phrase(*target.spec) + "; sample it with { choices = [...] }"));
    if (sampled && list->size() != 2)
      fail(at(entry.node->source()), key_error(display, method_text + " needs exactly [low, high], got " +
                                                            std::to_string(list->size()) + " value(s)"));
    if (!sampled && list->empty())
      fail(at(entry.node->source()), key_error(display, "the list is empty; give at least one value"));
    for (const toml::node& item : *list) {
      if (sampled && !item.is_number())
        fail(at(item.source()), key_error(display, method_text + " needs numbers for [low, high]"));
      axis.values.push_back(checked_value(probe, path, *target.spec, item));
    }
    if (sampled) {
      axis.distribution.low = *list->get(0)->value<double>();
      axis.distribution.high = *list->get(1)->value<double>();
      axis.values.clear();
      if (axis.distribution.low > axis.distribution.high)
        fail(at(entry.node->source()),
             key_error(display, "low " + format_real(axis.distribution.low) + " is above high " +
                                    format_real(axis.distribution.high) + "; write [low, high]"));
    }
    return axis;
  }

  static bool is_number_kind(const ParamSpec& spec) {
    return spec.kind == ParamKind::real || spec.kind == ParamKind::integer;
  }

  // `item` as the value of `path`, checked as a run would apply it: set on the probe, then
  // the probe validated.
  ScalarValue checked_value(Scenario& probe, const std::string& path, const ParamSpec& spec,
                            const toml::node& item) const {
    const std::optional<ScalarValue> value = scalar_of(item);
    if (!value)
      fail(at(item.source()), key_error(path, "expected " + expected_phrase(spec) + ", got " + node_kind(item)));
    set_parameter(probe, path, *value, at(item.source()));
    validate_scenario(probe, at(item.source()));
    return *value;
  }

  // { distribution = "...", low = .., high = .., mean = .., sd = .. } or { choices = [...] }.
  void read_distribution(SweepAxis& axis, const toml::table& spec, const ParamSpec& param, const std::string& display,
                         Scenario& probe) const {
    const std::vector<std::string>& keys = distribution_keys();
    const std::string origin = at(spec.source());
    for (const TableEntry& child : in_file_order(spec))
      if (std::find(keys.begin(), keys.end(), child.name) == keys.end()) {
        const std::string near = closest_match(child.name, keys);
        fail(at(child.key->source()),
             key_error(display + "." + child.name,
                       "unknown key" + (near.empty() ? "; a distribution has " + and_list(keys)
                                                     : "; did you mean `" + near + "`?")));
      }
    Distribution& dist = axis.distribution;
    if (const toml::node* choices = spec.get("choices")) {
      for (const char* other : {"distribution", "low", "high", "mean", "sd"})
        if (spec.get(other))
          fail(at(spec.get(other)->source()),
               key_error(display + "." + other, "a list of choices takes no " + std::string(other) +
                                                    "; write { choices = [...] } alone"));
      const toml::array* list = choices->as_array();
      if (!list || list->empty())
        fail(at(choices->source()), key_error(display + ".choices", "expected a non-empty list of values, e.g. "
                                                                    "[\"voucher\", \"grant\"]"));
      for (const toml::node& item : *list) axis.values.push_back(checked_value(probe, axis.path, param, item));
      dist.kind = DistributionKind::choice;
      dist.choices = axis.values.size();
      return;
    }
    if (!is_number_kind(param))
      fail(origin, key_error(display, "`" + axis.path + "` takes " + expected_phrase(param) +
                                          "; sample it with { choices = [...] }"));
    if (const toml::node* name = spec.get("distribution")) {
      const std::vector<std::string> names = distribution_names();
      const std::optional<std::string> text = name->value<std::string>();
      const auto found = text ? std::find(names.begin(), names.end(), *text) : names.end();
      if (found == names.end()) {
        const std::string near = text ? closest_match(*text, names) : "";
        fail(at(name->source()),
             key_error(display + ".distribution",
                       "expected one of " + and_list(names) +
                           (near.empty() ? "" : "; did you mean \"" + near + "\"?") +
                           " (a list of values is written { choices = [...] })"));
      }
      dist.kind = static_cast<DistributionKind>(found - names.begin());
    }
    const bool normal = dist.kind == DistributionKind::normal;
    const auto number = [&](const char* key, double& out) {
      const toml::node* node = spec.get(key);
      if (!node) {
        const bool used = normal || (std::string_view(key) != "mean" && std::string_view(key) != "sd");
        if (used)
          fail(origin, key_error(display + "." + key, "missing; a " + std::string(distribution_name(dist.kind)) +
                                                          " distribution needs " +
                                                          (normal ? "mean, sd, low and high (where it is truncated)"
                                                                  : "low and high")));
        return;
      }
      if (!normal && (std::string_view(key) == "mean" || std::string_view(key) == "sd"))
        fail(at(node->source()), key_error(display + "." + key, "only a normal distribution takes " +
                                                                    std::string(key) + "; remove it"));
      if (!node->is_number())
        fail(at(node->source()), key_error(display + "." + key, "expected a number, got " + node_kind(*node)));
      out = *node->value<double>();
      if (std::string_view(key) == "low" || std::string_view(key) == "high") checked_value(probe, axis.path, param, *node);
    };
    number("low", dist.low);
    number("high", dist.high);
    number("mean", dist.mean);
    number("sd", dist.sd);
    if (const std::string problem = distribution_problem(dist); !problem.empty())
      fail(origin, key_error(display, problem));
  }

  // Runs are numbered with int64 (the `run` coordinate of docs/OUTPUT.md): points ×
  // replicates beyond that would wrap round, so such a sweep is refused here.
  void check_run_count(const SweepSpec& sweep, const toml::table& table) const {
    const double points = sweep_point_count(sweep);
    const double runs = points * static_cast<double>(sweep.replicates);
    if (runs < 9.2e18) return;
    // Blame the larger factor: samples (lhs, sobol), trajectories (morris) or the value
    // lists, or replicates.
    const toml::node* replicates = table.get("replicates");
    const bool blame_replicates = replicates && static_cast<double>(sweep.replicates) >= points;
    const char* count_key = sweep.method == SweepMethod::morris ? "trajectories" : "samples";
    const toml::node* count = is_sampled(sweep.method) ? table.get(count_key) : nullptr;
    const toml::node* culprit = blame_replicates ? replicates : count ? count : parameters_;
    const std::string key = blame_replicates ? "sweep.replicates"
                            : count         ? "sweep." + std::string(count_key)
                                            : "sweep.parameters";
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
  // combination for grid, every row for zip, every corner of the box of a sampled method
  // (the rule is linear, so a violation inside the box shows at a corner; choices: each).
  void check_sweep_windows(const SweepSpec& sweep, const std::string& origin) const {
    std::vector<const SweepAxis*> axes;
    for (const SweepAxis& axis : sweep.axes)
      if (axis.path == "simulation.years" || (axis.path.starts_with("intervention.") &&
                                              (axis.path.ends_with(".start_year") || axis.path.ends_with(".end_year"))))
        axes.push_back(&axis);
    if (axes.size() < 2) return;  // a single axis: read_axis checked each of its values
    std::vector<std::vector<ScalarValue>> options;
    for (const SweepAxis* axis : axes)
      options.push_back(is_sampled(sweep.method) && axis->distribution.kind != DistributionKind::choice
                            ? std::vector<ScalarValue>{axis->distribution.low, axis->distribution.high}
                            : axis->values);
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
    for (const auto& values : options) points = std::min(kMaxPoints + 1, points * values.size());
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
      // A sampled corner of an integer parameter is a whole real, which set_parameter accepts.
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

}  // namespace

SweepSpec read_sweep_table(const Scenario& base, const TableEntry& sweep) { return SweepReader(base).read(sweep); }

}  // namespace xsector
