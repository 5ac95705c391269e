#pragma once
// How much memory one run needs, estimated from the scenario before anything is built, so
// that a population the machine cannot hold is refused up front with the estimate (exit 2)
// instead of dying of std::bad_alloc or the OOM killer half-way through building it.
//
// The model (sizes from the data structures; checked against the peak RSS of real runs by
// tests/test_sweep.cpp, SweepTest.MemoryEstimateCoversTheMeasuredPeakRss):
//   bytes = kProcessBytes + agents × kBytesPerAgent + ties × kBytesPerTie
// per agent: network 5 (sector, CSR row start); agent state 58 (5 client doubles indexed by
//   node, toolkit, active, client id, provider and foundation ordinals, institution
//   offset); workspaces about 50 (docs/PERFORMANCE.md: 48-54); with slack for vectors'
//   spare capacity and the few per-provider and per-foundation rows: 120.
// per undirected tie: both directions' CSR column and tie id 16, initial trust 8, live
//   trust 8, and the generator's pairs and trust (16) alive while the graph is built: 48.
// ties = Σ over sectors of (agents × network.mean_degree) / 2 for a generated network (an
// upper bound: capped blocks get fewer), or the ties counted in network.file.
// Measured (Release, 1 thread, peak RSS): baseline × 100 and × 300 (3.4 ties per agent)
// 140 and 378 MB, estimated 180 and 488 MB; a provider-heavy population of 680,000 agents
// with 6 ties each, estimated about 10 % above the measured peak.
#include <cstdint>
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace xsector {

inline constexpr double kProcessBytes = 24.0 * 1024 * 1024;  // binary, libraries, TBB, HDF5
inline constexpr double kBytesPerAgent = 120;
inline constexpr double kBytesPerTie = 48;

struct MemoryEstimate {
  double agents = 0;
  double ties = 0;   // undirected
  double bytes = 0;  // one run, including kProcessBytes
  std::string population_keys;  // what sets the size, for messages
};

MemoryEstimate estimate_run_memory(const Scenario& scenario);

// Bytes of one run beyond the process's fixed part (what each run in flight adds).
double run_bytes(const MemoryEstimate& estimate);

// MemAvailable of /proc/meminfo, in bytes; nullopt where it cannot be read.
std::optional<double> available_memory();

// "412.3 GB" (decimal units, as free(1) -h and the kernel's meminfo kB are close enough).
std::string format_bytes(double bytes);

// "about 412.3 GB (2000001432 agents, 6.7e+09 ties)".
std::string describe(const MemoryEstimate& estimate);

// Throws InputError naming the scenario file and the population keys when `runs_in_flight`
// runs (plus `extra_bytes`, e.g. a sweep's header) need more than `available` bytes.
// With available = nullopt it reads MemAvailable, and checks nothing where that is unknown.
void check_run_memory(const Scenario& scenario, std::size_t runs_in_flight, double extra_bytes = 0,
                      std::optional<double> available = std::nullopt);

}  // namespace xsector
