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
      if (key->spec.kind == ParamKind::table) {
        read_axes(child, sweep);
        continue;
      }
      if (key->lhs_only && sweep.method != SweepMethod::lhs)
        fail(at(child.key->source()), key_error("sweep." + child.name, "only method = \"lhs\" uses " + child.name +
                                                                           "; remove it or set method = \"lhs\""));
      read_setting(*key, *child.node, sweep);
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

  // [sweep.parameters]: quoted dotted paths, or unquoted ones that TOML made into nested
  // tables; both name the same parameter.
  void collect_axis_entries(const toml::table& table, const std::string& prefix,
                            std::vector<std::pair<std::string, TableEntry>>& out) {
    for (const TableEntry& child : in_file_order(table)) {
      const std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
      if (const toml::table* nested = child.node->as_table())
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

  SweepAxis read_axis(const std::string& path, const TableEntry& entry, SweepMethod method) {
    Scenario probe = base_;  // each value must pass set_parameter on a copy
    const PathTarget target = resolve_path(probe, path, at(entry.key->source()));
    const std::string display = "sweep.parameters.\"" + path + "\"";
    const toml::array* list = entry.node->as_array();
    const bool lhs = method == SweepMethod::lhs;
    if (!list)
      fail(at(entry.node->source()), key_error(display, lhs ? "expected [low, high], e.g. [0.0, 0.2]"
                                                            : "expected a list of values, e.g. [0.0, 0.1, 0.2]"));
    SweepAxis axis;
    axis.path = path;
    if (lhs && target.spec->kind != ParamKind::real && target.spec->kind != ParamKind::integer)
      fail(at(entry.key->source()),
           key_error(display, "method = \"lhs\" samples numbers, but `" + path + "` takes " +
                                  expected_phrase(*target.spec) + "; use method = \"grid\" or \"zip\""));
    if (lhs && list->size() != 2)
      fail(at(entry.node->source()), key_error(display, "method = \"lhs\" needs exactly [low, high], got " +
                                                            std::to_string(list->size()) + " value(s)"));
    if (!lhs && list->empty())
      fail(at(entry.node->source()), key_error(display, "the list is empty; give at least one value"));
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
        fail(at(entry.node->source()), key_error(display, "low " + format_real(axis.low) + " is above high " +
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
    for (const SweepAxis& axis : sweep.axes)
      if (axis.path == "simulation.years" || (axis.path.starts_with("intervention.") &&
                                              (axis.path.ends_with(".start_year") || axis.path.ends_with(".end_year"))))
        axes.push_back(&axis);
    if (axes.size() < 2) return;  // a single axis: read_axis checked each of its values
    std::vector<std::vector<ScalarValue>> options;
    for (const SweepAxis* axis : axes)
      options.push_back(sweep.method == SweepMethod::lhs ? std::vector<ScalarValue>{axis->low, axis->high}
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

}  // namespace

SweepSpec read_sweep_table(const Scenario& base, const TableEntry& sweep) { return SweepReader(base).read(sweep); }

}  // namespace xsector
