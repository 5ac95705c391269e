// Sweeps (issue 4): point generation, run indices, seeds, the parallel runner with its
// single writer, resume, interruption, shards and merge; and, through the real binary
// (XSECTOR_BIN), `run --point`, kill -9 at random moments then --resume, SIGINT, merge.
// Every scenario here is tiny (population.scale 0.02, 2 years) so the suite stays fast.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "output/results_file.hpp"
#include "core/random.hpp"
#include "scenario/scenario.hpp"
#include "model/simulation.hpp"
#include "scenario/memory_estimate.hpp"
#include "network/network.hpp"
#include "sweep/sweep_limits.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/sweep_runner.hpp"

extern char** environ;

namespace xsector {
namespace {

namespace fs = std::filesystem;

// ---- scenarios ------------------------------------------------------------------------

constexpr const char* kTinyBase =
    "[simulation]\nyears = 2\nseed = 11\n\n[population]\nscale = 0.02\n\n";

// 10 points x 3 replicates = 30 runs.
std::string tiny_sweep(int seed = 11) {
  std::string text = kTinyBase;
  text.replace(text.find("seed = 11"), 9, "seed = " + std::to_string(seed));
  return text +
         "[sweep]\nmethod = \"grid\"\nreplicates = 3\n\n[sweep.parameters]\n"
         "\"foundation.public_share\" = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]\n";
}

// ---- a fresh folder per test -----------------------------------------------------------

class SweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("xsector-sweep-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }
  Scenario scenario(const std::string& name, const std::string& text) const {
    return load_scenario(write(name, text));
  }
  fs::path dir_;
};

// The provenance part of a header, as the command would make it.
FileHeader test_header(const Scenario& s, const SweepPlan& plan, const std::string& digest = "digest-1",
                       const std::string& version = "test-version") {
  FileHeader h;
  h.program_version = version;
  h.scenario_name = s.name;
  h.scenario_toml = s.toml_text;
  h.resolved_parameters = resolved_parameters_toml(s);
  h.scenario_digest = digest;
  h.command_line = "test_sweep";
  h.start_time = "2024-01-01T00:00:00Z";
  h.ticks = s.params.simulation.years * s.params.simulation.ticks_per_year;
  h.ticks_per_year = s.params.simulation.ticks_per_year;
  return sweep_header(h, s, plan);
}

// ---- comparing results -----------------------------------------------------------------

// Bit for bit, NaNs included.
::testing::AssertionResult same_bits(const RunSeries& a, const RunSeries& b) {
  if (a.ticks != b.ticks) return ::testing::AssertionFailure() << "ticks " << a.ticks << " vs " << b.ticks;
  for (int m = 0; m < kMetricCount; ++m) {
    const auto& x = a.values[m];
    const auto& y = b.values[m];
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0)
      return ::testing::AssertionFailure() << "metric " << kMetrics[m].name << " differs";
  }
  return ::testing::AssertionSuccess();
}

// Same coordinates, done flags and (for done runs) bit-identical series.
void expect_same_runs(const std::string& a, const std::string& b) {
  const FileSummary sa = read_summary(a), sb = read_summary(b);
  ASSERT_EQ(sa.header.runs.size(), sb.header.runs.size());
  EXPECT_EQ(sa.header.swept_paths, sb.header.swept_paths);
  EXPECT_EQ(sa.header.scenario_digest, sb.header.scenario_digest);
  for (std::size_t r = 0; r < sa.header.runs.size(); ++r) {
    const RunCoordinates &ca = sa.header.runs[r], &cb = sb.header.runs[r];
    EXPECT_EQ(ca.point, cb.point) << "run " << r;
    EXPECT_EQ(ca.replicate, cb.replicate) << "run " << r;
    EXPECT_EQ(ca.seed, cb.seed) << "run " << r;
    EXPECT_EQ(ca.swept_values, cb.swept_values) << "run " << r;
    EXPECT_EQ(sa.done[r], sb.done[r]) << "run " << r;
    if (sa.done[r] && sb.done[r]) {
      EXPECT_TRUE(same_bits(read_run(a, r), read_run(b, r))) << "run " << r;
    }
  }
}

std::size_t count_done(const FileSummary& s) { return static_cast<std::size_t>(std::count(s.done.begin(), s.done.end(), 1)); }

// ---- the real binary -------------------------------------------------------------------

// A child process running the real binary, its stdout and stderr going to a log file.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> argv_s{XSECTOR_BIN};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error(std::string("cannot start ") + XSECTOR_BIN + ": " + std::strerror(rc));
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (code_ < 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  bool running() {
    int status = 0;
    if (code_ < 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) code_ = decode(status);
    return code_ < 0;
  }
  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }
  // Exit status, or 128 + signal for a killed process (as a shell reports it).
  int wait() {
    int status = 0;
    while (code_ < 0) {
      if (::waitpid(pid_, &status, 0) == pid_)
        code_ = decode(status);
      else if (errno != EINTR)
        code_ = 255;
    }
    return code_;
  }

 private:
  static int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
  pid_t pid_ = -1;
  int code_ = -1;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Result {
  int code;
  std::string output;
};

Result xsector(const std::vector<std::string>& args, const std::string& log) {
  const int code = Child(args, log).wait();
  return {code, slurp(log)};
}

// The number of done runs, or -1 while the file does not exist or cannot be read yet.
long done_in(const std::string& path) {
  if (!fs::exists(path)) return -1;
  try {
    return static_cast<long>(count_done(read_summary(path)));
  } catch (const OutputError&) {
    return -1;
  }
}

// ======================================================================================
// Points

TEST_F(SweepTest, GridIsTheCartesianProductWithTheFirstAxisSlowest) {
  const Scenario s = scenario("grid", std::string(kTinyBase) +
                                          "[sweep]\nreplicates = 2\n[sweep.parameters]\n"
                                          "\"foundation.public_share\" = [0.0, 0.25, 0.5]\n"
                                          "\"foundation.public_channel\" = [\"grant\", \"voucher\"]\n");
  const SweepPlan plan(s);
  ASSERT_EQ(plan.point_count(), 6u);
  EXPECT_EQ(plan.replicates(), 2u);
  EXPECT_EQ(plan.run_count(), 12u);
  EXPECT_EQ(planned_runs(*s.sweep), 12.0);  // the count that refuses huge sweeps follows the same rule
  EXPECT_EQ(plan.paths(), (std::vector<std::string>{"foundation.public_share", "foundation.public_channel"}));
  const double share[] = {0.0, 0.0, 0.25, 0.25, 0.5, 0.5};
  const char* channel[] = {"grant", "voucher", "grant", "voucher", "grant", "voucher"};
  for (std::size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(std::get<double>(plan.point(k)[0]), share[k]) << k;
    EXPECT_EQ(std::get<std::string>(plan.point(k)[1]), channel[k]) << k;
  }
  EXPECT_THROW(plan.point(6), InputError);
}

TEST_F(SweepTest, ZipReadsTheListsInParallel) {
  const Scenario s = scenario("zip", std::string(kTinyBase) +
                                         "[sweep]\nmethod = \"zip\"\n[sweep.parameters]\n"
                                         "\"foundation.public_share\" = [0.1, 0.2, 0.3]\n"
                                         "\"collab.max_active\" = [1, 2, 3]\n");
  const SweepPlan plan(s);
  ASSERT_EQ(plan.point_count(), 3u);
  EXPECT_EQ(plan.run_count(), 3u);
  EXPECT_EQ(planned_runs(*s.sweep), 3.0);
  const double share[] = {0.1, 0.2, 0.3};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(std::get<double>(plan.point(k)[0]), share[k]) << k;
    EXPECT_EQ(std::get<std::int64_t>(plan.point(k)[1]), static_cast<std::int64_t>(k + 1)) << k;
  }
}

std::string lhs_text(int sweep_seed, int samples, int simulation_seed = 11) {
  std::string text = kTinyBase;
  text.replace(text.find("seed = 11"), 9, "seed = " + std::to_string(simulation_seed));
  return text + "[sweep]\nmethod = \"lhs\"\nsamples = " + std::to_string(samples) +
         "\nseed = " + std::to_string(sweep_seed) +
         "\n[sweep.parameters]\n\"foundation.public_share\" = [0.0, 0.5]\n"
         "\"diffusion.q\" = [0.1, 0.3]\n\"market.rounds\" = [1, 10]\n";
}

TEST_F(SweepTest, LhsHitsEveryStratumOfEachParameterExactlyOnce) {
  constexpr int n = 50;
  const Scenario s = scenario("lhs", lhs_text(42, n));
  const SweepPlan plan(s);
  ASSERT_EQ(plan.point_count(), static_cast<std::size_t>(n));
  EXPECT_EQ(planned_runs(*s.sweep), static_cast<double>(plan.run_count()));
  const double low[] = {0.0, 0.1}, high[] = {0.5, 0.3};
  for (int a = 0; a < 2; ++a) {
    std::vector<int> hits(n, 0);
    for (std::size_t k = 0; k < plan.point_count(); ++k) {
      const double x = std::get<double>(plan.point(k)[a]);
      ASSERT_GE(x, low[a]);
      ASSERT_LE(x, high[a]);
      const int stratum = std::min(n - 1, static_cast<int>(std::floor((x - low[a]) / (high[a] - low[a]) * n)));
      ++hits[stratum];
    }
    for (int i = 0; i < n; ++i) EXPECT_EQ(hits[i], 1) << "axis " << a << " stratum " << i;
  }
  // The integer parameter is rounded; its values stay in range and cover it.
  std::set<std::int64_t> rounds;
  for (std::size_t k = 0; k < plan.point_count(); ++k) {
    const auto v = std::get<std::int64_t>(plan.point(k)[2]);
    EXPECT_GE(v, 1);
    EXPECT_LE(v, 10);
    rounds.insert(v);
  }
  EXPECT_EQ(rounds.size(), 10u);
  // Not the identity pairing: the strata of two axes are permuted independently.
  int same_order = 0;
  for (std::size_t k = 0; k + 1 < plan.point_count(); ++k)
    same_order += (std::get<double>(plan.point(k)[0]) < std::get<double>(plan.point(k + 1)[0])) ==
                  (std::get<double>(plan.point(k)[1]) < std::get<double>(plan.point(k + 1)[1]));
  EXPECT_LT(same_order, n - 5);
}

std::string sampled_text(const std::string& method_keys) {
  return std::string(kTinyBase) + "[sweep]\n" + method_keys +
         "\n[sweep.parameters]\n\"foundation.public_share\" = [0.0, 0.5]\n"
         "\"market.rounds\" = { distribution = \"integer\", low = 1, high = 4 }\n"
         "\"foundation.public_channel\" = { choices = [\"voucher\", \"grant\"] }\n";
}

// The count that refuses huge sweeps and the expansion agree; the values have the
// parameter's type (a choice's name, an integer parameter's int64).
TEST_F(SweepTest, SobolAndMorrisPlansHaveTheirDesignsSizeAndTypes) {
  for (const auto& [keys, points] : std::vector<std::pair<std::string, std::size_t>>{
           {"method = \"sobol\"\nsamples = 16\nreplicates = 2", 16u * 5},
           {"method = \"morris\"\ntrajectories = 6\nlevels = 4\nreplicates = 2", 6u * 4}}) {
    const Scenario s = scenario("sampled", sampled_text(keys));
    const SweepPlan plan(s);
    ASSERT_EQ(plan.point_count(), points) << keys;
    EXPECT_EQ(plan.run_count(), 2 * points);
    EXPECT_EQ(planned_runs(*s.sweep), static_cast<double>(plan.run_count()));
    std::set<std::int64_t> rounds;
    std::set<std::string> channels;
    for (std::size_t k = 0; k < plan.point_count(); ++k) {
      const double share = std::get<double>(plan.point(k)[0]);
      EXPECT_GE(share, 0.0);
      EXPECT_LE(share, 0.5);
      rounds.insert(std::get<std::int64_t>(plan.point(k)[1]));
      channels.insert(std::get<std::string>(plan.point(k)[2]));
    }
    EXPECT_EQ(rounds, (std::set<std::int64_t>{1, 2, 3, 4})) << keys;
    EXPECT_EQ(channels, (std::set<std::string>{"voucher", "grant"})) << keys;
  }
}

// Saltelli's layout: AB_i is A with column i from B, row by row.
TEST_F(SweepTest, SobolPointsAreATheBThenAWithOneColumnOfB) {
  const SweepPlan plan(scenario("sobol", sampled_text("method = \"sobol\"\nsamples = 8")));
  const std::size_t n = 8, k = 3;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t row = 0; row < n; ++row) {
      const auto& a = plan.point(row);
      const auto& b = plan.point(n + row);
      const auto& ab = plan.point((2 + i) * n + row);
      for (std::size_t j = 0; j < k; ++j) EXPECT_EQ(ab[j], j == i ? b[j] : a[j]) << "AB_" << i << " row " << row;
    }
}

TEST_F(SweepTest, LhsDependsOnTheSweepSeedOnly) {
  const SweepPlan a(scenario("a", lhs_text(42, 20, 1)));
  const SweepPlan b(scenario("b", lhs_text(42, 20, 2)));  // another simulation seed
  const SweepPlan c(scenario("c", lhs_text(43, 20, 1)));  // another sweep seed
  std::size_t differ = 0;
  for (std::size_t k = 0; k < 20; ++k) {
    EXPECT_EQ(a.point(k), b.point(k)) << k;
    differ += a.point(k) != c.point(k);
  }
  EXPECT_GT(differ, 15u);
}

TEST_F(SweepTest, RunIndexIsPointTimesReplicatesPlusReplicate) {
  const SweepPlan plan(scenario("idx", tiny_sweep()));
  ASSERT_EQ(plan.run_count(), 30u);
  for (std::size_t r = 0; r < plan.run_count(); ++r) {
    const RunIdentity id = plan.identity_of(r);
    EXPECT_EQ(id.point, static_cast<std::int64_t>(r / 3));
    EXPECT_EQ(id.replicate, static_cast<std::int64_t>(r % 3));
    EXPECT_EQ(plan.run_index(id), r);
  }
  EXPECT_THROW(plan.identity_of(30), InputError);
  EXPECT_THROW(plan.run_index({10, 0}), InputError);
  EXPECT_THROW(plan.run_index({0, 3}), InputError);
}

TEST_F(SweepTest, SeedsDeriveFromScenarioSeedPointAndReplicateOnly) {
  const Scenario s = scenario("seeds", tiny_sweep(5));
  const SweepPlan plan(s);
  const FileHeader h = test_header(s, plan);
  std::set<std::uint64_t> seeds;
  for (std::size_t r = 0; r < plan.run_count(); ++r) {
    const RunCoordinates& c = h.runs[r];
    EXPECT_EQ(c.seed, derive_run_seed(5, static_cast<std::uint64_t>(c.point), static_cast<std::uint64_t>(c.replicate)));
    EXPECT_EQ(c.swept_values, plan.point(static_cast<std::size_t>(c.point)));
    seeds.insert(c.seed);
  }
  EXPECT_EQ(seeds.size(), plan.run_count());
}

TEST_F(SweepTest, ApplyPointSetsModelParametersAndInterventionKeys) {
  const Scenario s = scenario("apply", std::string(kTinyBase) +
                                           "[[intervention]]\ntype = \"graduate_programs\"\nstart_year = 1\n\n"
                                           "[sweep]\n[sweep.parameters]\n\"intervention.0.rate\" = [0.5, 2.0]\n"
                                           "\"sector.government.support_share\" = [0.0006]\n");
  const SweepPlan plan(s);
  ASSERT_EQ(plan.point_count(), 2u);
  const Scenario p1 = apply_point(s, plan, 1);
  EXPECT_EQ(std::get<double>(get_parameter(p1, "intervention.0.rate")), 2.0);
  EXPECT_EQ(std::get<double>(get_parameter(p1, "sector.government.support_share")), 0.0006);
  EXPECT_NE(std::get<double>(get_parameter(s, "intervention.0.rate")), 2.0);  // the base is unchanged
  EXPECT_EQ(describe_point(plan, 0), "intervention.0.rate=0.5, sector.government.support_share=0.0006");
}

TEST_F(SweepTest, RefusesAMissingSweepTableAndSweptTicks) {
  EXPECT_THROW(SweepPlan(scenario("plain", kTinyBase)), InputError);
  try {
    SweepPlan(scenario("years", std::string(kTinyBase) + "[sweep]\n[sweep.parameters]\n\"simulation.years\" = [1, 2]\n"));
    FAIL() << "a sweep over simulation.years was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("number of ticks"), std::string::npos) << e.what();
  }
}

TEST(Shard, ParsesKOverN) {
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_TRUE(s.contains(7));
  EXPECT_FALSE(s.contains(8));
  for (const char* bad : {"5/5", "1", "a/3", "1/0", "-1/3", "1/3x", "/3"}) EXPECT_THROW(parse_shard(bad), InputError) << bad;
}

// ======================================================================================
// The runner, in process

TEST_F(SweepTest, APointRunAloneIsBitIdenticalToThatRunInTheSweep) {
  const Scenario s = scenario("alone", tiny_sweep());
  const SweepPlan plan(s);
  SweepRequest request;
  request.output = file("sweep.h5");
  const SweepOutcome out = run_sweep(s, plan, test_header(s, plan), request);
  EXPECT_TRUE(out.complete());
  EXPECT_EQ(out.ran_now, 30u);
  const FileSummary summary = read_summary(request.output);
  EXPECT_FALSE(summary.end_time.empty());
  for (std::size_t r : {0u, 4u, 17u, 29u}) {
    const RunIdentity id = plan.identity_of(r);
    const Scenario point = apply_point(s, plan, static_cast<std::size_t>(id.point));
    Simulation sim(point, id);
    EXPECT_TRUE(same_bits(sim.run(), read_run(request.output, r))) << "run " << r;
    EXPECT_EQ(sim.run_seed(), summary.header.runs[r].seed);
    EXPECT_EQ(summary.done[r], 1);
    EXPECT_GT(summary.wall_time[r], 0.0);
  }
}

TEST_F(SweepTest, AnInterruptedSweepResumesToTheUninterruptedFile) {
  const Scenario s = scenario("interrupt", tiny_sweep());
  const SweepPlan plan(s);
  const FileHeader header = test_header(s, plan);
  SweepRequest whole;
  whole.output = file("whole.h5");
  run_sweep(s, plan, header, whole);

  // Interrupt after 4 runs are written: runs in flight finish, no new run starts.
  std::atomic<int> interrupts{0};
  SweepHooks hooks;
  hooks.interrupts = &interrupts;
  hooks.on_progress = [&](std::size_t written) {
    if (written == 4) interrupts = 1;
  };
  SweepRequest part;
  part.output = file("part.h5");
  part.queue_capacity = 1;  // the smallest queue still works
  const SweepOutcome first = run_sweep(s, plan, header, part, hooks);
  EXPECT_TRUE(first.interrupted);
  EXPECT_GE(first.done, 4u);
  EXPECT_LT(first.done, 30u);
  const FileSummary partial = read_summary(part.output);
  EXPECT_EQ(count_done(partial), first.done);
  EXPECT_TRUE(partial.end_time.empty());

  interrupts = 0;
  hooks.on_progress = nullptr;
  part.resume = true;
  std::size_t already = 0;
  hooks.on_start = [&](std::size_t done, std::size_t) { already = done; };
  const SweepOutcome second = run_sweep(s, plan, header, part, hooks);
  EXPECT_TRUE(second.resumed);
  EXPECT_TRUE(second.complete());
  EXPECT_EQ(already, first.done);
  EXPECT_EQ(second.ran_now, 30u - first.done);
  expect_same_runs(whole.output, part.output);
}

TEST_F(SweepTest, ResumeRefusesAnotherScenarioOrProgramVersion) {
  const Scenario s = scenario("refuse", tiny_sweep());
  const SweepPlan plan(s);
  std::atomic<int> interrupts{1};  // stop at once: an unfinished file
  SweepHooks hooks;
  hooks.interrupts = &interrupts;
  SweepRequest request;
  request.output = file("out.h5");
  run_sweep(s, plan, test_header(s, plan), request, hooks);
  request.resume = true;
  EXPECT_THROW(run_sweep(s, plan, test_header(s, plan, "digest-2"), request), InputError);
  EXPECT_THROW(run_sweep(s, plan, test_header(s, plan, "digest-1", "other-version"), request), OutputError);
  EXPECT_TRUE(run_sweep(s, plan, test_header(s, plan), request).complete());
}

TEST_F(SweepTest, AnExistingOutputNeedsResumeOrForce) {
  const Scenario s = scenario("exists", tiny_sweep());
  const SweepPlan plan(s);
  SweepRequest request;
  request.output = write("out.h5", "not a results file");
  EXPECT_THROW(run_sweep(s, plan, test_header(s, plan), request), OutputError);
  EXPECT_EQ(slurp(request.output), "not a results file");  // untouched
  request.force = true;
  EXPECT_TRUE(run_sweep(s, plan, test_header(s, plan), request).complete());
  for (const auto& entry : fs::directory_iterator(dir_))  // no temporary left behind
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST_F(SweepTest, SimulateRunCanBeCancelledBetweenTicks) {
  const Scenario s = scenario("cancel", tiny_sweep());
  const SweepPlan plan(s);
  int ticks = 0;
  EXPECT_THROW(simulate_run(s, plan, 5, [&] { return ++ticks == 3; }), RunCancelled);
  EXPECT_EQ(ticks, 3);
  const RunResult r = simulate_run(s, plan, 5);
  EXPECT_EQ(r.run, 5u);
  EXPECT_EQ(r.series.ticks, 8u);
}

// ======================================================================================
// The real binary

TEST_F(SweepTest, BinaryRunOfOnePointEqualsThatRunOfTheSweep) {
  const std::string toml = write("onepoint.toml", tiny_sweep());
  ASSERT_EQ(xsector({"sweep", toml, "-o", file("s.h5"), "-q"}, file("log")).code, 0) << slurp(file("log"));
  const FileSummary sweep = read_summary(file("s.h5"));
  for (const auto& [point, replicate] : {std::pair{0, 0}, std::pair{7, 2}}) {
    const std::string out = file("p" + std::to_string(point) + ".h5");
    const Result r = xsector({"run", toml, "--point", std::to_string(point), "--replicate", std::to_string(replicate),
                              "-o", out, "-q"},
                             file("log"));
    ASSERT_EQ(r.code, 0) << r.output;
    const std::size_t run = static_cast<std::size_t>(point * 3 + replicate);
    EXPECT_TRUE(same_bits(read_run(out, 0), read_run(file("s.h5"), run))) << "point " << point;
    const FileSummary alone = read_summary(out);
    ASSERT_EQ(alone.header.runs.size(), 1u);
    EXPECT_EQ(alone.header.runs[0].seed, sweep.header.runs[run].seed);
    EXPECT_EQ(alone.header.runs[0].point, point);
    EXPECT_EQ(alone.header.runs[0].replicate, replicate);
    EXPECT_EQ(alone.header.swept_paths, sweep.header.swept_paths);
    EXPECT_EQ(alone.header.runs[0].swept_values, sweep.header.runs[run].swept_values);
  }
  const Result bad = xsector({"run", toml, "--point", "10", "-o", file("bad.h5"), "-q"}, file("log"));
  EXPECT_EQ(bad.code, 2) << bad.output;
}

TEST_F(SweepTest, BinaryKilledWithSigkillThenResumedEqualsAnUninterruptedSweep) {
  const std::string toml = write("killed.toml", tiny_sweep());
  const std::string reference = file("reference.h5"), out = file("killed.h5");
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(xsector({"sweep", toml, "-o", reference, "-q"}, file("log")).code, 0) << slurp(file("log"));
  const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("kill moments drawn with seed " + std::to_string(seed));
  const FileSummary ref = read_summary(reference);
  long last_done = 0;
  int kills = 0, partial_kills = 0;
  for (int attempt = 0; attempt < 16 && partial_kills < 4; ++attempt) {
    if (last_done == 30) {  // a sweep ended before its kill (a loaded machine): start again
      fs::remove(out);
      last_done = 0;
    }
    Child child({"sweep", toml, "-o", out, "-q", "--resume"}, file("log"));
    if (attempt % 2 == 0) {
      // Once it has written a run, a moment later: mid-sweep, mid-run or mid-write.
      while (done_in(out) <= last_done && child.running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<long>(0, 20000)(rng)));
    } else {
      // Any moment of the early life of the process: start-up and file creation included.
      const long upto = full.count() * (30 - last_done) / 60;  // half the work left
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<long>(0, upto)(rng)));
    }
    child.signal(SIGKILL);
    const int code = child.wait();
    if (code == 128 + SIGKILL) ++kills;
    if (!fs::exists(out)) continue;  // killed before the file was in place
    // The file opens and every run it calls done is the reference run, bit for bit.
    const FileSummary now = read_summary(out);
    const long done = static_cast<long>(count_done(now));
    EXPECT_GE(done, last_done) << "a resume lost runs";
    for (std::size_t r = 0; r < now.done.size(); ++r)
      if (now.done[r]) {
        ASSERT_TRUE(same_bits(read_run(out, r), read_run(reference, r))) << "run " << r;
      }
    if (code == 128 + SIGKILL && done > 0 && done < 30) ++partial_kills;
    last_done = done;
  }
  std::cout << "[ sweep kill ] " << kills << " kills, " << partial_kills << " left a partial file (seed " << seed
            << ")\n";
  EXPECT_GE(partial_kills, 2) << "fewer than two kills landed mid-sweep";

  const Result finish = xsector({"sweep", toml, "-o", out, "-q", "--resume"}, file("log"));
  ASSERT_EQ(finish.code, 0) << finish.output;
  const FileSummary final_summary = read_summary(out);
  EXPECT_EQ(count_done(final_summary), 30u);
  EXPECT_FALSE(final_summary.end_time.empty());
  EXPECT_EQ(final_summary.header.scenario_digest, ref.header.scenario_digest);
  expect_same_runs(reference, out);
}

TEST_F(SweepTest, BinaryStopsCleanlyOnSigintAndSaysHowToResume) {
  // 100 runs, so that the sweep is still running when the signal comes.
  std::string text = tiny_sweep();
  text.replace(text.find("replicates = 3"), 14, "replicates = 10");
  const std::string toml = write("sigint.toml", text), out = file("sigint.h5");
  Child child({"sweep", toml, "-o", out, "-q"}, file("log"));
  while (done_in(out) < 1 && child.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  child.signal(SIGINT);
  const int code = child.wait();
  const std::string log = slurp(file("log"));
  ASSERT_EQ(code, 130) << log;
  EXPECT_NE(log.find("interrupted: "), std::string::npos) << log;
  EXPECT_NE(log.find("of 100 runs done; resume with: xsector sweep " + toml + " -o " + out + " --resume"),
            std::string::npos)
      << log;
  const FileSummary partial = read_summary(out);
  EXPECT_TRUE(partial.end_time.empty());
  EXPECT_LT(count_done(partial), 100u);

  const Result resumed = xsector({"sweep", toml, "-o", out, "-q", "--resume"}, file("log"));
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_EQ(count_done(read_summary(out)), 100u);
}

TEST_F(SweepTest, BinaryRefusesASecondWriterOfTheSameOutput) {
  std::string text = tiny_sweep();
  text.replace(text.find("replicates = 3"), 14, "replicates = 100");  // long enough to overlap
  const std::string toml = write("twice.toml", text), out = file("twice.h5");
  Child first({"sweep", toml, "-o", out, "-q"}, file("log1"));
  while (done_in(out) < 1 && first.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const Result resume = xsector({"sweep", toml, "-o", out, "-q", "--resume"}, file("log2"));
  const Result force = xsector({"sweep", toml, "-o", out, "-q", "--force"}, file("log3"));
  if (!first.running()) GTEST_SKIP() << "the first sweep ended before the second started";
  first.signal(SIGKILL);
  EXPECT_EQ(resume.code, 3) << resume.output;
  EXPECT_NE(resume.output.find("another xsector process"), std::string::npos) << resume.output;
  EXPECT_EQ(force.code, 3) << force.output;
  EXPECT_NE(force.output.find("another xsector process"), std::string::npos) << force.output;
}

TEST_F(SweepTest, BinaryResumeIsRefusedForAChangedScenario) {
  const std::string toml = write("changed.toml", tiny_sweep());
  ASSERT_EQ(xsector({"sweep", toml, "-o", file("s.h5"), "-q"}, file("log")).code, 0) << slurp(file("log"));
  const Result set = xsector({"sweep", toml, "-o", file("s.h5"), "--resume", "--set", "diffusion.q=0.2"}, file("log"));
  EXPECT_EQ(set.code, 2) << set.output;
  EXPECT_NE(set.output.find("different scenario"), std::string::npos) << set.output;
  write("changed.toml", tiny_sweep(12));  // another seed in the file itself
  const Result edited = xsector({"sweep", toml, "-o", file("s.h5"), "--resume"}, file("log"));
  EXPECT_EQ(edited.code, 2) << edited.output;
  const Result again = xsector({"sweep", toml, "-o", file("s.h5")}, file("log"));
  EXPECT_EQ(again.code, 3) << again.output;  // exists: needs --resume or --force
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
}

TEST_F(SweepTest, BinaryMergeOfThreeShardsEqualsTheSingleProcessSweep) {
  const std::string toml = write("shards.toml", tiny_sweep());
  ASSERT_EQ(xsector({"sweep", toml, "-o", file("single.h5"), "-q"}, file("log")).code, 0) << slurp(file("log"));
  std::vector<std::string> parts;
  for (int k = 0; k < 3; ++k) {
    parts.push_back(file("part" + std::to_string(k) + ".h5"));
    const Result r = xsector({"sweep", toml, "-o", parts.back(), "-q", "--shard", std::to_string(k) + "/3"}, file("log"));
    ASSERT_EQ(r.code, 0) << r.output;
    const FileSummary s = read_summary(parts.back());
    ASSERT_EQ(s.done.size(), 30u);
    for (std::size_t run = 0; run < 30; ++run) EXPECT_EQ(s.done[run], run % 3 == static_cast<std::size_t>(k)) << run;
    EXPECT_EQ(s.header.shard, std::to_string(k) + "/3");  // root attribute `shard`
  }
  EXPECT_EQ(read_summary(file("single.h5")).header.shard, "");
  const Result info = xsector({"info", parts[1]}, file("log"));
  EXPECT_NE(info.output.find("kind:              sweep (shard 1/3)"), std::string::npos) << info.output;
  // Given out of order: the run axis, not the part order, decides.
  const Result merged = xsector({"merge", file("merged.h5"), parts[2], parts[0], parts[1]}, file("log"));
  ASSERT_EQ(merged.code, 0) << merged.output;
  expect_same_runs(file("single.h5"), file("merged.h5"));
  EXPECT_EQ(count_done(read_summary(file("merged.h5"))), 30u);
  EXPECT_EQ(read_summary(file("merged.h5")).header.shard, "");  // the whole sweep again
}

TEST_F(SweepTest, BinaryMergeRefusesOverlapsAndGapsUnlessPartial) {
  const std::string toml = write("overlap.toml", tiny_sweep());
  std::vector<std::string> parts;
  for (int k = 0; k < 3; ++k) {
    parts.push_back(file("part" + std::to_string(k) + ".h5"));
    ASSERT_EQ(xsector({"sweep", toml, "-o", parts.back(), "-q", "--shard", std::to_string(k) + "/3"}, file("log")).code,
              0);
  }
  ASSERT_EQ(xsector({"sweep", toml, "-o", file("half.h5"), "-q", "--shard", "0/2"}, file("log")).code, 0);

  const Result overlap = xsector({"merge", file("m1.h5"), parts[0], parts[1], parts[2], file("half.h5")}, file("log"));
  EXPECT_EQ(overlap.code, 3) << overlap.output;
  EXPECT_NE(overlap.output.find("done in both"), std::string::npos) << overlap.output;
  EXPECT_FALSE(fs::exists(file("m1.h5")));

  const Result gap = xsector({"merge", file("m2.h5"), parts[0], parts[2]}, file("log"));
  EXPECT_EQ(gap.code, 3) << gap.output;
  EXPECT_NE(gap.output.find("--allow-partial"), std::string::npos) << gap.output;
  EXPECT_FALSE(fs::exists(file("m2.h5")));

  const Result partial = xsector({"merge", file("m3.h5"), parts[0], parts[2], "--allow-partial"}, file("log"));
  ASSERT_EQ(partial.code, 0) << partial.output;
  const FileSummary m = read_summary(file("m3.h5"));
  for (std::size_t run = 0; run < 30; ++run) EXPECT_EQ(m.done[run], run % 3 != 1) << run;

  // Another sweep's file is refused.
  const std::string other = write("other.toml", tiny_sweep(99));
  ASSERT_EQ(xsector({"sweep", other, "-o", file("other.h5"), "-q", "--shard", "1/3"}, file("log")).code, 0);
  const Result foreign = xsector({"merge", file("m4.h5"), parts[0], file("other.h5"), parts[2]}, file("log"));
  EXPECT_EQ(foreign.code, 3) << foreign.output;
  EXPECT_NE(foreign.output.find("not from the same sweep"), std::string::npos) << foreign.output;
}

TEST_F(SweepTest, BinaryDryRunOfALargeDesignListsItsHeadAndLastPoint) {
  std::string values;
  for (int i = 0; i < 25; ++i) values += (i ? ", " : "") + std::to_string(i) + ".0";
  const std::string toml = write("large.toml", std::string(kTinyBase) + "[sweep]\nreplicates = 1\n\n[sweep.parameters]\n"
                                                   "\"market.public_bonus\" = [" + values + "]\n");
  const Result r = xsector({"sweep", toml, "--dry-run"}, file("log"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("point 9: market.public_bonus=9"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("point 10:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("... (14 points more; --design FILE writes all 25 as CSV)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("point 24: market.public_bonus=24"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("points:     25"), std::string::npos) << r.output;
}

TEST_F(SweepTest, BinaryDryRunListsPointsAndRunsWithoutWriting) {
  const std::string toml = write("dry.toml", tiny_sweep());
  const Result r = xsector({"sweep", toml, "-o", file("dry.h5"), "--dry-run"}, file("log"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("point 9: foundation.public_share=0.9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("points:     10"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("replicates: 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("runs:       30"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("output:     about"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(file("dry.h5")));
  EXPECT_EQ(estimated_output_bytes(8, 30), [] {
    std::uint64_t w = 0;
    for (const auto& m : kMetrics) w += static_cast<std::uint64_t>(width_of(m.shape));
    return w * 8 * 8 * 30;
  }());

  const std::string plain = write("plain.toml", kTinyBase);
  const Result none = xsector({"sweep", plain, "-o", file("p.h5")}, file("log"));
  EXPECT_EQ(none.code, 2) << none.output;
  EXPECT_NE(none.output.find("has no [sweep] table; use xsector run"), std::string::npos) << none.output;
}

// ======================================================================================
// Limits checked before anything is built (issue 9): memory of a run, size of a sweep

// Peak resident memory of the real binary running `args`, in bytes (wait4's ru_maxrss).
double peak_rss_of(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s{XSECTOR_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + XSECTOR_BIN);
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("xsector failed");
  return static_cast<double>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The estimate must cover the real peak RSS of a moderate run (half a million agents and
// more) and overshoot it by at most 40 %: a refused population should really not fit.
// Two shapes: the baseline's degrees (3.4 ties per agent) and a provider-heavy population
// (6 ties per agent), so that neither the per-agent nor the per-tie cost can be wrong
// alone. Measured with the Release build: 1.25-1.29 and 1.10 (docs/RELIABILITY.md).
TEST_F(SweepTest, MemoryEstimateCoversTheMeasuredPeakRss) {
  if (kSanitized) GTEST_SKIP() << "sanitizers multiply resident memory";
  const std::string tiny = write("tiny.toml",
                                 "[simulation]\nyears = 1\nticks_per_year = 2\n[population]\ngovernment = 5\n"
                                 "business = 20\nnonprofit = 5\nprovider = 2\nfoundation = 2\n");
  struct Shape {
    std::string scenario;
    std::vector<std::string> sets;
  };
  const std::vector<Shape> shapes = {
      {"scenarios/baseline.toml", {"population.scale=100", "simulation.years=1"}},
      {tiny, {"population.scale=20000"}},
  };
  for (const Shape& shape : shapes) {
    std::vector<std::string> args = {"run", shape.scenario, "-o", file("rss.h5"), "--force", "-q", "--threads", "1"};
    for (const auto& set : shape.sets) args.insert(args.end(), {"--set", set});
    const double measured = peak_rss_of(args);
    const MemoryEstimate e = estimate_run_memory(load_scenario(shape.scenario, shape.sets));
    ASSERT_GT(e.agents, 500'000);
    EXPECT_GE(e.bytes, measured) << shape.scenario << ": estimate " << format_bytes(e.bytes) << ", measured "
                                 << format_bytes(measured);
    EXPECT_LE(e.bytes, 1.4 * measured) << shape.scenario << ": estimate " << format_bytes(e.bytes) << ", measured "
                                       << format_bytes(measured);
  }
}

TEST(MemoryEstimate, RefusesAPopulationBeyondTheAvailableMemoryNamingFileAndKeys) {
  const Scenario s = parse_scenario("[population]\nbusiness = 2000000000\n", "huge.toml");
  const MemoryEstimate e = estimate_run_memory(s);
  EXPECT_NEAR(e.agents, 2000001432.0, 0.5);
  EXPECT_GT(e.bytes, 400e9);
  try {
    check_run_memory(s, 1, 0, 16e9);
    FAIL() << "accepted";
  } catch (const InputError& error) {
    const std::string m = error.what();
    for (const char* part : {"huge.toml", "population.business", "population.scale", "GB", "16.0 GB available"})
      EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
  }
  EXPECT_NO_THROW(check_run_memory(s, 1, 0, 1e15));
  // Runs in flight multiply it.
  const Scenario small = parse_scenario("[population]\nscale = 10\n", "small.toml");
  const double one = estimate_run_memory(small).bytes;
  EXPECT_NO_THROW(check_run_memory(small, 1, 0, one * 1.01));
  EXPECT_THROW(check_run_memory(small, 4, 0, one * 1.01), InputError);
}

// With network.file, the agents and ties are counted in the file (lines of a CSV pair,
// <node and <edge elements of GraphML), found as the loader finds it.
TEST(MemoryEstimate, CountsANetworkFile) {
  for (const char* file : {"tests/data/networks/small.nodes.csv", "tests/data/networks/small.graphml"}) {
    const Scenario s = parse_scenario("[network]\nfile = \"" + std::string(file) + "\"\n", "net.toml");
    const MemoryEstimate e = estimate_run_memory(s);
    const Network loaded = load_network(file, 0.5);
    // Lines, not records: a blank line (small.edges.csv has one) counts, an upper bound.
    EXPECT_GE(e.agents, static_cast<double>(loaded.node_count())) << file;
    EXPECT_LE(e.agents, static_cast<double>(loaded.node_count()) + 1) << file;
    EXPECT_GE(e.ties, static_cast<double>(loaded.tie_count())) << file;
    EXPECT_LE(e.ties, static_cast<double>(loaded.tie_count()) + 1) << file;
    EXPECT_EQ(e.population_keys, "network.file");
  }
}

// The file is read in blocks of 1 MiB: an element cut by a block boundary is counted
// once, wherever the cut falls in it, and nothing else in a GraphML file is counted.
TEST(MemoryEstimate, CountsGraphmlElementsCutByTheReadBlocks) {
  constexpr std::size_t kBlock = std::size_t{1} << 20;  // memory_estimate.cpp's block size
  const fs::path dir = fs::temp_directory_path() / ("xsector-estimate-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (std::size_t cut = 0; cut <= 5; ++cut) {  // the boundary falls `cut` bytes into a "<node"
    const std::string head = "<graphml>\n<key id=\"s\" for=\"node\"/>\n<graph edgedefault=\"undirected\">\n";
    std::string text = head + "<!--";
    text.append(kBlock - cut - text.size() - 4, 'x');
    text += "-->\n";
    ASSERT_EQ(text.size(), kBlock - cut);
    for (int i = 0; i < 3; ++i) text += "<node id=\"v" + std::to_string(i) + "\"/>\n";
    for (int i = 0; i < 3; ++i) text += "<edge source=\"v" + std::to_string(i) + "\" target=\"v" + std::to_string((i + 1) % 3) + "\"/>\n";
    text.append(2 * kBlock - cut - text.size(), ' ');  // the second boundary cuts the last "<edge" alike
    text += "<edge source=\"v0\" target=\"v2\"/>\n</graph>\n</graphml>\n";
    const fs::path file = dir / ("cut" + std::to_string(cut) + ".graphml");
    std::ofstream(file, std::ios::binary) << text;
    const Scenario s = parse_scenario("[network]\nfile = \"" + file.string() + "\"\n", "net.toml");
    const MemoryEstimate e = estimate_run_memory(s);
    EXPECT_EQ(e.agents, 3) << "boundary " << cut << " bytes into the first <node";
    EXPECT_EQ(e.ties, 4) << "boundary " << cut << " bytes into the first <node";
  }
  fs::remove_all(dir);
}

TEST(SweepLimits, CountsRunsWithoutExpandingAndRefusesHugeSweeps) {
  const Scenario lhs = parse_scenario(std::string(kTinyBase) +
                                          "[sweep]\nmethod = \"lhs\"\nsamples = 1000000000000\n"
                                          "[sweep.parameters]\n\"foundation.public_share\" = [0.0, 0.5]\n",
                                      "lhs.toml");
  EXPECT_EQ(planned_runs(*lhs.sweep), 1e12);
  try {
    check_sweep_memory(lhs, 2, 64e9);  // would take for ever (and all memory) if it expanded the points
    FAIL() << "accepted";
  } catch (const InputError& error) {
    const std::string m = error.what();
    EXPECT_NE(m.find("lhs.toml"), std::string::npos) << m;
    EXPECT_NE(m.find("sweep.samples"), std::string::npos) << m;
  }
  const Scenario reps = parse_scenario(std::string(kTinyBase) + "[sweep]\nreplicates = 1000000000000000\n"
                                                                 "[sweep.parameters]\n\"diffusion.q\" = [0.1, 0.2]\n",
                                       "reps.toml");
  EXPECT_EQ(planned_runs(*reps.sweep), 2e15);
  EXPECT_THROW(check_sweep_memory(reps, 2, 64e9), InputError);
  try {
    check_sweep_disk(reps, "out.h5", 1e18);  // the results file alone is far bigger
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("sweep.replicates"), std::string::npos) << error.what();
  }
  // An ordinary sweep passes both.
  const Scenario ok = parse_scenario(tiny_sweep(), "ok.toml");
  EXPECT_EQ(planned_runs(*ok.sweep), 30.0);
  EXPECT_NO_THROW(check_sweep_memory(ok, 2, 8e9));
  EXPECT_NO_THROW(check_sweep_disk(ok, "out.h5", 1e9));
  EXPECT_THROW(check_sweep_disk(ok, "out.h5", 1e3), InputError);
}

TEST(SweepLimits, ValidateAndSweepRefuseASweptTickAxisAlike) {
  const Scenario s = parse_scenario(std::string(kTinyBase) + "[sweep]\n[sweep.parameters]\n\"simulation.years\" = [1, 2]\n",
                                    "years.toml");
  std::string from_plan, from_check;
  try {
    SweepPlan plan(s);
  } catch (const InputError& e) {
    from_plan = e.what();
  }
  try {
    refuse_swept_ticks(s);
  } catch (const InputError& e) {
    from_check = e.what();
  }
  EXPECT_FALSE(from_plan.empty());
  EXPECT_EQ(from_plan, from_check);
  EXPECT_NE(from_plan.find("years.toml"), std::string::npos) << from_plan;
}

}  // namespace
}  // namespace xsector
