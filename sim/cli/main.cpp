// xsector: the command line. Parses arguments with CLI11, dispatches to a subcommand and
// maps each kind of error to an exit code (exit_codes.hpp).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "core/error_report.hpp"
#include "core/exit_codes.hpp"
#include "output/provenance.hpp"
#include "core/version.hpp"

using namespace xsector;

namespace {

// CLI::NonNegativeNumber says "Value -1 not in range 0.000000 to 1797693134862315708...".
const CLI::Validator kNonNegative(
    [](std::string& text) -> std::string {
      if (!text.empty() && text[0] == '-') return "expected a whole number of 0 or more, got " + text;
      return {};
    },
    "INT>=0");

void add_common(CLI::App* cmd, CommonOptions& common) {
  cmd->add_option("--set", common.overrides, "Override a parameter: dotted.path=value (repeatable)");
  cmd->add_option("--threads", common.threads, "Worker threads (default: every CPU this process may use, i.e. all cores unless mpirun or taskset bound it)")->check(kNonNegative);
  cmd->add_flag("-q,--quiet", common.quiet, "No progress bar and no summary");
}

std::string subcommand_names(CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
  return names;
}

// CLI11 answers both an unknown word and no word at all with "A subcommand is required".
// Returns an exit code when the first argument is not a subcommand, else -1.
int check_subcommand(CLI::App& app, int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "error: no subcommand given; expected one of " << subcommand_names(app)
              << " (xsector --help describes them)\n";
    return exit_code::bad_input;
  }
  const std::string word = argv[1];
  if (word.starts_with("-")) return -1;  // --help, --version, or an option CLI11 will name
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() == word) return -1;
  std::cerr << "error: unknown subcommand '" << word << "'; expected one of " << subcommand_names(app) << "\n";
  return exit_code::bad_input;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xsector: agent-based simulation of cross-sector collaboration ecosystems"};
  app.set_version_flag("--version",
                       std::string("xsector ") + program_version() + "\nanalysis package: " + analysis_dir());
  app.require_subcommand(1);

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its outcome series to HDF5");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("-o,--output", run.output, "Output file (default: <scenario name>.h5)");
  run_cmd->add_flag("--force", run.force, "Overwrite an existing output file");
  run_cmd->add_flag("--snapshots", run.snapshots, "Also write every agent's final state");
  run_cmd->add_option("--point", run.point, "Run this point of the scenario's sweep")->check(kNonNegative);
  run_cmd->add_option("--replicate", run.replicate, "Replicate of that point; without --point, replicate R of run --replicates N and of compare, alone")->check(kNonNegative);
  run_cmd->add_option("--replicates", run.replicates,
                      "Stochastic replicates, each with its own seed, into one file (simulation.replicates)")
      ->check(CLI::Range(1LL, 100000LL));
  add_common(run_cmd, run.common);

  SweepOptions sweep;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run every point and replicate of a scenario's [sweep] into one file");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file with a [sweep] table")->required()->check(CLI::ExistingFile);
  sweep_cmd->add_option("-o,--output", sweep.output, "Output file (default: <scenario name>.h5)");
  sweep_cmd->add_flag("--force", sweep.force, "Overwrite an existing output file");
  sweep_cmd->add_flag("--resume", sweep.resume, "Run only the runs missing from an existing output file");
  auto* dry_run = sweep_cmd->add_flag("--dry-run", sweep.dry_run,
                                      "List the points and runs, estimate the output size, run nothing");
  sweep_cmd->add_option("--design", sweep.design,
                        "With --dry-run: also write the points as CSV (a `point` column, then one column per "
                        "swept parameter; --force to overwrite)")
      ->needs(dry_run);
  sweep_cmd->add_option("--shard", sweep.shard, "K/N: run every N-th run starting at K into its own file");
  add_common(sweep_cmd, sweep.common);

  CompareOptions compare;
  auto* compare_cmd = app.add_subcommand(
      "compare", "Run scenarios side by side with paired replicates and print each one's difference from the first");
  compare_cmd->add_option("scenarios", compare.scenarios, "Scenario files: the base first, then each arm")
      ->required()
      ->check(CLI::ExistingFile);
  compare_cmd->add_option("-o,--output", compare.output, "Output file (default: comparison.h5)");
  compare_cmd->add_option("--replicates", compare.replicates,
                          "Paired replicates per arm: replicate r of every arm has the same seed (default 20)")
      ->check(CLI::Range(1LL, 100000LL));
  compare_cmd->add_flag("--force", compare.force, "Overwrite an existing output file (and its report)");
  compare_cmd->add_flag("--report", compare.report,
                        "Also write the HTML report of the comparison beside the output (OUT.html)");
  add_common(compare_cmd, compare.common);

  ServeOptions serve;
  serve.scenarios = scenarios_dir();
  auto* serve_cmd = app.add_subcommand(
      "serve", "The scenario explorer in the browser: pick a scenario, switch interventions, run paired replicates");
  serve_cmd->add_option("--port", serve.port, "TCP port (0: a free one, printed at start-up)")->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--host", serve.host,
                        "Address to listen on; the default, 127.0.0.1, is this machine only")
      ->capture_default_str();
  serve_cmd->add_option("--scenarios", serve.scenarios, "Folder of base scenarios (its files without [sweep])")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  serve_cmd->add_option("--output-dir", serve.output_folder,
                        "Folder for the runs' results and scenario files (default: a temporary one, removed at exit)");
  serve_cmd->add_option("--max-agent-ticks", serve.max_agent_ticks,
                        "Largest request: agents x ticks x replicates x 2 arms")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--max-waiting", serve.max_waiting, "Runs queued or running before new ones are refused")
      ->capture_default_str()
      ->check(CLI::Range(1LL, 1000LL));
  serve_cmd->add_option("--threads", serve.common.threads, "Worker threads (default: every CPU this process may use)")
      ->check(kNonNegative);

  MergeOptions merge;
  auto* merge_cmd = app.add_subcommand("merge", "Combine shard files of one sweep into one file");
  merge_cmd->add_option("output", merge.output, "Merged output file")->required();
  merge_cmd->add_option("parts", merge.parts, "Shard files")->required()->check(CLI::ExistingFile);
  merge_cmd->add_flag("--force", merge.force, "Overwrite an existing output file");
  merge_cmd->add_flag("--allow-partial", merge.allow_partial, "Accept missing runs (gaps)");

  std::string validate_file;
  CommonOptions validate_common;
  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario file without running it");
  validate_cmd->add_option("scenario", validate_file, "Scenario file (TOML)")->required()->check(CLI::ExistingFile);
  add_common(validate_cmd, validate_common);

  std::string info_file;
  auto* info_cmd = app.add_subcommand("info", "Describe a results file: dimensions, metrics, parameters, provenance");
  info_cmd->add_option("results", info_file, "Results file (HDF5)")->required()->check(CLI::ExistingFile);

  std::string repair_file_path;
  auto* repair_cmd = app.add_subcommand(
      "repair", "Make a file left by a killed writer open in h5py and xarray (its runs stay as they are)");
  repair_cmd->add_option("results", repair_file_path, "Results file (HDF5)")->required()->check(CLI::ExistingFile);

  bool markdown = false;
  std::string params_path;
  auto* params_cmd = app.add_subcommand("params", "List every model parameter, or show one in full");
  params_cmd->add_option("path", params_path, "A parameter (foundation.public_share) or a table (foundation)");
  params_cmd->add_flag("--markdown", markdown, "Print the documentation table (docs/PARAMETERS.md)");

  std::string report_in, report_out;
  bool report_force = false, report_per_tick = false;
  auto* report_cmd = app.add_subcommand("report", "Write a self-contained HTML report of a results file");
  report_cmd->add_option("results", report_in, "Results file (HDF5)")->required()->check(CLI::ExistingFile);
  report_cmd->add_option("-o,--output", report_out, "HTML file to write (default: RESULTS with .html)");
  report_cmd->add_flag("--force", report_force, "Overwrite an existing HTML file");
  report_cmd->add_flag("--quarterly,--per-tick", report_per_tick,
                       "Figures over time show the values per tick (e.g. quarterly) instead of yearly values");

  ExportOptions export_options;
  auto* export_cmd = app.add_subcommand("export", "Write a results file as one CSV table for spreadsheets");
  export_cmd->add_option("results", export_options.results, "Results file (HDF5)")->required()->check(CLI::ExistingFile);
  export_cmd->add_option("-o,--output", export_options.output, "CSV file to write (default: RESULTS with .csv)");
  bool export_csv = true;  // the only format; the flag says so on the command line
  export_cmd->add_flag("--csv", export_csv, "Comma-separated values (the only format, the default)");
  export_cmd->add_option("--metrics", export_options.metrics, "Comma-separated metric names (default: all)");
  export_cmd->add_flag("--yearly", export_options.yearly, "Yearly values instead of a row per tick");
  export_cmd->add_flag("--force", export_options.force, "Overwrite an existing CSV file");

  if (const int rc = check_subcommand(app, argc, argv); rc >= 0) return rc;
  // CLI11 exits with its own codes (105-109); README.md promises 2 for a bad command line.
  // --help and --version come as ParseErrors with code 0: CLI11 prints those itself.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    const ErrorReport report = report_of(std::make_exception_ptr(command_line_error(e.what())));
    std::cerr << report.message << "\n";
    return report.exit_code;
  }
  run.common.command_line = joined_command_line(argc, argv);
  sweep.common.command_line = run.common.command_line;
  compare.common.command_line = run.common.command_line;
  serve.arguments.assign(argv, argv + argc);

  try {
    if (*run_cmd) return run_command(run);
    if (*sweep_cmd) return sweep_command(sweep);
    if (*merge_cmd) return merge_command(merge);
    if (*compare_cmd) return compare_command(compare);
    if (*serve_cmd) return serve_command(serve);
    if (*validate_cmd) return validate_command(validate_file, validate_common.overrides, validate_common.quiet);
    if (*info_cmd) return info_command(info_file);
    if (*repair_cmd) return repair_command(repair_file_path);
    if (*params_cmd) return params_command(markdown, params_path);
    if (*report_cmd) return report_command(report_in, report_out, report_force, report_per_tick);
    if (*export_cmd) return export_command(export_options);
  } catch (...) {
    const ErrorReport report = report_of(std::current_exception());  // shared with the Python module
    std::cerr << report.message << "\n";
    return report.exit_code;
  }
  return exit_code::failure;
}
