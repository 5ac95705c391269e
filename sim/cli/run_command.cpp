// `xsector run`: one run of a scenario into an HDF5 file, written atomically.
#include <iostream>
#include <optional>

#include <tbb/global_control.h>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "scenario/memory_estimate.hpp"
#include "output/atomic_output.hpp"
#include "output/results_file.hpp"
#include "cli/progress.hpp"
#include "output/provenance.hpp"
#include "model/simulation.hpp"
#include "cli/summary.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/replicates.hpp"
#include "sweep/sweep_runner.hpp"
#include "core/thread_count.hpp"

namespace xsector {
int run_command(const RunOptions& opt) {
  std::vector<std::string> overrides = opt.common.overrides;
  if (opt.replicates > 0) overrides.push_back("simulation.replicates=" + std::to_string(opt.replicates));
  if (opt.snapshots) overrides.push_back("output.snapshots=true");
  Scenario scenario = load_scenario(opt.scenario, overrides);
  const auto replicates = static_cast<std::size_t>(scenario.params.simulation.replicates);
  const int threads = thread_count(opt.common.threads, std::cerr);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);

  RunIdentity run;
  // --point K --replicate R: run r of the sweep alone, with the point's values applied
  // exactly as the sweep applies them (bit-identical series), recorded as coordinates.
  // --replicate R alone (a scenario without [sweep]): replicate R of `run --replicates N`
  // and of `compare`, alone.
  std::optional<SweepPlan> plan;
  if (opt.replicate >= 0 && opt.point < 0 && scenario.sweep)  // else the base scenario would run
    throw InputError("--replicate " + std::to_string(opt.replicate) + " of " + opt.scenario +
                     ", which has a [sweep]: a replicate is one run of a sweep point, e.g. --point 0 --replicate " +
                     std::to_string(opt.replicate));
  if ((opt.point >= 0 || opt.replicate >= 0) && replicates > 1)
    throw InputError(std::string(opt.point >= 0 ? "--point" : "--replicate") +
                     " runs one run; it cannot take simulation.replicates = " + std::to_string(replicates) +
                     " (use --replicate R for one replicate)");
  if (opt.replicate >= 0 && opt.point < 0) run = {0, opt.replicate};
  if (opt.point >= 0) {
    if (!scenario.sweep) throw InputError(opt.scenario + " has no [sweep] table; --point needs one");
    plan.emplace(scenario);
    run = {opt.point, opt.replicate >= 0 ? opt.replicate : 0};
    plan->run_index(run);  // range check with a clear message
    scenario = apply_point(scenario, *plan, static_cast<std::size_t>(opt.point));
  }
  print_notes(scenario);
  check_run_memory(scenario, 1);  // refuse a population this machine cannot hold, before building it
  const std::string output = opt.output.empty() ? scenario.name + ".h5" : opt.output;
  AtomicOutput target(output, opt.force);  // refuses an existing file before any work

  FileHeader header = base_header(scenario, "run", opt.common.command_line, threads);
  if (plan) {
    header.swept_paths = plan->paths();
    header.runs.push_back(run_coordinates(*plan, scenario, plan->run_index(run)));
  } else {
    // Replicate r has the seed of sweep point 0, replicate r: the same history as that run.
    for (std::size_t r = 0; r < replicates; ++r) {
      const RunIdentity id = replicates > 1 ? RunIdentity{0, static_cast<std::int64_t>(r)} : run;
      header.runs.push_back({id.point, id.replicate, run_seed_of(scenario, id), {}});
    }
  }
  warn_capped_blocks(header.sbm_capped_blocks);

  // The seed identity of each run: replicate r of point 0, or the sweep run asked for.
  std::vector<RunIdentity> identities;
  for (std::size_t r = 0; r < replicates; ++r)
    identities.push_back(replicates > 1 ? RunIdentity{0, static_cast<std::int64_t>(r)}
                         : plan         ? plan->seed_identity(plan->run_index(run))
                                        : run);
  const std::int64_t ticks = scenario.params.simulation.years * scenario.params.simulation.ticks_per_year;
  Progress progress("run " + scenario.name, ticks * static_cast<std::int64_t>(replicates), opt.common.quiet);
  std::vector<FinalYear> final_years;
  std::size_t agents = 0;
  double wall_total = 0;
  write_replicates(scenario, header, identities, target.temp_path(), [&](std::int64_t t) { progress.update(t); },
                   [&](std::size_t, const Simulation& sim, const RunSeries& series, double wall) {
                     wall_total += wall;
                     agents = sim.world().network.node_count();
                     final_years.push_back(final_year_of(series, scenario.params.simulation.ticks_per_year));
                   });
  progress.finish();
  target.commit();
  if (!opt.common.quiet) {
    print_final_year_summary(final_years, std::cout);
    std::cout << "wrote " << output << " (" << replicates << (replicates == 1 ? " run, " : " replicates, ") << ticks
              << " ticks, " << agents << " agents, " << wall_total << " s)\n";
  }
  return exit_code::ok;
}

}  // namespace xsector
