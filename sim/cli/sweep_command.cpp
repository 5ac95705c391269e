// `xsector sweep` and `xsector merge`. The work is in sim/sweep/; this file reads the
// options, installs the SIGINT/SIGTERM handlers, shows progress and prints the outcome.
// Errors are exceptions: main.cpp maps them to exit codes.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "cli/progress.hpp"
#include "output/provenance.hpp"
#include "output/atomic_output.hpp"
#include "scenario/param_table.hpp"
#include "sweep/merge.hpp"
#include "sweep/sweep_limits.hpp"
#ifdef XSECTOR_WITH_MPI
#include "sweep/mpi_sweep.hpp"
#endif
#include "sweep/sweep_plan.hpp"
#include "sweep/sweep_runner.hpp"
#include "core/thread_count.hpp"

namespace xsector {
namespace {

// Signals received while a sweep runs. A lock-free atomic is safe to touch from a handler.
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void count_interrupt(int) { g_interrupts.fetch_add(1); }

// Counts SIGINT and SIGTERM for its lifetime, then puts the previous handlers back.
class InterruptCounter {
 public:
  InterruptCounter() {
    g_interrupts = 0;
    struct sigaction action {};
    action.sa_handler = count_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptCounter() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptCounter(const InterruptCounter&) = delete;
  InterruptCounter& operator=(const InterruptCounter&) = delete;
  const std::atomic<int>* counter() const { return &g_interrupts; }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double x = static_cast<double>(bytes);
  int u = 0;
  while (x >= 1024 && u < 4) x /= 1024, ++u;
  std::ostringstream out;
  out << std::fixed << std::setprecision(u ? 1 : 0) << x << " " << units[u];
  return out.str();
}

std::size_t runs_in(const Shard& shard, std::size_t runs) {
  std::size_t n = 0;
  for (std::size_t r = shard.index; r < runs; r += shard.count) ++n;
  return n;
}

void print_dry_run(const Scenario& scenario, const SweepPlan& plan, const Shard& shard, std::ostream& out) {
  const bool arms = !scenario.sweep->arms.empty();
  out << "sweep " << scenario.name << ": method " << sweep_method_name(plan.method()) << ", "
      << plan.paths().size() - (arms ? 1 : 0) << " parameter(s)";
  if (arms) out << " x " << scenario.sweep->arms.size() << " arms";
  out << "\n";
  // A design of thousands of points (a Sobol' study) is listed by its head and last point;
  // --design writes every one.
  constexpr std::size_t kListed = 20, kHead = 10;
  const std::size_t points = plan.point_count();
  for (std::size_t k = 0; k < points; ++k) {
    if (points > kListed && k == kHead) {
      out << "... (" << points - kHead - 1 << " points more; --design FILE writes all " << points << " as CSV)\n";
      k = points - 1;
    }
    out << "point " << k << ": " << describe_point(plan, k) << "\n";
  }
  const std::size_t runs = shard.is_whole() ? plan.run_count() : runs_in(shard, plan.run_count());
  const std::int64_t ticks = scenario.params.simulation.years * scenario.params.simulation.ticks_per_year;
  out << "points:     " << plan.point_count() << "\n"
      << "replicates: " << plan.replicates() << "\n"
      << "runs:       " << plan.run_count();
  if (!shard.is_whole()) out << " (shard " << shard.index << "/" << shard.count << ": " << runs << ")";
  out << "\nticks:      " << ticks << "\n"
      << "output:     about " << human_bytes(estimated_output_bytes(ticks, runs))
      << " of metric data before compression (" << kMetricCount << " metrics x " << ticks
      << " ticks x width x 8 bytes x " << runs << " runs)\n";
}

// A CSV field: quoted (with "" for ") when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_value(const ScalarValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return csv_field(*text);
  return format_scalar(value);  // numbers that read back exactly; true/false
}

// The design as CSV, for analysis outside xsector: one row per point, written under a
// temporary name and renamed into place, so that a failure leaves no partial file.
void write_design(const SweepPlan& plan, const std::string& path, bool force) {
  AtomicOutput target(path, force);
  {
    std::ofstream out(target.temp_path());
    out << "point";
    for (const std::string& p : plan.paths()) out << "," << csv_field(p);
    out << "\n";
    for (std::size_t k = 0; k < plan.point_count(); ++k) {
      out << k;
      for (const ScalarValue& value : plan.point(k)) out << "," << csv_value(value);
      out << "\n";
    }
    out.flush();
    if (!out) throw OutputError(path + ": could not write the design (disk full?)");
  }
  target.commit();
}

// The command that completes this sweep, with the options that make it the same sweep.
std::string resume_hint(const SweepOptions& opt, const std::string& output) {
  std::string hint = "xsector sweep " + opt.scenario + " -o " + output + " --resume";
  if (!opt.shard.empty()) hint += " --shard " + opt.shard;
  for (const std::string& s : opt.common.overrides) hint += " --set " + s;
  return hint;
}

}  // namespace

int sweep_command(const SweepOptions& opt) {
  const Scenario scenario = load_scenario(opt.scenario, opt.common.overrides);
  if (!scenario.sweep) throw InputError(opt.scenario + " has no [sweep] table; use xsector run");
  refuse_run_only_settings(scenario);
  print_notes(scenario);
  const int threads = thread_count(opt.common.threads, std::cerr);
  // From the run count, before the plan expands anything (sweep/sweep_limits.hpp).
  refuse_swept_ticks(scenario);
  check_sweep_memory(scenario, opt.dry_run ? 0 : static_cast<std::size_t>(threads));
  const std::string output = opt.output.empty() ? scenario.name + ".h5" : opt.output;
  if (!opt.dry_run && !opt.resume) check_sweep_disk(scenario, output);
  const SweepPlan plan(scenario);
  SweepRequest request;
  if (!opt.shard.empty()) request.shard = parse_shard(opt.shard);
  if (opt.dry_run) {
    // The header applies (and so validates) every point.
    warn_capped_blocks(sweep_header(FileHeader{}, scenario, plan).sbm_capped_blocks);
    print_dry_run(scenario, plan, request.shard, std::cout);
    if (!opt.design.empty()) {
      write_design(plan, opt.design, opt.force);
      std::cout << "design:     " << opt.design << " (" << plan.point_count() << " points)\n";
    }
    return exit_code::ok;
  }
  if (opt.resume && opt.force) throw InputError("--resume and --force contradict each other; choose one");

  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  request.output = output;
  request.resume = opt.resume;
  request.force = opt.force;
  FileHeader header = sweep_header(base_header(scenario, "sweep", opt.common.command_line, threads), scenario, plan);
  if (!request.shard.is_whole())
    header.shard = std::to_string(request.shard.index) + "/" + std::to_string(request.shard.count);

#ifdef XSECTOR_WITH_MPI
  // Under mpirun/srun with more than one rank: rank 0 writes, the others simulate
  // (sweep/mpi_sweep.hpp). Launched any other way, MPI is not initialised at all.
  MpiSession mpi;
  const bool on_mpi = mpi.active() && mpi.size() > 1;
  const bool writer = mpi.rank() == 0;
#else
  const bool on_mpi = false, writer = true;
#endif
  if (writer) warn_capped_blocks(header.sbm_capped_blocks);
  InterruptCounter interrupts;
  std::unique_ptr<Progress> progress;
  SweepHooks hooks;
  hooks.interrupts = interrupts.counter();
  hooks.on_start = [&](std::size_t already, std::size_t to_run) {
    std::string label = "sweep " + scenario.name;
    if (already) label += " (" + std::to_string(already) + " already done)";
    if (on_mpi) label += " on MPI";
    progress = std::make_unique<Progress>(label, static_cast<std::int64_t>(to_run), opt.common.quiet, 10);
  };
  hooks.on_progress = [&](std::size_t written) { progress->update(static_cast<std::int64_t>(written)); };

#ifdef XSECTOR_WITH_MPI
  const SweepOutcome outcome =
      on_mpi ? run_mpi_sweep(scenario, plan, header, request, hooks, threads) : run_sweep(scenario, plan, header, request, hooks);
#else
  const SweepOutcome outcome = run_sweep(scenario, plan, header, request, hooks);
#endif
  if (!writer) return exit_code::ok;  // a worker rank: rank 0 reports
  if (progress) progress->finish();
  if (outcome.interrupted) {
    std::cerr << "interrupted: " << outcome.done << " of " << outcome.total
              << " runs done; resume with: " << resume_hint(opt, request.output) << "\n";
    return exit_code::interrupted;
  }
  if (!opt.common.quiet)
    std::cout << "wrote " << request.output << " (" << outcome.ran_now << " run(s) now, " << outcome.done << " of "
              << outcome.total << " done" << (outcome.resumed ? ", resumed" : "") << ")\n";
  return exit_code::ok;
}

int merge_command(const MergeOptions& opt) {
  MergeRequest request;
  request.output = opt.output;
  request.parts = opt.parts;
  request.force = opt.force;
  request.allow_partial = opt.allow_partial;
  request.command_line = "xsector merge " + opt.output;
  for (const std::string& p : opt.parts) request.command_line += " " + p;
  const MergeOutcome outcome = merge_parts(request);
  std::cout << "wrote " << opt.output << " (" << outcome.copied << " of " << outcome.runs << " runs done";
  if (!outcome.gaps.empty()) std::cout << "; " << outcome.gaps.size() << " missing, complete with sweep --resume";
  std::cout << ")\n";
  return exit_code::ok;
}

}  // namespace xsector
