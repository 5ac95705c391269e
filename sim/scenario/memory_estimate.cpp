#include "scenario/memory_estimate.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"
#include "scenario/population.hpp"

namespace xsector {
namespace {

namespace fs = std::filesystem;

// Occurrences of each needle in a file, counted in one pass over blocks (a network file
// can be gigabytes). Each block is searched with the last (longest needle - 1) bytes of the
// one before in front, so that a needle cut by the block boundary is found; a match lying
// wholly in that carried part was counted with the block before and is skipped.
template <std::size_t N>
std::array<double, N> count_in_file(const fs::path& path, const std::array<std::string_view, N>& needles) {
  std::array<double, N> count{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return count;
  std::size_t longest = 1;
  for (std::string_view needle : needles) longest = std::max(longest, needle.size());
  std::string carry, block(1 << 20, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::string text = carry + block.substr(0, static_cast<std::size_t>(in.gcount()));
    for (std::size_t i = 0; i < N; ++i)
      for (auto at = text.find(needles[i]); at != std::string::npos; at = text.find(needles[i], at + 1))
        count[i] += at + needles[i].size() > carry.size() ? 1 : 0;
    carry = text.size() >= longest ? text.substr(text.size() - longest + 1) : text;
  }
  return count;
}

void count_network_file(const Scenario& scenario, MemoryEstimate& e) {
  e.population_keys = "network.file";
  const fs::path file = network_file_path(scenario);
  std::error_code ec;
  if (!fs::exists(file, ec)) return;  // the loader reports it
  const std::string name = file.string();
  if (name.ends_with(".graphml")) {
    const auto [nodes, edges] = count_in_file<2>(file, {"<node", "<edge"});
    e.agents = nodes;
    e.ties = edges;
  } else if (name.ends_with(".nodes.csv")) {
    e.agents = std::max(0.0, count_in_file<1>(file, {"\n"})[0] - 1);  // less the header
    const fs::path edges = name.substr(0, name.size() - std::string_view(".nodes.csv").size()) + ".edges.csv";
    e.ties = std::max(0.0, count_in_file<1>(edges, {"\n"})[0] - 1);
  }
}

void count_generated(const Scenario& scenario, MemoryEstimate& e) {
  const Params& p = scenario.params;
  double tie_ends = 0;
  int largest = 0;
  for (int i = 0; i < kSectorCount; ++i) {
    const auto n = static_cast<double>(scaled_count(p, static_cast<Sector>(i)));
    e.agents += n;
    tie_ends += n * p.network.mean_degree[i];
    if (p.population.count[i] > p.population.count[largest]) largest = i;
  }
  e.ties = tie_ends / 2;
  e.population_keys = "population." + std::string(kSectorNames[largest]) + " (the largest count) and population.scale";
}

}  // namespace

MemoryEstimate estimate_run_memory(const Scenario& scenario) {
  MemoryEstimate e;
  if (scenario.params.network.file.empty())
    count_generated(scenario, e);
  else
    count_network_file(scenario, e);
  e.bytes = kProcessBytes + e.agents * kBytesPerAgent + e.ties * kBytesPerTie;
  return e;
}

double run_bytes(const MemoryEstimate& estimate) { return estimate.bytes - kProcessBytes; }

std::optional<double> available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return value * 1024;  // the kernel's "kB" is KiB
  }
  return std::nullopt;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  while (bytes >= 1000 && u < 6) bytes /= 1000, ++u;
  char text[64];
  std::snprintf(text, sizeof text, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return text;
}

std::string describe(const MemoryEstimate& e) {
  std::ostringstream out;
  out << "about " << format_bytes(e.bytes) << " (" << static_cast<std::uint64_t>(e.agents) << " agents, "
      << (e.ties < 1e9 ? std::to_string(static_cast<std::uint64_t>(e.ties)) : [&] {
           char t[32];
           std::snprintf(t, sizeof t, "%.2g", e.ties);
           return std::string(t);
         }())
      << " ties)";
  return out.str();
}

void check_run_memory(const Scenario& scenario, std::size_t runs_in_flight, double extra_bytes,
                      std::optional<double> available) {
  if (!available) available = available_memory();
  if (!available) return;
  const MemoryEstimate e = estimate_run_memory(scenario);
  const double runs = static_cast<double>(std::max<std::size_t>(1, runs_in_flight));
  const double needed = kProcessBytes + runs * run_bytes(e) + extra_bytes;
  if (needed <= *available) return;
  std::string what = "a run needs " + describe(e);
  if (runs > 1) what += ", " + std::to_string(runs_in_flight) + " runs in flight " + format_bytes(needed);
  if (extra_bytes > 0) what += " with " + format_bytes(extra_bytes) + " for the sweep's points and runs";
  const std::string remedy = scenario.params.network.file.empty() ? "lower population.scale or the counts"
                                                                   : "use a smaller network file";
  throw InputError(scenario.source + ": " + e.population_keys + ": not enough memory: " + what + "; this machine has " +
                   format_bytes(*available) + " available (MemAvailable); " + remedy +
                   (runs > 1 ? ", or run fewer at once with --threads" : ""));
}

}  // namespace xsector
