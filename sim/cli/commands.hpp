#pragma once
// The subcommands of `xsector`. Each returns an exit code (exit_codes.hpp) and reports
// errors itself; main.cpp only parses the command line.
#include <string>
#include <vector>

namespace xsector {

struct CommonOptions {
  std::vector<std::string> overrides;  // --set
  int threads = 0;                     // 0: all cores
  bool quiet = false;
  std::string command_line;
};

struct RunOptions {
  CommonOptions common;
  std::string scenario, output;
  bool force = false, snapshots = false;
  long long point = -1, replicate = -1;  // --point/--replicate: one run of a sweep (-1: not given)
  long long replicates = 0;              // --replicates N: simulation.replicates (0: not given)
};

struct SweepOptions {
  CommonOptions common;
  std::string scenario, output;
  bool force = false, resume = false, dry_run = false;
  std::string design;  // --design FILE (with --dry-run): the points as CSV
  std::string shard;  // "K/N": runs K, K+N, K+2N, ... into their own file
};

struct CompareOptions {
  CommonOptions common;
  std::vector<std::string> scenarios;  // the first is the base
  std::string output;
  bool force = false, report = false;  // report: also write OUT.html (`xsector report`)
  long long replicates = 20;  // paired replicates per arm
};

struct ExportOptions {
  std::string results, output, metrics;  // metrics: comma-separated, empty for all
  bool force = false, yearly = false;
};

struct ServeOptions {
  CommonOptions common;  // --threads
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0: a free port, printed at start-up
  std::string scenarios;              // the library folder: its single-run scenario files
  std::string output_folder;          // empty: a temporary folder, removed at exit
  double max_agent_ticks = 2e8;       // per request: agents × ticks × replicates × 2 arms
  long long max_waiting = 4;          // runs queued or running before 429
  std::size_t max_body_bytes = 64 * 1024;
  std::vector<std::string> arguments;  // the whole command line, for xsector-serve
};

struct MergeOptions {
  std::string output;
  std::vector<std::string> parts;
  bool force = false, allow_partial = false;
};

int run_command(const RunOptions& options);
int sweep_command(const SweepOptions& options);
int merge_command(const MergeOptions& options);
int compare_command(const CompareOptions& options);
// `xsector serve`: the scenario explorer in the browser (cli/explorer.hpp).
// In xsector it starts xsector-serve, beside it, with the same arguments
// (serve_launcher.cpp); in xsector-serve it serves (serve_command.cpp).
int serve_command(const ServeOptions& options);
// `xsector export`: the file as one tidy CSV table, by the analysis package.
int export_command(const ExportOptions& options);
int validate_command(const std::string& scenario, const std::vector<std::string>& overrides, bool quiet);
int info_command(const std::string& path);
// `xsector repair`: clears the mark a killed writer leaves, so plain HDF5 readers open the file.
int repair_command(const std::string& path);
int params_command(bool markdown, const std::string& path);  // path: one parameter or table
// Where `report` finds the Python analysis package: $XSECTOR_ANALYSIS_DIR, else the copy
// `cmake --install` put beside the binary (PREFIX/lib/python3.X/dist-packages), else the
// source tree the binary was built from. `xsector --version` names it.
std::string analysis_dir();
// The scenario library `serve` offers by default: the installed one (PREFIX/share/xsector/
// scenarios, beside PREFIX/bin) when there is one, else the source tree's scenarios/.
std::string scenarios_dir();
// An empty output means RESULTS with .html; per_tick: figures over time per tick, not per year.
int report_command(const std::string& results, const std::string& output, bool force, bool per_tick);

struct Scenario;
// The notes of intervention_notes.hpp, to stderr (they never change the exit code).
void print_notes(const Scenario& scenario);
// A warning on stderr when the generated network falls short of its mean degrees
// (FileHeader::sbm_capped_blocks); nothing when the list is empty.
void warn_capped_blocks(const std::vector<std::string>& capped);

}  // namespace xsector
