// The MPI sweep of mpi_sweep.hpp: rank 0 writes, the other ranks simulate.
#include "sweep/mpi_sweep.hpp"

#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include "core/exit_codes.hpp"
#include "core/errors.hpp"
#include "output/utc_time.hpp"

namespace xsector {
namespace {

constexpr int kResultTag = 71;
constexpr int kAssignTag = 72;
constexpr int kHeaderDoubles = 3;  // slots, run, wall_seconds

// Waits for a request without Open MPI's busy polling, which would take a core from the
// simulations on small machines: a short spin, then sleeps between tests growing from 20 µs to 1 ms.
void wait_for(MPI_Request& request, MPI_Status* status = MPI_STATUS_IGNORE) {
  auto pause = std::chrono::microseconds(20);
  for (int spin = 0;; ++spin) {
    int done = 0;
    MPI_Test(&request, &done, status);
    if (done) return;
    if (spin > 100) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
  }
}

std::size_t doubles_of(std::size_t ticks) {
  std::size_t n = 0;
  for (const MetricSpec& m : kMetrics) n += ticks * static_cast<std::size_t>(width_of(m.shape));
  return n;
}

// Prints the current exception as main.cpp would and ends the whole job with its code.
[[noreturn]] void abort_job(int rank) {
  int code = exit_code::failure;
  try {
    throw;
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    code = exit_code::bad_input;
  } catch (const OutputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    code = exit_code::output_error;
  } catch (const LedgerError& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "internal error on rank " << rank << "\n";
  }
  std::cerr.flush();
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

// ---- rank 0: hands out runs, writes results ---------------------------------------------

SweepOutcome writer_rank(const FileHeader& header, const SweepRequest& request, const SweepHooks& hooks,
                         int world) {
  SweepOutput out = open_sweep_output(header, request);
  SweepOutcome outcome;
  outcome.resumed = out.resumed;
  outcome.total = out.total;
  const std::size_t done_before = out.total - out.todo.size();
  if (hooks.on_start) hooks.on_start(done_before, out.todo.size());

  const std::size_t ticks = static_cast<std::size_t>(header.ticks);
  const std::size_t payload = doubles_of(ticks);
  std::vector<double> buffer(kHeaderDoubles + payload);
  std::vector<long long> slots(static_cast<std::size_t>(world), -1), stopped(static_cast<std::size_t>(world), 0);
  std::size_t next = 0;
  const auto all_stopped = [&] {
    for (int s = 1; s < world; ++s)
      if (slots[s] < 0 || stopped[s] < slots[s]) return false;
    return true;
  };
  const auto interrupts = [&] { return hooks.interrupts ? hooks.interrupts->load() : 0; };

  auto pause = std::chrono::microseconds(20);  // idle polling backs off to 1 ms
  while (!all_stopped()) {
    if (interrupts() >= 2) break;  // stop now: the file is closed below, the job aborted
    MPI_Status status;
    int ready = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, kResultTag, MPI_COMM_WORLD, &ready, &status);
    if (!ready) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(1000));
      continue;
    }
    pause = std::chrono::microseconds(20);
    int count = 0;
    MPI_Get_count(&status, MPI_DOUBLE, &count);
    if (static_cast<std::size_t>(count) != buffer.size() && count != kHeaderDoubles)
      throw std::runtime_error("MPI sweep: a message of " + std::to_string(count) + " doubles from rank " +
                               std::to_string(status.MPI_SOURCE) + ", expected " + std::to_string(buffer.size()));
    const int source = status.MPI_SOURCE;
    MPI_Recv(buffer.data(), count, MPI_DOUBLE, source, kResultTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    slots[source] = static_cast<long long>(buffer[0]);
    // Answer first, then write: the slot (and the slots of its rank queued behind it for
    // MPI) goes on simulating while this rank writes, instead of waiting for the flushes.
    std::int64_t assign = -1;
    if (interrupts() == 0 && next < out.todo.size()) assign = static_cast<std::int64_t>(out.todo[next++]);
    if (assign < 0) ++stopped[source];
    MPI_Send(&assign, 1, MPI_INT64_T, source, kAssignTag, MPI_COMM_WORLD);
    const long long run = static_cast<long long>(buffer[1]);
    if (run >= 0) {
      RunSeries series(ticks);
      const double* p = buffer.data() + kHeaderDoubles;
      for (auto& values : series.values) {
        std::copy(p, p + values.size(), values.begin());
        p += values.size();
      }
      out.writer.write_run(static_cast<std::size_t>(run), series, buffer[2]);
      ++outcome.ran_now;
      if (hooks.on_progress) hooks.on_progress(outcome.ran_now);
    }
  }
  outcome.done = done_before + outcome.ran_now;
  outcome.interrupted = !outcome.complete();
  if (outcome.complete()) out.writer.finish(utc_now_iso8601());
  return outcome;  // an interrupted file is closed by the writer's destructor
}

// ---- other ranks: simulate -------------------------------------------------------------

void worker_rank(const Scenario& scenario, const SweepPlan& plan, const FileHeader& header, int threads,
                 int rank) {
  if (const char* pidfile = std::getenv("XSECTOR_MPI_PIDFILE"))  // for tests that kill a worker
    std::ofstream(std::string(pidfile) + "." + std::to_string(rank)) << ::getpid() << "\n";
  const std::size_t ticks = static_cast<std::size_t>(header.ticks);
  const std::size_t payload = doubles_of(ticks);
  const int slots = std::max(1, threads);
  std::mutex mpi;  // MPI_THREAD_SERIALIZED: one slot talks to rank 0 at a time

  // One slot: send what it has (nothing at first), receive the next run, simulate it.
  const auto slot = [&] {
    std::vector<double> message(kHeaderDoubles, 0.0);
    message[0] = slots;
    message[1] = -1;
    for (;;) {
      std::int64_t run = -1;
      {
        std::lock_guard<std::mutex> lock(mpi);
        MPI_Request send, recv;
        MPI_Irecv(&run, 1, MPI_INT64_T, 0, kAssignTag, MPI_COMM_WORLD, &recv);
        MPI_Isend(message.data(), static_cast<int>(message.size()), MPI_DOUBLE, 0, kResultTag, MPI_COMM_WORLD,
                  &send);
        wait_for(send);
        wait_for(recv);
      }
      if (run < 0) return;
      RunResult result = simulate_run(scenario, plan, static_cast<std::size_t>(run));
      message.assign(kHeaderDoubles, 0.0);
      message.reserve(kHeaderDoubles + payload);
      message[0] = slots;
      message[1] = static_cast<double>(run);
      message[2] = result.wall_seconds;
      for (const auto& values : result.series.values) message.insert(message.end(), values.begin(), values.end());
      if (message.size() != kHeaderDoubles + payload)
        throw std::logic_error("MPI sweep: run " + std::to_string(run) + " has an unexpected number of values");
    }
  };
  tbb::parallel_for(
      tbb::blocked_range<int>(0, slots, 1),
      [&](const tbb::blocked_range<int>& range) {
        for (int i = range.begin(); i != range.end(); ++i) slot();
      },
      tbb::simple_partitioner{});
}

}  // namespace

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}

MpiSession::MpiSession() {
  if (!launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  active_ = true;
  if (provided < MPI_THREAD_SERIALIZED) {
    std::cerr << "error: this MPI library does not support MPI_THREAD_SERIALIZED\n";
    MPI_Abort(MPI_COMM_WORLD, exit_code::failure);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

SweepOutcome run_mpi_sweep(const Scenario& scenario, const SweepPlan& plan, const FileHeader& header,
                           const SweepRequest& request, const SweepHooks& hooks, int threads) {
  int rank = 0, world = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  try {
    if (header.runs.size() != plan.run_count())
      throw std::logic_error("run_mpi_sweep: the header does not describe this plan (use sweep_header)");
    if (rank == 0) {
      SweepOutcome outcome = writer_rank(header, request, hooks, world);
      if (hooks.interrupts && hooks.interrupts->load() >= 2) {  // workers may still be running: end them
        std::cerr << "interrupted: " << outcome.done << " of " << outcome.total << " runs done\n";
        std::cerr.flush();
        MPI_Abort(MPI_COMM_WORLD, exit_code::interrupted);
      }
      return outcome;
    }
    worker_rank(scenario, plan, header, threads, rank);
    return {};
  } catch (...) {
    abort_job(rank);
  }
}

}  // namespace xsector
