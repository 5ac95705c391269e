#pragma once
// A sweep across MPI ranks (docs/CLUSTER.md). Built only with -DXSECTOR_MPI=ON.
//
// Strategy: one writer rank, serial HDF5.
//  * Rank 0 owns the output file. It opens it exactly as the single-process sweep does
//    (open_sweep_output: fresh, --force or --resume, same FileHeader, same identity
//    checks), hands out the runs still to do one at a time, writes every result it
//    receives with ResultsWriter::write_run (series flushed, then done = 1, flushed) and
//    finishes the file (end_time) when every run is done. Rank 0 computes no runs.
//  * Every other rank is a worker with `threads` slots (TBB threads). Each slot asks
//    rank 0 for a run, simulates it (simulate_run, inner loops on TBB), sends the series
//    back (flattened doubles plus wall time) and so asks for the next: dynamic load
//    balancing, a rank that finishes early takes more. Rank 0 answers -1 when nothing is
//    left; a slot then stops.
//  * A worker killed mid-sweep loses only its runs in flight: every finished run is
//    already in the file. Open MPI then ends the job; `mpirun ... --resume` runs the rest.
//
// Message format (MPI_DOUBLE, tag kResultTag, worker -> 0):
//   [slots, run (-1: none yet), wall_seconds, metric 0 values..., metric 1 values..., ...]
// Reply (MPI_INT64_T, tag kAssignTag, 0 -> worker): one run index, or -1 (stop).
#include "sweep/sweep_runner.hpp"

namespace xsector {

// MPI for the lifetime of the object, only when the process was launched by an MPI
// launcher (mpirun/mpiexec: OMPI_COMM_WORLD_SIZE; srun: PMI_SIZE or PMIX_RANK). Otherwise
// nothing is initialised and the binary behaves as without MPI (rank 0 of 1).
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1;
};

// True when the environment says an MPI launcher started this process.
bool launched_by_mpi();

// The sweep of run_sweep, over the ranks of MPI_COMM_WORLD (size >= 2). Every rank calls
// it with the same scenario, plan, header and request. On rank 0 it returns the outcome
// (hooks are called there); on workers an outcome with nothing in it. A failure on any
// rank prints the error and aborts the whole job (MPI_Abort) with the exit code the
// single-process command would give: the file keeps every run written so far.
SweepOutcome run_mpi_sweep(const Scenario& scenario, const SweepPlan& plan, const FileHeader& header,
                           const SweepRequest& request, const SweepHooks& hooks, int threads);

}  // namespace xsector
