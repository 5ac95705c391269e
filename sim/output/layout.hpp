#pragma once
// Internal to the output layer: the layout of docs/OUTPUT.md (dataset names, the shape of
// each metric) and the creation of all of it in a new results file.
#include <cstddef>

#include "model/metrics.hpp"
#include "output/hdf5_handles.hpp"
#include "output/results_file.hpp"

namespace xsector::hdf5 {

// Dataset names of docs/OUTPUT.md.
inline constexpr const char* kRunDim = "run";
inline constexpr const char* kTickDim = "tick";
inline constexpr const char* kSectorDim = "sector";
inline constexpr const char* kStageDim = "stage";
inline constexpr const char* kYear = "year";
inline constexpr const char* kPoint = "point";
inline constexpr const char* kReplicate = "replicate";
inline constexpr const char* kSeed = "seed";
inline constexpr const char* kDone = "done";
inline constexpr const char* kWallTime = "wall_time";
inline constexpr const char* kSnapshotGroup = "snapshot";
inline constexpr const char* kAgentDim = "agent";

// Throws unless `header` describes a file that can be created (runs, ticks, swept paths).
void validate_header(Path path, const FileHeader& header);

// Creates the complete layout of docs/OUTPUT.md in the open, empty file: root attributes,
// dimension scales, coordinates, swept parameters, and every metric, allocated.
void create_layout(Path path, hid_t file, const FileHeader& header);

// Opens metric `spec`, refusing a dataset whose shape is not that of `runs` x `ticks`.
Handle open_metric(Path path, hid_t file, const MetricSpec& spec, std::size_t runs, std::size_t ticks);

}  // namespace xsector::hdf5
