#include "sweep/sweep_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"
#include "core/random.hpp"
#include "scenario/param_table.hpp"
#include "sweep/designs.hpp"

namespace xsector {
namespace {

using Point = std::vector<ScalarValue>;

// Cartesian product, first axis slowest: an odometer whose last digit turns fastest.
std::vector<Point> grid_points(const SweepSpec& sweep) {
  std::vector<Point> points;
  std::vector<std::size_t> digit(sweep.axes.size(), 0);
  for (;;) {
    Point p;
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) p.push_back(sweep.axes[a].values[digit[a]]);
    points.push_back(std::move(p));
    std::size_t a = sweep.axes.size();
    while (a > 0 && ++digit[a - 1] == sweep.axes[a - 1].values.size()) digit[--a] = 0;
    if (a == 0) return points;  // every digit wrapped: done (also for zero axes: one point)
  }
}

std::vector<Point> zip_points(const SweepSpec& sweep) {
  if (sweep.axes.empty()) return {Point{}};
  const std::size_t n = sweep.axes.front().values.size();
  std::vector<Point> points(n);
  for (const SweepAxis& axis : sweep.axes) {
    if (axis.values.size() != n)
      throw InputError("sweep.parameters.\"" + axis.path + "\": method = \"zip\" needs lists of equal length");
    for (std::size_t k = 0; k < n; ++k) points[k].push_back(axis.values[k]);
  }
  return points;
}

// Which stratum each sample of one axis falls in: a uniformly random permutation of
// 0..n-1 (Fisher-Yates). Stream agent 0 of the axis is reserved for it.
std::vector<std::size_t> lhs_strata(std::uint64_t seed, std::size_t axis, std::size_t n) {
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  Stream s(seed, axis, 0, Purpose::lhs);
  for (std::size_t i = n; i > 1; --i) {
    // uniform() < 1, but the product can round up to i: clamp.
    const auto j = std::min(i - 1, static_cast<std::size_t>(s.uniform() * static_cast<double>(i)));
    std::swap(perm[i - 1], perm[j]);
  }
  return perm;
}

// The Latin hypercube on the unit cube: u of sample i on axis a lies in stratum perm_a[i],
// uniform inside it, drawn from Stream agent 1 + i so that each value depends only on
// (seed, axis, sample) and not on how many draws came before.
std::vector<UnitPoint> lhs_design(std::size_t samples, std::size_t parameters, std::uint64_t seed) {
  std::vector<UnitPoint> points(samples, UnitPoint(parameters));
  for (std::size_t a = 0; a < parameters; ++a) {
    const std::vector<std::size_t> strata = lhs_strata(seed, a, samples);
    for (std::size_t i = 0; i < samples; ++i) {
      Stream s(seed, a, 1 + i, Purpose::lhs);
      points[i][a] = (static_cast<double>(strata[i]) + s.uniform()) / static_cast<double>(samples);
    }
  }
  return points;
}

std::vector<UnitPoint> unit_design(const SweepSpec& sweep) {
  const std::size_t k = sweep.axes.size();
  switch (sweep.method) {
    case SweepMethod::lhs: return lhs_design(static_cast<std::size_t>(sweep.samples), k, sweep.seed);
    case SweepMethod::sobol: return saltelli_design(static_cast<std::size_t>(sweep.samples), k);
    case SweepMethod::morris:
      return morris_design(static_cast<std::size_t>(sweep.trajectories), k, static_cast<int>(sweep.levels),
                           sweep.seed);
    default: throw std::logic_error("unit_design: not a sampled method");
  }
}

// Each unit point turned into values by the axes' distributions: a choice's index picks
// its value; an integer parameter's number is rounded (half away from zero).
std::vector<Point> sampled_points(const SweepSpec& sweep, const Scenario& scenario) {
  const std::int64_t count = sweep.method == SweepMethod::morris ? sweep.trajectories : sweep.samples;
  if (count < 1) throw InputError("a sampled sweep needs samples (trajectories for morris) of at least 1");
  std::vector<bool> integer;
  for (const SweepAxis& axis : sweep.axes)
    integer.push_back(std::holds_alternative<std::int64_t>(get_parameter(scenario, axis.path)));
  std::vector<Point> points;
  for (const UnitPoint& u : unit_design(sweep)) {
    Point point;
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
      const SweepAxis& axis = sweep.axes[a];
      const double x = quantile(axis.distribution, u[a]);
      if (axis.distribution.kind == DistributionKind::choice)
        point.push_back(axis.values.at(static_cast<std::size_t>(x)));
      else if (integer[a])
        point.emplace_back(static_cast<std::int64_t>(std::llround(x)));
      else
        point.emplace_back(x);
    }
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace

namespace {

// Every path a sweep varies: its axes and its arms' settings, as "sweep.parameters.\"P\""
// or "sweep.arms.NAME.\"P\"" for messages.
std::vector<std::pair<std::string, std::string>> varied_paths(const SweepSpec& sweep) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const SweepAxis& axis : sweep.axes) out.emplace_back(axis.path, "sweep.parameters.\"" + axis.path + "\"");
  for (const SweepArm& arm : sweep.arms)
    for (const auto& setting : arm.settings)
      out.emplace_back(setting.first, "sweep.arms." + arm.name + ".\"" + setting.first + "\"");
  return out;
}

}  // namespace

void refuse_swept_ticks(const Scenario& scenario) {
  if (!scenario.sweep) return;
  for (const auto& [path, key] : varied_paths(*scenario.sweep))
    if (path == "simulation.years" || path == "simulation.ticks_per_year")
      throw InputError(scenario.source + ": " + key +
                       ": a sweep cannot vary the number of ticks (every run of one results file has the "
                       "same tick axis); run one sweep per value with --set " + path + "=...");
}

namespace {

// Where a scenario sets `table.key`: "--set table.key=..." when an override does, else
// "FILE:LINE" of the key in the file (`key = ...` under [table], or the dotted
// `table.key = ...`), else "FILE".
std::string where_set(const Scenario& scenario, const std::string& table, const std::string& key) {
  const std::string path = table + "." + key;
  for (auto o = scenario.overrides.rbegin(); o != scenario.overrides.rend(); ++o)
    if (o->starts_with(path + "=") || o->starts_with(path + " ")) return "--set " + *o;
  const std::string& text = scenario.toml_text;
  std::size_t line = 1, start = 0;
  bool in_table = false;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string row = text.substr(start, end - start);
    row.erase(0, row.find_first_not_of(" \t"));
    if (row.starts_with("[")) in_table = row.starts_with("[" + table + "]");
    if ((in_table && row.starts_with(key)) || row.starts_with(path))
      return scenario.source + ":" + std::to_string(line) + ": " + path;
    start = end + 1;
    ++line;
  }
  return scenario.source + ": " + path;
}

}  // namespace

void refuse_run_only_settings(const Scenario& scenario) {
  if (!scenario.sweep) return;
  const std::string run_one =
      "`xsector run " + scenario.source + " --point K --replicate R` runs one run of this sweep alone";
  for (const auto& [path, key] : varied_paths(*scenario.sweep))
    if (path == "output.snapshots" || path == "simulation.replicates")
      throw InputError(scenario.source + ": " + key + ": a sweep cannot vary it; " + run_one);
  if (scenario.params.output.snapshots)
    throw InputError(where_set(scenario, "output", "snapshots") +
                     ": a sweep writes no per-agent snapshots (its file holds the metrics of every run); write the "
                     "snapshot of one run with `xsector run " + scenario.source +
                     " --point K --replicate R --snapshots`");
  if (scenario.params.simulation.replicates != 1)
    throw InputError(where_set(scenario, "simulation", "replicates") +
                     ": the replicates of a sweep are sweep.replicates (runs per point); simulation.replicates is "
                     "for `xsector run`");
}

SweepPlan::SweepPlan(const Scenario& scenario) {
  if (!scenario.sweep) throw InputError(scenario.source + " has no [sweep] table; use xsector run");
  const SweepSpec& sweep = *scenario.sweep;
  refuse_swept_ticks(scenario);
  if (sweep.replicates < 1) throw InputError("sweep.replicates must be at least 1");
  method_ = sweep.method;
  replicates_ = static_cast<std::size_t>(sweep.replicates);
  for (const SweepAxis& axis : sweep.axes) paths_.push_back(axis.path);
  switch (sweep.method) {
    case SweepMethod::grid: points_ = grid_points(sweep); break;
    case SweepMethod::zip: points_ = zip_points(sweep); break;
    case SweepMethod::lhs:
    case SweepMethod::sobol:
    case SweepMethod::morris: points_ = sampled_points(sweep, scenario); break;
  }
  design_points_ = points_.size();
  if (!sweep.arms.empty()) {  // every design point once per arm, arms slowest; "arm" is the first path
    std::vector<Point> crossed;
    for (const SweepArm& arm : sweep.arms)
      for (const Point& design : points_) {
        Point point{ScalarValue(arm.name)};
        point.insert(point.end(), design.begin(), design.end());
        crossed.push_back(std::move(point));
      }
    points_ = std::move(crossed);
    paths_.insert(paths_.begin(), std::string(kArmPath));
    arms_ = sweep.arms;
  }
  if (points_.empty()) throw InputError(scenario.source + ": the [sweep] table gives no points (zero runs)");
}

const SweepArm& SweepPlan::arm(const std::string& name) const {
  for (const SweepArm& arm : arms_)
    if (arm.name == name) return arm;
  throw std::logic_error("SweepPlan::arm: no arm " + name);
}

const std::vector<ScalarValue>& SweepPlan::point(std::size_t k) const {
  if (k >= points_.size())
    throw InputError("point " + std::to_string(k) + " does not exist: the sweep has points 0.." +
                     std::to_string(points_.size() - 1));
  return points_[k];
}

RunIdentity SweepPlan::identity_of(std::size_t run) const {
  if (run >= run_count())
    throw InputError("run " + std::to_string(run) + " does not exist: the sweep has runs 0.." +
                     std::to_string(run_count() - 1));
  return {static_cast<std::int64_t>(run / replicates_), static_cast<std::int64_t>(run % replicates_)};
}

RunIdentity SweepPlan::seed_identity(std::size_t run) const {
  RunIdentity id = identity_of(run);
  if (!arms_.empty()) id.point %= static_cast<std::int64_t>(design_points_);
  return id;
}

std::size_t SweepPlan::run_index(RunIdentity id) const {
  if (id.point < 0 || static_cast<std::size_t>(id.point) >= points_.size())
    throw InputError("point " + std::to_string(id.point) + " does not exist: the sweep has points 0.." +
                     std::to_string(points_.size() - 1));
  if (id.replicate < 0 || static_cast<std::size_t>(id.replicate) >= replicates_)
    throw InputError("replicate " + std::to_string(id.replicate) + " does not exist: the sweep has replicates 0.." +
                     std::to_string(replicates_ - 1));
  return static_cast<std::size_t>(id.point) * replicates_ + static_cast<std::size_t>(id.replicate);
}

Scenario apply_point(const Scenario& scenario, const SweepPlan& plan, std::size_t k) {
  const std::vector<ScalarValue>& values = plan.point(k);
  const std::string origin = "sweep point " + std::to_string(k);
  Scenario out = scenario;
  for (std::size_t a = 0; a < values.size(); ++a) {
    if (plan.paths()[a] == kArmPath) {
      for (const auto& [path, value] : plan.arm(std::get<std::string>(values[a])).settings)
        set_parameter(out, path, value, origin);
      continue;
    }
    set_parameter(out, plan.paths()[a], values[a], origin);
  }
  validate_scenario(out, origin);  // combinations (start_year <= end_year) after all keys
  return out;
}

Scenario apply_point(const Scenario& scenario, std::size_t k) { return apply_point(scenario, SweepPlan(scenario), k); }

std::string describe_point(const SweepPlan& plan, std::size_t k) {
  const std::vector<ScalarValue>& values = plan.point(k);
  std::string out;
  for (std::size_t a = 0; a < values.size(); ++a) {
    if (a) out += ", ";
    out += plan.paths()[a] + "=" + format_scalar(values[a]);
  }
  return out.empty() ? "(no swept parameters)" : out;
}

}  // namespace xsector
