#pragma once
// The [sweep] table of a scenario file (MODEL.md 9) read into a SweepSpec. Making the
// points and runs of a sweep from it is the sweep layer's (sim/sweep/sweep_plan.hpp).
#include "scenario/scenario.hpp"
#include "scenario/toml_reading.hpp"

namespace xsector {

// Reads `sweep` against `base`, the final scenario (file and --set applied), so that each
// listed value is checked exactly as a sweep run will apply it: by set_parameter on a
// copy. Throws InputError naming the file position and key.
SweepSpec read_sweep_table(const Scenario& base, const TableEntry& sweep);

}  // namespace xsector
