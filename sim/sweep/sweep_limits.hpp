#pragma once
// A sweep's size checked from its run count before anything is expanded. A
// SweepPlan holds every point and the file header one entry per run, and the results file
// allocates every run's metrics when it is created: 10^12 lhs samples or 10^15 replicates
// would die of std::bad_alloc while being expanded, `sweep --dry-run` too. These checks
// refuse such a sweep up front (InputError, exit 2) naming the scenario file and the sweep
// key that makes it large.
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace xsector {

// Runs (sweep_point_count × replicates) that the [sweep] table gives, as a double so that
// it cannot wrap round; computed from the spec alone, without expanding anything. The
// same counting rule as SweepPlan's expansion (sweep_plan.hpp): tests/test_sweep.cpp
// compares them for every method.
double planned_runs(const SweepSpec& sweep);

// Bytes the expanded plan and the file header take in memory (both hold a copy of every
// swept value: one ScalarValue of 40 bytes per axis, in a vector per point and per run).
double plan_bytes(const SweepSpec& sweep);

// Refuses when the plan and header, plus `runs_in_flight` runs of the scenario
// (memory_estimate.hpp), need more than the available memory (MemAvailable when nullopt).
void check_sweep_memory(const Scenario& scenario, std::size_t runs_in_flight,
                        std::optional<double> available = std::nullopt);

// Refuses when a new results file of this sweep (every run allocated at creation, see
// estimated_file_size) would not fit in the free space of the output's folder (statvfs
// when nullopt; nothing is checked where that cannot be read).
void check_sweep_disk(const Scenario& scenario, const std::string& output, std::optional<double> free = std::nullopt);

}  // namespace xsector
