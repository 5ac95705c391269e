#pragma once
// Typed errors. InputError is a user mistake in a scenario, network or command line: its
// message already names the place (file:line:column and key) and what to do. LedgerError
// and friends are model-integrity failures; the CLI maps each kind to an exit code.
#include <stdexcept>
#include <string>

namespace xsector {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LedgerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A NaN or infinity in agent state (finite_check.hpp). A model-integrity failure like a
// ledger that does not balance, and handled the same way (exit 1), hence the base class.
struct NumericError : LedgerError {
  using LedgerError::LedgerError;
};

}  // namespace xsector
