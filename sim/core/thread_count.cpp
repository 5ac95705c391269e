// Thread count of a command and the affinity check of thread_count.hpp.
#include "core/thread_count.hpp"

#include <sched.h>

#include <algorithm>

#include <tbb/info.h>

namespace xsector {

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

int thread_count(int requested, std::ostream& warnings) {
  const int threads = requested > 0 ? requested : tbb::info::default_concurrency();
  const int cpus = usable_cpus();
  if (threads > cpus)
    warnings << "warning: " << threads << " threads, but this process may run on only " << cpus
             << (cpus == 1 ? " CPU" : " CPUs")
             << " (its CPU affinity mask): the threads will wait for each other and the work takes longer. "
                "Under Open MPI's mpirun, which binds each rank to one core when it starts one or two ranks, "
                "add --bind-to none, or give each rank its cores with --map-by ...:PE=N (docs/CLUSTER.md).\n";
  return threads;
}

}  // namespace xsector
