// The small subcommands: validate, info, params, report.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "scenario/intervention_notes.hpp"
#include "scenario/memory_estimate.hpp"
#include "output/info.hpp"
#include "output/results_file.hpp"
#include "scenario/param_table.hpp"
#include "scenario/scenario.hpp"
#include "sweep/sweep_limits.hpp"
#include "model/run_network.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/sweep_runner.hpp"

namespace xsector {

// Refuses what `run` and `sweep` would refuse in the scenario before running anything: the
// same checks, the same messages. Memory is the exception: it belongs to the machine, not
// to the scenario, and a run too big for a laptop may be meant for a cluster node. So a
// shortfall here is a warning (the message `run` would give), and the exit code says
// whether the file is valid.
int validate_command(const std::string& path, const std::vector<std::string>& overrides, bool quiet) {
  const Scenario s = load_scenario(path, overrides);
  print_notes(s);
  refuse_swept_ticks(s);
  refuse_run_only_settings(s);
  bool fits = true;
  try {
    check_run_memory(s, 1);
    if (s.sweep) check_sweep_memory(s, 1);
  } catch (const InputError& error) {
    fits = false;
    std::cerr << "warning: valid, but too big for this machine; run and sweep would refuse it here: " << error.what()
              << "\n";
  }
  // What a run checks before its first tick: the network file is read in full (a missing
  // or malformed file is refused as `run` refuses it), or the generated population must
  // fit 32-bit node ids; a sweep applies and checks every point.
  std::vector<std::string> capped;
  for (const CappedBlock& block : capped_blocks(s.params)) capped.push_back(describe(block));
  if (!s.params.network.file.empty()) {
    load_network(network_file_path(s), s.params.network.initial_trust);
  } else {
    check_generated_population(s.params);
  }
  if (s.sweep && fits) {
    const SweepPlan plan(s);
    for (std::size_t k = 0; k < plan.point_count(); ++k)
      check_generated_population(apply_point(s, plan, k).params);
    capped = sweep_header(FileHeader{}, s, plan).sbm_capped_blocks;
  }
  warn_capped_blocks(capped);
  if (!quiet) {
    std::cout << path << ": ok (" << s.interventions.size() << " intervention(s)";
    if (s.sweep) std::cout << ", sweep over " << s.sweep->axes.size() << " parameter(s)";
    std::cout << ")\n";
    const MemoryEstimate e = estimate_run_memory(s);
    std::cout << "memory: a run needs " << describe(e);
    if (const auto available = available_memory()) std::cout << "; " << format_bytes(*available) << " available";
    std::cout << "\n";
  }
  return exit_code::ok;
}

void print_notes(const Scenario& scenario) {
  for (const std::string& note : intervention_notes(scenario)) std::cerr << note << "\n";
}

void warn_capped_blocks(const std::vector<std::string>& capped) {
  if (capped.empty()) return;
  std::cerr << "warning: the generated network falls short of network.mean_degree: a tie probability is capped "
               "at 1 in";
  for (std::size_t i = 0; i < capped.size(); ++i) std::cerr << (i ? "; " : " ") << capped[i];
  std::cerr << " (MODEL.md 5; recorded in the results file's attribute sbm_capped_blocks)\n";
}

int info_command(const std::string& path) {
  print_info(path, std::cout);
  return exit_code::ok;
}

int repair_command(const std::string& path) {
  const bool marked = left_by_killed_writer(path);
  if (marked) repair_file(path);
  const FileSummary summary = read_summary(path);
  std::size_t done = 0;
  for (std::uint8_t d : summary.done) done += d;
  std::cout << path << (marked ? ": repaired: " : ": nothing to repair: ")
            << "h5py and xarray open it as it is; " << done << " of " << summary.done.size() << " runs are done"
            << (done < summary.done.size() ? " (`xsector sweep SCENARIO -o " + path + " --resume` runs the rest)"
                                          : std::string())
            << "\n";
  return exit_code::ok;
}

int params_command(bool markdown, const std::string& path) {
  if (markdown && !path.empty()) throw InputError("params: give either --markdown or a PATH, not both");
  if (markdown)
    std::cout << parameters_markdown();
  else if (!path.empty())
    std::cout << parameter_details(path);
  else
    std::cout << parameters_listing();
  return exit_code::ok;
}

std::string analysis_dir() {
  if (const char* env = std::getenv("XSECTOR_ANALYSIS_DIR")) return env;
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path installed = exe.parent_path().parent_path() / XSECTOR_PYTHON_INSTALL_DIR;
    if (std::filesystem::exists(installed / "xsector_analysis" / "__init__.py", error)) return installed.string();
  }
  return XSECTOR_ANALYSIS_DIR;
}

std::string scenarios_dir() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "xsector" / "scenarios";
    if (std::filesystem::exists(installed / "baseline.toml", error)) return installed.string();
  }
  return XSECTOR_SCENARIOS_DIR;
}

namespace {

// Runs `python3 -m xsector_analysis ARGS` with Debian's python3 and the analysis package
// (analysis_dir()) on PYTHONPATH, in place of this process: its exit status is ours.
int exec_analysis(std::vector<std::string> args) {
  const std::string analysis = analysis_dir();
  const std::string pythonpath = analysis + (std::getenv("PYTHONPATH") ? std::string(":") + std::getenv("PYTHONPATH") : "");
  setenv("PYTHONPATH", pythonpath.c_str(), 1);
  args.insert(args.begin(), {"/usr/bin/python3", "-m", "xsector_analysis"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  std::cerr << "xsector " << args[3] << ": cannot run /usr/bin/python3: " << std::strerror(errno) << "\n";
  return exit_code::failure;
}

// The results file read as `xsector info` reads it before the Python package sees it: a
// file that is not an xsector results file, or is damaged, gets info's one-line answer and
// exit 3 here, where libhdf5's loops on damaged files are refused (docs/RELIABILITY.md F6,
// F7) and its crashes caught; h5py would hang on the first or print a traceback. A path
// that is not a regular file is left to the package, which names what is missing.
int check_results_file(const std::string& command, const std::string& results) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(results, ec)) return exit_code::ok;
  try {
    std::ostringstream unused;
    print_info(results, unused);
  } catch (const OutputError& e) {
    std::cerr << "xsector " << command << ": error: " << e.what() << "\n";
    return exit_code::output_error;
  }
  return exit_code::ok;
}

}  // namespace

// The module picks the default output (RESULTS with .html), refuses to overwrite without
// --force and answers a non-HDF5 input with one line and exit code 3.
int report_command(const std::string& results, const std::string& output, bool force, bool per_tick) {
  if (const int code = check_results_file("report", results)) return code;
  std::vector<std::string> args = {"report", results};
  if (!output.empty()) args.insert(args.end(), {"-o", output});
  if (force) args.emplace_back("--force");
  if (per_tick) args.emplace_back("--quarterly");
  return exec_analysis(std::move(args));
}

int export_command(const ExportOptions& opt) {
  if (const int code = check_results_file("export", opt.results)) return code;
  std::vector<std::string> args = {"export", opt.results};
  if (!opt.output.empty()) args.insert(args.end(), {"-o", opt.output});
  if (opt.force) args.emplace_back("--force");
  if (!opt.metrics.empty()) args.insert(args.end(), {"--metrics", opt.metrics});
  if (opt.yearly) args.emplace_back("--yearly");
  return exec_analysis(std::move(args));
}

}  // namespace xsector
