#pragma once
// Running a sweep's runs in parallel into one results file.
//
// Threads
//  * The simulations run on TBB threads: one producer std::thread calls
//    tbb::parallel_for over the runs still to do (one task per run). Each run's own
//    parallel loops (inside Simulation) run in tbb::this_task_arena::isolate, so a thread
//    waiting for its run's inner loop never picks up a second run: at most
//    `threads` runs (the tbb::global_control limit the command sets) are in flight.
//  * The thread that calls run_sweep is the single writer: it creates or opens the HDF5
//    file, writes every finished run (ResultsWriter::write_run flushes the series, then
//    sets done[run] = 1 and flushes again), and closes the file. No other thread touches
//    HDF5.
//  * Between them, a bounded queue (tbb::concurrent_bounded_queue) of finished runs,
//    capacity 2 × threads by default. A producer blocks when it is full, so memory is
//    bounded by about 3 × threads RunSeries plus `threads` worlds in flight, whatever the
//    number of runs.
//
// Where a fresh sweep writes: to OUT itself, not to a temporary name kept until the end.
// That is what makes crash safety work: a sweep killed with SIGKILL at any moment leaves
// OUT holding every finished run (done = 1) and the others as NaN with done = 0, and
// `xsector sweep FILE -o OUT --resume` finds it under the name the user gave. Only the
// empty layout is made under OUT.tmp-PID and put in place as OUT before the first run
// (link(2), which refuses an OUT that another sweep created meanwhile; with --force, a
// rename that replaces the old OUT in one step), so a kill during creation leaves no
// half-made OUT. An unfinished file is recognisable by its empty `end_time` attribute and its
// done flags (`xsector info`). An existing OUT is refused unless --resume (complete it)
// or --force (start over; refused while another process is writing OUT).
//
// Identity checks
//  * --resume: the file's scenario_digest and program_version must equal this sweep's
//    (InputError / OutputError otherwise), and its run axis must have the plan's length.
//    Only runs with done == 0 (within the shard, if any) are run. --resume on a missing
//    OUT starts a fresh sweep, so a scheduler can always pass --resume.
//  * Growing: --resume after raising [sweep] replicates. A file whose model parameters,
//    swept paths, ticks and program equal this sweep's and whose every run is a run of
//    this sweep (same point, replicate, seed and values) is rewritten with the larger run
//    axis, its finished runs copied bit for bit to their new indices (one rename: a
//    failure leaves the old file), and the new replicates run.
//  * Shards (--shard K/N): runs K, K+N, K+2N, ... into their own file with the full
//    layout (every run's coordinates; other runs stay done = 0). The shard is visible in
//    the file's command_line attribute. merge.hpp combines shard files.
//
// Interruption: the caller passes a counter of SIGINT/SIGTERM received. After the first,
// no new run starts and runs in flight finish and are written; after a second, runs in
// flight are discarded at their next tick. Either way the file is closed cleanly (without
// end_time) and run_sweep returns with `interrupted` set.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "output/results_file.hpp"
#include "scenario/scenario.hpp"
#include "sweep/sweep_plan.hpp"

namespace xsector {

// Runs K, K+N, K+2N, ... of a sweep. The default {0, 1} is every run.
struct Shard {
  std::size_t index = 0, count = 1;
  bool contains(std::size_t run) const { return run % count == index; }
  bool is_whole() const { return count == 1; }
};
// Parses "K/N" with 0 <= K < N; throws InputError.
Shard parse_shard(std::string_view text);

struct SweepRequest {
  std::string output;
  bool resume = false, force = false;
  Shard shard;
  std::size_t queue_capacity = 0;  // finished runs waiting for the writer; 0: 2 × threads
};

struct SweepHooks {
  const std::atomic<int>* interrupts = nullptr;  // SIGINT/SIGTERM received so far
  // Called on the writer thread: once before the first run (how many of the shard's runs
  // the file already holds, how many will run now), then after each run is written.
  std::function<void(std::size_t already_done, std::size_t to_run)> on_start;
  std::function<void(std::size_t written_now)> on_progress;
};

struct SweepOutcome {
  std::size_t total = 0;     // runs in this file's share (the shard's runs, or all)
  std::size_t done = 0;      // of those, done in the file when run_sweep returned
  std::size_t ran_now = 0;   // written by this call
  bool resumed = false, interrupted = false;
  bool complete() const { return done == total; }
};

// The file header of a sweep: `base` (provenance from the command: versions, digest,
// command line, threads) with kind "sweep", the swept paths and every run's coordinates.
// Applies (and so validates) every point: an invalid point fails here, before any file
// is touched.
FileHeader sweep_header(FileHeader base, const Scenario& scenario, const SweepPlan& plan);

// The coordinates of run `run`, given the scenario of its point (apply_point).
RunCoordinates run_coordinates(const SweepPlan& plan, const Scenario& point_scenario, std::size_t run);

// ---- building blocks (run_sweep uses them; an MPI writer rank and workers can too) ----

// The output of a sweep opened for writing, fresh, forced or resumed as the request
// says, after the identity checks above; `todo` lists the runs of the shard not yet done.
struct SweepOutput {
  ResultsWriter writer;
  std::vector<std::size_t> todo;
  std::size_t total = 0;  // runs in the shard (all runs without one)
  bool resumed = false;
};
SweepOutput open_sweep_output(const FileHeader& header, const SweepRequest& request);

// One run of the plan, simulated on the calling thread (its inner parallel loops isolated
// so the thread takes no other run meanwhile). Throws RunCancelled if `cancelled` turns
// true between two ticks; adds the run, point and replicate to a model error's message.
struct RunResult {
  std::size_t run = 0;
  RunSeries series;
  double wall_seconds = 0;
};
struct RunCancelled {};
RunResult simulate_run(const Scenario& scenario, const SweepPlan& plan, std::size_t run,
                       const std::function<bool()>& cancelled = {});

// ---- the whole sweep ------------------------------------------------------------------

// Runs every run of `plan` that the request's shard holds and the file lacks. `header`
// is sweep_header(...) of the same scenario and plan. Throws InputError/OutputError for
// refused outputs and resumes, and rethrows the first failure of a run (after closing
// the file with every run finished so far).
SweepOutcome run_sweep(const Scenario& scenario, const SweepPlan& plan, const FileHeader& header,
                       const SweepRequest& request, const SweepHooks& hooks = {});

// Estimated size of the metric data of `runs` runs before compression, in bytes
// (metrics × ticks × width × 8).
std::uint64_t estimated_output_bytes(std::int64_t ticks, std::size_t runs);

}  // namespace xsector
