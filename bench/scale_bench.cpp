// xsector_bench: how fast the engine runs the baseline model at growing sizes and at
// national scale, next to what this machine's memory can do (docs/PERFORMANCE.md).
//
//   xsector_bench [--sizes 10k,100k,1m,national] [--threads 1,2] [--years 10]
//                 [--repeat N] [--no-machine] [--machine-only] [--set path=value ...]
//
// For each size and thread count the benchmark runs one whole simulation in a fresh child
// process (so that peak RSS belongs to that configuration alone) and prints: network build
// time, initialisation time, ticks per second, agent-ticks per second, peak resident memory
// (VmHWM from /proc), bytes of state per agent, and each phase's share of the tick time.
// Before that it measures the machine: a STREAM-like triad (bandwidth) and a random 8-byte
// read rate over 1 GiB, with 1 and 2 threads.
//
// Sizes: a number of agents (`10k`, `100k`, `1m`, `250000`) scales the baseline scenario
// (default parameters, 5,432 agents) by population.scale = agents / 5432; `national` is the
// configuration of issue 7 (90,056 governments, 5.8M businesses, 1.41M nonprofits, 400
// providers, 86,000 foundations) with every other parameter at its default; a path ending
// in `.toml` runs that scenario file (with --years and --set applied).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include "scenario/scenario.hpp"
#include "model/simulation.hpp"

using namespace xsector;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr double kBaselineAgents = 5432;  // 200 + 4000 + 1200 + 12 + 20

struct Options {
  std::vector<std::string> sizes{"10k", "100k", "1m"};
  std::vector<int> threads{1, 2};
  int years = 10;
  int repeat = 1;
  bool machine = true, configs = true;
  std::vector<std::string> overrides;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: xsector_bench [--sizes 10k,100k,1m,national] [--threads 1,2] [--years 10]\n"
               "                     [--repeat N] [--no-machine] [--machine-only] [--set path=value ...]\n",
               why);
  std::exit(2);
}

// ---------------------------------------------------------------------------------------
// The machine: bandwidth and random access
// ---------------------------------------------------------------------------------------

// Best-of-5 STREAM triad a = b + s c over three arrays of 2^24 doubles (384 MiB in all),
// counted as 24 bytes per element as STREAM does.
double triad_gbs(int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const std::size_t n = std::size_t{1} << 24;
  std::unique_ptr<double[]> a(new double[n]), b(new double[n]), c(new double[n]);
  const tbb::blocked_range<std::size_t> all(0, n, n / 64);
  tbb::static_partitioner part;
  tbb::parallel_for(all, [&](const auto& r) {  // first touch by the threads that use them
    for (std::size_t i = r.begin(); i != r.end(); ++i) a[i] = 0, b[i] = 1, c[i] = 2;
  }, part);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t = Clock::now();
    tbb::parallel_for(all, [&](const auto& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) a[i] = b[i] + 3.0 * c[i];
    }, part);
    best = std::min(best, since(t));
  }
  if (a[n / 2] != 7.0) std::abort();
  return 24.0 * static_cast<double>(n) / best / 1e9;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser: a cheap random index
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Independent random 8-byte reads from a 1 GiB table, in millions per second: the rate
// that bounds gathers such as neighbour lookups once the data do not fit in cache.
double random_reads_per_s(int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const std::size_t n = std::size_t{1} << 27, reads = std::size_t{1} << 26;
  std::unique_ptr<std::uint64_t[]> table(new std::uint64_t[n]);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), [&](const auto& r) {
    for (std::size_t i = r.begin(); i != r.end(); ++i) table[i] = i;
  });
  std::vector<std::uint64_t> sums(threads * 64, 0);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t = Clock::now();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, reads, reads / 64), [&](const auto& r) {
      std::uint64_t sum = 0;
      for (std::size_t i = r.begin(); i != r.end(); ++i) sum += table[mix(i) & (n - 1)];
      sums[(r.begin() / (reads / 64)) % sums.size()] += sum;
    }, tbb::static_partitioner());
    best = std::min(best, since(t));
  }
  std::uint64_t check = 0;
  for (auto s : sums) check += s;
  if (check == 42) std::puts("");  // keep the reads
  return static_cast<double>(reads) / best / 1e6;
}

// Dependent random reads (each index comes from the previous read) over 1 GiB: latency.
double random_latency_ns() {
  const std::size_t n = std::size_t{1} << 27, steps = std::size_t{1} << 22;
  std::unique_ptr<std::uint64_t[]> table(new std::uint64_t[n]);
  for (std::size_t i = 0; i < n; ++i) table[i] = mix(i) & (n - 1);
  std::uint64_t at = 1;
  const auto t = Clock::now();
  for (std::size_t i = 0; i < steps; ++i) at = table[at];
  const double s = since(t);
  if (at == n) std::puts("");
  return s / static_cast<double>(steps) * 1e9;
}

// The machine's measured limits, by thread count.
struct Machine {
  std::map<int, double> triad_gbs, random_mps;
};

Machine measure_machine(const Options& opt) {
  Machine m;
  std::printf("machine: %ld cores online, %.1f GiB memory\n", sysconf(_SC_NPROCESSORS_ONLN),
              static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE)) /
                  (1024.0 * 1024 * 1024));
  for (int t : opt.threads) {
    m.triad_gbs[t] = triad_gbs(t);
    m.random_mps[t] = random_reads_per_s(t);
    std::printf("  threads %d: triad %.1f GB/s, random 8-byte reads %.0f M/s\n", t, m.triad_gbs[t], m.random_mps[t]);
  }
  std::printf("  dependent random read latency (1 thread): %.0f ns\n\n", random_latency_ns());
  return m;
}

// A rough model of the memory traffic of each phase per agent and tick, in the order of
// kPhaseNames: bytes streamed (columns read or written in order) and random accesses
// (reads of rows of other agents, ties, neighbours' rows), for the baseline parameters.
// Derived from the code (docs/PERFORMANCE.md, "Memory model"); it is an estimate, used
// only to say how far each phase is from what memory alone would allow.
struct PhaseTraffic {
  double bytes, random;
};
// The phases and, last, the checks after them (ledger, finite numbers), as measured.
std::vector<std::string> timed_parts() {
  std::vector<std::string> parts(kPhaseNames.begin(), kPhaseNames.end());
  parts.push_back("checks");
  return parts;
}
constexpr std::array<PhaseTraffic, static_cast<int>(Phase::kCount) + 1> kTraffic = {{
    {41, 0.02},  // funding: id, sector, budget, funds r/w, links offsets, scratch
    {26, 0.15},  // diffusion: view (toolkit in, bits out), id, toolkit, sector, degree, links, count
    {16, 1.0},   // collaboration: id, active, sector, mindset, flag; stage tests, invitations
    {24, 0.5},   // market: id, lead mark, capacity, mindset, flag; options, bids, settlement
    {21, 0.0},   // learning: id, sector, capacity r/w
    {40, 0.3},   // recording: sums (id, sector, capacity, toolkit, funds), counts, members
    {24, 0.0},   // checks: the ledger's funds, twice
}};

// ---------------------------------------------------------------------------------------
// One configuration, in a child process
// ---------------------------------------------------------------------------------------

Scenario scenario_for(const std::string& size, const Options& opt) {
  std::vector<std::string> sets = {"simulation.years=" + std::to_string(opt.years)};
  if (size.size() > 5 && size.ends_with(".toml")) {  // a scenario file, as it is
    sets.insert(sets.end(), opt.overrides.begin(), opt.overrides.end());
    return load_scenario(size, sets);
  }
  Scenario s = default_scenario();
  if (size == "national") {
    for (const char* kv : {"population.government=90056", "population.business=5800000",
                           "population.nonprofit=1410000", "population.provider=400", "population.foundation=86000"})
      sets.push_back(kv);
  } else {
    double agents = std::strtod(size.c_str(), nullptr);
    if (size.back() == 'k') agents *= 1e3;
    if (size.back() == 'm') agents *= 1e6;
    if (agents <= 0) usage(("bad size " + size).c_str());
    std::ostringstream scale;
    scale.precision(17);
    scale << agents / kBaselineAgents;
    sets.push_back("population.scale=" + scale.str());
  }
  sets.insert(sets.end(), opt.overrides.begin(), opt.overrides.end());
  apply_overrides(s, sets);
  return s;
}

// User + system CPU seconds of this process so far (all threads).
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::size_t network_bytes(const Network& net) {
  const auto& g = net.graph().m_forward;
  return g.m_rowstart.capacity() * sizeof(EdgeId) + g.m_column.capacity() * sizeof(NodeId) +
         net.node_count() * sizeof(Sector) + 2 * net.tie_count() * sizeof(TieId) + net.tie_count() * sizeof(double);
}

// Prints one line of key=value pairs for the parent to read.
int run_one(const std::string& size, int threads, const Options& opt) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const Scenario s = scenario_for(size, opt);
  const RunIdentity id{};
  auto t = Clock::now();
  Network net = network_for(s, run_seed_of(s, id));
  const double build = since(t);
  const std::size_t agents = net.node_count(), ties = net.tie_count();
  const std::size_t net_bytes = network_bytes(net);
  t = Clock::now();
  Simulation sim(s, id, std::move(net));
  const double init = since(t);
  PhaseTimes phases;
  sim.time_phases(&phases);
  t = Clock::now();
  const double cpu_before = cpu_seconds();
  sim.run();
  const double loop = since(t);
  const double loop_cpu = cpu_seconds() - cpu_before;
  const World& w = sim.world();
  std::printf("agents=%zu ties=%zu ticks=%lld build=%.6f init=%.6f loop=%.6f loop_cpu=%.6f rss=%.1f state=%zu "
              "network=%zu work=%zu",
              agents, ties, static_cast<long long>(sim.tick_count()), build, init, loop, loop_cpu, peak_rss_mib(),
              w.agents.state_bytes(), net_bytes, w.workspace_bytes());
  for (int p = 0; p < static_cast<int>(Phase::kCount); ++p)
    std::printf(" %s=%.6f", std::string(kPhaseNames[p]).c_str(), phases.seconds[p]);
  std::printf(" checks=%.6f\n", phases.checks);
  return 0;
}

std::map<std::string, double> read_fields(const std::string& line) {
  std::map<std::string, double> f;
  std::stringstream in(line);
  for (std::string kv; in >> kv;)
    if (const auto eq = kv.find('='); eq != std::string::npos) f[kv.substr(0, eq)] = std::strtod(kv.c_str() + eq + 1, nullptr);
  return f;
}

// Runs `self --one SIZE --threads T ...` and returns its fields (empty on failure).
std::map<std::string, double> run_child(const char* self, const std::string& size, int threads, const Options& opt) {
  std::string cmd = std::string("'") + self + "' --one " + size + " --threads " + std::to_string(threads) +
                    " --years " + std::to_string(opt.years);
  for (const auto& o : opt.overrides) cmd += " --set '" + o + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  if (pclose(pipe) != 0) return {};
  return read_fields(out);
}

void report(const std::string& size, int threads, const std::map<std::string, double>& f, double one_thread_rate,
            const Machine& machine) {
  const double agents = f.at("agents"), ticks = f.at("ticks"), loop = f.at("loop");
  const double rate = agents * ticks / loop;
  std::printf("%-9s %2d thr  agents %9.0f  ties %10.0f  build %7.3f s  init %6.3f s  loop %8.3f s  "
              "%7.1f ticks/s  %6.2f M agent-ticks/s",
              size.c_str(), threads, agents, f.at("ties"), f.at("build"), f.at("init"), loop, ticks / loop, rate / 1e6);
  if (one_thread_rate > 0) std::printf(" (x%.2f)", rate / one_thread_rate);
  std::printf("\n          total %.3f s  loop CPU %.3f s  peak RSS %.0f MiB  bytes/agent: state %.1f, network %.1f, "
              "workspace %.1f\n",
              f.at("build") + f.at("init") + loop, f.at("loop_cpu"), f.at("rss"), f.at("state") / agents, f.at("network") / agents,
              f.at("work") / agents);
  double phase_sum = 0;
  const std::vector<std::string> parts = timed_parts();
  for (const auto& name : parts) phase_sum += f.at(name);
  std::printf("          phases (share of tick time, ns per agent-tick):");
  for (const auto& name : parts) {
    const double sec = f.at(name);
    std::printf(" %s %.1f%% %.1f", name.c_str(), 100 * sec / phase_sum, sec / (agents * ticks) * 1e9);
  }
  std::printf("\n");
  // Memory floor per phase: modelled bytes at the triad bandwidth plus modelled random
  // accesses at the random-read rate, both measured with the same thread count.
  if (machine.triad_gbs.count(threads) == 0) return;
  const double gbs = machine.triad_gbs.at(threads), mps = machine.random_mps.at(threads);
  std::printf("          memory floor (ns per agent-tick, measured / floor):");
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const double floor_ns = kTraffic[p].bytes / gbs + kTraffic[p].random / mps * 1e3;
    const double measured = f.at(parts[p]) / (agents * ticks) * 1e9;
    std::printf(" %s %.1f x%.1f", parts[p].c_str(), floor_ns, measured / floor_ns);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::string one;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--sizes") opt.sizes = split(value());
    else if (a == "--threads") {
      opt.threads.clear();
      for (const auto& t : split(value())) opt.threads.push_back(std::atoi(t.c_str()));
    } else if (a == "--years") opt.years = std::atoi(value().c_str());
    else if (a == "--repeat") opt.repeat = std::max(1, std::atoi(value().c_str()));
    else if (a == "--set") opt.overrides.push_back(value());
    else if (a == "--no-machine") opt.machine = false;
    else if (a == "--machine-only") opt.configs = false;
    else if (a == "--one") one = value();
    else if (a == "-h" || a == "--help") usage("xsector_bench: scale benchmark");
    else usage(("unknown argument " + a).c_str());
  }
  if (!one.empty()) {
    try {
      return run_one(one, opt.threads.empty() ? 1 : opt.threads.front(), opt);
    } catch (const std::exception& e) {  // the parent prints FAILED for this line
      std::fprintf(stderr, "xsector_bench: %s\n", e.what());
      return 1;
    }
  }

  Machine machine;
  if (opt.machine) machine = measure_machine(opt);
  if (!opt.configs) return 0;
  std::printf("baseline model, %d years x 4 ticks; best of %d run(s) per line\n", opt.years, opt.repeat);
  for (const auto& size : opt.sizes) {
    double one_thread_rate = 0;
    for (int threads : opt.threads) {
      std::map<std::string, double> best;
      for (int r = 0; r < opt.repeat; ++r) {
        auto f = run_child(argv[0], size, threads, opt);
        if (f.empty()) {
          std::printf("%-9s %2d thr  FAILED\n", size.c_str(), threads);
          break;
        }
        if (best.empty() || f["loop"] < best["loop"]) best = f;
      }
      if (best.empty()) continue;
      report(size, threads, best, threads == 1 ? 0.0 : one_thread_rate, machine);
      if (threads == 1) one_thread_rate = best["agents"] * best["ticks"] / best["loop"];
    }
  }
  return 0;
}
