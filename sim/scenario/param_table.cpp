#include "scenario/param_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace xsector {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ValueRange closed(double lo, double hi) { return {lo, hi, false, false}; }
ValueRange at_least(double lo) { return {lo, kInf, false, true}; }
ValueRange above(double lo) { return {lo, kInf, true, true}; }
ValueRange any_real() { return {}; }
// Lognormal draws are median * e^(sigma * z) with |z| <= 8.7 (Box-Muller from 53-bit
// uniforms). These bounds keep every draw, and every sum of draws over billions of agents,
// finite (no infinity may enter the state, issue 9) while lying far beyond any real
// organisation: $10^15 is ten times world output, sigma 10 spreads budgets over 75 orders
// of magnitude.
ValueRange money_median() { return {0, 1e15, true, false}; }
ValueRange lognormal_sigma() { return closed(0, 10); }
const ValueRange kUnit = closed(0, 1);  // probabilities, shares, c, m, k, trust

// Sources. MODEL.md gives its defaults without empirical sources; saying "assumption"
// keeps users from reading them as calibrated estimates. The seed article is cited in
// full once, in the introduction of the generated docs.
const std::string kArticle = "seed article";
const std::string kArticleCitation =
    "N. Britto, \"Attention Cross-Sector Collaboration Champions: Are We Forgetting the Public Sector?\", "
    "The Intersector Project";
std::string model(std::string_view section, std::string_view note = "assumption") {
  return "MODEL.md v1.1 " + std::string(section) + " (" + std::string(note) + ")";
}

// ---- field accessors ----------------------------------------------------------------

using Field = std::function<FieldRef(Params&)>;
using InterventionField = std::function<FieldRef(Intervention&)>;

template <class Group, class T>
Field field_of(Group Params::*group, T Group::*member) {
  return [group, member](Params& p) -> FieldRef { return &((p.*group).*member); };
}

template <class T>
Field sector_field(int sector, T ClientSectorParams::*member) {
  return [sector, member](Params& p) -> FieldRef { return &(p.sector[sector].*member); };
}

template <class T>
InterventionField intervention_field(T Intervention::*member) {
  return [member](Intervention& i) -> FieldRef { return &(i.*member); };
}

// ---- row builders -------------------------------------------------------------------

ParamSpec real(std::string path, double def, std::string unit, ValueRange range, std::string description,
               std::string source) {
  ParamSpec s;
  s.path = std::move(path);
  s.kind = ParamKind::real;
  s.default_value = def;
  s.unit = std::move(unit);
  s.range = range;
  s.description = std::move(description);
  s.source = std::move(source);
  return s;
}

ParamSpec integer(std::string path, std::int64_t def, std::string unit, ValueRange range, std::string description,
                  std::string source) {
  ParamSpec s = real(std::move(path), 0, std::move(unit), range, std::move(description), std::move(source));
  s.kind = ParamKind::integer;
  s.default_value = def;
  return s;
}

ParamSpec boolean(std::string path, bool def, std::string description, std::string source) {
  ParamSpec s = real(std::move(path), 0, "", {}, std::move(description), std::move(source));
  s.kind = ParamKind::boolean;
  s.default_value = def;
  return s;
}

ParamSpec choice(std::string path, std::string def, std::vector<std::string> choices, std::string description,
                 std::string source) {
  ParamSpec s = real(std::move(path), 0, "", {}, std::move(description), std::move(source));
  s.kind = ParamKind::choice;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  return s;
}

ParamSpec text(std::string path, std::string def, std::string unit, std::string description, std::string source) {
  ParamSpec s = real(std::move(path), 0, std::move(unit), {}, std::move(description), std::move(source));
  s.kind = ParamKind::string;
  s.default_value = std::move(def);
  return s;
}

ParamSpec with(ParamSpec s, Field field) {
  s.field = std::move(field);
  return s;
}

ParamSpec with(ParamSpec s, InterventionField field) {
  s.intervention_field = std::move(field);
  return s;
}

std::vector<std::string> sector_names(int count) { return {kSectorNames.begin(), kSectorNames.begin() + count}; }

// ---- the model parameters, one function per TOML table ------------------------------

void add_simulation(std::vector<ParamSpec>& t) {
  t.push_back(with(integer("simulation.years", 10, "years", closed(1, 1000), "Horizon of a run.", model("§2")),
                   field_of(&Params::simulation, &SimulationParams::years)));
  t.push_back(with(integer("simulation.ticks_per_year", 4, "ticks per year", closed(1, 365),
                           "Ticks per year (4: one tick is a quarter); rates per year are divided by it.", model("§2")),
                   field_of(&Params::simulation, &SimulationParams::ticks_per_year)));
  t.push_back(with(integer("simulation.seed", 1, "1", at_least(0),
                           "Scenario seed; every random draw is keyed by (seed, run, tick, agent, purpose).",
                           model("§4", "convention")),
                   field_of(&Params::simulation, &SimulationParams::seed)));
  t.push_back(with(integer("simulation.replicates", 1, "runs", closed(1, 100000),
                           "Runs of `xsector run` (also `--replicates N`), each a stochastic replicate with its "
                           "own seed: replicate r has the seed of sweep point 0, replicate r. A sweep sets "
                           "`sweep.replicates` instead.",
                           model("§9", "convention")),
                   field_of(&Params::simulation, &SimulationParams::replicates)));
}

void add_population(std::vector<ParamSpec>& t) {
  constexpr std::array<std::int64_t, kSectorCount> counts = {200, 4000, 1200, 12, 20};
  for (int i = 0; i < kSectorCount; ++i) {
    const std::string name(kSectorNames[i]);
    ParamSpec s = integer("population." + name, counts[i], "agents", at_least(0),
                          "Number of " + name + " agents before `population.scale`; 0 removes the sector.",
                          model("§5", "assumption: stylised baseline, no empirical source given"));
    s.hint = "a population count cannot be negative; use 0 to remove the sector";
    t.push_back(with(std::move(s), [i](Params& p) -> FieldRef { return &p.population.count[i]; }));
  }
  t.push_back(with(real("population.scale", 1.0, "1", above(0),
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

void add_client_sector(std::vector<ParamSpec>& t, int i) {
  const ClientDefaults& d = kClientDefaults[i];
  const std::string name(kSectorNames[i]);
  const std::string p = "sector." + name + ".";
  const bool gov = i == index_of(Sector::government);
  // The public-sector defaults encode the article's claims; say so where it applies.
  const std::string gov_note = gov ? "assumption, after the " + kArticle : "assumption";
  const std::string budget_source = model("§5", "assumption: stylised scale, no empirical source given");

  t.push_back(with(real(p + "budget_median", d.budget_median, "USD per year", money_median(),
                        "Median annual operating budget B (lognormal).", budget_source),
                   sector_field(i, &ClientSectorParams::budget_median)));
  t.push_back(with(real(p + "budget_sigma", d.budget_sigma, "1", lognormal_sigma(),
                        "Lognormal sigma of the budget (of ln B).", budget_source),
                   sector_field(i, &ClientSectorParams::budget_sigma)));
  t.push_back(with(
      real(p + "support_share", d.support_share, "1 (share of B per year)", kUnit,
           "Share of the budget added to support funds W each year (spread over its ticks).", model("§7.1", gov_note)),
      sector_field(i, &ClientSectorParams::support_share)));
  t.push_back(with(boolean(p + "carryover", d.carryover,
                           "Whether unspent funds W carry over into the next fiscal year (false: they expire).",
                           model("§7.1, §11.4", gov ? "government funds expire; assumption" : "assumption")),
                   sector_field(i, &ClientSectorParams::carryover)));
  t.push_back(with(real(p + "capacity_alpha", d.capacity_alpha, "1", above(0),
                        "Beta alpha of initial collaboration capacity c.", model("§5", gov_note)),
                   sector_field(i, &ClientSectorParams::capacity_alpha)));
  t.push_back(with(real(p + "capacity_beta", d.capacity_beta, "1", above(0),
                        "Beta beta of initial collaboration capacity c.", model("§5", gov_note)),
                   sector_field(i, &ClientSectorParams::capacity_beta)));
  t.push_back(with(real(p + "mindset_alpha", d.mindset_alpha, "1", above(0),
                        "Beta alpha of initial problem-solving mindset m.", model("§5", gov_note)),
                   sector_field(i, &ClientSectorParams::mindset_alpha)));
  t.push_back(with(real(p + "mindset_beta", d.mindset_beta, "1", above(0),
                        "Beta beta of initial problem-solving mindset m.", model("§5", gov_note)),
                   sector_field(i, &ClientSectorParams::mindset_beta)));
  t.push_back(with(real(p + "compliance", d.compliance, "1", kUnit,
                        "Weight k of regulatory process (same for every agent of the sector).", model("§5", gov_note)),
                   sector_field(i, &ClientSectorParams::compliance)));
  t.push_back(with(real(p + "toolkit_initial", d.toolkit_initial, "probability", kUnit,
                        "Probability an agent uses the collaboration toolkit at the start.", model("§5")),
                   sector_field(i, &ClientSectorParams::toolkit_initial)));
  t.push_back(with(real(p + "diffusion_p", d.diffusion_p, "per tick", kUnit,
                        "Innovation term p of toolkit adoption (Bass form).", model("§7.2")),
                   sector_field(i, &ClientSectorParams::diffusion_p)));
  t.push_back(with(real(p + "collab_rate", d.collab_rate, "per year", at_least(0),
                        "Initiation rate lambda of collaborations at mindset 1; 0 switches initiation off.",
                        model("§7.3", gov ? "governments lead many collaborations; assumption" : "assumption")),
                   sector_field(i, &ClientSectorParams::collab_rate)));
  t.push_back(with(real(p + "turnover", d.turnover, "per year", kUnit,
                        "Staff turnover pulling capacity back toward the sector's initial mean.", model("§7.5")),
                   sector_field(i, &ClientSectorParams::turnover)));
}

void add_foundation(std::vector<ParamSpec>& t) {
  const std::string budget_source = model("§5", "assumption: stylised scale, no empirical source given");
  t.push_back(with(real("foundation.giving_median", 2.0e6, "USD per year", money_median(),
                        "Median annual giving G of a foundation (lognormal).", budget_source),
                   field_of(&Params::foundation, &FoundationParams::giving_median)));
  t.push_back(with(real("foundation.giving_sigma", 1.0, "1", lognormal_sigma(), "Lognormal sigma of giving.", budget_source),
                   field_of(&Params::foundation, &FoundationParams::giving_sigma)));
  t.push_back(with(real("foundation.capacity_share", 0.10, "1", kUnit,
                        "Share of giving that goes to capacity building (the rest is program giving).", model("§7.1")),
                   field_of(&Params::foundation, &FoundationParams::capacity_share)));
  t.push_back(with(real("foundation.public_share", 0.05, "1", kUnit,
                        "Share of capacity money that goes to the public sector (the rest to nonprofit neighbours).",
                        model("§7.1", "assumption; the " + kArticle + " calls for more")),
                   field_of(&Params::foundation, &FoundationParams::public_share)));
  t.push_back(with(choice("foundation.public_channel", "grant", {"grant", "voucher"},
                          "How public-sector money is given: grants to neighbouring governments' funds, or a "
                          "shared voucher pool.",
                          model("§7.1")),
                   field_of(&Params::foundation, &FoundationParams::public_channel)));
  t.push_back(with(real("foundation.voucher_rate", 0.5, "1 (share of price)", kUnit,
                        "Share of an engagement's price the voucher pool pays for a government.", model("§7.1")),
                   field_of(&Params::foundation, &FoundationParams::voucher_rate)));
}

void add_provider(std::vector<ParamSpec>& t) {
  t.push_back(with(real("provider.price_median", 15000, "USD per engagement", money_median(),
                        "Median price P of one engagement (lognormal).",
                        model("§5", "assumption: stylised, no empirical source given")),
                   field_of(&Params::provider, &ProviderParams::price_median)));
  t.push_back(with(real("provider.price_sigma", 0.5, "1", lognormal_sigma(), "Lognormal sigma of the price.", model("§5")),
                   field_of(&Params::provider, &ProviderParams::price_sigma)));
  t.push_back(with(real("provider.quality_alpha", 4, "1", above(0), "Beta alpha of quality q.", model("§5")),
                   field_of(&Params::provider, &ProviderParams::quality_alpha)));
  t.push_back(with(real("provider.quality_beta", 2, "1", above(0), "Beta beta of quality q.", model("§5")),
                   field_of(&Params::provider, &ProviderParams::quality_beta)));
  t.push_back(with(real("provider.focus_alpha", 1, "1", above(0),
                        "Beta alpha of public_focus a (compliance-aware, public-sector specialised).",
                        model("§5", "assumption: few resources address compliance, after the " + kArticle)),
                   field_of(&Params::provider, &ProviderParams::focus_alpha)));
  t.push_back(with(real("provider.focus_beta", 4, "1", above(0), "Beta beta of public_focus a.", model("§5")),
                   field_of(&Params::provider, &ProviderParams::focus_beta)));
  t.push_back(with(integer("provider.slots", 3, "engagements per tick", at_least(1),
                           "Initial staff, i.e. engagements a provider can take per tick.", model("§5")),
                   field_of(&Params::provider, &ProviderParams::slots)));
  t.push_back(with(real("provider.adaptation", 0.5, "per year", at_least(0),
                        "How fast staff follows utilisation at each year end; 0 freezes slots.", model("§7.4")),
                   field_of(&Params::provider, &ProviderParams::adaptation)));
}

void add_network(std::vector<ParamSpec>& t) {
  t.push_back(with(
      real("network.homophily", 0.5, "1", kUnit,
           "Share h of a client sector's tie ends kept within its own sector (stochastic block model).", model("§5")),
      field_of(&Params::network, &NetworkParams::homophily)));
  t.push_back(with(real("network.initial_trust", 0.5, "1", kUnit, "Trust on every edge at the start.", model("§5")),
                   field_of(&Params::network, &NetworkParams::initial_trust)));
  t.push_back(with(text("network.file", "", "path",
                        "GraphML, edge-list or CSV network file whose nodes carry a sector; empty generates the "
                        "stochastic block model. Population counts then come from the file.",
                        model("§5", "convention")),
                   field_of(&Params::network, &NetworkParams::file)));
  constexpr std::array<double, kSectorCount> degrees = {10, 6, 8, 60, 40};
  for (int i = 0; i < kSectorCount; ++i) {
    const std::string name(kSectorNames[i]);
    t.push_back(with(real("network.mean_degree." + name, degrees[i], "edges per agent", at_least(0),
                          "Target mean degree k of " + name + " agents.", model("§5")),
                     [i](Params& p) -> FieldRef { return &p.network.mean_degree[i]; }));
  }
}

void add_diffusion(std::vector<ParamSpec>& t) {
  t.push_back(with(real("diffusion.q", 0.08, "per tick", kUnit,
                        "Imitation term q of toolkit adoption, times the share of client neighbours using it.",
                        model("§7.2", "Bass (1969) form; value an assumption")),
                   field_of(&Params::diffusion, &DiffusionParams::q)));
  t.push_back(with(real("diffusion.capacity_gain", 0.05, "1", kUnit,
                        "Capacity added when an agent adopts the toolkit (capped at 1).", model("§7.2")),
                   field_of(&Params::diffusion, &DiffusionParams::capacity_gain)));
}

void add_collab(std::vector<ParamSpec>& t) {
  const std::string beta_source = model("§7.3", "assumption; about half of business-led collaborations succeed");
  t.push_back(with(integer("collab.max_active", 2, "collaborations", closed(0, 100),
                           "Most collaborations a client is in at once (as lead or partner).", model("§2")),
                   field_of(&Params::collab, &CollabParams::max_active)));
  t.push_back(
      with(integer("collab.partners", 2, "agents", closed(1, 100),
                   "Partners an initiator invites (most trusted cross-sector client neighbours).", model("§7.3")),
           field_of(&Params::collab, &CollabParams::partners)));
  t.push_back(with(integer("collab.ticks_per_stage", 1, "ticks", closed(1, 1000),
                           "Ticks each of diagnose, design, implement and evaluate lasts.", model("§7.3")),
                   field_of(&Params::collab, &CollabParams::ticks_per_stage)));
  t.push_back(with(real("collab.value", 1.0, "public value units", at_least(0),
                        "Public value of a successful collaboration before the sector and capacity factors.",
                        model("§7.3", "unit of account")),
                   field_of(&Params::collab, &CollabParams::value)));
  t.push_back(
      with(real("collab.beta0", 0.0, "log-odds", any_real(), "Intercept of the stage pass probability.", beta_source),
           field_of(&Params::collab, &CollabParams::beta0)));
  t.push_back(with(real("collab.beta_capacity", 3.0, "log-odds", any_real(),
                        "Effect of the members' capacity ce on passing a stage.", beta_source),
                   field_of(&Params::collab, &CollabParams::beta_capacity)));
  t.push_back(with(real("collab.beta_trust", 1.0, "log-odds", any_real(),
                        "Effect of mean lead-partner trust on passing a stage.", beta_source),
                   field_of(&Params::collab, &CollabParams::beta_trust)));
  t.push_back(with(real("collab.beta_compliance", 1.5, "log-odds", any_real(),
                        "Penalty of the lead's compliance weight (halved with the toolkit).", beta_source),
                   field_of(&Params::collab, &CollabParams::beta_compliance)));
  t.push_back(with(real("collab.beta_support", 0.8, "log-odds", any_real(),
                        "Effect of the lead buying support during the stage.", beta_source),
                   field_of(&Params::collab, &CollabParams::beta_support)));
  t.push_back(with(real("collab.trust_step", 0.1, "1", kUnit,
                        "Trust gained on lead-partner edges by a success and lost by a failure.", model("§7.3")),
                   field_of(&Params::collab, &CollabParams::trust_step)));
  t.push_back(with(real("collab.learning", 0.02, "1", kUnit,
                        "Capacity gain of every member of a success, times (1 - c).", model("§7.3")),
                   field_of(&Params::collab, &CollabParams::learning)));
}

void add_market(std::vector<ParamSpec>& t) {
  t.push_back(with(real("market.need_threshold", 0.3, "1", kUnit,
                        "Capacity below which a client with enough mindset wants support.", model("§7.4")),
                   field_of(&Params::market, &MarketParams::need_threshold)));
  t.push_back(with(real("market.need_mindset", 0.5, "1", kUnit, "Mindset a low-capacity client needs to want support.",
                        model("§7.4")),
                   field_of(&Params::market, &MarketParams::need_mindset)));
  t.push_back(
      with(integer("market.visible", 3, "providers", at_least(0),
                   "Providers with most slots that every client can reach besides its neighbours.", model("§7.4")),
           field_of(&Params::market, &MarketParams::visible)));
  t.push_back(with(integer("market.rounds", 3, "rounds", closed(1, 1000),
                           "Proposal rounds of deferred acceptance per tick.", model("§7.4")),
                   field_of(&Params::market, &MarketParams::rounds)));
  t.push_back(
      with(real("market.public_bonus", 1.0, "score units", any_real(),
                "Provider preference for government clients, times the provider's public_focus.", model("§7.4")),
           field_of(&Params::market, &MarketParams::public_bonus)));
  t.push_back(with(real("market.gain", 0.15, "1", kUnit,
                        "Capacity gain of an engagement, times quality, fit and (1 - c).", model("§7.4")),
                   field_of(&Params::market, &MarketParams::gain)));
  t.push_back(with(
      real("market.mindset_gain", 0.02, "1", kUnit, "Mindset gain of an engagement, times (1 - m).", model("§7.4")),
      field_of(&Params::market, &MarketParams::mindset_gain)));
}

void add_output(std::vector<ParamSpec>& t) {
  t.push_back(with(boolean("output.snapshots", false,
                           "Write every agent's final state (sector, budget, capacity, mindset, toolkit, degree, "
                           "funds).",
                           model("§8", "convention")),
                   field_of(&Params::output, &OutputParams::snapshots)));
}

std::vector<ParamSpec> build_parameter_table() {
  std::vector<ParamSpec> t;
  add_simulation(t);
  add_population(t);
  for (int i = 0; i < kClientSectorCount; ++i) add_client_sector(t, i);
  add_foundation(t);
  add_provider(t);
  add_network(t);
  add_diffusion(t);
  add_collab(t);
  add_market(t);
  add_output(t);
  return t;
}

// ---- interventions ------------------------------------------------------------------

std::vector<std::string> intervention_type_names() {
  return {kInterventionTypeNames.begin(), kInterventionTypeNames.end()};
}

std::vector<ParamSpec> build_common_keys() {
  const std::string source = model("§7.7, §11.11", "convention");
  ParamSpec type = choice("type", "", intervention_type_names(), "Which intervention; must be given.", source);
  type.default_value.reset();
  type.default_text = "required";
  type.required = true;
  ParamSpec start = real("start_year", 0, "years", at_least(0),
                         "First year it is active (years count from 0; may be fractional).", source);
  ParamSpec end = real("end_year", 0, "years", at_least(0),
                       "Active while start_year <= t / ticks_per_year < end_year; may exceed the horizon.", source);
  end.default_value.reset();
  end.default_text = "`simulation.years`";
  return {with(std::move(type), intervention_field(&Intervention::type)),
          with(std::move(start), intervention_field(&Intervention::start_year)),
          with(std::move(end), intervention_field(&Intervention::end_year))};
}

std::vector<ParamSpec> build_type_keys(InterventionType type) {
  const std::string source = model("§7.7");
  std::vector<ParamSpec> k;
  switch (type) {
    case InterventionType::foundation_public_support: {
      ParamSpec share = real("public_share", 0, "1", kUnit, "Replaces `foundation.public_share` while active.",
                             "MODEL.md v1.1 §7.7 (required key)");
      share.default_value.reset();
      share.default_text = "required";
      share.required = true;
      ParamSpec channel =
          choice("public_channel", "grant", {"grant", "voucher"},
                 "Replaces `foundation.public_channel` while active, if given.", "MODEL.md v1.1 §7.7 (optional key)");
      channel.default_value.reset();
      channel.default_text = "unchanged";
      k.push_back(with(std::move(share), intervention_field(&Intervention::public_share)));
      k.push_back(with(std::move(channel), intervention_field(&Intervention::public_channel)));
      break;
    }
    case InterventionType::membership_dissemination:
      k.push_back(with(real("p_extra", 0.02, "per tick", kUnit, "Added to the government diffusion p.", source),
                       intervention_field(&Intervention::p_extra)));
      break;
    case InterventionType::graduate_programs:
      k.push_back(with(
          real("rate", 0.1, "per year", at_least(0), "Rate at which each government hires a trained graduate.", source),
          intervention_field(&Intervention::rate)));
      k.push_back(with(real("capacity_gain", 0.1, "1", kUnit, "Capacity gain of a hire, times (1 - c).", source),
                       intervention_field(&Intervention::capacity_gain)));
      k.push_back(with(real("mindset_gain", 0.1, "1", kUnit, "Mindset gain of a hire, times (1 - m).", source),
                       intervention_field(&Intervention::mindset_gain)));
      break;
    case InterventionType::knowledge_mobilization:
      k.push_back(with(real("p_extra", 0.005, "per tick", kUnit, "Added to every client sector's diffusion p.", source),
                       intervention_field(&Intervention::p_extra)));
      k.push_back(with(
          real("boost", 1.0, "1", at_least(0), "The toolkit's capacity_gain is multiplied by (1 + boost).", source),
          intervention_field(&Intervention::boost)));
      break;
    case InterventionType::budget_change:
      k.push_back(with(choice("sector", "government", sector_names(kClientSectorCount),
                              "Client sector whose target is scaled.", model("§11.11")),
                       intervention_field(&Intervention::sector)));
      k.push_back(with(choice("target", "support_share", {"support_share", "budget"},
                              "What is scaled: the support share or the budget B.", model("§11.11")),
                       intervention_field(&Intervention::target)));
      k.push_back(with(real("factor", 1.0, "1", at_least(0), "Multiplier while active (below 1: a cut or recession).",
                            model("§11.11")),
                       intervention_field(&Intervention::factor)));
      break;
    case InterventionType::compliance_toolkit:
      k.push_back(
          with(real("level", 0.8, "1", kUnit, "Providers' public_focus is raised to at least this.", model("§11.11")),
               intervention_field(&Intervention::level)));
      k.push_back(with(real("share", 0.5, "1", kUnit,
                            "Share of providers affected (round half up, chosen by keyed hash).", model("§11.11")),
                       intervention_field(&Intervention::share)));
      break;
  }
  return k;
}

const std::array<std::vector<ParamSpec>, kInterventionTypeCount>& all_type_keys() {
  static const auto keys = [] {
    std::array<std::vector<ParamSpec>, kInterventionTypeCount> a;
    for (int i = 0; i < kInterventionTypeCount; ++i) a[i] = build_type_keys(static_cast<InterventionType>(i));
    return a;
  }();
  return keys;
}

// ---- formatting helpers ---------------------------------------------------------------

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
// Clang 14 lacks class template argument deduction for aggregates (P1816).
template <class... F>
overloaded(F...) -> overloaded<F...>;

ScalarValue read_field(const FieldRef& field, const ParamSpec& spec) {
  return std::visit(overloaded{
                        [](double* p) -> ScalarValue { return *p; },
                        [](std::int64_t* p) -> ScalarValue { return *p; },
                        [](std::uint64_t* p) -> ScalarValue { return static_cast<std::int64_t>(*p); },
                        [](bool* p) -> ScalarValue { return *p; },
                        [](std::string* p) -> ScalarValue { return *p; },
                        // Enums: the name at the enum's index.
                        [&](auto* p) -> ScalarValue { return spec.choices.at(static_cast<std::size_t>(*p)); },
                    },
                    field);
}

std::string kind_phrase(ParamKind kind) {
  switch (kind) {
    case ParamKind::real: return "a real number";
    case ParamKind::integer: return "an integer";
    case ParamKind::boolean: return "true or false";
    case ParamKind::choice: return "one of the names";
    case ParamKind::string: return "a string";
  }
  return "?";
}

// "2.5 (a real number)", "\"abc\" (a string)" for wrong-type messages.
std::string describe_given(const ScalarValue& v) {
  static constexpr std::array<const char*, 4> what = {"an integer", "a real number", "a boolean", "a string"};
  return format_scalar(v) + " (" + what[v.index()] + ")";
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", \"" : "\"") + names[i] + "\"";
  return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string_view last_component(std::string_view path) {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

CheckedValue rejected(std::string error) { return {std::nullopt, std::move(error)}; }

CheckedValue check_number(const ParamSpec& spec, double x, const ScalarValue& given) {
  if (std::isnan(x) || std::isinf(x))
    return rejected(format_scalar(given) + " is not allowed; use a finite number in " + spec.range.describe());
  if (!spec.range.contains(x)) {
    std::string error = format_scalar(given) + " is out of range; valid range is " + spec.range.describe();
    if (!spec.hint.empty()) error += " (" + spec.hint + ")";
    return rejected(std::move(error));
  }
  return {};
}

CheckedValue check_real(const ParamSpec& spec, const ScalarValue& value) {
  double x = 0;
  if (const auto* d = std::get_if<double>(&value))
    x = *d;
  else if (const auto* n = std::get_if<std::int64_t>(&value))
    x = static_cast<double>(*n);  // TOML writes 1 for 1.0; accept it
  else
    return rejected("expected a real number, got " + describe_given(value));
  CheckedValue c = check_number(spec, x, value);
  if (c.error.empty()) c.value = x;
  return c;
}

CheckedValue check_integer(const ParamSpec& spec, const ScalarValue& value) {
  std::int64_t n = 0;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    n = *i;
  } else if (const auto* d = std::get_if<double>(&value)) {
    // 3.0 is accepted (sweep tools produce reals); 2.5, nan and inf are not integers.
    if (!std::isfinite(*d) || std::trunc(*d) != *d || std::fabs(*d) >= 9.2e18)
      return rejected("expected an integer, got " + describe_given(value) + "; write a whole number");
    n = static_cast<std::int64_t>(*d);
  } else {
    return rejected("expected an integer, got " + describe_given(value));
  }
  CheckedValue c = check_number(spec, static_cast<double>(n), value);
  if (c.error.empty()) c.value = n;
  return c;
}

CheckedValue check_choice(const ParamSpec& spec, const ScalarValue& value) {
  const auto* s = std::get_if<std::string>(&value);
  if (!s) return rejected("expected one of " + quoted_list(spec.choices) + ", got " + describe_given(value));
  if (std::find(spec.choices.begin(), spec.choices.end(), *s) != spec.choices.end()) return {*s, ""};
  std::string error = "unknown value \"" + *s + "\"";
  if (const std::string near = closest_match(*s, spec.choices); !near.empty())
    error += "; did you mean \"" + near + "\"?";
  return rejected(error + " (expected one of " + quoted_list(spec.choices) + ")");
}

// ---- markdown -------------------------------------------------------------------------

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string default_cell(const ParamSpec& s) {
  if (!s.default_value) return s.default_text;
  return "`" + format_scalar(*s.default_value) + "`";
}

std::string range_cell(const ParamSpec& s) {
  switch (s.kind) {
    case ParamKind::real:
    case ParamKind::integer: return s.range.describe();
    case ParamKind::boolean: return "`true`, `false`";
    case ParamKind::choice: {
      std::string r;
      for (std::size_t i = 0; i < s.choices.size(); ++i) r += (i ? ", `\"" : "`\"") + s.choices[i] + "\"`";
      return r;
    }
    case ParamKind::string: return "any string";
  }
  return "";
}

std::string unit_cell(const ParamSpec& s) { return s.unit.empty() ? "-" : s.unit; }

const char* kTableHeader =
    "| %s | default | unit | range | description | source |\n"
    "|---|---|---|---|---|---|\n";

std::string table_header(const std::string& first_column) {
  char buf[256];
  std::snprintf(buf, sizeof buf, kTableHeader, first_column.c_str());
  return buf;
}

// One row; `anchor` is the HTML id docs/MODEL.md links to, `label` the name shown.
std::string markdown_row(const ParamSpec& s, const std::string& anchor, const std::string& label) {
  return "| <a id=\"" + anchor + "\"></a>`" + label + "` | " + cell(default_cell(s)) + " | " + cell(unit_cell(s)) +
         " | " + cell(range_cell(s)) + " | " + cell(s.description) + " | " + cell(s.source) + " |\n";
}

std::string table_of(const std::string& path) { return path.substr(0, path.rfind('.')); }

std::string parameter_sections() {
  std::string out, current;
  for (const ParamSpec& s : parameter_table()) {
    const std::string table = table_of(s.path);
    if (table != current) {
      out += "\n## `[" + table + "]`\n\n" + table_header("path");
      current = table;
    }
    out += markdown_row(s, s.path, s.path);
  }
  return out;
}

const char* intervention_summary(InterventionType type) {
  switch (type) {
    case InterventionType::foundation_public_support:
      return "Foundations give more to the public sector: sets `foundation.public_share` and optionally "
             "`foundation.public_channel`.";
    case InterventionType::membership_dissemination:
      return "A membership association disseminates a toolkit to governments.";
    case InterventionType::graduate_programs:
      return "Each government hires trained graduates with probability 1 - exp(-rate / ticks_per_year) per tick.";
    case InterventionType::knowledge_mobilization:
      return "Openly available academic resources speed toolkit diffusion in every client sector and make it "
             "more useful.";
    case InterventionType::budget_change:
      return "Scales a client sector's support share or budget while active (a cut, an increase, a recession).";
    case InterventionType::compliance_toolkit:
      return "Resources that address public-sector compliance: raises some providers' public_focus.";
  }
  return "";
}

std::string intervention_sections() {
  std::string out =
      "\n## Interventions: `[[intervention]]`\n\n"
      "Each `[[intervention]]` table switches on one intervention of MODEL.md 7.7 for the ticks t with "
      "start_year <= t / ticks_per_year < end_year. `--set` and sweeps address a key as "
      "`intervention.K.key`, K being the table's index in the file (0 first); `type` cannot be changed that "
      "way. When two active interventions set the same parameter the later table wins; the `p_extra` of "
      "`membership_dissemination` and `knowledge_mobilization` add. start_year must not exceed end_year.\n\n"
      "### Keys of every type\n\n" +
      table_header("key");
  for (const ParamSpec& k : intervention_common_keys()) out += markdown_row(k, "intervention." + k.path, k.path);
  for (int i = 0; i < kInterventionTypeCount; ++i) {
    const auto type = static_cast<InterventionType>(i);
    const std::string name(intervention_type_name(type));
    out += "\n### `" + name + "`\n\n" + intervention_summary(type) + "\n\n" + table_header("key");
    for (const ParamSpec& k : intervention_keys(type))
      out += markdown_row(k, "intervention." + name + "." + k.path, k.path);
  }
  return out;
}

std::string other_sections() {
  return "\n## `[sweep]`\n\n"
         "Varies parameters by dotted path; not part of the resolved parameters written to output files.\n\n"
         "| key | default | range | description |\n"
         "|---|---|---|---|\n"
         "| <a id=\"sweep.method\"></a>`method` | `\"grid\"` | `\"grid\"`, `\"zip\"`, `\"lhs\"` | Cartesian "
         "product of the lists, parallel lists of equal length, or a Latin hypercube over [low, high] ranges. |\n"
         "| <a id=\"sweep.replicates\"></a>`replicates` | `1` | [1, ∞) | Runs per sweep point, each with its own "
         "seed derived from (scenario seed, point, replicate). |\n"
         "| <a id=\"sweep.samples\"></a>`samples` | required for lhs | [1, ∞) | Number of Latin hypercube points "
         "(lhs only). |\n"
         "| <a id=\"sweep.seed\"></a>`seed` | `0` | [0, ∞) | Seed of the Latin hypercube design (lhs only). |\n"
         "| <a id=\"sweep.parameters\"></a>`parameters` | empty | table | Quoted dotted path = list of values "
         "(grid, zip) or `[low, high]` of a real or integer parameter (lhs), e.g. `\"foundation.public_share\" = "
         "[0.0, 0.1, 0.2]`. |\n"
         "\n## `[scenario]`\n\n"
         "| key | default | range | description |\n"
         "|---|---|---|---|\n"
         "| <a id=\"scenario.description\"></a>`description` | `\"\"` | any string | What the scenario is for; "
         "the scenario's name is the file name without extension. |\n";
}

}  // namespace

// ---- public interface -------------------------------------------------------------------

bool ValueRange::contains(double x) const {
  const bool lo_ok = lo_open ? x > lo : x >= lo;
  const bool hi_ok = hi_open ? x < hi : x <= hi;
  return lo_ok && hi_ok;
}

std::string ValueRange::describe() const {
  const bool lo_inf = std::isinf(lo), hi_inf = std::isinf(hi);
  if (lo_inf && hi_inf) return "any real";
  auto number = [](double x) {
    std::string s = format_real(x);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);  // [0, 1], not [0.0, 1.0]
    return s;
  };
  const std::string left = lo_inf ? "(-∞" : (lo_open ? "(" : "[") + number(lo);
  const std::string right = hi_inf ? "∞)" : number(hi) + (hi_open ? ")" : "]");
  return left + ", " + right;
}

const std::vector<ParamSpec>& parameter_table() {
  static const std::vector<ParamSpec> table = build_parameter_table();
  return table;
}

std::vector<std::string> parameter_paths() {
  std::vector<std::string> paths;
  for (const ParamSpec& s : parameter_table()) paths.push_back(s.path);
  return paths;
}

const ParamSpec* find_parameter(std::string_view path) {
  for (const ParamSpec& s : parameter_table())
    if (s.path == path) return &s;
  return nullptr;
}

std::vector<std::string> parameter_tables() {
  std::vector<std::string> tables;
  for (const ParamSpec& s : parameter_table()) {
    for (auto dot = s.path.find('.'); dot != std::string::npos; dot = s.path.find('.', dot + 1)) {
      std::string prefix = s.path.substr(0, dot);
      if (std::find(tables.begin(), tables.end(), prefix) == tables.end()) tables.push_back(std::move(prefix));
    }
  }
  return tables;
}

Params default_params() {
  static const Params defaults = [] {
    Params p;
    for (const ParamSpec& s : parameter_table()) store_value(s.field(p), s, *s.default_value);
    return p;
  }();
  return defaults;
}

ScalarValue parameter_value(const Params& params, const ParamSpec& spec) {
  // The accessor takes a mutable Params to serve writers too; reading through it is safe.
  return read_field(spec.field(const_cast<Params&>(params)), spec);
}

const std::vector<ParamSpec>& intervention_common_keys() {
  static const std::vector<ParamSpec> keys = build_common_keys();
  return keys;
}

const std::vector<ParamSpec>& intervention_keys(InterventionType type) {
  return all_type_keys().at(static_cast<std::size_t>(type));
}

const ParamSpec* find_intervention_key(InterventionType type, std::string_view key) {
  for (const ParamSpec& k : intervention_common_keys())
    if (k.path == key) return &k;
  for (const ParamSpec& k : intervention_keys(type))
    if (k.path == key) return &k;
  return nullptr;
}

std::optional<InterventionType> intervention_type_from_name(std::string_view name) {
  for (int i = 0; i < kInterventionTypeCount; ++i)
    if (name == kInterventionTypeNames[i]) return static_cast<InterventionType>(i);
  return std::nullopt;
}

std::string_view intervention_type_name(InterventionType type) {
  return kInterventionTypeNames.at(static_cast<std::size_t>(type));
}

Intervention default_intervention(InterventionType type, double horizon_years) {
  Intervention iv;
  iv.type = type;
  iv.start_year = 0;
  iv.end_year = horizon_years;
  for (const ParamSpec& k : intervention_keys(type))
    if (k.default_value) store_value(k.intervention_field(iv), k, *k.default_value);
  return iv;
}

ScalarValue intervention_value(const Intervention& intervention, const ParamSpec& key) {
  return read_field(key.intervention_field(const_cast<Intervention&>(intervention)), key);
}

CheckedValue check_value(const ParamSpec& spec, const ScalarValue& value) {
  switch (spec.kind) {
    case ParamKind::real: return check_real(spec, value);
    case ParamKind::integer: return check_integer(spec, value);
    case ParamKind::boolean:
      if (std::holds_alternative<bool>(value)) return {value, ""};
      return rejected("expected true or false, got " + describe_given(value));
    case ParamKind::choice: return check_choice(spec, value);
    case ParamKind::string:
      if (std::holds_alternative<std::string>(value)) return {value, ""};
      return rejected("expected a string, got " + describe_given(value) + "; quote it");
  }
  return rejected("expected " + kind_phrase(spec.kind));
}

void store_value(const FieldRef& field, const ParamSpec& spec, const ScalarValue& checked) {
  std::visit(overloaded{
                 [&](double* p) { *p = std::get<double>(checked); },
                 [&](std::int64_t* p) { *p = std::get<std::int64_t>(checked); },
                 [&](std::uint64_t* p) { *p = static_cast<std::uint64_t>(std::get<std::int64_t>(checked)); },
                 [&](bool* p) { *p = std::get<bool>(checked); },
                 [&](std::string* p) { *p = std::get<std::string>(checked); },
                 // Enums: the index of the name among the choices.
                 [&](auto* p) {
                   const auto& name = std::get<std::string>(checked);
                   const auto at = std::find(spec.choices.begin(), spec.choices.end(), name);
                   *p = static_cast<std::remove_pointer_t<decltype(p)>>(at - spec.choices.begin());
                 },
             },
             field);
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_score = std::string::npos;
  for (const std::string& c : candidates) {
    // A misplaced key (`years` at top level) matches on its last component.
    const std::size_t score =
        std::min(edit_distance(word, c), edit_distance(last_component(word), last_component(c)) + 1);
    if (score < best_score) {
      best_score = score;
      best = c;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
  return best_score <= allowed ? best : std::string();
}

std::string format_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  // The shortest of 15..17 significant digits that reads back exactly: 0.0003, not
  // 0.00029999999999999997, and still a lossless round trip.
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";  // TOML: a float needs . or e
  return s;
}

std::string format_scalar(const ScalarValue& v) {
  return std::visit(overloaded{
                        [](std::int64_t n) { return std::to_string(n); },
                        [](double x) { return format_real(x); },
                        [](bool b) { return std::string(b ? "true" : "false"); },
                        [](const std::string& s) {
                          std::string out = "\"";
                          for (char c : s) {
                            if (c == '"' || c == '\\') {
                              out += '\\';
                              out += c;
                            } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                              char esc[8];
                              std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
                              out += esc;
                            } else {
                              out += c;
                            }
                          }
                          return out + "\"";
                        },
                    },
                    v);
}

std::string parameters_markdown() {
  std::string out =
      "# Parameters\n\n"
      "This file is generated by `xsector params --markdown` from the parameter table in "
      "`sim/scenario/param_table.cpp`; do not edit it by hand.\n\n"
      "A scenario file (TOML) sets a parameter under its table, `--set path=value` overrides it, and "
      "`[sweep.parameters]` varies it by its dotted path. Ranges use [ ] for inclusive and ( ) for exclusive "
      "ends; a real parameter also accepts an integer; nan and inf are rejected. A unit of 1 means "
      "dimensionless. Sources: \"MODEL.md v1.1 §N\" is the model specification the code implements; "
      "\"assumption\" marks a stylised default that is not a calibrated estimate; the seed article is " +
      kArticleCitation + ".\n";
  out += parameter_sections();
  out += intervention_sections();
  out += other_sections();
  return out;
}

}  // namespace xsector
