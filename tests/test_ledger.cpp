// The money ledger (MODEL.md 7.1; sim/model/ledger.hpp) checked from outside, against sums made
// here from independent sources rather than the counters the run keeps for its own check.
//
// MODEL.md 7.1: "every dollar is either in some W, in a pool, paid to a provider, expired,
// or recorded as unspent". Money enters in funding only: each client's allocation
// support_share x B x budget factor / ticks_per_year (A_t) and each foundation's capacity
// money G / ticks_per_year x capacity_share (F_t). It leaves a client's W by payment (the
// price less any voucher part) or expiry, and the pool by voucher parts. A voucher part
// pays a provider too, so "paid" is the full price, which is support_spending (MODEL.md
// 7.4: voucher part included). Over the ticks 0..t:
//
//   sum(A + F) = sum_v W_v + pool + sum(support_spending) + sum(funds_expired)
//                + sum(foundation_unspent)                                           (1)
//
// and per tick, from the state before and after it:
//
//   delta(sum_v W_v + pool) = A_t + F_t - spending_t - expired_t - unspent_t          (2)
//
// Sources: A_t and F_t are recomputed here from the clients' budgets, the foundations'
// giving, the parameters and the interventions (their effect on money re-derived from
// MODEL.md 7.7, not from policy_at); W and the pool are read from the world's state; the
// flows are the recorded RunSeries. Besides (1) and (2), each flow is checked against its
// own independent source where it has one:
//   - provider_revenue = sum over sectors of support_spending, every tick;
//   - funds_expired = the W held at the end of the previous tick by the clients of
//     sectors without carryover, at each fiscal year start, and 0 otherwise;
//   - foundation_unspent and grants_received = the capacity money by the foundations'
//     neighbour counts (counted here from the network) and the channel;
//   - the voucher parts paid (pool before + what funding put in - pool after) =
//     min(pool at the market, voucher_rate x government spending): settlement draws
//     min(pool left, rate x price) per government engagement bought, which in exact
//     arithmetic adds up to that (an engagement dropped at payment draws nothing and is
//     not spending);
//   - funds_held and voucher_pool as recorded = the state at the end of the tick;
//   - the Ledger's own counters = the independent totals.
//
// Tolerance: relative 1e-9 of the magnitudes involved (for the whole run, the money put
// in; for one tick, the money held before it plus the tick's flows). Every quantity here is
// a sum of at most ~10^5 rounded terms (about 1,350 clients' W, each the result of a few
// dozen allocations and payments; sums over clients and ticks); such a sum is within about
// n x 2^-53 ~ 1e-11 of the sum of the magnitudes, so 1e-9 leaves a hundredfold margin (the
// differences seen are ~1e-15 relative). A real leak is far larger: one engagement costs
// ~$15,000 and a typical client's allocation is ~$1,000 a tick, against totals of
// 10^7-10^8 dollars, i.e. 1e-5 relative or more.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <string>
#include <vector>

#include "model_fixtures.hpp"
#include "model/simulation.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

constexpr int gov = 0;
constexpr double kRelative = 1e-9;

// What funding does with money at tick t (MODEL.md 7.1, 7.7, 11.11), written here from the
// specification: an intervention is active while start_year <= t / ticks_per_year <
// end_year; for the same parameter the later active table wins (factors do not multiply).
struct MoneyPolicy {
  std::array<double, kClientSectorCount> support_share{}, budget_factor{};
  double public_share = 0;
  Channel channel = Channel::grant;
};

MoneyPolicy money_policy(const Scenario& s, std::int64_t t) {
  const Params& p = s.params;
  const double year = static_cast<double>(t) / static_cast<double>(p.simulation.ticks_per_year);
  MoneyPolicy m;
  std::array<double, kClientSectorCount> share_factor{1, 1, 1};
  m.budget_factor = {1, 1, 1};
  m.public_share = p.foundation.public_share;
  m.channel = p.foundation.public_channel;
  for (const Intervention& iv : s.interventions) {
    if (!(iv.start_year <= year && year < iv.end_year)) continue;
    if (iv.type == InterventionType::foundation_public_support) {
      m.public_share = iv.public_share;
      if (iv.sets_channel) m.channel = iv.public_channel;
    } else if (iv.type == InterventionType::budget_change) {
      auto& factor = iv.target == BudgetTarget::support_share ? share_factor : m.budget_factor;
      factor[index_of(iv.sector)] = iv.factor;
    }
  }
  for (int k = 0; k < kClientSectorCount; ++k) m.support_share[k] = p.sector[k].support_share * share_factor[k];
  return m;
}

// Per-tick money computed here, from state and parameters only.
struct FundingIn {
  double allocated = 0;     // A_t: client allocations
  double capacity = 0;      // F_t: foundations' capacity money
  double grants = 0;        // the part of F_t that reaches clients' W
  double to_pool = 0;       // the part that goes to the voucher pool
  double unspent = 0;       // the part with no eligible neighbour
};

FundingIn funding_in(const Scenario& s, const World& w, std::int64_t t) {
  const MoneyPolicy m = money_policy(s, t);
  const double tpy = static_cast<double>(s.params.simulation.ticks_per_year);
  FundingIn in;
  const auto& c = w.agents.clients;
  for (NodeId v : c.ids) {
    const int k = index_of(w.network.sector(v));
    in.allocated += m.support_share[k] * c.budget[v] * m.budget_factor[k] / tpy;
  }
  const auto& f = w.agents.foundations;
  for (std::size_t i = 0; i < f.size(); ++i) {
    // Neighbour counts from the network itself, not the foundation columns.
    int governments = 0, nonprofits = 0;
    for (NodeId u : w.network.neighbours(f.node[i])) {
      governments += w.network.sector(u) == Sector::government;
      nonprofits += w.network.sector(u) == Sector::nonprofit;
    }
    const double capacity = f.giving[i] / tpy * s.params.foundation.capacity_share;
    const double pub = capacity * m.public_share, rest = capacity - pub;
    in.capacity += capacity;
    (nonprofits > 0 ? in.grants : in.unspent) += rest;
    if (m.channel == Channel::voucher) in.to_pool += pub;
    else (governments > 0 ? in.grants : in.unspent) += pub;
  }
  return in;
}

std::array<double, kClientSectorCount> funds_by_sector(const World& w) {
  std::array<double, kClientSectorCount> sum{};
  for (NodeId v : w.agents.clients.ids) sum[index_of(w.network.sector(v))] += w.agents.clients.funds[v];
  return sum;
}

double total(const std::array<double, kClientSectorCount>& a) { return a[0] + a[1] + a[2]; }

#define EXPECT_CLOSE(a, b, scale, what)                                                        \
  EXPECT_LE(std::abs((a) - (b)), kRelative * (scale))                                          \
      << (what) << ": " << std::setprecision(17) << (a) << " vs " << (b) << " (scale " << (scale) \
      << ", tick " << t << ")"

struct Totals {
  double in = 0, spending = 0, revenue = 0, expired = 0, unspent = 0, grants = 0, vouchers_paid = 0;
  double expired_from_state = 0;
};

// Runs the scenario tick by tick and checks (2) and every flow each tick, then (1) and the
// Ledger's counters at the end. Returns the totals so that a test can check that the
// variant it set up moved money through every channel it meant to.
Totals check_books(const Scenario& s) {
  Simulation sim(s, {});
  const World& w = sim.world();
  const RunSeries& r = sim.series();
  const std::int64_t tpy = s.params.simulation.ticks_per_year;
  const double rate = s.params.foundation.voucher_rate;
  Totals tot;
  while (!sim.finished()) {
    const std::int64_t t = sim.tick();
    const auto before = funds_by_sector(w);
    const double pool_before = w.voucher_pool;
    const FundingIn in = funding_in(s, w, t);  // budgets and giving do not change in a run
    sim.step();
    const auto tt = static_cast<std::size_t>(t);
    const auto after = funds_by_sector(w);
    const double pool_after = w.voucher_pool;

    double spending = 0, expired = 0, grants = 0;
    for (int k = 0; k < kClientSectorCount; ++k) {
      spending += r.at(support_spending, tt, k);
      expired += r.at(funds_expired, tt, k);
      grants += r.at(grants_received, tt, k);
    }
    const double revenue = r.at(provider_revenue, tt), unspent = r.at(foundation_unspent, tt);
    const double scale = total(before) + pool_before + in.allocated + in.capacity + spending + 1.0;

    // Providers are paid what clients spent.
    EXPECT_CLOSE(revenue, spending, scale, "provider_revenue vs support_spending");
    // Expiry: at a fiscal year start, all W of the sectors without carryover.
    const bool year_start = t > 0 && t % tpy == 0;
    for (int k = 0; k < kClientSectorCount; ++k) {
      const double want = year_start && !s.params.sector[k].carryover ? before[k] : 0.0;
      EXPECT_CLOSE(r.at(funds_expired, tt, k), want, scale, "funds_expired of sector " + std::to_string(k));
      tot.expired_from_state += want;
    }
    // Foundation money by channel and neighbours.
    EXPECT_CLOSE(unspent, in.unspent, scale, "foundation_unspent");
    EXPECT_CLOSE(grants, in.grants, scale, "grants_received");
    // Voucher parts: what left the pool is what settlement can have drawn.
    const double pool_at_market = pool_before + in.to_pool;
    const double vouchers_paid = pool_at_market - pool_after;
    EXPECT_CLOSE(vouchers_paid, std::min(pool_at_market, rate * r.at(support_spending, tt, gov)), scale,
                 "voucher parts paid");
    // The recorded states are the state.
    for (int k = 0; k < kClientSectorCount; ++k)
      EXPECT_CLOSE(r.at(funds_held, tt, k), after[k], scale, "funds_held of sector " + std::to_string(k));
    EXPECT_EQ(r.at(voucher_pool, tt), pool_after) << "tick " << t;
    // (2): the change in money held is what came in less what went out.
    EXPECT_CLOSE(total(after) + pool_after - total(before) - pool_before,
                 in.allocated + in.capacity - spending - expired - unspent, scale, "tick balance (2)");

    tot.in += in.allocated + in.capacity;
    tot.spending += spending;
    tot.revenue += revenue;
    tot.expired += expired;
    tot.unspent += unspent;
    tot.grants += grants;
    tot.vouchers_paid += vouchers_paid;
  }
  const std::int64_t t = sim.tick();
  const double held = total(funds_by_sector(w)) + w.voucher_pool;
  const double scale = tot.in;
  // (1), from the recorded flows and the final state against the money put in.
  EXPECT_CLOSE(tot.in, held + tot.spending + tot.expired + tot.unspent, scale, "whole-run balance (1)");
  EXPECT_CLOSE(tot.in, held + tot.revenue + tot.expired_from_state + tot.unspent, scale,
               "whole-run balance (1) with revenue and expiry from state");
  // The run's own counters agree with the independent totals.
  EXPECT_CLOSE(w.ledger.allocated, tot.in, scale, "Ledger::allocated");
  EXPECT_CLOSE(w.ledger.paid, tot.spending, scale, "Ledger::paid");
  EXPECT_CLOSE(w.ledger.expired, tot.expired_from_state, scale, "Ledger::expired");
  EXPECT_CLOSE(w.ledger.unspent, tot.unspent, scale, "Ledger::unspent");
  return tot;
}

}  // namespace

// Every intervention on, the voucher channel in years 1-4 of 5 (so the pool also pays
// after the intervention ends), government budgets halved in year 2.
TEST(Ledger, BalancesWithEveryInterventionAndTheVoucherChannel) {
  Scenario s = small_baseline(0.25, 5);
  s.interventions = all_interventions();
  const Totals tot = check_books(s);
  EXPECT_GT(tot.spending, 0);
  EXPECT_GT(tot.expired, 0);
  EXPECT_GT(tot.grants, 0);
  EXPECT_GT(tot.vouchers_paid, 0);
}

// carryover = false for every sector (all funds expire at each fiscal year start), the
// support shares changed by overlapping budget_change tables (the later wins while both
// are active), the grant channel at public_share 0.3, and 12 ticks a year (not a power of
// two: funding divides instead of multiplying by 1 / ticks_per_year).
TEST(Ledger, BalancesWhenEverySectorsFundsExpire) {
  Scenario s = small_baseline(0.25, 3);
  s.params.simulation.ticks_per_year = 12;
  for (auto& sp : s.params.sector) sp.carryover = false;
  s.params.foundation.public_share = 0.3;
  Intervention up = make_intervention(InterventionType::budget_change, 0.5, 2);
  up.sector = Sector::nonprofit;
  up.target = BudgetTarget::support_share;
  up.factor = 2.0;
  Intervention down = make_intervention(InterventionType::budget_change, 1, 1.5);
  down.sector = Sector::nonprofit;
  down.target = BudgetTarget::support_share;
  down.factor = 0.25;
  Intervention bus_budget = make_intervention(InterventionType::budget_change, 1.25, 3);
  bus_budget.sector = Sector::business;
  bus_budget.target = BudgetTarget::budget;
  bus_budget.factor = 3.0;
  s.interventions = {up, down, bus_budget};
  const Totals tot = check_books(s);
  EXPECT_GT(tot.spending, 0);
  EXPECT_GT(tot.expired, 0);
  EXPECT_GT(tot.grants, 0);
}

// The voucher channel from the start with a high voucher rate, and no nonprofits: every
// foundation's nonprofit part is unspent, the public part all goes to the pool.
TEST(Ledger, BalancesWithVouchersOnlyAndNoNonprofits) {
  Scenario s = small_baseline(0.25, 4);
  s.params.population.count[index_of(Sector::nonprofit)] = 0;
  s.params.foundation.public_channel = Channel::voucher;
  s.params.foundation.public_share = 0.5;
  s.params.foundation.voucher_rate = 0.9;
  const Totals tot = check_books(s);
  EXPECT_GT(tot.spending, 0);
  EXPECT_GT(tot.unspent, 0);
  EXPECT_GT(tot.vouchers_paid, 0);
  EXPECT_EQ(tot.grants, 0);
}

// No governments: the public part of the grant channel has no recipient anywhere and is
// recorded as unspent; nothing expires (businesses and nonprofits carry over).
TEST(Ledger, BalancesWithoutGovernments) {
  Scenario s = small_baseline(0.25, 3);
  s.params.population.count[index_of(Sector::government)] = 0;
  const Totals tot = check_books(s);
  EXPECT_GT(tot.spending, 0);
  EXPECT_GT(tot.unspent, 0);
  EXPECT_EQ(tot.expired, 0);
}

// The check can fail: a dollar moved outside the books shows in (2).
TEST(Ledger, IndependentBalanceSeesMoneyFromNowhere) {
  Scenario s = small_baseline(0.1, 1);
  Simulation sim(s, {});
  const double before = total(funds_by_sector(sim.world())) + sim.world().voucher_pool;
  const FundingIn in = funding_in(s, sim.world(), 0);
  sim.step();
  const World& w = sim.world();
  const RunSeries& r = sim.series();
  double out = r.at(foundation_unspent, 0);
  for (int k = 0; k < kClientSectorCount; ++k) out += r.at(support_spending, 0, k) + r.at(funds_expired, 0, k);
  const double balance = in.allocated + in.capacity - out;
  const double after = total(funds_by_sector(w)) + w.voucher_pool;
  EXPECT_NEAR(after - before, balance, kRelative * (before + in.allocated + in.capacity + 1));
  sim.mutable_world().agents.clients.funds[w.agents.clients.ids.front()] += 1.0;
  const double leaked = total(funds_by_sector(w)) + w.voucher_pool;
  EXPECT_GT(std::abs(leaked - before - balance), kRelative * (before + in.allocated + in.capacity + 1));
}
