#pragma once
// A sweep's points and runs (MODEL.md 9): the [sweep] table of a scenario
// expanded into a list of points, each a value per swept parameter, and the run index
// that every other part of a sweep (runner, file, shards, merge, `run --point`) shares:
//
//     run r = point × replicates + replicate      (point = r / replicates, replicate = r % replicates)
//
// Methods:
//  * grid: the cartesian product of the value lists, the first listed parameter varying
//    slowest (like nested loops written in file order).
//  * zip:  the lists read in parallel; point k takes the k-th value of every list.
//  * lhs, sobol, morris: a design on the unit cube (one u in [0, 1] per parameter; see
//    sweep/designs.hpp), each u turned into a value by the parameter's distribution
//    (scenario/distribution.hpp: `[low, high]` is uniform). A choice's u picks one of its
//    values; an integer parameter's number is rounded to the nearest integer (half away
//    from zero).
//  * lhs:  a Latin hypercube of `samples` points. Each parameter's [0, 1) is split into
//    `samples` equal strata; point i takes, for each parameter, one uniform draw inside
//    stratum perm[i] of that parameter, where perm is a permutation drawn independently
//    per parameter. The draws come from Stream(sweep.seed, axis, ·, Purpose::lhs) (see
//    sweep_plan.cpp), so the design depends on the sweep seed alone, never on the
//    simulation seed. With fewer integers in a range than samples, several points share
//    a value and the one-per-stratum property holds only before rounding.
//  * sobol: Saltelli's design, samples × (k + 2) points [A, B, AB_1 .. AB_k] from the
//    Sobol' sequence (deterministic: no seed).
//  * morris: trajectories × (k + 1) points, elementary-effects trajectories on `levels`
//    levels, from Stream(sweep.seed, trajectory, ·, Purpose::morris).
//
//  * arms ([sweep.arms]): the design's points once per arm, arm slowest: point
//    a × (design points) + k is design point k under arm a. The arm is the first path of
//    the plan, "arm", its value the arm's name; applying it applies the arm's settings.
//    Replicate r of design point k has the same seed under every arm (seed_identity).
//
// A point's scenario is the base scenario with the point's values applied through
// set_parameter (so `intervention.K.key` paths work), then validate_scenario.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "model/simulation.hpp"

namespace xsector {

// The plan path that stands for the arm (no parameter has this name).
inline constexpr std::string_view kArmPath = "arm";

class SweepPlan {
 public:
  // Expands scenario.sweep. Throws InputError if the scenario has no [sweep] table, or if
  // the sweep varies the number of ticks (simulation.years, ticks_per_year): every run of
  // one file has the same tick axis.
  explicit SweepPlan(const Scenario& scenario);

  SweepMethod method() const { return method_; }
  const std::vector<std::string>& paths() const { return paths_; }  // one per axis, file order
  std::size_t point_count() const { return points_.size(); }
  std::size_t replicates() const { return replicates_; }
  std::size_t run_count() const { return points_.size() * replicates_; }

  // The values of point k, one per path (integers as int64, reals as double, choices as
  // their name, as set_parameter takes them).
  const std::vector<ScalarValue>& point(std::size_t k) const;

  const SweepArm& arm(const std::string& name) const;  // one of the sweep's arms

  // The identity a run's seed is derived from (run_seed_of): the run's own, except that with
  // arms the point is the design point, so that arm a's point k shares its seeds with every
  // other arm's point k (common random numbers: the arms are paired).
  RunIdentity seed_identity(std::size_t run) const;

  // run index <-> (point, replicate). Both throw InputError when out of range.
  RunIdentity identity_of(std::size_t run) const;
  std::size_t run_index(RunIdentity id) const;

 private:
  SweepMethod method_ = SweepMethod::grid;
  std::vector<std::string> paths_;
  std::vector<std::vector<ScalarValue>> points_;
  std::vector<SweepArm> arms_;
  std::size_t design_points_ = 0;  // points per arm
  std::size_t replicates_ = 1;
};

// Throws InputError (naming the scenario file) if the sweep varies the number of ticks:
// every run of one results file has the same tick axis. SweepPlan and `validate` call it,
// so that both refuse such a sweep with the same message.
void refuse_swept_ticks(const Scenario& scenario);

// Throws InputError (naming the file, line and key, or the --set) if a sweep is given a
// setting that only a single run has: per-agent snapshots (output.snapshots; a sweep's
// file holds the metrics of many runs and no snapshots; the message names the `xsector run
// FILE --point K --replicate R --snapshots` that writes one run's) or simulation.replicates
// (a sweep's replicates are sweep.replicates). Set or swept. `sweep` and `validate` call it.
void refuse_run_only_settings(const Scenario& scenario);

// The scenario of point k: a copy of `scenario` with the point's values set and the
// combination validated. Throws InputError (naming the point) if k is out of range or the
// combination is invalid.
Scenario apply_point(const Scenario& scenario, const SweepPlan& plan, std::size_t k);
Scenario apply_point(const Scenario& scenario, std::size_t k);  // builds the plan itself

// Human-readable "path=value, path=value" of point k, for --dry-run and messages.
std::string describe_point(const SweepPlan& plan, std::size_t k);

}  // namespace xsector
