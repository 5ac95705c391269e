#pragma once
// What a front end says about an error that ends a command: the line the CLI prints on
// stderr and its exit code (exit_codes.hpp). The CLI (cli/main.cpp) and the Python module
// (sim/python) both use it, so that the same bad input reads the same in a shell and in a
// notebook.
#include <exception>
#include <string>

#include "core/errors.hpp"

namespace xsector {

struct ErrorReport {
  int exit_code;
  std::string message;  // e.g. "error: baseline.toml:3:1: unknown key `x`", no final newline
};

// The report of an exception escaping a command: InputError (exit 2), OutputError (3),
// LedgerError (1), any other std::exception (1, "internal error: ...").
ErrorReport report_of(const std::exception_ptr& error);

// A command-line mistake (a CLI11 parse error, such as a missing scenario file) as an
// InputError whose message carries the CLI's hint.
InputError command_line_error(const std::string& what);

}  // namespace xsector
