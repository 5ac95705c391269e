#pragma once
// Internal to the output layer: the group /snapshot of per-agent final state (MODEL.md 8,
// `output.snapshots`); read_snapshot and snapshot_of are declared in results_file.hpp.
#include "output/hdf5_handles.hpp"
#include "output/results_file.hpp"

namespace xsector::hdf5 {

// Creates group /snapshot in `file` (open outside SWMR mode) and writes `snapshot` into
// it; refuses fields of different lengths and a file that has a snapshot already.
void write_snapshot_group(Path path, hid_t file, const AgentSnapshot& snapshot);

}  // namespace xsector::hdf5
