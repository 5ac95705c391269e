#include "sweep/sweep_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/concurrent_queue.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include "core/errors.hpp"
#include "model/run_network.hpp"
#include "output/atomic_output.hpp"
#include "output/utc_time.hpp"
#include "model/simulation.hpp"

namespace xsector {
namespace {

// ---- output file: fresh, forced or resumed --------------------------------------------

// A fresh file is created (layout, coordinates, all runs done = 0) under a temporary
// name and put in place before the first run, then reopened for writing: a kill during
// creation leaves no half-made OUT behind, only a stray OUT.tmp-PID. Without --force it
// is put in place with link(2), which fails if OUT appeared meanwhile (two sweeps started
// at once on one OUT: the second is refused, not interleaved); with --force one rename
// replaces the old OUT.
ResultsWriter create_fresh(const std::string& path, const FileHeader& header, bool force) {
  AtomicOutput target(path, force);
  ResultsWriter::create(target.temp_path(), header);  // closed at once: readable, done = 0
  if (force) {
    target.commit();
  } else if (::link(target.temp_path().c_str(), path.c_str()) != 0) {  // `target` removes the temporary
    const int err = errno;
    if (err == EEXIST) throw OutputError(path + ": was created by another process meanwhile");
    if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS)
      throw OutputError(path + ": cannot be created: " + std::strerror(err));
    target.commit();  // a file system without hard links: rename, with its small race
  }
  return ResultsWriter::open_existing(path);
}

// --resume may only complete a file of the same sweep, made by the same program; `why`
// says what differs when the digests do.
void check_resumable(const std::string& path, const FileSummary& file, const FileHeader& header,
                     const std::string& why) {
  const FileHeader& h = file.header;
  if (h.scenario_digest != header.scenario_digest)
    throw InputError(path + " was written by a different scenario or sweep (digest " + h.scenario_digest +
                     ", this one " + header.scenario_digest + (why.empty() ? "" : "; " + why) +
                     "); --resume needs the same scenario file and --set options. Use another -o, or --force to "
                     "start over");
  if (h.program_version != header.program_version)
    throw OutputError(path + " was written by xsector " + h.program_version + ", this is " + header.program_version +
                      "; runs of two versions may differ, so --resume refuses. Finish it with that version, or "
                      "start over with --force");
  if (h.runs.size() != header.runs.size() || h.ticks != header.ticks)
    throw OutputError(path + ": has " + std::to_string(h.runs.size()) + " runs of " + std::to_string(h.ticks) +
                      " ticks, this sweep " + std::to_string(header.runs.size()) + " of " +
                      std::to_string(header.ticks));
}

// Growing a sweep: `file` is this sweep with fewer replicates per point (the file's
// [sweep] replicates raised since) when the model parameters, the swept paths, the ticks
// and the program are the same and every run of the file is a run of this sweep: the same
// point and replicate, hence the same seed and swept values. Replicate r of a point does
// not depend on how many replicates there are, so the file's runs stay valid.
// Where each (point, replicate) of `header` sits on its run axis.
std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> run_indices(const FileHeader& header) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> index;
  for (std::size_t j = 0; j < header.runs.size(); ++j) index[{header.runs[j].point, header.runs[j].replicate}] = j;
  return index;
}

// What keeps this sweep from growing `file` ("" when it grows it).
std::string growth_obstacle(const FileSummary& file, const FileHeader& header) {
  const FileHeader& h = file.header;
  if (h.kind != header.kind || h.program_version != header.program_version || !h.shard.empty() ||
      !header.shard.empty())
    return "not a sweep this program can grow";
  if (h.ticks != header.ticks) return "the years or ticks differ";
  if (h.resolved_parameters != header.resolved_parameters) return "the model parameters differ";
  if (h.swept_paths != header.swept_paths) return "the swept parameters differ";
  if (h.runs.size() >= header.runs.size()) return "this sweep has no more runs than the file";
  const auto index = run_indices(header);
  for (const RunCoordinates& old : h.runs) {
    const auto at = index.find({old.point, old.replicate});
    if (at == index.end() || header.runs[at->second].seed != old.seed ||
        header.runs[at->second].swept_values != old.swept_values)
      return "the design's points differ: a sweep grows only by more replicates (sweep.replicates), since a new "
             "sample count, seed or method of an lhs, sobol or morris design draws every point anew";
  }
  return "";
}

// Rewrites `path` with this sweep's run axis, each finished run copied bit for bit to its
// new index (point × replicates + replicate), the new runs not done; put in place in one
// rename, so that a failure leaves the old file as it was.
void grow(const std::string& path, const FileSummary& file, const FileHeader& header) {
  const auto index = run_indices(header);
  AtomicOutput target(path, true);
  {
    ResultsWriter writer = ResultsWriter::create(target.temp_path(), header);
    for (std::size_t r = 0; r < file.header.runs.size(); ++r) {
      if (!file.done[r]) continue;
      const RunCoordinates& old = file.header.runs[r];
      writer.write_run(index.at({old.point, old.replicate}), read_run(path, r), file.wall_time[r]);
    }
  }
  target.commit();
}

std::vector<std::size_t> runs_to_do(const Shard& shard, const std::vector<std::uint8_t>& done) {
  std::vector<std::size_t> todo;
  for (std::size_t r = shard.index; r < done.size(); r += shard.count)
    if (!done[r]) todo.push_back(r);
  return todo;
}

std::size_t shard_size(const Shard& shard, std::size_t runs) {
  return runs > shard.index ? (runs - shard.index + shard.count - 1) / shard.count : 0;
}

// ---- the runs ---------------------------------------------------------------------------

// Adds the run to an error message, keeping the exception type (it picks the exit code).
[[noreturn]] void rethrow_with_run(std::size_t run, const RunIdentity& id) {
  const std::string where = "run " + std::to_string(run) + " (point " + std::to_string(id.point) + ", replicate " +
                            std::to_string(id.replicate) + "): ";
  try {
    throw;
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  } catch (const LedgerError& e) {
    throw LedgerError(where + e.what());
  }  // anything else goes on unchanged
}

using RunQueue = tbb::concurrent_bounded_queue<std::unique_ptr<RunResult>>;  // nullptr: no more runs

std::size_t active_threads() {
  return std::max<std::size_t>(
      1, std::min<std::size_t>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism),
                               static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())));
}

// The simulation side: one TBB task per run, each pushing its result to the queue.
struct Producer {
  const Scenario& scenario;
  const SweepPlan& plan;
  const std::vector<std::size_t>& todo;
  const std::atomic<int>* interrupts;
  RunQueue& queue;
  std::atomic<bool> writer_failed{false};
  std::exception_ptr error;  // the first failure of a run

  int interrupt_count() const { return interrupts ? interrupts->load() : 0; }
  bool taking_new_runs() const { return !writer_failed && interrupt_count() == 0; }
  bool discarding() const { return writer_failed || interrupt_count() >= 2; }

  void run_one(std::size_t run) {
    if (!taking_new_runs()) return;
    try {
      auto result = std::make_unique<RunResult>(simulate_run(scenario, plan, run, [this] { return discarding(); }));
      queue.push(std::move(result));  // blocks while the writer is behind: bounded memory
    } catch (const RunCancelled&) {
    }
  }

  // On its own std::thread; ends by pushing the end marker, whatever happened.
  void run_all() {
    try {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, todo.size(), 1),
          [this](const tbb::blocked_range<std::size_t>& range) {
            for (std::size_t i = range.begin(); i != range.end(); ++i) run_one(todo[i]);
          },
          tbb::simple_partitioner{});  // one task per run, so each can be skipped on interrupt
    } catch (...) {
      error = std::current_exception();
    }
    queue.push(nullptr);
  }
};

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard s;
  const auto read = [&](std::string_view part, std::size_t& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string_view::npos || !read(text.substr(0, slash), s.index) ||
      !read(text.substr(slash + 1), s.count) || s.count == 0 || s.index >= s.count)
    throw InputError("--shard " + std::string(text) + ": expected K/N with 0 <= K < N, e.g. --shard 0/4");
  return s;
}

RunCoordinates run_coordinates(const SweepPlan& plan, const Scenario& point_scenario, std::size_t run) {
  const RunIdentity id = plan.identity_of(run);
  return {id.point, id.replicate, run_seed_of(point_scenario, plan.seed_identity(run)),
          plan.point(static_cast<std::size_t>(id.point))};
}

FileHeader sweep_header(FileHeader base, const Scenario& scenario, const SweepPlan& plan) {
  base.kind = "sweep";
  base.swept_paths = plan.paths();
  base.runs.clear();
  base.runs.reserve(plan.run_count());
  // Capped blocks can differ between points (a swept population or degree): each is
  // listed once, with the number of points it occurs in when that is not all of them.
  std::vector<std::pair<std::string, std::size_t>> capped;
  for (std::size_t k = 0; k < plan.point_count(); ++k) {
    const Scenario point = apply_point(scenario, plan, k);
    for (std::size_t rep = 0; rep < plan.replicates(); ++rep)
      base.runs.push_back(run_coordinates(plan, point, k * plan.replicates() + rep));
    for (const CappedBlock& block : capped_blocks(point.params)) {
      const std::string text = describe(block);
      auto it = std::find_if(capped.begin(), capped.end(), [&](const auto& c) { return c.first == text; });
      if (it == capped.end()) capped.emplace_back(text, 1);
      else ++it->second;
    }
  }
  base.sbm_capped_blocks.clear();
  for (const auto& [text, points] : capped)
    base.sbm_capped_blocks.push_back(points == plan.point_count() ? text
                                                                  : text + " (in " + std::to_string(points) + " of " +
                                                                        std::to_string(plan.point_count()) + " points)");
  return base;
}

std::uint64_t estimated_output_bytes(std::int64_t ticks, std::size_t runs) {
  std::uint64_t per_tick = 0;
  for (const MetricSpec& m : kMetrics) per_tick += static_cast<std::uint64_t>(width_of(m.shape)) * 8;
  return per_tick * static_cast<std::uint64_t>(std::max<std::int64_t>(ticks, 0)) * runs;
}

SweepOutput open_sweep_output(const FileHeader& header, const SweepRequest& request) {
  const std::string& path = request.output;
  const std::size_t total = shard_size(request.shard, header.runs.size());
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (exists && request.resume) {
    FileSummary summary = read_summary(path);
    std::string obstacle;
    if (summary.header.scenario_digest != header.scenario_digest) {
      obstacle = growth_obstacle(summary, header);
      if (obstacle.empty()) {
        if (being_written_by_another_process(path))
          throw OutputError(path + ": is being written by another xsector process; it cannot be grown now");
        grow(path, summary, header);
        summary = read_summary(path);
      }
    }
    check_resumable(path, summary, header, obstacle);
    return {ResultsWriter::open_existing(path), runs_to_do(request.shard, summary.done), total, true};
  }
  if (exists && !request.force)
    throw OutputError(path + " exists; pass --resume to complete it, or --force to start over");
  if (exists && being_written_by_another_process(path))
    throw OutputError(path + ": is being written by another xsector process; --force will not replace it");
  ResultsWriter writer = create_fresh(path, header, request.force);
  return {std::move(writer), runs_to_do(request.shard, std::vector<std::uint8_t>(header.runs.size(), 0)), total,
          false};
}

RunResult simulate_run(const Scenario& scenario, const SweepPlan& plan, std::size_t run,
                       const std::function<bool()>& cancelled) {
  const RunIdentity id = plan.identity_of(run);
  try {
    const auto start = std::chrono::steady_clock::now();
    const Scenario point = apply_point(scenario, plan, static_cast<std::size_t>(id.point));
    RunResult result;
    result.run = run;
    // Isolation: while this thread waits for the run's inner parallel loops it may only
    // help with those, never start another run (that bounds the runs in flight).
    tbb::this_task_arena::isolate([&] {
      Simulation sim(point, plan.seed_identity(run));
      result.series = sim.run([&cancelled](std::int64_t) {
        if (cancelled && cancelled()) throw RunCancelled{};
      });
    });
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  } catch (const RunCancelled&) {
    throw;
  } catch (...) {
    rethrow_with_run(run, id);
  }
}

SweepOutcome run_sweep(const Scenario& scenario, const SweepPlan& plan, const FileHeader& header,
                       const SweepRequest& request, const SweepHooks& hooks) {
  if (header.runs.size() != plan.run_count())
    throw std::logic_error("run_sweep: the header does not describe this plan (use sweep_header)");
  SweepOutput out = open_sweep_output(header, request);
  SweepOutcome outcome;
  outcome.resumed = out.resumed;
  outcome.total = out.total;
  const std::size_t done_before = out.total - out.todo.size();
  if (hooks.on_start) hooks.on_start(done_before, out.todo.size());

  RunQueue queue;
  queue.set_capacity(static_cast<std::ptrdiff_t>(request.queue_capacity ? request.queue_capacity
                                                                        : 2 * active_threads()));
  Producer producer{scenario, plan, out.todo, hooks.interrupts, queue, {false}, nullptr};
  std::thread simulations([&producer] { producer.run_all(); });

  // The writer loop: this thread alone touches the file. After a write failure it keeps
  // draining the queue (discarding) so that no producer stays blocked on a full queue.
  std::exception_ptr write_error;
  for (;;) {
    std::unique_ptr<RunResult> finished;
    queue.pop(finished);
    if (!finished) break;
    if (write_error) continue;
    try {
      out.writer.write_run(finished->run, finished->series, finished->wall_seconds);
      ++outcome.ran_now;
      if (hooks.on_progress) hooks.on_progress(outcome.ran_now);
    } catch (...) {
      write_error = std::current_exception();
      producer.writer_failed = true;
    }
  }
  simulations.join();
  // On an error the writer's destructor closes the file, keeping every run written.
  if (write_error) std::rethrow_exception(write_error);
  if (producer.error) std::rethrow_exception(producer.error);

  outcome.done = done_before + outcome.ran_now;
  outcome.interrupted = !outcome.complete();
  // end_time marks a complete file; an interrupted one is closed without it (destructor).
  if (outcome.complete()) out.writer.finish(utc_now_iso8601());
  return outcome;
}

}  // namespace xsector
