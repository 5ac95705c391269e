#pragma once
// How many threads `run` and `sweep` use, and a warning when they outnumber the CPUs this
// process may run on. mpirun binds each rank to one core when it starts one or two ranks
// (Open MPI's default), so `mpirun -n 2 xsector sweep ... --threads 16` would run sixteen
// threads on one core: 12.7 s instead of 0.9 s for 400 baseline runs on a 16-core machine
// (docs/PERFORMANCE.md, "Beyond two cores"). Results are the same either way; only time is lost.
#include <ostream>

namespace xsector {

// CPUs in this process's affinity mask (sched_getaffinity), at least 1.
int usable_cpus();

// `requested` if positive, else TBB's default (which follows the affinity mask). Writes a
// warning to `warnings` when the count exceeds usable_cpus().
int thread_count(int requested, std::ostream& warnings);

}  // namespace xsector
