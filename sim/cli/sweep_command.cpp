// placeholder: filled in by the sweeps work
#include "commands.hpp"
#include "exit_codes.hpp"
#include <iostream>
namespace xsector {
int sweep_command(const SweepOptions&) { std::cerr << "sweep: not implemented yet\n"; return exit_code::failure; }
int merge_command(const MergeOptions&) { std::cerr << "merge: not implemented yet\n"; return exit_code::failure; }
}  // namespace xsector
