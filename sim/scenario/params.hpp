#pragma once
// Every model parameter of MODEL.md section 10 as a plain value struct. Defaults live in
// the parameter table (param_rows.cpp), not here: a Params is only ever made by
// `default_params()` or by loading a scenario, so the table is the one source of truth.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/sector.hpp"

namespace xsector {

enum class Channel : int { grant = 0, voucher = 1 };

struct ClientSectorParams {
  double budget_median = 0, budget_sigma = 0;
  double support_share = 0;
  bool carryover = false;
  double capacity_alpha = 0, capacity_beta = 0;
  double mindset_alpha = 0, mindset_beta = 0;
  double compliance = 0;
  double toolkit_initial = 0;
  double diffusion_p = 0;
  double collab_rate = 0;  // lambda, initiations per year at mindset 1
  double turnover = 0;     // per year
};

struct SimulationParams {
  std::int64_t years = 0, ticks_per_year = 0;
  std::uint64_t seed = 0;
  std::int64_t replicates = 1;  // runs of `xsector run`, one seed each (a sweep has sweep.replicates)
};

struct PopulationParams {
  std::array<std::int64_t, kSectorCount> count{};  // indexed by Sector
  double scale = 1.0;
};

struct FoundationParams {
  double giving_median = 0, giving_sigma = 0;
  double capacity_share = 0, public_share = 0;
  Channel public_channel = Channel::grant;
  double voucher_rate = 0;
};

struct ProviderParams {
  double price_median = 0, price_sigma = 0;
  double quality_alpha = 0, quality_beta = 0;
  double focus_alpha = 0, focus_beta = 0;
  std::int64_t slots = 0;
  double adaptation = 0;
};

struct NetworkParams {
  std::array<double, kSectorCount> mean_degree{};  // indexed by Sector
  double homophily = 0;
  double initial_trust = 0;
  std::string file;  // empty: generate the stochastic block model
};

struct DiffusionParams {
  double q = 0, capacity_gain = 0;
};

struct CollabParams {
  std::int64_t max_active = 0, partners = 0, ticks_per_stage = 0;
  double value = 0;
  double beta0 = 0, beta_capacity = 0, beta_trust = 0, beta_compliance = 0, beta_support = 0;
  double trust_step = 0, learning = 0;
};

struct MarketParams {
  double need_threshold = 0, need_mindset = 0;
  std::int64_t visible = 0, rounds = 0;
  double public_bonus = 0, gain = 0, mindset_gain = 0;
};

struct OutputParams {
  bool snapshots = false;
};

struct Params {
  SimulationParams simulation;
  PopulationParams population;
  std::array<ClientSectorParams, kClientSectorCount> sector;  // indexed by Sector
  FoundationParams foundation;
  ProviderParams provider;
  NetworkParams network;
  DiffusionParams diffusion;
  CollabParams collab;
  MarketParams market;
  OutputParams output;
};

// MODEL.md 7.7. One struct holds the keys of every type; `type` says which apply.
enum class InterventionType : int {
  foundation_public_support,
  membership_dissemination,
  graduate_programs,
  knowledge_mobilization,
  budget_change,
  compliance_toolkit,
};
inline constexpr int kInterventionTypeCount = 6;
inline constexpr std::array<const char*, kInterventionTypeCount> kInterventionTypeNames = {
    "foundation_public_support", "membership_dissemination", "graduate_programs",
    "knowledge_mobilization",    "budget_change",            "compliance_toolkit"};

enum class BudgetTarget : int { support_share = 0, budget = 1 };

struct Intervention {
  InterventionType type = InterventionType::foundation_public_support;
  double start_year = 0, end_year = 0;  // active while start_year <= t / ticks_per_year < end_year
  // foundation_public_support
  double public_share = 0;
  bool sets_channel = false;
  Channel public_channel = Channel::grant;
  // membership_dissemination, knowledge_mobilization
  double p_extra = 0;
  // graduate_programs
  double rate = 0, capacity_gain = 0, mindset_gain = 0;
  // knowledge_mobilization
  double boost = 0;
  // budget_change
  Sector sector = Sector::government;
  BudgetTarget target = BudgetTarget::support_share;
  double factor = 1.0;
  // compliance_toolkit
  double level = 0, share = 0;
};

}  // namespace xsector
