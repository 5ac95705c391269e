// Interventions (MODEL.md 7.7, 11.11): when a table is active, how overlapping tables
// combine in the TickPolicy that `policy_at` resolves, and what each of the six types does
// to the phase it acts on, on small hand-built worlds where the effect can be computed by
// hand.
//
// - InterventionWindow: start_year <= t / ticks_per_year < end_year, fractional years,
//   end at the horizon, the scenario reader's defaults (start 0, end simulation.years).
// - InterventionOverlap: the later active table replaces the earlier for the same
//   parameter (budget_change factors do not multiply; a table that sets no channel leaves
//   an earlier channel alone), while p_extra values add.
// - InterventionEffect: each type in isolation on funding, diffusion, learning or market.
// - InterventionOutsideWindow: the same phases run outside the window equal the base.
// - InterventionEffects: the overlap table (intervention_effects.hpp) names real keys and
//   covers every key that changes something.
//
// Expectations come from the spec and hand computation. Statistical tests count Bernoulli
// outcomes of independent agents (Binomial(n, p)) and allow 5 standard deviations
// sqrt(n p (1 - p)), a false alarm rate below 1e-6 per check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario/interventions.hpp"
#include "model_fixtures.hpp"
#include "scenario/intervention_effects.hpp"
#include "scenario/param_table.hpp"
#include "scenario/scenario.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

constexpr int gov = index_of(Sector::government), bus = index_of(Sector::business), npo = index_of(Sector::nonprofit);

// An intervention of `type` active in [start, end) years, every own key zero: each test
// sets the keys it needs, so nothing comes from defaults it does not see.
Intervention make(InterventionType type, double start = 0, double end = 10) {
  Intervention iv;
  iv.type = type;
  iv.start_year = start;
  iv.end_year = end;
  return iv;
}

Intervention budget_change(Sector sector, BudgetTarget target, double factor, double start = 0, double end = 10) {
  Intervention iv = make(InterventionType::budget_change, start, end);
  iv.sector = sector;
  iv.target = target;
  iv.factor = factor;
  return iv;
}

Intervention public_support(double share, double start = 0, double end = 10) {
  Intervention iv = make(InterventionType::foundation_public_support, start, end);
  iv.public_share = share;
  return iv;
}

Intervention public_support(double share, Channel channel, double start = 0, double end = 10) {
  Intervention iv = public_support(share, start, end);
  iv.sets_channel = true;
  iv.public_channel = channel;
  return iv;
}

Intervention p_extra(InterventionType type, double extra, double start = 0, double end = 10) {
  Intervention iv = make(type, start, end);
  iv.p_extra = extra;
  return iv;
}

Intervention knowledge(double extra, double boost, double start = 0, double end = 10) {
  Intervention iv = p_extra(InterventionType::knowledge_mobilization, extra, start, end);
  iv.boost = boost;
  return iv;
}

Intervention graduates(double rate, double capacity_gain, double mindset_gain, double start = 0, double end = 10) {
  Intervention iv = make(InterventionType::graduate_programs, start, end);
  iv.rate = rate;
  iv.capacity_gain = capacity_gain;
  iv.mindset_gain = mindset_gain;
  return iv;
}

Intervention compliance(double level, double share, double start = 0, double end = 10) {
  Intervention iv = make(InterventionType::compliance_toolkit, start, end);
  iv.level = level;
  iv.share = share;
  return iv;
}

Scenario with(Scenario s, std::vector<Intervention> ivs) {
  s.interventions = std::move(ivs);
  return s;
}

TickPolicy policy(const Scenario& s, std::int64_t tick, std::size_t providers = 0) {
  return policy_at(s.params, s.interventions, tick, providers);
}

// The ticks of the whole horizon in which `iv` is active.
std::vector<std::int64_t> active_ticks(const Intervention& iv, std::int64_t tpy, std::int64_t years) {
  std::vector<std::int64_t> ticks;
  for (std::int64_t t = 0; t < tpy * years; ++t)
    if (is_active(iv, t, tpy)) ticks.push_back(t);
  return ticks;
}

// Every field of two policies, exactly: outside its window a table must leave no trace.
void expect_same_policy(const TickPolicy& a, const TickPolicy& b, const std::string& where) {
  for (int s = 0; s < kClientSectorCount; ++s) {
    EXPECT_EQ(a.support_share[s], b.support_share[s]) << where;
    EXPECT_EQ(a.budget_factor[s], b.budget_factor[s]) << where;
    EXPECT_EQ(a.diffusion_p[s], b.diffusion_p[s]) << where;
  }
  EXPECT_EQ(a.public_share, b.public_share) << where;
  EXPECT_EQ(a.public_channel, b.public_channel) << where;
  EXPECT_EQ(a.toolkit_capacity_gain, b.toolkit_capacity_gain) << where;
  EXPECT_EQ(a.graduates, b.graduates) << where;
  EXPECT_EQ(a.graduate_rate, b.graduate_rate) << where;
  EXPECT_EQ(a.graduate_capacity_gain, b.graduate_capacity_gain) << where;
  EXPECT_EQ(a.graduate_mindset_gain, b.graduate_mindset_gain) << where;
  EXPECT_EQ(a.compliance_providers, b.compliance_providers) << where;
  EXPECT_EQ(a.compliance_level, b.compliance_level) << where;
}

// A count of n independent Bernoulli(p) outcomes is Binomial(n, p): within 5 standard
// deviations of n p (the normal approximation holds, n p (1 - p) is in the hundreds).
void expect_binomial(std::int64_t count, std::int64_t n, double p, const std::string& what) {
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(static_cast<double>(n) * p * (1.0 - p));
  EXPECT_NEAR(static_cast<double>(count), mean, 5.0 * sd) << what << ": Binomial(" << n << ", " << p << ")";
}

// ---- funding world ----------------------------------------------------------------------
// Node 0 and 1 governments, 2 business, 3 nonprofit, 4 foundation tied to 0, 1 and 3.
// Per tick (ticks_per_year 4): government allocation 0.0003 × 4e6 / 4 = 300, business
// 0.002 × 1e6 / 4 = 500, nonprofit 0.003 × 1e6 / 4 = 750; the foundation's capacity money
// is 400000 / 4 × 0.1 = 10000, of which public_share goes to the public sector.
constexpr double kGovAllocation = 300, kBusAllocation = 500, kNpoAllocation = 750, kCapacityMoney = 10000;

HandWorld funding_world(Scenario s) {
  s.params.foundation.capacity_share = 0.1;
  HandWorld w(std::move(s),
              {Sector::government, Sector::government, Sector::business, Sector::nonprofit, Sector::foundation},
              {{0, 4}, {1, 4}, {3, 4}});
  auto& c = w->agents.clients;
  c.budget[0] = c.budget[1] = 4.0e6;
  c.budget[2] = c.budget[3] = 1.0e6;
  w->agents.foundations.giving[0] = 400000;
  return w;
}

// Each client's W gain in one funding phase at `tick` (fresh world: W starts at 0).
struct FundingResult {
  std::vector<double> funds;
  double pool;
  TickFlows flows;
};

FundingResult fund_once(const Scenario& s, std::int64_t tick) {
  HandWorld w = funding_world(s);
  FundingResult r;
  run_funding(*w, w.context(tick), r.flows);
  w->ledger.check(w->funds_held(), w->voucher_pool, tick, "funding");
  r.funds = w->agents.clients.funds;
  r.pool = w->voucher_pool;
  return r;
}

// ---- diffusion world --------------------------------------------------------------------
// n isolated clients of each client sector (0..n-1 governments, then businesses, then
// nonprofits): no neighbours, so f = 0 and q does not matter (it is set high to show it).
constexpr NodeId kIsolated = 20000;

HandWorld isolated_clients(Scenario s, double base_p) {
  for (auto& sp : s.params.sector) sp.diffusion_p = base_p;
  s.params.diffusion.q = 5.0;
  std::vector<Sector> sectors;
  for (Sector sector : {Sector::government, Sector::business, Sector::nonprofit})
    sectors.insert(sectors.end(), kIsolated, sector);
  HandWorld w(std::move(s), sectors, {});
  for (NodeId v : w->agents.clients.ids) w->agents.clients.capacity[v] = 0.5;
  return w;
}

// Adopters per client sector after one diffusion phase at `tick`.
std::array<std::int64_t, kClientSectorCount> adopters_after_one_tick(const Scenario& s, double base_p,
                                                                     std::int64_t tick = 0) {
  HandWorld w = isolated_clients(s, base_p);
  run_diffusion(*w, w.context(tick));
  std::array<std::int64_t, kClientSectorCount> count{};
  const auto& c = w->agents.clients;
  for (NodeId v : c.ids) count[index_of(w->network.sector(v))] += c.toolkit[v];
  return count;
}

// ---- market world -----------------------------------------------------------------------
// n governments (0..n-1), each tied to its own provider (node n + i) and to no other:
// market.visible 0, so each can buy only from its provider, and each provider has one
// bidder, so the public bonus and slots play no part. Every government wants an engagement
// (c 0.1 < 0.3, m 0.9 >= 0.5) and can pay the price 15000 (price_sigma 0).
HandWorld one_provider_each(Scenario s, NodeId n, double quality, double focus) {
  s.params.market.visible = 0;
  std::vector<Sector> sectors(n, Sector::government);
  sectors.insert(sectors.end(), n, Sector::provider);
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId v = 0; v < n; ++v) ties.emplace_back(v, n + v);
  HandWorld w(std::move(s), sectors, ties);
  auto& c = w->agents.clients;
  for (NodeId v = 0; v < n; ++v) {
    c.capacity[v] = 0.1;
    c.mindset[v] = 0.9;
    c.funds[v] = 20000;
    w->ledger.allocated += 20000;
  }
  auto& pr = w->agents.providers;
  for (std::size_t j = 0; j < pr.size(); ++j) {
    pr.quality[j] = quality;
    pr.focus[j] = focus;
  }
  return w;
}

// MODEL.md 7.4: capacity after one engagement, c + q × fit × gain × (1 − c), with
// fit = 1 − k (1 − a) and market.gain 0.15.
double after_engagement(double c, double q, double k, double a) {
  return c + q * (1.0 - k * (1.0 - a)) * 0.15 * (1.0 - c);
}

}  // namespace

// ======================================================================================
// Windows
// ======================================================================================

// start 0.5, end 1.25 at 4 ticks a year: t / 4 in [0.5, 1.25) holds for t = 2, 3, 4 only;
// t = 1 (0.25) is before the start, t = 5 (1.25) is the excluded end.
TEST(InterventionWindow, FractionalYearsCoverExactlyTheirTicks) {
  const Intervention iv = p_extra(InterventionType::membership_dissemination, 0.02, 0.5, 1.25);
  EXPECT_EQ(active_ticks(iv, 4, 10), (std::vector<std::int64_t>{2, 3, 4}));
  // Through policy_at too: the government's p is base + p_extra exactly in those ticks.
  Scenario s = with(quiet_scenario(), {iv});
  s.params.sector[gov].diffusion_p = 0.01;
  for (std::int64_t t = 0; t < 8; ++t) {
    const bool in = t >= 2 && t <= 4;
    EXPECT_EQ(policy(s, t).diffusion_p[gov], in ? 0.01 + 0.02 : 0.01) << "tick " << t;
  }
}

// Other ticks per year, with boundaries that are exact multiples of a tick: t / tpy is
// compared with the year, so a start at 0.3 years with 10 ticks a year includes t = 3.
TEST(InterventionWindow, BoundariesAtOtherTicksPerYear) {
  const Intervention tenths = make(InterventionType::graduate_programs, 0.3, 0.7);
  EXPECT_EQ(active_ticks(tenths, 10, 2), (std::vector<std::int64_t>{3, 4, 5, 6}));
  const Intervention months = make(InterventionType::graduate_programs, 0.25, 0.5);
  EXPECT_EQ(active_ticks(months, 12, 2), (std::vector<std::int64_t>{3, 4, 5}));
  const Intervention years = make(InterventionType::graduate_programs, 1, 2);
  EXPECT_EQ(active_ticks(years, 1, 5), (std::vector<std::int64_t>{1}));
}

// end_year = simulation.years: active through the last tick (t = years × tpy − 1); an
// empty window (start = end) is never active.
TEST(InterventionWindow, EndAtHorizonIncludesTheLastTickAndEmptyWindowsNothing) {
  const Intervention whole = make(InterventionType::graduate_programs, 0, 10);
  const auto ticks = active_ticks(whole, 4, 10);
  ASSERT_EQ(ticks.size(), 40u);
  EXPECT_EQ(ticks.front(), 0);
  EXPECT_EQ(ticks.back(), 39);
  const Intervention last_quarter = make(InterventionType::graduate_programs, 9.75, 10);
  EXPECT_EQ(active_ticks(last_quarter, 4, 10), (std::vector<std::int64_t>{39}));
  EXPECT_TRUE(active_ticks(make(InterventionType::graduate_programs, 0.5, 0.5), 4, 10).empty());
  EXPECT_TRUE(active_ticks(make(InterventionType::graduate_programs, 10, 10), 4, 10).empty());
}

// MODEL.md 11.11: start_year defaults to 0 and end_year to the horizon, also when the
// horizon is set after the table (later in the file, or by --set).
TEST(InterventionWindow, ScenarioDefaultsRunFromZeroToTheHorizon) {
  const std::string table = "[[intervention]]\ntype = \"membership_dissemination\"\n";
  const std::string horizon = "[simulation]\nyears = 3\nticks_per_year = 4\n";
  for (const std::string& text : {horizon + table, table + horizon}) {
    const Scenario s = parse_scenario(text, "defaults.toml");
    ASSERT_EQ(s.interventions.size(), 1u);
    EXPECT_EQ(s.interventions[0].start_year, 0.0);
    EXPECT_EQ(s.interventions[0].end_year, 3.0);
    EXPECT_EQ(active_ticks(s.interventions[0], 4, 3).size(), 12u) << "every tick of the run";
  }
  const Scenario longer = parse_scenario(horizon + table, "defaults.toml", {"simulation.years=5"});
  EXPECT_EQ(longer.interventions[0].end_year, 5.0);
  EXPECT_TRUE(is_active(longer.interventions[0], 19, 4));  // the last tick of 5 years
  // An explicit end_year does not follow the horizon.
  const Scenario fixed = parse_scenario(horizon + table + "end_year = 2\n", "fixed.toml", {"simulation.years=5"});
  EXPECT_EQ(fixed.interventions[0].end_year, 2.0);
  EXPECT_FALSE(is_active(fixed.interventions[0], 8, 4));
}

// ======================================================================================
// Overlapping tables
// ======================================================================================

// Two foundation_public_support tables active at once: the later's public_share. A later
// table that gives no public_channel does not set the channel (code: `sets_channel`
// false), so an earlier table's channel stays; this is MODEL.md 11.11's "for the same
// parameter the later active table replaces the earlier": the later table does not set
// that parameter.
TEST(InterventionOverlap, LaterFoundationPublicSupportWinsPerParameter) {
  const Scenario base = quiet_scenario();  // public_share 0.05, channel grant
  const Intervention voucher_half = public_support(0.5, Channel::voucher);
  const Intervention fifth = public_support(0.2);  // no channel
  const Intervention grant_tenth = public_support(0.1, Channel::grant);

  TickPolicy p = policy(with(base, {voucher_half, fifth}), 0);
  EXPECT_EQ(p.public_share, 0.2);
  EXPECT_EQ(p.public_channel, Channel::voucher);  // not reset by the later table

  p = policy(with(base, {fifth, voucher_half}), 0);  // order reversed
  EXPECT_EQ(p.public_share, 0.5);
  EXPECT_EQ(p.public_channel, Channel::voucher);

  p = policy(with(base, {voucher_half, grant_tenth}), 0);
  EXPECT_EQ(p.public_share, 0.1);
  EXPECT_EQ(p.public_channel, Channel::grant);

  // The later table's window has ended: the earlier one alone is in force.
  Intervention fifth_first_year = public_support(0.2, 0, 1);
  p = policy(with(base, {voucher_half, fifth_first_year}), 4);
  EXPECT_EQ(p.public_share, 0.5);

  // In funding: 10000 capacity money × 0.2 into the voucher pool, none to governments.
  const FundingResult r = fund_once(with(base, {voucher_half, fifth}), 0);
  EXPECT_DOUBLE_EQ(r.pool, kCapacityMoney * 0.2);
  EXPECT_DOUBLE_EQ(r.funds[0], kGovAllocation);
  EXPECT_DOUBLE_EQ(r.funds[3], kNpoAllocation + kCapacityMoney * 0.8);
}

// The scenario reader sets `sets_channel` exactly when the table gives public_channel, so
// the same rule holds for tables written in a file.
TEST(InterventionOverlap, ChannelFromAFileTableSurvivesALaterTableWithoutOne) {
  const Scenario s = parse_scenario(
      "[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.5\npublic_channel = \"voucher\"\n"
      "[[intervention]]\ntype = \"foundation_public_support\"\npublic_share = 0.2\n",
      "channels.toml");
  ASSERT_EQ(s.interventions.size(), 2u);
  EXPECT_TRUE(s.interventions[0].sets_channel);
  EXPECT_FALSE(s.interventions[1].sets_channel);
  const TickPolicy p = policy(s, 0);
  EXPECT_EQ(p.public_share, 0.2);
  EXPECT_EQ(p.public_channel, Channel::voucher);
}

// budget_change: per (sector, target) the later factor replaces the earlier (0.5 then 0.25
// gives 0.25, not 0.125); tables on another target or another sector apply as well.
TEST(InterventionOverlap, LaterBudgetChangeReplacesPerSectorAndTarget) {
  const Scenario base = quiet_scenario();
  const double gov_share = base.params.sector[gov].support_share, bus_share = base.params.sector[bus].support_share;

  TickPolicy p = policy(with(base, {budget_change(Sector::government, BudgetTarget::support_share, 0.5),
                                    budget_change(Sector::government, BudgetTarget::support_share, 0.25)}),
                        0);
  EXPECT_DOUBLE_EQ(p.support_share[gov], gov_share * 0.25);
  EXPECT_EQ(p.budget_factor[gov], 1.0);

  p = policy(with(base, {budget_change(Sector::government, BudgetTarget::budget, 0.5),
                         budget_change(Sector::government, BudgetTarget::budget, 2.0)}),
             0);
  EXPECT_EQ(p.budget_factor[gov], 2.0);
  EXPECT_DOUBLE_EQ(p.support_share[gov], gov_share);

  // Different targets and sectors both apply.
  const Scenario mixed = with(base, {budget_change(Sector::government, BudgetTarget::support_share, 0.5),
                                     budget_change(Sector::government, BudgetTarget::budget, 0.5),
                                     budget_change(Sector::business, BudgetTarget::support_share, 2.0)});
  p = policy(mixed, 0);
  EXPECT_DOUBLE_EQ(p.support_share[gov], gov_share * 0.5);
  EXPECT_EQ(p.budget_factor[gov], 0.5);
  EXPECT_DOUBLE_EQ(p.support_share[bus], bus_share * 2.0);
  EXPECT_EQ(p.budget_factor[bus], 1.0);
  EXPECT_DOUBLE_EQ(p.support_share[npo], base.params.sector[npo].support_share);

  // In funding: the government gets a quarter of its allocation (both halvings), the
  // business twice its own, the nonprofit its own.
  const FundingResult r = fund_once(mixed, 0);
  EXPECT_DOUBLE_EQ(r.funds[0] - r.flows.grants_received[gov] / 2, kGovAllocation * 0.25);
  EXPECT_DOUBLE_EQ(r.funds[2], kBusAllocation * 2.0);

  // Replacing, in funding: two support_share factors 0.5 then 0.25 give 75, not 37.5.
  const FundingResult replaced =
      fund_once(with(base, {budget_change(Sector::government, BudgetTarget::support_share, 0.5),
                            budget_change(Sector::government, BudgetTarget::support_share, 0.25)}),
                0);
  EXPECT_DOUBLE_EQ(replaced.funds[0] - replaced.flows.grants_received[gov] / 2, kGovAllocation * 0.25);
}

// p_extra values add (MODEL.md 11.11): membership_dissemination adds to the government's
// p, knowledge_mobilization to every client sector's. Two membership_dissemination tables
// also add (the code adds every active p_extra; 11.11 says p_extra values add and makes no
// exception for two tables of one type).
TEST(InterventionOverlap, PExtrasAdd) {
  Scenario base = quiet_scenario();
  base.params.sector[gov].diffusion_p = 0.005;
  base.params.sector[bus].diffusion_p = 0.01;
  base.params.sector[npo].diffusion_p = 0.02;

  TickPolicy p =
      policy(with(base, {p_extra(InterventionType::membership_dissemination, 0.02), knowledge(0.005, 1.0)}), 0);
  EXPECT_DOUBLE_EQ(p.diffusion_p[gov], 0.005 + 0.02 + 0.005);
  EXPECT_DOUBLE_EQ(p.diffusion_p[bus], 0.01 + 0.005);
  EXPECT_DOUBLE_EQ(p.diffusion_p[npo], 0.02 + 0.005);

  p = policy(with(base, {p_extra(InterventionType::membership_dissemination, 0.02),
                         p_extra(InterventionType::membership_dissemination, 0.03)}),
             0);
  EXPECT_DOUBLE_EQ(p.diffusion_p[gov], 0.005 + 0.02 + 0.03);
  EXPECT_DOUBLE_EQ(p.diffusion_p[bus], 0.01);

  // Two knowledge_mobilization tables: p_extras add, the boost is the later one's
  // (docs/MODEL.md section 8, item 8: overlapping boosts do not compound).
  p = policy(with(base, {knowledge(0.005, 1.0), knowledge(0.001, 0.5)}), 0);
  EXPECT_DOUBLE_EQ(p.diffusion_p[bus], 0.01 + 0.006);
  EXPECT_DOUBLE_EQ(p.toolkit_capacity_gain, base.params.diffusion.capacity_gain * 1.5);
}

// graduate_programs and compliance_toolkit: the later table's values, not a mixture.
TEST(InterventionOverlap, LaterGraduateAndComplianceTablesReplace) {
  const Scenario base = quiet_scenario();
  TickPolicy p = policy(with(base, {graduates(1.0, 0.1, 0.1), graduates(2.0, 0.3, 0.2)}), 0);
  EXPECT_TRUE(p.graduates);
  EXPECT_EQ(p.graduate_rate, 2.0);
  EXPECT_EQ(p.graduate_capacity_gain, 0.3);
  EXPECT_EQ(p.graduate_mindset_gain, 0.2);

  p = policy(with(base, {compliance(0.9, 1.0), compliance(0.6, 0.2)}), 0, 5);
  EXPECT_EQ(p.compliance_level, 0.6);
  EXPECT_EQ(p.compliance_providers, 1);  // 0.2 × 5
}

// ======================================================================================
// Effects, one intervention at a time
// ======================================================================================

// foundation_public_support, grant channel: each of the two government neighbours gains
// G / tpy × capacity_share × public_share / 2 = 400000 / 4 × 0.1 × 0.5 / 2 = 2500; the
// nonprofit gets the other half.
TEST(InterventionEffect, FoundationPublicSupportGrantGoesToGovernmentNeighbours) {
  const FundingResult base = fund_once(quiet_scenario(), 0);
  EXPECT_DOUBLE_EQ(base.funds[0], kGovAllocation + kCapacityMoney * 0.05 / 2);  // base share 0.05

  const FundingResult r = fund_once(with(quiet_scenario(), {public_support(0.5)}), 0);
  const double per_government = 400000.0 / 4 * 0.1 * 0.5 / 2;
  EXPECT_DOUBLE_EQ(r.funds[0], kGovAllocation + per_government);
  EXPECT_DOUBLE_EQ(r.funds[1], kGovAllocation + per_government);
  EXPECT_DOUBLE_EQ(r.funds[2], kBusAllocation);
  EXPECT_DOUBLE_EQ(r.funds[3], kNpoAllocation + kCapacityMoney * 0.5);
  EXPECT_DOUBLE_EQ(r.flows.grants_received[gov], 2 * per_government);
  EXPECT_DOUBLE_EQ(r.pool, 0.0);
}

// Voucher channel: the public part goes to the pool instead; governments get no grant.
TEST(InterventionEffect, FoundationPublicSupportVoucherFillsThePool) {
  const FundingResult r = fund_once(with(quiet_scenario(), {public_support(0.5, Channel::voucher)}), 0);
  EXPECT_DOUBLE_EQ(r.pool, kCapacityMoney * 0.5);
  EXPECT_DOUBLE_EQ(r.funds[0], kGovAllocation);
  EXPECT_DOUBLE_EQ(r.funds[1], kGovAllocation);
  EXPECT_DOUBLE_EQ(r.flows.grants_received[gov], 0.0);
  EXPECT_DOUBLE_EQ(r.funds[3], kNpoAllocation + kCapacityMoney * 0.5);
}

// MODEL.md 11.8: the pool keeps paying after the voucher intervention ends. The pool is
// filled at tick 0 only (window [0, 0.25)); at tick 1 a government with W = 10000 buys a
// 15000 engagement: the pool pays min(5000, 0.5 × 15000) = 5000, W the other 10000.
TEST(InterventionEffect, VoucherPoolKeepsPayingAfterTheInterventionEnds) {
  Scenario s = with(quiet_scenario(), {public_support(0.5, Channel::voucher, 0, 0.25)});
  s.params.sector[gov].support_share = 0;
  s.params.foundation.capacity_share = 0.1;
  s.params.market.visible = 0;
  HandWorld w(std::move(s), {Sector::government, Sector::provider, Sector::foundation}, {{0, 1}, {0, 2}});
  w->agents.foundations.giving[0] = 400000;
  auto& c = w->agents.clients;
  c.capacity[0] = 0.1;
  c.mindset[0] = 0.9;
  TickFlows f0;
  run_funding(*w, w.context(0), f0);
  EXPECT_DOUBLE_EQ(w->voucher_pool, 5000);
  c.funds[0] = 10000;
  w->ledger.allocated += 10000;
  TickFlows f1;
  const TickContext after = w.context(1);
  ASSERT_EQ(after.policy.public_channel, Channel::grant);  // the intervention has ended
  run_market(*w, after, f1);
  EXPECT_EQ(f1.engagements[gov], 1);
  EXPECT_DOUBLE_EQ(w->voucher_pool, 0);
  EXPECT_DOUBLE_EQ(c.funds[0], 0);
  w->ledger.check(w->funds_held(), w->voucher_pool, 1, "market");
}

// budget_change 0.5 on the government's support_share halves its allocation exactly; on
// target "budget" the same through B (and B itself is not overwritten: once the window
// [0, 0.5) ends at tick 2 the full allocation returns). Businesses are unaffected.
TEST(InterventionEffect, BudgetChangeScalesTheAllocationWhileActive) {
  const FundingResult base = fund_once(quiet_scenario(), 0);
  const double base_gain = base.funds[0];
  for (BudgetTarget target : {BudgetTarget::support_share, BudgetTarget::budget}) {
    const Scenario s = with(quiet_scenario(), {budget_change(Sector::government, target, 0.5, 0, 0.5)});
    const FundingResult r = fund_once(s, 0);
    const double grant = r.flows.grants_received[gov] / 2;
    EXPECT_DOUBLE_EQ(r.funds[0] - grant, 0.5 * (base_gain - grant)) << static_cast<int>(target);
    EXPECT_DOUBLE_EQ(r.funds[0] - grant, kGovAllocation * 0.5);
    EXPECT_DOUBLE_EQ(r.funds[2], kBusAllocation);
    EXPECT_DOUBLE_EQ(r.funds[3], base.funds[3]);

    HandWorld w = funding_world(s);
    for (std::int64_t t = 0; t < 3; ++t) {
      const double before = w->agents.clients.funds[0];
      TickFlows flows;
      run_funding(*w, w.context(t), flows);
      const double allocation = w->agents.clients.funds[0] - before - flows.grants_received[gov] / 2;
      EXPECT_DOUBLE_EQ(allocation, t < 2 ? 150.0 : 300.0) << "tick " << t;
    }
    EXPECT_EQ(w->agents.clients.budget[0], 4.0e6);
  }
}

// graduate_programs with rate 400 a year: hire probability 1 − e^{−100} = 1 in double
// arithmetic, so every government hires. Learning runs turnover first (MODEL.md 11.10):
// c = 0.5 + 0.03 (0.25 − 0.5) = 0.4925, then c += 0.1 (1 − c); m += 0.1 (1 − m).
TEST(InterventionEffect, GraduateHireAddsGainTimesRoomAfterTurnover) {
  HandWorld w(with(quiet_scenario(), {graduates(400, 0.1, 0.1)}), {Sector::government, Sector::business}, {});
  auto& c = w->agents.clients;
  c.capacity[0] = c.capacity[1] = 0.5;
  c.mindset[0] = c.mindset[1] = 0.4;
  run_learning(*w, w.context(0));
  const double turned = 0.5 + 0.12 / 4 * (0.25 - 0.5);
  EXPECT_DOUBLE_EQ(c.capacity[0], turned + 0.1 * (1 - turned));
  EXPECT_DOUBLE_EQ(c.mindset[0], 0.4 + 0.1 * 0.6);
  // Businesses hire no graduates: turnover only.
  EXPECT_DOUBLE_EQ(c.capacity[1], 0.5 + 0.10 / 4 * (3.0 / 7.0 - 0.5));
  EXPECT_DOUBLE_EQ(c.mindset[1], 0.4);
}

// The hire probability per tick is 1 − exp(−rate / tpy): at 12 ticks a year and rate 2.4,
// 1 − e^{−0.2}. Each hired government gains exactly capacity_gain × (1 − c) (turnover 0).
TEST(InterventionEffect, GraduateHiresFollowTheirRatePerTick) {
  Scenario s = with(quiet_scenario(), {graduates(2.4, 0.2, 0.1)});
  s.params.simulation.ticks_per_year = 12;
  for (auto& sp : s.params.sector) sp.turnover = 0;
  const NodeId n = 20000;
  HandWorld w(std::move(s), std::vector<Sector>(n, Sector::government), {});
  auto& c = w->agents.clients;
  for (NodeId v = 0; v < n; ++v) c.capacity[v] = 0.5;
  run_learning(*w, w.context(0));
  std::int64_t hired = 0;
  for (NodeId v = 0; v < n; ++v) {
    if (c.capacity[v] == 0.5) continue;
    ++hired;
    EXPECT_DOUBLE_EQ(c.capacity[v], 0.5 + 0.2 * 0.5) << "government " << v;
  }
  expect_binomial(hired, n, 1.0 - std::exp(-0.2), "graduate hires");
}

// membership_dissemination on isolated clients (f = 0): a government adopts with
// probability 1 − exp(−(p + p_extra)), a business with 1 − exp(−p).
TEST(InterventionEffect, MembershipDisseminationRaisesOnlyGovernmentAdoption) {
  const double p = 0.05;
  const auto base = adopters_after_one_tick(quiet_scenario(), p);
  const auto count =
      adopters_after_one_tick(with(quiet_scenario(), {p_extra(InterventionType::membership_dissemination, 0.2)}), p);
  expect_binomial(count[gov], kIsolated, 1.0 - std::exp(-(p + 0.2)), "governments with dissemination");
  expect_binomial(count[bus], kIsolated, 1.0 - std::exp(-p), "businesses");
  expect_binomial(count[npo], kIsolated, 1.0 - std::exp(-p), "nonprofits");
  expect_binomial(base[gov], kIsolated, 1.0 - std::exp(-p), "governments without");
}

// Two membership_dissemination tables plus knowledge_mobilization, all adding: governments
// 1 − exp(−(p + 0.1 + 0.05 + 0.05)), businesses and nonprofits 1 − exp(−(p + 0.05)).
// (If the second table replaced the first, governments would sit at 1 − e^{−0.25}, about
// 20 standard deviations away.)
TEST(InterventionEffect, PExtrasAddInDiffusion) {
  const double p = 0.05;
  const auto count = adopters_after_one_tick(
      with(quiet_scenario(), {p_extra(InterventionType::membership_dissemination, 0.1),
                              p_extra(InterventionType::membership_dissemination, 0.05), knowledge(0.05, 1.0)}),
      p);
  expect_binomial(count[gov], kIsolated, 1.0 - std::exp(-(p + 0.1 + 0.05 + 0.05)), "governments");
  expect_binomial(count[bus], kIsolated, 1.0 - std::exp(-(p + 0.05)), "businesses");
  expect_binomial(count[npo], kIsolated, 1.0 - std::exp(-(p + 0.05)), "nonprofits");
}

// knowledge_mobilization with boost 1.0 doubles the toolkit's capacity gain for an adopter
// of any sector (0.5 + 0.05 × 2), capped at 1; boost 0.5 gives 0.05 × 1.5. Adoption is
// made certain by p = 50 (1 − e^{−50} = 1 in double arithmetic).
TEST(InterventionEffect, KnowledgeMobilizationBoostsTheToolkitGain) {
  for (double boost : {1.0, 0.5}) {
    Scenario s = with(quiet_scenario(), {knowledge(0.005, boost)});
    for (auto& sp : s.params.sector) sp.diffusion_p = 50;
    s.params.diffusion.capacity_gain = 0.05;
    HandWorld w(std::move(s), {Sector::government, Sector::business, Sector::nonprofit, Sector::government}, {});
    auto& c = w->agents.clients;
    c.capacity[0] = c.capacity[1] = c.capacity[2] = 0.5;
    c.capacity[3] = 0.95;
    run_diffusion(*w, w.context(0));
    for (NodeId v = 0; v < 3; ++v) {
      EXPECT_EQ(c.toolkit[v], 1);
      EXPECT_DOUBLE_EQ(c.capacity[v], 0.5 + 0.05 * (1 + boost)) << "client " << v << ", boost " << boost;
    }
    EXPECT_DOUBLE_EQ(c.capacity[3], 1.0);  // capped
  }
}

// compliance_toolkit level 0.8, share 0.5 over 5 providers: round-half-up(2.5) = 3
// providers act with focus max(0.1, 0.8) = 0.8, the other 2 with their own 0.1. Each
// government buys from its own provider, so its capacity shows that provider's fit:
// c = 0.1 + q (1 − k (1 − a')) × 0.15 × 0.9.
TEST(InterventionEffect, ComplianceToolkitRaisesFocusOfRoundedShareOfProviders) {
  for (auto [share, raised] : {std::pair{0.5, 3}, std::pair{0.1, 1}, std::pair{1.0, 5}, std::pair{0.0, 0}}) {
    const NodeId n = 5;
    HandWorld w = one_provider_each(with(quiet_scenario(), {compliance(0.8, share)}), n, 0.8, 0.1);
    const double k = w->agents.clients.compliance[0];
    ASSERT_EQ(k, 0.7);  // the government default
    TickFlows flows;
    run_market(*w, w.context(0), flows);
    ASSERT_EQ(flows.engagements[gov], n);
    int at_level = 0, at_own = 0;
    for (NodeId v = 0; v < n; ++v) {
      const double cap = w->agents.clients.capacity[v];
      if (std::abs(cap - after_engagement(0.1, 0.8, k, 0.8)) < 1e-12)
        ++at_level;
      else if (std::abs(cap - after_engagement(0.1, 0.8, k, 0.1)) < 1e-12)
        ++at_own;
    }
    EXPECT_EQ(at_level, raised) << "share " << share;
    EXPECT_EQ(at_own, n - raised) << "share " << share;
    for (double a : w->agents.providers.focus) EXPECT_EQ(a, 0.1);  // the providers' own focus is kept
    w->ledger.check(w->funds_held(), w->voucher_pool, 0, "market");
  }
}

// a' = max(a, level): a provider already above the level keeps its own focus.
TEST(InterventionEffect, ComplianceToolkitNeverLowersFocus) {
  HandWorld w = one_provider_each(with(quiet_scenario(), {compliance(0.8, 1.0)}), 4, 0.8, 0.1);
  auto& pr = w->agents.providers;
  pr.focus = {0.1, 0.95, 0.1, 0.95};
  const double k = w->agents.clients.compliance[0];
  TickFlows flows;
  run_market(*w, w.context(0), flows);
  const auto& c = w->agents.clients;
  EXPECT_DOUBLE_EQ(c.capacity[0], after_engagement(0.1, 0.8, k, 0.8));
  EXPECT_DOUBLE_EQ(c.capacity[1], after_engagement(0.1, 0.8, k, 0.95));
  EXPECT_DOUBLE_EQ(c.capacity[2], after_engagement(0.1, 0.8, k, 0.8));
  EXPECT_DOUBLE_EQ(c.capacity[3], after_engagement(0.1, 0.8, k, 0.95));
}

// The raised focus also enters the ranking q × fit / P (MODEL.md 7.4). A government
// (k 0.7) reaches provider X (q 0.6, a 0.1: 0.6 × 0.37 = 0.222) and Y (q 0.5, a 0.8:
// 0.5 × 0.86 = 0.43), same price: it buys from Y. With every provider at focus >= 0.8,
// X scores 0.6 × 0.86 = 0.516 > 0.43: it buys from X.
TEST(InterventionEffect, ComplianceToolkitChangesWhichProviderAGovernmentPrefers) {
  for (bool toolkit : {false, true}) {
    Scenario s = quiet_scenario();
    if (toolkit) s.interventions = {compliance(0.8, 1.0)};
    s.params.market.visible = 0;
    HandWorld w(std::move(s), {Sector::government, Sector::provider, Sector::provider}, {{0, 1}, {0, 2}});
    auto& pr = w->agents.providers;
    pr.quality = {0.6, 0.5};
    pr.focus = {0.1, 0.8};
    auto& c = w->agents.clients;
    c.capacity[0] = 0.1;
    c.mindset[0] = 0.9;
    c.funds[0] = 20000;
    w->ledger.allocated += 20000;
    TickFlows flows;
    run_market(*w, w.context(0), flows);
    EXPECT_EQ(pr.year_engagements[0], toolkit ? 1 : 0) << "toolkit " << toolkit;
    EXPECT_EQ(pr.year_engagements[1], toolkit ? 0 : 1) << "toolkit " << toolkit;
  }
}

// ======================================================================================
// Outside the window
// ======================================================================================

namespace {

// Every intervention type at once, each with a value that bites, active in [1, 2) years.
std::vector<Intervention> all_in_year_one() {
  return {public_support(0.5, Channel::voucher, 1, 2),
          p_extra(InterventionType::membership_dissemination, 50, 1, 2),
          graduates(400, 0.1, 0.1, 1, 2),
          knowledge(0.005, 1.0, 1, 2),
          budget_change(Sector::government, BudgetTarget::support_share, 0.5, 1, 2),
          compliance(0.8, 1.0, 1, 2)};
}

// Node 0 government, 1 business, 2 nonprofit, 3 foundation (tied to 0 and 2), 4 provider
// (tied to 0 and 1). Governments never adopt by themselves (p 0); businesses always do
// (p 50), so the boost shows. Both clients want and can pay an engagement.
struct State {
  std::vector<double> funds, capacity, mindset;
  std::vector<std::uint8_t> toolkit;
  double pool;
  bool operator==(const State&) const = default;
};

State all_phases_at(const std::vector<Intervention>& ivs, std::int64_t tick) {
  Scenario s = with(quiet_scenario(), ivs);
  s.params.sector[bus].diffusion_p = 50;
  s.params.market.visible = 0;
  HandWorld w(std::move(s),
              {Sector::government, Sector::business, Sector::nonprofit, Sector::foundation, Sector::provider},
              {{0, 3}, {2, 3}, {0, 4}, {1, 4}});
  auto& c = w->agents.clients;
  c.budget[0] = 4.0e6;
  w->agents.providers.focus[0] = 0.1;
  for (NodeId v : {0u, 1u}) {
    c.capacity[v] = 0.1;
    c.mindset[v] = 0.9;
    c.funds[v] = 20000;
  }
  const TickContext ctx = w.context(tick);
  TickFlows flows;
  run_funding(*w, ctx, flows);
  run_diffusion(*w, ctx);
  run_market(*w, ctx, flows);
  run_learning(*w, ctx);
  return {c.funds, c.capacity, c.mindset, c.toolkit, w->voucher_pool};
}

}  // namespace

// Before the window (tick 3, year 0.75) and at its excluded end (tick 8, year 2) the
// policy and the state after funding, diffusion, market and learning equal the base.
// Inside (tick 4) they differ, so the world is one where the interventions bite.
TEST(InterventionOutsideWindow, PhasesOutsideTheWindowEqualTheBase) {
  const Scenario on = with(quiet_scenario(), all_in_year_one()), off = quiet_scenario();
  for (std::int64_t t : {0, 3, 8, 9}) {
    expect_same_policy(policy(on, t, 1), policy(off, t, 1), "tick " + std::to_string(t));
    EXPECT_TRUE(all_phases_at(on.interventions, t) == all_phases_at({}, t)) << "tick " << t;
  }
  const State inside = all_phases_at(on.interventions, 4), base = all_phases_at({}, 4);
  EXPECT_NE(inside.funds[0], base.funds[0]);        // budget_change
  EXPECT_NE(inside.pool, base.pool);                // foundation_public_support (voucher)
  EXPECT_NE(inside.toolkit[0], base.toolkit[0]);    // membership_dissemination
  EXPECT_NE(inside.capacity[1], base.capacity[1]);  // knowledge_mobilization boost, compliance fit
  EXPECT_NE(inside.mindset[0], base.mindset[0]);    // graduate_programs
}

// Every key of the overlap table is a key of its type, and every own key of a type either
// has a row there or selects what a row changes (budget_change's sector and target).
TEST(InterventionEffects, TableCoversEveryOwnKey) {
  for (const InterventionEffect& effect : kInterventionEffects) {
    EXPECT_NE(find_intervention_key(effect.type, effect.key), nullptr) << effect.key;
    for (std::string_view key : effect.same_when) {
      if (!key.empty()) {
        EXPECT_NE(find_intervention_key(effect.type, key), nullptr) << key;
      }
    }
  }
  for (int t = 0; t < kInterventionTypeCount; ++t) {
    const auto type = static_cast<InterventionType>(t);
    for (const ParamSpec& key : intervention_keys(type)) {
      bool listed = false;
      for (const InterventionEffect& effect : kInterventionEffects)
        if (effect.type == type && (effect.key == key.path || effect.same_when[0] == key.path ||
                                    effect.same_when[1] == key.path))
          listed = true;
      EXPECT_TRUE(listed) << intervention_type_name(type) << "." << key.path;
    }
  }
}
