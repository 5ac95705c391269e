// The model parameters of MODEL.md section 10 as rows of the parameter table, one function
// per TOML table, in documentation order.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "scenario/param_table.hpp"
#include "scenario/row_builders.hpp"

namespace xsector {
namespace {

using namespace rows;

template <class Group, class T>
std::function<FieldRef(Params&)> field_of(Group Params::*group, T Group::*member) {
  return [group, member](Params& params) -> FieldRef { return &((params.*group).*member); };
}

template <class T>
std::function<FieldRef(Params&)> sector_field(int sector, T ClientSectorParams::*member) {
  return [sector, member](Params& params) -> FieldRef { return &(params.sector[sector].*member); };
}

void add_simulation(std::vector<ParamSpec>& table) {
  table.push_back(with(integer("simulation.years", 10, "years", closed(1, 1000), "Horizon of a run.", model("§2")),
                       field_of(&Params::simulation, &SimulationParams::years)));
  table.push_back(
      with(integer("simulation.ticks_per_year", 4, "ticks per year", closed(1, 365),
                   "Ticks per year (4: one tick is a quarter); rates per year are divided by it.", model("§2")),
           field_of(&Params::simulation, &SimulationParams::ticks_per_year)));
  table.push_back(with(integer("simulation.seed", 1, "1", at_least(0),
                               "Scenario seed; every random draw is keyed by (seed, run, tick, agent, purpose).",
                               model("§4", "convention")),
                       field_of(&Params::simulation, &SimulationParams::seed)));
  table.push_back(with(integer("simulation.replicates", 1, "runs", closed(1, 100000),
                               "Runs of `xsector run` (also `--replicates N`), each a stochastic replicate with its "
                               "own seed: replicate r has the seed of sweep point 0, replicate r. A sweep sets "
                               "`sweep.replicates` instead.",
                               model("§9", "convention")),
                       field_of(&Params::simulation, &SimulationParams::replicates)));
}

void add_population(std::vector<ParamSpec>& table) {
  constexpr std::array<std::int64_t, kSectorCount> counts = {200, 4000, 1200, 12, 20};
  for (int i = 0; i < kSectorCount; ++i) {
    const std::string name(kSectorNames[i]);
    ParamSpec spec = integer("population." + name, counts[i], "agents", at_least(0),
                             "Number of " + name + " agents before `population.scale`; 0 removes the sector.",
                             model("§5", "assumption: stylised baseline, no empirical source given"));
    spec.hint = "a population count cannot be negative; use 0 to remove the sector";
    table.push_back(with(std::move(spec), [i](Params& params) -> FieldRef { return &params.population.count[i]; }));
  }
  table.push_back(with(real("population.scale", 1.0, "1", above(0),
                            "Multiplies every count; each is rounded half up and a non-zero count stays at least 1.",
                            model("§10, §11.2", "convention")),
                       field_of(&Params::population, &PopulationParams::scale)));
}

// MODEL.md sections 5 and 7 give these per client sector.
struct ClientDefaults {
  double budget_median, budget_sigma, support_share;
  bool carryover;
  double capacity_alpha, capacity_beta, mindset_alpha, mindset_beta;
  double compliance, toolkit_initial, diffusion_p, collab_rate, turnover;
};
constexpr std::array<ClientDefaults, kClientSectorCount> kClientDefaults = {{
    {2.0e7, 1.2, 0.0003, false, 2, 6, 2, 4, 0.7, 0.02, 0.005, 2.0, 0.12},  // government
    {2.0e6, 1.5, 0.002, true, 3, 4, 4, 3, 0.1, 0.10, 0.01, 0.2, 0.10},     // business
    {5.0e5, 1.3, 0.003, true, 3, 4, 4, 3, 0.3, 0.08, 0.01, 1.0, 0.15},     // nonprofit
}};

void add_client_sector(std::vector<ParamSpec>& table, int i) {
  const ClientDefaults& defaults = kClientDefaults[i];
  const std::string name(kSectorNames[i]);
  const std::string prefix = "sector." + name + ".";
  const bool is_government = i == index_of(Sector::government);
  // The public-sector defaults encode the article's claims; say so where it applies.
  const std::string source_note = is_government ? "assumption, after the " + kArticle : "assumption";
  const std::string budget_source = model("§5", "assumption: stylised scale, no empirical source given");

  table.push_back(with(real(prefix + "budget_median", defaults.budget_median, "USD per year", money_median(),
                            "Median annual operating budget B (lognormal).", budget_source),
                       sector_field(i, &ClientSectorParams::budget_median)));
  table.push_back(with(real(prefix + "budget_sigma", defaults.budget_sigma, "1", lognormal_sigma(),
                            "Lognormal sigma of the budget (of ln B).", budget_source),
                       sector_field(i, &ClientSectorParams::budget_sigma)));
  table.push_back(with(
      real(prefix + "support_share", defaults.support_share, "1 (share of B per year)", kUnit,
           "Share of the budget added to support funds W each year (spread over its ticks).", model("§7.1", source_note)),
      sector_field(i, &ClientSectorParams::support_share)));
  table.push_back(
      with(boolean(prefix + "carryover", defaults.carryover,
                   "Whether unspent funds W carry over into the next fiscal year (false: they expire).",
                   model("§7.1, §11.4", is_government ? "government funds expire; assumption" : "assumption")),
           sector_field(i, &ClientSectorParams::carryover)));
  table.push_back(with(real(prefix + "capacity_alpha", defaults.capacity_alpha, "1", above(0),
                            "Beta alpha of initial collaboration capacity c.", model("§5", source_note)),
                       sector_field(i, &ClientSectorParams::capacity_alpha)));
  table.push_back(with(real(prefix + "capacity_beta", defaults.capacity_beta, "1", above(0),
                            "Beta beta of initial collaboration capacity c.", model("§5", source_note)),
                       sector_field(i, &ClientSectorParams::capacity_beta)));
  table.push_back(with(real(prefix + "mindset_alpha", defaults.mindset_alpha, "1", above(0),
                            "Beta alpha of initial problem-solving mindset m.", model("§5", source_note)),
                       sector_field(i, &ClientSectorParams::mindset_alpha)));
  table.push_back(with(real(prefix + "mindset_beta", defaults.mindset_beta, "1", above(0),
                            "Beta beta of initial problem-solving mindset m.", model("§5", source_note)),
                       sector_field(i, &ClientSectorParams::mindset_beta)));
  table.push_back(
      with(real(prefix + "compliance", defaults.compliance, "1", kUnit,
                "Weight k of regulatory process (same for every agent of the sector).", model("§5", source_note)),
           sector_field(i, &ClientSectorParams::compliance)));
  table.push_back(with(real(prefix + "toolkit_initial", defaults.toolkit_initial, "probability", kUnit,
                            "Probability an agent uses the collaboration toolkit at the start.", model("§5")),
                       sector_field(i, &ClientSectorParams::toolkit_initial)));
  table.push_back(with(real(prefix + "diffusion_p", defaults.diffusion_p, "per tick", kUnit,
                            "Innovation term p of toolkit adoption (Bass form).", model("§7.2")),
                       sector_field(i, &ClientSectorParams::diffusion_p)));
  table.push_back(
      with(real(prefix + "collab_rate", defaults.collab_rate, "per year", at_least(0),
                "Initiation rate lambda of collaborations at mindset 1; 0 switches initiation off.",
                model("§7.3", is_government ? "governments lead many collaborations; assumption" : "assumption")),
           sector_field(i, &ClientSectorParams::collab_rate)));
  table.push_back(with(real(prefix + "turnover", defaults.turnover, "per year", kUnit,
                            "Staff turnover pulling capacity back toward the sector's initial mean.", model("§7.5")),
                       sector_field(i, &ClientSectorParams::turnover)));
}

void add_foundation(std::vector<ParamSpec>& table) {
  const std::string budget_source = model("§5", "assumption: stylised scale, no empirical source given");
  table.push_back(with(real("foundation.giving_median", 2.0e6, "USD per year", money_median(),
                            "Median annual giving G of a foundation (lognormal).", budget_source),
                       field_of(&Params::foundation, &FoundationParams::giving_median)));
  table.push_back(
      with(real("foundation.giving_sigma", 1.0, "1", lognormal_sigma(), "Lognormal sigma of giving.", budget_source),
           field_of(&Params::foundation, &FoundationParams::giving_sigma)));
  table.push_back(
      with(real("foundation.capacity_share", 0.10, "1", kUnit,
                "Share of giving that goes to capacity building (the rest is program giving).", model("§7.1")),
           field_of(&Params::foundation, &FoundationParams::capacity_share)));
  table.push_back(
      with(real("foundation.public_share", 0.05, "1", kUnit,
                "Share of capacity money that goes to the public sector (the rest to nonprofit neighbours).",
                model("§7.1", "assumption; the " + kArticle + " calls for more")),
           field_of(&Params::foundation, &FoundationParams::public_share)));
  table.push_back(with(choice("foundation.public_channel", "grant", {"grant", "voucher"},
                              "How public-sector money is given: grants to neighbouring governments' funds, or a "
                              "shared voucher pool.",
                              model("§7.1")),
                       field_of(&Params::foundation, &FoundationParams::public_channel)));
  table.push_back(with(real("foundation.voucher_rate", 0.5, "1 (share of price)", kUnit,
                            "Share of an engagement's price the voucher pool pays for a government.", model("§7.1")),
                       field_of(&Params::foundation, &FoundationParams::voucher_rate)));
}

void add_provider(std::vector<ParamSpec>& table) {
  table.push_back(with(real("provider.price_median", 15000, "USD per engagement", money_median(),
                            "Median price P of one engagement (lognormal).",
                            model("§5", "assumption: stylised, no empirical source given")),
                       field_of(&Params::provider, &ProviderParams::price_median)));
  table.push_back(
      with(real("provider.price_sigma", 0.5, "1", lognormal_sigma(), "Lognormal sigma of the price.", model("§5")),
           field_of(&Params::provider, &ProviderParams::price_sigma)));
  table.push_back(with(real("provider.quality_alpha", 4, "1", above(0), "Beta alpha of quality q.", model("§5")),
                       field_of(&Params::provider, &ProviderParams::quality_alpha)));
  table.push_back(with(real("provider.quality_beta", 2, "1", above(0), "Beta beta of quality q.", model("§5")),
                       field_of(&Params::provider, &ProviderParams::quality_beta)));
  table.push_back(with(real("provider.focus_alpha", 1, "1", above(0),
                            "Beta alpha of public_focus a (compliance-aware, public-sector specialised).",
                            model("§5", "assumption: few resources address compliance, after the " + kArticle)),
                       field_of(&Params::provider, &ProviderParams::focus_alpha)));
  table.push_back(with(real("provider.focus_beta", 4, "1", above(0), "Beta beta of public_focus a.", model("§5")),
                       field_of(&Params::provider, &ProviderParams::focus_beta)));
  table.push_back(with(integer("provider.slots", 3, "engagements per tick", at_least(1),
                               "Initial staff, i.e. engagements a provider can take per tick.", model("§5")),
                       field_of(&Params::provider, &ProviderParams::slots)));
  table.push_back(with(real("provider.adaptation", 0.5, "per year", at_least(0),
                            "How fast staff follows utilisation at each year end; 0 freezes slots.", model("§7.4")),
                       field_of(&Params::provider, &ProviderParams::adaptation)));
}

void add_network(std::vector<ParamSpec>& table) {
  table.push_back(with(
      real("network.homophily", 0.5, "1", kUnit,
           "Share h of a client sector's tie ends kept within its own sector (stochastic block model).", model("§5")),
      field_of(&Params::network, &NetworkParams::homophily)));
  table.push_back(with(real("network.initial_trust", 0.5, "1", kUnit, "Trust on every edge at the start.", model("§5")),
                       field_of(&Params::network, &NetworkParams::initial_trust)));
  table.push_back(with(text("network.file", "", "path",
                            "GraphML, edge-list or CSV network file whose nodes carry a sector; empty generates the "
                            "stochastic block model. Population counts then come from the file.",
                            model("§5", "convention")),
                       field_of(&Params::network, &NetworkParams::file)));
  constexpr std::array<double, kSectorCount> degrees = {10, 6, 8, 60, 40};
  for (int i = 0; i < kSectorCount; ++i) {
    const std::string name(kSectorNames[i]);
    table.push_back(with(real("network.mean_degree." + name, degrees[i], "edges per agent", at_least(0),
                              "Target mean degree k of " + name + " agents.", model("§5")),
                         [i](Params& params) -> FieldRef { return &params.network.mean_degree[i]; }));
  }
}

void add_diffusion(std::vector<ParamSpec>& table) {
  table.push_back(with(real("diffusion.q", 0.08, "per tick", kUnit,
                            "Imitation term q of toolkit adoption, times the share of client neighbours using it.",
                            model("§7.2", "Bass (1969) form; value an assumption")),
                       field_of(&Params::diffusion, &DiffusionParams::q)));
  table.push_back(with(real("diffusion.capacity_gain", 0.05, "1", kUnit,
                            "Capacity added when an agent adopts the toolkit (capped at 1).", model("§7.2")),
                       field_of(&Params::diffusion, &DiffusionParams::capacity_gain)));
}

void add_collab(std::vector<ParamSpec>& table) {
  const std::string beta_source = model("§7.3", "assumption; about half of business-led collaborations succeed");
  table.push_back(with(integer("collab.max_active", 2, "collaborations", closed(0, 100),
                               "Most collaborations a client is in at once (as lead or partner).", model("§2")),
                       field_of(&Params::collab, &CollabParams::max_active)));
  table.push_back(
      with(integer("collab.partners", 2, "agents", closed(1, 100),
                   "Partners an initiator invites (most trusted cross-sector client neighbours).", model("§7.3")),
           field_of(&Params::collab, &CollabParams::partners)));
  table.push_back(with(integer("collab.ticks_per_stage", 1, "ticks", closed(1, 1000),
                               "Ticks each of diagnose, design, implement and evaluate lasts.", model("§7.3")),
                       field_of(&Params::collab, &CollabParams::ticks_per_stage)));
  table.push_back(with(real("collab.value", 1.0, "public value units", at_least(0),
                            "Public value of a successful collaboration before the sector and capacity factors.",
                            model("§7.3", "unit of account")),
                       field_of(&Params::collab, &CollabParams::value)));
  table.push_back(
      with(real("collab.beta0", 0.0, "log-odds", any_real(), "Intercept of the stage pass probability.", beta_source),
           field_of(&Params::collab, &CollabParams::beta0)));
  table.push_back(with(real("collab.beta_capacity", 3.0, "log-odds", any_real(),
                            "Effect of the members' capacity ce on passing a stage.", beta_source),
                       field_of(&Params::collab, &CollabParams::beta_capacity)));
  table.push_back(with(real("collab.beta_trust", 1.0, "log-odds", any_real(),
                            "Effect of mean lead-partner trust on passing a stage.", beta_source),
                       field_of(&Params::collab, &CollabParams::beta_trust)));
  table.push_back(with(real("collab.beta_compliance", 1.5, "log-odds", any_real(),
                            "Penalty of the lead's compliance weight (halved with the toolkit).", beta_source),
                       field_of(&Params::collab, &CollabParams::beta_compliance)));
  table.push_back(with(real("collab.beta_support", 0.8, "log-odds", any_real(),
                            "Effect of the lead buying support during the stage.", beta_source),
                       field_of(&Params::collab, &CollabParams::beta_support)));
  table.push_back(with(real("collab.trust_step", 0.1, "1", kUnit,
                            "Trust gained on lead-partner edges by a success and lost by a failure.", model("§7.3")),
                       field_of(&Params::collab, &CollabParams::trust_step)));
  table.push_back(with(real("collab.learning", 0.02, "1", kUnit,
                            "Capacity gain of every member of a success, times (1 - c).", model("§7.3")),
                       field_of(&Params::collab, &CollabParams::learning)));
}

void add_market(std::vector<ParamSpec>& table) {
  table.push_back(with(real("market.need_threshold", 0.3, "1", kUnit,
                            "Capacity below which a client with enough mindset wants support.", model("§7.4")),
                       field_of(&Params::market, &MarketParams::need_threshold)));
  table.push_back(with(real("market.need_mindset", 0.5, "1", kUnit,
                            "Mindset a low-capacity client needs to want support.", model("§7.4")),
                       field_of(&Params::market, &MarketParams::need_mindset)));
  table.push_back(
      with(integer("market.visible", 3, "providers", at_least(0),
                   "Providers with most slots that every client can reach besides its neighbours.", model("§7.4")),
           field_of(&Params::market, &MarketParams::visible)));
  table.push_back(with(integer("market.rounds", 3, "rounds", closed(1, 1000),
                               "Proposal rounds of deferred acceptance per tick.", model("§7.4")),
                       field_of(&Params::market, &MarketParams::rounds)));
  table.push_back(
      with(real("market.public_bonus", 1.0, "score units", any_real(),
                "Provider preference for government clients, times the provider's public_focus.", model("§7.4")),
           field_of(&Params::market, &MarketParams::public_bonus)));
  table.push_back(with(real("market.gain", 0.15, "1", kUnit,
                            "Capacity gain of an engagement, times quality, fit and (1 - c).", model("§7.4")),
                       field_of(&Params::market, &MarketParams::gain)));
  table.push_back(with(
      real("market.mindset_gain", 0.02, "1", kUnit, "Mindset gain of an engagement, times (1 - m).", model("§7.4")),
      field_of(&Params::market, &MarketParams::mindset_gain)));
}

void add_output(std::vector<ParamSpec>& table) {
  table.push_back(with(boolean("output.snapshots", false,
                               "Write every agent's final state (sector, budget, capacity, mindset, toolkit, degree, "
                               "funds).",
                               model("§8", "convention")),
                       field_of(&Params::output, &OutputParams::snapshots)));
}

// The parameters that matter to the public sector gap and are known least (none is
// calibrated), with the range we consider plausible, from half to twice the default where
// nothing better is known. docs/PARAMETERS.md marks them; scenarios/sensitivity_gap.toml
// studies exactly these over these ranges (tests/python/test_sensitivity_study.py).
struct MostUncertain {
  const char* path;
  const char* plausible;
};
constexpr MostUncertain kMostUncertain[] = {
    {"sector.government.support_share", "log-uniform on [0.0001, 0.0012], a third to four times the default"},
    {"sector.government.carryover", "either: whether unspent government funds expire is not known"},
    {"sector.government.compliance", "[0.5, 0.9]"},
    {"foundation.capacity_share", "[0.05, 0.2]"},
    {"foundation.public_share", "[0, 0.2]"},
    {"foundation.public_channel", "either"},
    {"market.public_bonus", "[0, 2]"},
    {"market.need_mindset", "[0.3, 0.7]"},
    {"provider.price_median", "log-uniform on [7500, 30000], half to twice the default"},
    {"diffusion.q", "[0.04, 0.16], half to twice the default"},
    {"network.homophily", "[0.3, 0.7]"},
    {"collab.beta_support", "normal(0.8, 0.3) truncated to [0, 1.6]"},
};

void mark_most_uncertain(std::vector<ParamSpec>& table) {
  for (const MostUncertain& entry : kMostUncertain) {
    const auto row = std::find_if(table.begin(), table.end(), [&](const ParamSpec& s) { return s.path == entry.path; });
    if (row == table.end()) throw std::logic_error(std::string("kMostUncertain names no parameter: ") + entry.path);
    row->plausible = entry.plausible;
  }
}

std::vector<ParamSpec> build_parameter_table() {
  std::vector<ParamSpec> table;
  add_simulation(table);
  add_population(table);
  for (int i = 0; i < kClientSectorCount; ++i) add_client_sector(table, i);
  add_foundation(table);
  add_provider(table);
  add_network(table);
  add_diffusion(table);
  add_collab(table);
  add_market(table);
  add_output(table);
  mark_most_uncertain(table);
  return table;
}

}  // namespace

const std::vector<ParamSpec>& parameter_table() {
  static const std::vector<ParamSpec> table = build_parameter_table();
  return table;
}

std::vector<std::string> parameter_paths() {
  std::vector<std::string> paths;
  for (const ParamSpec& spec : parameter_table()) paths.push_back(spec.path);
  return paths;
}

const ParamSpec* find_parameter(std::string_view path) {
  for (const ParamSpec& spec : parameter_table())
    if (spec.path == path) return &spec;
  return nullptr;
}

std::vector<std::string> parameter_tables() {
  std::vector<std::string> tables;
  for (const ParamSpec& spec : parameter_table()) {
    for (auto dot = spec.path.find('.'); dot != std::string::npos; dot = spec.path.find('.', dot + 1)) {
      std::string prefix = spec.path.substr(0, dot);
      if (std::find(tables.begin(), tables.end(), prefix) == tables.end()) tables.push_back(std::move(prefix));
    }
  }
  return tables;
}

Params default_params() {
  static const Params defaults = [] {
    Params params;
    for (const ParamSpec& spec : parameter_table()) store_value(spec.field(params), spec, *spec.default_value);
    return params;
  }();
  return defaults;
}

ScalarValue parameter_value(const Params& params, const ParamSpec& spec) {
  // The accessor takes a mutable Params to serve writers too; reading through it is safe.
  return read_value(spec.field(const_cast<Params&>(params)), spec);
}

}  // namespace xsector
