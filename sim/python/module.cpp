// xsector._core: `xsector run` and `xsector sweep` in-process, for the Python package
// xsector (xsector/__init__.py reads the file back as the analysis package's Dataset).
//
// Each function writes the results file the CLI writes for the same arguments, through the
// same writer: the steps are those of cli/run_command.cpp and cli/sweep_command.cpp in the
// same order (so that the first error found is the same), without the progress bar and the
// summary. tests/python/test_inprocess.py compares the files value for value.
//
// Why a file and not an in-memory HDF5 image: ResultsWriter is built for crash safety (it
// takes an advisory lock on the path, creates the layout under a staging name and links it
// into place, and writes in SWMR mode, which HDF5's in-memory "core" driver does not
// support), and the sweep runner creates its file by path too. Writing the real file into a
// temporary folder keeps one writer; the Python side deletes it after reading.
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tbb/global_control.h>

#include "core/error_report.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/thread_count.hpp"
#include "model/simulation.hpp"
#include "output/atomic_output.hpp"
#include "output/provenance.hpp"
#include "output/results_file.hpp"
#include "scenario/intervention_notes.hpp"
#include "scenario/memory_estimate.hpp"
#include "sweep/sweep_limits.hpp"
#include "sweep/sweep_plan.hpp"
#include "sweep/replicates.hpp"
#include "sweep/sweep_runner.hpp"

namespace py = pybind11;

namespace xsector {
namespace {

// What a command asks to be written to Python's warnings (the CLI writes it to stderr).
using Warnings = std::vector<std::string>;

struct CommandArgs {
  std::string scenario;                // path of the TOML file
  std::vector<std::string> overrides;  // "dotted.path=value", as --set takes them, in order
  int threads = 0;                     // 0: every CPU this process may use
  std::string output;                  // the file to write
  bool force = false;                  // replace an existing `output`
  std::string command_line;            // provenance: the Python call
};

// The CLI checks its positional `scenario` with CLI11's ExistingFile; so does this, for
// the same message.
void check_scenario_file(const std::string& path) {
  if (const std::string problem = CLI::ExistingFile(path); !problem.empty())
    throw command_line_error(CLI::ValidationError("scenario", problem).what());
}

int threads_of(const CommandArgs& args, Warnings& warnings) {
  std::ostringstream text;
  const int threads = thread_count(args.threads, text);
  if (!text.str().empty()) warnings.push_back(text.str());
  return threads;
}

void add_notes(const Scenario& scenario, const FileHeader& header, Warnings& warnings) {
  for (const std::string& note : intervention_notes(scenario)) warnings.push_back(note);
  if (header.sbm_capped_blocks.empty()) return;
  std::string text = "the generated network falls short of network.mean_degree: a tie probability is capped at 1 in";
  for (std::size_t i = 0; i < header.sbm_capped_blocks.size(); ++i)
    text += (i ? "; " : " ") + header.sbm_capped_blocks[i];
  warnings.push_back(text + " (MODEL.md 5; recorded in the results file's attribute sbm_capped_blocks)");
}

// cli/run_command.cpp without --point, --replicate and --snapshots (set output.snapshots).
void run_into_file(const CommandArgs& args, Warnings& warnings) {
  check_scenario_file(args.scenario);
  const Scenario scenario = load_scenario(args.scenario, args.overrides);
  const auto replicates = static_cast<std::size_t>(scenario.params.simulation.replicates);
  const int threads = threads_of(args, warnings);
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  check_run_memory(scenario, 1);
  AtomicOutput target(args.output, args.force);

  FileHeader header = base_header(scenario, "run", args.command_line, threads);
  // Replicate r has the seed of sweep point 0, replicate r: the same history as that run.
  for (std::size_t r = 0; r < replicates; ++r) {
    const RunIdentity id{0, static_cast<std::int64_t>(r)};
    header.runs.push_back({id.point, id.replicate, run_seed_of(scenario, id), {}});
  }
  add_notes(scenario, header, warnings);
  std::vector<RunIdentity> identities;
  for (std::size_t r = 0; r < replicates; ++r) identities.push_back({0, static_cast<std::int64_t>(r)});
  write_replicates(scenario, header, identities, target.temp_path(), [](std::int64_t) {},
                   [](std::size_t, const Simulation&, const RunSeries&, double) {});
  target.commit();
}

// cli/sweep_command.cpp without --dry-run, --resume and --shard.
void sweep_into_file(const CommandArgs& args, Warnings& warnings) {
  check_scenario_file(args.scenario);
  const Scenario scenario = load_scenario(args.scenario, args.overrides);
  if (!scenario.sweep) throw InputError(args.scenario + " has no [sweep] table; use xsector run");
  refuse_run_only_settings(scenario);
  const int threads = threads_of(args, warnings);
  refuse_swept_ticks(scenario);
  check_sweep_memory(scenario, static_cast<std::size_t>(threads));
  check_sweep_disk(scenario, args.output);
  const SweepPlan plan(scenario);

  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  SweepRequest request;
  request.output = args.output;
  request.force = args.force;
  const FileHeader header = sweep_header(base_header(scenario, "sweep", args.command_line, threads), scenario, plan);
  add_notes(scenario, header, warnings);
  run_sweep(scenario, plan, header, request, SweepHooks{});
}

// Python's exception classes, one per kind of error the CLI tells apart by exit code.
// Borrowed handles: the module owns the classes (its attributes), and a static py::object
// would be released after the interpreter has gone.
struct ExceptionTypes {
  py::handle input, output, model;
};
ExceptionTypes& exception_types() {
  static ExceptionTypes types;  // set once by the module's init, under the GIL
  return types;
}

// Runs `command` without the GIL (the model is C++ only, and other Python threads may run
// meanwhile), then hands its warnings to Python and raises its error, if any, with the
// message the CLI would print.
template <class Command>
void in_process(Command command, const CommandArgs& args) {
  Warnings warnings;
  std::exception_ptr error;
  {
    py::gil_scoped_release unlocked;
    try {
      command(args, warnings);
    } catch (...) {
      error = std::current_exception();
    }
  }
  // Level 4 names the caller of xsector.run/sweep (below it: run, _results and its lambda).
  const py::object warn = py::module_::import("warnings").attr("warn");
  for (const std::string& text : warnings) warn(text, py::handle(PyExc_UserWarning), 4);
  if (!error) return;
  const ErrorReport report = report_of(error);
  const ExceptionTypes& types = exception_types();
  const py::handle type = report.exit_code == exit_code::bad_input      ? types.input
                           : report.exit_code == exit_code::output_error ? types.output
                                                                         : types.model;
  PyErr_SetString(type.ptr(), report.message.c_str());
  throw py::error_already_set();
}

CommandArgs args_of(std::string scenario, std::vector<std::string> overrides, int threads, std::string output,
                    bool force, std::string command_line) {
  return {std::move(scenario), std::move(overrides), threads, std::move(output), force, std::move(command_line)};
}

}  // namespace
}  // namespace xsector

PYBIND11_MODULE(_core, m) {
  using namespace xsector;
  m.doc() = "xsector's run and sweep in-process; use the package xsector, not this module";
  ExceptionTypes& types = exception_types();
  types.input = py::exception<InputError>(m, "InputError", PyExc_ValueError);
  types.output = py::exception<OutputError>(m, "OutputError", PyExc_RuntimeError);
  types.model = py::exception<LedgerError>(m, "ModelError", PyExc_RuntimeError);
  m.def(
      "run_to_file",
      [](std::string scenario, std::vector<std::string> overrides, int threads, std::string output, bool force,
         std::string command_line) {
        in_process(run_into_file, args_of(std::move(scenario), std::move(overrides), threads, std::move(output), force,
                                          std::move(command_line)));
      },
      py::arg("scenario"), py::arg("overrides"), py::arg("threads"), py::arg("output"), py::arg("force"),
      py::arg("command_line"), "`xsector run SCENARIO -o OUTPUT --set ...`: writes OUTPUT");
  m.def(
      "sweep_to_file",
      [](std::string scenario, std::vector<std::string> overrides, int threads, std::string output, bool force,
         std::string command_line) {
        in_process(sweep_into_file, args_of(std::move(scenario), std::move(overrides), threads, std::move(output),
                                            force, std::move(command_line)));
      },
      py::arg("scenario"), py::arg("overrides"), py::arg("threads"), py::arg("output"), py::arg("force"),
      py::arg("command_line"), "`xsector sweep SCENARIO -o OUTPUT --set ...`: writes OUTPUT");
}
