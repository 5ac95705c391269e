// Scenario files and the parameter table: defaults against MODEL.md, round trips, every
// kind of input error (file, line, column, key), --set, sweeps, population scaling and the
// generated docs/PARAMETERS.md.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "scenario/intervention_notes.hpp"
#include "scenario/param_table.hpp"
#include "scenario/population.hpp"
#include "scenario/scenario.hpp"

namespace xsector {
namespace {

const std::filesystem::path kSourceDir = std::filesystem::path(__FILE__).parent_path().parent_path();
const std::filesystem::path kDataDir = kSourceDir / "tests" / "data" / "scenarios";

std::string data(const std::string& name) { return (kDataDir / name).string(); }

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "message\n  " << text << "\ndoes not contain\n  " << part;
}

template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

std::string load_error(const std::string& name, const std::vector<std::string>& overrides = {}) {
  return input_error([&] { load_scenario(data(name), overrides); });
}

std::string parse_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return input_error([&] { parse_scenario(text, "inline.toml", overrides); });
}

// Every parameter of the table, compared exactly (doubles bit for bit through ==).
void expect_same_params(const Params& a, const Params& b) {
  for (const ParamSpec& spec : parameter_table())
    EXPECT_EQ(parameter_value(a, spec), parameter_value(b, spec)) << spec.path;
}

void expect_same_interventions(const std::vector<Intervention>& a, const std::vector<Intervention>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].type, b[k].type) << k;
    EXPECT_EQ(a[k].start_year, b[k].start_year) << k;
    EXPECT_EQ(a[k].end_year, b[k].end_year) << k;
    EXPECT_EQ(a[k].public_share, b[k].public_share) << k;
    EXPECT_EQ(a[k].sets_channel, b[k].sets_channel) << k;
    EXPECT_EQ(a[k].public_channel, b[k].public_channel) << k;
    EXPECT_EQ(a[k].p_extra, b[k].p_extra) << k;
    EXPECT_EQ(a[k].rate, b[k].rate) << k;
    EXPECT_EQ(a[k].capacity_gain, b[k].capacity_gain) << k;
    EXPECT_EQ(a[k].mindset_gain, b[k].mindset_gain) << k;
    EXPECT_EQ(a[k].boost, b[k].boost) << k;
    EXPECT_EQ(a[k].sector, b[k].sector) << k;
    EXPECT_EQ(a[k].target, b[k].target) << k;
    EXPECT_EQ(a[k].factor, b[k].factor) << k;
    EXPECT_EQ(a[k].level, b[k].level) << k;
    EXPECT_EQ(a[k].share, b[k].share) << k;
  }
}

constexpr int G = 0, B = 1, N = 2;  // client sector indices

// ---- defaults -----------------------------------------------------------------------------

TEST(Defaults, MatchModelMdSections5To7) {
  const Params p = default_params();
  EXPECT_EQ(p.simulation.years, 10);
  EXPECT_EQ(p.simulation.ticks_per_year, 4);
  EXPECT_EQ(p.simulation.seed, 1u);
  EXPECT_EQ(p.population.count, (std::array<std::int64_t, kSectorCount>{200, 4000, 1200, 12, 20}));
  EXPECT_EQ(p.population.scale, 1.0);

  EXPECT_EQ(p.sector[G].budget_median, 2.0e7);
  EXPECT_EQ(p.sector[G].budget_sigma, 1.2);
  EXPECT_EQ(p.sector[B].budget_median, 2.0e6);
  EXPECT_EQ(p.sector[B].budget_sigma, 1.5);
  EXPECT_EQ(p.sector[N].budget_median, 5.0e5);
  EXPECT_EQ(p.sector[N].budget_sigma, 1.3);
  EXPECT_EQ(p.sector[G].support_share, 0.0003);
  EXPECT_EQ(p.sector[B].support_share, 0.002);
  EXPECT_EQ(p.sector[N].support_share, 0.003);
  EXPECT_FALSE(p.sector[G].carryover);
  EXPECT_TRUE(p.sector[B].carryover);
  EXPECT_TRUE(p.sector[N].carryover);
  EXPECT_EQ(p.sector[G].capacity_alpha, 2);
  EXPECT_EQ(p.sector[G].capacity_beta, 6);
  EXPECT_EQ(p.sector[B].capacity_alpha, 3);
  EXPECT_EQ(p.sector[N].capacity_beta, 4);
  EXPECT_EQ(p.sector[G].mindset_alpha, 2);
  EXPECT_EQ(p.sector[G].mindset_beta, 4);
  EXPECT_EQ(p.sector[B].mindset_alpha, 4);
  EXPECT_EQ(p.sector[N].mindset_beta, 3);
  EXPECT_EQ(p.sector[G].compliance, 0.7);
  EXPECT_EQ(p.sector[B].compliance, 0.1);
  EXPECT_EQ(p.sector[N].compliance, 0.3);
  EXPECT_EQ(p.sector[G].toolkit_initial, 0.02);
  EXPECT_EQ(p.sector[B].toolkit_initial, 0.10);
  EXPECT_EQ(p.sector[N].toolkit_initial, 0.08);
  EXPECT_EQ(p.sector[G].diffusion_p, 0.005);
  EXPECT_EQ(p.sector[B].diffusion_p, 0.01);
  EXPECT_EQ(p.sector[G].collab_rate, 2.0);
  EXPECT_EQ(p.sector[B].collab_rate, 0.2);
  EXPECT_EQ(p.sector[N].collab_rate, 1.0);
  EXPECT_EQ(p.sector[G].turnover, 0.12);
  EXPECT_EQ(p.sector[B].turnover, 0.10);
  EXPECT_EQ(p.sector[N].turnover, 0.15);

  EXPECT_EQ(p.foundation.giving_median, 2.0e6);
  EXPECT_EQ(p.foundation.giving_sigma, 1.0);
  EXPECT_EQ(p.foundation.capacity_share, 0.10);
  EXPECT_EQ(p.foundation.public_share, 0.05);
  EXPECT_EQ(p.foundation.public_channel, Channel::grant);
  EXPECT_EQ(p.foundation.voucher_rate, 0.5);

  EXPECT_EQ(p.provider.price_median, 15000);
  EXPECT_EQ(p.provider.price_sigma, 0.5);
  EXPECT_EQ(p.provider.quality_alpha, 4);
  EXPECT_EQ(p.provider.quality_beta, 2);
  EXPECT_EQ(p.provider.focus_alpha, 1);
  EXPECT_EQ(p.provider.focus_beta, 4);
  EXPECT_EQ(p.provider.slots, 3);
  EXPECT_EQ(p.provider.adaptation, 0.5);

  EXPECT_EQ(p.network.mean_degree, (std::array<double, kSectorCount>{10, 6, 8, 60, 40}));
  EXPECT_EQ(p.network.homophily, 0.5);
  EXPECT_EQ(p.network.initial_trust, 0.5);
  EXPECT_EQ(p.network.file, "");
  EXPECT_EQ(p.diffusion.q, 0.08);
  EXPECT_EQ(p.diffusion.capacity_gain, 0.05);

  EXPECT_EQ(p.collab.max_active, 2);
  EXPECT_EQ(p.collab.partners, 2);
  EXPECT_EQ(p.collab.ticks_per_stage, 1);
  EXPECT_EQ(p.collab.value, 1.0);
  EXPECT_EQ(p.collab.beta0, 0.0);
  EXPECT_EQ(p.collab.beta_capacity, 3.0);
  EXPECT_EQ(p.collab.beta_trust, 1.0);
  EXPECT_EQ(p.collab.beta_compliance, 1.5);
  EXPECT_EQ(p.collab.beta_support, 0.8);
  EXPECT_EQ(p.collab.trust_step, 0.1);
  EXPECT_EQ(p.collab.learning, 0.02);

  EXPECT_EQ(p.market.need_threshold, 0.3);
  EXPECT_EQ(p.market.need_mindset, 0.5);
  EXPECT_EQ(p.market.visible, 3);
  EXPECT_EQ(p.market.rounds, 3);
  EXPECT_EQ(p.market.public_bonus, 1.0);
  EXPECT_EQ(p.market.gain, 0.15);
  EXPECT_EQ(p.market.mindset_gain, 0.02);
  EXPECT_FALSE(p.output.snapshots);
}

TEST(Defaults, InterventionKeysMatchModelMd) {
  const Intervention budget = default_intervention(InterventionType::budget_change, 10);
  EXPECT_EQ(budget.start_year, 0);
  EXPECT_EQ(budget.end_year, 10);
  EXPECT_EQ(budget.sector, Sector::government);
  EXPECT_EQ(budget.target, BudgetTarget::support_share);
  EXPECT_EQ(budget.factor, 1.0);
  const Intervention toolkit = default_intervention(InterventionType::compliance_toolkit, 7);
  EXPECT_EQ(toolkit.end_year, 7);
  EXPECT_EQ(toolkit.level, 0.8);
  EXPECT_EQ(toolkit.share, 0.5);
  const Intervention graduates = default_intervention(InterventionType::graduate_programs, 10);
  EXPECT_EQ(graduates.rate, 0.1);
  EXPECT_EQ(graduates.capacity_gain, 0.1);
  EXPECT_EQ(graduates.mindset_gain, 0.1);
  EXPECT_EQ(default_intervention(InterventionType::membership_dissemination, 10).p_extra, 0.02);
  const Intervention knowledge = default_intervention(InterventionType::knowledge_mobilization, 10);
  EXPECT_EQ(knowledge.p_extra, 0.005);
  EXPECT_EQ(knowledge.boost, 1.0);
  EXPECT_FALSE(default_intervention(InterventionType::foundation_public_support, 10).sets_channel);
}

TEST(Defaults, DefaultScenarioHasDefaultsAndNothingElse) {
  const Scenario s = default_scenario();
  expect_same_params(s.params, default_params());
  EXPECT_TRUE(s.interventions.empty());
  EXPECT_FALSE(s.sweep.has_value());
}

// ---- the table itself ---------------------------------------------------------------------

TEST(ParamTable, HasEveryPathOfModelMdSection10Once) {
  const std::vector<std::string> paths = parameter_paths();
  // simulation 3, population 6, sector 3 x 13, foundation 6, provider 8, network 3 + 5,
  // diffusion 2, collab 11, market 7, output 1; and simulation.replicates, which MODEL.md
  // 10 does not list (the runs of `xsector run`, docs/MODEL.md 8).
  EXPECT_EQ(paths.size(), 92u);
  EXPECT_EQ(std::set<std::string>(paths.begin(), paths.end()).size(), paths.size());
  for (const char* path : {"simulation.seed", "population.scale", "sector.nonprofit.collab_rate",
                           "foundation.public_channel", "provider.adaptation", "network.mean_degree.foundation",
                           "network.file", "diffusion.q", "collab.learning", "market.mindset_gain", "output.snapshots"})
    EXPECT_NE(find_parameter(path), nullptr) << path;
  EXPECT_EQ(find_parameter("sector.provider.budget_median"), nullptr);
}

TEST(ParamTable, EveryPathHasItsOwnField) {
  // A copy-paste slip would point two paths at one field.
  Params p;
  std::set<std::string> addresses;
  for (const ParamSpec& spec : parameter_table()) {
    const FieldRef field = spec.field(p);
    std::ostringstream address;
    std::visit([&](auto* ptr) { address << static_cast<const void*>(ptr); }, field);
    EXPECT_TRUE(addresses.insert(address.str()).second) << spec.path;
  }
}

TEST(ParamTable, EveryDefaultIsValidAndDocumented) {
  for (const ParamSpec& spec : parameter_table()) {
    ASSERT_TRUE(spec.default_value.has_value()) << spec.path;
    EXPECT_TRUE(check_value(spec, *spec.default_value).value.has_value()) << spec.path;
    EXPECT_FALSE(spec.description.empty()) << spec.path;
    EXPECT_FALSE(spec.source.empty()) << spec.path;
    EXPECT_FALSE(spec.unit.empty() && (spec.kind == ParamKind::real || spec.kind == ParamKind::integer)) << spec.path;
  }
}

TEST(ParamTable, RangesFollowTheKindOfQuantity) {
  EXPECT_EQ(find_parameter("foundation.public_share")->range.describe(), "[0, 1]");
  EXPECT_EQ(find_parameter("population.scale")->range.describe(), "(0, ∞)");
  EXPECT_EQ(find_parameter("population.business")->range.describe(), "[0, ∞)");
  EXPECT_EQ(find_parameter("simulation.ticks_per_year")->range.describe(), "[1, 365]");
  EXPECT_EQ(find_parameter("simulation.years")->range.describe(), "[1, 1000]");
  EXPECT_EQ(find_parameter("sector.government.budget_sigma")->range.describe(), "[0, 10]");  // finite draws (MODEL.md 8.11)
  EXPECT_EQ(find_parameter("sector.government.capacity_alpha")->range.describe(), "(0, ∞)");
  EXPECT_FALSE(find_parameter("sector.government.capacity_alpha")->range.contains(0.0));
  EXPECT_EQ(find_parameter("collab.beta0")->range.describe(), "any real");
}

TEST(ParamTable, FormatRealIsShortAndLossless) {
  EXPECT_EQ(format_real(0.0003), "0.0003");
  EXPECT_EQ(format_real(2.0e7), "20000000.0");
  EXPECT_EQ(format_real(1.0), "1.0");
  EXPECT_EQ(format_real(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(std::stod(format_real(1.0 / 3.0)), 1.0 / 3.0);
  EXPECT_EQ(format_scalar(ScalarValue(std::string("a\"b"))), "\"a\\\"b\"");
}

// ---- round trips --------------------------------------------------------------------------

TEST(RoundTrip, FullScenarioReparsesToIdenticalParams) {
  const Scenario full = load_scenario(data("full.toml"));
  // The file was applied (not just defaults on both sides).
  EXPECT_EQ(full.name, "full");
  EXPECT_EQ(full.description, "round trip: every table, awkward numbers");
  EXPECT_EQ(full.params.simulation.ticks_per_year, 12);
  EXPECT_EQ(full.params.population.scale, 0.37);
  EXPECT_EQ(full.params.population.count[index_of(Sector::foundation)], 0);
  EXPECT_EQ(full.params.sector[G].budget_median, 1.2345678901234567e7);
  EXPECT_EQ(full.params.sector[N].turnover, 0.3333333333333333);
  EXPECT_EQ(full.params.foundation.public_channel, Channel::voucher);
  EXPECT_EQ(full.params.network.file, "data/net \"quoted\".graphml");
  EXPECT_EQ(full.params.market.public_bonus, -0.5);
  EXPECT_TRUE(full.params.output.snapshots);
  ASSERT_EQ(full.interventions.size(), 6u);
  EXPECT_TRUE(full.interventions[0].sets_channel);
  EXPECT_EQ(full.interventions[0].end_year, 6.5);
  EXPECT_EQ(full.interventions[1].end_year, 12);  // defaults to simulation.years
  EXPECT_EQ(full.interventions[3].end_year, 20);  // may run past the horizon
  EXPECT_EQ(full.interventions[4].sector, Sector::nonprofit);
  EXPECT_EQ(full.interventions[4].target, BudgetTarget::budget);

  const std::string resolved = resolved_parameters_toml(full);
  const Scenario again = parse_scenario(resolved, "resolved.toml");
  expect_same_params(full.params, again.params);
  expect_same_interventions(full.interventions, again.interventions);
  EXPECT_EQ(resolved_parameters_toml(again), resolved);
}

TEST(RoundTrip, FullPrecisionSurvives) {
  const Scenario s = parse_scenario("[simulation]\nyears = 10\n", "p.toml",
                                    {"foundation.public_share=0.30000000000000004", "diffusion.q=1e-17",
                                     "sector.business.budget_median=123456789.12345678"});
  const Scenario again = parse_scenario(resolved_parameters_toml(s), "again.toml");
  EXPECT_EQ(again.params.foundation.public_share, 0.1 + 0.2);
  EXPECT_EQ(again.params.diffusion.q, 1e-17);
  EXPECT_EQ(again.params.sector[B].budget_median, 123456789.12345678);
}

TEST(RoundTrip, ResolvedTomlHasParametersOnlyAndEveryPath) {
  const Scenario s = parse_scenario(
      "[scenario]\ndescription = \"d\"\n" + load_scenario(data("sweep_grid.toml")).toml_text, "sweep_grid.toml");
  ASSERT_TRUE(s.sweep.has_value());
  const std::string resolved = resolved_parameters_toml(s);
  EXPECT_EQ(resolved.find("[sweep"), std::string::npos);
  EXPECT_EQ(resolved.find("[scenario]"), std::string::npos);
  EXPECT_TRUE(Contains(resolved, "[[intervention]]\ntype = \"graduate_programs\"\n"));
  for (const ParamSpec& spec : parameter_table()) {
    const std::string key = spec.path.substr(spec.path.rfind('.') + 1);
    EXPECT_TRUE(Contains(resolved, "\n" + key + " = ")) << spec.path;
  }
}

// ---- file errors: file name, line:column and key --------------------------------------------

TEST(FileErrors, UnknownKeySuggestsTheNearestPath) {
  const std::string e = load_error("unknown_key.toml");
  EXPECT_TRUE(Contains(e, "unknown_key.toml:4:1: "));
  EXPECT_TRUE(Contains(e, "unknown key `foundation.public_shar`; did you mean `foundation.public_share`?"));
}

TEST(FileErrors, MisplacedKeySuggestsItsTable) {
  EXPECT_TRUE(
      Contains(parse_error("years = 20\n"), "inline.toml:1:1: unknown key `years`; did you mean `simulation.years`?"));
}

TEST(FileErrors, UnknownKeyFarFromAnyPathGetsNoWildGuess) {
  const std::string e = parse_error("[market]\nzzzzzzzzzzzz = 1\n");
  EXPECT_TRUE(Contains(e, "inline.toml:2:1: unknown key `market.zzzzzzzzzzzz`"));
  EXPECT_EQ(e.find("did you mean"), std::string::npos) << e;
}

TEST(FileErrors, UnknownTable) {
  const std::string e = load_error("unknown_table.toml");
  EXPECT_TRUE(Contains(e, "unknown_table.toml:4:2: unknown table `[sectr]`; did you mean `[sector]`?"));
  EXPECT_TRUE(Contains(parse_error("[sector.provider]\nbudget_median = 1.0\n"),
                       "inline.toml:1:9: unknown table `[sector.provider]`"));
}

TEST(FileErrors, StringForANumber) {
  const std::string e = load_error("wrong_type.toml");
  EXPECT_TRUE(Contains(e, "wrong_type.toml:2:9: key `simulation.years`: expected an integer, got \"ten\""));
}

TEST(FileErrors, IntegerParameterRejectsAFraction) {
  const std::string e = load_error("integer_given_real.toml");
  EXPECT_TRUE(Contains(e, "integer_given_real.toml:2:9: key `simulation.years`: expected an integer, got 2.5"));
}

TEST(FileErrors, IntegerParameterAcceptsAWholeRealAndRealAcceptsAnInteger) {
  const Scenario s = parse_scenario("[simulation]\nyears = 12.0\n[foundation]\ngiving_median = 3000000\n", "ok.toml");
  EXPECT_EQ(s.params.simulation.years, 12);
  EXPECT_EQ(s.params.foundation.giving_median, 3.0e6);
}

TEST(FileErrors, WrongTypeForTablesArraysBooleansAndChoices) {
  EXPECT_TRUE(Contains(parse_error("[output]\nsnapshots = 1\n"),
                       "inline.toml:2:13: key `output.snapshots`: expected true or false, got 1"));
  EXPECT_TRUE(Contains(parse_error("[diffusion]\nq = [0.1]\n"),
                       "inline.toml:2:5: key `diffusion.q`: expected a real number, got an array"));
  EXPECT_TRUE(
      Contains(parse_error("[network]\nfile = 3\n"), "inline.toml:2:8: key `network.file`: expected a string, got 3"));
  EXPECT_TRUE(Contains(
      parse_error("[foundation]\npublic_channel = \"vouchr\"\n"),
      "inline.toml:2:18: key `foundation.public_channel`: unknown value \"vouchr\"; did you mean \"voucher\"?"));
  EXPECT_TRUE(Contains(parse_error("[sector]\ngovernment = 1\n"),
                       "inline.toml:2:1: `sector.government` is a table of parameters"));
}

TEST(FileErrors, OutOfRangeSaysTheRange) {
  const std::string e = load_error("out_of_range.toml");
  EXPECT_TRUE(
      Contains(e, "out_of_range.toml:2:18: key `foundation.public_share`: 1.5 is out of range; valid range is [0, 1]"));
  EXPECT_TRUE(Contains(parse_error("[simulation]\nticks_per_year = 366\n"), "valid range is [1, 365]"));
  EXPECT_TRUE(Contains(parse_error("[population]\nscale = 0\n"),
                       "key `population.scale`: 0 is out of range; valid range is (0, ∞)"));
}

TEST(FileErrors, NanAndInfinityAreRejected) {
  EXPECT_TRUE(Contains(load_error("nan.toml"), "nan.toml:2:8: key `market.gain`: nan is not allowed"));
  EXPECT_TRUE(Contains(load_error("inf.toml"), "inf.toml:2:5: key `diffusion.q`: inf is not allowed"));
  // Also where any real would do.
  EXPECT_TRUE(Contains(parse_error("[collab]\nbeta0 = -inf\n"), "key `collab.beta0`: -inf is not allowed"));
}

TEST(FileErrors, NegativePopulation) {
  const std::string e = load_error("negative_population.toml");
  EXPECT_TRUE(Contains(e, "negative_population.toml:3:12: key `population.business`: -40 is out of range"));
  EXPECT_TRUE(Contains(e, "cannot be negative; use 0 to remove the sector"));
}

// Regression (issue 9, docs/RELIABILITY.md): count × scale beyond what 32-bit agent ids can
// number used to reach scaled_count, whose cast to int64 wrapped round (a scale of 1e300
// gave one agent per sector; UBSan: float-cast-overflow).
TEST(FileErrors, PopulationBeyondAgentIds) {
  std::string e = parse_error("[population]\nscale = 1e300\n");
  EXPECT_TRUE(Contains(e, "inline.toml:2:9: key `population.scale`: the population is over 1e18 agents"));
  EXPECT_TRUE(Contains(e, "at most 4294967295 agents"));
  e = parse_error("[population]\nbusiness = 10000000000\n");
  EXPECT_TRUE(Contains(e, "inline.toml:2:12: key `population.business`: the population is 10000001432 agents"));
  // Set by --set, the --set string is named; so it is when a sweep point is validated.
  e = parse_error("[simulation]\nyears = 2\n", {"population.scale=1e9"});
  EXPECT_TRUE(Contains(e, "--set population.scale=1e9: key `population.scale`"));
  Scenario s = default_scenario();
  EXPECT_TRUE(Contains(input_error([&] { apply_overrides(s, {"population.government=5000000000"}); }),
                       "key `population.government`"));
  // The largest population that still fits is accepted.
  EXPECT_NO_THROW(parse_scenario("[population]\ngovernment = 4294967295\nbusiness = 0\nnonprofit = 0\n"
                                 "provider = 0\nfoundation = 0\n",
                                 "inline.toml"));
}

TEST(FileErrors, EmptyFile) {
  EXPECT_TRUE(Contains(load_error("empty.toml"), "empty.toml:1:1: the scenario file is empty"));
  EXPECT_TRUE(Contains(parse_error(""), "inline.toml:1:1: the scenario file is empty"));
}

TEST(FileErrors, TomlSyntaxError) {
  const std::string e = load_error("syntax_error.toml");
  EXPECT_TRUE(Contains(e, "syntax_error.toml:3:8: TOML syntax error: "));
}

TEST(FileErrors, UnknownInterventionTypeSuggests) {
  const std::string e = load_error("unknown_intervention_type.toml");
  EXPECT_TRUE(Contains(e,
                       "unknown_intervention_type.toml:5:8: key `intervention.0.type`: unknown value "
                       "\"graduate_program\"; did you mean \"graduate_programs\"?"));
}

TEST(FileErrors, MissingInterventionType) {
  const std::string e = load_error("missing_intervention_type.toml");
  EXPECT_TRUE(Contains(e, "missing_intervention_type.toml:4:1: key `intervention.1.type`: missing"));
}

TEST(FileErrors, MissingRequiredInterventionKey) {
  const std::string e = load_error("missing_required_key.toml");
  EXPECT_TRUE(Contains(e, "missing_required_key.toml:1:1: key `intervention.0.public_share`: missing"));
}

TEST(FileErrors, InterventionKeyOfAnotherType) {
  const std::string e = parse_error("[[intervention]]\ntype = \"budget_change\"\nfactr = 0.5\nrate = 1\n");
  EXPECT_TRUE(Contains(e,
                       "inline.toml:3:1: unknown key `intervention.0.factr` for a budget_change intervention; did "
                       "you mean `intervention.0.factor`?"));
  const std::string other = parse_error("[[intervention]]\ntype = \"budget_change\"\nrate = 1\n");
  EXPECT_TRUE(Contains(other, "(`rate` is a key of graduate_programs)"));
}

TEST(FileErrors, InterventionValuesAreValidated) {
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"budget_change\"\nsector = \"provider\"\n"),
                       "inline.toml:3:10: key `intervention.0.sector`: unknown value \"provider\""));
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"budget_change\"\nfactor = -1\n"),
                       "inline.toml:3:10: key `intervention.0.factor`: -1 is out of range"));
  EXPECT_TRUE(Contains(parse_error("[intervention]\ntype = \"budget_change\"\n"),
                       "inline.toml:1:2: key `intervention`: expected [[intervention]] tables"));
}

TEST(FileErrors, InterventionMustNotStartAfterItEnds) {
  EXPECT_TRUE(
      Contains(load_error("start_after_end.toml"),
               "start_after_end.toml:1:1: key `intervention.0.start_year`: start_year 4.0 is after end_year 2.0"));
  // The default end is the horizon.
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 11\n"),
                       "start_year 11.0 is after end_year 10.0 (the default, simulation.years)"));
  // A --set that moves the window is named rather than the table (issue 9, RELIABILITY.md).
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"graduate_programs\"\n", {"simulation.years=3",
                                                                                        "intervention.0.start_year=5"}),
                       "--set intervention.0.start_year=5: key `intervention.0.start_year`: start_year 5.0 is after"));
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 5\n",
                                   {"simulation.years=3"}),
                       "--set simulation.years=3: key `intervention.0.start_year`"));
}

TEST(FileErrors, ScenarioTableHasOnlyDescription) {
  EXPECT_TRUE(
      Contains(parse_error("[scenario]\ndescripton = \"x\"\n"), "inline.toml:2:1: unknown key `scenario.descripton`"));
  EXPECT_TRUE(Contains(parse_error("[scenario]\ndescription = 3\n"), "inline.toml:2:15: key `scenario.description`"));
}

TEST(FileErrors, MissingFile) {
  const std::string e = input_error([] { load_scenario(data("no_such_file.toml")); });
  EXPECT_TRUE(Contains(e, "no_such_file.toml: cannot read the scenario file"));
}

// ---- interventions ------------------------------------------------------------------------

TEST(Interventions, EndYearFollowsTheHorizonUntilGiven) {
  const std::string text =
      "[[intervention]]\ntype = \"graduate_programs\"\n"
      "[[intervention]]\ntype = \"graduate_programs\"\nend_year = 4\n"
      "[simulation]\nyears = 15\n";  // after the interventions in the file
  Scenario s = parse_scenario(text, "h.toml");
  EXPECT_EQ(s.interventions[0].end_year, 15);
  EXPECT_EQ(s.interventions[1].end_year, 4);
  set_parameter(s, "simulation.years", std::int64_t{30}, "test");  // e.g. a sweep point
  EXPECT_EQ(s.interventions[0].end_year, 30);
  EXPECT_EQ(s.interventions[1].end_year, 4);
  set_parameter(s, "intervention.0.end_year", 8.0, "test");
  set_parameter(s, "simulation.years", std::int64_t{40}, "test");
  EXPECT_EQ(s.interventions[0].end_year, 8);
}

TEST(Interventions, KeepFileOrder) {
  const Scenario s = parse_scenario(
      "[[intervention]]\ntype = \"compliance_toolkit\"\n[[intervention]]\ntype = \"foundation_public_support\"\n"
      "public_share = 0.4\n",
      "o.toml");
  ASSERT_EQ(s.interventions.size(), 2u);
  EXPECT_EQ(s.interventions[0].type, InterventionType::compliance_toolkit);
  EXPECT_EQ(s.interventions[1].type, InterventionType::foundation_public_support);
  EXPECT_EQ(s.interventions[1].public_share, 0.4);
  EXPECT_FALSE(s.interventions[1].sets_channel);
}

// ---- --set --------------------------------------------------------------------------------

TEST(Overrides, ApplyAfterTheFileAndAreRecorded) {
  const Scenario s = load_scenario(
      data("full.toml"), {"foundation.public_share=0.3", "simulation.seed=99", "foundation.public_channel=grant",
                          "output.snapshots=false", "network.file=\"x.graphml\"", "intervention.2.rate = 0.7"});
  EXPECT_EQ(s.params.foundation.public_share, 0.3);
  EXPECT_EQ(s.params.simulation.seed, 99u);
  EXPECT_EQ(s.params.foundation.public_channel, Channel::grant);
  EXPECT_FALSE(s.params.output.snapshots);
  EXPECT_EQ(s.params.network.file, "x.graphml");
  EXPECT_EQ(s.interventions[2].rate, 0.7);
  EXPECT_EQ(s.overrides.size(), 6u);
  EXPECT_EQ(s.overrides[0], "foundation.public_share=0.3");
}

TEST(Overrides, AreValidatedLikeTheFile) {
  EXPECT_TRUE(Contains(load_error("full.toml", {"foundation.public_sharee=0.3"}),
                       "--set foundation.public_sharee=0.3: unknown key `foundation.public_sharee`; did you mean "
                       "`foundation.public_share`?"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"foundation.public_share=2"}),
                       "--set foundation.public_share=2: key `foundation.public_share`: 2 is out of range"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"simulation.years=2.5"}),
                       "--set simulation.years=2.5: key `simulation.years`: expected an integer, got 2.5"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"market.gain=nan"}),
                       "--set market.gain=nan: key `market.gain`: nan is not allowed"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"diffusion.q=lots"}),
                       "--set diffusion.q=lots: key `diffusion.q`: expected a real number, got \"lots\""));
  EXPECT_TRUE(Contains(load_error("full.toml", {"population.government=-1"}), "cannot be negative"));
}

TEST(Overrides, NeedAnEqualsSign) {
  EXPECT_TRUE(Contains(load_error("full.toml", {"foundation.public_share"}),
                       "--set foundation.public_share: expected PATH=VALUE"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"=0.3"}), "--set =0.3: the parameter path before '=' is missing"));
}

TEST(Overrides, InterventionKeys) {
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.6.rate=0.1"}),
                       "--set intervention.6.rate=0.1: key `intervention.6.rate`: there is no intervention 6; the "
                       "scenario has 6"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.4.rate=0.1"}),
                       "unknown key `intervention.4.rate` for a budget_change intervention"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.0.type=budget_change"}),
                       "key `intervention.0.type`: the type of an intervention cannot be changed"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.x.rate=0.1"}),
                       "key `intervention.x.rate`: an intervention key is written"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.0.start_year=7"}),
                       "key `intervention.0.start_year`: start_year 7.0 is after end_year 6.5"));
  EXPECT_TRUE(Contains(load_error("full.toml", {"intervention.1.public_channel=voucher"}),
                       "unknown key `intervention.1.public_channel` for a membership_dissemination intervention"));
}

TEST(Overrides, PublicChannelOfAnInterventionIsMarkedAsSet) {
  Scenario s = parse_scenario("[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.2\n", "c.toml",
                              {"intervention.0.public_channel=voucher"});
  EXPECT_TRUE(s.interventions[0].sets_channel);
  EXPECT_EQ(s.interventions[0].public_channel, Channel::voucher);
}

TEST(Overrides, WorkOnTheDefaultScenario) {
  Scenario s = default_scenario();
  apply_overrides(s, {"population.scale=0.5", "sector.government.carryover=true"});
  EXPECT_EQ(s.params.population.scale, 0.5);
  EXPECT_TRUE(s.params.sector[G].carryover);
  EXPECT_EQ(get_parameter(s, "population.scale"), ScalarValue(0.5));
  EXPECT_EQ(get_parameter(s, "foundation.public_channel"), ScalarValue(std::string("grant")));
}

TEST(Overrides, ValuesReadAsTomlScalars) {
  EXPECT_EQ(parse_scalar("42"), ScalarValue(std::int64_t{42}));
  EXPECT_EQ(parse_scalar("-7"), ScalarValue(std::int64_t{-7}));
  EXPECT_EQ(parse_scalar("0.5"), ScalarValue(0.5));
  EXPECT_EQ(parse_scalar("1e6"), ScalarValue(1e6));
  EXPECT_EQ(parse_scalar("true"), ScalarValue(true));
  EXPECT_EQ(parse_scalar("\"quoted text\""), ScalarValue(std::string("quoted text")));
  EXPECT_EQ(parse_scalar("voucher"), ScalarValue(std::string("voucher")));
  EXPECT_EQ(parse_scalar("data/net.graphml"), ScalarValue(std::string("data/net.graphml")));
  EXPECT_EQ(parse_scalar("1\nx = 2"), ScalarValue(std::string("1\nx = 2")));  // no injection
  EXPECT_TRUE(std::isnan(std::get<double>(parse_scalar("nan"))));
}

// ---- sweeps -------------------------------------------------------------------------------

TEST(Sweeps, Grid) {
  const Scenario s = load_scenario(data("sweep_grid.toml"));
  ASSERT_TRUE(s.sweep.has_value());
  const SweepSpec& sweep = *s.sweep;
  EXPECT_EQ(sweep.method, SweepMethod::grid);
  EXPECT_EQ(sweep.replicates, 3);
  ASSERT_EQ(sweep.axes.size(), 4u);
  EXPECT_EQ(sweep.axes[0].path, "foundation.public_share");  // file order
  EXPECT_EQ(sweep.axes[0].values, (std::vector<ScalarValue>{0.0, 0.1, 0.2}));
  EXPECT_EQ(sweep.axes[1].values, (std::vector<ScalarValue>{std::string("grant"), std::string("voucher")}));
  EXPECT_EQ(sweep.axes[2].path, "intervention.0.rate");
  EXPECT_EQ(sweep.axes[3].path, "simulation.years");  // an unquoted dotted key works too
  EXPECT_EQ(sweep.axes[3].values, (std::vector<ScalarValue>{std::int64_t{5}, std::int64_t{10}}));
  // The sweep does not change the base scenario.
  EXPECT_EQ(s.params.foundation.public_share, 0.05);
}

TEST(Sweeps, Zip) {
  const Scenario s = load_scenario(data("sweep_zip.toml"));
  ASSERT_TRUE(s.sweep.has_value());
  EXPECT_EQ(s.sweep->method, SweepMethod::zip);
  EXPECT_EQ(s.sweep->replicates, 1);
  ASSERT_EQ(s.sweep->axes.size(), 2u);
  EXPECT_EQ(s.sweep->axes[1].values.size(), 3u);
}

TEST(Sweeps, Lhs) {
  const Scenario s = load_scenario(data("sweep_lhs.toml"));
  ASSERT_TRUE(s.sweep.has_value());
  const SweepSpec& sweep = *s.sweep;
  EXPECT_EQ(sweep.method, SweepMethod::lhs);
  EXPECT_EQ(sweep.samples, 20);
  EXPECT_EQ(sweep.seed, 42u);
  EXPECT_EQ(sweep.replicates, 2);
  ASSERT_EQ(sweep.axes.size(), 2u);
  EXPECT_EQ(sweep.axes[0].distribution.kind, DistributionKind::uniform);
  EXPECT_EQ(sweep.axes[0].distribution.low, 0.0);
  EXPECT_EQ(sweep.axes[0].distribution.high, 0.5);
  EXPECT_EQ(sweep.axes[1].distribution.low, 1.0);
  EXPECT_EQ(sweep.axes[1].distribution.high, 6.0);
}

TEST(Sweeps, Distributions) {
  const Scenario s = parse_scenario(
      "[sweep]\nmethod = \"sobol\"\nsamples = 8\n[sweep.parameters]\n"
      "\"diffusion.q\" = { distribution = \"log-uniform\", low = 0.01, high = 1 }\n"
      "\"collab.partners\" = { distribution = \"integer\", low = 1, high = 6 }\n"
      "\"foundation.public_share\" = { distribution = \"normal\", mean = 0.1, sd = 0.05, low = 0, high = 0.3 }\n"
      "\"foundation.public_channel\" = { choices = [\"voucher\", \"grant\"] }\n"
      "\"market.gain\" = { low = 0.01, high = 0.02 }\n",
      "inline.toml");
  const SweepSpec& sweep = *s.sweep;
  EXPECT_EQ(sweep.method, SweepMethod::sobol);
  ASSERT_EQ(sweep.axes.size(), 5u);
  EXPECT_EQ(sweep.axes[0].distribution.kind, DistributionKind::log_uniform);
  EXPECT_EQ(sweep.axes[0].distribution.low, 0.01);
  EXPECT_EQ(sweep.axes[1].distribution.kind, DistributionKind::integer);
  EXPECT_EQ(sweep.axes[1].distribution.high, 6.0);
  EXPECT_EQ(sweep.axes[2].distribution.kind, DistributionKind::normal);
  EXPECT_EQ(sweep.axes[2].distribution.mean, 0.1);
  EXPECT_EQ(sweep.axes[2].distribution.sd, 0.05);
  EXPECT_EQ(sweep.axes[3].distribution.kind, DistributionKind::choice);
  EXPECT_EQ(sweep.axes[3].distribution.choices, 2u);
  EXPECT_EQ(sweep.axes[3].values, (std::vector<ScalarValue>{std::string("voucher"), std::string("grant")}));
  EXPECT_EQ(sweep.axes[4].distribution.kind, DistributionKind::uniform);
  EXPECT_EQ(sweep_point_count(sweep), 8.0 * (5 + 2));
}

TEST(Sweeps, BadDistributionsNameFileLineAndKey) {
  const std::string head = "[sweep]\nmethod = \"lhs\"\nsamples = 4\n[sweep.parameters]\n";
  const auto error = [&](const std::string& axis) { return parse_error(head + axis + "\n"); };
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"lognormal\", low = 0.1, high = 1 }"),
                       "inline.toml:5:34: key `sweep.parameters.\"diffusion.q\".distribution`: expected one of"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"log-unifrom\", low = 0.1, high = 1 }"),
                       "did you mean \"log-uniform\"?"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"uniform\", lo = 0.1, high = 1 }"),
                       "inline.toml:5:45: key `sweep.parameters.\"diffusion.q\".lo`: unknown key; did you mean `low`?"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"normal\", mean = 0.5, low = 0, high = 1 }"),
                       "key `sweep.parameters.\"diffusion.q\".sd`: missing; a normal distribution needs mean, sd"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"normal\", mean = 0.5, sd = 0, low = 0, high = 1 }"),
                       "needs sd > 0"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"uniform\", mean = 0.5, low = 0, high = 1 }"),
                       "only a normal distribution takes mean"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"log-uniform\", low = 0, high = 1 }"),
                       "a log-uniform distribution needs low > 0"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { distribution = \"integer\", low = 0.5, high = 1 }"),
                       "an integer distribution needs whole low and high"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { low = 0.1, high = 1.5 }"), "key `diffusion.q`: 1.5 is out of range"));
  EXPECT_TRUE(Contains(error("\"diffusion.q\" = { low = 0.5, high = 0.1 }"), "low must not be above high"));
  EXPECT_TRUE(Contains(error("\"foundation.public_channel\" = { choices = [\"voucher\", \"cheque\"] }"),
                       "inline.toml:5:55: key `foundation.public_channel`"));
  EXPECT_TRUE(Contains(error("\"foundation.public_channel\" = { choices = [] }"), "expected a non-empty list"));
  EXPECT_TRUE(Contains(error("\"foundation.public_channel\" = { choices = [\"grant\"], low = 1 }"),
                       "a list of choices takes no low"));
  EXPECT_TRUE(Contains(error("\"foundation.public_channel\" = { distribution = \"uniform\", low = 0, high = 1 }"),
                       "sample it with { choices = [...] }"));
  // grid and zip take lists only.
  EXPECT_TRUE(Contains(parse_error("[sweep]\n[sweep.parameters]\n\"diffusion.q\" = { low = 0.1, high = 0.2 }\n"),
                       "method = \"grid\" takes a list of values; distributions are for lhs, sobol and morris"));
}

TEST(Sweeps, SobolAndMorrisKeys) {
  const std::string axis = "[sweep.parameters]\n\"diffusion.q\" = [0.0, 0.2]\n";
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"sobol\"\n" + axis),
                       "key `sweep.samples`: missing; method = \"sobol\" needs samples = N"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"sobol\"\nsamples = 4\nseed = 3\n" + axis),
                       "inline.toml:4:1: key `sweep.seed`: only method = \"lhs\" or \"morris\" uses seed"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"morris\"\n" + axis),
                       "key `sweep.trajectories`: missing; method = \"morris\" needs trajectories = N"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"morris\"\ntrajectories = 4\nlevels = 5\n" + axis),
                       "inline.toml:4:10: key `sweep.levels`: method = \"morris\" needs an even number of levels"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"morris\"\ntrajectories = 4\nsamples = 5\n" + axis),
                       "key `sweep.samples`: only method = \"lhs\" or \"sobol\" uses samples"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"sobol\"\nsamples = 4\n"),
                       "method = \"sobol\" needs at least one parameter range"));
  const Scenario morris =
      parse_scenario("[sweep]\nmethod = \"morris\"\ntrajectories = 7\nlevels = 6\nseed = 2\n" + axis, "m.toml");
  EXPECT_EQ(morris.sweep->trajectories, 7);
  EXPECT_EQ(morris.sweep->levels, 6);
  EXPECT_EQ(sweep_point_count(*morris.sweep), 14.0);
}

TEST(Sweeps, UnknownPathSuggests) {
  const std::string e = load_error("bad_sweep_path.toml");
  EXPECT_TRUE(Contains(e,
                       "bad_sweep_path.toml:6:1: unknown key `foundation.publik_share`; did you mean "
                       "`foundation.public_share`?"));
}

TEST(Sweeps, BadMethod) {
  EXPECT_TRUE(Contains(load_error("bad_sweep_method.toml"),
                       "bad_sweep_method.toml:2:10: key `sweep.method`: unknown value \"random\""));
}

TEST(Sweeps, ValuesAreCheckedLikeParameters) {
  const std::string head = "[sweep]\n[sweep.parameters]\n";
  EXPECT_TRUE(Contains(parse_error(head + "\"foundation.public_share\" = [0.1, 1.2]\n"),
                       "inline.toml:3:35: key `foundation.public_share`: 1.2 is out of range"));
  EXPECT_TRUE(Contains(parse_error(head + "\"collab.partners\" = [1, 2.5]\n"),
                       "inline.toml:3:25: key `collab.partners`: expected an integer, got 2.5"));
  EXPECT_TRUE(Contains(parse_error(head + "\"foundation.public_share\" = []\n"), "the list is empty"));
  EXPECT_TRUE(Contains(parse_error(head + "\"foundation.public_share\" = 0.1\n"), "expected a list of values"));
  EXPECT_TRUE(Contains(parse_error(head + "\"intervention.0.rate\" = [0.1]\n"), "there is no intervention 0"));
  EXPECT_TRUE(
      Contains(parse_error("[[intervention]]\ntype = \"budget_change\"\n" + head + "\"intervention.0.rate\" = [0.1]\n"),
               "unknown key `intervention.0.rate` for a budget_change intervention"));
}

TEST(Sweeps, MethodSpecificKeys) {
  EXPECT_TRUE(Contains(parse_error("[sweep]\nsamples = 5\n"),
                       "inline.toml:2:1: key `sweep.samples`: only method = \"lhs\" or \"sobol\" uses samples"));
  EXPECT_TRUE(
      Contains(parse_error("[sweep]\nmethod = \"zip\"\nseed = 5\n"), "key `sweep.seed`: only method = \"lhs\""));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nmethod = \"lhs\"\n[sweep.parameters]\n\"diffusion.q\" = [0.0, 0.2]\n"),
                       "key `sweep.samples`: missing"));
  EXPECT_TRUE(
      Contains(parse_error("[sweep]\nmethod = \"lhs\"\nsamples = 0\n"), "key `sweep.samples`: 0 is out of range"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nreplicates = 0\n"),
                       "inline.toml:2:14: key `sweep.replicates`: 0 is out of range"));
  EXPECT_TRUE(Contains(parse_error("[sweep]\nreplicate = 2\n"),
                       "unknown key `sweep.replicate`; did you mean `sweep.replicates`?"));
}

// Regression (issue 9, RELIABILITY.md): points × replicates beyond int64 wrapped round.
TEST(Sweeps, RunCountMustFitInt64) {
  std::string e = parse_error("[sweep]\nreplicates = 9223372036854775807\n[sweep.parameters]\n"
                              "\"foundation.public_share\" = [0.0, 0.5, 1.0]\n");
  EXPECT_TRUE(Contains(e, "inline.toml:2:14: key `sweep.replicates`: the sweep has 3 point(s) × 9223372036854775807"));
  e = parse_error("[sweep]\nmethod = \"lhs\"\nsamples = 9000000000000000000\nreplicates = 2\n"
                  "[sweep.parameters]\n\"foundation.public_share\" = [0.0, 0.5]\n");
  EXPECT_TRUE(Contains(e, "inline.toml:3:11: key `sweep.samples`"));
  EXPECT_NO_THROW(parse_scenario("[sweep]\nreplicates = 4000000000000000000\n[sweep.parameters]\n"
                                 "\"foundation.public_share\" = [0.0, 0.5]\n",
                                 "inline.toml"));
}

TEST(Sweeps, ZipNeedsEqualLengths) {
  const std::string e = parse_error(
      "[sweep]\nmethod = \"zip\"\n[sweep.parameters]\n\"diffusion.q\" = [0.1, 0.2]\n"
      "\"collab.partners\" = [1]\n");
  EXPECT_TRUE(Contains(
      e, "inline.toml:5:21: key `sweep.parameters.\"collab.partners\"`: has 1 value(s) but `diffusion.q` has 2"));
}

TEST(Sweeps, LhsNeedsNumericLowHigh) {
  const std::string head = "[sweep]\nmethod = \"lhs\"\nsamples = 4\n[sweep.parameters]\n";
  EXPECT_TRUE(Contains(parse_error(head + "\"diffusion.q\" = [0.3, 0.1]\n"), "low 0.3 is above high 0.1"));
  EXPECT_TRUE(Contains(parse_error(head + "\"diffusion.q\" = [0.1, 0.2, 0.3]\n"), "needs exactly [low, high], got 3"));
  EXPECT_TRUE(
      Contains(parse_error(head + "\"output.snapshots\" = [false, true]\n"), "method = \"lhs\" samples numbers"));
  EXPECT_TRUE(Contains(parse_error(head + "\"diffusion.q\" = [0.1, 1.5]\n"), "key `diffusion.q`: 1.5 is out of range"));
  EXPECT_TRUE(Contains(parse_error(head + "\"diffusion.q\" = []\n"), "got 0 value(s)"));
}

TEST(Sweeps, CombinationsMustKeepInterventionWindows) {
  const std::string e = parse_error(
      "[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 2\n[sweep]\n[sweep.parameters]\n"
      "\"intervention.0.start_year\" = [1, 4]\n\"intervention.0.end_year\" = [3, 6]\n");
  EXPECT_TRUE(Contains(e,
                       "inline.toml:4:1: key `sweep.parameters`: the sweep point with intervention.0.start_year = 4, "
                       "intervention.0.end_year = 3 is invalid"));
  // A single value is checked on its own too.
  EXPECT_TRUE(Contains(parse_error("[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 2\n[sweep]\n"
                                   "[sweep.parameters]\n\"simulation.years\" = [1, 10]\n"),
                       "inline.toml:6:23: key `intervention.0.start_year`: start_year 2.0 is after end_year 1.0"));
}

// ---- population scaling (MODEL.md 11.2) ----------------------------------------------------

std::int64_t scaled(std::int64_t count, double scale) {
  Params p = default_params();
  p.population.count[index_of(Sector::government)] = count;
  p.population.scale = scale;
  return scaled_count(p, Sector::government);
}

TEST(Population, ScaledCountRoundsHalfUpAndKeepsSectors) {
  EXPECT_EQ(scaled(1, 0.4), 1);   // 0.4 rounds to 0, but a non-zero count stays >= 1
  EXPECT_EQ(scaled(2, 0.25), 1);  // 0.5 rounds up
  EXPECT_EQ(scaled(3, 0.5), 2);   // 1.5 rounds up
  EXPECT_EQ(scaled(5, 0.5), 3);   // 2.5 rounds up (not to even)
  EXPECT_EQ(scaled(0, 10.0), 0);  // a removed sector stays removed
  EXPECT_EQ(scaled(4000, 0.1), 400);
  EXPECT_EQ(scaled(200, 1.0), 200);
  EXPECT_EQ(scaled(7, 0.3), 2);  // 2.1
}

// ---- docs/PARAMETERS.md --------------------------------------------------------------------

TEST(ParametersDoc, MentionsEveryPathWithAnAnchor) {
  const std::string md = parameters_markdown();
  EXPECT_EQ(md.rfind("# Parameters\n", 0), 0u);
  EXPECT_TRUE(Contains(md, "generated by `xsector params --markdown`"));
  for (const std::string& path : parameter_paths()) {
    EXPECT_TRUE(Contains(md, "<a id=\"" + path + "\"></a>`" + path + "`")) << path;
  }
  for (int t = 0; t < kInterventionTypeCount; ++t) {
    const auto type = static_cast<InterventionType>(t);
    EXPECT_TRUE(Contains(md, "### `" + std::string(intervention_type_name(type)) + "`"));
    for (const ParamSpec& key : intervention_keys(type))
      EXPECT_TRUE(
          Contains(md, "<a id=\"intervention." + std::string(intervention_type_name(type)) + "." + key.path + "\">"));
  }
  EXPECT_TRUE(
      Contains(md, "| <a id=\"foundation.public_share\"></a>`foundation.public_share` | `0.05` | 1 | [0, 1] |"));
}

TEST(ParametersDoc, CheckedInFileIsCurrent) {
  std::ifstream in(kSourceDir / "docs" / "PARAMETERS.md", std::ios::binary);
  ASSERT_TRUE(in) << "docs/PARAMETERS.md is missing";
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(text.str() == parameters_markdown())
      << "docs/PARAMETERS.md is out of date: regenerate it with `xsector params --markdown > docs/PARAMETERS.md`";
}

}  // namespace
// ---- notes on interventions a later one replaces (docs/MODEL.md 7.7) ------------------------

std::vector<std::string> notes_of(const std::string& interventions) {
  return intervention_notes(parse_scenario("[simulation]\nyears = 10\n" + interventions, "notes.toml"));
}

TEST(InterventionNotes, NameWhichReplacesWhichAndFromWhen) {
  // The same window: the earlier never takes effect.
  auto notes = notes_of(
      "[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.1\nend_year = 4\n"
      "[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.4\nend_year = 4\n");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(Contains(notes[0], "note: notes.toml: intervention.1 (foundation_public_support, years 0.0-4.0) replaces "
                                 "intervention.0 (years 0.0-4.0) from year 0.0 to 4.0; intervention.0 never takes effect"))
      << notes[0];
  // Overlapping from year 3: replaced from then on, but it does take effect before.
  notes = notes_of("[[intervention]]\ntype = \"graduate_programs\"\nend_year = 5\n"
                   "[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 3\n");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(Contains(notes[0], "from year 3.0 to 5.0")) << notes[0];
  EXPECT_FALSE(Contains(notes[0], "never takes effect")) << notes[0];
}

TEST(InterventionNotes, NoneWhereNothingIsReplaced) {
  // Windows that only touch ([0, 3) and [3, 10)), different types, p_extra that adds, and
  // budget changes of different sectors or targets.
  EXPECT_TRUE(notes_of("[[intervention]]\ntype = \"graduate_programs\"\nend_year = 3\n"
                       "[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 3\n")
                  .empty());
  EXPECT_TRUE(notes_of("[[intervention]]\ntype = \"graduate_programs\"\n"
                       "[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.2\n")
                  .empty());
  EXPECT_TRUE(notes_of("[[intervention]]\ntype = \"membership_dissemination\"\np_extra = 0.01\n"
                       "[[intervention]]\ntype = \"membership_dissemination\"\np_extra = 0.02\n")
                  .empty());
  EXPECT_TRUE(notes_of("[[intervention]]\ntype = \"budget_change\"\nsector = \"government\"\nfactor = 0.5\n"
                       "[[intervention]]\ntype = \"budget_change\"\nsector = \"business\"\nfactor = 0.5\n"
                       "[[intervention]]\ntype = \"budget_change\"\nsector = \"government\"\ntarget = \"budget\"\n"
                       "factor = 0.5\n")
                  .empty());
  EXPECT_EQ(notes_of("[[intervention]]\ntype = \"budget_change\"\nfactor = 0.5\n"
                     "[[intervention]]\ntype = \"budget_change\"\nfactor = 0.8\n")
                .size(),
            1u);
}

}  // namespace xsector
