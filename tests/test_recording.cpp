// Recording (MODEL.md 8, 11.12; sim/model/recording.cpp).
//
// 1. The capacity percentiles. Recording finds them without sorting, by counting values into
//    buckets in chunks of at least 64k clients and copying out only the buckets that hold
//    the wanted ranks (class Percentiles). It claims exact order statistics and numpy's
//    default (linear) interpolation, so it is compared bit for bit with an oracle written
//    here from numpy's definition: sort, take the order statistics floor((n-1)q) and the
//    one after, interpolate as numpy's _lerp does. Inputs: many ties, values exactly 0 and
//    1, values on bucket edges, values crowded into one bucket, two far-apart clusters
//    (the ranks of one window straddle empty buckets), values outside [0, 1] (they do not
//    occur in the model, but the bucketing clamps them and must stay exact), one-element
//    and empty sectors (NaN), and sizes from 1 to past 2^20 clients (1, 2, 3 and 16 chunks,
//    sizes that are multiples of nothing), with sectors interleaved so that every chunk
//    holds all three.
// 2. The gap indicators of MODEL.md 8 and their NaN cases, on small hand-built worlds
//    with hand-set spending and collaborations and hand-computed expectations; a world
//    without governments has no public sector, so its shares are NaN, not 0 (also checked
//    over a whole run).
// 3. That run_recording puts every flow and state into its own metric.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "model_fixtures.hpp"
#include "model/recording.hpp"
#include "model/simulation.hpp"

using namespace xsector;
using namespace xsector::testing;

namespace {

constexpr int gov = 0, bus = 1, np = 2;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// --- The oracle ---------------------------------------------------------------------------

// numpy.percentile(values, 100 q) with the default method "linear" (numpy >= 1.22,
// numpy/lib/_function_base_impl.py): virtual index (n - 1) q; previous = floor of it, next =
// previous + 1, both the last element when the index is at or past n - 1; gamma = index -
// previous; _lerp(a, b, gamma) = a + (b - a) gamma, except that for gamma >= 0.5 it is
// b - (b - a)(1 - gamma) ("computing from b for t >= 0.5 for accuracy"). np.percentile
// divides q by 100 first: 10 / 100, 50 / 100 and 90 / 100 are the doubles 0.1, 0.5, 0.9.
double numpy_quantile_of_sorted(const std::vector<double>& values, double q) {
  if (values.empty()) return kNaN;  // numpy returns nan (with a warning) for an empty array
  const std::size_t n = values.size();
  const double index = static_cast<double>(n - 1) * q;
  if (index >= static_cast<double>(n - 1)) return values.back();
  const double previous = std::floor(index);
  const double a = values[static_cast<std::size_t>(previous)];
  const double b = values[static_cast<std::size_t>(previous) + 1];
  const double gamma = index - previous;
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

double numpy_quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return numpy_quantile_of_sorted(values, q);
}

// Equal bits, or both NaN: "exact" means exact, not within an ulp.
bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::string show(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

// --- Worlds of many clients -------------------------------------------------------------

// A uniform double in [0, 1) from 53 random bits (the same on every standard library).
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// A hand-made world of clients only (no ties: recording's percentiles read only sectors
// and capacities). Sector k with probability weight[k] / sum, each node drawn on its own,
// so the sectors are interleaved and every chunk of the counting holds all of them.
HandWorld interleaved_world(std::size_t n, std::array<double, 3> weight, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double total = weight[0] + weight[1] + weight[2];
  std::vector<Sector> sectors(n);
  for (auto& s : sectors) {
    const double u = uniform(rng) * total;
    s = u < weight[0] ? Sector::government : u < weight[0] + weight[1] ? Sector::business : Sector::nonprofit;
  }
  return HandWorld(quiet_scenario(), std::move(sectors), {});
}

// Sectors in blocks, government first, as a generated network numbers them (MODEL.md 11.1).
HandWorld sorted_world(std::array<std::size_t, 3> count) {
  std::vector<Sector> sectors;
  for (int s = 0; s < 3; ++s) sectors.insert(sectors.end(), count[s], static_cast<Sector>(s));
  return HandWorld(quiet_scenario(), std::move(sectors), {});
}

// Value generators: each fills every client's capacity with one kind of input.
enum class Values {
  uniform,        // distinct values, no structure
  few_ties,       // {0, 0.3, 0.7, 1}: long runs of equal values, exact 0 and 1
  all_equal,      // one value: every window is one bucket holding a whole sector
  crowded,        // 0.43 + 1e-3 u: one or two buckets hold everything (capacities after years of turnover)
  bucket_edges,   // k / 64, k = 0..64: on the edges of every bucket width (64 to 16384 buckets)
  two_clusters,   // [0, 0.01) or [0.99, 1): the ranks of a window lie in buckets far apart
  zeros_and_ones, // uniform with a fifth exactly 0 and a fifth exactly 1
  out_of_range,   // [-1, 2): clamped into the first and last bucket
  kCount
};

double draw(Values kind, std::mt19937_64& rng) {
  const double u = uniform(rng);
  switch (kind) {
    case Values::uniform: return u;
    case Values::few_ties: return std::array{0.0, 0.3, 0.7, 1.0}[rng() % 4];
    case Values::all_equal: return 0.5625;
    case Values::crowded: return 0.43 + 1e-3 * u;
    case Values::bucket_edges: return static_cast<double>(rng() % 65) / 64.0;
    case Values::two_clusters: return (rng() & 1) ? 0.01 * u : 0.99 + 0.01 * u;
    case Values::zeros_and_ones: {
      const auto r = rng() % 5;
      return r == 0 ? 0.0 : r == 1 ? 1.0 : u;
    }
    case Values::out_of_range: return -1.0 + 3.0 * u;
    case Values::kCount: break;
  }
  return u;
}

// Fills the capacities with `kind`, compares every (sector, quantile) with the oracle and
// returns the number of mismatches, describing the first few in *report.
int mismatches(HandWorld& w, Values kind, std::uint64_t seed, const std::string& what, std::string* report) {
  std::mt19937_64 rng(seed);
  auto& c = w->agents.clients;
  std::array<std::vector<double>, kClientSectorCount> by_sector;
  for (NodeId v : c.ids) {
    c.capacity[v] = draw(kind, rng);
    by_sector[index_of(w->network.sector(v))].push_back(c.capacity[v]);
  }
  const CapacityPercentiles got = capacity_percentiles(*w, w->recording_workspace);
  int wrong = 0;
  for (int s = 0; s < kClientSectorCount; ++s) {
    std::sort(by_sector[s].begin(), by_sector[s].end());
    for (int q = 0; q < 3; ++q) {
      const double want = numpy_quantile_of_sorted(by_sector[s], kCapacityQuantiles[q]);
      if (same(got[s][q], want)) continue;
      if (++wrong <= 3 && report->size() < 2000)
        *report += what + ", values " + std::to_string(static_cast<int>(kind)) + ", sector " + std::to_string(s) +
                   " (" + std::to_string(by_sector[s].size()) + " clients), q " + show(kCapacityQuantiles[q]) +
                   ": got " + show(got[s][q]) + ", numpy " + show(want) + "\n";
    }
  }
  return wrong;
}

// Every kind of values, `repeats` times, on one world; one failure with the first
// mismatches rather than thousands of lines when something is wrong.
void expect_exact_for_every_kind(HandWorld& w, std::uint64_t seed, const std::string& what, int repeats = 1) {
  int wrong = 0;
  std::string report;
  for (int r = 0; r < repeats; ++r)
    for (int k = 0; k < static_cast<int>(Values::kCount); ++k)
      wrong += mismatches(w, static_cast<Values>(k), seed * 1000 + static_cast<std::uint64_t>(r * 100 + k), what,
                          &report);
  EXPECT_EQ(wrong, 0) << report;
}

}  // namespace

// The oracle itself, against numpy results worked out by hand, so that a mistake in it
// cannot hide a mistake in the code.
TEST(Percentiles, OracleMatchesNumpyOnHandWorkedCases) {
  // n = 5: indices 0.4, 2, 3.6.
  const std::vector<double> five = {0.5, 0.1, 0.4, 0.2, 0.3};
  EXPECT_DOUBLE_EQ(numpy_quantile(five, 0.1), 0.14);  // 0.1 + 0.4 (0.2 - 0.1)
  EXPECT_EQ(numpy_quantile(five, 0.5), 0.3);          // an order statistic, no interpolation
  EXPECT_DOUBLE_EQ(numpy_quantile(five, 0.9), 0.46);  // 0.5 - 0.4 (0.5 - 0.4), from b
  // n = 2: index 0.1, 0.5, 0.9 between 0 and 1.
  EXPECT_DOUBLE_EQ(numpy_quantile({1.0, 0.0}, 0.1), 0.1);
  EXPECT_EQ(numpy_quantile({1.0, 0.0}, 0.5), 0.5);
  EXPECT_DOUBLE_EQ(numpy_quantile({1.0, 0.0}, 0.9), 0.9);
  // One value is every percentile; none is NaN.
  EXPECT_EQ(numpy_quantile({0.7}, 0.9), 0.7);
  EXPECT_TRUE(std::isnan(numpy_quantile({}, 0.5)));
  // For gamma >= 0.5 numpy computes from b: b - (b - a)(1 - gamma). With a = 0.1, b = 0.7
  // and gamma = 0.5 (the median of two) that is 0.39999999999999997, while a + (b - a) gamma
  // is 0.4: the two formulas give different bits, and only the first is numpy's.
  EXPECT_EQ(numpy_quantile({0.1, 0.7}, 0.5), 0.7 - (0.7 - 0.1) * 0.5);
  EXPECT_NE(0.7 - (0.7 - 0.1) * 0.5, 0.1 + (0.7 - 0.1) * 0.5);
}

TEST(Percentiles, ExactForEveryTinyWorld) {
  // 1 to 40 clients in random sectors: many sectors with 0, 1 or 2 clients.
  for (std::size_t n = 1; n <= 40; ++n) {
    HandWorld w = interleaved_world(n, {1, 1, 1}, n);
    expect_exact_for_every_kind(w, n, "n = " + std::to_string(n), 5);
  }
}

TEST(Percentiles, ExactForOneChunkAtSeveralSizes) {
  // 1000 clients: 64 buckets, the lower clamp; 65535 and 131071: one chunk, just under
  // the sizes where a second chunk starts.
  for (std::size_t n : {1000u, 9973u, 65535u, 65536u, 131071u}) {
    HandWorld w = interleaved_world(n, {200, 4000, 1200}, n);
    expect_exact_for_every_kind(w, n, "n = " + std::to_string(n), 2);
  }
}

TEST(Percentiles, ExactWithSeveralChunks) {
  // 131072 = 2 x 65536: exactly two chunks; 200003 (prime): three chunks of unequal size.
  for (std::size_t n : {131072u, 200003u}) {
    HandWorld w = interleaved_world(n, {200, 4000, 1200}, n);
    expect_exact_for_every_kind(w, n, "n = " + std::to_string(n), 2);
  }
}

TEST(Percentiles, ExactWithSixteenChunksSortedBySector) {
  // 1,100,003 clients: the chunk count's upper clamp (16) and 8192 buckets; the sectors in
  // blocks as in a generated network, so some chunks hold one sector only.
  HandWorld w = sorted_world({40741, 814803, 244459});
  expect_exact_for_every_kind(w, 16, "1.1M sorted");
}

TEST(Percentiles, OneElementAndEmptySectorsBesideALargeOne) {
  // Three chunks; one government somewhere in the middle, no nonprofit: the government's
  // percentiles are its one value, the nonprofits' NaN.
  std::vector<Sector> sectors(200003, Sector::business);
  sectors[123457] = Sector::government;
  HandWorld w(quiet_scenario(), std::move(sectors), {});
  expect_exact_for_every_kind(w, 3, "one government, no nonprofit", 2);
  w->agents.clients.capacity[123457] = 0.3;
  const CapacityPercentiles got = capacity_percentiles(*w, w->recording_workspace);
  for (int q = 0; q < 3; ++q) {
    EXPECT_EQ(got[gov][q], 0.3);
    EXPECT_TRUE(std::isnan(got[np][q]));
  }
}

TEST(Percentiles, RepeatedCallsReuseTheWorkspace) {
  // The workspace keeps buffers from a larger world; a smaller one must not read them.
  HandWorld big = interleaved_world(200003, {1, 1, 1}, 7);
  HandWorld small = interleaved_world(777, {1, 1, 1}, 8);
  RecordingWorkspace ws;
  for (int round = 0; round < 3; ++round) {
    for (HandWorld* w : {&big, &small}) {
      std::mt19937_64 rng(static_cast<std::uint64_t>(round));
      std::array<std::vector<double>, kClientSectorCount> by_sector;
      for (NodeId v : (*w)->agents.clients.ids) {
        (*w)->agents.clients.capacity[v] = draw(Values::two_clusters, rng);
        by_sector[index_of((*w)->network.sector(v))].push_back((*w)->agents.clients.capacity[v]);
      }
      const CapacityPercentiles got = capacity_percentiles(**w, ws);
      for (int s = 0; s < kClientSectorCount; ++s)
        for (int q = 0; q < 3; ++q) EXPECT_TRUE(same(got[s][q], numpy_quantile(by_sector[s], kCapacityQuantiles[q])));
    }
  }
}

// --- Recording of a tick on hand-built worlds ----------------------------------------------

namespace {

// Nodes 0, 1 government; 2, 3 business; 4 nonprofit; 5 provider (for provider_slots).
HandWorld five_clients() {
  return HandWorld(quiet_scenario(),
                   {Sector::government, Sector::government, Sector::business, Sector::business, Sector::nonprofit,
                    Sector::provider},
                   {});
}

void add_collaboration(World& w, NodeId lead, std::vector<NodeId> partners) {
  const std::vector<TieId> ties(partners.size(), 0);  // recording does not read ties
  w.collabs.append(lead, partners.data(), ties.data(), static_cast<std::uint8_t>(partners.size()), 0);
}

RunSeries record(HandWorld& w, const TickFlows& flows) {
  RunSeries series(1);
  run_recording(*w, w.context(0), flows, series);
  return series;
}

TickFlows spending(double government, double business, double nonprofit) {
  TickFlows f;
  f.support_spending = {government, business, nonprofit};
  return f;
}

}  // namespace

// MODEL.md 8 on numbers worked by hand. Spending 100 / 300 / 100: the government's share
// is 100 / 500 = 0.2. Collaborations: 0 leads with partners 2 and 4; 2 leads with partner
// 1: members by sector 2, 2, 1 (each member once per collaboration, 11.7), so the
// government's share of participation is 2 / 5 = 0.4; gap 0.4 - 0.2 = 0.2, ratio 0.5.
TEST(GapIndicators, HandComputedWorld) {
  HandWorld w = five_clients();
  add_collaboration(*w, 0, {2, 4});
  add_collaboration(*w, 2, {1});
  const RunSeries r = record(w, spending(100, 300, 100));
  EXPECT_EQ(r.at(collab_participation, 0, gov), 2);
  EXPECT_EQ(r.at(collab_participation, 0, bus), 2);
  EXPECT_EQ(r.at(collab_participation, 0, np), 1);
  EXPECT_DOUBLE_EQ(r.at(public_support_share, 0), 0.2);
  EXPECT_DOUBLE_EQ(r.at(public_participation_share, 0), 0.4);
  EXPECT_DOUBLE_EQ(r.at(public_sector_gap, 0), 0.2);
  EXPECT_DOUBLE_EQ(r.at(public_support_ratio, 0), 0.5);
}

// A client in two collaborations counts twice; a government that only partners counts.
TEST(GapIndicators, MembersCountOncePerCollaboration) {
  HandWorld w = five_clients();
  add_collaboration(*w, 2, {0, 4});
  add_collaboration(*w, 3, {0});
  add_collaboration(*w, 4, {1, 2});
  const RunSeries r = record(w, spending(0, 50, 150));
  EXPECT_EQ(r.at(collab_participation, 0, gov), 3);  // 0 twice, 1 once
  EXPECT_EQ(r.at(collab_participation, 0, bus), 3);  // 2 twice, 3 once
  EXPECT_EQ(r.at(collab_participation, 0, np), 2);
  EXPECT_DOUBLE_EQ(r.at(public_support_share, 0), 0.0);      // governments spent nothing: 0, not NaN
  EXPECT_DOUBLE_EQ(r.at(public_participation_share, 0), 0.375);  // 3 / 8
  EXPECT_DOUBLE_EQ(r.at(public_sector_gap, 0), 0.375);
  EXPECT_DOUBLE_EQ(r.at(public_support_ratio, 0), 0.0);
}

// Nothing spent by anyone: the support share is 0 / 0, undefined (MODEL.md 8); so are the
// gap and the ratio built on it. The participation share is still defined.
TEST(GapIndicators, NothingSpentMakesSupportShareNaN) {
  HandWorld w = five_clients();
  add_collaboration(*w, 0, {2, 4});
  add_collaboration(*w, 2, {1});
  const RunSeries r = record(w, spending(0, 0, 0));
  EXPECT_TRUE(std::isnan(r.at(public_support_share, 0)));
  EXPECT_DOUBLE_EQ(r.at(public_participation_share, 0), 0.4);
  EXPECT_TRUE(std::isnan(r.at(public_sector_gap, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_support_ratio, 0)));
}

// No collaboration active: the participation share is 0 / 0; the gap and ratio follow.
TEST(GapIndicators, NoParticipationMakesParticipationShareNaN) {
  HandWorld w = five_clients();
  const RunSeries r = record(w, spending(100, 300, 100));
  EXPECT_DOUBLE_EQ(r.at(public_support_share, 0), 0.2);
  for (int s = 0; s < kClientSectorCount; ++s) EXPECT_EQ(r.at(collab_participation, 0, s), 0);
  EXPECT_TRUE(std::isnan(r.at(public_participation_share, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_sector_gap, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_support_ratio, 0)));
}

// Others collaborate, governments do not: participation share 0 is defined and the gap
// is 0 - 0.2; the ratio divides by that 0, and docs/MODEL.md (8, item 10: "shares with a
// zero denominator are NaN") reads it as undefined, not as infinity.
TEST(GapIndicators, ZeroParticipationShareMakesRatioNaN) {
  HandWorld w = five_clients();
  add_collaboration(*w, 2, {4});
  const RunSeries r = record(w, spending(100, 300, 100));
  EXPECT_DOUBLE_EQ(r.at(public_support_share, 0), 0.2);
  EXPECT_EQ(r.at(public_participation_share, 0), 0.0);
  EXPECT_DOUBLE_EQ(r.at(public_sector_gap, 0), -0.2);
  EXPECT_TRUE(std::isnan(r.at(public_support_ratio, 0)));
  // And with the government's spending 0 as well: 0 / 0.
  const RunSeries r0 = record(w, spending(0, 300, 100));
  EXPECT_EQ(r0.at(public_sector_gap, 0), 0.0);
  EXPECT_TRUE(std::isnan(r0.at(public_support_ratio, 0)));
}

// All spending and all participation governmental: both shares 1, gap 0, ratio 1.
TEST(GapIndicators, OnlyGovernmentsSpendAndCollaborate) {
  HandWorld w = five_clients();
  add_collaboration(*w, 0, {1});
  const RunSeries r = record(w, spending(250, 0, 0));
  EXPECT_EQ(r.at(public_support_share, 0), 1.0);
  EXPECT_EQ(r.at(public_participation_share, 0), 1.0);
  EXPECT_EQ(r.at(public_sector_gap, 0), 0.0);
  EXPECT_EQ(r.at(public_support_ratio, 0), 1.0);
}

// A world with no governments at all: the share of a sector that does not exist is
// undefined, so both shares (and the gap and ratio) are NaN, not 0 (0 would read as "the
// public sector gets nothing", which is a different finding). Businesses and nonprofits
// spend and collaborate, so no other denominator is zero.
TEST(GapIndicators, NoGovernmentsMakesEveryShareNaN) {
  HandWorld w(quiet_scenario(), {Sector::business, Sector::business, Sector::nonprofit}, {});
  add_collaboration(*w, 0, {2});
  const RunSeries r = record(w, spending(0, 300, 100));
  EXPECT_TRUE(std::isnan(r.at(public_support_share, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_participation_share, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_sector_gap, 0)));
  EXPECT_TRUE(std::isnan(r.at(public_support_ratio, 0)));
  // The per-sector metrics of the missing sector: 0 for sums and counts, NaN for means and
  // percentiles (there is no client to average).
  EXPECT_EQ(r.at(funds_held, 0, gov), 0.0);
  EXPECT_EQ(r.at(collab_participation, 0, gov), 0.0);
  EXPECT_TRUE(std::isnan(r.at(capacity_mean, 0, gov)));
  EXPECT_TRUE(std::isnan(r.at(toolkit_share, 0, gov)));
  EXPECT_TRUE(std::isnan(r.at(capacity_p50, 0, gov)));
}

// The same through a whole run of a baseline without governments (businesses and
// nonprofits spend and collaborate every tick): the gap indicators are NaN at every tick.
TEST(GapIndicators, WholeRunWithoutGovernmentsGivesNaNEveryTick) {
  Scenario s = small_baseline(0.1, 2);
  s.params.population.count[index_of(Sector::government)] = 0;
  Simulation sim(s, {});
  const RunSeries& r = sim.run();
  double spent = 0, members = 0;
  for (std::size_t t = 0; t < r.ticks; ++t) {
    for (Metric m : {public_support_share, public_participation_share, public_sector_gap, public_support_ratio})
      EXPECT_TRUE(std::isnan(r.at(m, t))) << kMetrics[m].name << " at tick " << t << ": " << r.at(m, t);
    spent += r.at(support_spending, t, bus) + r.at(support_spending, t, np);
    members += r.at(collab_participation, t, bus) + r.at(collab_participation, t, np);
  }
  EXPECT_GT(spent, 0);  // so the NaN is not the 0 / 0 of an idle run
  EXPECT_GT(members, 0);
}

// Every flow of TickFlows lands in its own metric, every state is the end-of-tick value,
// and the percentile metrics are p10, p50, p90 in that order. Each number is distinct so
// that a swap of two fields shows.
TEST(Recording, EveryFlowAndStateInItsOwnMetric) {
  HandWorld w = five_clients();
  auto& c = w->agents.clients;
  // Governments 0.1 and 0.5: p10 0.14, p50 0.3, p90 0.46 (index 0.1, 0.5, 0.9 of two).
  c.capacity[0] = 0.5, c.capacity[1] = 0.1, c.capacity[2] = 0.25, c.capacity[3] = 0.75, c.capacity[4] = 0.6;
  c.toolkit[0] = 1, c.toolkit[1] = 0, c.toolkit[2] = 1, c.toolkit[3] = 1, c.toolkit[4] = 0;
  c.funds[0] = 10, c.funds[1] = 20, c.funds[2] = 40, c.funds[3] = 80, c.funds[4] = 160;
  w->voucher_pool = 777;
  w->agents.providers.slots[0] = 9;
  TickFlows f;
  for (int s = 0; s < kClientSectorCount; ++s) {
    const double b = 1000.0 * (s + 1);
    f.support_spending[s] = b + 1, f.engagements[s] = b + 2, f.unmet_demand[s] = b + 3, f.priced_out[s] = b + 4;
    f.collab_started[s] = b + 5, f.collab_succeeded[s] = b + 6, f.collab_failed[s] = b + 7;
    f.collab_failed_early[s] = b + 8, f.collab_lapsed[s] = b + 9, f.public_value[s] = b + 10;
    f.funds_expired[s] = b + 11, f.grants_received[s] = b + 12;
  }
  f.failed_by_stage = {1, 2, 3, 4};
  f.provider_revenue = 5;
  f.foundation_unspent = 6;
  RunSeries r(3);
  run_recording(*w, w.context(2), f, r);  // the third tick: rows 0 and 1 stay untouched
  const std::array<Metric, 12> flows = {support_spending, engagements,         unmet_demand,  priced_out,
                                        collab_started,   collab_succeeded,    collab_failed, collab_failed_early,
                                        collab_lapsed,    public_value,        funds_expired, grants_received};
  for (int s = 0; s < kClientSectorCount; ++s)
    for (int m = 0; m < 12; ++m) {
      EXPECT_EQ(r.at(flows[m], 2, s), 1000.0 * (s + 1) + m + 1) << kMetrics[flows[m]].name << " sector " << s;
      EXPECT_EQ(r.at(flows[m], 1, s), 0.0);
    }
  for (int k = 0; k < kStageCount; ++k) EXPECT_EQ(r.at(failed_by_stage, 2, k), k + 1);
  EXPECT_EQ(r.at(provider_revenue, 2), 5);
  EXPECT_EQ(r.at(foundation_unspent, 2), 6);
  EXPECT_EQ(r.at(voucher_pool, 2), 777);
  EXPECT_EQ(r.at(provider_slots, 2), 9);
  EXPECT_EQ(r.at(funds_held, 2, gov), 30);
  EXPECT_EQ(r.at(funds_held, 2, bus), 120);
  EXPECT_EQ(r.at(funds_held, 2, np), 160);
  EXPECT_DOUBLE_EQ(r.at(capacity_mean, 2, gov), 0.3);
  EXPECT_DOUBLE_EQ(r.at(capacity_mean, 2, bus), 0.5);
  EXPECT_EQ(r.at(toolkit_share, 2, gov), 0.5);
  EXPECT_EQ(r.at(toolkit_share, 2, bus), 1.0);
  EXPECT_EQ(r.at(toolkit_share, 2, np), 0.0);
  EXPECT_DOUBLE_EQ(r.at(capacity_p10, 2, gov), 0.14);
  EXPECT_DOUBLE_EQ(r.at(capacity_p50, 2, gov), 0.3);
  EXPECT_DOUBLE_EQ(r.at(capacity_p90, 2, gov), 0.46);
  EXPECT_DOUBLE_EQ(r.at(capacity_p10, 2, bus), 0.3);   // 0.25 + 0.1 x 0.5
  EXPECT_DOUBLE_EQ(r.at(capacity_p90, 2, bus), 0.7);   // 0.75 - 0.1 x 0.5
  EXPECT_EQ(r.at(capacity_p50, 2, np), 0.6);           // one nonprofit
}
