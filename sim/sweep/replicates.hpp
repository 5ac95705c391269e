#pragma once
// The runs of `xsector run` and of the Python module's `run`: the replicates of one scenario,
// one after another, each parallel inside, each written into one results file as it ends.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "model/simulation.hpp"
#include "output/results_file.hpp"

namespace xsector {

// Called after replicate `index` is written: its simulation (the world as it ended), its
// series and its wall-clock seconds.
using ReplicateDone = std::function<void(std::size_t index, const Simulation&, const RunSeries&, double wall)>;

// Creates `path` with `header` and runs the runs it lists, run r with the identity of
// `identities[r]`, writing each (and its snapshot, when the scenario asks for one);
// `tick_done(t)` counts ticks across all of them. Finishes the file.
void write_replicates(const Scenario& scenario, const FileHeader& header, const std::vector<RunIdentity>& identities,
                      const std::string& path, const std::function<void(std::int64_t)>& tick_done,
                      const ReplicateDone& done);

}  // namespace xsector
