// Tests of the relationship network (MODEL.md 5, 11.1): the CSR container, the stochastic
// block model generator and the file loaders.
//
// The SBM tests are stochastic with fixed seeds. Their tolerances come from the model:
// every tie count below is a sum of independent Bernoulli draws (one per candidate pair),
// so its exact variance is the sum of p (1 - p) over the pairs. Each test asserts
// |observed - expected| <= 4.5 standard deviations: by the normal approximation a correct
// generator fails one such check with probability about 7e-6, while a wrong formula (a
// factor of 2 within blocks, homophily applied to providers, ...) misses by far more.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "model/run_network.hpp"
#include "network/network.hpp"
#include "scenario/population.hpp"

namespace xsector {
namespace {

constexpr double kSigmas = 4.5;

// The MODEL.md 5 defaults, built by hand so that this file depends only on the network
// library (the parameter table is another module's).
Params sbm_params(std::array<std::int64_t, kSectorCount> count = {200, 4000, 1200, 12, 20},
                  std::array<double, kSectorCount> degree = {10, 6, 8, 60, 40}, double homophily = 0.5) {
  Params p{};
  p.population.count = count;
  p.population.scale = 1.0;
  p.network.mean_degree = degree;
  p.network.homophily = homophily;
  p.network.initial_trust = 0.5;
  return p;
}

// An independent transcription of MODEL.md 5 giving, per block pair, the number of
// candidate pairs and the tie probability; from them the mean and variance of every
// count the tests look at.
struct SbmReference {
  std::array<double, kSectorCount> n{};
  std::array<std::array<double, kSectorCount>, kSectorCount> pairs{}, p{};

  explicit SbmReference(const Params& params) {
    std::array<double, kSectorCount> d{}, d_open{};
    double d_open_total = 0;
    for (int a = 0; a < kSectorCount; ++a) {
      n[a] = static_cast<double>(scaled_count(params, static_cast<Sector>(a)));
      d[a] = n[a] * params.network.mean_degree[a];
      const double h = a < 3 ? params.network.homophily : 0.0;
      d_open[a] = (1 - h) * d[a];
      d_open_total += d_open[a];
    }
    for (int a = 0; a < kSectorCount; ++a)
      for (int b = 0; b < kSectorCount; ++b) {
        double e = d_open_total > 0 ? d_open[a] * d_open[b] / d_open_total : 0;
        if (a == b) e += d[a] - d_open[a];
        pairs[a][b] = a == b ? n[a] * (n[a] - 1) / 2 : n[a] * n[b];
        const double wanted_ties = a == b ? e / 2 : e;
        p[a][b] = pairs[a][b] > 0 ? std::min(1.0, wanted_ties / pairs[a][b]) : 0.0;
      }
  }
  double mean_ties(int a, int b) const { return pairs[a][b] * p[a][b]; }
  double var_ties(int a, int b) const { return pairs[a][b] * p[a][b] * (1 - p[a][b]); }
  // Tie ends of sector a: a tie inside a has two ends there (so 4x the variance).
  double mean_ends(int a) const {
    double m = 2 * mean_ties(a, a);
    for (int b = 0; b < kSectorCount; ++b)
      if (b != a) m += mean_ties(a, b);
    return m;
  }
  double var_ends(int a) const {
    double v = 4 * var_ties(a, a);
    for (int b = 0; b < kSectorCount; ++b)
      if (b != a) v += var_ties(a, b);
    return v;
  }
  double mean_total_ties() const {
    double m = 0;
    for (int a = 0; a < kSectorCount; ++a)
      for (int b = a; b < kSectorCount; ++b) m += mean_ties(a, b);
    return m;
  }
  double var_total_ties() const {
    double v = 0;
    for (int a = 0; a < kSectorCount; ++a)
      for (int b = a; b < kSectorCount; ++b) v += var_ties(a, b);
    return v;
  }
};

struct Observed {
  std::array<double, kSectorCount> ends{};
  std::array<std::array<double, kSectorCount>, kSectorCount> ties{};  // symmetric
};

Observed observe(const Network& net) {
  Observed o;
  for (NodeId u = 0; u < net.node_count(); ++u) {
    const int a = index_of(net.sector(u));
    o.ends[a] += static_cast<double>(net.degree(u));
    for (NodeId v : net.neighbours(u)) {
      if (v < u) continue;  // each tie once
      const int b = index_of(net.sector(v));
      o.ties[a][b] += 1;
      if (a != b) o.ties[b][a] += 1;
    }
  }
  return o;
}

void expect_within(double observed, double mean, double variance, const std::string& what) {
  const double bound = kSigmas * std::sqrt(variance) + 1e-9;  // exact when variance is 0
  EXPECT_LE(std::abs(observed - mean), bound)
      << what << ": observed " << observed << ", expected " << mean << " +- " << bound;
}

std::vector<std::pair<NodeId, NodeId>> tie_list(const Network& net) {
  std::vector<std::pair<NodeId, NodeId>> ties;
  for (NodeId u = 0; u < net.node_count(); ++u)
    for (NodeId v : net.neighbours(u))
      if (u < v) ties.emplace_back(u, v);
  return ties;
}

// ---------------------------------------------------------------------------------------
// Network container
// ---------------------------------------------------------------------------------------

TEST(NetworkTest, StoresEachTieInBothDirectionsWithSortedNeighbours) {
  const std::vector<Sector> sectors(5, Sector::business);
  const std::vector<std::pair<NodeId, NodeId>> ties = {{3, 1}, {0, 4}, {1, 0}, {4, 3}};
  const Network net(sectors, ties, {0.1, 0.2, 0.3, 0.4});
  ASSERT_EQ(net.node_count(), 5u);
  ASSERT_EQ(net.tie_count(), 4u);
  EXPECT_EQ(std::vector<NodeId>(net.neighbours(1).begin(), net.neighbours(1).end()), (std::vector<NodeId>{0, 3}));
  EXPECT_EQ(std::vector<NodeId>(net.neighbours(4).begin(), net.neighbours(4).end()), (std::vector<NodeId>{0, 3}));
  EXPECT_EQ(net.degree(2), 0u);
  for (NodeId u = 0; u < 5; ++u)
    for (std::size_t k = 0; k < net.degree(u); ++k) {
      const NodeId v = net.neighbours(u)[k];
      const TieId t = net.tie_of(net.first_edge(u) + static_cast<EdgeId>(k));
      EXPECT_EQ(std::minmax(ties[t].first, ties[t].second), std::minmax(u, v));
    }
  EXPECT_DOUBLE_EQ(net.initial_trust()[net.tie_of(net.first_edge(3))], 0.1);  // 3-1 is tie 0
  EXPECT_EQ(boost::num_vertices(net.graph()), 5u);
  EXPECT_EQ(boost::num_edges(net.graph()), 8u);
}

TEST(NetworkTest, RejectsBrokenTieLists) {
  const std::vector<Sector> sectors(3, Sector::government);
  EXPECT_THROW(Network(sectors, {{0, 0}}, {0.5}), std::invalid_argument);
  EXPECT_THROW(Network(sectors, {{0, 3}}, {0.5}), std::invalid_argument);
  EXPECT_THROW(Network(sectors, {{0, 1}, {1, 0}}, {0.5, 0.5}), std::invalid_argument);
  EXPECT_THROW(Network(sectors, {{0, 1}}, {}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// Stochastic block model
// ---------------------------------------------------------------------------------------

TEST(SbmTest, ReferenceRowsSumToDegreeMass) {  // guards the reference itself
  const Params params = sbm_params();
  const SbmReference ref(params);
  for (int a = 0; a < kSectorCount; ++a)
    EXPECT_NEAR(ref.mean_ends(a), ref.n[a] * params.network.mean_degree[a], 1e-9 * ref.mean_ends(a)) << a;
}

TEST(SbmTest, MeanDegreePerSectorMatchesWithinBinomialTolerance) {
  const Params params = sbm_params();
  const SbmReference ref(params);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Network net = generate_sbm(sbm_spec(params), seed);
    EXPECT_TRUE(capped_blocks(params).empty());
    const Observed o = observe(net);
    for (int a = 0; a < kSectorCount; ++a) {
      // mean_ends(a) = N_a k_a here (see ReferenceRowsSumToDegreeMass).
      expect_within(o.ends[a], ref.mean_ends(a), ref.var_ends(a),
                    "tie ends of " + std::string(kSectorNames[a]) + ", seed " + std::to_string(seed));
    }
  }
}

TEST(SbmTest, WithinAndCrossBlockTieCountsMatchHomophily) {
  const Params params = sbm_params();
  const SbmReference ref(params);
  for (std::uint64_t seed : {11u, 12u}) {
    const Observed o = observe(generate_sbm(sbm_spec(params), seed));
    for (int a = 0; a < kSectorCount; ++a)
      for (int b = a; b < kSectorCount; ++b)
        expect_within(o.ties[a][b], ref.mean_ties(a, b), ref.var_ties(a, b),
                      "ties " + std::string(kSectorNames[a]) + "-" + std::string(kSectorNames[b]));
  }
}

TEST(SbmTest, HomophilyRaisesWithinSectorTies) {
  const std::array<std::int64_t, kSectorCount> count = {200, 4000, 1200, 12, 20};
  const std::array<double, kSectorCount> degree = {10, 6, 8, 60, 40};
  const Params mixed_params = sbm_params(count, degree, 0.0), homophilous_params = sbm_params(count, degree, 0.9);
  const SbmReference mixed_ref(mixed_params), homophilous_ref(homophilous_params);
  const Observed mixed = observe(generate_sbm(sbm_spec(mixed_params), 5));
  const Observed homophilous = observe(generate_sbm(sbm_spec(homophilous_params), 5));
  for (int a = 0; a < 3; ++a) {
    const double noise = kSigmas * std::sqrt(mixed_ref.var_ties(a, a) + homophilous_ref.var_ties(a, a));
    EXPECT_GT(homophilous.ties[a][a] - mixed.ties[a][a], noise) << kSectorNames[a];
    expect_within(homophilous.ties[a][a], homophilous_ref.mean_ties(a, a), homophilous_ref.var_ties(a, a),
                  std::string(kSectorNames[a]) + ", h = 0.9");
  }
  // Providers carry no homophily: their mutual ties change only because the clients' open
  // mass D' shrinks, never by h_a D_a.
  expect_within(homophilous.ties[3][3], homophilous_ref.mean_ties(3, 3), homophilous_ref.var_ties(3, 3),
                "provider-provider, h = 0.9");
}

TEST(SbmTest, CappedBlockIsReportedAndFallsShort) {
  // Three governments that want degree 50: half of that mass (h = 0.5) stays inside a
  // block with only 3 pairs.
  const Params params = sbm_params({3, 2000, 0, 0, 0}, {50, 6, 8, 60, 40});
  const Network net = generate_sbm(sbm_spec(params), 7);
  const std::vector<CappedBlock> capped = capped_blocks(params);
  ASSERT_EQ(capped.size(), 1u);
  const CappedBlock& c = capped[0];
  EXPECT_EQ(c.a, Sector::government);
  EXPECT_EQ(c.b, Sector::government);
  EXPECT_DOUBLE_EQ(c.possible_ties, 3.0);
  EXPECT_GT(c.wanted_ties, c.possible_ties);
  const Observed o = observe(net);
  EXPECT_EQ(o.ties[0][0], 3.0);          // p capped at 1: all pairs tied
  EXPECT_LT(o.ends[0] / 3.0, 0.8 * 50);  // degree falls short of k
  const SbmReference ref(params);        // business is unaffected by the cap
  expect_within(o.ends[1], ref.mean_ends(1), ref.var_ends(1), "business ends");
}

TEST(SbmTest, SingleNodeSectorWithHomophilyIsCappedWithoutSelfLoop) {
  const Params params = sbm_params({1, 500, 0, 0, 0});
  const Network net = generate_sbm(sbm_spec(params), 3);
  const std::vector<CappedBlock> capped = capped_blocks(params);
  ASSERT_EQ(capped.size(), 1u);
  EXPECT_EQ(capped[0].a, Sector::government);
  EXPECT_EQ(capped[0].possible_ties, 0.0);
  EXPECT_EQ(describe(capped[0]), "government-government: 2.508 ties wanted, 0 pairs possible");
  for (NodeId v : net.neighbours(0)) EXPECT_NE(v, 0u);
}

TEST(SbmTest, EmptySectorsAndEmptyPopulation) {
  const Network none = generate_sbm(sbm_spec(sbm_params({0, 0, 0, 0, 0})), 1);
  EXPECT_EQ(none.node_count(), 0u);
  EXPECT_EQ(none.tie_count(), 0u);

  const Network no_providers = generate_sbm(sbm_spec(sbm_params({50, 400, 100, 0, 0})), 1);
  EXPECT_EQ(no_providers.node_count(), 550u);
  EXPECT_GT(no_providers.tie_count(), 0u);
  EXPECT_EQ(no_providers.sector(549), Sector::nonprofit);
}

TEST(SbmTest, FullHomophilyWithoutOpenMassGivesOnlyWithinSectorTies) {
  // h = 1 and no providers or foundations: D' = 0, so no mass is left to mix.
  const Params params = sbm_params({100, 300, 200, 0, 0}, {10, 6, 8, 60, 40}, 1.0);
  const Network net = generate_sbm(sbm_spec(params), 9);
  const Observed o = observe(net);
  const SbmReference ref(params);
  for (int a = 0; a < 3; ++a) {
    for (int b = a + 1; b < kSectorCount; ++b) EXPECT_EQ(o.ties[a][b], 0.0);
    expect_within(o.ends[a], ref.mean_ends(a), ref.var_ends(a), std::string(kSectorNames[a]));
  }
}

TEST(SbmTest, DependsOnlyOnRunSeed) {
  const Params params = sbm_params();
  const Network a = generate_sbm(sbm_spec(params), 42), b = generate_sbm(sbm_spec(params), 42), c = generate_sbm(sbm_spec(params), 43);
  EXPECT_EQ(tie_list(a), tie_list(b));
  EXPECT_NE(tie_list(a), tie_list(c));
}

TEST(SbmTest, StructureIsSymmetricSimpleAndSectorOrdered) {
  const Params params = sbm_params();
  const Network net = generate_sbm(sbm_spec(params), 17);
  ASSERT_EQ(net.initial_trust().size(), net.tie_count());
  for (double t : net.initial_trust()) EXPECT_EQ(t, 0.5);

  // MODEL.md 11.1: nodes numbered by sector, government first.
  std::size_t v = 0;
  for (int a = 0; a < kSectorCount; ++a)
    for (std::int64_t k = 0; k < scaled_count(params, static_cast<Sector>(a)); ++k, ++v)
      ASSERT_EQ(net.sector(static_cast<NodeId>(v)), static_cast<Sector>(a)) << v;
  EXPECT_EQ(v, net.node_count());

  std::vector<int> tie_seen(net.tie_count(), 0);
  std::size_t directions = 0;
  for (NodeId u = 0; u < net.node_count(); ++u) {
    const auto nb = net.neighbours(u);
    directions += nb.size();
    EXPECT_TRUE(std::is_sorted(nb.begin(), nb.end()));
    EXPECT_EQ(std::adjacent_find(nb.begin(), nb.end()), nb.end()) << "duplicate neighbour of " << u;
    for (std::size_t k = 0; k < nb.size(); ++k) {
      const NodeId w = nb[k];
      ASSERT_NE(w, u) << "self-loop";
      const auto back = net.neighbours(w);
      const auto it = std::lower_bound(back.begin(), back.end(), u);
      ASSERT_TRUE(it != back.end() && *it == u) << u << " -> " << w << " has no reverse";
      const TieId t = net.tie_of(net.first_edge(u) + static_cast<EdgeId>(k));
      EXPECT_EQ(t, net.tie_of(net.first_edge(w) + static_cast<EdgeId>(it - back.begin())));
      ++tie_seen[t];
    }
  }
  EXPECT_EQ(directions, 2 * net.tie_count());
  for (int seen : tie_seen) ASSERT_EQ(seen, 2);
}

TEST(SbmTest, LargePopulationMatchesExpectation) {
  // About 200k agents: an O(N^2) loop would make this test crawl; nothing asserts time.
  Params params = sbm_params();
  params.population.scale = 200000.0 / 5432.0;
  const SbmReference ref(params);
  const Network net = generate_sbm(sbm_spec(params), 2024);
  EXPECT_GT(net.node_count(), 199000u);
  expect_within(static_cast<double>(net.tie_count()), ref.mean_total_ties(), ref.var_total_ties(), "total ties");
  const Observed o = observe(net);
  for (int a = 0; a < kSectorCount; ++a)
    expect_within(o.ends[a], ref.mean_ends(a), ref.var_ends(a), std::string(kSectorNames[a]));
}

TEST(SbmTest, BuildNetworkGeneratesWithoutFile) {
  const Params params = sbm_params();
  EXPECT_EQ(tie_list(build_network(params, 8)), tie_list(generate_sbm(sbm_spec(params), 8)));
}

// ---------------------------------------------------------------------------------------
// Loaders
// ---------------------------------------------------------------------------------------

const std::filesystem::path kData = std::filesystem::path(__FILE__).parent_path() / "data" / "networks";

// Trust of the tie between u and v.
double trust_between(const Network& net, NodeId u, NodeId v) {
  const auto nb = net.neighbours(u);
  const auto it = std::find(nb.begin(), nb.end(), v);
  if (it == nb.end()) ADD_FAILURE() << "no tie " << u << "-" << v;
  return net.initial_trust()[net.tie_of(net.first_edge(u) + static_cast<EdgeId>(it - nb.begin()))];
}

// Both small files hold the same network: b1 g1 p1 n1 f1 b2 (file order).
void expect_small_network(const Network& net, double default_trust) {
  using enum Sector;
  ASSERT_EQ(net.sectors(), (std::vector<Sector>{business, government, provider, nonprofit, foundation, business}));
  ASSERT_EQ(net.tie_count(), 5u);
  EXPECT_DOUBLE_EQ(trust_between(net, 0, 1), 0.8);
  EXPECT_DOUBLE_EQ(trust_between(net, 1, 2), default_trust);
  EXPECT_DOUBLE_EQ(trust_between(net, 3, 2), 0.25);
  EXPECT_DOUBLE_EQ(trust_between(net, 1, 4), 1.0);
  EXPECT_DOUBLE_EQ(trust_between(net, 5, 0), 0.0);
  EXPECT_EQ(net.degree(1), 3u);
}

TEST(LoadNetworkTest, GraphmlWithSectorsAndOptionalTrust) {
  expect_small_network(load_network((kData / "small.graphml").string(), 0.3), 0.3);
}

TEST(LoadNetworkTest, CsvNodeAndEdgeLists) {
  // small.edges.csv gives g1-p1 trust 0.5 explicitly; quoted ids may hold commas.
  expect_small_network(load_network((kData / "small.nodes.csv").string(), 0.5), 0.5);
}

TEST(LoadNetworkTest, CsvWithoutTrustColumnUsesDefault) {
  const Network net = load_network((kData / "notrust.nodes.csv").string(), 0.7);
  EXPECT_EQ(net.sectors(), (std::vector<Sector>{Sector::government, Sector::nonprofit, Sector::provider}));
  ASSERT_EQ(net.tie_count(), 2u);
  EXPECT_DOUBLE_EQ(trust_between(net, 0, 1), 0.7);
  EXPECT_DOUBLE_EQ(trust_between(net, 2, 0), 0.7);
}

TEST(LoadNetworkTest, BuildNetworkLoadsTheFile) {
  Params params = sbm_params();
  params.network.file = (kData / "notrust.nodes.csv").string();
  params.network.initial_trust = 0.2;
  const Network net = build_network(params, 1);
  EXPECT_EQ(net.node_count(), 3u);
  EXPECT_DOUBLE_EQ(net.initial_trust()[0], 0.2);
}

// A fresh folder per test for the malformed files.
class BadNetworkFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("xsector-network-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  // Writes case.nodes.csv and case.edges.csv; returns the node list's path.
  std::string csv(const std::string& nodes, const std::string& edges) {
    write("case.edges.csv", edges);
    return write("case.nodes.csv", nodes);
  }
  std::string graphml(const std::string& nodes_and_edges) {
    return write("case.graphml",
                 "<?xml version=\"1.0\"?>\n"
                 "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
                 "<key id=\"s\" for=\"node\" attr.name=\"sector\" attr.type=\"string\"/>\n"
                 "<key id=\"t\" for=\"edge\" attr.name=\"trust\" attr.type=\"double\"/>\n"
                 "<graph edgedefault=\"undirected\">\n"  // line 5
                 "<node id=\"a\"><data key=\"s\">government</data></node>\n"
                 "<node id=\"b\"><data key=\"s\">business</data></node>\n" +  // line 7
                     nodes_and_edges +
                     "</graph>\n</graphml>\n");
  }

  // The load fails with an InputError whose message holds every fragment.
  static void expect_error(const std::string& path, const std::vector<std::string>& fragments) {
    try {
      load_network(path, 0.5);
      ADD_FAILURE() << path << " loaded without error";
    } catch (const InputError& e) {
      const std::string message = e.what();
      for (const auto& f : fragments) EXPECT_NE(message.find(f), std::string::npos) << message << "\nlacks " << f;
    }
  }

  std::filesystem::path dir_;
};

const std::string kNodes = "id,sector\na,government\nb,business\n";

TEST_F(BadNetworkFileTest, CsvNodeListErrors) {
  expect_error(csv("id,sector\na,government\nb,goverment\n", "source,target\n"), {"case.nodes.csv:3:", "'goverment'"});
  expect_error(csv("id,sector\n\na,government\n\nb,bogus\n", "source,target\n"), {"case.nodes.csv:5:", "'bogus'"});
  expect_error(csv("id,sector\na\n", "source,target\n"), {"case.nodes.csv:2:", "columns"});
  expect_error(csv("id,sector\na,government,x\n", "source,target\n"), {"case.nodes.csv:2:", "found 3"});
  expect_error(csv("name,sector\na,government\n", "source,target\n"), {"case.nodes.csv:1:", "'name,sector'"});
  expect_error(csv("id,sector\na,government\na,business\n", "source,target\n"),
               {"case.nodes.csv:3:", "duplicate node id 'a'", "line 2"});
  expect_error(csv("", "source,target\n"), {"case.nodes.csv:1:"});
  // No nodes at all (issue 9, RELIABILITY.md): refused rather than run with no agents.
  expect_error(csv("id,sector\n\n", "source,target\n"), {"case.nodes.csv:1:", "no nodes"});
}

TEST_F(BadNetworkFileTest, CsvEdgeListErrors) {
  expect_error(csv(kNodes, "source,target\na,zzz\n"), {"case.edges.csv:2:", "'zzz'"});
  expect_error(csv(kNodes, "source,target\nb,a\na,a\n"), {"case.edges.csv:3:", "self-loop", "'a'"});
  expect_error(csv(kNodes, "source,target\na,b\nb,a\n"), {"case.edges.csv:3:", "duplicate tie", "line 2"});
  expect_error(csv(kNodes, "source,target,trust\na,b,1.5\n"), {"case.edges.csv:2:", "'1.5'", "[0, 1]"});
  expect_error(csv(kNodes, "source,target,trust\na,b,-0.1\n"), {"case.edges.csv:2:", "'-0.1'"});
  expect_error(csv(kNodes, "source,target,trust\na,b,high\n"), {"case.edges.csv:2:", "'high'", "not a number"});
  expect_error(csv(kNodes, "source,target,trust\na,b,nan\n"), {"case.edges.csv:2:", "'nan'"});
  expect_error(csv(kNodes, "source,target,trust\na,b\n"), {"case.edges.csv:2:", "columns"});
  expect_error(csv(kNodes, "source,target\na,b,0.5\n"), {"case.edges.csv:2:", "columns"});
  expect_error(csv(kNodes, "from,to\na,b\n"), {"case.edges.csv:1:", "'from,to'"});
}

TEST_F(BadNetworkFileTest, MissingOrWronglyNamedFiles) {
  expect_error((dir_ / "absent.nodes.csv").string(), {"absent.nodes.csv"});
  expect_error(write("lonely.nodes.csv", kNodes), {"lonely.edges.csv"});
  expect_error(write("net.txt", "x"), {"net.txt", "NAME.graphml"});
  expect_error(write("net.edges.csv", "source,target\n"), {"net.edges.csv", "NAME.nodes.csv"});
  expect_error((dir_ / "absent.graphml").string(), {"absent.graphml"});
}

TEST_F(BadNetworkFileTest, GraphmlErrors) {
  expect_error(graphml("<node id=\"c\"><data key=\"s\">church</data></node>\n"), {"case.graphml:8:", "'church'"});
  expect_error(graphml("<node id=\"a\"><data key=\"s\">business</data></node>\n"),
               {"case.graphml:8:", "duplicate node id 'a'", "line 6"});
  expect_error(graphml("<node id=\"c\"/>\n"), {"case.graphml:8:", "'c'", "no sector"});
  expect_error(graphml("<edge source=\"a\" target=\"zzz\"/>\n"), {"case.graphml:8:", "'zzz'"});
  expect_error(graphml("<edge source=\"b\" target=\"b\"/>\n"), {"case.graphml:8:", "self-loop"});
  expect_error(graphml("<edge source=\"a\" target=\"b\"/>\n\n<edge source=\"b\" target=\"a\"/>\n"),
               {"case.graphml:10:", "duplicate tie", "line 8"});
  expect_error(graphml("<edge source=\"a\" target=\"b\"><data key=\"t\">2</data></edge>\n"),
               {"case.graphml:8:", "'2'", "[0, 1]"});
  expect_error(graphml("<edge source=\"a\" target=\"b\">\n<data key=\"t\">strong</data></edge>\n"),
               {"case.graphml:8:", "'strong'", "not a number"});
  expect_error(graphml("<node id=\"c\"><data key=\"s\">business</data>\n"), {"case.graphml:", "not valid XML"});
  expect_error(write("empty.graphml", "<graphml>\n<graph edgedefault=\"undirected\">\n</graph>\n</graphml>\n"),
               {"empty.graphml:2:", "no <node>"});
  // The XML parser's own line: here the end of the file, where <graphml> is still open.
  expect_error(write("open.graphml", "<graphml>\n<graph edgedefault=\"undirected\">\n</graph>\n"),
               {"open.graphml:4:", "not valid XML"});
}

}  // namespace
}  // namespace xsector
