// The small subcommands: validate, info, params, report.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output/info.hpp"
#include "param_table.hpp"
#include "scenario.hpp"

namespace xsector {

int validate_command(const std::string& path, const std::vector<std::string>& overrides, bool quiet) {
  const Scenario s = load_scenario(path, overrides);
  if (!quiet) {
    std::cout << path << ": ok (" << s.interventions.size() << " intervention(s)";
    if (s.sweep) std::cout << ", sweep over " << s.sweep->axes.size() << " parameter(s)";
    std::cout << ")\n";
  }
  return exit_code::ok;
}

int info_command(const std::string& path) {
  print_info(path, std::cout);
  return exit_code::ok;
}

int params_command(bool markdown) {
  if (markdown) {
    std::cout << parameters_markdown();
  } else {
    for (const std::string& p : parameter_paths()) std::cout << p << "\n";
  }
  return exit_code::ok;
}

// The HTML report is made by the Python analysis package; find it beside the binary's
// source tree (XSECTOR_ANALYSIS_DIR overrides) and run it with Debian's python3.
int report_command(const std::string& results, const std::string& output) {
  std::string analysis = XSECTOR_ANALYSIS_DIR;
  if (const char* env = std::getenv("XSECTOR_ANALYSIS_DIR")) analysis = env;
  const std::string pythonpath = analysis + (std::getenv("PYTHONPATH") ? std::string(":") + std::getenv("PYTHONPATH") : "");
  setenv("PYTHONPATH", pythonpath.c_str(), 1);
  std::vector<std::string> args = {"/usr/bin/python3", "-m", "xsector_analysis", "report", results, "-o", output};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  std::cerr << "xsector report: cannot run /usr/bin/python3: " << std::strerror(errno) << "\n";
  return exit_code::failure;
}

}  // namespace xsector
