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
  long long point = -1, replicate = 0;  // --point/--replicate: one run of a sweep
};

int run_command(const RunOptions& options);
int validate_command(const std::string& scenario, const std::vector<std::string>& overrides, bool quiet);
int info_command(const std::string& path);
int params_command(bool markdown);
int report_command(const std::string& results, const std::string& output);

}  // namespace xsector
