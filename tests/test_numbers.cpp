// No NaN or infinity enters agent state (issue 9): the check after each phase names what
// went wrong, and runs over extreme but valid parameters — every numeric parameter of the
// table at each end of its documented range, one at a time and all together in random
// corners — never trip it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "model_fixtures.hpp"
#include "scenario/param_table.hpp"
#include "model/simulation.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

// A small run with every intervention on (each at its defaults, public_share given), so
// that the extremes reach every phase.
Scenario small_with_every_intervention() {
  Scenario s = small_baseline(0.05, 3);
  for (int t = 0; t < kInterventionTypeCount; ++t) {
    Intervention iv = default_intervention(static_cast<InterventionType>(t), 3);
    if (iv.type == InterventionType::foundation_public_support) iv.public_share = 0.5;
    s.interventions.push_back(iv);
  }
  return s;
}

// The ends of a parameter's range that a run can take on this machine. An open end is
// approached to 1e-6 of the default's scale; an infinite upper end is replaced by a
// million times the default's scale. Population counts keep their upper end finite and
// small (the run must fit in a test), and the horizon stays short.
std::vector<double> extremes_of(const ParamSpec& spec) {
  const double scale = [&] {
    if (!spec.default_value) return 1.0;
    const ScalarValue& v = *spec.default_value;
    const double d = std::holds_alternative<double>(v) ? std::get<double>(v)
                     : std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v))
                                                                : 1.0;
    return std::max(1.0, std::fabs(d));
  }();
  const ValueRange& r = spec.range;
  double lo = std::isfinite(r.lo) ? r.lo : -1e6 * scale;
  double hi = std::isfinite(r.hi) ? r.hi : 1e6 * scale;
  if (r.lo_open) lo += 1e-6 * scale;
  if (r.hi_open) hi -= 1e-6 * scale;
  if (spec.path.starts_with("population.")) hi = spec.path == "population.scale" ? 0.2 : 400;
  if (spec.path == "simulation.years") hi = 12;
  if (spec.path == "simulation.ticks_per_year") hi = 52;
  if (spec.path == "collab.ticks_per_stage") hi = 200;  // longer than the run: stages never end
  return {lo, hi};
}

ScalarValue as_value(const ParamSpec& spec, double x) {
  if (spec.kind == ParamKind::integer) return static_cast<std::int64_t>(std::llround(x));
  return x;
}

bool numeric(const ParamSpec& spec) { return spec.kind == ParamKind::real || spec.kind == ParamKind::integer; }

// Runs with the check after every phase; returns the check's message, or "" when clean.
std::string numeric_failure(const Scenario& s) {
  Simulation sim(s, {});
  sim.check_numbers(true);
  try {
    sim.run();
  } catch (const NumericError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(NumericCheck, NamesTheColumnTheAgentThePhaseAndTheTick) {
  Scenario s = small_baseline(0.05, 1);
  {
    Simulation sim(s, {});
    sim.check_numbers(true);
    const NodeId v = sim.world().agents.clients.ids.at(3);
    sim.mutable_world().agents.clients.capacity[v] = std::numeric_limits<double>::quiet_NaN();
    try {
      sim.step();
      FAIL() << "a NaN capacity went unnoticed";
    } catch (const NumericError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("client capacity of node " + std::to_string(v)), std::string::npos) << m;
      EXPECT_NE(m.find("after the funding phase of tick 0"), std::string::npos) << m;
    }
  }
  {
    Simulation sim(s, {});
    sim.check_numbers(true);
    sim.step();
    sim.mutable_world().agents.trust.at(7) = std::numeric_limits<double>::infinity();
    try {
      sim.step();
      FAIL() << "an infinite trust went unnoticed";
    } catch (const NumericError& e) {
      EXPECT_NE(std::string(e.what()).find("trust of tie 7"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("tick 1"), std::string::npos) << e.what();
    }
  }
}

TEST(NumericCheck, EveryParameterAtEachEndOfItsRange) {
  int runs = 0;
  for (const ParamSpec& spec : parameter_table()) {
    if (!numeric(spec)) continue;
    for (double x : extremes_of(spec)) {
      Scenario s = small_with_every_intervention();
      set_parameter(s, spec.path, as_value(spec, x), "test");
      validate_scenario(s, "test");
      EXPECT_EQ(numeric_failure(s), "") << spec.path << " = " << x;
      ++runs;
    }
  }
  EXPECT_GT(runs, 120);  // every numeric parameter of MODEL.md 10 took part
}

TEST(NumericCheck, EveryInterventionKeyAtEachEndOfItsRange) {
  for (int t = 0; t < kInterventionTypeCount; ++t) {
    const auto type = static_cast<InterventionType>(t);
    for (const ParamSpec& key : intervention_keys(type)) {
      if (!numeric(key)) continue;
      for (double x : extremes_of(key)) {
        Scenario s = small_with_every_intervention();
        const std::string path =
            "intervention." + std::to_string(t) + "." + key.path;  // the t-th is of this type
        set_parameter(s, path, as_value(key, x), "test");
        validate_scenario(s, "test");
        EXPECT_EQ(numeric_failure(s), "") << intervention_type_name(type) << "." << key.path << " = " << x;
      }
    }
  }
}

// All parameters at once, each at its low end, its high end or its default, in 40 random
// corners (fixed seed). Corners that break a rule between parameters are drawn again.
TEST(NumericCheck, RandomCornersOfTheParameterSpace) {
  std::mt19937_64 rng(20261125);
  int runs = 0;
  for (int attempt = 0; attempt < 400 && runs < 40; ++attempt) {
    Scenario s = small_with_every_intervention();
    std::string corner;
    for (const ParamSpec& spec : parameter_table()) {
      if (!numeric(spec) || spec.path.starts_with("population.") || spec.path.starts_with("simulation.")) continue;
      const int pick = static_cast<int>(rng() % 3);
      if (pick == 2) continue;
      const double x = extremes_of(spec)[pick];
      set_parameter(s, spec.path, as_value(spec, x), "test");
      corner += " " + spec.path + "=" + std::to_string(x);
    }
    try {
      validate_scenario(s, "test");
    } catch (const InputError&) {
      continue;
    }
    EXPECT_EQ(numeric_failure(s), "") << "corner:" << corner;
    ++runs;
  }
  EXPECT_EQ(runs, 40);
}
